package passes_test

import (
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestSequenceParallelRegather: under sp each tp-split GEMM that reads an
// all-gathered input (qkv and fc1 of every layer, and the head) gathers it
// again in backward, with the forward gather's bytes, and its program's
// conversion carries the re-gather; without sp there is none.
func TestSequenceParallelRegather(t *testing.T) {
	for _, tc := range []struct {
		plan string
		want int // re-gathers per step and micro-batch
	}{
		{"cal_22b_selective", 2*48 + 1},
		{"cal_22b_full", 0},
	} {
		prog, p := loadPlan(t, calFile, tc.plan)
		u, ds := passes.Compile(prog, p, passes.Options{})
		if ds.HasErrors() {
			t.Fatalf("%s: %v", tc.plan, ds)
		}
		fwd := map[string]float64{} // forward all-gathers by reader
		var regathers []*ir.Collective
		for _, sg := range u.Graph.Stages {
			for _, c := range sg.Collectives {
				switch {
				case c.Regather:
					regathers = append(regathers, c)
				case c.Kind == ir.AllGather && c.Phase == ir.Forward && c.Reader != "":
					fwd[c.Reader] = c.Bytes
				}
			}
		}
		if len(regathers) != tc.want {
			t.Errorf("%s: %d re-gathers, want %d", tc.plan, len(regathers), tc.want)
		}
		for _, c := range regathers {
			if c.Kind != ir.AllGather || c.Phase != ir.Backward || c.Axis != ir.AxisTP {
				t.Errorf("%s: re-gather %s is a %s %s on %s", tc.plan, c.Name, c.Phase, c.Kind, c.Axis)
			}
			if b, ok := fwd[c.Reader]; !ok || b != c.Bytes {
				t.Errorf("%s: re-gather %s moves %.0f bytes, its reader's forward gather %.0f", tc.plan, c.Name, c.Bytes, b)
			}
		}
		converts := 0
		for _, sp := range u.Programs {
			for _, in := range sp.Instrs {
				if in.Regather != nil {
					converts++
					if !strings.Contains(in.String(), "re-gather all-gather tp(8)") {
						t.Errorf("%s: %s does not print its re-gather", tc.plan, in)
					}
				}
			}
		}
		if converts != tc.want {
			t.Errorf("%s: %d conversions carry a re-gather, want %d", tc.plan, converts, tc.want)
		}
	}
}
