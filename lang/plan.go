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
	defaultAttention(p, res)
	moeRes := checkFields(c, what+"'s moe block", blockSpan(res, "moe", d.NameSpan), ir.PlanMoEFields, res.nested["moe"], &p.MoE, "moe.", p.FieldSpans, nil)
	for name := range moeRes.auto {
		p.Auto["moe."+name] = true
	}
	checkFields(c, what+"'s overlap block", blockSpan(res, "overlap", d.NameSpan), ir.PlanOverlapFields, res.nested["overlap"], &p.Overlap, "overlap.", p.FieldSpans, nil)
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

// defaultAttention gives a plan that does not write attention (nor asks
// for auto) the attention core its device's engines run: fused on a device
// with fused_attention, else the schema's default, unfused.
func defaultAttention(p *ir.Plan, res blockResult) {
	if _, written := res.written["attention"]; written || res.auto["attention"] {
		return
	}
	if c := p.Cluster; c != nil && c.Node != nil && c.Node.Device != nil && c.Node.Device.FusedAttention {
		p.Attention = ir.AttentionFused
	}
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

// check evaluates the plan rules of ir.PlanConstraints that apply to
// written plans, skipping those that read a field still auto or rejected.
func (pc *planCheck) check() {
	p := pc.p
	if p.GlobalBatch == 0 && !pc.auto("global_batch", "dp", "micro_batch") {
		p.GlobalBatch = p.DP * p.MicroBatch
	}
	pc.c.diags = append(pc.c.diags, ir.CheckPlan(p, ir.ScopeCheck, func(f string) bool { return pc.auto(f) })...)
}
