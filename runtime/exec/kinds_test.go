package exec

import (
	"math"
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
	notYet := map[ir.OpKind]bool{}
	for _, k := range ir.OpKinds {
		_, bound := kernelOf(k)
		_, fused := passes.FusedInto(k)
		if !fused && bound == notYet[k] { // a fused kind runs inside its group's kernel
			t.Errorf("op kind %s: kernel bound %v, not executed yet %v: want exactly one", k, bound, notYet[k])
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
	// SiLU has no code in this package: the registry names its Go kernels
	// and the interpreter's generic elementwise kernel runs them. A unit
	// whose first FFN activation is silu trains, to another loss.
	gelu, _ := train(t, p, 1)
	for _, o := range u.Graph.Stages[0].Ops {
		if o.Kind == "made_up" {
			o.Kind = ir.OpSiLU
		}
	}
	tr, err := NewTrainer(Config{Plan: p, Unit: u, Steps: 1})
	if err != nil {
		t.Fatalf("a unit with a silu op: %v", err)
	}
	r, err := tr.Step()
	if err != nil {
		t.Fatal(err)
	}
	if r.Loss == gelu[0] || math.IsNaN(r.Loss) {
		t.Errorf("silu unit's loss %v, gelu's %v: want another finite loss", r.Loss, gelu[0])
	}
}

// TestRefusesArchitecturesItDoesNotRun: a model beyond what the runtime
// executes is refused by Validate (the constraint table's runtime scope)
// before any work, naming each setting; Llama's layout passes.
func TestRefusesArchitecturesItDoesNotRun(t *testing.T) {
	for _, opts := range []string{"tp=2", "tp=4"} { // kv heads split, replicated
		if err := Validate(plan(tinyLlama(), opts)); err != nil {
			t.Fatalf("the Llama layout under %s is refused: %v", opts, err)
		}
	}
	if err := Validate(plan(tinyMLA(), "tp=2 cp=2 dp=2 pp=2")); err != nil {
		t.Fatalf("multi-head latent attention without sp is refused: %v", err)
	}
	if err := Validate(plan(tinyMLA(), "tp=2 sp=true cp=2 dp=2")); err != nil {
		t.Fatalf("multi-head latent attention under sp is refused: %v", err)
	}
	if err := Validate(plan(tinyDeepSeek(), "dp=2 ep=2")); err != nil {
		t.Fatalf("tiny_deepseek is refused: %v", err)
	}
	for _, c := range []struct {
		set  func(m *ir.Model)
		opts string
		want string
	}{
		{func(*ir.Model) {}, "tp=4 cp=2 cp_mode=ulysses", "the one key/value head each tp rank holds"},
	} {
		m := tinyLlama()
		c.set(m)
		err := Validate(plan(m, c.opts))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want a refusal naming %q, got %v", c.want, err)
		}
	}
}
