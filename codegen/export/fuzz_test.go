package export_test

import (
	"fmt"
	"testing"

	"planc/codegen/export"
	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// FuzzExport draws plan settings for the tiny dense and MoE models; every
// plan that compiles must export to every target without error, with only
// the engines' known names. Run with `go test ./codegen/export -fuzz FuzzExport`.
func FuzzExport(f *testing.F) {
	f.Add(false, uint8(2), uint8(2), uint8(1), uint8(1), uint8(1), uint8(1), uint8(0), uint8(1), uint8(0), uint8(0), uint8(0), true, false, false)
	f.Add(true, uint8(1), uint8(1), uint8(2), uint8(2), uint8(1), uint8(1), uint8(1), uint8(1), uint8(1), uint8(0), uint8(1), false, false, false)
	f.Add(false, uint8(1), uint8(2), uint8(1), uint8(1), uint8(1), uint8(2), uint8(0), uint8(4), uint8(2), uint8(0), uint8(0), false, false, false)
	f.Add(false, uint8(1), uint8(1), uint8(1), uint8(1), uint8(2), uint8(1), uint8(3), uint8(1), uint8(0), uint8(2), uint8(0), false, false, false)
	f.Add(true, uint8(2), uint8(1), uint8(1), uint8(2), uint8(1), uint8(1), uint8(0), uint8(1), uint8(0), uint8(0), uint8(0), true, true, false)
	lists := map[string]map[string]bool{}
	for _, name := range []string{"megatron-lm.txt", "megatron-deepspeed.txt", "deepspeed.txt", "torchtitan-v0.2.txt", "torchtitan-cli.txt"} {
		lists[name] = knownNames(f, name)
	}
	f.Fuzz(func(t *testing.T, moe bool, tp, pp, dp, ep, cp, vpp, zero, schedule, recompute, cpMode, dispatch uint8, sp, ssmb, rbd bool) {
		file, plan := "tiny_gpt.plan", "tiny_gpt_serial"
		if moe {
			file, plan = "tiny_moe.plan", "tiny_moe_serial"
		}
		pick := func(n uint8, of []string) string { return of[int(n)%len(of)] }
		set := []string{
			fmt.Sprintf("tp=%d", 1+tp%4), fmt.Sprintf("pp=%d", 1+pp%4), fmt.Sprintf("dp=%d", 1+dp%4),
			fmt.Sprintf("cp=%d", 1+cp%2), fmt.Sprintf("vpp=%d", 1+vpp%2), fmt.Sprintf("zero=%d", zero%4),
			"schedule=" + pick(schedule, []string{"gpipe", "1f1b", "interleaved", "zb-h1", "zb-v"}),
			"recompute=" + pick(recompute, []string{"none", "selective", "full"}),
			"cp_mode=" + pick(cpMode, []string{"ring", "ulysses", "lss", "allgather"}),
			fmt.Sprintf("sp=%v", sp), "global_batch=16", "micro_batch=1",
		}
		if moe {
			set = append(set, fmt.Sprintf("ep=%d", 1+ep%4), fmt.Sprintf("moe.ssmb=%v", ssmb), fmt.Sprintf("moe.rbd=%v", rbd),
				"moe.dispatch="+pick(dispatch, []string{"padding_free", "capacity"}))
		}
		prog, diags := lang.Load([]string{"../../examples/" + file}, lang.Options{Overrides: set})
		if diags.HasErrors() {
			return // a setting the checker refuses
		}
		u, diags := passes.Compile(prog, prog.Plan(plan), passes.Options{})
		if diags.HasErrors() || u == nil {
			return
		}
		for _, target := range export.Targets {
			r, err := export.Export(u, target)
			if err != nil {
				t.Fatalf("%v: --to %s: %v", set, target, err)
			}
			checkNames(t, lists, r)
			checkDegrees(t, u.Plan, r)
			if ds := r.Diagnostics(u.Plan); len(ds) != len(r.Warnings) {
				t.Fatalf("%d diagnostics for %d warnings", len(ds), len(r.Warnings))
			}
			for _, d := range r.Diagnostics(u.Plan) {
				if d.Severity != ir.Warning {
					t.Fatalf("a warning became %v", d.Severity)
				}
			}
		}
	})
}
