package passes_test

import (
	"os"
	"testing"

	"planc/passes"
)

func TestSmoke(t *testing.T) {
	prog, p := loadPlan(t, "examples/calibration.plan", "cal_22b_selective")
	u, ds := passes.Compile(prog, p, passes.Options{VerifyEach: true})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	checkCostBounds(t, p.Name, p, *u.Cost)
	// Megatron trained this plan on 80 GB A100s, so it fits; and the peak
	// holds at least the parameters, gradients and optimizer state.
	w := u.Memory.WorstRank()
	if w.Peak > p.Cluster.Node.Device.Memory || w.Peak < w.Params+w.Grads+w.Optimizer {
		t.Errorf("peak %.2f GiB: want between params+grads+optimizer %.2f GiB and the device's %.2f GiB",
			w.Peak/(1<<30), (w.Params+w.Grads+w.Optimizer)/(1<<30), p.Cluster.Node.Device.Memory/(1<<30))
	}
	t.Logf("step %.3f s mem %.2f GiB", u.Cost.StepTime, u.Memory.WorstRank().Peak/(1<<30))
	if testing.Verbose() {
		u.Print(os.Stdout)
	}
}
