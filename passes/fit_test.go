package passes_test

import (
	"math"
	"testing"

	"planc/ir"
	"planc/passes"
)

// efficiency is the set of fitted device parameters.
type efficiency struct{ matmul, overhead, memory float64 }

func (e efficiency) apply(d *ir.Device) {
	d.MatmulEfficiency, d.KernelOverhead, d.MemoryEfficiency = e.matmul, e.overhead, e.memory
}

// calLoss is the mean squared relative error of the eight predicted times
// (the analytic estimate, which agrees with Compile) under e, and the
// largest absolute relative error.
func calLoss(t testing.TB, runs []calRun, e efficiency) (mse, worst float64) {
	for _, r := range runs {
		e.apply(r.plan.Cluster.Node.Device)
		est, ds := passes.Estimate(r.plan)
		if ds.HasErrors() {
			t.Fatalf("%s: %v", r.name, ds)
		}
		d := relErr(est.StepTime, r.measured)
		mse += d * d / float64(len(runs))
		worst = math.Max(worst, math.Abs(d))
	}
	return
}

// TestFit fits matmul_efficiency, kernel_overhead and memory_efficiency of
// the A100 to the eight calibration times only (Korthikanti et al., Table
// 5), by a coarse grid followed by coordinate refinement, and prints them
// (run with -run Fit -v). The values go into stdlib/hw/a100_80gb.plan; the
// test fails if the stdlib values are not within the fit's tolerance of
// the optimum's quality.
func TestFit(t *testing.T) {
	runs := calRuns(t)
	stdlib := efficiency{}
	d := runs[0].plan.Cluster.Node.Device
	stdlib = efficiency{d.MatmulEfficiency, d.KernelOverhead, d.MemoryEfficiency}

	best := efficiency{0.75, 5e-6, 0.8}
	bestLoss, _ := calLoss(t, runs, best)
	for m := 0.55; m <= 0.95; m += 0.05 {
		for _, o := range []float64{0, 5e-6, 10e-6, 20e-6, 40e-6, 80e-6} {
			for mem := 0.2; mem <= 1.0; mem += 0.1 {
				e := efficiency{m, o, mem}
				if l, _ := calLoss(t, runs, e); l < bestLoss {
					best, bestLoss = e, l
				}
			}
		}
	}
	step := efficiency{0.02, 4e-6, 0.04}
	for round := 0; round < 200; round++ {
		improved := false
		for i := 0; i < 3; i++ {
			for _, sgn := range []float64{-1, 1} {
				e := best
				switch i {
				case 0:
					e.matmul = math.Min(1, math.Max(0.05, e.matmul+sgn*step.matmul))
				case 1:
					e.overhead = math.Max(0, e.overhead+sgn*step.overhead)
				case 2:
					e.memory = math.Min(1, math.Max(0.05, e.memory+sgn*step.memory))
				}
				if l, _ := calLoss(t, runs, e); l < bestLoss {
					best, bestLoss, improved = e, l, true
				}
			}
		}
		if !improved {
			step.matmul /= 2
			step.overhead /= 2
			step.memory /= 2
			if step.matmul < 1e-4 {
				break
			}
		}
	}
	_, worst := calLoss(t, runs, best)
	t.Logf("fitted: matmul_efficiency = %.3f  kernel_overhead = %.1f us  memory_efficiency = %.3f  (rms error %.2f%%, worst %.2f%%)",
		best.matmul, best.overhead*1e6, best.memory, 100*math.Sqrt(bestLoss), 100*worst)
	for _, r := range runs {
		best.apply(r.plan.Cluster.Node.Device)
		est, _ := passes.Estimate(r.plan)
		t.Logf("  %-20s %7.2f s (measured %6.2f, %+.2f%%)", r.name, est.StepTime, r.measured, 100*relErr(est.StepTime, r.measured))
	}
	stdLoss, _ := calLoss(t, runs, stdlib)
	t.Logf("stdlib:  matmul_efficiency = %.3f  kernel_overhead = %.1f us  memory_efficiency = %.3f  (rms error %.2f%%)",
		stdlib.matmul, stdlib.overhead*1e6, stdlib.memory, 100*math.Sqrt(stdLoss))
	if math.Sqrt(stdLoss) > math.Sqrt(bestLoss)+0.005 {
		t.Errorf("stdlib/hw/a100_80gb.plan's efficiency parameters are not the fitted ones: rms %.2f%% against %.2f%%", 100*math.Sqrt(stdLoss), 100*math.Sqrt(bestLoss))
	}
}
