package sched

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata from the actual output")

// TestGoldenText pins the text form (`planc compile --emit=schedule`) of one
// small plan per schedule, with data parallelism, ZeRO and tied embeddings
// so that every action kind appears. Regenerate with -update.
func TestGoldenText(t *testing.T) {
	for _, c := range []struct {
		name                  string
		kind                  string
		pp, vpp, m, dp, tp, z int
	}{
		{"gpipe", "gpipe", 2, 1, 3, 1, 1, 0},
		{"1f1b_dp2_zero1", "1f1b", 2, 1, 3, 2, 1, 1},
		{"interleaved", "interleaved", 2, 2, 4, 1, 1, 0},
		{"zb-h1", "zb-h1", 3, 1, 4, 1, 1, 0},
		{"zb-v_dp2_zero3", "zb-v", 2, 2, 4, 2, 1, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := mustBuild(t, testPlan(c.kind, c.pp, c.vpp, c.m, c.dp, c.tp, c.z))
			got := s.String()
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("text form differs from %s (run with -update to accept):\n%s", path, got)
			}
		})
	}
}
