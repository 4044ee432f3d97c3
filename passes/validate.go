package passes

import (
	"fmt"

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

// checkPlan returns a diagnostic for every way the plan does not fit its
// model and machine. It normalizes p first.
func checkPlan(p *ir.Plan) ir.Diagnostics {
	normalize(p)
	p.Cluster = clusterFor(p)
	var ds ir.Diagnostics
	bad := func(field, format string, args ...any) {
		ds = append(ds, ir.Errorf(p.FieldSpan(field), format, args...))
	}
	// The planner's choices pass the bounds that package lang checks for
	// fields written in the plan; nothing below may run on sizes beyond them.
	for _, sp := range p.SizeProblems() {
		bad(sp.Field, "%s", sp.Message)
	}
	if len(ds) > 0 {
		return ds
	}
	m := p.Model
	world := p.WorldSize()
	if dev := p.Cluster.Devices(); world > dev {
		bad("dp", "dp·tp·pp·cp = %d·%d·%d·%d = %d ranks, but cluster %s has %d devices", p.DP, p.TP, p.PP, p.CP, world, p.Cluster.Name, dev)
	}
	if p.GlobalBatch%(p.DP*p.MicroBatch) != 0 {
		bad("global_batch", "global_batch %d is not a multiple of dp·micro_batch = %d·%d", p.GlobalBatch, p.DP, p.MicroBatch)
	}
	if p.Zero < 0 || p.Zero > 3 {
		bad("zero", "zero must be 0, 1, 2 or 3, not %d", p.Zero)
	}
	if p.PP == 1 && p.VPP > 1 {
		bad("vpp", "vpp = %d needs pp > 1", p.VPP)
	}
	if p.VPP > 1 && !p.Schedule.Virtual() {
		bad("vpp", "vpp = %d needs schedule = interleaved or zb-v, not %s", p.VPP, p.Schedule)
	}
	if p.Schedule == ir.ScheduleZBV && p.PP > 1 && p.VPP != 2 {
		bad("schedule", "zb-v runs two chunks per pipeline rank: set vpp = 2")
	}
	if p.Schedule == ir.ScheduleInterleaved && p.PP > 1 && p.MicroBatches()%p.PP != 0 {
		bad("schedule", "the interleaved schedule needs micro-batches (%d) to be a multiple of pp = %d", p.MicroBatches(), p.PP)
	}
	layers := m.NumLayers()
	if chunks := p.PP * p.VPP; layers < chunks {
		bad("pp", "%d layers cannot fill pp·vpp = %d pipeline stages", layers, chunks)
	}
	if m.Kind == ir.MLPModel {
		if p.CP > 1 {
			bad("cp", "an mlp model has no sequence to split: cp must be 1")
		}
		if m.Width%p.TP != 0 {
			bad("tp", "width %d does not divide by tp = %d", m.Width, p.TP)
		}
	} else {
		if m.Heads%p.TP != 0 {
			bad("tp", "%d heads do not divide by tp = %d", m.Heads, p.TP)
		}
		if m.Hidden%m.Heads != 0 {
			bad("model", "hidden %d does not divide by %d heads", m.Hidden, m.Heads)
		}
		ffn := m.FFN
		if ffn == 0 {
			ffn = 4 * m.Hidden
		}
		if ffn%p.TP != 0 {
			bad("tp", "ffn %d does not divide by tp = %d", ffn, p.TP)
		}
		if m.Vocab%p.TP != 0 {
			bad("tp", "vocab %d does not divide by tp = %d (the embedding is split by vocabulary)", m.Vocab, p.TP)
		}
		if m.Seq%p.CP != 0 {
			bad("cp", "seq %d does not divide by cp = %d", m.Seq, p.CP)
		}
		if p.SP && p.TP > 1 && (m.Seq/p.CP)%p.TP != 0 {
			bad("sp", "sequence parallelism splits seq/cp = %d by tp = %d, which does not divide", m.Seq/p.CP, p.TP)
		}
		if p.CP > 1 && p.CPMode == ir.CPUlysses && m.Heads%(p.TP*p.CP) != 0 {
			bad("cp_mode", "ulysses splits the %d heads by tp·cp = %d, which does not divide", m.Heads, p.TP*p.CP)
		}
	}
	if m.FFNKind.IsPhantom() && m.FFNKind.Parts != p.TP && p.TP != 1 {
		bad("tp", "the model's phantom FFN has %d parts: tp must be %d (a part per rank) or 1 (all parts on each rank), not %d", m.FFNKind.Parts, m.FFNKind.Parts, p.TP)
	}
	if p.EP > 1 {
		switch {
		case m.MoE == nil:
			bad("ep", "ep = %d but model %s has no experts", p.EP, m.Name)
		case m.MoE.Experts%p.EP != 0:
			bad("ep", "%d experts do not divide by ep = %d", m.MoE.Experts, p.EP)
		}
		pool := p.DP * p.CP
		if p.MoE.SSMB {
			pool *= p.TP
		}
		if pool%p.EP != 0 {
			bad("ep", "ep = %d must divide the %d data ranks it is carved from (dp·cp%s)", p.EP, pool, map[bool]string{true: "·tp", false: ""}[p.MoE.SSMB])
		}
	}
	return ds
}

var _ = fmt.Sprint
