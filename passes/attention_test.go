package passes_test

import (
	"io"
	"math"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestFusedAttentionKeepsNoSquareTerm: with attention = fused no op of a
// layer holds an s×s tensor in HBM (saved or written), the activations
// equal the unfused plan's under selective recomputation (which drops
// exactly the s×s tensors), and the unfused plan without recomputation
// keeps the s×s probabilities, their dropout copy and mask: 2·elem + 1
// bytes per score, per layer and micro-batch in flight.
func TestFusedAttentionKeepsNoSquareTerm(t *testing.T) {
	compile := func(sets ...string) *ir.Unit {
		prog, p := loadPlan(t, "examples/llama3.plan", "llama3_8b_h100", sets...)
		u, diags := passes.Compile(prog, p, passes.Options{DumpTo: io.Discard})
		if u == nil || u.Memory == nil {
			t.Fatalf("%v: %v", sets, diags)
		}
		return u
	}
	fused := compile("attention=fused", "recompute=none")
	unfused := compile("attention=unfused", "recompute=none")
	selective := compile("attention=unfused", "recompute=selective")
	for _, st := range fused.Graph.Stages {
		for _, o := range st.Ops {
			for _, tn := range append(o.Saved, o.Output) {
				square := false
				for _, e := range tn.Shape {
					square = square || e.Sym == "sk"
				}
				if square && tn.Elem > 0 && len(tn.Shape) == 4 {
					t.Errorf("fused: op %s keeps or writes %s [b, a, s, sk] in HBM", o.Name, tn.Name)
				}
			}
		}
	}
	f, u, s := fused.Memory.WorstRank(), unfused.Memory.WorstRank(), selective.Memory.WorstRank()
	t.Logf("activations per device: unfused %.2f GiB, unfused+selective %.2f GiB, fused %.2f GiB", u.Activations/(1<<30), s.Activations/(1<<30), f.Activations/(1<<30))
	// fused keeps one fp32 log-sum-exp per query row and head beyond the
	// selective plan: b·(a/tp)·s·4 bytes per layer
	p := fused.Plan
	m := p.Model
	lse := float64(p.MicroBatch*m.Heads/p.TP*m.Seq*4*m.Layers) * f.InFlight
	if math.Abs(f.Activations-s.Activations-lse) > 1e-6*s.Activations {
		t.Errorf("fused activations %.0f B, selective unfused %.0f B + log-sum-exp %.0f B", f.Activations, s.Activations, lse)
	}
	scores := float64(p.MicroBatch*m.Heads/p.TP*m.Seq*m.Seq*m.Layers) * u.InFlight
	if got, want := u.Activations-s.Activations, scores*(2*2+1); math.Abs(got-want) > 1e-6*want {
		t.Errorf("unfused keeps %.0f B more than selective, want the s×s term %.0f B", got, want)
	}
}
