package exec

import (
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestExecutedKinds: every registered op kind is either executed by this
// runtime or refused with the op named; today that refuses only silu.
func TestExecutedKinds(t *testing.T) {
	for _, k := range ir.OpKinds {
		if _, ok := executed[k]; !ok && k != ir.OpSiLU {
			t.Errorf("op kind %s is registered but neither executed here nor expected to be refused", k)
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
	// A unit whose FFN activation is silu (no model family emits it yet).
	for _, o := range u.Graph.Stages[0].Ops {
		if o.Kind == ir.OpGeLU {
			o.Kind = ir.OpSiLU
			break
		}
	}
	_, err := NewTrainer(Config{Plan: p, Unit: u, Steps: 1})
	if err == nil || !strings.Contains(err.Error(), "l0.gelu of stage 0 is a silu") {
		t.Errorf("NewTrainer on a unit with a silu op: %v; want a refusal naming the op", err)
	}
}
