package lang

import (
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	fields := []string{"dp", "tp", "pp", "ep", "cp", "vpp", "global_batch", "micro_batch", "schedule", "cluster"}
	tests := []struct{ name, want string }{
		{"tpp", "pp"},
		{"clustr", "cluster"},
		{"global_bacth", "global_batch"}, // a transposition is one edit
		{"shedule", "schedule"},
		{"zzzzzz", ""}, // nothing close
		{"x", ""},      // too short to guess
		{"micro", ""},  // a prefix is not a misspelling
		{"Cluster", "cluster"},
	}
	for _, tt := range tests {
		if got := suggest(tt.name, fields); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"ab", "ba", 1}, {"tp", "tp", 0},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestHints: the hints a new user meets first. Each case is a file, the
// one diagnostic it must give (no second one, no warning), and what its
// help or notes must say.
func TestHints(t *testing.T) {
	for _, c := range []struct {
		name, src, message, hint string
	}{
		{"missing import names the stdlib file", "import \"hw/cpu\"\nplan p {\n  model = tiny_gpt\n  cluster = cpu\n}\n",
			"undefined model tiny_gpt", `add import "models/tiny", the stdlib file that declares model tiny_gpt`},
		{"missing import of a cluster", "import \"models/tiny\"\nplan p {\n  model = tiny_gpt\n  cluster = frontier(nodes: 1)\n}\n",
			"undefined cluster frontier", `add import "hw/frontier"`},
		{"misspelt stdlib name", "import \"hw/cpu\"\nplan p {\n  model = tiny_gtp\n  cluster = cpu\n}\n",
			"undefined model tiny_gtp", `did you mean tiny_gpt? (import "models/tiny" declares it)`},
		{"a typo of a required field is one error", "model m {\n  vocab = 256\n  seq = 8\n  hiden = 16\n  layers = 2\n  heads = 2\n}\n",
			"unknown field hiden in model m", "hidden is required"},
		{"a typo of a field with a default adds no warning", "import \"hw/cpu\"\nimport \"models/tiny\"\nplan p {\n  model = tiny_gpt\n  cluster = cpu\n  pp = 2\n  globl_batch = 64\n  micro_batch = 2\n}\n",
			"unknown field globl_batch in plan p", "did you mean global_batch?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, diags := loadSource("hint.plan", []byte(c.src), Options{})
			if len(diags) != 1 {
				t.Fatalf("%d diagnostics, want 1: %v", len(diags), diags)
			}
			d := diags[0]
			help := d.Suggestion + " " + strings.Join(d.Notes, " ")
			if d.Message != c.message || !strings.Contains(help, c.hint) {
				t.Errorf("got %q (help %q), want %q with %q", d.Message, help, c.message, c.hint)
			}
		})
	}
}
