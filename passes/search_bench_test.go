package passes_test

import (
	"testing"

	"planc/passes"
)

// BenchmarkSearchFrontier1T searches the whole space of
// examples/frontier_1t.plan's frontier_1t_search (gpt_1t on 3,072 MI250X
// GCDs: dp, tp, pp, vpp, sp, schedule, micro_batch and recompute auto) on
// every core, and prints the estimate rate and the wall time of one
// search (the Done-when goal is ≤ 10 s on 2 cores).
func BenchmarkSearchFrontier1T(b *testing.B) {
	_, p := loadPlan(b, "examples/frontier_1t.plan", "frontier_1t_search")
	var rep *passes.SearchReport
	for i := 0; i < b.N; i++ {
		r, ds := passes.Search(p, passes.SearchOptions{})
		if ds.HasErrors() || len(r.Results) == 0 {
			b.Fatal(ds, r)
		}
		rep = r
	}
	b.ReportMetric(rep.PlansPerSecond(), "plans/s")
	b.ReportMetric(rep.Wall.Seconds(), "s/search")
	b.ReportMetric(float64(rep.Evaluated), "estimates")
	b.ReportMetric(float64(rep.Space), "space")
	b.Logf("space %d plans, %d estimated, %d fit, %d equivalent, %.2f s wall on %d workers, %.0f plans/s",
		rep.Space, rep.Evaluated, rep.Fits, rep.Equivalent, rep.Wall.Seconds(), rep.Workers, rep.PlansPerSecond())
	for _, pc := range rep.Pruned {
		b.Logf("  pruned %12d  %s", pc.Plans, pc.By)
	}
}

// BenchmarkSearchFrontier1TAllKnobs widens the same search to every field
// that applies to a dense transformer: cp and cp_mode, zero and precision
// join the plan's auto fields.
func BenchmarkSearchFrontier1TAllKnobs(b *testing.B) {
	_, p := loadPlan(b, "examples/frontier_1t.plan", "frontier_1t_search")
	space := map[string][]string{"cp": nil, "cp_mode": nil, "zero": nil, "precision": nil}
	var rep *passes.SearchReport
	for i := 0; i < b.N; i++ {
		r, ds := passes.Search(p, passes.SearchOptions{Space: space})
		if ds.HasErrors() || len(r.Results) == 0 {
			b.Fatal(ds, r)
		}
		rep = r
	}
	b.ReportMetric(rep.PlansPerSecond(), "plans/s")
	b.ReportMetric(rep.Wall.Seconds(), "s/search")
	b.ReportMetric(float64(rep.Evaluated), "estimates")
	b.Logf("space %d plans, %d estimated, %d fit, %.2f s wall on %d workers, %.0f plans/s",
		rep.Space, rep.Evaluated, rep.Fits, rep.Wall.Seconds(), rep.Workers, rep.PlansPerSecond())
	for _, pc := range rep.Pruned {
		b.Logf("  pruned %12d  %s", pc.Plans, pc.By)
	}
}
