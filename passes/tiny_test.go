package passes_test

import (
	"fmt"

	"planc/ir"
)

// tinyCase is a plan of a tiny model, derived from the serial plans of
// examples/tiny_gpt.plan and examples/tiny_moe.plan.
type tinyCase struct {
	name   string
	file   string
	plan   string
	golden bool // pinned by a golden file
	set    func(*ir.Plan)
}

func model(name string) func(*ir.Plan, *ir.Program) {
	return func(p *ir.Plan, prog *ir.Program) { p.Model = prog.Models[name] }
}

const (
	gptFile = "examples/tiny_gpt.plan"
	moeFile = "examples/tiny_moe.plan"
)

func tinyCases() []tinyCase {
	cases := []tinyCase{
		{"gpt_serial", gptFile, "tiny_gpt_serial", true, nil},
		{"gpt_dp2_tp2", gptFile, "tiny_gpt_serial", true, func(p *ir.Plan) { p.DP, p.TP = 2, 2 }},
		{"gpt_pp2_tied", gptFile, "tiny_gpt_serial", true, func(p *ir.Plan) { p.PP = 2 }},
		{"gpt_tp2_sp_dp2_zero3", gptFile, "tiny_gpt_serial", false, func(p *ir.Plan) { p.DP, p.TP, p.SP, p.Zero = 2, 2, true, 3 }},
		{"gpt_pp2_interleaved", gptFile, "tiny_gpt_serial", false, func(p *ir.Plan) { p.PP, p.VPP, p.Schedule = 2, 2, "interleaved" }},
		{"moe_serial", moeFile, "tiny_moe_serial", true, nil},
		{"moe_dp2_ep2", moeFile, "tiny_moe_serial", true, func(p *ir.Plan) { p.DP, p.EP = 2, 2 }},
		{"moe_dp2_tp2", moeFile, "tiny_moe_serial", true, func(p *ir.Plan) { p.DP, p.TP = 2, 2 }},
		{"moe_pp2", moeFile, "tiny_moe_serial", true, func(p *ir.Plan) { p.PP = 2 }},
		{"moe_dp2_ep2_capacity", moeFile, "tiny_moe_serial", true, func(p *ir.Plan) { p.DP, p.EP, p.MoE.Dispatch = 2, 2, "capacity" }},
		{"moe_dp4_ep2_zero2", moeFile, "tiny_moe_serial", false, func(p *ir.Plan) { p.DP, p.EP, p.Zero = 4, 2, 2 }},
		{"moe_tp2_sp_dp2_ep2_capacity", moeFile, "tiny_moe_serial", false, func(p *ir.Plan) {
			p.TP, p.SP, p.DP, p.EP, p.MoE.Dispatch = 2, true, 2, 2, "capacity"
		}},
		{"moe_pp2_vpp2_zero3_dp2_full", moeFile, "tiny_moe_serial", false, func(p *ir.Plan) {
			p.PP, p.VPP, p.Schedule, p.Zero, p.DP, p.Recompute, p.GlobalBatch = 2, 2, "interleaved", 3, 2, "full", 16
		}},
		{"gpt_cp2_ulysses_tp2_sp_selective", gptFile, "tiny_gpt_serial", false, func(p *ir.Plan) {
			p.CP, p.TP, p.SP, p.CPMode, p.Recompute = 2, 2, true, "ulysses", "selective"
		}},
	}
	for _, mode := range ir.CPModes {
		mode := mode
		cases = append(cases, tinyCase{"gpt_cp2_" + string(mode), gptFile, "tiny_gpt_serial", mode == ir.CPLSS, func(p *ir.Plan) { p.CP, p.DP, p.CPMode = 2, 2, mode }})
	}
	return cases
}

// tinyExtra are models without an example plan of their own here, run on
// tiny_gpt_serial's settings: phantom FFNs and deep FFN networks.
var tinyExtra = []struct {
	name, model string
	tp          int
}{
	{"phantom_gpt_tp2", "tiny_phantom_gpt", 2},
	{"mlp_tp2", "tiny_mlp", 2},
	{"phantom_mlp_tp2", "tiny_phantom_mlp", 2},
	{"phantom_mlp_tp1", "tiny_phantom_mlp", 1},
	{"phantom_gpt_tp1", "tiny_phantom_gpt", 1},
	{"mlp_serial", "tiny_mlp", 1},
}

func tinyGrid() []variant {
	var out []variant
	for _, c := range tinyCases() {
		out = append(out, variant{c.file, c.plan + "/" + c.name, c.set})
	}
	for _, x := range tinyExtra {
		x := x
		out = append(out, variant{gptFile, "tiny_gpt_serial/" + x.name, func(p *ir.Plan) {
			p.Model = stdModels[x.model]
			p.TP = x.tp
		}})
	}
	return out
}

// stdModels holds the tiny models (loaded once by TestMain).
var stdModels = map[string]*ir.Model{}

var _ = fmt.Sprint
