package passes_test

import (
	"io"
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestOpsFollowTheRegistry: every op the passes build, over plans that
// exercise every op kind and layout, has its kind's registry row: class,
// inputs, saved tensors, weight and bias, and the FLOPs and bytes
// ir.OpCosts derives from the row.
func TestOpsFollowTheRegistry(t *testing.T) {
	cases := []struct {
		file, plan string
		sets       []string
	}{
		{"examples/tiny_gpt.plan", "tiny_gpt_serial", []string{"recompute=selective"}},
		{"examples/tiny_gpt_3d.plan", "tiny_gpt_3d", []string{"sp=true"}},
		{"examples/tiny_moe_ep.plan", "tiny_moe_dp4_ep4", []string{"moe.dispatch=capacity"}},
		{"examples/tiny_moe_ep.plan", "tiny_moe_tp2_ep2_pp2_ssmb", nil},
		{"examples/lss_cpu.plan", "lss_tiny_cp2", []string{"cp_mode=ulysses"}},
		{"examples/phantom_cpu.plan", "phantom_tiny_mlp", nil},
		{"examples/phantom_cpu.plan", "phantom_tiny_gpt", nil},
		{"examples/tiny_mlp.plan", "tiny_mlp_serial", nil},
		{"passes/testdata/arch.plan", "tiny_llama_tp2", []string{"sp=true"}},
		{"passes/testdata/arch.plan", "tiny_llama_tp4", []string{"attention=fused", "recompute=selective"}},
		{"passes/testdata/arch.plan", "tiny_llama_tp2", []string{"attention=fused", "cp=2", "dp=1"}},
		{"passes/testdata/arch.plan", "tiny_deepseek_ep", nil},
		{"passes/testdata/arch.plan", "tiny_deepseek_ep", []string{"sp=true"}},
		{"passes/testdata/arch.plan", "tiny_mla_fullq_tp2", nil},
	}
	seen := map[ir.OpKind]bool{}
	for _, c := range cases {
		prog, p := loadPlan(t, c.file, c.plan, c.sets...)
		u, diags := passes.Compile(prog, p, passes.Options{DumpTo: io.Discard})
		if diags.HasErrors() {
			t.Fatalf("%s %v: %v", c.plan, c.sets, diags)
		}
		elem := float64(u.Plan.Precision.ElemBytes())
		for _, st := range u.Graph.Stages {
			for _, o := range st.Ops {
				seen[o.Kind] = true
				if msg := conforms(o, elem); msg != "" {
					t.Errorf("%s %v: op %s (%s): %s", c.plan, c.sets, o.Name, o.Kind, msg)
				}
			}
		}
	}
	// Kinds registered for model families still to come.
	notBuilt := map[ir.OpKind]string{ir.OpSiLU: "SwiGLU FFNs (no model declares them yet)"}
	for _, k := range ir.OpKinds {
		if !seen[k] && notBuilt[k] == "" {
			t.Errorf("no plan of the table builds an op of kind %s: add one", k)
		}
	}
}

func conforms(o *ir.Op, elem float64) string {
	info := o.Kind.Info()
	if info == nil {
		return "no registry row"
	}
	var bad []string
	if o.Class != info.Class {
		bad = append(bad, "class "+o.Class.String()+", registry "+info.Class.String())
	}
	if n := len(o.Inputs); n < len(info.Inputs) || (n > len(info.Inputs) && !info.Variadic) {
		bad = append(bad, "inputs differ from "+strings.Join(info.Inputs, ","))
	}
	if len(o.Saved) != len(info.Saved) && !(len(o.Saved) == 0 && info.SharedSaved) {
		bad = append(bad, "saved tensors differ from "+strings.Join(info.Saved, ","))
	}
	if (o.Weight != nil) != info.Weight {
		bad = append(bad, "weight presence differs")
	}
	if (o.Bias != nil) != info.Bias && !info.MaybeBias {
		bad = append(bad, "bias presence differs")
	}
	c := ir.OpCosts(o, elem)
	if c.FwdFLOPs != o.FwdFLOPs || c.BwdInputFLOPs != o.BwdInputFLOPs || c.BwdWeightFLOPs != o.BwdWeightFLOPs || c.FwdBytes != o.FwdBytes || c.BwdBytes != o.BwdBytes {
		bad = append(bad, "costs differ from the registry's")
	}
	return strings.Join(bad, "; ")
}

// TestOpsPointAtTheParameterTable: every op with a weight names entries of
// the unit's parameter table, and every entry is read by some op of a
// stage that holds it (the tied embedding by the embedding and the head).
func TestOpsPointAtTheParameterTable(t *testing.T) {
	cases := []struct {
		file, plan string
		sets       []string
	}{
		{"examples/tiny_gpt_3d.plan", "tiny_gpt_3d", nil},
		{"examples/tiny_gpt.plan", "tiny_gpt_serial", []string{"model.tie_embeddings=false"}},
		{"examples/tiny_moe_ep.plan", "tiny_moe_tp2_ep2_pp2_ssmb", nil},
		{"examples/phantom_cpu.plan", "phantom_tiny_mlp", nil},
		{"examples/phantom_cpu.plan", "phantom_tiny_gpt", nil},
		{"examples/phantom_cpu.plan", "phantom_tiny_mlp_dense_tp2", nil},
		{"passes/testdata/arch.plan", "tiny_llama_tp2", nil},
		{"passes/testdata/arch.plan", "tiny_deepseek_ep", nil},
		{"passes/testdata/arch.plan", "tiny_mla_fullq_tp2", nil},
	}
	for _, c := range cases {
		prog, p := loadPlan(t, c.file, c.plan, c.sets...)
		u, diags := passes.Compile(prog, p, passes.Options{DumpTo: io.Discard})
		if diags.HasErrors() {
			t.Fatalf("%s %v: %v", c.plan, c.sets, diags)
		}
		read := map[string]int{}
		for _, st := range u.Graph.Stages {
			info := ir.StageInfo{FirstLayer: st.FirstLayer, EndLayer: st.LastLayer, Embedding: st.Index == 0, Head: st.Index == len(u.Graph.Stages)-1}
			held := map[string]bool{}
			for _, prm := range u.Params.Held(info) {
				held[prm.Name] = true
			}
			for _, o := range st.Ops {
				if (o.Weight != nil || o.Bias != nil) != (len(o.Params) > 0) {
					t.Errorf("%s: op %s: weight %v, parameters %v", c.plan, o.Name, o.Weight != nil, o.Params)
				}
				for _, name := range o.Params {
					if !held[name] {
						t.Errorf("%s: op %s of stage %d reads %s, which the stage does not hold", c.plan, o.Name, st.Index, name)
					}
					read[name]++
				}
			}
		}
		for _, prm := range u.Params {
			if read[prm.Name] == 0 {
				t.Errorf("%s %v: no op reads parameter %s", c.plan, c.sets, prm.Name)
			}
		}
	}
}
