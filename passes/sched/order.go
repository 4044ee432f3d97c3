package sched

import "planc/ir"

// op is one compute step of a pipeline rank's order: kind F, B or W of a
// virtual stage for a micro-batch.
type op struct {
	kind  ir.ActionKind
	stage int32
	mb    int32
}

// orderGPipe: all forwards, then all backwards in the same micro-batch order.
func orderGPipe(q, m int) []op {
	out := make([]op, 0, 2*m)
	for i := 0; i < m; i++ {
		out = append(out, op{ir.ActF, int32(q), int32(i)})
	}
	for i := 0; i < m; i++ {
		out = append(out, op{ir.ActB, int32(q), int32(i)})
	}
	return out
}

// order1F1B: p-q-1 warm-up forwards, then one forward and one backward in
// turn, then the remaining backwards (PipeDream-Flush / Megatron).
func order1F1B(p, q, m int) []op {
	warm := min(p-q-1, m)
	out := make([]op, 0, 2*m)
	for i := 0; i < warm; i++ {
		out = append(out, op{ir.ActF, int32(q), int32(i)})
	}
	for i := 0; i < m-warm; i++ {
		out = append(out, op{ir.ActF, int32(q), int32(warm + i)}, op{ir.ActB, int32(q), int32(i)})
	}
	for i := m - warm; i < m; i++ {
		out = append(out, op{ir.ActB, int32(q), int32(i)})
	}
	return out
}

// orderInterleaved is Megatron-LM's interleaved 1F1B: pipeline rank q holds
// the virtual stages q, q+p, ..., q+(v-1)p; micro-batches go through the
// chunks in groups of p. It needs m to be a multiple of p.
func orderInterleaved(p, v, q, m int) []op {
	total := m * v
	warm := min((p-q-1)*2+(v-1)*p, total)
	if m == p {
		// Megatron: with exactly p micro-batches every forward is warm-up.
		warm = total
	}
	fwd := func(k int) op {
		chunk := (k % (p * v)) / p
		mb := (k/(p*v))*p + k%p
		return op{ir.ActF, int32(chunk*p + q), int32(mb)}
	}
	bwd := func(k int) op {
		chunk := v - 1 - (k%(p*v))/p
		mb := (k/(p*v))*p + k%p
		return op{ir.ActB, int32(chunk*p + q), int32(mb)}
	}
	out := make([]op, 0, 2*total)
	for k := 0; k < warm; k++ {
		out = append(out, fwd(k))
	}
	for k := 0; k < total-warm; k++ {
		out = append(out, fwd(warm+k), bwd(k))
	}
	for k := total - warm; k < total; k++ {
		out = append(out, bwd(k))
	}
	return out
}

// orderZBH1 is the handcrafted ZB-H1 of Qi et al. (2023): 1F1B's forwards
// and input-gradient backwards, with pipeline rank q deferring its weight
// gradients by q micro-batches, so that the backward wave runs down the
// pipeline without the W's in its way and the deferred W's fill the
// cool-down. Rank q then holds at most p−q forwards and q pending W's: 1F1B's
// peak memory.
func orderZBH1(p, q, m int) []op {
	warm := min(p-q-1, m)
	defer_ := min(q, m)
	out := make([]op, 0, 3*m)
	for i := 0; i < warm; i++ {
		out = append(out, op{ir.ActF, int32(q), int32(i)})
	}
	w := 0
	for i := 0; i < m; i++ {
		if i+warm < m {
			out = append(out, op{ir.ActF, int32(q), int32(i + warm)})
		}
		out = append(out, op{ir.ActB, int32(q), int32(i)})
		if i >= defer_ {
			out = append(out, op{ir.ActW, int32(q), int32(w)})
			w++
		}
	}
	for ; w < m; w++ {
		out = append(out, op{ir.ActW, int32(q), int32(w)})
	}
	return out
}

// orderZBV is the ZB-V schedule (Qi et al., 2024, "Pipeline Parallelism with
// Controllable Memory", section 6; the same construction as PyTorch's
// ScheduleZBVZeroBubble). Pipeline rank q holds chunk 0 = stage q and chunk
// 1 = stage 2p−1−q. Warm-up: 2(p−q)−1 chunk-0 forwards, q pairs (F1, F0),
// p−q triples (F1, B1, W1); steady state: F0 B0 W0 F1 B1 W1; cool-down: q
// pairs (B0, B1), p−q pairs (B0, W0), then the remaining W's. The
// construction assumes at least 2p−1 micro-batches; with fewer, the actions
// of the missing micro-batches are dropped.
func orderZBV(p, q, m int) []op {
	n := max(2*p-1, m)
	s0, s1 := int32(q), int32(2*p-1-q)
	var out []op
	var f0, f1, b0, b1 int
	add := func(k ir.ActionKind, st int32, mb int) {
		if mb < m {
			out = append(out, op{k, st, int32(mb)})
		}
	}
	for range 2*(p-q) - 1 {
		add(ir.ActF, s0, f0)
		f0++
	}
	for range q {
		add(ir.ActF, s1, f1)
		f1++
		add(ir.ActF, s0, f0)
		f0++
	}
	for range p - q {
		add(ir.ActF, s1, f1)
		f1++
		add(ir.ActB, s1, b1)
		add(ir.ActW, s1, b1)
		b1++
	}
	for f1 < f0 || f0 < n {
		if f0 < n {
			add(ir.ActF, s0, f0)
			f0++
		}
		add(ir.ActB, s0, b0)
		add(ir.ActW, s0, b0)
		b0++
		add(ir.ActF, s1, f1)
		f1++
		add(ir.ActB, s1, b1)
		add(ir.ActW, s1, b1)
		b1++
	}
	w0, w1 := b0, b1
	for range q {
		add(ir.ActB, s0, b0)
		b0++
		add(ir.ActB, s1, b1)
		b1++
	}
	for range p - q {
		add(ir.ActB, s0, b0)
		b0++
		add(ir.ActW, s0, w0)
		w0++
	}
	for ; w1 < b1; w1++ {
		add(ir.ActW, s1, w1)
	}
	for ; w0 < b0; w0++ {
		add(ir.ActW, s0, w0)
	}
	return out
}
