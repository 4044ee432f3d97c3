package exec

import (
	"planc/runtime/collective"
	"planc/runtime/kernels"
)

// Redundancy-bypassing dispatch (X-MoE's rbd). For each token and each
// node that holds some of its chosen experts, the token's rank sends ONE
// pilot copy, to the owner of the lowest of those experts (the pilot);
// the pilot replicates it inside its node to the owners of the others.
// Combine reverses it: the owners return their outputs to the pilot, which
// sums its node's weighted outputs and sends one partial sum back. So a
// token crosses the inter-node link once per destination node instead of
// once per expert there. Backward mirrors the four exchanges: the output
// gradient goes once per node to the pilot, which scales it per expert,
// computes the router-probability gradients (it holds the outputs) and
// forwards it; the experts' input gradients are summed on the pilot and
// sent back once, with the probability gradients.
//
// The four exchanges are all-to-all-v over the ep group: source → pilot
// (inter-node when the node differs), pilot → owners (intra-node), owners
// → pilot, pilot → source.
//
// What crosses the node boundary besides the token vectors is what a real
// implementation must send, compactly: a pilot copy leads with a bit mask
// of the destination node's experts that the token chose (the experts the
// ep group places on that node, in increasing order, 24 bits per float32
// word, exact as an integer: one word for up to 24 experts per node, none
// when the node holds one expert). A copy for n ≥ 2 experts carries their
// n combine weights, because the pilot sums the node's weighted outputs,
// and in backward the pilot returns the summed input gradient and the n
// router-probability gradients (it holds the outputs they need). A copy
// for one expert is combined at its source, as without rbd: the weight
// stays there, the pilot returns the unweighted output, the source sends
// the weighted output gradient and computes the probability gradient
// itself. So a pilot copy costs 4h + W + 2n elements over a step when
// n ≥ 2 and 4h + W when n = 1 (W mask words), against 4h per copy without
// rbd; a forwarded copy inside the node leads with its expert id. The cost
// model that matches this format is passes.PredictedBytes.

// rbdRec is one pilot copy as its source sees it: token t, sent to member
// pilot, for the experts (in increasing order) with their weights.
type rbdRec struct {
	t       int
	pilot   int
	experts []int
	wts     []float32
	// y is the expert's output returned unweighted when the record has
	// one expert (the source combines it and needs it for the
	// probability gradient).
	y []float32
}

// pilotRec is one pilot copy as its pilot sees it.
type pilotRec struct {
	experts []int
	wts     []float32
	x       []float32   // the token's vector
	y       [][]float32 // each expert's output for it
}

// origin says where an expert input row came from, so its output can go
// back: the pilot's own record slot, or position idx of member q's
// forwarded rows.
type origin struct {
	self           bool
	src, rec, slot int
	from, idx      int
}

type rbdState struct {
	recs    []rbdRec
	pilots  [][]pilotRec // by source member
	origins [][]origin   // by local expert, in row order
}

// nodeOfMember returns the node of member j of g.
func (r *rank) nodeOfMember(g collective.Group, j int) int { return g[j] / r.perNode }

// maskBits is the experts one mask word carries: a float32 holds every
// integer below 2^24 exactly.
const maskBits = 24

// maskWords is the words of a mask over m experts: none for one expert,
// which the pilot knows.
func maskWords(m int) int {
	if m <= 1 {
		return 0
	}
	return (m + maskBits - 1) / maskBits
}

// nodeExperts returns, in increasing order, the experts that the members of
// g on member j's node hold.
func (r *rank) nodeExperts(g collective.Group, j int) []int {
	E := r.m.MoE.Experts
	per := E / len(g)
	node := r.nodeOfMember(g, j)
	var out []int
	for e := 0; e < E; e++ {
		if r.nodeOfMember(g, e/per) == node {
			out = append(out, e)
		}
	}
	return out
}

// expertMask encodes experts (all on member j's node, increasing) as a bit
// mask over that node's experts.
func (r *rank) expertMask(g collective.Group, j int, experts []int) []float32 {
	all := r.nodeExperts(g, j)
	bits := make([]uint32, maskWords(len(all)))
	if len(bits) == 0 {
		return nil
	}
	i := 0
	for b, e := range all {
		if i < len(experts) && experts[i] == e {
			bits[b/maskBits] |= 1 << (b % maskBits)
			i++
		}
	}
	out := make([]float32, len(bits))
	for w, v := range bits {
		out[w] = float32(v)
	}
	return out
}

// maskExperts decodes a mask over the node's experts all.
func maskExperts(mask []float32, all []int) []int {
	var out []int
	for b, e := range all {
		if uint32(mask[b/maskBits])>>(b%maskBits)&1 == 1 {
			out = append(out, e)
		}
	}
	return out
}

// rbdRecords builds the source's pilot records from the kept copies.
func (r *rank) rbdRecords(g collective.Group, a *moeActs, T int) []rbdRec {
	E := len(a.rows)
	per := E / len(g)
	type ew struct {
		e int
		w float32
	}
	tok := make([][]ew, T)
	for e := 0; e < E; e++ {
		for i, t := range a.rows[e] {
			tok[t] = append(tok[t], ew{e, a.wts[e][i]})
		}
	}
	var recs []rbdRec
	for t := 0; t < T; t++ {
		for i := 0; i < len(tok[t]); {
			node := r.nodeOfMember(g, tok[t][i].e/per)
			rec := rbdRec{t: t, pilot: tok[t][i].e / per}
			for ; i < len(tok[t]) && r.nodeOfMember(g, tok[t][i].e/per) == node; i++ {
				rec.experts = append(rec.experts, tok[t][i].e)
				rec.wts = append(rec.wts, tok[t][i].w)
			}
			recs = append(recs, rec)
		}
	}
	return recs
}

// rbdForward returns the combined routed output (rows × hidden) of this
// rank's tokens x.
func (r *rank) rbdForward(c *call, p *moeParams, a *moeActs, x []float32) ([]float32, error) {
	r.on("ep")
	g, me := r.expertGroup()
	h := r.m.Hidden
	E := r.m.MoE.Experts
	per := E / len(g)
	T := len(x) / h
	rs := &rbdState{}
	a.rbd = rs
	rs.recs = r.rbdRecords(g, a, T)
	// 1. Source → pilot: [mask of the node's chosen experts, their n
	// weights, x].
	send := make([][]float32, len(g))
	for _, rec := range rs.recs {
		m := append(send[rec.pilot], r.expertMask(g, rec.pilot, rec.experts)...)
		if len(rec.experts) > 1 {
			m = append(m, rec.wts...)
		}
		send[rec.pilot] = append(m, x[rec.t*h:(rec.t+1)*h]...)
	}
	recv, err := r.comm.AllToAll(g, send)
	if err != nil {
		return nil, err
	}
	rs.pilots = make([][]pilotRec, len(g))
	mine := r.nodeExperts(g, me)
	words := maskWords(len(mine))
	for i, msg := range recv {
		for pos := 0; pos < len(msg); {
			pr := pilotRec{experts: mine}
			if words > 0 {
				pr.experts = maskExperts(msg[pos:pos+words], mine)
			}
			pos += words
			n := len(pr.experts)
			if n > 1 {
				pr.wts = msg[pos : pos+n]
				pos += n
			}
			pr.y = make([][]float32, n)
			pr.x = msg[pos : pos+h]
			pos += h
			rs.pilots[i] = append(rs.pilots[i], pr)
		}
	}
	// 2. Pilot → owners in its node: [e, x] per other expert.
	in := make([][]float32, per)
	rs.origins = make([][]origin, per)
	fwd := make([][]float32, len(g))
	for i, prs := range rs.pilots {
		for ri, pr := range prs {
			for k, e := range pr.experts {
				if q := e / per; q == me {
					in[e-me*per] = append(in[e-me*per], pr.x...)
					rs.origins[e-me*per] = append(rs.origins[e-me*per], origin{self: true, src: i, rec: ri, slot: k})
				} else {
					fwd[q] = append(append(fwd[q], float32(e)), pr.x...)
				}
			}
		}
	}
	recvF, err := r.comm.AllToAll(g, fwd)
	if err != nil {
		return nil, err
	}
	for q, msg := range recvF {
		for pos, idx := 0, 0; pos < len(msg); idx++ {
			e := int(msg[pos])
			in[e-me*per] = append(in[e-me*per], msg[pos+1:pos+1+h]...)
			rs.origins[e-me*per] = append(rs.origins[e-me*per], origin{from: q, idx: idx})
			pos += 1 + h
		}
	}
	y := r.runExperts(c, p, a, me*per, in)
	// 3. Owners → pilot: outputs of forwarded rows, in the order received.
	back, err := r.returnRows(g, rs, y, func(o origin, row []float32) { rs.pilots[o.src][o.rec].y[o.slot] = row })
	if err != nil {
		return nil, err
	}
	r.fillForwarded(g, rs, per, me, back, func(pr *pilotRec, k int, row []float32) { pr.y[k] = row })
	// 4. Pilot → source: one weighted partial sum per record (the output
	// itself for one expert).
	part := make([][]float32, len(g))
	for i, prs := range rs.pilots {
		for _, pr := range prs {
			if len(pr.experts) == 1 {
				part[i] = append(part[i], pr.y[0]...)
				continue
			}
			sum := make([]float32, h)
			for k := range pr.experts {
				kernels.Axpy(sum, pr.wts[k], pr.y[k])
			}
			part[i] = append(part[i], sum...)
		}
	}
	sums, err := r.comm.AllToAll(g, part)
	if err != nil {
		return nil, err
	}
	out := make([]float32, T*h)
	next := make([]int, len(g))
	for i := range rs.recs {
		rec := &rs.recs[i]
		p := next[rec.pilot]
		row := sums[rec.pilot][p*h : (p+1)*h]
		if len(rec.experts) == 1 {
			rec.y = row
			kernels.Axpy(out[rec.t*h:(rec.t+1)*h], rec.wts[0], row)
		} else {
			kernels.Add(out[rec.t*h:(rec.t+1)*h], row)
		}
		next[rec.pilot]++
	}
	return out, nil
}

// returnRows sends each local expert's output rows back to where they
// came from: rows of the pilot's own records are handed to self, the
// others go to the member that forwarded them, in the order received. It
// returns what the other owners sent back to this pilot.
func (r *rank) returnRows(g collective.Group, rs *rbdState, rows [][]float32, self func(origin, []float32)) ([][]float32, error) {
	h := r.m.Hidden
	type item struct {
		idx int
		row []float32
	}
	byFrom := make([][]item, len(g))
	for k, os := range rs.origins {
		for j, o := range os {
			row := rows[k][j*h : (j+1)*h]
			if o.self {
				self(o, row)
			} else {
				byFrom[o.from] = append(byFrom[o.from], item{o.idx, row})
			}
		}
	}
	send := make([][]float32, len(g))
	for q, items := range byFrom {
		ordered := make([][]float32, len(items))
		for _, it := range items {
			ordered[it.idx] = it.row
		}
		for _, row := range ordered {
			send[q] = append(send[q], row...)
		}
	}
	return r.comm.AllToAll(g, send)
}

// fillForwarded hands each row that owner q sent back to the pilot record
// slot it belongs to, walking the records in the order they were
// forwarded.
func (r *rank) fillForwarded(g collective.Group, rs *rbdState, per, me int, back [][]float32, set func(*pilotRec, int, []float32)) {
	h := r.m.Hidden
	next := make([]int, len(g))
	for i := range rs.pilots {
		for ri := range rs.pilots[i] {
			pr := &rs.pilots[i][ri]
			for k, e := range pr.experts {
				if q := e / per; q != me {
					set(pr, k, back[q][next[q]*h:(next[q]+1)*h])
					next[q]++
				}
			}
		}
	}
}

// rbdBackward adds to dx the input gradients of the routed experts and to
// dprobs their router-probability gradients, given dout.
func (r *rank) rbdBackward(c *call, p *moeParams, a *moeActs, dout, dx, dprobs []float32) error {
	r.on("ep")
	g, me := r.expertGroup()
	h := r.m.Hidden
	E := r.m.MoE.Experts
	per := E / len(g)
	rs := a.rbd
	// 1. Source → pilot: the output gradient once per record (weighted
	// for one expert).
	send := make([][]float32, len(g))
	for _, rec := range rs.recs {
		d := dout[rec.t*h : (rec.t+1)*h]
		if len(rec.experts) == 1 {
			dy := make([]float32, h)
			kernels.Axpy(dy, rec.wts[0], d)
			d = dy
		}
		send[rec.pilot] = append(send[rec.pilot], d...)
	}
	recv, err := r.comm.AllToAll(g, send)
	if err != nil {
		return err
	}
	// The pilot scales it per expert, computes dp = dout·y, and forwards.
	dps := make([][][]float32, len(g))
	dyIn := make([][]float32, per)
	fwd := make([][]float32, len(g))
	for i, prs := range rs.pilots {
		dps[i] = make([][]float32, len(prs))
		for ri, pr := range prs {
			d := recv[i][ri*h : (ri+1)*h]
			if len(pr.experts) > 1 {
				dps[i][ri] = make([]float32, len(pr.experts))
			}
			for k, e := range pr.experts {
				dy := d
				if len(pr.experts) > 1 {
					var s float32
					for c := range d {
						s += d[c] * pr.y[k][c]
					}
					dps[i][ri][k] = s
					dy = make([]float32, h)
					kernels.Axpy(dy, pr.wts[k], d)
				}
				if q := e / per; q == me {
					dyIn[e-me*per] = append(dyIn[e-me*per], dy...)
				} else {
					fwd[q] = append(fwd[q], dy...)
				}
			}
		}
	}
	recvF, err := r.comm.AllToAll(g, fwd)
	if err != nil {
		return err
	}
	// Rebuild each local expert's rows in its forward order: self rows in
	// the pilot's walk, forwarded rows at their place in the forwarder's
	// message (which the forwarder fills in the same walk as in forward).
	full := make([][]float32, per)
	for k, os := range rs.origins {
		selfRows := 0
		for _, o := range os {
			if o.self {
				full[k] = append(full[k], dyIn[k][selfRows*h:(selfRows+1)*h]...)
				selfRows++
			} else {
				full[k] = append(full[k], recvF[o.from][o.idx*h:(o.idx+1)*h]...)
			}
		}
	}
	dxe := r.backExperts(c, p, a, me*per, full)
	dxs := make([][][][]float32, len(g)) // [src][rec][slot]
	for i, prs := range rs.pilots {
		dxs[i] = make([][][]float32, len(prs))
		for ri, pr := range prs {
			dxs[i][ri] = make([][]float32, len(pr.experts))
		}
	}
	back, err := r.returnRows(g, rs, dxe, func(o origin, row []float32) { dxs[o.src][o.rec][o.slot] = row })
	if err != nil {
		return err
	}
	next := make([]int, len(g))
	for i := range rs.pilots {
		for ri := range rs.pilots[i] {
			for k, e := range rs.pilots[i][ri].experts {
				if q := e / per; q != me {
					dxs[i][ri][k] = back[q][next[q]*h : (next[q]+1)*h]
					next[q]++
				}
			}
		}
	}
	// 4. Pilot → source: the summed input gradient and each expert's dp.
	part := make([][]float32, len(g))
	for i, prs := range rs.pilots {
		for ri := range prs {
			sum := make([]float32, h)
			for _, row := range dxs[i][ri] {
				kernels.Add(sum, row)
			}
			part[i] = append(append(part[i], sum...), dps[i][ri]...)
		}
	}
	sums, err := r.comm.AllToAll(g, part)
	if err != nil {
		return err
	}
	off := make([]int, len(g))
	for _, rec := range rs.recs {
		m := sums[rec.pilot][off[rec.pilot]:]
		kernels.Add(dx[rec.t*h:(rec.t+1)*h], m[:h])
		if len(rec.experts) == 1 {
			d := dout[rec.t*h : (rec.t+1)*h]
			var s float32
			for c := range d {
				s += d[c] * rec.y[c]
			}
			dprobs[rec.t*E+rec.experts[0]] += s
			off[rec.pilot] += h
			continue
		}
		for k, e := range rec.experts {
			dprobs[rec.t*E+e] += m[h+k]
		}
		off[rec.pilot] += h + len(rec.experts)
	}
	return nil
}
