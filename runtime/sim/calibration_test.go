package sim

import (
	"math"
	"testing"

	"planc/lang"
	"planc/passes"
)

// TestAgreesWithExplain simulates the schedule of every calibration plan
// (docs/cost-model.md, Korthikanti et al. Table 5) with the cost model's stage
// times and checks the step time against the cost model's analytic step
// time (what `planc explain` prints) within 5%; it logs the measured time
// too.
func TestAgreesWithExplain(t *testing.T) {
	measured := map[string]float64{
		"cal_22b_full": 1.42, "cal_22b_selective": 1.10, "cal_175b_full": 18.13, "cal_175b_selective": 13.75,
		"cal_530b_full": 49.05, "cal_530b_selective": 37.83, "cal_1t_full": 94.42, "cal_1t_selective": 71.49,
	}
	prog, diags := lang.Load([]string{"../../examples/calibration.plan"}, lang.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(prog.Plans) != len(measured) {
		t.Fatalf("%d calibration plans, want %d", len(prog.Plans), len(measured))
	}
	for _, p := range prog.Plans {
		u, d := passes.Compile(prog, p, passes.Options{})
		if d.HasErrors() {
			t.Fatalf("%s: %v", p.Name, d)
		}
		if u.Schedule == nil {
			t.Fatalf("%s: no schedule", p.Name)
		}
		net := NetworkOf(u.Plan)
		res, err := Run(u.Schedule, net.Config(FromCostReport(u)))
		if err != nil {
			t.Fatal(err)
		}
		rel := res.StepTime/u.Cost.StepTime - 1
		t.Logf("%-20s explain %7.3f s  simulated %7.3f s (%+.2f%%)  measured %6.2f s (%+.2f%%)  bubble %.3f",
			p.Name, u.Cost.StepTime, res.StepTime, 100*rel, measured[p.Name], 100*(res.StepTime/measured[p.Name]-1), res.BubbleFraction)
		if math.Abs(rel) > 0.05 {
			t.Errorf("%s: simulated %.3f s, explain %.3f s: %+.1f%%", p.Name, res.StepTime, u.Cost.StepTime, 100*rel)
		}
	}
}

// TestTinyMoETrace: the Chrome trace of tiny_moe, serial and in its
// parallel variants (examples/tiny_moe_ep.plan, and pp = 2 with dp = ep = 2),
// parses as JSON, has a named track with events for every rank, and every
// event has a duration.
func TestTinyMoETrace(t *testing.T) {
	for _, c := range []struct {
		file string
		sets []string
		cats []string
	}{
		{"../../examples/tiny_moe.plan", nil, []string{"compute"}},
		{"../../examples/tiny_moe.plan", []string{"dp=2", "ep=2", "pp=2"}, []string{"compute", "p2p", "collective"}},
		{"../../examples/tiny_moe_ep.plan", nil, []string{"compute", "collective"}},
	} {
		prog, diags := lang.Load([]string{c.file}, lang.Options{Overrides: c.sets})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		for _, p := range prog.Plans {
			u, d := passes.Compile(prog, p, passes.Options{})
			if d.HasErrors() {
				t.Fatalf("%s: %v", p.Name, d)
			}
			net := NetworkOf(u.Plan)
			cfg := net.Config(FromCostReport(u))
			cfg.Trace = true
			res, err := Run(u.Schedule, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %v: %d ranks, %d events, step %.4g s", p.Name, c.sets, len(u.Schedule.Ranks), len(res.Events), res.StepTime)
			checkTrace(t, u.Schedule, res, c.cats)
		}
	}
}
