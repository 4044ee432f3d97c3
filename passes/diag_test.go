package passes_test

import (
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestOutOfMemoryDiagnostic: a plan whose peak exceeds the device memory
// is an error at the plan's span that says by how much and which knobs,
// evaluated, would bring it under.
func TestOutOfMemoryDiagnostic(t *testing.T) {
	prog, p := loadPlan(t, calFile, "cal_175b_full")
	p.Recompute, p.SP = "none", false // 1f1b without recomputation: far over 80 GiB
	u, ds := passes.Compile(prog, p, passes.Options{})
	if u == nil || u.Memory == nil {
		t.Fatalf("no unit: %v", ds)
	}
	var d *ir.Diagnostic
	for i := range ds {
		if ds[i].Severity == ir.Error && strings.Contains(ds[i].Message, "more than the") {
			d = &ds[i]
		}
	}
	if d == nil {
		t.Fatalf("no out-of-memory error in %v", ds)
	}
	if d.Span != p.Span {
		t.Errorf("diagnostic at %v, want the plan's span %v", d.Span, p.Span)
	}
	notes := strings.Join(d.Notes, "\n")
	for _, want := range []string{"recompute = selective would need", "recompute = full would need", "sp = true would need"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if !strings.HasPrefix(d.Suggestion, "set ") {
		t.Errorf("no suggestion of a knob that fits: %q\n%s", d.Suggestion, notes)
	}
	t.Logf("%s\n%s\nsuggestion: %s", d.Message, notes, d.Suggestion)
	// the suggested change must fit when compiled
	q := *p
	switch d.Suggestion {
	case "set recompute = selective":
		q.Recompute = "selective"
	case "set recompute = full":
		q.Recompute = "full"
	case "set sp = true":
		q.SP = true
	default:
		t.Fatalf("unexpected suggestion %q", d.Suggestion)
	}
	u2, ds2 := passes.Compile(prog, &q, passes.Options{})
	if ds2.HasErrors() || u2.Memory.WorstRank().Peak > u2.Memory.Capacity {
		t.Errorf("the suggested plan does not fit: %v", ds2)
	}
}

// TestValidateDiagnostics: degrees that do not divide are errors at the
// field's span.
func TestValidateDiagnostics(t *testing.T) {
	for _, c := range []struct {
		field string
		set   func(*ir.Plan)
		want  string
	}{
		{"tp", func(p *ir.Plan) { p.TP = 5 }, "does not divide the 96 attention heads"},
		{"global_batch", func(p *ir.Plan) { p.GlobalBatch, p.MicroBatch = 63, 2 }, "is not divisible by dp·micro_batch"},
		{"vpp", func(p *ir.Plan) { p.Schedule, p.VPP = "1f1b", 2 }, "vpp = 2 needs"},
		{"ep", func(p *ir.Plan) { p.EP = 2 }, "has no experts"},
	} {
		prog, p := loadPlan(t, calFile, "cal_175b_selective")
		c.set(p)
		_, ds := passes.Compile(prog, p, passes.Options{})
		found := false
		for _, d := range ds {
			if d.Severity == ir.Error && strings.Contains(d.Message, c.want) {
				found = true
				if d.Span != p.FieldSpan(c.field) {
					t.Errorf("%s: diagnostic at %v, want %v", c.field, d.Span, p.FieldSpan(c.field))
				}
			}
		}
		if !found {
			t.Errorf("%s: no error containing %q in %v", c.field, c.want, ds)
		}
	}
}

// TestPlannerFillsAuto: with tp, pp, dp, micro_batch and recompute auto,
// the planner picks a plan that fits and is at least as fast as the
// calibration plan it replaces.
func TestPlannerFillsAuto(t *testing.T) {
	prog, p := loadPlan(t, calFile, "cal_175b_selective")
	ref, ds := passes.Estimate(p)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	q := *p
	q.Auto = map[string]bool{"tp": true, "pp": true, "dp": true, "micro_batch": true, "recompute": true}
	u, ds := passes.Compile(prog, &q, passes.Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	r := u.Plan
	if r.DP*r.TP*r.PP*r.CP != 64 {
		t.Errorf("planner chose %d ranks, the cluster has 64", r.DP*r.TP*r.PP*r.CP)
	}
	if u.Memory.WorstRank().Peak > u.Memory.Capacity {
		t.Errorf("planner chose a plan that does not fit")
	}
	if u.Cost.StepTime > ref.StepTime*(1+1e-9) {
		t.Errorf("planner's plan takes %.2f s, the calibration plan %.2f s", u.Cost.StepTime, ref.StepTime)
	}
	t.Logf("planner: dp=%d tp=%d pp=%d micro_batch=%d recompute=%s: %.2f s (calibration plan %.2f s)", r.DP, r.TP, r.PP, r.MicroBatch, r.Recompute, u.Cost.StepTime, ref.StepTime)
}
