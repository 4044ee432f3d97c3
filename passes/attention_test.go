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

// TestFP8Plan: llama3_70b on dgx_h100 in fp8 against bf16: the device's
// fp8 peak is its datasheet's 1979 TFLOP/s against 989, the step is
// faster, and the weights take 4 bytes per parameter instead of 2
// (Transformer Engine's cached fp8 copy and transpose) with the same
// gradients and optimizer state.
func TestFP8Plan(t *testing.T) {
	compile := func(precision string) *ir.Unit {
		prog, p := loadPlan(t, "examples/llama3.plan", "llama3_70b_h100", "precision="+precision)
		u, diags := passes.Compile(prog, p, passes.Options{DumpTo: io.Discard})
		if u == nil || u.Cost == nil {
			t.Fatalf("%s: %v", precision, diags)
		}
		return u
	}
	bf, f8 := compile("bf16"), compile("fp8")
	dev := bf.Device()
	if dev.PeakFP8 != 1979e12 || dev.PeakBF16 != 989e12 {
		t.Fatalf("h100_sxm peaks: fp8 %g, bf16 %g", dev.PeakFP8, dev.PeakBF16)
	}
	wb, w8 := bf.Memory.WorstRank(), f8.Memory.WorstRank()
	if w8.Params != 2*wb.Params || w8.Grads != wb.Grads || w8.Optimizer != wb.Optimizer {
		t.Errorf("memory: bf16 params %g grads %g optim %g; fp8 %g %g %g", wb.Params, wb.Grads, wb.Optimizer, w8.Params, w8.Grads, w8.Optimizer)
	}
	t.Logf("step %.3f s (bf16) → %.3f s (fp8); weights %.2f → %.2f GiB", bf.Cost.StepTime, f8.Cost.StepTime, wb.Params/(1<<30), w8.Params/(1<<30))
	if !(f8.Cost.StepTime < bf.Cost.StepTime) {
		t.Errorf("fp8 step %.3f s is not faster than bf16 %.3f s", f8.Cost.StepTime, bf.Cost.StepTime)
	}
}
