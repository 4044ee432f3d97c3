package lang

import "testing"

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
