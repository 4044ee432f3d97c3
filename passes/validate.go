package passes

import (
	"planc/ir"
)

// validate checks that the plan's degrees fit its model and machine and
// fills the defaults that depend on other fields (global batch, cluster
// sizes that follow the world).
func validate(st *State) {
	st.Diags = append(st.Diags, checkPlan(st.Plan)...)
}

// normalize fills derived defaults in place.
func normalize(p *ir.Plan) {
	p.DP, p.TP, p.PP, p.CP = max(p.DP, 1), max(p.TP, 1), max(p.PP, 1), max(p.CP, 1)
	p.EP, p.VPP, p.MicroBatch = max(p.EP, 1), max(p.VPP, 1), max(p.MicroBatch, 1)
	if p.GlobalBatch == 0 {
		p.GlobalBatch = p.DP * p.MicroBatch
	}
	if p.CPMode == "" {
		p.CPMode = ir.CPRing
	}
	if p.Schedule == "" {
		p.Schedule = ir.Schedule1F1B
	}
	if p.Recompute == "" {
		p.Recompute = ir.RecomputeNone
	}
	if p.Precision == "" {
		p.Precision = ir.BF16
	}
	if p.MoE.Dispatch == "" {
		p.MoE.Dispatch = ir.DispatchPaddingFree
	}
	if p.MoE.CapacityFactor == 0 {
		p.MoE.CapacityFactor = 1.25
	}
}

// clusterFor returns the plan's cluster, with `auto` sizes following the
// world size (all on one node unless per_node is set).
func clusterFor(p *ir.Plan) *ir.Cluster {
	c := p.Cluster
	if c.Nodes > 0 && c.PerNode > 0 {
		return c
	}
	cc := *c
	world := p.WorldSize()
	if cc.PerNode <= 0 {
		if cc.Nodes > 0 {
			cc.PerNode = c.Node.Devices
		} else {
			cc.PerNode = min(max(c.Node.Devices, 1), world)
		}
	}
	if cc.Nodes <= 0 {
		cc.Nodes = (world + cc.PerNode - 1) / cc.PerNode
	}
	return &cc
}

// checkPlan returns a diagnostic for every rule of ir.PlanConstraints
// that the plan breaks (those the compiler applies). It normalizes p
// first.
func checkPlan(p *ir.Plan) ir.Diagnostics {
	normalize(p)
	p.Cluster = clusterFor(p)
	return ir.CheckPlan(p, ir.ScopeCompile, nil)
}
