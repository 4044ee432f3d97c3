package passes_test

import (
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestProgramsVerify: the programs of plans of every layout the runtime
// executes (sp, cp modes, MoE with ssmb and rbd, phantom FFNs under sp,
// mlp under tp, tiny_llama, MLA with and without a query bottleneck) are well-formed; a broken one is caught.
func TestProgramsVerify(t *testing.T) {
	for _, c := range []struct{ file, plan, sets string }{
		{"examples/tiny_gpt.plan", "tiny_gpt_serial", "tp=2 sp=true pp=2"},
		{"examples/tiny_gpt.plan", "tiny_gpt_serial", "cp=2 cp_mode=ulysses"},
		{"examples/tiny_moe.plan", "tiny_moe_serial", "tp=2 ep=2 dp=2 moe.ssmb=true"},
		{"examples/phantom_cpu.plan", "phantom_tiny_gpt", "sp=true"},
		{"examples/tiny_mlp.plan", "tiny_mlp_serial", "tp=2"},
		{"passes/testdata/arch.plan", "tiny_mla_fullq_tp2", "tp=1 sp=false dp=2 cp=2 cp_mode=ring"},
		{"passes/testdata/arch.plan", "tiny_mla_fullq_tp2", "sp=false"},
		{"passes/testdata/arch.plan", "tiny_mla_fullq_tp2", "sp=true cp=2 cp_mode=ulysses"},
		{"passes/testdata/arch.plan", "tiny_deepseek_ep", "sp=true"},
		{"passes/testdata/arch.plan", "tiny_deepseek_ep", "tp=1"},
	} {
		prog, p := loadPlan(t, c.file, c.plan, strings.Fields(c.sets)...)
		u, ds := passes.Compile(prog, p, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
		if ds.HasErrors() {
			t.Fatalf("%s %s: %v", c.file, c.sets, ds)
		}
		if len(u.Programs) != len(u.Graph.Stages) {
			t.Fatalf("%s %s: %d programs for %d stages", c.file, c.sets, len(u.Programs), len(u.Graph.Stages))
		}
		for _, sp := range u.Programs {
			for _, err := range sp.Verify() {
				t.Errorf("%s %s: %v", c.file, c.sets, err)
			}
		}
	}
	broken := &ir.StageProgram{Instrs: []*ir.Instr{{Kind: ir.InstrOp, Op: &ir.Op{Name: "a"}, In: []string{"x"}, Out: []string{"y"}}}}
	if errs := broken.Verify(); len(errs) != 1 || !strings.Contains(errs[0].Error(), "reads x") {
		t.Errorf("a program reading an unwritten value: %v", errs)
	}
}
