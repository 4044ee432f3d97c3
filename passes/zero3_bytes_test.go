package passes_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// TestZero3BytesClosedForm: docs/cost-model.md's ZeRO table for stage 3.
// With m micro-batches per rank and Ψ parameters per rank, a step gathers
// 2m·Ψ elements (every layer in forward and again in backward) and
// reduce-scatters m·Ψ (every micro-batch's gradients), in one collective
// per layer, the embedding and the head, per phase and micro-batch; below
// stage 3 the gradients are reduced once per step.
func TestZero3BytesClosedForm(t *testing.T) {
	const src = `
import "hw/cpu"
import "models/tiny"

plan z {
  model        = tiny_gpt
  cluster      = cpu
  dp           = 2
  global_batch = 16
  precision    = fp32
}
`
	file := filepath.Join(t.TempDir(), "z.plan")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ zero, micro, m int }{{3, 8, 1}, {3, 4, 2}, {3, 1, 8}, {2, 1, 8}, {1, 2, 4}} {
		t.Run(fmt.Sprintf("zero%d-m%d", c.zero, c.m), func(t *testing.T) {
			prog, diags := lang.Load([]string{file}, lang.Options{Overrides: []string{fmt.Sprintf("zero=%d", c.zero), fmt.Sprintf("micro_batch=%d", c.micro)}})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			p := prog.Plan("z")
			u, d := passes.Compile(prog, p, passes.Options{})
			if d.HasErrors() {
				t.Fatal(d)
			}
			psi := p.Model.Params().Total * 4 // fp32 bytes, one replica (tp = pp = 1)
			var gather, scatter, gatherCalls, scatterCalls float64
			for _, s := range u.Cost.Comm {
				switch {
				case s.Kind == ir.AllGather && s.Axis == ir.AxisDP:
					gather, gatherCalls = gather+s.Bytes, gatherCalls+s.Calls
				case s.Kind == ir.ReduceScatter && s.Axis == ir.AxisDP:
					scatter, scatterCalls = scatter+s.Bytes, scatterCalls+s.Calls
				}
			}
			m := float64(c.m)
			wantGather, wantScatter := psi, psi  // ZeRO-1/2: once per step
			units := float64(p.Model.Layers + 2) // the layers, the embedding and the head
			wantGatherCalls, wantScatterCalls := 1.0, 1.0
			if c.zero == 3 {
				wantGather, wantScatter = 2*m*psi, m*psi
				wantGatherCalls, wantScatterCalls = 2*m*units, m*units
			}
			if !near(gather, wantGather) || !near(scatter, wantScatter) {
				t.Errorf("gathered %.0f B and reduce-scattered %.0f B per step, the closed form says %.0f and %.0f (Ψ = %.0f B)", gather, scatter, wantGather, wantScatter, psi)
			}
			if gatherCalls != wantGatherCalls || scatterCalls != wantScatterCalls {
				t.Errorf("%.0f gathers and %.0f reduce-scatters per step, want %.0f and %.0f", gatherCalls, scatterCalls, wantGatherCalls, wantScatterCalls)
			}
		})
	}
}
