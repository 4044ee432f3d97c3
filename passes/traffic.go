package passes

import (
	"sort"

	"planc/ir"
	"planc/network"
)

// This file predicts the bytes a compiled plan moves per step, counted the
// way package runtime/collective counts them, so that a run can be checked
// against the cost model: every rank counts the payload it sends to each
// peer, intra-node when both ranks are on one node (rank/perNode equal),
// inter-node otherwise; rings follow the group order (member i sends to
// member i+1), chunks are split as evenly as possible with the first n mod
// p one element larger, an all-to-all sends each peer its chunk straight,
// nothing is counted for a rank's own chunk.
//
// Elements are counted in the plan's precision (4 bytes for fp32, which is
// what the CPU runtime trains in: compare it with fp32 plans, or scale by
// 4/2 for a 16-bit plan).
//
// What is counted, per step:
//   - every per-micro-batch collective of the graph (tp, cp, ulysses, lss,
//     phantom ghosts, the vocab-parallel loss), on every rank holding the
//     stage, once per micro-batch; ZeRO-3's parameter gathers and
//     gradient reduce-scatters come from the schedule's ALLGATHER_PARAMS
//     and REDUCE_GRAD actions when the unit has one (the graph's per-layer
//     collectives are the same bytes, and counting both counted them
//     twice), from the graph otherwise;
//   - the MoE dispatch and combine exchanges of padding-free dispatch, with
//     and without rbd, from the routing (see [Routing]) or, without one,
//     its expectation under uniform top-k routing; capacity dispatch moves
//     the graph's padded [E, C, h] buffers;
//   - bias balancing's all-reduce over dp of each stage's routed-copy
//     counts, once per step;
//   - the schedule's step actions (gradient buckets, ZeRO gathers, the
//     tied-embedding all-reduce, the gradient-norm all-reduce of one fp64
//     value carried as two fp32) and pipeline sends, when the unit has a
//     schedule, and the graph's all-reduce over tp of the gradients of
//     parameters that tp ranks hold whole but apply to different tokens (sp
//     LayerNorms and biases, ssmb's router and shared experts); without a
//     schedule, all the graph's step collectives.

// Traffic is bytes sent per step, summed over all ranks, by link level.
type Traffic struct {
	IntraNode, InterNode float64
}

// Total returns all bytes.
func (t Traffic) Total() float64 { return t.IntraNode + t.InterNode }

func (t *Traffic) add(u Traffic) { t.IntraNode += u.IntraNode; t.InterNode += u.InterNode }

// TrafficReport is the predicted bytes of one step.
type TrafficReport struct {
	Total  Traffic
	ByKind map[ir.CollKind]Traffic
	ByAxis map[ir.Axis]Traffic
	// ByOp splits the per-micro-batch collectives by the kind of op they
	// belong to (the embedding's vocab-parallel reduction, the head's and
	// the loss's, a layer's out_proj or fc2 all-reduce, the MoE exchanges
	// under dispatch, phantom ghosts under phantom_compress...), so that a
	// runtime that runs some ops differently (replicated embedding and
	// head) can compare the rest.
	ByOp map[ir.OpKind]Traffic
	// MoE is the MoE dispatch and combine exchanges (included in Total,
	// under all-to-allv and the ep axis).
	MoE Traffic
	// Step is the once-per-step collectives and Pipeline the pipeline
	// sends (both included in Total).
	Step, Pipeline Traffic
}

func (r *TrafficReport) put(kind ir.CollKind, axis ir.Axis, t Traffic) {
	r.Total.add(t)
	a, b := r.ByKind[kind], r.ByAxis[axis]
	a.add(t)
	b.add(t)
	r.ByKind[kind], r.ByAxis[axis] = a, b
}

// Routing is what one rank routed in one MoE exchange (one MoE layer, one
// micro-batch): for each of its tokens, the experts (global indices
// 0..E-1) its copies were kept for, after any capacity drop. A run records
// one Routing per rank, MoE layer and micro-batch.
type Routing struct {
	Rank    int
	Experts [][]int
}

// PredictedBytes returns the bytes a step of the compiled unit moves,
// with the MoE exchanges at their expectation under uniform top-k routing
// (each token's k experts a uniformly random k-subset of the E experts).
func PredictedBytes(u *ir.Unit) TrafficReport { return predictedBytes(u, nil) }

// PredictedBytesRouted is [PredictedBytes] with the MoE exchanges counted
// exactly from the routing a run observed (one entry per rank, MoE layer
// and micro-batch of the step).
func PredictedBytesRouted(u *ir.Unit, routes []Routing) TrafficReport {
	if routes == nil {
		routes = []Routing{}
	}
	return predictedBytes(u, routes)
}

type trafficCounter struct {
	u       *ir.Unit
	perNode int
	elem    float64
	groups  map[ir.Axis][][]int
}

func newTrafficCounter(u *ir.Unit) *trafficCounter {
	c := u.Plan.Cluster
	per := c.PerNode
	if per <= 0 {
		per = max(c.Node.Devices, 1)
	}
	return &trafficCounter{u: u, perNode: per, elem: float64(elemBytes(u.Plan.Precision)), groups: map[ir.Axis][][]int{}}
}

func (tc *trafficCounter) link(from, to int, bytes float64, t *Traffic) {
	if from == to || bytes == 0 {
		return
	}
	if from/tc.perNode == to/tc.perNode {
		t.IntraNode += bytes
	} else {
		t.InterNode += bytes
	}
}

// groupsOf returns every group along axis whose ranks have pipeline
// coordinate pp.
func (tc *trafficCounter) groupsOf(axis ir.Axis, pp int) [][]int {
	all, ok := tc.groups[axis]
	if !ok {
		all = tc.u.Mesh.Groups(axis)
		tc.groups[axis] = all
	}
	var out [][]int
	for _, g := range all {
		if tc.u.Mesh.Coord(g[0]).PP == pp {
			out = append(out, g)
		}
	}
	return out
}

// ring adds the bytes of one collective of n elements over group g, as
// planc's transports run it (see package network: rings in group order,
// pairwise all-to-all, a chain broadcast).
func (tc *trafficCounter) ring(kind ir.CollKind, n int64, g []int, t *Traffic) {
	p := len(g)
	if p < 2 || n <= 0 {
		return
	}
	for i := 0; i < p; i++ {
		tc.memberSendTo(kind, n, g, i, t)
	}
}

// memberSendTo adds what member i of g sends in one collective of kind over
// n elements.
func (tc *trafficCounter) memberSendTo(kind ir.CollKind, n int64, g []int, i int, t *Traffic) {
	p := len(g)
	if kind == ir.AllToAll || kind == ir.AllToAllV {
		for j := 0; j < p; j++ {
			tc.link(g[i], g[j], float64(network.Chunk(n, p, j))*tc.elem, t)
		}
		return
	}
	tc.link(g[i], g[(i+1)%p], float64(network.RingSend(kind, n, p, i, nil))*tc.elem, t)
}

func predictedBytes(u *ir.Unit, routes []Routing) TrafficReport {
	tc := newTrafficCounter(u)
	p := u.Plan
	rep := TrafficReport{ByKind: map[ir.CollKind]Traffic{}, ByAxis: map[ir.Axis]Traffic{}, ByOp: map[ir.OpKind]Traffic{}}
	kindOf := map[string]ir.OpKind{}
	for _, sg := range u.Graph.Stages {
		for _, o := range sg.Ops {
			kindOf[o.Name] = o.Kind
		}
	}
	byOp := func(k ir.OpKind, t Traffic) {
		x := rep.ByOp[k]
		x.add(t)
		rep.ByOp[k] = x
	}
	m := float64(p.MicroBatches())
	routedMoE := p.MoE.Dispatch != ir.DispatchCapacity
	moeLayers := map[int]int{} // by pp rank
	for _, sg := range u.Graph.Stages {
		for _, c := range sg.Collectives {
			if c.Phase == ir.StepPhase || c.Axis == ir.AxisPP {
				continue
			}
			if u.Schedule != nil && isZero3Coll(c) {
				continue // the schedule's ALLGATHER_PARAMS and REDUCE_GRAD, counted below
			}
			if routedMoE && c.Axis == ir.AxisEP && c.Kind == ir.AllToAllV {
				continue // the routing model below
			}
			n := int64(c.Bytes / tc.elem)
			var t Traffic
			for _, g := range tc.groupsOf(c.Axis, sg.PPRank) {
				tc.ring(c.Kind, n, g, &t)
			}
			calls := float64(c.Calls()) * m
			t = Traffic{t.IntraNode * calls, t.InterNode * calls}
			rep.put(c.Kind, c.Axis, t)
			byOp(kindOf[c.After], t)
		}
		for l := sg.FirstLayer; l < sg.LastLayer; l++ {
			if p.Model.Kind == ir.Transformer && p.Model.IsMoELayer(l) {
				moeLayers[sg.PPRank]++
			}
		}
	}
	if routedMoE && p.EP > 1 {
		var t Traffic
		if routes != nil {
			t = tc.routedMoE(routes)
		} else {
			for pp, n := range moeLayers {
				for _, g := range tc.groupsOf(ir.AxisEP, pp) {
					x := tc.expectedMoE(g)
					t.IntraNode += x.IntraNode * float64(n) * m
					t.InterNode += x.InterNode * float64(n) * m
				}
			}
		}
		rep.MoE = t
		rep.put(ir.AllToAllV, ir.AxisEP, t)
		byOp(ir.OpDispatch, t)
	}
	if s := u.Schedule; s != nil {
		tc.scheduleBytes(s, &rep)
	}
	tc.balanceBytes(u, &rep)
	for _, sg := range u.Graph.Stages {
		for _, c := range sg.Collectives {
			// with a schedule, every step collective is one of its
			// actions (ALLREDUCE_SEQ is the tp all-reduce of the
			// tp-replicated parameters' gradients, ALLREDUCE_KV the kv
			// group's of the replicated key/value columns), counted above
			if c.Phase != ir.StepPhase || u.Schedule != nil {
				continue
			}
			var t Traffic
			if c.Axis == ir.AxisEmbed {
				continue // pipeline-level: counted only from a schedule
			}
			for _, g := range tc.groupsOf(c.Axis, sg.PPRank) {
				tc.ring(c.Kind, int64(c.Bytes/tc.elem), g, &t)
			}
			t.IntraNode *= float64(c.Calls())
			t.InterNode *= float64(c.Calls())
			rep.Step.add(t)
			rep.put(c.Kind, c.Axis, t)
		}
	}
	return rep
}

// scheduleBytes adds the schedule's step collectives and pipeline sends:
// each rank counts what it sends for its own actions.
//
// A folded schedule's stored ranks count for every replica block: a block
// is its stored ranks moved by whole nodes, so its links are of the same
// levels.
func (tc *trafficCounter) scheduleBytes(s *ir.Schedule, rep *TrafficReport) {
	elemOf := func(a ir.Action) int64 { return a.Bytes / int64(tc.elem) }
	blocks := float64(s.Blocks())
	if blocks > 1 && !tc.blocksAligned(s) && int64(s.NumActions())*ir.ActionBytes <= maxExpandBytes {
		s, blocks = s.Expand(), 1
	}
	for _, rp := range s.Ranks {
		for _, a := range rp.Actions {
			switch {
			case a.Kind == ir.ActSendF || a.Kind == ir.ActSendB:
				var t Traffic
				tc.link(rp.Rank, int(a.Peer), blocks*float64(a.Bytes), &t)
				rep.Pipeline.add(t)
				rep.put(ir.SendRecv, ir.AxisPP, t)
			case a.Kind.IsCollective():
				g32 := s.GroupOf(a)
				g := make([]int, len(g32))
				me := -1
				for i, x := range g32 {
					g[i] = int(x)
					if int(x) == rp.Rank {
						me = i
					}
				}
				if me < 0 || len(g) < 2 {
					continue
				}
				n := elemOf(a)
				kind := a.Coll
				if kind != ir.ReduceScatter && kind != ir.AllGather {
					kind = ir.AllReduce // the reductions of the step
				}
				axis := ir.AxisDP
				switch a.Kind {
				case ir.ActGradNorm:
					n = 8 / int64(tc.elem) // one fp64 value
					if n < 1 {
						n = 1
					}
					axis = "norm"
				case ir.ActAllReduceTied:
					axis = ir.AxisEmbed
				case ir.ActAllReduceSeq:
					axis = ir.AxisTP
				case ir.ActAllReduceKV:
					axis = ir.AxisKV
				}
				t := tc.memberSend(kind, n, g, me)
				t.IntraNode *= blocks
				t.InterNode *= blocks
				rep.Step.add(t)
				rep.put(kind, axis, t)
			}
		}
	}
}

// blocksAligned reports whether a folded schedule's replica blocks fill
// whole nodes (or all ranks share one), so that every block's links are of
// the stored block's levels.
func (tc *trafficCounter) blocksAligned(s *ir.Schedule) bool {
	return tc.perNode >= s.Mesh.Size() || s.FoldDP*s.Mesh.CP*s.Mesh.TP%tc.perNode == 0
}

// maxExpandBytes bounds the schedule scheduleBytes writes out to count a
// folded schedule whose blocks do not fill whole nodes; beyond it the
// stored block's levels stand for every block (an estimate: a block that
// straddles nodes has some of its intra-node links crossing them).
const maxExpandBytes = 1 << 30

// memberSend is what member i of g sends in one ring collective.
func (tc *trafficCounter) memberSend(kind ir.CollKind, n int64, g []int, i int) Traffic {
	var t Traffic
	tc.memberSendTo(kind, n, g, i, &t)
	return t
}

// moeShape is what the MoE exchanges of a plan depend on.
func (tc *trafficCounter) moeShape() (E, k, h, per, T int) {
	p := tc.u.Plan
	d := newDims(p)
	return d.E, d.k, d.h, d.E / max(p.EP, 1), d.moeT
}

// expectedMoE returns the expected bytes of one MoE layer's exchanges for
// one micro-batch over ep group g (forward and backward, every source),
// under uniform top-k routing.
//
// Without rbd, source s sends each other member j its copies for j's
// experts (k·per/E per token in expectation) in the dispatch, receives the
// outputs back, and the same twice in backward: 4·h elements per copy,
// plus a header of per row counts on each dispatch message (forward and
// backward).
//
// With rbd, in the wire format of runtime/exec (ops_rbd.go), a token sends one
// pilot copy per node that holds some of its experts, to the owner of the
// lowest of them (the pilot). The copy leads with a bit mask of the node's
// experts that the token chose (24 experts per float32 word: W =
// ceil(m_ν/24) words for a node of m_ν > 1 experts, none for one); for n ≥
// 2 experts it carries their n combine weights forward (the pilot sums the
// node's weighted outputs) and the pilot returns the n router-probability
// gradients backward; a copy for one expert is combined at its source, as
// without rbd. Over a step a pilot copy costs 4h + W + 2n elements (4h + W
// when n = 1). The pilot forwards the vector (expert id and vector, 4h+1
// elements over the step) to the node's other owners. Under uniform
// routing, with node ν holding m_ν of the E experts, a_p of them on members
// of ν before p, the pilot of node ν is p with probability [C(E−a_p, k) −
// C(E−a_p−per, k)]/C(E, k) and carries n experts with E[n·1{pilot = p}] =
// per·C(E−1−a_p, k−1)/C(E, k) + (m_ν − a_p − per)·[C(E−1−a_p, k−1) −
// C(E−1−a_p−per, k−1)]/C(E, k), and P[pilot = p, n = 1] = per·C(E−m_ν,
// k−1)/C(E, k) (one of p's experts, the other k−1 off the node); p
// forwards to each later owner q of ν per·[C(E−1−a_p, k−1) −
// C(E−1−a_p−per, k−1)]/C(E, k) copies per token.
func (tc *trafficCounter) expectedMoE(g []int) Traffic {
	return tc.expectedMoEMode(g, tc.u.Plan.MoE.RBD)
}

func (tc *trafficCounter) expectedMoEMode(g []int, rbd bool) Traffic {
	var t Traffic
	for s := range g {
		tc.expectedMoEFrom(g, s, rbd, &t)
	}
	return t
}

// expectedMoEFrom adds to t the expected bytes of member s's tokens in one
// MoE layer's exchanges for one micro-batch (see [trafficCounter.expectedMoE]):
// what s sends and what comes back to it, counted as one link, and with
// rbd the pilots' forwarding of s's copies inside their nodes.
func (tc *trafficCounter) expectedMoEFrom(g []int, s int, rbd bool, t *Traffic) {
	E, k, h, per, T := tc.moeShape()
	e := tc.elem
	P := len(g)
	if !rbd {
		copies := float64(T) * float64(k*per) / float64(E)
		for j := 0; j < P; j++ {
			tc.link(g[s], g[j], (copies*4*float64(h)+2*float64(per))*e, t)
		}
		return
	}
	// members of each node, in group order
	nodeStart := make([]int, P) // first member of p's node
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
		// C(E−1−a, k−1)/C(E, k) = k/E · C(E−1−a, k−1)/C(E−1, k−1)
		own := float64(k) / float64(E) * combRatio(E-1, a, k-1)
		later := float64(k) / float64(E) * (combRatio(E-1, a, k-1) - combRatio(E-1, a+per, k-1))
		nAtPilot := float64(per)*own + float64(m-a-per)*later
		single := float64(per) * float64(k) / float64(E) * combRatio(E-1, m-1, k-1)
		tc.link(g[s], g[p], float64(T)*(pilot*float64(4*h+maskWords(m))+2*nAtPilot-2*single)*e, t)
		fwd := float64(T) * float64(per) * later * float64(4*h+1) * e
		for q := p + 1; q < nodeEnd[p]; q++ {
			tc.link(g[p], g[q], fwd, t)
		}
	}
}

// maskWords is the float32 words of a pilot copy's mask over a node's m
// experts (24 bits each, exact as integers; none for one expert, which the
// pilot knows).
func maskWords(m int) int {
	if m <= 1 {
		return 0
	}
	return (m + 23) / 24
}

// pilotHeader is the elements a pilot copy for n experts carries over a
// step besides its 4h vector elements: the mask, and n weights and n
// probability gradients when n ≥ 2.
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

// combRatio returns C(n−m, j)/C(n, j): the probability that a uniformly
// random j-subset of n items avoids m given ones.
func combRatio(n, m, j int) float64 {
	if j <= 0 {
		return 1
	}
	if n-m < j {
		return 0
	}
	r := 1.0
	for i := 0; i < j; i++ {
		r *= float64(n-m-i) / float64(n-i)
	}
	return r
}

// routedMoE counts the exchanges of the given routings exactly, replaying
// the dispatch of runtime/exec (see expectedMoE for the message format):
// with rbd, a token's experts in increasing order, grouped by the node of
// their owners, one pilot copy per group to the owner of its lowest
// expert, forwarded to the group's other owners.
func (tc *trafficCounter) routedMoE(routes []Routing) Traffic {
	_, _, h, per, _ := tc.moeShape()
	e := tc.elem
	rbd := tc.u.Plan.MoE.RBD
	var t Traffic
	for _, r := range routes {
		g := tc.u.Mesh.Group(ir.AxisEP, r.Rank)
		P := len(g)
		me := -1
		for i, x := range g {
			if x == r.Rank {
				me = i
			}
		}
		if me < 0 || P < 2 {
			continue
		}
		if !rbd {
			rows := make([]float64, P)
			for _, ex := range r.Experts {
				for _, x := range ex {
					rows[x/per]++
				}
			}
			for j := 0; j < P; j++ {
				tc.link(g[me], g[j], (rows[j]*4*float64(h)+2*float64(per))*e, &t)
			}
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

// RBDSaving is the expected effect of redundancy-bypassing dispatch on one
// source rank's inter-node MoE traffic under uniform top-k routing.
type RBDSaving struct {
	Nodes int // nodes the ep group spans
	// CopiesInter is the expected token copies per token that leave the
	// source's node without rbd (k·(E−m_own)/E), PilotsInter the expected
	// pilot copies with rbd (Σ over other nodes of 1 − C(E−m_ν, k)/C(E, k)).
	CopiesInter, PilotsInter float64
	// Saving is 1 − PilotsInter/CopiesInter: the fraction of inter-node
	// payload rbd removes (headers aside).
	Saving float64
	// BytesSaving is the fraction of the source's inter-node bytes (one
	// MoE layer, forward and backward) that rbd removes, in the runtime's
	// wire format: headers included (the row counts of each message
	// without rbd; the pilot copies' masks, weights and probability
	// gradients with rbd).
	BytesSaving float64
}

// ExpectedRBDSaving returns the closed form of rbd's inter-node saving for
// the unit's first ep group and its first member.
func ExpectedRBDSaving(u *ir.Unit) RBDSaving {
	tc := newTrafficCounter(u)
	p := u.Plan
	if p.Model.MoE == nil || p.EP < 2 {
		return RBDSaving{Nodes: 1}
	}
	E, k, _, _, _ := tc.moeShape()
	s := rbdClosedForm(u.Mesh, tc.perNode, E, k)
	if with, without := tc.rbdInterBytes(); without > 0 {
		s.BytesSaving = 1 - with/without
	}
	return s
}

// rbdInterBytes returns the expected inter-node bytes of the first member
// of the first ep group's tokens in one MoE layer and micro-batch, with and
// without rbd (padding-free dispatch, uniform routing).
func (tc *trafficCounter) rbdInterBytes() (with, without float64) {
	g := tc.u.Mesh.Group(ir.AxisEP, 0)
	if len(g) < 2 {
		return 0, 0
	}
	var on, off Traffic
	tc.expectedMoEFrom(g, 0, true, &on)
	tc.expectedMoEFrom(g, 0, false, &off)
	return on.InterNode, off.InterNode
}

// rbdClosedForm is [ExpectedRBDSaving] for the first member of the first ep
// group of mesh, E experts spread evenly over the group, k per token.
func rbdClosedForm(mesh ir.Mesh, perNode, E, k int) RBDSaving {
	g := mesh.Group(ir.AxisEP, 0)
	per := E / max(len(g), 1)
	count := map[int]int{}
	var order []int
	for _, r := range g {
		n := r / perNode
		if count[n] == 0 {
			order = append(order, n)
		}
		count[n] += per
	}
	own := g[0] / perNode
	s := RBDSaving{Nodes: len(order)}
	for _, n := range order {
		if n == own {
			continue
		}
		s.CopiesInter += float64(k*count[n]) / float64(E)
		s.PilotsInter += 1 - combRatio(E, count[n], k)
	}
	if s.CopiesInter > 0 {
		s.Saving = 1 - s.PilotsInter/s.CopiesInter
	}
	return s
}

// balanceBytes adds bias balancing's once-per-step exchange (moe.bias_balance,
// DeepSeek-V3): on every rank, per stage, one all-reduce over dp of the
// routed-copy counts of the stage's MoE layers (E floats each), as the
// runtime sums them before moving the biases.
func (tc *trafficCounter) balanceBytes(u *ir.Unit, rep *TrafficReport) {
	m := u.Plan.Model
	if m.Kind != ir.Transformer || m.MoE == nil || !m.MoE.BiasBalance {
		return
	}
	for _, sg := range u.Graph.Stages {
		n := 0
		for l := sg.FirstLayer; l < sg.LastLayer; l++ {
			if m.IsMoELayer(l) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		var t Traffic
		for _, g := range tc.groupsOf(ir.AxisDP, sg.PPRank) {
			tc.ring(ir.AllReduce, int64(n*m.MoE.Experts), g, &t)
		}
		rep.Step.add(t)
		rep.put(ir.AllReduce, ir.AxisDP, t)
	}
}
