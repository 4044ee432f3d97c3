package passes_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// coreSpace and openSpace are the spaces the examples are searched over.
// openSpace is every field that changes how a plan runs but not what it
// computes (precision, MoE dispatch and capacity factor change the
// numbers or the tokens kept, so they stay as written); coreSpace leaves
// out context and sequence parallelism and the MoE dispatch variants,
// for plans on more than 64 devices, whose open spaces take minutes on a
// loaded 2-core machine, and for MoE plans on more than 8.
var (
	coreSpace = []string{"dp", "tp", "pp", "vpp", "schedule", "micro_batch", "recompute", "zero", "ep"}
	openSpace = append([]string{"cp", "cp_mode", "sp", "moe.rbd", "moe.ssmb"}, coreSpace...)
)

// exampleSpace is the space an example is searched over in the tests.
func exampleSpace(p *ir.Plan) map[string][]string {
	if n := p.WorldSize(); n > 64 || (n > 8 && p.Model.MoE != nil) {
		return spaceOf(coreSpace...)
	}
	return spaceOf(openSpace...)
}

func spaceOf(fields ...string) map[string][]string {
	m := map[string][]string{}
	for _, f := range fields {
		m[f] = nil
	}
	return m
}

// examplePlans returns every plan of examples/, by file.
func examplePlans(t testing.TB) map[string][]*ir.Plan {
	files, err := filepath.Glob(repoFile("examples/*.plan"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	out := map[string][]*ir.Plan{}
	for _, f := range files {
		prog, ds := lang.Load([]string{f}, lang.Options{})
		if ds.HasErrors() {
			t.Fatalf("%s: %v", f, ds)
		}
		out[filepath.Base(f)] = prog.Plans
	}
	return out
}

// TestSearchAtLeastAsFastAsHandWritten searches the open space around
// every plan of examples/ and checks that the best plan is at least as
// fast as the plan as written (with its own auto fields resolved by
// Compile); the written plan must pass every constraint of the table,
// since it is one point of the space. It logs where the search wins.
func TestSearchAtLeastAsFastAsHandWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("searches every example")
	}
	var lines []string
	for file, plans := range examplePlans(t) {
		for _, p := range plans {
			t.Run(p.Name, func(t *testing.T) {
				resolved := writtenPlan(t, p)
				e, ds := passes.EstimateStep(resolved)
				if ds.HasErrors() {
					t.Fatalf("estimate: %v", ds)
				}
				fits := e.Fits()
				for _, c := range passes.Constraints {
					if !c.OK(resolved) {
						t.Errorf("the written plan breaks constraint %q", c.Name)
					}
				}
				written := e.StepTime
				rep, ds := passes.Search(p, passes.SearchOptions{Space: exampleSpace(resolved), Top: 1})
				if ds.HasErrors() {
					t.Fatal(ds)
				}
				if len(rep.Results) == 0 {
					if !fits {
						t.Skipf("the written plan does not fit either")
					}
					t.Fatalf("no plan fits, but the written one does")
				}
				best := rep.Results[0]
				if !fits {
					lines = append(lines, fmt.Sprintf("%s %s: written does not fit (peak %.1f GiB), best %.4g s %s", file, p.Name,
						e.PeakBytes/(1<<30), best.Est.StepTime, changes(resolved, rep, best)))
					return
				}
				if best.Est.StepTime > written*(1+1e-12) {
					t.Errorf("best %.6g s is slower than the written plan's %.6g s", best.Est.StepTime, written)
				}
				lines = append(lines, fmt.Sprintf("%s %s: written %.4g s, best %.4g s (%.2fx) %s; %d estimated in %.2f s",
					file, p.Name, written, best.Est.StepTime, written/best.Est.StepTime, changes(resolved, rep, best), rep.Evaluated, rep.Wall.Seconds()))
			})
		}
	}
	sort.Strings(lines)
	t.Log("\n" + strings.Join(lines, "\n"))
	if out := os.Getenv("PLANC_SEARCH_TABLE"); out != "" {
		os.WriteFile(out, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	}
}

// writtenPlan is the plan as written, its own auto fields filled by the
// planner (a search over them alone).
func writtenPlan(t *testing.T, p *ir.Plan) *ir.Plan {
	for _, auto := range p.Auto {
		if auto {
			rep, ds := passes.Search(p, passes.SearchOptions{Top: 1})
			if ds.HasErrors() || len(rep.Results) == 0 {
				t.Fatalf("the planner fills no plan: %v", ds)
			}
			return rep.Results[0].Plan
		}
	}
	return p
}

// changes lists the fields where the best plan differs from the written one.
func changes(written *ir.Plan, rep *passes.SearchReport, best passes.Result) string {
	var out []string
	for i, f := range rep.Fields {
		if w := passes.FieldValue(written, f); w != best.Values[i].String() {
			out = append(out, fmt.Sprintf("%s %s→%s", f, w, best.Values[i]))
		}
	}
	if len(out) == 0 {
		return "(the written plan)"
	}
	return strings.Join(out, " ")
}
