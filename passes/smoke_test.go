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
	t.Logf("step %.3f s mem %.2f GiB", u.Cost.StepTime, u.Memory.WorstRank().Peak/(1<<30))
	if testing.Verbose() {
		u.Print(os.Stdout)
	}
}
