package sched

import (
	"container/heap"
	"fmt"
	"math"

	"planc/ir"
)

// op is one compute step of a pipeline rank's order: kind F, B or W of a
// virtual stage for a micro-batch.
type op struct {
	kind  ir.ActionKind
	stage int32
	mb    int32
}

// StageTimes gives the duration of one compute action of a virtual stage for
// one micro-batch. The greedy zero-bubble orders (zb-h1, zb-v) are built by
// list scheduling under these times; the other schedules do not need them.
type StageTimes interface {
	StageTime(stage int, kind ir.ActionKind) float64
}

// UniformTimes is a StageTimes in which every stage takes F, B and W.
type UniformTimes struct{ F, B, W float64 }

// StageTime implements StageTimes.
func (u UniformTimes) StageTime(_ int, k ir.ActionKind) float64 {
	switch k {
	case ir.ActF:
		return u.F
	case ir.ActB:
		return u.B
	case ir.ActW:
		return u.W
	}
	return 0
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

// greedyOrders builds the orders of the zero-bubble schedules by list
// scheduling: every pipeline rank, when free, runs the first ready action
// in the priority B, then F (while the micro-batches it holds, forward done
// and W not done, stay under limit[q], and those forward done and B not
// done under limitFB[q]), then W; it idles only when none is ready. stageOf[s] is the
// pipeline rank holding virtual stage s. With split backward and limits
// equal to 1F1B's this is ZB-H1 (Qi et al., 2023); with the V placement it is
// ZB-V. The times only decide the order: any times give a valid schedule.
func greedyOrders(p, nStages, m int, stageOf []int, limit, limitFB []int, times StageTimes) ([][]op, error) {
	type key struct{ s, mb int }
	const notDone = -1.0
	fEnd := make([][]float64, nStages)
	bEnd := make([][]float64, nStages)
	for s := range fEnd {
		fEnd[s] = make([]float64, m)
		bEnd[s] = make([]float64, m)
		for i := range fEnd[s] {
			fEnd[s][i], bEnd[s][i] = notDone, notDone
		}
	}
	stagesOf := make([][]int, p)
	for s, q := range stageOf {
		stagesOf[q] = append(stagesOf[q], s)
	}
	nextF := make([][]int, p) // per rank, per local stage: next micro-batch to forward
	nextB := make([][]int, p)
	pendingW := make([][]key, p)
	inflight := make([]int, p)   // F done, W not done
	inflightFB := make([]int, p) // F done, B not done
	free := make([]float64, p)
	waiting := make([]bool, p)
	ends := &timeHeap{}
	orders := make([][]op, p)
	for q := range nextF {
		nextF[q] = make([]int, len(stagesOf[q]))
		nextB[q] = make([]int, len(stagesOf[q]))
	}
	remaining := 3 * nStages * m
	ready := func(t, end float64) bool { return end != notDone && end <= t }
	for limitIter := 0; remaining > 0; limitIter++ {
		if limitIter > 100*remaining+1_000_000 {
			return nil, fmt.Errorf("sched: greedy order did not converge")
		}
		// The rank that is free first acts (ties: lowest rank).
		q := 0
		for r := 1; r < p; r++ {
			if free[r] < free[q] {
				q = r
			}
		}
		t := free[q]
		waiting[q] = false
		chosen := op{}
		// B: the highest ready stage first (it is later in the model, so its
		// gradient unblocks the most), oldest micro-batch first.
		for li := len(stagesOf[q]) - 1; li >= 0 && chosen.kind == ir.ActNone; li-- {
			s := stagesOf[q][li]
			i := nextB[q][li]
			if i >= m || !ready(t, fEnd[s][i]) {
				continue
			}
			if s == nStages-1 || ready(t, bEnd[s+1][i]) {
				chosen = op{ir.ActB, int32(s), int32(i)}
				nextB[q][li]++
			}
		}
		if chosen.kind == ir.ActNone && inflight[q] < limit[q] && inflightFB[q] < limitFB[q] {
			for li := len(stagesOf[q]) - 1; li >= 0; li-- {
				s := stagesOf[q][li]
				i := nextF[q][li]
				if i >= m {
					continue
				}
				if s == 0 || ready(t, fEnd[s-1][i]) {
					chosen = op{ir.ActF, int32(s), int32(i)}
					nextF[q][li]++
					break
				}
			}
		}
		if chosen.kind == ir.ActNone && len(pendingW[q]) > 0 {
			w := pendingW[q][0]
			pendingW[q] = pendingW[q][1:]
			chosen = op{ir.ActW, int32(w.s), int32(w.mb)}
		}
		if chosen.kind == ir.ActNone {
			// Idle until the next completion after t; readiness changes
			// only then. With none scheduled yet, wait for the next action
			// any rank starts.
			for ends.Len() > 0 && ends.peek() <= t {
				heap.Pop(ends)
			}
			if ends.Len() > 0 {
				free[q] = ends.peek()
			} else {
				free[q] = math.Inf(1)
				waiting[q] = true
				allWaiting := true
				for r := range free {
					if !math.IsInf(free[r], 1) {
						allWaiting = false
					}
				}
				if allWaiting {
					return nil, fmt.Errorf("sched: greedy order stuck at t=%g (in-flight limits %v too small?)", t, limit)
				}
			}
			continue
		}
		d := times.StageTime(int(chosen.stage), chosen.kind)
		end := t + d
		switch chosen.kind {
		case ir.ActF:
			fEnd[chosen.stage][chosen.mb] = end
			inflight[q]++
			inflightFB[q]++
		case ir.ActB:
			bEnd[chosen.stage][chosen.mb] = end
			inflightFB[q]--
			pendingW[q] = append(pendingW[q], key{int(chosen.stage), int(chosen.mb)})
		case ir.ActW:
			inflight[q]--
		}
		free[q] = end
		heap.Push(ends, end)
		for r := range waiting {
			if waiting[r] && end < free[r] {
				free[r] = end
			}
		}
		orders[q] = append(orders[q], chosen)
		remaining--
	}
	return orders, nil
}

// timeHeap is a min-heap of completion times.
type timeHeap []float64

func (h timeHeap) Len() int           { return len(h) }
func (h timeHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h timeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timeHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *timeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
func (h timeHeap) peek() float64 { return h[0] }

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
