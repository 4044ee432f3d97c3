package passes

import (
	"sort"

	"planc/ir"
)

// This file counts redundancy-bypassing dispatch in the wire format of the
// CPU runtime (runtime/exec/rbd.go), whose pilot copies carry what a real
// implementation must send and no more: a bit mask of the destination
// node's experts that the token chose (24 experts per float32 word, W =
// ceil(m_ν/24) words for a node of m_ν > 1 experts, none for one) and, for
// n ≥ 2 experts, the n combine weights forward and the n
// router-probability gradients back; a copy for one expert is combined at
// its source as without rbd. A pilot copy costs 4h + W + 2n elements over
// a step (4h + W for n = 1), where [PredictedBytes] counts an older format
// of 4h + 1 + 3n (a count, then an id and a weight per expert). The rest
// of the report is [PredictedBytes]'s.

// PredictedRuntimeBytes returns [PredictedBytesRouted] (routes non-nil) or
// [PredictedBytes] (routes nil), with two corrections:
//   - the MoE exchanges of rbd plans are counted in the runtime's compact
//     pilot format;
//   - a transformer block with a phantom FFN all-gathers the FFN's output
//     columns forward (the graph's decompress all-gather) AND the gradient
//     of its input slices backward: each part's reduce-scattered ghost
//     gradients give it the gradient of its own slice of the replicated
//     LayerNorm output only, and the replicated residual stream needs it
//     whole (the adjoint of slicing a replicated tensor is an all-gather).
//     The graph has no collective for the backward one; it is added here,
//     the same size as the forward one.
func PredictedRuntimeBytes(u *ir.Unit, routes []Routing) TrafficReport {
	rep := predictedBytes(u, routes)
	p := u.Plan
	addPhantomInputGradGather(u, &rep)
	if !p.MoE.RBD || p.MoE.Dispatch == "capacity" || p.EP < 2 || p.Model.MoE == nil {
		return rep
	}
	tc := newTrafficCounter(u)
	var t Traffic
	if routes != nil {
		t = tc.routedCompactRBD(routes)
	} else {
		m := float64(p.MicroBatches())
		moeLayers := map[int]int{}
		for _, sg := range u.Graph.Stages {
			for l := sg.FirstLayer; l < sg.LastLayer; l++ {
				if p.Model.Kind == ir.Transformer && p.Model.IsMoELayer(l) {
					moeLayers[sg.PPRank]++
				}
			}
		}
		for pp, n := range moeLayers {
			for _, g := range tc.groupsOf(ir.AxisEP, pp) {
				x := tc.expectedCompactRBD(g)
				t.IntraNode += x.IntraNode * float64(n) * m
				t.InterNode += x.InterNode * float64(n) * m
			}
		}
	}
	d := Traffic{t.IntraNode - rep.MoE.IntraNode, t.InterNode - rep.MoE.InterNode}
	rep.MoE = t
	rep.put(ir.AllToAllV, ir.AxisEP, d)
	x := rep.ByOp[ir.OpDispatch]
	x.add(d)
	rep.ByOp[ir.OpDispatch] = x
	return rep
}

// maskWords is the float32 words of a mask over m experts (24 bits each,
// exact as integers; none for one expert).
func maskWords(m int) int {
	if m <= 1 {
		return 0
	}
	return (m + 23) / 24
}

// pilotHeader is the elements a pilot copy for n experts carries besides
// its 4h vectors: the mask, and n weights and n probability gradients
// when n ≥ 2.
func pilotHeader(words, n int) int {
	if n < 2 {
		return words
	}
	return words + 2*n
}

// nodeExpertCount returns, for each member of ep group g, the experts held
// by the members of g on its node.
func (tc *trafficCounter) nodeExpertCount(g []int, per int) []int {
	byNode := map[int]int{}
	for _, r := range g {
		byNode[r/tc.perNode] += per
	}
	out := make([]int, len(g))
	for j, r := range g {
		out[j] = byNode[r/tc.perNode]
	}
	return out
}

// routedCompactRBD counts the rbd exchanges of the given routings exactly,
// replaying runtime/exec's rbd: a token's experts in increasing order,
// grouped by the node of their owners, one pilot copy per group to the
// owner of its lowest expert, forwarded (id and vector, 4h+1 elements over
// forward and backward) to the group's other owners.
func (tc *trafficCounter) routedCompactRBD(routes []Routing) Traffic {
	_, _, h, per, _ := tc.moeShape()
	e := tc.elem
	var t Traffic
	for _, r := range routes {
		g := tc.u.Mesh.Group(ir.AxisEP, r.Rank)
		me := -1
		for i, x := range g {
			if x == r.Rank {
				me = i
			}
		}
		if me < 0 || len(g) < 2 {
			continue
		}
		words := tc.nodeExpertCount(g, per)
		node := func(j int) int { return g[j] / tc.perNode }
		for _, ex := range r.Experts {
			sorted := append([]int(nil), ex...)
			sort.Ints(sorted)
			for i := 0; i < len(sorted); {
				pilot := sorted[i] / per
				n := 0
				for ; i < len(sorted) && node(sorted[i]/per) == node(pilot); i++ {
					n++
					if q := sorted[i] / per; q != pilot {
						tc.link(g[pilot], g[q], float64(4*h+1)*e, &t)
					}
				}
				tc.link(g[me], g[pilot], float64(4*h+pilotHeader(maskWords(words[pilot]), n))*e, &t)
			}
		}
	}
	return t
}

// expectedCompactRBD is the expectation of routedCompactRBD for one MoE
// layer and micro-batch over ep group g under uniform top-k routing (see
// expectedMoE for the probabilities): per source and pilot p,
// T·(P[pilot = p]·(4h + W_ν) + 2·E[n·1{pilot = p}] − 2·P[pilot = p, n =
// 1]) elements, where P[pilot = p, n = 1] = per·C(E−m_ν, k−1)/C(E, k)
// (one of p's experts, the other k−1 off the node).
func (tc *trafficCounter) expectedCompactRBD(g []int) Traffic {
	E, k, h, per, T := tc.moeShape()
	e := tc.elem
	var t Traffic
	P := len(g)
	nodeStart := make([]int, P)
	for j := 0; j < P; j++ {
		if j > 0 && g[j]/tc.perNode == g[j-1]/tc.perNode {
			nodeStart[j] = nodeStart[j-1]
		} else {
			nodeStart[j] = j
		}
	}
	nodeEnd := make([]int, P)
	for j := P - 1; j >= 0; j-- {
		if j < P-1 && nodeStart[j+1] == nodeStart[j] {
			nodeEnd[j] = nodeEnd[j+1]
		} else {
			nodeEnd[j] = j + 1
		}
	}
	for p := 0; p < P; p++ {
		a := (p - nodeStart[p]) * per
		m := (nodeEnd[p] - nodeStart[p]) * per
		pilot := combRatio(E, a, k) - combRatio(E, a+per, k)
		own := float64(k) / float64(E) * combRatio(E-1, a, k-1)
		later := float64(k) / float64(E) * (combRatio(E-1, a, k-1) - combRatio(E-1, a+per, k-1))
		nAtPilot := float64(per)*own + float64(m-a-per)*later
		single := float64(per) * float64(k) / float64(E) * combRatio(E-1, m-1, k-1)
		perSource := float64(T) * (pilot*float64(4*h+maskWords(m)) + 2*nAtPilot - 2*single) * e
		for s := 0; s < P; s++ {
			tc.link(g[s], g[p], perSource, &t)
		}
		fwd := float64(T) * float64(per) * later * float64(4*h+1) * e * float64(P)
		for q := p + 1; q < nodeEnd[p]; q++ {
			tc.link(g[p], g[q], fwd, &t)
		}
	}
	return t
}

// addPhantomInputGradGather adds, for each forward all-gather after a
// phantom mix op of a transformer that has no backward all-gather of the
// same layer, that backward all-gather (see [PredictedRuntimeBytes]).
func addPhantomInputGradGather(u *ir.Unit, rep *TrafficReport) {
	p := u.Plan
	if p.Model.Kind != ir.Transformer || !p.Model.FFNKind.IsPhantom() {
		return
	}
	tc := newTrafficCounter(u)
	m := float64(p.MicroBatches())
	for _, sg := range u.Graph.Stages {
		kindOf := map[string]ir.OpKind{}
		for _, o := range sg.Ops {
			kindOf[o.Name] = o.Kind
		}
		hasBwd := map[int]bool{}
		for _, c := range sg.Collectives {
			if c.Phase == ir.Backward && c.Kind == ir.AllGather && c.Axis == ir.AxisTP {
				hasBwd[c.Layer] = true
			}
		}
		for _, c := range sg.Collectives {
			if c.Phase != ir.Forward || c.Kind != ir.AllGather || kindOf[c.After] != ir.OpPhantomMix || hasBwd[c.Layer] {
				continue
			}
			var t Traffic
			for _, g := range tc.groupsOf(c.Axis, sg.PPRank) {
				tc.ring(c.Kind, int64(c.Bytes/tc.elem), g, &t)
			}
			calls := float64(c.Calls()) * m
			t = Traffic{t.IntraNode * calls, t.InterNode * calls}
			rep.put(c.Kind, c.Axis, t)
			x := rep.ByOp[ir.OpPhantomMix]
			x.add(t)
			rep.ByOp[ir.OpPhantomMix] = x
		}
	}
}
