package ir

import (
	"strings"
	"testing"
)

// TestConstraintTable: every rule has a unique name, a predicate and a
// message, a scope, and reads only fields the schema declares.
func TestConstraintTable(t *testing.T) {
	known := map[string]bool{}
	for _, f := range PlanFields {
		known[f.Name] = true
	}
	for _, f := range PlanMoEFields {
		known["moe."+f.Name] = true
	}
	seen := map[string]bool{}
	for _, c := range PlanConstraints {
		if c.Name == "" || seen[c.Name] {
			t.Errorf("rule %q: empty or duplicate name", c.Name)
		}
		seen[c.Name] = true
		if c.Broken == nil || c.Message == nil || c.Scope == 0 {
			t.Errorf("rule %s: needs Broken, Message and a Scope", c.Name)
		}
		for _, f := range append(append([]string(nil), c.Fields...), c.At...) {
			if !known[f] {
				t.Errorf("rule %s: field %q is not a plan field", c.Name, f)
			}
		}
	}
}

func testPlan() *Plan {
	dev := &Device{Name: "d"}
	node := &Node{Name: "n", Device: dev, Devices: 8}
	cl := &Cluster{Name: "c", Node: node, Nodes: 1, PerNode: 8}
	m := &Model{Name: "gpt", Kind: Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4}
	tpSpan := Span{File: "p.plan", Start: Pos{Line: 3, Col: 3}}
	return &Plan{Name: "p", Model: m, Cluster: cl, DP: 4, TP: 2, PP: 1, EP: 1, CP: 1, VPP: 1, GlobalBatch: 8, MicroBatch: 1,
		Schedule: Schedule1F1B, CPMode: CPRing, Recompute: RecomputeNone, Precision: BF16, MoE: MoEPlan{Dispatch: DispatchPaddingFree},
		Auto: map[string]bool{}, FieldSpans: map[string]Span{"tp": tpSpan}}
}

func TestCheckPlan(t *testing.T) {
	for _, c := range []struct {
		name  string
		set   func(*Plan)
		scope Scope
		want  []string // rule names broken, in order
	}{
		{"valid", func(*Plan) {}, ScopeAll, nil},
		{"tp 3", func(p *Plan) { p.TP, p.DP = 3, 1 }, ScopeCompile, []string{"tp-divides-heads"}},
		{"world short of the cluster: the checker only", func(p *Plan) { p.DP = 2 }, ScopeCheck, []string{"world-matches-cluster"}},
		{"world short of the cluster fits", func(p *Plan) { p.DP = 2 }, ScopeCompile | ScopeRuntime, nil},
		{"ring needs 2cp", func(p *Plan) { p.Model.Seq, p.CP, p.DP = 66, 2, 2 }, ScopeAll, []string{"ring-2cp-divides-seq"}},
		{"vpp without a virtual schedule", func(p *Plan) { p.PP, p.VPP, p.DP = 2, 2, 2 }, ScopeCompile, []string{"vpp-needs-virtual-schedule"}},
		{"kv heads split by tp", func(p *Plan) { p.Model.Heads, p.Model.KVHeads, p.TP, p.DP = 8, 4, 2, 4 }, ScopeCompile, nil},
		{"kv heads replicated over tp", func(p *Plan) { p.Model.Heads, p.Model.KVHeads, p.TP, p.DP = 8, 2, 4, 2 }, ScopeCompile, nil},
		{"kv heads neither", func(p *Plan) { p.Model.Heads, p.Model.KVHeads, p.Model.Hidden, p.TP, p.DP = 24, 3, 48, 2, 4 },
			ScopeCompile, []string{"tp-and-kv-heads"}},
		{"llama's layout runs", func(p *Plan) {
			p.Model.Norm, p.Model.Position, p.Model.MLP, p.Model.NoBias = NormRMS, PositionRoPE, MLPSwiGLU, true
		},
			ScopeRuntime, nil},
		{"MLA under tp and sp runs", func(p *Plan) {
			p.Model.MLA = &MLA{KVLoraRank: 8, QKNopeHeadDim: 8, QKRopeHeadDim: 8, VHeadDim: 8}
			p.SP = true
		}, ScopeRuntime, nil},
		{"MLA under tp runs", func(p *Plan) { p.Model.MLA = &MLA{KVLoraRank: 8, QKNopeHeadDim: 8, QKRopeHeadDim: 8, VHeadDim: 8} },
			ScopeRuntime, nil},
		{"gated bias-free experts, sigmoid group-limited routing run", func(p *Plan) {
			p.Model.MLP, p.Model.NoBias = MLPSwiGLU, true
			p.Model.MoE = &MoE{Experts: 4, TopK: 2, ExpertFFN: 8, Every: 1, Router: RouterSigmoid, NormalizeTopK: true, Groups: 2, TopKGroups: 1}
		}, ScopeRuntime, nil},
		{"bias balancing runs", func(p *Plan) {
			p.Model.MoE = &MoE{Experts: 4, TopK: 1, ExpertFFN: 8, Every: 1, BiasBalance: true}
		}, ScopeRuntime, nil},
		{"kv heads replicated: the runtime trains it", func(p *Plan) { p.Model.Heads, p.Model.KVHeads, p.TP, p.DP = 8, 2, 4, 2 }, ScopeRuntime, nil},
		{"kv heads replicated under ulysses", func(p *Plan) {
			p.Model.Heads, p.Model.KVHeads, p.TP, p.CP, p.DP, p.CPMode = 8, 2, 4, 2, 1, CPUlysses
		}, ScopeRuntime, []string{"runtime-ulysses-kv-heads"}},
		{"dropout: the runtime only", func(p *Plan) { p.Model.Dropout = 0.1 }, ScopeRuntime, []string{"runtime-has-no-dropout"}},
		{"dropout is modelled", func(p *Plan) { p.Model.Dropout = 0.1 }, ScopeCheck | ScopeCompile, nil},
		{"head_dim frees hidden from heads", func(p *Plan) { p.Model.Heads, p.Model.HeadDim, p.TP, p.DP = 6, 16, 2, 4 }, ScopeCompile, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := testPlan()
			c.set(p)
			ds := CheckPlan(p, c.scope, nil)
			var got []string
			for _, d := range ds {
				for _, r := range PlanConstraints {
					if r.Scope&c.scope != 0 && r.Broken(p) && r.Message(p) == d.Message {
						got = append(got, r.Name)
					}
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("broken %v, want %v (%v)", got, c.want, ds)
			}
		})
	}
}

// TestCheckPlanSpanAndSkip: a diagnostic points at the field's span and
// carries the suggestion; a rule reading a field still auto is skipped,
// and FirstBroken finds the same rule without building messages.
func TestCheckPlanSpanAndSkip(t *testing.T) {
	p := testPlan()
	p.TP, p.DP = 3, 1
	ds := CheckPlan(p, ScopeCompile, nil)
	if len(ds) == 0 || ds[0].Span != p.FieldSpans["tp"] || !strings.Contains(ds[0].Suggestion, "try tp = ") {
		t.Fatalf("got %+v, want the tp rule at the tp span with a suggestion", ds)
	}
	if r := FirstBroken(p, ScopeCompile, nil); r == nil || r.Name != "tp-divides-heads" {
		t.Errorf("FirstBroken = %v, want tp-divides-heads", r)
	}
	skipTP := func(f string) bool { return f == "tp" }
	for _, d := range CheckPlan(p, ScopeAll, skipTP) {
		if strings.Contains(d.Message, "tp = 3") {
			t.Errorf("rule on auto tp evaluated: %v", d)
		}
	}
}

func TestDivisorsNear(t *testing.T) {
	for _, c := range []struct {
		n, near int
		want    string
	}{{4, 3, "1, 2, 4"}, {96, 5, "3, 4, 6"}, {7, 2, "1, 7"}} {
		if got := DivisorsNear(c.n, c.near); got != c.want {
			t.Errorf("DivisorsNear(%d, %d) = %q, want %q", c.n, c.near, got, c.want)
		}
	}
}
