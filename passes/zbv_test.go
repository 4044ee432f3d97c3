package passes_test

import (
	"fmt"
	"math"
	"testing"

	"planc/ir"
	"planc/passes"
	"planc/runtime/sim"
)

// TestZBVBubbleAgreesWithSimulator: on zb-v plans (the 175B calibration
// model over pp = 8 and 16, several micro-batch counts, full recompute) the step time
// that explain prints and the simulated step of the same schedule with the
// cost model's stage times agree within 5%, and so do their bubbles
// (measured against the simulated step).
func TestZBVBubbleAgreesWithSimulator(t *testing.T) {
	for _, c := range []struct{ pp, gb int }{{8, 16}, {8, 32}, {8, 64}, {16, 32}, {16, 64}} {
		prog, p := loadPlan(t, calFile, "cal_175b_selective")
		p.Schedule, p.VPP, p.PP, p.GlobalBatch, p.Recompute = "zb-v", 2, c.pp, c.gb, "full"
		p.Cluster = withNodes(p.Cluster, c.pp)
		// an out-of-memory verdict (zb-v holds p micro-batches) does not
		// matter here: the times are what is compared
		u, ds := passes.Compile(prog, p, passes.Options{})
		if u == nil || u.Cost == nil || u.Schedule == nil {
			t.Fatalf("unit %v, diagnostics %v (is the schedule pass registered?)", u != nil, ds)
		}
		res, err := sim.Run(u.Schedule, sim.NetworkOf(u.Plan).Config(sim.FromCostReport(u)))
		if err != nil {
			t.Fatal(err)
		}
		rel := res.StepTime/u.Cost.StepTime - 1
		simBubble := res.BubbleFraction / (1 + res.BubbleFraction) * res.StepTime
		t.Logf("pp=%d m=%d: explain %.3f s (bubble %.3f s), simulated %.3f s (bubble ≈ %.3f s): %+.2f%%",
			c.pp, u.Plan.MicroBatches(), u.Cost.StepTime, u.Cost.Bubble, res.StepTime, simBubble, 100*rel)
		if math.Abs(rel) > 0.05 {
			t.Errorf("pp=%d gb=%d: explain %.3f s, simulated %.3f s (%+.1f%%)", c.pp, c.gb, u.Cost.StepTime, res.StepTime, 100*rel)
		}
	}
	_ = ir.AxisPP
}

// TestZBVStagesFoldBack: the graph's stages carry the pipeline rank that
// runs them. zb-v folds its second chunk back (stage pp+j on rank pp−1−j,
// as package passes/sched schedules it), so per-rank sums of the graph
// (MoE layers per rank for the expert traffic, the data-parallel groups of
// a stage) must not deal the chunks round robin as interleaved does; the
// verifier holds every compiled unit to it.
func TestZBVStagesFoldBack(t *testing.T) {
	for _, c := range []struct {
		schedule ir.ScheduleKind
		want     []int
	}{
		{ir.ScheduleZBV, []int{0, 1, 2, 3, 3, 2, 1, 0}},
		{ir.ScheduleInterleaved, []int{0, 1, 2, 3, 0, 1, 2, 3}},
	} {
		prog, p := loadPlan(t, calFile, "cal_175b_selective")
		p.Schedule, p.VPP, p.PP, p.GlobalBatch = c.schedule, 2, 4, 16
		p.Cluster = withNodes(p.Cluster, 4)
		u, ds := passes.Compile(prog, p, passes.Options{})
		if u == nil {
			t.Fatalf("%s: no unit: %v", c.schedule, ds)
		}
		var got []int
		for _, s := range u.Graph.Stages {
			got = append(got, s.PPRank)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: stages on pp ranks %v, want %v", c.schedule, got, c.want)
		}
		if errs := u.Verify(); len(errs) > 0 {
			t.Errorf("%s: verifier: %v", c.schedule, errs)
		}
	}
}
