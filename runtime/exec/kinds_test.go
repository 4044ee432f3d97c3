package exec

import (
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestExecutedKinds: every registered op kind has a kernel here, runs
// fused into another kind's, or is one of the kinds of today's
// architectures not executed yet (whose models Validate refuses first); a
// unit holding an op kind with no kernel is refused, the op named.
func TestExecutedKinds(t *testing.T) {
	notYet := map[ir.OpKind]bool{ir.OpRMSNorm: true, ir.OpGLU: true, ir.OpExpertGLU: true,
		ir.OpSharedGLU: true, ir.OpMLADown: true, ir.OpMLAUp: true}
	for _, k := range ir.OpKinds {
		_, bound := opKernels[k]
		_, fused := passes.FusedInto(k)
		if bound == (fused || notYet[k]) {
			t.Errorf("op kind %s: bound %v, fused %v, not executed yet %v: want exactly one", k, bound, fused, notYet[k])
		}
	}
	p := plan(tinyGPT(), "")
	u, diags := passes.Compile(nil, p, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := checkExecutable(u); err != nil {
		t.Fatalf("tiny_gpt's unit: %v", err)
	}
	// A unit whose FFN activation is of a kind with no kernel.
	for _, o := range u.Graph.Stages[0].Ops {
		if o.Kind == ir.OpGeLU {
			o.Kind = "made_up"
			break
		}
	}
	_, err := NewTrainer(Config{Plan: p, Unit: u, Steps: 1})
	if err == nil || !strings.Contains(err.Error(), "l0.gelu of stage 0 is a made_up") {
		t.Errorf("NewTrainer on a unit with an op of no kernel: %v; want a refusal naming the op", err)
	}
}

// TestRefusesArchitecturesItDoesNotRun: a model beyond the GPT layout is
// refused by Validate (the constraint table's runtime scope) before any
// work, naming each setting; the GPT layout passes.
func TestRefusesArchitecturesItDoesNotRun(t *testing.T) {
	gpt := tinyGPT()
	if err := Validate(plan(gpt, "")); err != nil {
		t.Fatalf("the GPT layout is refused: %v", err)
	}
	for _, c := range []struct {
		set  func(m *ir.Model)
		want string
	}{
		{func(m *ir.Model) { m.Norm = ir.NormRMS }, "norm = rmsnorm"},
		{func(m *ir.Model) { m.MLP = ir.MLPSwiGLU }, "mlp = swiglu"},
		{func(m *ir.Model) { m.KVHeads = 2 }, "kv_heads = 2"},
		{func(m *ir.Model) { m.Position = ir.PositionRoPE }, "position = rope"},
		{func(m *ir.Model) { m.NoBias = true }, "no_bias = true"},
		{func(m *ir.Model) { m.MLA = &ir.MLA{KVLoraRank: 8, QKNopeHeadDim: 8, VHeadDim: 8} }, "mla = "},
		{func(m *ir.Model) { m.MoE = &ir.MoE{Experts: 4, TopK: 1, Router: ir.RouterSigmoid} }, "moe.router = sigmoid"},
	} {
		m := *gpt
		c.set(&m)
		err := Validate(plan(&m, ""))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want a refusal naming %q, got %v", c.want, err)
		}
	}
}
