package export_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"planc/codegen/export"
	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// featureCase is one plan variant and the warnings each target must give
// for it (target → plan fields), so that no setting is dropped silently.
type featureCase struct {
	file, plan string
	set        []string
	warn       map[export.Target][]string
}

var (
	mg, ds, tt = export.Megatron, export.DeepSpeed, export.TorchTitan
)

var featureCases = []featureCase{
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"tp=2", "sp=true"}, nil},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"tp=2"}, map[export.Target][]string{tt: {"sp"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"pp=2"}, nil},
	// A large vocabulary makes the head's stage heavy: planc's partition is
	// uneven (5, 1, 1, 1 layers), which DeepSpeed's even split and
	// torchtitan's command line cannot follow.
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"pp=4", "model.vocab=20000", "model.layers=8", "global_batch=8"}, map[export.Target][]string{ds: {"pp"}, tt: {"pp"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"pp=2", "vpp=2", "schedule=interleaved"}, map[export.Target][]string{ds: {"schedule"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"pp=2", "schedule=gpipe"}, map[export.Target][]string{mg: {"schedule"}, ds: {"schedule"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"pp=2", "schedule=zb-h1"}, map[export.Target][]string{mg: {"schedule"}, tt: {"schedule"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"pp=2", "tp=2", "sp=true", "schedule=zb-h1"}, map[export.Target][]string{mg: {"schedule"}, ds: {"sp"}, tt: {"schedule"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"pp=2", "vpp=2", "schedule=zb-v"}, map[export.Target][]string{mg: {"schedule"}, ds: {"schedule"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"cp=2", "cp_mode=ring"}, map[export.Target][]string{ds: {"cp_mode"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"cp=2", "cp_mode=allgather"}, map[export.Target][]string{ds: {"cp_mode"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"cp=2", "cp_mode=ulysses"}, map[export.Target][]string{tt: {"cp_mode"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"cp=2", "cp_mode=lss"}, map[export.Target][]string{mg: {"cp_mode"}, ds: {"cp_mode"}, tt: {"cp_mode"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"dp=2", "zero=1"}, map[export.Target][]string{tt: {"zero"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"dp=2", "zero=2"}, map[export.Target][]string{tt: {"zero"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"dp=2", "zero=3"}, nil},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"dp=2", "pp=2", "zero=2"}, map[export.Target][]string{ds: {"zero"}, tt: {"zero"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"dp=2", "pp=2", "zero=1"}, map[export.Target][]string{ds: {"pp"}, tt: {"zero"}}},
	{"tiny_moe.plan", "tiny_moe_serial", []string{"dp=2", "ep=2", "zero=3"}, map[export.Target][]string{ds: {"zero"}}},
	{"tiny_moe.plan", "tiny_moe_serial", []string{"cp=4", "ep=2", "zero=3"}, map[export.Target][]string{tt: {"ep"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"recompute=selective"}, map[export.Target][]string{tt: {"recompute"}}},
	{"tiny_gpt.plan", "tiny_gpt_serial", []string{"recompute=full", "precision=fp16"}, map[export.Target][]string{tt: {"precision"}}},
	{"tiny_moe.plan", "tiny_moe_serial", []string{"dp=2", "ep=2"}, map[export.Target][]string{ds: {"moe.dispatch", "model.moe.shared"}}},
	{"tiny_moe.plan", "tiny_moe_serial", []string{"dp=2", "ep=2", "moe.dispatch=capacity"}, map[export.Target][]string{tt: {"moe.dispatch"}}},
	{"tiny_moe.plan", "tiny_moe_serial", []string{"tp=2", "dp=2", "ep=2", "sp=true"}, nil},
	{"tiny_moe.plan", "tiny_moe_serial", []string{"tp=2", "dp=2", "ep=2"}, map[export.Target][]string{mg: {"sp"}, tt: {"sp"}}},
	{"tiny_moe.plan", "tiny_moe_serial", []string{"tp=2", "ep=2", "sp=true", "moe.ssmb=true"}, map[export.Target][]string{mg: {"moe.ssmb"}, ds: {"moe.ssmb"}, tt: {"moe.ssmb"}}},
	{"rbd.plan", "rbd_tiny_moe_4nodes", nil, map[export.Target][]string{mg: {"moe.rbd"}, ds: {"moe.rbd"}, tt: {"moe.rbd"}}},
	{"phantom_cpu.plan", "phantom_tiny_gpt", nil, map[export.Target][]string{mg: {"model.ffn_kind"}, ds: {"model.ffn_kind"}, tt: {"model.ffn_kind"}}},
}

// TestFeatureWarnings compiles plan variants that use each technique and
// checks that every target warns for what it cannot express, emits only
// known names, and passes the plan's parallel degrees through.
func TestFeatureWarnings(t *testing.T) {
	lists := map[string]map[string]bool{}
	for _, f := range []string{"megatron-lm.txt", "megatron-deepspeed.txt", "deepspeed.txt", "torchtitan-v0.2.txt", "torchtitan-cli.txt"} {
		lists[f] = knownNames(t, f)
	}
	for _, c := range featureCases {
		t.Run(c.plan+"/"+strings.Join(c.set, ","), func(t *testing.T) {
			prog, diags := lang.Load([]string{"../../examples/" + c.file}, lang.Options{Overrides: c.set})
			if diags.HasErrors() {
				t.Fatal(ir.RenderAll(diags, prog.Sources))
			}
			p := prog.Plan(c.plan)
			u, diags := passes.Compile(prog, p, passes.Options{})
			if diags.HasErrors() {
				t.Fatal(ir.RenderAll(diags, prog.Sources))
			}
			for _, target := range export.Targets {
				r, err := export.Export(u, target)
				if err != nil {
					t.Fatal(err)
				}
				var fields []string
				for _, w := range r.Warnings {
					fields = append(fields, w.Field)
				}
				for _, f := range c.warn[target] {
					if !slices.Contains(fields, f) {
						t.Errorf("--to %s: no warning for %s (warnings: %v)", target, f, fields)
					}
				}
				checkNames(t, lists, r)
				checkDegrees(t, u.Plan, r)
			}
		})
	}
}

func checkNames(t testing.TB, lists map[string]map[string]bool, r *export.Result) {
	t.Helper()
	check := func(list string, names []string) {
		for _, n := range names {
			if !lists[list][n] {
				t.Errorf("--to %s: %q is not in %s", r.Target, n, list)
			}
		}
	}
	switch r.Target {
	case export.Megatron:
		check("megatron-lm.txt", r.Flags)
		checkArgKinds(t, "--to megatron", knownSpecs(t, "megatron-lm.txt"), r.Argv)
	case export.DeepSpeed:
		check("megatron-deepspeed.txt", r.Flags)
		checkArgKinds(t, "--to deepspeed", knownSpecs(t, "megatron-deepspeed.txt"), r.Argv)
		check("deepspeed.txt", dottedParts(r.Keys))
	case export.TorchTitan:
		check("torchtitan-v0.2.txt", r.Keys)
		check("torchtitan-cli.txt", r.CLIKeys)
	}
}

// checkDegrees: tp and pp reach every target as written in the plan.
func checkDegrees(t testing.TB, p *ir.Plan, r *export.Result) {
	t.Helper()
	var want []string
	switch r.Target {
	case export.Megatron:
		want = []string{fmt.Sprintf("  --tensor-model-parallel-size %d\n", p.TP), fmt.Sprintf("  --pipeline-model-parallel-size %d\n", p.PP)}
		if p.EP > 1 {
			want = append(want, fmt.Sprintf("  --expert-model-parallel-size %d\n", p.EP))
		}
		if p.CP > 1 {
			want = append(want, fmt.Sprintf("  --context-parallel-size %d\n", p.CP))
		}
	case export.DeepSpeed:
		want = []string{fmt.Sprintf("  --tensor-model-parallel-size %d\n", p.TP), fmt.Sprintf(`"train_batch_size": %d,`, p.GlobalBatch)}
		if p.EP > 1 {
			want = append(want, fmt.Sprintf("  --moe-expert-parallel-size %d\n", p.EP))
		}
	case export.TorchTitan:
		want = []string{fmt.Sprintf("tensor_parallel_degree = %d\n", p.TP), fmt.Sprintf("pipeline_parallel_degree = %d\n", p.PP),
			fmt.Sprintf("context_parallel_degree = %d\n", p.CP), fmt.Sprintf("  --parallelism.tensor_parallel_degree %d\n", p.TP)}
	}
	for _, s := range want {
		if !strings.Contains(r.Script, s) {
			t.Errorf("--to %s: the script lacks %q", r.Target, strings.TrimSpace(s))
		}
	}
}

// TestKVHeadsSplitOverTP: Megatron-Core and Megatron-DeepSpeed divide
// the key/value heads (query groups) over tp and stop at startup unless tp
// divides them, so with tp above tiny_llama's 2 key/value heads both
// exports write one head per tp rank (the same per-rank shapes) and warn
// at kv_heads; at tp 1 and 2 they write the model's heads and say nothing
// of them.
func TestKVHeadsSplitOverTP(t *testing.T) {
	flags := map[export.Target]string{mg: "--num-query-groups", ds: "--num-key-value-heads"}
	for _, c := range []struct {
		tp, heads int
		warn      bool
	}{{1, 2, false}, {2, 2, false}, {4, 4, true}} {
		t.Run(fmt.Sprint("tp=", c.tp), func(t *testing.T) {
			set := []string{fmt.Sprintf("tp=%d", c.tp)}
			prog, diags := lang.Load([]string{"../../examples/tiny_llama.plan"}, lang.Options{Overrides: set})
			if diags.HasErrors() {
				t.Fatal(ir.RenderAll(diags, prog.Sources))
			}
			u, diags := passes.Compile(prog, prog.Plan("tiny_llama_serial"), passes.Options{})
			if diags.HasErrors() {
				t.Fatal(ir.RenderAll(diags, prog.Sources))
			}
			if kv := u.Plan.Model.KV(); kv != 2 {
				t.Fatalf("tiny_llama has %d key/value heads; the cases assume 2", kv)
			}
			for target, flag := range flags {
				r, err := export.Export(u, target)
				if err != nil {
					t.Fatal(err)
				}
				if want := fmt.Sprintf("  %s %d\n", flag, c.heads); !strings.Contains(r.Script, want) {
					t.Errorf("--to %s, tp %d: the script lacks %q", target, c.tp, want)
				}
				var got []export.Warning
				for _, w := range r.Warnings {
					if w.Field == "model.kv_heads" {
						got = append(got, w)
					}
				}
				if c.warn != (len(got) == 1) {
					t.Fatalf("--to %s, tp %d: warnings at model.kv_heads %v, want one: %v", target, c.tp, got, c.warn)
				}
				if c.warn && !strings.Contains(got[0].Message, flag+" % tp == 0") {
					t.Errorf("--to %s: warning %q does not say why", target, got[0].Message)
				}
			}
		})
	}
}
