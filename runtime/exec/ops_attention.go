package exec

import (
	"fmt"

	"planc/ir"
	"planc/runtime/collective"
	"planc/runtime/kernels"
)

// Context parallelism. Each cp rank holds one contiguous segment of every
// sequence (positions [c·S/cp, (c+1)·S/cp)); everything but attention is
// token-local. Attention of the segment's queries needs the keys and values
// of every earlier position, obtained by cp_mode:
//
//   - allgather and lss: one fused all-gather of K|V over cp before the
//     attention; its adjoint, one fused reduce-scatter of dK|dV, in
//     backward (lss: the gradients of the weights are then averaged once
//     over dp×cp, which the schedule's REDUCE_GRAD group already is);
//   - ring: K|V blocks travel around the cp ring (cp−1 sends per rank),
//     each block's partial attention merged by log-sum-exp; in backward
//     the blocks travel again with their dK|dV accumulators, which return
//     to their owner after a last send;
//   - ulysses: an all-to-all turns sequence-sharded q|k|v into
//     head-sharded whole sequences, attention runs whole on heads/cp
//     heads, and an all-to-all turns the output back (the reverse pair in
//     backward).

// attnActs is one attention's activations for its backward: q, k, v
// (head-major, this rank's segment), the output and the log-sum-exp of
// every query row.
type attnActs struct {
	q, k, v, o, lse []float32
	cpKV            []float32 // cp allgather/lss: the gathered K|V
	cpQ, cpK, cpV   []float32 // cp ulysses: head-sharded, whole-sequence q, k, v (o and lse likewise in o, lse)
	cpO             []float32 // cp ulysses: the head-sharded output
}

func (r *rank) cpGroup() collective.Group { return toGroup(r.mesh.Group(ir.AxisCP, r.id)) }

func (r *rank) attnShape(tq, tk, qOff, kOff int) kernels.AttnShape {
	m := r.m
	return kernels.AttnShape{Batch: r.plan.MicroBatch, Heads: m.Heads / r.tp, Tq: tq, Tk: tk, D: m.QKWidth(), QOffset: qOff, KOffset: kOff, Causal: true}
}

// kvHeads is the key/value heads this rank holds: kv_heads/tp (the query
// heads' under multi-head attention), or one when tp exceeds kv_heads
// (each kv head replicated over tp/kv_heads ranks, see ir.ParamPart).
func (r *rank) kvHeads() int { return max(r.m.KV()/r.tp, 1) }

// attnFwd is one attention kernel call on sh's heads sharing kv key/value
// heads (grouped-query attention when kv < sh.Heads; MLA's values are
// narrower than its queries and keys); the multi-head kernel runs on the
// hot kernels (Go or generated).
func (r *rank) attnFwd(o, lse, q, k, v []float32, sh kernels.AttnShape, kv int) {
	dv := r.m.VWidth()
	if kv == sh.Heads && dv == sh.D {
		r.kern().AttentionForward(o, lse, q, k, v, sh)
		return
	}
	kernels.GroupedAttentionForward(o, lse, q, k, v, kernels.GroupedAttnShape{AttnShape: sh, KVHeads: kv, DV: dv})
}

// attnBwd adds attnFwd's gradients.
func (r *rank) attnBwd(dq, dk, dv, do, q, k, v, o, lse []float32, sh kernels.AttnShape, kv int) {
	w := r.m.VWidth()
	if kv == sh.Heads && w == sh.D {
		r.kern().AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, sh)
		return
	}
	kernels.GroupedAttentionBackward(dq, dk, dv, do, q, k, v, o, lse, kernels.GroupedAttnShape{AttnShape: sh, KVHeads: kv, DV: w})
}

// ringTag numbers the ring messages of layer l, unique within a step.
func ringTag(l, phase, step int) int64 { return 3<<56 | int64(l)<<32 | int64(phase)<<16 | int64(step) }

// attentionForward fills a.o and a.lse from a.q, a.k, a.v (head-major,
// this rank's segment).
func (r *rank) attentionForward(l int, a *attnActs) error {
	r.on("cp")
	cp := r.mesh.CP
	sl := r.segLen()
	nk := len(a.k)
	kv := r.kvHeads()
	bh := r.plan.MicroBatch * r.m.Heads / r.tp
	n := bh * sl * r.m.VWidth() // the output's
	a.o = make([]float32, n)
	a.lse = make([]float32, bh*sl)
	if cp == 1 {
		r.attnFwd(a.o, a.lse, a.q, a.k, a.v, r.attnShape(sl, sl, 0, 0), kv)
		return nil
	}
	c := r.coord.CP
	g := r.cpGroup()
	switch r.plan.CPMode {
	case "allgather", "lss":
		kvs, err := r.comm.AllGather(g, append(append([]float32(nil), a.k...), a.v...))
		if err != nil {
			return err
		}
		a.cpKV = kvs
		k, v := r.wholeKV(kvs)
		r.attnFwd(a.o, a.lse, a.q, k, v, r.attnShape(sl, sl*cp, c*sl, 0), kv)
	case "ring":
		kernels.EmptyAttention(a.o, a.lse)
		blk := append(append([]float32(nil), a.k...), a.v...)
		oBlk, lseBlk := make([]float32, n), make([]float32, len(a.lse))
		for step := 0; step < cp; step++ {
			src := (c - step + cp) % cp
			if src <= c { // blocks of later segments are wholly masked
				r.attnFwd(oBlk, lseBlk, a.q, blk[:nk], blk[nk:], r.attnShape(sl, sl, c*sl, src*sl), kv)
				osh := r.attnShape(sl, sl, 0, 0)
				osh.D = r.m.VWidth() // the outputs' width
				kernels.CombineAttention(a.o, a.lse, oBlk, lseBlk, osh)
			}
			if step < cp-1 {
				if err := r.comm.Send(g[(c+1)%cp], ringTag(l, 0, step), blk); err != nil {
					return err
				}
				var err error
				if blk, err = r.comm.Recv(g[(c-1+cp)%cp], ringTag(l, 0, step)); err != nil {
					return err
				}
			}
		}
	case "ulysses":
		return r.ulyssesForward(a)
	default:
		return fmt.Errorf("cp_mode %q is not executed by the runtime", r.plan.CPMode)
	}
	return nil
}

// wholeKV rearranges an all-gathered [K_0|V_0, K_1|V_1, ...] (each
// head-major over its segment) into whole-sequence head-major K and V.
func (r *rank) wholeKV(kv []float32) ([]float32, []float32) {
	cp, sl := r.mesh.CP, r.segLen()
	d, dv := r.m.QKWidth(), r.m.VWidth()
	bh := r.plan.MicroBatch * r.kvHeads()
	seg, segV := bh*sl*d, bh*sl*dv
	k, v := make([]float32, cp*seg), make([]float32, cp*segV)
	for c := 0; c < cp; c++ {
		part := kv[c*(seg+segV) : (c+1)*(seg+segV)]
		for p := 0; p < bh; p++ {
			copy(k[(p*cp*sl+c*sl)*d:(p*cp*sl+(c+1)*sl)*d], part[p*sl*d:(p+1)*sl*d])
			copy(v[(p*cp*sl+c*sl)*dv:(p*cp*sl+(c+1)*sl)*dv], part[seg+p*sl*dv:seg+(p+1)*sl*dv])
		}
	}
	return k, v
}

// segmentKV is wholeKV's adjoint layout: whole-sequence dK, dV cut into
// [dK_0|dV_0, dK_1|dV_1, ...], the input of the reduce-scatter.
func (r *rank) segmentKV(dk, dv []float32) []float32 {
	cp, sl := r.mesh.CP, r.segLen()
	d, w := r.m.QKWidth(), r.m.VWidth()
	bh := r.plan.MicroBatch * r.kvHeads()
	seg, segV := bh*sl*d, bh*sl*w
	out := make([]float32, cp*(seg+segV))
	for c := 0; c < cp; c++ {
		part := out[c*(seg+segV) : (c+1)*(seg+segV)]
		for p := 0; p < bh; p++ {
			copy(part[p*sl*d:(p+1)*sl*d], dk[(p*cp*sl+c*sl)*d:(p*cp*sl+(c+1)*sl)*d])
			copy(part[seg+p*sl*w:seg+(p+1)*sl*w], dv[(p*cp*sl+c*sl)*w:(p*cp*sl+(c+1)*sl)*w])
		}
	}
	return out
}

// attentionBackward returns dq, dk, dv of this rank's segment given do.
func (r *rank) attentionBackward(l int, a *attnActs, do []float32) (dq, dk, dv []float32, err error) {
	r.on("cp")
	cp := r.mesh.CP
	sl := r.segLen()
	n, nk, nv := len(a.q), len(a.k), len(a.v)
	kv := r.kvHeads()
	dq, dk, dv = make([]float32, n), make([]float32, nk), make([]float32, nv)
	if cp == 1 {
		r.attnBwd(dq, dk, dv, do, a.q, a.k, a.v, a.o, a.lse, r.attnShape(sl, sl, 0, 0), kv)
		return dq, dk, dv, nil
	}
	c := r.coord.CP
	g := r.cpGroup()
	switch r.plan.CPMode {
	case "allgather", "lss":
		k, v := r.wholeKV(a.cpKV)
		dK, dV := make([]float32, len(k)), make([]float32, len(v))
		r.attnBwd(dq, dK, dV, do, a.q, k, v, a.o, a.lse, r.attnShape(sl, sl*cp, c*sl, 0), kv)
		mine, err := r.comm.ReduceScatter(g, r.segmentKV(dK, dV), collective.Sum)
		if err != nil {
			return nil, nil, nil, err
		}
		copy(dk, mine[:nk])
		copy(dv, mine[nk:])
	case "ring":
		// Each message is a block's K|V|dK|dV; after cp−1 hops a block's
		// accumulators come back to its owner with one more send.
		kvn := nk + nv
		blk := make([]float32, 2*kvn)
		copy(blk, a.k)
		copy(blk[nk:], a.v)
		for step := 0; step < cp; step++ {
			src := (c - step + cp) % cp
			if src <= c {
				r.attnBwd(dq, blk[kvn:kvn+nk], blk[kvn+nk:], do, a.q, blk[:nk], blk[nk:kvn], a.o, a.lse, r.attnShape(sl, sl, c*sl, src*sl), kv)
			}
			if step < cp-1 {
				if err := r.comm.Send(g[(c+1)%cp], ringTag(l, 1, step), blk); err != nil {
					return nil, nil, nil, err
				}
				if blk, err = r.comm.Recv(g[(c-1+cp)%cp], ringTag(l, 1, step)); err != nil {
					return nil, nil, nil, err
				}
			}
		}
		// blk is now the block of segment (c+1) mod cp: return its
		// gradients to their owner, and receive ours from (c−1) mod cp.
		if err := r.comm.Send(g[(c+1)%cp], ringTag(l, 2, 0), blk[kvn:]); err != nil {
			return nil, nil, nil, err
		}
		back, err := r.comm.Recv(g[(c-1+cp)%cp], ringTag(l, 2, 0))
		if err != nil {
			return nil, nil, nil, err
		}
		copy(dk, back[:nk])
		copy(dv, back[nk:])
	case "ulysses":
		return r.ulyssesBackward(a, do)
	}
	return dq, dk, dv, nil
}

// ulyssesToHeads sends, for each cp member j, heads [j·H/cp, (j+1)·H/cp)
// of each segment-local head-major tensor of xs (H its heads: query heads,
// or the fewer key/value heads of grouped-query attention; ws[t] the head
// width of xs[t]: MLA's values are narrower than its queries and keys),
// and assembles what it receives into whole-sequence head-major tensors of
// this rank's heads.
func (r *rank) ulyssesToHeads(ws []int, xs ...[]float32) ([][]float32, error) {
	cp, sl := r.mesh.CP, r.segLen()
	b := r.plan.MicroBatch
	heads := func(t int) int { return len(xs[t]) / (b * sl * ws[t]) }
	g := r.cpGroup()
	send := make([][]float32, cp)
	for j := 0; j < cp; j++ {
		for t, x := range xs {
			H, d := heads(t), ws[t]
			hc := H / cp
			for bi := 0; bi < b; bi++ {
				lo := ((bi*H + j*hc) * sl) * d
				send[j] = append(send[j], x[lo:lo+hc*sl*d]...)
			}
		}
	}
	recv, err := r.comm.AllToAll(g, send)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(xs))
	for i := 0; i < cp; i++ {
		off := 0
		for t := range xs {
			hc, d := heads(t)/cp, ws[t]
			per := b * hc * sl * d // one tensor's share in a message
			if out[t] == nil {
				out[t] = make([]float32, b*hc*cp*sl*d)
			}
			part := recv[i][off : off+per]
			off += per
			for bi := 0; bi < b; bi++ {
				for h := 0; h < hc; h++ {
					src := part[((bi*hc+h)*sl)*d : ((bi*hc+h)*sl+sl)*d]
					dst := ((bi*hc+h)*cp*sl + i*sl) * d
					copy(out[t][dst:dst+sl*d], src)
				}
			}
		}
	}
	return out, nil
}

// ulyssesToSegments is ulyssesToHeads' inverse: whole-sequence tensors of
// this rank's heads back to segment-local tensors of all heads.
func (r *rank) ulyssesToSegments(ws []int, xs ...[]float32) ([][]float32, error) {
	cp, sl := r.mesh.CP, r.segLen()
	b := r.plan.MicroBatch
	own := func(t int) int { return len(xs[t]) / (b * cp * sl * ws[t]) } // heads held, whole sequence
	g := r.cpGroup()
	send := make([][]float32, cp)
	for i := 0; i < cp; i++ {
		for t, x := range xs {
			hc, d := own(t), ws[t]
			for bi := 0; bi < b; bi++ {
				for h := 0; h < hc; h++ {
					lo := ((bi*hc+h)*cp*sl + i*sl) * d
					send[i] = append(send[i], x[lo:lo+sl*d]...)
				}
			}
		}
	}
	recv, err := r.comm.AllToAll(g, send)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(xs))
	for j := 0; j < cp; j++ {
		off := 0
		for t := range xs {
			hc, d := own(t), ws[t]
			H := hc * cp
			per := b * hc * sl * d
			if out[t] == nil {
				out[t] = make([]float32, b*H*sl*d)
			}
			part := recv[j][off : off+per]
			off += per
			for bi := 0; bi < b; bi++ {
				dst := ((bi*H + j*hc) * sl) * d
				copy(out[t][dst:dst+hc*sl*d], part[bi*hc*sl*d:(bi+1)*hc*sl*d])
			}
		}
	}
	return out, nil
}

func (r *rank) ulyssesForward(a *attnActs) error {
	cp, sl := r.mesh.CP, r.segLen()
	if r.kvHeads()%cp != 0 {
		return fmt.Errorf("cp_mode ulysses splits the %d key/value heads of a tp rank over cp = %d", r.kvHeads(), cp)
	}
	qk, dv := r.m.QKWidth(), r.m.VWidth()
	whole, err := r.ulyssesToHeads([]int{qk, qk, dv}, a.q, a.k, a.v)
	if err != nil {
		return err
	}
	a.cpQ, a.cpK, a.cpV = whole[0], whole[1], whole[2]
	sh := r.attnShape(cp*sl, cp*sl, 0, 0)
	sh.Heads /= cp
	a.cpO = make([]float32, len(a.cpV)/r.kvHeads()*r.m.Heads/r.tp)
	a.lse = make([]float32, sh.Batch*sh.Heads*sh.Tq)
	r.attnFwd(a.cpO, a.lse, a.cpQ, a.cpK, a.cpV, sh, r.kvHeads()/cp)
	back, err := r.ulyssesToSegments([]int{dv}, a.cpO)
	if err != nil {
		return err
	}
	a.o = back[0]
	return nil
}

func (r *rank) ulyssesBackward(a *attnActs, do []float32) (dq, dk, dv []float32, err error) {
	qk, w := r.m.QKWidth(), r.m.VWidth()
	whole, err := r.ulyssesToHeads([]int{w}, do)
	if err != nil {
		return nil, nil, nil, err
	}
	cp, sl := r.mesh.CP, r.segLen()
	sh := r.attnShape(cp*sl, cp*sl, 0, 0)
	sh.Heads /= cp
	dQ, dK, dV := make([]float32, len(a.cpQ)), make([]float32, len(a.cpK)), make([]float32, len(a.cpV))
	r.attnBwd(dQ, dK, dV, whole[0], a.cpQ, a.cpK, a.cpV, a.cpO, a.lse, sh, r.kvHeads()/cp)
	back, err := r.ulyssesToSegments([]int{qk, qk, w}, dQ, dK, dV)
	if err != nil {
		return nil, nil, nil, err
	}
	return back[0], back[1], back[2], nil
}
