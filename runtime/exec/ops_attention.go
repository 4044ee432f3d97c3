package exec

import (
	"fmt"

	"planc/ir"
	"planc/runtime/collective"
	"planc/runtime/kernels"
)

// Context parallelism. Each cp rank holds two chunks of every sequence,
// c and 2·cp−1−c of 2·cp (cplayout.go: the causal work is then equal on
// every rank); everything but attention is token-local. Attention of the
// rank's queries needs the keys and values of every earlier position,
// obtained by cp_mode:
//
//   - allgather and lss: one fused all-gather of K|V over cp before the
//     attention (each chunk's queries then attend to the whole sequence's
//     keys, the causal mask hiding the later ones); its adjoint, one
//     fused reduce-scatter of dK|dV, in backward (lss: the gradients of
//     the weights are then averaged once over dp×cp, which the schedule's
//     REDUCE_GRAD group already is);
//   - ring: K|V blocks travel around the cp ring (cp−1 sends per rank);
//     at each step every query chunk attends to every chunk of the block
//     not wholly in its future (Megatron-LM's causal ring: at step 0 the
//     rank's own chunks, the diagonal ones causally; later, either both
//     query chunks against the block's lower chunk or the upper query
//     chunk against both: the same work on every rank), each block's
//     partial attention merged by log-sum-exp; in backward the blocks
//     travel again with their dK|dV accumulators, which return to their
//     owner after a last send. Blocks travel chunk-major (each chunk's
//     heads contiguous), which is what a per-chunk kernel call reads;
//   - ulysses: an all-to-all turns sequence-sharded q|k|v into
//     head-sharded whole sequences (each member's chunks put at their
//     positions), attention runs whole on heads/cp heads, and an
//     all-to-all turns the output back (the reverse pair in backward).

// attnActs is one attention's activations for its backward: q, k, v
// (head-major over this rank's positions, cplayout.go), the output and
// the log-sum-exp of every query row.
type attnActs struct {
	q, k, v, o, lse []float32
	// qc, oc, lsec are q, o and lse chunk-major (cplayout.go), kept for
	// the backward of allgather, lss and ring (qc and oc the same slices
	// as q and o when the rank holds one chunk); lse stays nil under
	// those modes (the backward reads lsec). Where the rank holds
	// several chunks o stays nil too: the output is merged into token
	// rows from oc, and its gradient split into chunk-major rows, with
	// no head-major copy between (mergeOut, splitOut).
	qc, oc, lsec []float32
	// cpK, cpV are whole-sequence k and v: under allgather and lss every
	// rank's (the gathered K|V, its chunks at their positions), under
	// ulysses head-sharded (as cpQ; o and lse likewise in o, lse)
	cpQ, cpK, cpV []float32
	cpO           []float32 // cp ulysses: the head-sharded output
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
// hot kernels (Go or generated). It counts the query-key pairs it scores
// (r.scored).
func (r *rank) attnFwd(o, lse, q, k, v []float32, sh kernels.AttnShape, kv int) {
	r.scored += scoredPairs(sh)
	dv := r.m.VWidth()
	if kv == sh.Heads && dv == sh.D {
		r.kern().AttentionForward(o, lse, q, k, v, sh)
		return
	}
	kernels.GroupedAttentionForward(o, lse, q, k, v, kernels.GroupedAttnShape{AttnShape: sh, KVHeads: kv, DV: dv})
}

// scoredPairs is the query-key pairs a causal attention call of shape sh
// scores (those the mask lets through), over all its heads.
func scoredPairs(sh kernels.AttnShape) int64 {
	var n int64
	for i := 0; i < sh.Tq; i++ {
		n += int64(min(max(sh.QOffset+i-sh.KOffset+1, 0), sh.Tk))
	}
	return n * int64(sh.Batch*sh.Heads)
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

// attnDimsCP are the head-major tensors' dimensions: query problems (b ×
// query heads), key/value problems (b × key/value heads), the query/key
// width and the value width.
func (r *rank) attnDimsCP() (pq, pk, d, dv int) {
	b := r.plan.MicroBatch
	return b * r.m.Heads / r.tp, b * r.kvHeads(), r.m.QKWidth(), r.m.VWidth()
}

// bufs hands out an attention's buffers: a call's (the frame's pool, see
// call.alloc: alloc zeroed, allocOut for a kernel that writes every
// element), or fresh ones (newBufs).
type bufs interface {
	alloc(n int) []float32
	allocOut(n int) []float32
}

// newBufs allocates fresh buffers.
type newBufs struct{}

func (newBufs) alloc(n int) []float32    { return make([]float32, n) }
func (newBufs) allocOut(n int) []float32 { return make([]float32, n) }

// attentionForward fills a.o and a.lse from a.q, a.k, a.v (head-major,
// this rank's positions) for c's instruction.
func (r *rank) attentionForward(c *call, a *attnActs) error {
	r.on("cp")
	cp := r.mesh.CP
	sl := r.segLen()
	kv := r.kvHeads()
	pq, _, _, w := r.attnDimsCP()
	if cp > 1 && r.plan.CPMode == "ulysses" {
		return r.ulyssesForward(a)
	}
	if cp == 1 {
		a.o, a.lse = c.allocOut(pq*sl*w), c.allocOut(pq*sl)
		r.attnFwd(a.o, a.lse, a.q, a.k, a.v, r.attnShape(sl, sl, 0, 0), kv)
		return nil
	}
	switch r.plan.CPMode {
	case "allgather", "lss":
		n := len(a.k) + len(a.v)
		kvs := c.allocOut(cp * n)
		i := r.mesh.Index(ir.AxisCP, r.id)
		mine := kvs[i*n : (i+1)*n]
		copy(mine, a.k)
		copy(mine[len(a.k):], a.v)
		if err := r.comm.AllGatherInto(r.cpGroup(), mine, kvs); err != nil {
			return err
		}
		a.cpK, a.cpV = r.wholeKV(c, kvs)
		r.wholeKeysForward(c, a, a.cpK, a.cpV)
	case "ring":
		return r.ringForward(c, a)
	default:
		return fmt.Errorf("cp_mode %q is not executed by the runtime", r.plan.CPMode)
	}
	return nil
}

// wholeKeysForward attends each of this rank's query chunks to the whole
// sequence's k, v (head-major, positions in order): one kernel call per
// chunk, the causal mask hiding the keys after it. It fills a.oc, a.lsec
// (and a.o where the rank holds one chunk).
func (r *rank) wholeKeysForward(b bufs, a *attnActs, k, v []float32) {
	chs := r.chunks()
	pq, _, d, w := r.attnDimsCP()
	sl := r.segLen()
	q, o, lse := chunkMajor(b, a.q, chs, pq, d), b.allocOut(pq*sl*w), b.allocOut(pq*sl)
	for _, ch := range chs {
		r.attnFwd(chunkOf(o, ch, pq, w), chunkOf(lse, ch, pq, 1), chunkOf(q, ch, pq, d), k, v,
			r.attnShape(ch.N, r.m.Seq, ch.Pos, 0), r.kvHeads())
	}
	a.qc, a.oc, a.lsec = q, o, lse
	if len(chs) == 1 {
		a.o = o
	}
}

// ringForward is ring attention: the K|V block of each cp rank in turn
// (chunk-major), every query chunk against every chunk of the block it
// can see, merged by log-sum-exp.
func (r *rank) ringForward(cl *call, a *attnActs) error {
	cp, c, g, l := r.mesh.CP, r.coord.CP, r.cpGroup(), cl.in.Op.Layer
	chs := r.chunks()
	pq, pk, d, w := r.attnDimsCP()
	nk := len(a.k)
	sl := r.segLen()
	q, o, lse := chunkMajor(cl, a.q, chs, pq, d), cl.allocOut(pq*sl*w), cl.allocOut(pq*sl)
	kernels.EmptyAttention(o, lse)
	blk := make([]float32, nk+len(a.v)) // sent on: not the frame's
	toChunkMajor(blk[:nk], a.k, chs, pk, d)
	toChunkMajor(blk[nk:], a.v, chs, pk, w)
	// one block's partial output and log-sum-exp (the chunks are equal)
	oBlk, lseBlk := cl.allocOut(pq*chs[0].N*w), cl.allocOut(pq*chs[0].N)
	for step := 0; step < cp; step++ {
		kchs := r.chunksOf((c - step + cp) % cp)
		for _, qc := range chs {
			for _, kc := range kchs {
				if kc.Pos > qc.Pos+qc.N-1 {
					continue // wholly in the queries' future
				}
				r.attnFwd(oBlk, lseBlk, chunkOf(q, qc, pq, d), chunkOf(blk[:nk], kc, pk, d), chunkOf(blk[nk:], kc, pk, w),
					r.attnShape(qc.N, kc.N, qc.Pos, kc.Pos), r.kvHeads())
				osh := r.attnShape(qc.N, qc.N, 0, 0)
				osh.D = w // the outputs' width
				kernels.CombineAttention(chunkOf(o, qc, pq, w), chunkOf(lse, qc, pq, 1), oBlk, lseBlk, osh)
			}
		}
		if step < cp-1 {
			var err error
			if blk, err = r.passOnRing(g, c, ringTag(l, 0, step), blk); err != nil {
				return err
			}
		}
	}
	a.qc, a.oc, a.lsec = q, o, lse
	if len(chs) == 1 {
		a.o = o
	}
	return nil
}

// wholeKV rearranges an all-gathered [K_0|V_0, K_1|V_1, ...] (each
// head-major over its rank's positions) into whole-sequence head-major K
// and V, every rank's chunks at their positions.
func (r *rank) wholeKV(b bufs, kv []float32) ([]float32, []float32) {
	cp, sl, S := r.mesh.CP, r.segLen(), r.m.Seq
	_, pk, d, dv := r.attnDimsCP()
	seg, segV := pk*sl*d, pk*sl*dv
	k, v := b.allocOut(pk*S*d), b.allocOut(pk*S*dv)
	for c := 0; c < cp; c++ {
		part := kv[c*(seg+segV) : (c+1)*(seg+segV)]
		for _, ch := range r.chunksOf(c) {
			for p := 0; p < pk; p++ {
				copy(k[(p*S+ch.Pos)*d:(p*S+ch.Pos+ch.N)*d], part[(p*sl+ch.Local)*d:(p*sl+ch.Local+ch.N)*d])
				copy(v[(p*S+ch.Pos)*dv:(p*S+ch.Pos+ch.N)*dv], part[seg+(p*sl+ch.Local)*dv:seg+(p*sl+ch.Local+ch.N)*dv])
			}
		}
	}
	return k, v
}

// segmentKV is wholeKV's adjoint layout: whole-sequence dK, dV cut into
// [dK_0|dV_0, dK_1|dV_1, ...] (each rank's positions), the input of the
// reduce-scatter.
func (r *rank) segmentKV(b bufs, dk, dv []float32) []float32 {
	cp, sl, S := r.mesh.CP, r.segLen(), r.m.Seq
	_, pk, d, w := r.attnDimsCP()
	seg, segV := pk*sl*d, pk*sl*w
	out := b.allocOut(cp * (seg + segV))
	for c := 0; c < cp; c++ {
		part := out[c*(seg+segV) : (c+1)*(seg+segV)]
		for _, ch := range r.chunksOf(c) {
			for p := 0; p < pk; p++ {
				copy(part[(p*sl+ch.Local)*d:(p*sl+ch.Local+ch.N)*d], dk[(p*S+ch.Pos)*d:(p*S+ch.Pos+ch.N)*d])
				copy(part[seg+(p*sl+ch.Local)*w:seg+(p*sl+ch.Local+ch.N)*w], dv[(p*S+ch.Pos)*w:(p*S+ch.Pos+ch.N)*w])
			}
		}
	}
	return out
}

// attentionBackward returns dq, dk, dv of this rank's positions given do
// for c's instruction.
func (r *rank) attentionBackward(c *call, a *attnActs, do []float32) (dq, dk, dv []float32, err error) {
	r.on("cp")
	cp := r.mesh.CP
	sl := r.segLen()
	kv := r.kvHeads()
	if cp > 1 && r.plan.CPMode == "ulysses" {
		return r.ulyssesBackward(a, do)
	}
	if cp == 1 {
		dq, dk, dv = c.alloc(len(a.q)), c.alloc(len(a.k)), c.alloc(len(a.v))
		r.attnBwd(dq, dk, dv, do, a.q, a.k, a.v, a.o, a.lse, r.attnShape(sl, sl, 0, 0), kv)
		return dq, dk, dv, nil
	}
	// dk and dv are written whole below (copied back from the
	// exchange, whose result is a slice of a buffer the frame may take
	// back after this instruction: releaseDead knows a buffer by its
	// end), dq too when the rank holds several chunks (unchunk); with
	// one, the kernels add into it
	dk, dv = c.allocOut(len(a.k)), c.allocOut(len(a.v))
	if len(r.chunks()) == 1 {
		dq = c.alloc(len(a.q))
	} else {
		dq = c.allocOut(len(a.q))
	}
	switch r.plan.CPMode {
	case "allgather", "lss":
		dK, dV := c.alloc(len(a.cpK)), c.alloc(len(a.cpV))
		r.wholeKeysBackward(c, a, do, dq, a.cpK, a.cpV, dK, dV)
		mine, err := r.comm.ReduceScatter(r.cpGroup(), r.segmentKV(c, dK, dV), collective.Sum)
		if err != nil {
			return nil, nil, nil, err
		}
		copy(dk, mine[:len(dk)])
		copy(dv, mine[len(dk):])
	case "ring":
		if err := r.ringBackward(c, a, do, dq, dk, dv); err != nil {
			return nil, nil, nil, err
		}
	}
	return dq, dk, dv, nil
}

// wholeKeysBackward is wholeKeysForward's backward given do chunk-major
// (splitOut): it adds each query chunk's dq into dq and the whole
// sequence's dK, dV.
func (r *rank) wholeKeysBackward(b bufs, a *attnActs, do, dq, k, v, dK, dV []float32) {
	chs := r.chunks()
	pq, _, d, w := r.attnDimsCP()
	q, o, lse, dom, dqm := a.qc, a.oc, a.lsec, do, chunkAcc(b, dq, chs)
	for _, ch := range chs {
		r.attnBwd(chunkOf(dqm, ch, pq, d), dK, dV, chunkOf(dom, ch, pq, w), chunkOf(q, ch, pq, d), k, v,
			chunkOf(o, ch, pq, w), chunkOf(lse, ch, pq, 1), r.attnShape(ch.N, r.m.Seq, ch.Pos, 0), r.kvHeads())
	}
	unchunk(dq, dqm, chs, pq, d)
}

// ringBackward is ringForward's backward given do chunk-major
// (splitOut): each message is a block's K|V|dK|dV (chunk-major); after
// cp−1 hops a block's accumulators come back to its owner with one more
// send.
func (r *rank) ringBackward(cl *call, a *attnActs, do, dq, dk, dv []float32) error {
	cp, c, g, l := r.mesh.CP, r.coord.CP, r.cpGroup(), cl.in.Op.Layer
	chs := r.chunks()
	pq, pk, d, w := r.attnDimsCP()
	nk, nv := len(a.k), len(a.v)
	kvn := nk + nv
	q, o, lse, dom, dqm := a.qc, a.oc, a.lsec, do, chunkAcc(cl, dq, chs)
	blk := make([]float32, 2*kvn) // sent on: not the frame's
	toChunkMajor(blk[:nk], a.k, chs, pk, d)
	toChunkMajor(blk[nk:kvn], a.v, chs, pk, w)
	for step := 0; step < cp; step++ {
		kchs := r.chunksOf((c - step + cp) % cp)
		k, v, dK, dV := blk[:nk], blk[nk:kvn], blk[kvn:kvn+nk], blk[kvn+nk:]
		for _, qc := range chs {
			for _, kc := range kchs {
				if kc.Pos > qc.Pos+qc.N-1 {
					continue
				}
				r.attnBwd(chunkOf(dqm, qc, pq, d), chunkOf(dK, kc, pk, d), chunkOf(dV, kc, pk, w), chunkOf(dom, qc, pq, w),
					chunkOf(q, qc, pq, d), chunkOf(k, kc, pk, d), chunkOf(v, kc, pk, w), chunkOf(o, qc, pq, w), chunkOf(lse, qc, pq, 1),
					r.attnShape(qc.N, kc.N, qc.Pos, kc.Pos), r.kvHeads())
			}
		}
		if step < cp-1 {
			var err error
			if blk, err = r.passOnRing(g, c, ringTag(l, 1, step), blk); err != nil {
				return err
			}
		}
	}
	// blk is now the block of rank (c+1) mod cp: return its gradients to
	// their owner, and receive ours from (c−1) mod cp.
	back, err := r.passOnRing(g, c, ringTag(l, 2, 0), blk[kvn:])
	if err != nil {
		return err
	}
	fromChunkMajor(dk, back[:nk], chs, pk, d)
	fromChunkMajor(dv, back[nk:], chs, pk, w)
	unchunk(dq, dqm, chs, pq, d)
	return nil
}

// ulyssesToHeads sends, for each cp member j, heads [j·H/cp, (j+1)·H/cp)
// of each head-major tensor of xs over this rank's positions (H its heads: query heads,
// or the fewer key/value heads of grouped-query attention; ws[t] the head
// width of xs[t]: MLA's values are narrower than its queries and keys),
// and assembles what it receives into whole-sequence head-major tensors of
// this rank's heads (each member's chunks at their positions).
func (r *rank) ulyssesToHeads(ws []int, xs ...[]float32) ([][]float32, error) {
	cp, sl, S := r.mesh.CP, r.segLen(), r.m.Seq
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
	chs := make([][]ir.CPChunk, cp)
	for i := range chs {
		chs[i] = r.chunksOf(i)
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
					whole := out[t][(bi*hc+h)*S*d : (bi*hc+h+1)*S*d]
					for _, ch := range chs[i] { // member i's chunks at their positions
						copy(whole[ch.Pos*d:(ch.Pos+ch.N)*d], src[ch.Local*d:(ch.Local+ch.N)*d])
					}
				}
			}
		}
	}
	return out, nil
}

// ulyssesToSegments is ulyssesToHeads' inverse: whole-sequence tensors of
// this rank's heads back to tensors of all heads over each member's
// positions.
func (r *rank) ulyssesToSegments(ws []int, xs ...[]float32) ([][]float32, error) {
	cp, sl, S := r.mesh.CP, r.segLen(), r.m.Seq
	b := r.plan.MicroBatch
	own := func(t int) int { return len(xs[t]) / (b * cp * sl * ws[t]) } // heads held, whole sequence
	g := r.cpGroup()
	send := make([][]float32, cp)
	for i := 0; i < cp; i++ {
		for t, x := range xs {
			hc, d := own(t), ws[t]
			for bi := 0; bi < b; bi++ {
				for h := 0; h < hc; h++ {
					whole := x[(bi*hc+h)*S*d : (bi*hc+h+1)*S*d]
					for _, ch := range r.chunksOf(i) { // member i's positions, in its order
						send[i] = append(send[i], whole[ch.Pos*d:(ch.Pos+ch.N)*d]...)
					}
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

// passOnRing sends blk to the next rank of cp ring g (this rank is member
// c) and returns the block the previous one sent, under tag.
func (r *rank) passOnRing(g collective.Group, c int, tag int64, blk []float32) ([]float32, error) {
	cp := len(g)
	if err := r.comm.Send(g[(c+1)%cp], tag, blk); err != nil {
		return nil, err
	}
	return r.comm.Recv(g[(c-1+cp)%cp], tag)
}
