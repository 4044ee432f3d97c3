package lang

import (
	"strings"
	"testing"
)

func TestSetFields(t *testing.T) {
	src := `// header
import "models/tiny"

plan a {
  model = tiny_gpt // the model
  tp    = 1        // keep me
  moe {
    rbd = false
  }
}

plan b {
  model = tiny_gpt(layers: 2)
}
`
	tests := []struct {
		plan string
		sets []string
		want []string // substrings of the result
	}{
		{"a", []string{"tp=2"}, []string{"// header", "tp    = 2 // keep me", "model = tiny_gpt // the model"}},
		{"a", []string{"micro_batch=4"}, []string{"micro_batch = 4", "tp    = 1"}},
		{"a", []string{"moe.rbd=true", "moe.ssmb=true"}, []string{"rbd  = true", "ssmb = true"}},
		{"a", []string{"train.steps=5"}, []string{"train {\n    steps = 5\n  }"}},
		{"a", []string{"model.seq=64"}, []string{"model = tiny_gpt(seq: 64) // the model"}},
		{"b", []string{"model.seq=64"}, []string{"model = tiny_gpt(layers: 2, seq: 64)"}},
		{"b", []string{"model.layers=3"}, []string{"model = tiny_gpt(layers: 3)"}},
		{"b", []string{"cluster.nodes=2"}, []string{"plan b {\n  model = tiny_gpt(layers: 2)\n}"}}, // no cluster: left to the checker
	}
	for _, tc := range tests {
		out, diags := SetFields("x.plan", []byte(src), tc.plan, tc.sets)
		if diags.HasErrors() {
			t.Fatalf("%v: %v", tc.sets, diags)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s %v: want %q in\n%s", tc.plan, tc.sets, w, out)
			}
		}
		again, _ := Format("x.plan", out)
		if string(again) != string(out) {
			t.Errorf("%v: result not in canonical form", tc.sets)
		}
	}
	for _, bad := range [][]string{{"tp"}, {"tp=("}} {
		if _, diags := SetFields("x.plan", []byte(src), "a", bad); !diags.HasErrors() {
			t.Errorf("%v: want an error", bad)
		}
	}
	if _, diags := SetFields("x.plan", []byte(src), "nope", []string{"tp=2"}); !diags.HasErrors() {
		t.Error("an unknown plan: want an error")
	}
}
