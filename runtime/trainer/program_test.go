package trainer

import (
	"strings"
	"testing"

	"planc/ir"
	"planc/passes/sched"
)

func testPlan() *ir.Plan {
	m := &ir.Model{Name: "tiny_gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 256, TieEmbeddings: true, FFNKind: ir.FFNKind{Kind: "dense"}}
	return &ir.Plan{Name: "p", Model: m, Cluster: &ir.Cluster{Name: "cpu", Nodes: 2, PerNode: 2},
		DP: 2, TP: 2, PP: 1, EP: 1, CP: 1, VPP: 1, Schedule: "1f1b", GlobalBatch: 8, MicroBatch: 2,
		CPMode: "ring", Recompute: "none", Precision: "fp32", MoE: ir.MoEPlan{Dispatch: "padding_free", CapacityFactor: 1.25},
		Train: ir.Train{Steps: 10, LR: 3e-3, MinLR: 1e-4, Warmup: 3, Seed: 1, Clip: 1, WeightDecay: 0.1}}
}

func testSchedule(t *testing.T, p *ir.Plan) *ir.Schedule {
	t.Helper()
	s, diags := sched.Build(p, sched.PlanSizes(p))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	s.Fingerprint = ir.PlanFingerprint(p)
	return s
}

// TestProgramRoundTrip: the embedded plan decodes to the same plan (same
// fingerprint), and a plan altered after the build is refused.
func TestProgramRoundTrip(t *testing.T) {
	p := testPlan()
	pr, err := Encode(p, testSchedule(t, p), "tcp", "test")
	if err != nil {
		t.Fatal(err)
	}
	q, s, err := pr.Load()
	if err != nil {
		t.Fatal(err)
	}
	if ir.PlanFingerprint(q) != ir.PlanFingerprint(p) || q.Cluster.PerNode != 2 || s.Mesh.Size() != 4 {
		t.Fatalf("decoded plan %+v", q)
	}
	pr.Plan = []byte(strings.Replace(string(pr.Plan), `"TP": 2`, `"TP": 4`, 1))
	if _, _, err := pr.Load(); err == nil || !strings.Contains(err.Error(), "fingerprint") {
		t.Fatalf("an altered plan: err = %v, want a fingerprint mismatch", err)
	}
}

// TestCheckLayout: the node layout must match rank/per_node.
func TestCheckLayout(t *testing.T) {
	p := testPlan()
	for _, tc := range []struct {
		nodes []int
		ok    bool
	}{
		{[]int{0, 0, 1, 1}, true},
		{[]int{3, 3, 0, 0}, true}, // node numbers do not matter, only who shares one
		{[]int{0, 0, 0, 0}, false},
		{[]int{0, 1, 0, 1}, false},
	} {
		err := checkLayout(p, tc.nodes, "test")
		if (err == nil) != tc.ok {
			t.Errorf("nodes %v: err = %v, want ok=%v", tc.nodes, err, tc.ok)
		}
	}
}
