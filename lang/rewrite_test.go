package lang

import (
	"strings"
	"testing"
)

// TestRewritePlan edits one plan of a file of two: fields set (written
// and new, nested included), the model and cluster called with overrides,
// the other plan and its comment gone, the result formatted and checked.
func TestRewritePlan(t *testing.T) {
	src := `// a file of two plans
import "hw/frontier"
import "models/tiny"

// the first plan
plan a {
  model   = tiny_moe
  cluster = frontier(nodes: 1) // 8 GCDs
  dp      = auto
  tp      = 2
  moe {
    dispatch = padding_free
  }
}

// the second plan
plan b {
  model = tiny_gpt
  cluster = frontier(nodes: 1)
}
`
	out, ds := RewritePlan("x.plan", []byte(src), PlanEdit{
		Plan: "b", NewName: "b_1", Comment: "rank 1\nof a search",
		Fields:      map[string]string{"dp": "4", "tp": "2", "moe.rbd": "false"},
		ModelArgs:   map[string]string{"seq": "128"},
		ClusterArgs: map[string]string{"nodes": "2"},
	})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	want := `// a file of two plans
import "hw/frontier"
import "models/tiny"

// rank 1
// of a search
plan b_1 {
  model   = tiny_gpt(seq: 128)
  cluster = frontier(nodes: 2)
  dp      = 4
  tp      = 2
  moe {
    rbd = false
  }
}
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// the first plan: its written fields replaced, its nested block kept
	out, ds = RewritePlan("x.plan", []byte(src), PlanEdit{Plan: "a", Fields: map[string]string{"dp": "4", "moe.dispatch": "capacity"}})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	for _, s := range []string{"plan a {", "dp      = 4", "dispatch = capacity", "cluster = frontier(nodes: 1)"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("missing %q in\n%s", s, out)
		}
	}
	if strings.Contains(string(out), "plan b") || strings.Contains(string(out), "the second plan") {
		t.Errorf("the other plan is still there:\n%s", out)
	}
	if _, ds := RewritePlan("x.plan", []byte(src), PlanEdit{Plan: "c"}); !ds.HasErrors() {
		t.Error("no error for a missing plan")
	}
}
