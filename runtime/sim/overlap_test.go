package sim

import (
	"math"
	"testing"

	"planc/lang"
	"planc/passes"
	_ "planc/passes/sched" // the schedule passes
)

// TestOverlapGradReduce: without overlap.grad_reduce the schedule reduces
// the gradient buckets after the whole backward and the simulator starts
// none of them early, so the simulated step grows by what the cost model
// says (examples/overlap.plan, dp = 8; passes' TestOverlapGradReduceClosedForm
// checks the cost model against the closed form).
func TestOverlapGradReduce(t *testing.T) {
	step := map[string][2]float64{}
	for _, set := range []string{"true", "false"} {
		prog, diags := lang.Load([]string{"../../examples/overlap.plan"}, lang.Options{Overrides: []string{"overlap.grad_reduce=" + set}})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		p := prog.Plan("overlap_dp8")
		u, d := passes.Compile(prog, p, passes.Options{})
		if d.HasErrors() {
			t.Fatal(d)
		}
		if got := u.Schedule.SerialGradReduce; got != (set == "false") {
			t.Fatalf("grad_reduce=%s: schedule's SerialGradReduce %v", set, got)
		}
		res, err := Run(u.Schedule, NetworkOf(u.Plan).Config(FromCostReport(u)))
		if err != nil {
			t.Fatal(err)
		}
		step[set] = [2]float64{res.StepTime, u.Cost.StepTime}
	}
	sim := step["false"][0] - step["true"][0]
	model := step["false"][1] - step["true"][1]
	t.Logf("grad_reduce false − true: simulated %+.3f ms, explain %+.3f ms", 1e3*sim, 1e3*model)
	if model <= 0 || math.Abs(sim/model-1) > 0.05 {
		t.Errorf("serial gradient reduction adds %.3f ms simulated, %.3f ms in the cost model", 1e3*sim, 1e3*model)
	}
}
