package passes_test

import (
	"testing"

	"planc/ir"
	"planc/passes"
)

// plannerCandidates returns distinct plans of the 1T calibration model on
// its 512 Selene GPUs, as the planner enumerates them: degrees, micro-batch
// sizes, recompute policies, sequence parallelism and schedules.
func plannerCandidates(b testing.TB) []*ir.Plan {
	_, base := loadPlan(b, calFile, "cal_1t_selective")
	var out []*ir.Plan
	for _, tp := range []int{1, 2, 4, 8} {
		for _, pp := range []int{8, 16, 32, 64} {
			dp := 512 / (tp * pp)
			for _, mb := range []int{1, 2} {
				for _, rc := range ir.RecomputeModes {
					for _, sp := range []bool{false, true} {
						for _, sched := range []ir.ScheduleKind{ir.Schedule1F1B, ir.ScheduleInterleaved, ir.ScheduleZBH1} {
							q := *base
							q.TP, q.PP, q.DP, q.MicroBatch, q.Recompute, q.SP, q.Schedule = tp, pp, dp, mb, rc, sp, sched
							q.GlobalBatch = 512 * 2
							if sched == ir.ScheduleInterleaved {
								q.VPP = 2
							}
							out = append(out, &q)
						}
					}
				}
			}
		}
	}
	return out
}

// BenchmarkPlanner1T measures the planner's evaluation of plans of the 1T
// calibration model (passes.EstimateStep): plans evaluated per second on
// one core (run with -cpu 1).
func BenchmarkPlanner1T(b *testing.B) {
	benchEstimate(b, passes.EstimateStep)
}

// BenchmarkEstimate1T measures the full analytic estimate (with every
// report row) on the same plans.
func BenchmarkEstimate1T(b *testing.B) {
	benchEstimate(b, passes.Estimate)
}

func benchEstimate(b *testing.B, f func(*ir.Plan) (passes.Estimation, ir.Diagnostics)) {
	plans := plannerCandidates(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ds := f(plans[i%len(plans)]); ds.HasErrors() {
			b.Fatal(ds)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "plans/s")
}
