package lang

import (
	"fmt"

	"planc/ir"
)

// plan resolves a plan declaration with the --set overrides and checks its
// constraints. It returns nil only when the plan is too broken to use.
func (c *checker) plan(d *Decl) *ir.Plan {
	p := &ir.Plan{Name: d.Name, Span: d.NameSpan, Auto: map[string]bool{}, FieldSpans: map[string]ir.Span{}}
	layers := [][]*Item{d.Body.Items}
	overridden := c.setPlan == "" || c.setPlan == d.Name
	if overridden && len(c.set.plan) > 0 {
		layers = append(layers, c.set.plan)
	}
	if overridden {
		c.planExtra = map[string][]*Item{"model": c.set.model, "cluster": c.set.cluster}
	}
	what := "plan " + d.Name
	res := checkFields(c, what, d.NameSpan, ir.PlanFields, layers, p, "", p.FieldSpans, nil)
	c.planExtra = nil
	for name := range res.auto {
		p.Auto[name] = true
	}
	moeRes := checkFields(c, what+"'s moe block", blockSpan(res, "moe", d.NameSpan), ir.PlanMoEFields, res.nested["moe"], &p.MoE, "moe.", p.FieldSpans, nil)
	for name := range moeRes.auto {
		p.Auto["moe."+name] = true
	}
	checkFields(c, what+"'s train block", blockSpan(res, "train", d.NameSpan), ir.TrainFields, res.nested["train"], &p.Train, "train.", p.FieldSpans, nil)
	if p.Model == nil {
		return p // the model's own errors say why; nothing to check against
	}
	// A field whose value was rejected stays zero: the constraints that
	// involve it are skipped, as for auto, instead of restating its error.
	skip := map[string]bool{}
	for name := range res.bad {
		skip[name] = true
	}
	for name := range moeRes.bad {
		skip["moe."+name] = true
	}
	// Sizes derived from several fields come first: the checks below
	// multiply fields in ints.
	if probs := p.SizeProblems(); len(probs) > 0 {
		for _, sp := range probs {
			at := p.FieldSpan(sp.Field)
			if sp.Field == "dp" {
				at = pc0(p)
			}
			c.errorf(at, "%s", sp.Message)
		}
		return p
	}
	if _, written := res.written["moe"]; written && p.Model.MoE == nil {
		c.warnf(res.written["moe"].NameSpan, "plan %s has a moe block, but model %s is dense", p.Name, p.Model.Name).Suggestion =
			"remove the moe block, or use an MoE model"
	}
	pc := planCheck{c: c, p: p, skip: skip}
	pc.sizeCluster()
	pc.check()
	return p
}

// pc0 is where a plan-wide problem is reported: the first degree written.
func pc0(p *ir.Plan) ir.Span {
	for _, f := range []string{"dp", "tp", "pp", "cp"} {
		if s, ok := p.FieldSpans[f]; ok {
			return s
		}
	}
	return p.Span
}

func blockSpan(res blockResult, name string, or ir.Span) ir.Span {
	if it, ok := res.written[name]; ok {
		return it.NameSpan
	}
	return or
}

// planCheck checks the constraints of one plan that need no cost model.
// A constraint that involves a field written auto is skipped: the planner
// will choose a value that satisfies it.
type planCheck struct {
	c    *checker
	p    *ir.Plan
	skip map[string]bool // fields with rejected values
}

// auto reports whether any of the fields is auto or has a rejected value:
// a constraint on them cannot be checked now.
func (pc *planCheck) auto(names ...string) bool {
	for _, n := range names {
		if pc.p.Auto[n] || pc.skip[n] {
			return true
		}
	}
	return false
}

func (pc *planCheck) at(field string) ir.Span { return pc.p.FieldSpan(field) }

// atFirst returns the span of the first of fields that was written.
func (pc *planCheck) atFirst(fields ...string) ir.Span {
	for _, f := range fields {
		if s, ok := pc.p.FieldSpans[f]; ok {
			return s
		}
	}
	return pc.p.Span
}

// sizeCluster gives the plan its cluster: the shared one, or for a cluster
// whose node count is auto (the cpu cluster) a copy sized to the world.
// When dp is the only auto degree, it is deduced from the device count.
func (pc *planCheck) sizeCluster() {
	p, c := pc.p, pc.c
	if p.Cluster == nil {
		return
	}
	autos := c.clusterAuto[p.Cluster]
	others := p.TP * p.PP * p.CP
	degreesAuto := pc.auto("tp", "pp", "cp")
	if autos["nodes"] {
		if pc.auto("dp", "tp", "pp", "cp") {
			return
		}
		world := p.WorldSize()
		cl := *p.Cluster
		perNode := world
		if !autos["per_node"] {
			perNode = cl.PerNode
			if perNode > 0 && world%perNode != 0 {
				d := c.errorf(spanOr(c.clusterSpans[p.Cluster], "per_node", pc.at("cluster")), "the world size dp·tp·pp·cp = %d is not a multiple of per_node = %d", world, perNode)
				d.Suggestion = "per_node must divide the world size: try " + divisorsText(world, perNode)
				return
			}
		}
		if perNode > 0 {
			cl.PerNode, cl.Nodes = perNode, world/perNode
		}
		c.clusterAuto[&cl], c.clusterSpans[&cl] = autos, c.clusterSpans[p.Cluster]
		p.Cluster = &cl
		return
	}
	devices := p.Cluster.Devices()
	if devices == 0 {
		return // the cluster's own errors say why
	}
	if pc.auto("dp") && !degreesAuto && others > 0 {
		if devices%others != 0 {
			d := c.errorf(pc.atFirst("tp", "pp", "cp", "dp"), "cannot deduce dp: tp·pp·cp = %d does not divide the %d devices of cluster %s", others, devices, p.Cluster.Name)
			d.Suggestion = "choose tp, pp and cp whose product divides " + fmt.Sprint(devices)
			return
		}
		p.DP = devices / others
		delete(p.Auto, "dp")
	}
}

func (pc *planCheck) check() {
	p, c := pc.p, pc.c
	m := p.Model
	degrees := []string{"dp", "tp", "pp", "cp"}

	// World size against the cluster.
	if !pc.auto(degrees...) && p.Cluster != nil && p.Cluster.Devices() > 0 {
		world, devices := p.WorldSize(), p.Cluster.Devices()
		if world != devices {
			d := c.errorf(pc.atFirst("dp", "tp", "pp", "cp"), "dp·tp·pp·cp = %d·%d·%d·%d = %d, but cluster %s has %d devices (%d nodes × %d)",
				p.DP, p.TP, p.PP, p.CP, world, p.Cluster.Name, devices, p.Cluster.Nodes, p.Cluster.PerNode)
			if others := p.TP * p.PP * p.CP; others > 0 && devices%others == 0 {
				d.Suggestion = fmt.Sprintf("set dp = %d (or dp = auto)", devices/others)
			} else {
				d.Suggestion = fmt.Sprintf("choose degrees whose product is %d", devices)
			}
		}
	}

	layers, layersName := m.Layers, "layers"
	if m.Kind == ir.MLPModel {
		layers, layersName = m.Depth, "depth"
	}
	if m.Kind == ir.Transformer {
		pc.checkAttention()
	} else if !pc.auto("cp") && p.CP > 1 {
		c.errorf(pc.at("cp"), "cp = %d splits the sequence, but model %s is an mlp with no sequence", p.CP, m.Name).Suggestion = "use cp = 1"
	}

	// Pipeline.
	if !pc.auto("pp", "vpp") && layers > 0 && p.PP > 0 && p.VPP > 0 && layers%(p.PP*p.VPP) != 0 {
		d := c.errorf(pc.atFirst("pp", "vpp"), "%s = %d is not divisible by pp·vpp = %d·%d = %d", layersName, layers, p.PP, p.VPP, p.PP*p.VPP)
		d.Notes = []string{fmt.Sprintf("every pipeline stage must hold the same number of %s", layersName)}
		d.Suggestion = fmt.Sprintf("use pp·vpp dividing %d: try pp = %s", layers, divisorsText(layers/gcd(layers, p.VPP), p.PP))
	}
	if p.GlobalBatch == 0 && !pc.auto("global_batch", "dp", "micro_batch") {
		p.GlobalBatch = p.DP * p.MicroBatch
	}
	pc.checkSchedule()
	pc.checkBatch()

	// Tensor parallelism.
	if !pc.auto("sp", "tp") && p.SP && p.TP == 1 {
		c.warnf(pc.at("sp"), "sp = true has no effect with tp = 1").Suggestion = "sequence parallelism splits activations inside the tp group; set tp > 1 or sp = false"
	}
	if !pc.auto("tp") && m.FFNKind.IsPhantom() && m.FFNKind.Parts != p.TP && p.TP != 1 {
		d := c.errorf(pc.atFirst("tp"), "model %s has phantom parts = %d, but tp = %d", m.Name, m.FFNKind.Parts, p.TP)
		d.Notes = []string{"a phantom layer puts one part on each tensor-parallel rank, or all parts on one rank when tp = 1 (the serial reference)"}
		d.Suggestion = fmt.Sprintf("set tp = %d, or tp = 1", m.FFNKind.Parts)
	}
	if !pc.auto("tp") && p.Cluster != nil && p.Cluster.PerNode > 0 && p.TP > p.Cluster.PerNode {
		d := c.warnf(pc.at("tp"), "tp = %d spans nodes: cluster %s has %d devices per node", p.TP, p.Cluster.Name, p.Cluster.PerNode)
		d.Notes = []string{"tensor-parallel collectives are on the critical path and the inter-node link is slow"}
		d.Suggestion = fmt.Sprintf("keep tp <= %d and use pp across nodes", p.Cluster.PerNode)
	}
	pc.checkMoE()
}

// checkAttention checks heads, hidden and sequence against tp and cp.
func (pc *planCheck) checkAttention() {
	p, c, m := pc.p, pc.c, pc.p.Model
	if !pc.auto("tp") && m.Heads > 0 && p.TP > 0 && m.Heads%p.TP != 0 {
		d := c.errorf(pc.at("tp"), "tp = %d does not divide the %d attention heads of model %s", p.TP, m.Heads, m.Name)
		d.Suggestion = "tp must divide heads: try tp = " + divisorsText(m.Heads, p.TP)
	}
	if pc.auto("cp", "cp_mode") || p.CP <= 1 {
		return
	}
	if p.CPMode == ir.CPUlysses && m.Heads > 0 && m.Heads%p.CP != 0 {
		d := c.errorf(pc.at("cp"), "cp = %d does not divide the %d attention heads, as cp_mode = ulysses needs", p.CP, m.Heads)
		d.Notes = []string{"ulysses swaps sequence shards for head shards with an all-to-all"}
		d.Suggestion = "try cp = " + divisorsText(m.Heads, p.CP) + ", or cp_mode = ring"
	} else if p.CPMode == ir.CPUlysses && m.Heads > 0 && p.TP > 1 && !pc.auto("tp") && m.Heads%(p.TP*p.CP) != 0 {
		// Each tp rank holds heads/tp heads, and ulysses splits those again by cp.
		d := c.errorf(pc.at("cp"), "tp·cp = %d does not divide the %d attention heads, as cp_mode = ulysses needs", p.TP*p.CP, m.Heads)
		d.Notes = []string{fmt.Sprintf("each tp rank holds %d heads, which the all-to-all splits again by cp", m.Heads/p.TP)}
		d.Suggestion = "try cp = " + divisorsText(m.Heads/p.TP, p.CP) + ", or cp_mode = ring"
	}
	if m.Seq > 0 && m.Seq%p.CP != 0 {
		c.errorf(pc.at("cp"), "cp = %d does not divide the sequence length %d", p.CP, m.Seq).Suggestion =
			"try cp = " + divisorsText(m.Seq, p.CP)
	} else if p.CPMode == ir.CPRing && m.Seq > 0 && m.Seq%(2*p.CP) != 0 {
		d := c.errorf(pc.at("cp"), "cp_mode = ring needs the sequence length %d divisible by 2·cp = %d", m.Seq, 2*p.CP)
		d.Notes = []string{"ring attention folds the sequence into 2·cp chunks to balance the causal load"}
		d.Suggestion = "try cp = " + divisorsText(m.Seq/2, p.CP)
	}
}

// checkSchedule checks the pipeline schedule against vpp and pp.
func (pc *planCheck) checkSchedule() {
	p, c := pc.p, pc.c
	if pc.auto("schedule", "vpp") {
		return
	}
	switch p.Schedule {
	case ir.ScheduleInterleaved:
		if p.VPP < 2 {
			d := c.errorf(pc.atFirst("vpp", "schedule"), "schedule = interleaved needs vpp >= 2, not %d", p.VPP)
			d.Suggestion = "set vpp = 2 (virtual stages per rank), or schedule = 1f1b"
		}
		if !pc.auto("pp", "dp", "global_batch", "micro_batch") && p.PP > 0 {
			if mb := p.MicroBatches(); mb > 0 && mb%p.PP != 0 {
				d := c.errorf(pc.atFirst("global_batch", "micro_batch", "schedule"), "schedule = interleaved needs the micro-batch count to be a multiple of pp = %d, but it is %d", p.PP, mb)
				d.Notes = []string{fmt.Sprintf("micro-batches = global_batch / (dp·micro_batch) = %d / (%d·%d) = %d", p.GlobalBatch, p.DP, p.MicroBatch, mb)}
				d.Suggestion = fmt.Sprintf("set global_batch = %d", (mb+p.PP-1)/p.PP*p.PP*p.DP*p.MicroBatch)
			}
		}
	case ir.ScheduleZBV:
		if p.VPP != 2 {
			c.errorf(pc.atFirst("vpp", "schedule"), "schedule = zb-v needs vpp = 2, not %d", p.VPP).Suggestion = "set vpp = 2: zb-v places two virtual stages on each rank in a V"
		}
	default:
		if p.VPP > 1 {
			c.errorf(pc.at("vpp"), "vpp = %d needs schedule = interleaved or zb-v, not %s", p.VPP, p.Schedule).Suggestion =
				"set schedule = interleaved, or vpp = 1"
		}
	}
}

// checkBatch checks the batch sizes and fills global_batch's default.
func (pc *planCheck) checkBatch() {
	p, c := pc.p, pc.c
	if pc.auto("dp", "micro_batch", "global_batch") {
		return
	}
	per := p.DP * p.MicroBatch
	if per <= 0 {
		return
	}
	if p.GlobalBatch == 0 {
		p.GlobalBatch = per
	}
	if p.GlobalBatch%per != 0 {
		d := c.errorf(pc.atFirst("global_batch", "micro_batch", "dp"), "global_batch = %d is not divisible by dp·micro_batch = %d·%d = %d", p.GlobalBatch, p.DP, p.MicroBatch, per)
		lo := p.GlobalBatch / per * per
		if lo == 0 {
			lo = per
		}
		d.Suggestion = fmt.Sprintf("use global_batch = %d or %d", lo, lo+per)
		return
	}
	if !pc.auto("pp") && !pc.auto("global_batch") && p.PP > 1 && p.MicroBatches() < p.PP {
		d := c.warnf(pc.atFirst("global_batch", "micro_batch", "pp"), "%d micro-batches for pp = %d stages: the pipeline bubble dominates the step", p.MicroBatches(), p.PP)
		d.Suggestion = fmt.Sprintf("use at least %d micro-batches (global_batch >= %d)", p.PP, p.PP*per)
	}
}

// checkMoE checks expert parallelism and the plan's moe block.
func (pc *planCheck) checkMoE() {
	p, c, m := pc.p, pc.c, pc.p.Model
	if m.MoE == nil {
		if !pc.auto("ep") && p.EP > 1 {
			c.errorf(pc.at("ep"), "ep = %d, but model %s has no experts", p.EP, m.Name).Suggestion = "use ep = 1, or an MoE model"
		}
		if !pc.auto("moe.rbd") && p.MoE.RBD {
			c.errorf(pc.at("moe.rbd"), "moe.rbd needs an MoE model, and %s is dense", m.Name)
		}
		if !pc.auto("moe.ssmb") && p.MoE.SSMB {
			c.errorf(pc.at("moe.ssmb"), "moe.ssmb needs an MoE model, and %s is dense", m.Name)
		}
		return
	}
	epOK := true
	if !pc.auto("ep") && m.MoE.Experts > 0 && p.EP > 0 && m.MoE.Experts%p.EP != 0 {
		epOK = false
		d := c.errorf(pc.at("ep"), "ep = %d does not divide the %d routed experts of model %s", p.EP, m.MoE.Experts, m.Name)
		d.Suggestion = "try ep = " + divisorsText(m.MoE.Experts, p.EP)
	}
	if !pc.auto("ep", "dp", "cp", "tp", "moe.ssmb") && p.EP > 0 {
		pool, poolName := p.DP*p.CP, "dp·cp"
		if p.MoE.SSMB {
			pool, poolName = p.DP*p.CP*p.TP, "dp·cp·tp"
		}
		if pool > 0 && pool%p.EP != 0 {
			epOK = false
			d := c.errorf(pc.at("ep"), "ep = %d does not divide %s = %d", p.EP, poolName, pool)
			d.Notes = []string{"expert parallelism is carved out of the data-parallel ranks (dp·cp); with moe.ssmb = true the tp ranks hold different tokens and join them (dp·cp·tp)"}
			d.Suggestion = "try ep = " + divisorsText(pool, p.EP)
			if !p.MoE.SSMB && p.TP > 1 && (pool*p.TP)%p.EP == 0 {
				d.Suggestion += ", or set moe.ssmb = true"
			}
		}
	}
	if !pc.auto("moe.dispatch", "moe.capacity_factor") && p.MoE.Dispatch == ir.DispatchCapacity && p.MoE.CapacityFactor <= 0 {
		c.errorf(pc.atFirst("moe.capacity_factor", "moe.dispatch"), "moe.dispatch = capacity needs capacity_factor > 0").Suggestion = "set capacity_factor = 1.25"
	}
	if !pc.auto("moe.rbd", "moe.dispatch") && p.MoE.RBD && p.MoE.Dispatch == ir.DispatchCapacity {
		d := c.errorf(pc.at("moe.rbd"), "moe.rbd forwards routed token copies, but moe.dispatch = capacity sends padded per-expert slabs")
		d.Notes = []string{"redundancy-bypassing dispatch is built on padding-free dispatch (X-MoE): a padded slab has no pilot copy to share"}
		d.Suggestion = "set moe.dispatch = padding_free, or rbd = false"
	}
	if !pc.auto("moe.rbd", "ep") && p.MoE.RBD && p.EP <= 1 {
		c.errorf(pc.at("moe.rbd"), "moe.rbd needs expert parallelism across ranks, but ep = %d", p.EP).Suggestion = "set ep > 1, or rbd = false"
	}
	if !pc.auto("moe.ssmb", "tp") && p.MoE.SSMB && p.TP <= 1 {
		c.errorf(pc.at("moe.ssmb"), "moe.ssmb shards the sequence inside the tp group, but tp = %d", p.TP).Suggestion = "set tp > 1, or ssmb = false"
	}
	// An ep group spanning nodes sends its all-to-all over the slow link;
	// redundancy-bypassing dispatch exists for exactly that.
	if !pc.auto("ep", "tp", "cp", "moe.rbd", "moe.ssmb") && epOK && p.EP > 1 && !p.MoE.RBD && p.Cluster != nil && p.Cluster.PerNode > 0 {
		// An ep group is ep consecutive data ranks at one tp index, so it
		// covers ep·tp consecutive ranks; with ssmb it runs over tp too.
		span := p.EP * p.TP
		if p.MoE.SSMB {
			span = p.EP
		}
		if nodes := (span + p.Cluster.PerNode - 1) / p.Cluster.PerNode; nodes > 1 {
			d := c.notef(pc.at("ep"), "the ep group of %d ranks spans %d nodes", p.EP, nodes)
			d.Suggestion = "moe.rbd = true sends one copy of a token per remote node instead of one per expert"
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
