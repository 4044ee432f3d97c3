package passes

import (
	"fmt"
	"sort"

	"planc/ir"
)

// digestStages summarizes every stage of the unit's graph.
func digestStages(st *State, cm *costModel) []stageDigest {
	full := st.Plan.Recompute == ir.RecomputeFull
	var out []stageDigest
	for _, sg := range st.Unit.Graph.Stages {
		d := stageDigest{index: sg.Index, ppRank: sg.PPRank, sum: &summary{}}
		// per layer (and the embedding, the head apart), so that overlapped
		// collectives hide behind their own group's compute
		group := map[string]int{}
		byGroup := map[int][]*ir.Op{}
		collsBy := map[int][]*ir.Collective{}
		for _, o := range sg.Ops {
			g := opGroup(o)
			group[o.Name] = g
			byGroup[g] = append(byGroup[g], o)
		}
		for _, c := range sg.Collectives {
			g, ok := group[c.After]
			if !ok {
				g = c.Layer
				if g < 0 {
					g = embedGroup
				}
			}
			collsBy[g] = append(collsBy[g], c)
		}
		keys := make([]int, 0, len(byGroup))
		for k := range byGroup {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		for _, g := range keys {
			s := summarizeOps(cm, byGroup[g], collsBy[g], full)
			d.sum.add(&s, 1)
		}
		for g, cs := range collsBy {
			if _, ok := byGroup[g]; !ok {
				s := summarizeOps(cm, nil, cs, full)
				d.sum.add(&s, 1)
			}
		}
		d.dense, d.expert = stageParams(sg)
		d.step = stepColls(sg.Collectives)
		out = append(out, d)
	}
	return out
}

const (
	embedGroup = -1
	headGroup  = -2
)

// opGroup is the summary group of an op: its layer, or the embedding's or
// the head's group.
func opGroup(o *ir.Op) int {
	switch {
	case o.Layer >= 0:
		return o.Layer
	case o.Kind == ir.OpEmbedding:
		return embedGroup
	}
	return headGroup
}

// memoryPass computes the per-rank memory and reports a plan that does
// not fit, with the alternatives that would.
func memoryPass(st *State) {
	cm := newCostModel(st.Plan, st.Unit.Mesh)
	mem, _, cost := assemble(st.Plan, cm, digestStages(st, cm), false)
	if hot := hotPlan(st.Plan, mem.WorstRank().Peak); hot != st.Plan {
		cm = newCostModel(hot, st.Unit.Mesh)
		_, _, cost = assemble(hot, cm, digestStages(st, cm), false)
	}
	st.Unit.Memory = &mem
	st.cost = &cost
	// the ops' times for the report of the costliest ops
	w := mem.WorstRank()
	if w.Peak <= mem.Capacity {
		return
	}
	p := st.Plan
	dev := p.Cluster.Node.Device
	d := ir.Errorf(p.Span, "plan %s needs %s per device (pp rank %d), %s more than the %s of %s",
		p.Name, gib(w.Peak), w.PPRank, gib(w.Peak-mem.Capacity), gib(mem.Capacity), dev.Name)
	inFlight := fmt.Sprintf("%.3g micro-batches", w.InFlight)
	if w.InFlight == 1 {
		inFlight = "1 micro-batch"
	}
	d.Notes = append(d.Notes, fmt.Sprintf("parameters %s, gradients %s, optimizer state %s, activations %s (%s in flight), MoE buffers %s, communication buffers %s, working memory %s",
		gib(w.Params), gib(w.Grads), gib(w.Optimizer), gib(w.Activations), inFlight, gib(w.MoEBuffers), gib(w.CommBuffers), gib(w.Transient)))
	best := ""
	for _, alt := range memoryAlternatives(p) {
		e, diags := Estimate(alt.plan)
		if diags.HasErrors() {
			continue
		}
		verdict := "fits"
		if e.PeakBytes > mem.Capacity {
			verdict = "does not fit"
		}
		d.Notes = append(d.Notes, fmt.Sprintf("%s would need %s (%s)", alt.change, gib(e.PeakBytes), verdict))
		if best == "" && e.PeakBytes <= mem.Capacity {
			best = alt.change
		}
	}
	if best != "" {
		d.Suggestion = "set " + best
	}
	st.Diags = append(st.Diags, d)
}

func gib(b float64) string { return fmt.Sprintf("%.1f GiB", b/(1<<30)) }

type alternative struct {
	change string
	plan   *ir.Plan
}

// memoryAlternatives lists single-knob changes that lower memory.
func memoryAlternatives(p *ir.Plan) []alternative {
	var out []alternative
	try := func(change string, f func(q *ir.Plan)) {
		q := clonePlan(p)
		f(q)
		out = append(out, alternative{change, q})
	}
	if p.Recompute != ir.RecomputeSelective && p.Recompute != ir.RecomputeFull {
		try("recompute = selective", func(q *ir.Plan) { q.Recompute = ir.RecomputeSelective })
	}
	if p.Recompute != ir.RecomputeFull {
		try("recompute = full", func(q *ir.Plan) { q.Recompute = ir.RecomputeFull })
	}
	if p.TP > 1 && !p.SP {
		try("sp = true", func(q *ir.Plan) { q.SP = true })
	}
	if p.DP*p.CP > 1 {
		for z := p.Zero + 1; z <= 3; z++ {
			z := z
			try(fmt.Sprintf("zero = %d", z), func(q *ir.Plan) { q.Zero = z })
		}
	}
	if p.MicroBatch > 1 {
		try(fmt.Sprintf("micro_batch = %d", p.MicroBatch/2), func(q *ir.Plan) { q.MicroBatch = p.MicroBatch / 2 })
	}
	if p.Model.MoE != nil && p.MoE.Dispatch == ir.DispatchCapacity {
		try("moe.dispatch = padding_free", func(q *ir.Plan) { q.MoE.Dispatch = ir.DispatchPaddingFree })
	}
	return out
}

// costPass fills the unit's cost report and the costliest ops.
func costPass(st *State) {
	cost := st.cost
	if cost == nil {
		cm := newCostModel(st.Plan, st.Unit.Mesh)
		_, _, c := assemble(st.Plan, cm, digestStages(st, cm), false)
		cost = &c
	}
	// the costliest kinds of op on the slowest pipeline rank, per step
	cm := newCostModel(st.Plan, st.Unit.Mesh)
	m := float64(st.Plan.MicroBatches())
	kf := 1.0 // kernels in a step beyond the private cache (as assemble)
	if st.Unit.Memory != nil {
		peak := st.Unit.Memory.WorstRank().Peak
		kf = cm.dev.KernelFactor(peak, cm.nodeBytes(st.Unit.Memory.MeanPeak()))
		if hot := hotPlan(st.Plan, peak); hot != st.Plan { // (within it: hot products)
			cm = newCostModel(hot, st.Unit.Mesh)
		}
	}
	slowest, slowT := 0, -1.0
	perRank := map[int]float64{}
	for _, s := range cost.Stages {
		perRank[s.PPRank] += s.Total()
	}
	for r, t := range perRank {
		if t > slowT || (t == slowT && r < slowest) {
			slowest, slowT = r, t
		}
	}
	byKind := map[string]*ir.OpTime{}
	var tops []ir.OpTime
	for _, sg := range st.Unit.Graph.Stages {
		if sg.PPRank != slowest {
			continue
		}
		for _, o := range sg.Ops {
			f, b, w := cm.opTimes(o)
			t := f + b + w
			fl := o.FwdFLOPs + o.BwdInputFLOPs + o.BwdWeightFLOPs
			if o.Recompute {
				t += f
				fl += o.FwdFLOPs
			}
			k := string(o.Kind)
			if byKind[k] == nil {
				byKind[k] = &ir.OpTime{Op: k, Stage: sg.Index}
			}
			byKind[k].Time += t * m * kf
			byKind[k].FLOPs += fl * m
		}
	}
	for _, t := range byKind {
		tops = append(tops, *t)
	}
	sort.Slice(tops, func(i, j int) bool {
		if tops[i].Time != tops[j].Time {
			return tops[i].Time > tops[j].Time
		}
		return tops[i].Op < tops[j].Op
	})
	if len(tops) > 10 {
		tops = tops[:10]
	}
	cost.TopOps = tops
	st.Unit.Cost = cost
}
