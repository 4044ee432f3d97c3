package passes_test

import (
	"fmt"
	"testing"

	"planc/lang"
	"planc/passes"
)

// TestMaximizeSeq finds the longest sequence for GPT 22B on 8 and 64 A100s
// and X-MoE Small on 8 Frontier GCDs, then checks the answer through the
// checker and the full compiler: at that length (set with --set, as a user
// would) the search's best plan compiles and fits; one step longer, no
// plan of the space fits.
func TestMaximizeSeq(t *testing.T) {
	cases := []struct {
		plan  string
		nodes int
	}{
		{"gpt_22b_long", 1},
		{"gpt_22b_long", 8},
		{"xmoe_small_long", 1},
	}
	if testing.Short() {
		cases = cases[:1]
	}
	file := repoFile("examples/long_seq.plan")
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s_%dnodes", c.plan, c.nodes), func(t *testing.T) {
			nodes := fmt.Sprintf("cluster.nodes=%d", c.nodes)
			_, p := loadPlan(t, "examples/long_seq.plan", c.plan, nodes)
			mr, ds := passes.Maximize(p, "model.seq", 0, passes.SearchOptions{Top: 1})
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if mr.Value <= 0 || mr.At == nil || mr.Beyond == nil {
				t.Fatalf("no answer: %+v", mr)
			}
			if mr.Value%mr.Step != 0 || mr.Value <= p.Model.Seq {
				t.Errorf("answer %d: not a multiple of the step %d, or not above the model's %d", mr.Value, mr.Step, p.Model.Seq)
			}
			for _, tc := range []struct {
				seq  int
				fits bool
			}{{mr.Value, true}, {mr.Value + mr.Step, false}} {
				prog, ds := lang.Load([]string{file}, lang.Options{Overrides: []string{nodes, fmt.Sprintf("model.seq=%d", tc.seq)}})
				if ds.HasErrors() {
					t.Fatalf("seq %d: %v", tc.seq, ds)
				}
				q := prog.Plan(c.plan)
				rep, _ := passes.Search(q, passes.SearchOptions{Top: 1})
				if got := len(rep.Results) > 0; got != tc.fits {
					t.Fatalf("seq %d: a plan fits = %v, want %v", tc.seq, got, tc.fits)
				}
				if !tc.fits {
					continue
				}
				u, cds := passes.Compile(prog, rep.Results[0].Plan, passes.Options{})
				if cds.HasErrors() || u.Memory.WorstRank().Peak > u.Memory.Capacity {
					t.Errorf("seq %d: the best plan does not compile or fit: %v", tc.seq, cds)
				}
			}
			best := mr.At.Results[0]
			t.Logf("%s on %d devices: longest seq %d (binding at %d: %s) with cp %s cp_mode %s recompute %s zero %s",
				c.plan, p.Cluster.Devices(), mr.Value, mr.Value+mr.Step, mr.Binding,
				passes.FieldValue(best.Plan, "cp"), passes.FieldValue(best.Plan, "cp_mode"),
				passes.FieldValue(best.Plan, "recompute"), passes.FieldValue(best.Plan, "zero"))
		})
	}
}
