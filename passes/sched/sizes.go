package sched

import (
	"strings"

	"planc/ir"
)

// DefaultBucketParams is the data-parallel gradient bucket size in
// parameters (Megatron-LM's default of 40 M).
const DefaultBucketParams = 40_000_000

// DTypeBytes returns the bytes of one element of a precision.
func DTypeBytes(precision ir.Precision) int64 { return int64(precision.ElemBytes()) }

// PlanSizes computes the byte counts of plan p's schedule from the model's
// shape alone: per-layer parameter counts of the reference architecture
// (docs/semantics.md), sharded by tp and ep, the stage-boundary activation
// b·(s/cp)·h sharded by tp (Megatron's scatter-gather of pipeline messages),
// gradients reduced in the parameters' dtype, and an even layer partition. A pass
// with the op graph can refine any field.
func PlanSizes(p *ir.Plan) Sizes {
	m := p.Model
	pp, v := p.PP, max(p.VPP, 1)
	nStages := pp * v
	tp, ep, cp := int64(max(p.TP, 1)), int64(max(p.EP, 1)), int64(max(p.CP, 1))
	dt := DTypeBytes(p.Precision)
	sz := Sizes{ParamBytes: dt, GradBytes: dt, BucketParams: DefaultBucketParams}
	if m == nil {
		return sz
	}
	b := int64(max(p.MicroBatch, 1))
	layers := EvenPartition(modelLayers(m), nStages)
	sz.Layers = layers
	sz.StageUnits = PlanUnits(p)
	sz.StageParams = make([]int64, nStages)
	sz.StageExpertParams = make([]int64, nStages)
	sz.StageCollectives = make([][]ir.StageCollective, nStages)
	sz.StageSeqParams = make([]int64, nStages)
	sz.StageKVParams = make([]int64, nStages)

	if m.Kind == ir.MLPModel {
		w := int64(m.Width)
		sz.Boundary = b * w * dt
		first := 0
		for s := range nStages {
			sz.StageParams[s] = int64(layers[s]) * (w*w/tp + w)
			if tp > 1 {
				sz.StageCollectives[s] = []ir.StageCollective{
					{Phase: ir.ActF, Coll: ir.AllGather, Axis: ir.AxisTP, Bytes: b * w * dt, Count: layers[s], What: "ffn"},
					{Phase: ir.ActB, Coll: ir.ReduceScatter, Axis: ir.AxisTP, Bytes: b * w * dt, Count: layers[s], What: "ffn"},
				}
			}
			first += layers[s]
		}
		return sz
	}

	h, s, V := int64(m.Hidden), int64(m.Seq), int64(m.Vocab)
	tokens := b * s / cp // tokens per rank per micro-batch
	sz.Boundary = tokens * h * dt / tp
	act := tokens * h * dt // one full activation of the micro-batch on a rank
	attn := (4*h*h+4*h)/tp + 4*h
	first := 0
	for st := range nStages {
		var params, expert int64
		var colls []ir.StageCollective
		var moeLayers, denseLayers int
		for l := first; l < first+layers[st]; l++ {
			params += attn
			if m.IsMoELayer(l) {
				moeLayers++
				e := m.MoE
				ef := int64(e.ExpertFFN)
				one := 2*h*ef + ef + h
				params += h * int64(e.Experts)  // router
				params += int64(e.Shared) * one // MoE blocks are replicated over tp
				expert += int64(e.Experts) * one / ep
			} else {
				denseLayers++
				params += (2*h*int64(m.FFN)+int64(m.FFN))/tp + h
			}
		}
		if st == 0 {
			params += V*h/tp + s*h
		}
		if st == nStages-1 {
			params += 2 * h
			if !m.TieEmbeddings || nStages > 1 {
				params += V * h / tp // the head (a copy of wte when tied)
			}
		}
		n := layers[st]
		if tp > 1 {
			if p.SP {
				colls = append(colls,
					ir.StageCollective{Phase: ir.ActF, Coll: ir.AllGather, Axis: ir.AxisTP, Bytes: act, Count: 2 * n, What: "sp all-gather before qkv and fc1"},
					ir.StageCollective{Phase: ir.ActF, Coll: ir.ReduceScatter, Axis: ir.AxisTP, Bytes: act, Count: 2 * n, What: "sp reduce-scatter after out-proj and fc2"},
					ir.StageCollective{Phase: ir.ActB, Coll: ir.AllGather, Axis: ir.AxisTP, Bytes: act, Count: 2 * n, What: "sp all-gather (backward of reduce-scatter)"},
					ir.StageCollective{Phase: ir.ActB, Coll: ir.ReduceScatter, Axis: ir.AxisTP, Bytes: act, Count: 2 * n, What: "sp reduce-scatter (backward of all-gather)"})
			} else {
				colls = append(colls,
					ir.StageCollective{Phase: ir.ActF, Coll: ir.AllReduce, Axis: ir.AxisTP, Bytes: act, Count: 2 * n, What: "tp all-reduce after out-proj and fc2"},
					ir.StageCollective{Phase: ir.ActB, Coll: ir.AllReduce, Axis: ir.AxisTP, Bytes: act, Count: 2 * n, What: "tp all-reduce of qkv and fc1 input gradients"})
			}
		}
		if cp > 1 {
			kv := 2 * tokens * h * dt / tp
			switch p.CPMode {
			case ir.CPUlysses:
				colls = append(colls,
					ir.StageCollective{Phase: ir.ActF, Coll: ir.AllToAll, Axis: ir.AxisCP, Bytes: tokens * h * dt / tp, Count: 4 * n, What: "ulysses q,k,v,out all-to-all"},
					ir.StageCollective{Phase: ir.ActB, Coll: ir.AllToAll, Axis: ir.AxisCP, Bytes: tokens * h * dt / tp, Count: 4 * n, What: "ulysses all-to-all (backward)"})
			default: // ring, allgather, lss: K and V gathered, gradients reduce-scattered
				colls = append(colls,
					ir.StageCollective{Phase: ir.ActF, Coll: ir.AllGather, Axis: ir.AxisCP, Bytes: kv * cp, Count: n, What: "k,v gather over cp"},
					ir.StageCollective{Phase: ir.ActB, Coll: ir.ReduceScatter, Axis: ir.AxisCP, Bytes: kv * cp, Count: n, What: "k,v gradient reduce-scatter over cp"})
			}
		}
		if moeLayers > 0 && ep > 1 {
			t := tokens
			if p.MoE.SSMB {
				t /= tp
			}
			a2a := t * int64(m.MoE.TopK) * h * dt
			colls = append(colls,
				ir.StageCollective{Phase: ir.ActF, Coll: ir.AllToAll, Axis: ir.AxisEP, Bytes: a2a, Count: 2 * moeLayers, What: "moe dispatch and combine"},
				ir.StageCollective{Phase: ir.ActB, Coll: ir.AllToAll, Axis: ir.AxisEP, Bytes: a2a, Count: 2 * moeLayers, What: "moe dispatch and combine (backward)"})
			if p.MoE.SSMB && tp > 1 {
				colls = append(colls,
					ir.StageCollective{Phase: ir.ActF, Coll: ir.AllGather, Axis: ir.AxisTP, Bytes: act, Count: moeLayers, What: "ssmb sequence all-gather"},
					ir.StageCollective{Phase: ir.ActB, Coll: ir.ReduceScatter, Axis: ir.AxisTP, Bytes: act, Count: moeLayers, What: "ssmb reduce-scatter"})
			}
		}
		_ = denseLayers
		sz.StageSeqParams[st] = seqParams(p, first, first+layers[st], st == nStages-1)
		sz.StageKVParams[st] = int64(layers[st]) * kvParams(p)
		sz.StageParams[st] = params
		sz.StageExpertParams[st] = expert
		sz.StageCollectives[st] = colls
		first += layers[st]
	}
	if m.TieEmbeddings {
		sz.TiedParams = V * h / tp
	}
	return sz
}

// kvParams counts, per rank, one layer's replicated key/value columns
// (see [ir.ActAllReduceKV]) when tp exceeds kv_heads: one key and one
// value head of the qkv weight, and of its bias.
func kvParams(p *ir.Plan) int64 {
	if ir.KVReplication(p) < 2 {
		return 0
	}
	m := p.Model
	d := int64(m.HeadWidth())
	n := 2 * d * int64(m.Hidden)
	if !m.NoBias {
		n += 2 * d
	}
	return n
}

// seqParams counts, per rank, the parameters of layers [first, end) (and
// of the final norm when head) whose gradients are partial sums over tp
// (see [ir.ActAllReduceSeq]), from the reference shapes: under sp each
// layer's two LayerNorms and the biases added after a reduce-scatter
// (attention out-proj, the dense FFN's fc2; MoE blocks are whole on every tp rank)
// and the final norm; under ssmb each MoE layer's router and shared
// experts, which run whole on each tp rank's slice of the tokens.
func seqParams(p *ir.Plan, first, end int, head bool) int64 {
	m := p.Model
	if p.TP < 2 || m == nil || m.Kind == ir.MLPModel {
		return 0
	}
	h := int64(m.Hidden)
	ssmb := p.MoE.SSMB && m.MoE != nil
	var n int64
	for l := first; l < end; l++ {
		moe := m.IsMoELayer(l)
		if p.SP {
			n += 4*h + h // ln1, ln2 (gain and bias), out-proj bias
			if !moe {
				n += h // fc2 bias (MoE blocks run whole on every tp rank's tokens)
			}
		}
		if ssmb && moe {
			e := m.MoE
			ef := int64(e.ExpertFFN)
			n += h*int64(e.Experts) + int64(e.Shared)*(2*h*ef+ef+h)
		}
	}
	if head && p.SP {
		n += 2 * h
	}
	return n
}

// SizesFromUnit takes the sizes from a compiled unit's graph, so that the
// schedule agrees with the cost and memory analyses: the layer partition of
// the pipeline pass, each stage's parameters (routed experts' apart: their
// names hold ".expert_"), the tied embedding, and each stage's per
// micro-batch collectives, and the parameters whose gradients the graph
// all-reduces over tp once per step. The boundary activation is
// PlanSizes'.
func SizesFromUnit(u *ir.Unit) Sizes {
	sz := PlanSizes(u.Plan)
	stages := u.Graph.Stages
	if len(stages) == 0 {
		return sz
	}
	n := len(stages)
	sz.Layers = make([]int, n)
	sz.StageParams = make([]int64, n)
	sz.StageExpertParams = make([]int64, n)
	sz.StageCollectives = make([][]ir.StageCollective, n)
	sz.StageUnits = make([][]ir.ParamUnit, n)
	sz.StageSeqParams = make([]int64, n)
	sz.StageKVParams = make([]int64, n)
	sz.TiedParams = 0
	ep := u.Plan.EP
	for _, sg := range stages {
		i := sg.Index
		if i < 0 || i >= n {
			continue
		}
		sz.Layers[i] = sg.LastLayer - sg.FirstLayer
		seen := map[string]bool{}
		unitAt := map[string]int{}
		addUnit := func(name string, elems int64, expert bool) {
			k, ok := unitAt[name]
			if !ok {
				k = len(sz.StageUnits[i])
				unitAt[name] = k
				sz.StageUnits[i] = append(sz.StageUnits[i], ir.ParamUnit{Name: name, Expert: expert})
			}
			sz.StageUnits[i][k].Params += elems
		}
		for _, o := range sg.Ops {
			for wi, w := range []*ir.Tensor{o.Weight, o.Bias} {
				if w == nil || seen[w.Name] {
					continue
				}
				seen[w.Name] = true
				expert := strings.Contains(w.Name, ".expert_")
				if expert {
					sz.StageExpertParams[i] += int64(w.Elements())
				} else {
					sz.StageParams[i] += int64(w.Elements())
				}
				switch {
				case o.Layer >= 0:
					addUnit(ir.LayerUnit(o.Layer, expert && ep > 1), int64(w.Elements()), expert && ep > 1)
				case o.Kind == ir.OpEmbedding && wi == 0, w.Name == "wte":
					addUnit(ir.UnitWTE, int64(w.Elements()), false)
				case o.Kind == ir.OpEmbedding:
					addUnit(ir.UnitWPE, int64(w.Elements()), false)
				default:
					addUnit(ir.UnitHead, int64(w.Elements()), false)
				}
			}
			if o.Kind == ir.OpEmbedding && u.Plan.Model.TieEmbeddings && o.Weight != nil && sg.Index == 0 {
				sz.TiedParams = int64(o.Weight.Elements())
			}
		}
		for _, c := range sg.Collectives {
			if c.Phase == ir.StepPhase && c.Axis == ir.AxisTP && c.Kind == ir.AllReduce && sz.GradBytes > 0 {
				// The all-reduce of the tp-partial gradients: the
				// schedule's ALLREDUCE_SEQ of this stage.
				sz.StageSeqParams[i] += int64(c.Bytes) * int64(c.Calls()) / sz.GradBytes
			}
			if c.Phase == ir.StepPhase && c.Axis == ir.AxisKV && sz.GradBytes > 0 {
				// the replicated key/value columns' sum: ALLREDUCE_KV
				sz.StageKVParams[i] += int64(c.Bytes) * int64(c.Calls()) / sz.GradBytes
			}
			if c.Phase == ir.StepPhase {
				continue // the schedule's own actions
			}
			phase := ir.ActF
			if c.Phase == ir.Backward {
				phase = ir.ActB
			}
			sz.StageCollectives[i] = append(sz.StageCollectives[i], ir.StageCollective{
				Phase: phase, Coll: collKind(c.Kind), Axis: c.Axis, Bytes: int64(c.Bytes), Count: c.Calls(), What: c.Name})
		}
	}
	// The last stage keeps a copy of the tied embedding for the head (summed
	// with the first stage's by ALLREDUCE_TIED), which the graph's head op
	// reads without owning it.
	if sz.TiedParams > 0 && n > 1 && !ownsWeight(stages[n-1], "wte") {
		sz.StageParams[n-1] += sz.TiedParams
		sz.StageUnits[n-1] = append(sz.StageUnits[n-1], ir.ParamUnit{Name: ir.UnitWTE, Params: sz.TiedParams})
	}
	for _, us := range sz.StageUnits {
		sortUnits(us)
	}
	if u.Params != nil {
		infos := ir.StageInfos(sz.Layers)
		sz.BucketUnits = make([][]ir.ParamUnit, n)
		for i, info := range infos {
			sz.BucketUnits[i] = ir.StageUnits(u.Params.Stage(info, 0, ep), u.Plan.TP, ep)
		}
	}
	return sz
}

func ownsWeight(sg *ir.Stage, name string) bool {
	for _, o := range sg.Ops {
		if o.Weight != nil && o.Weight.Name == name {
			return true
		}
	}
	return false
}

// collKind is the kind a stage collective carries in the schedule file:
// version 1 knows all-to-allv as all-to-all (the runtime reads the uneven
// sizes from the routing), and no broadcast.
func collKind(k ir.CollKind) ir.CollKind {
	switch k {
	case ir.AllToAllV:
		return ir.AllToAll
	case ir.Broadcast:
		return ir.CollNone
	}
	return k
}
