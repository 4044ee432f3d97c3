package lang

import (
	"strings"
	"testing"
)

// TestGluedUnits: a unit written against its number (25GB/s, 2us, 64GiB)
// reads as the number and the unit, in source and in --set; enum words that
// start with a digit (1f1b) stay words; the formatter puts the space back.
func TestGluedUnits(t *testing.T) {
	src := `import "hw/cpu"
import "models/tiny"
cluster c2 {
  node          = cpu_node
  nodes         = 2
  per_node      = 1
  inter_bw      = 25GB/s
  inter_latency = 2us
}
plan p {
  model    = tiny_gpt
  cluster  = c2
  dp       = 2
  schedule = 1f1b
}
`
	prog, diags := loadSource("glued.plan", []byte(src), Options{Overrides: []string{"cluster.inter_latency=3us"}})
	if diags.HasErrors() {
		t.Fatalf("%v", diags)
	}
	c := prog.Plans[0].Cluster
	if c.InterBW != 25e9 || c.InterLatency != 3e-6 || prog.Plans[0].Schedule != "1f1b" {
		t.Errorf("inter_bw %g inter_latency %g schedule %q; want 25e9, 3e-6 (--set), 1f1b", c.InterBW, c.InterLatency, prog.Plans[0].Schedule)
	}
	out, fd := Format("glued.plan", []byte(src))
	if fd.HasErrors() {
		t.Fatalf("%v", fd)
	}
	if !strings.Contains(string(out), "25 GB/s") || !strings.Contains(string(out), "2 us") {
		t.Errorf("the formatter keeps glued units:\n%s", out)
	}
	// A unit of the wrong dimension is still reported as such.
	_, diags = loadSource("glued.plan", []byte(src), Options{Overrides: []string{"cluster.inter_bw=25GiB"}})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "25 GiB is a size in bytes") {
		t.Errorf("cluster.inter_bw=25GiB: %v", diags)
	}
}
