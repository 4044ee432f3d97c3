package lang

import (
	"bytes"
	"os"
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

// FuzzSetFields: any file and any sets either fail with diagnostics or give
// a file in canonical form in which the plan still parses.
func FuzzSetFields(f *testing.F) {
	for _, p := range repoFiles(nil) {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src, "tp=2\nmoe.rbd=true\nmodel.seq=64")
		}
	}
	f.Add([]byte("plan p { model = m(layers: 2) moe { rbd = false } }"), "model.layers=3\nmoe.ssmb=true\ntrain.steps=1\ncluster.nodes=2")
	f.Fuzz(func(t *testing.T, src []byte, sets string) {
		file, diags := Parse("fuzz.plan", src)
		if diags.HasErrors() {
			return
		}
		for _, d := range file.Decls {
			if d.Kind != "plan" {
				continue
			}
			out, diags := SetFields("fuzz.plan", src, d.Name, strings.Split(sets, "\n"))
			if diags.HasErrors() {
				continue
			}
			again, diags := Format("fuzz.plan", out)
			if diags.HasErrors() {
				t.Fatalf("SetFields gave a file that does not parse: %v\n%s", diags, out)
			}
			if !bytes.Equal(again, out) {
				t.Fatalf("SetFields gave a file not in canonical form:\n%s", out)
			}
		}
	})
}
