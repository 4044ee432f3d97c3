package llvm

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"planc/ir"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func tinyModel() *ir.Model {
	return &ir.Model{Name: "tiny_gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 256, TieEmbeddings: true}
}

// testPlans covers a dense plan, tensor parallelism and an MoE plan with
// expert parallelism.
func testPlans() []*ir.Plan {
	dense := &ir.Plan{Name: "tiny_gpt", Model: tinyModel(), DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, MicroBatch: 8}
	tp := *dense
	tp.Name, tp.TP = "tiny_gpt_tp2", 2
	moeModel := tinyModel()
	moeModel.Name = "tiny_moe"
	moeModel.MoE = &ir.MoE{Experts: 8, TopK: 2, ExpertFFN: 64, Shared: 1}
	moe := &ir.Plan{Name: "tiny_moe_ep2", Model: moeModel, DP: 2, TP: 1, PP: 1, EP: 2, CP: 1, MicroBatch: 2}
	ring := *dense
	ring.Name, ring.CP, ring.CPMode, ring.TP, ring.SP = "tiny_gpt_cp2_ring_sp", 2, "ring", 2, true
	return []*ir.Plan{dense, &tp, moe, &ring}
}

func TestPlanShapes(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(p *ir.Plan)
		want    Shapes
		wantErr string
	}{
		{"serial", func(p *ir.Plan) {}, Shapes{MicroBatch: 8, Seq: 64, Tokens: 512, Hidden: 64, Heads: 4, HeadDim: 16, FFN: 256, Vocab: 256, Tied: true}, ""},
		{"tp2 cp2", func(p *ir.Plan) { p.TP, p.CP = 2, 2 }, Shapes{MicroBatch: 8, Seq: 32, Tokens: 256, Hidden: 64, Heads: 2, HeadDim: 16, FFN: 128, Vocab: 128, Tied: true}, ""},
		{"tp3", func(p *ir.Plan) { p.TP = 3 }, Shapes{}, "heads = 4 is not divisible by 3"},
		{"moe ep4", func(p *ir.Plan) {
			p.EP = 4
			p.Model.MoE = &ir.MoE{Experts: 8, TopK: 2, ExpertFFN: 32}
		}, Shapes{MicroBatch: 8, Seq: 64, Tokens: 512, Hidden: 64, Heads: 4, HeadDim: 16, FFN: 256, Vocab: 256, Tied: true,
			MoE: true, Experts: 2, AllExp: 8, TopK: 2, ExpertFFN: 32}, ""},
		{"no micro_batch", func(p *ir.Plan) { p.MicroBatch = 0 }, Shapes{}, "micro_batch is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &ir.Plan{Name: "p", Model: tinyModel(), DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, MicroBatch: 8}
			tt.edit(p)
			got, err := PlanShapes(p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("shapes\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestForPlanCoversEveryOp checks that every plan's kernel list has every
// op of the transformer's forward and backward, the MoE plan's also the
// router and permutation ops, and that the forward GEMMs of each layer have
// the shapes of the plan's split, counted by hand: T = micro_batch·seq/cp
// rows; qkv 64→192/tp and fc1 64→256/tp (column-parallel), out_proj
// 64/tp→64 and fc2 256/tp→64 (row-parallel).
func TestForPlanCoversEveryOp(t *testing.T) {
	dense := []string{"matmul", "bias_grad", "layernorm_fwd", "layernorm_bwd_dx", "layernorm_bwd_dparams", "gelu_fwd", "gelu_bwd",
		"attention_fwd", "attention_bwd", "attention_bwd_q", "attention_bwd_kv", "adamw"}
	moe := []string{"router_topk", "router_topk_bwd", "permute", "permute_bwd", "unpermute", "unpermute_bwd"}
	rows := map[string]int{"tiny_gpt": 8 * 64, "tiny_gpt_tp2": 8 * 64, "tiny_moe_ep2": 2 * 64, "tiny_gpt_cp2_ring_sp": 8 * 64 / 2}
	for _, p := range testPlans() {
		specs, err := ForPlan(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Generate(p.Name, specs, Targets[0])
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, k := range m.Kernels {
			have[k.Op] = true
		}
		want := dense
		if p.Model.MoE != nil {
			want = append(append([]string(nil), dense...), moe...)
		}
		for _, op := range want {
			if !have[op] {
				t.Errorf("%s: no %s kernel", p.Name, op)
			}
		}
		T, tp := rows[p.Name], p.TP
		if T == 0 {
			t.Fatalf("%s: no hand count of its rows", p.Name)
		}
		gemms := map[string]bool{}
		for _, s := range specs {
			gemms[s.Name()] = true
		}
		for _, g := range []MatMul{
			{M: T, K: 64, N: 192 / tp, Bias: true}, // qkv
			{M: T, K: 64 / tp, N: 64, Bias: true},  // out_proj
			{M: T, K: 64, N: 256 / tp, Bias: true}, // fc1
			{M: T, K: 256 / tp, N: 64, Bias: true}, // fc2
		} {
			if !gemms[g.Name()] {
				t.Errorf("%s: no forward GEMM %s (%d×%d·%d×%d)", p.Name, g.Name(), g.M, g.K, g.K, g.N)
			}
		}
	}
}

// TestForPlanMLP checks the kernels of mlp models: every layer's linear
// kernels at the whole width and, with tp, the column- and row-parallel
// widths, GELU at each output width, AdamW; phantom layers get the
// optimizer only.
func TestForPlanMLP(t *testing.T) {
	tests := []struct {
		name  string
		tp    int
		ffn   ir.FFNKind
		want  []Spec
		avoid []Spec
	}{
		{"serial", 1, ir.FFNKind{Kind: "dense"},
			[]Spec{MatMul{M: 4, K: 64, N: 64, Bias: true}, MatMul{M: 64, K: 4, N: 64, TransA: true, Acc: true}, BiasGrad{4, 64}, GeluFwd{256}, AdamW{0.9, 0.95, 1e-8}},
			[]Spec{MatMul{M: 4, K: 64, N: 32, Bias: true}}},
		{"tp2", 2, ir.FFNKind{Kind: "dense"},
			[]Spec{MatMul{M: 4, K: 64, N: 32, Bias: true}, MatMul{M: 4, K: 32, N: 64}, MatMul{M: 4, K: 32, N: 64, TransB: true},
				MatMul{M: 4, K: 64, N: 32, TransB: true}, GeluFwd{128}, GeluBwd{256}, BiasGrad{4, 32}},
			// The input gradients overwrite (runtime/exec's dense layers).
			[]Spec{MatMul{M: 4, K: 64, N: 32, TransB: true, Acc: true}}},
		{"phantom", 2, ir.FFNKind{Kind: "phantom", Parts: 2, K: 8}, []Spec{AdamW{0.9, 0.95, 1e-8}}, []Spec{GeluFwd{128}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &ir.Model{Name: "tiny_mlp", Kind: ir.MLPModel, Width: 64, Depth: 4, FFNKind: tt.ffn}
			specs, err := ForPlan(&ir.Plan{Name: "mlp", Model: m, DP: 1, TP: tt.tp, PP: 1, EP: 1, CP: 1, MicroBatch: 4})
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, s := range specs {
				have[s.Name()] = true
			}
			for _, s := range tt.want {
				if !have[s.Name()] {
					t.Errorf("no %s", s.Name())
				}
			}
			for _, s := range tt.avoid {
				if have[s.Name()] {
					t.Errorf("unexpected %s", s.Name())
				}
			}
		})
	}
	m := &ir.Model{Name: "tiny_mlp", Kind: ir.MLPModel, Width: 64, Depth: 4}
	if _, err := ForPlan(&ir.Plan{Name: "mlp", Model: m, TP: 3, MicroBatch: 4}); err == nil || !strings.Contains(err.Error(), "width = 64 is not divisible by 3") {
		t.Errorf("tp 3 on width 64: error %v", err)
	}
}

// tool returns the path of an LLVM tool or skips the test, saying so.
func tool(t *testing.T, path, name string) string {
	t.Helper()
	if path == "" {
		if os.Getenv("PLANC_CI") != "" {
			t.Fatalf("%s is not installed, and under CI every tool must be (.ci/install-llvm-tools)", name)
		}
		t.Skipf("%s is not installed (CI installs it with .ci/install-llvm-tools)", name)
	}
	return path
}

func runTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return out
}

// checkKernelsDefined checks that what Build made of m defines each of its
// kernels: a symbol of the host object, an entry of the AMDGPU code
// object's metadata, a PTX entry.
func checkKernelsDefined(t *testing.T, tc Toolchain, a Artefacts, m *Module) {
	t.Helper()
	switch m.Target.Kind {
	case Host:
		if a.Object == "" {
			t.Fatalf("no object: %v", a.Notes)
		}
		syms := string(runTool(t, tool(t, findTool("llvm-nm"), "llvm-nm"), "--defined-only", a.Object))
		for _, k := range m.Kernels {
			if !regexp.MustCompile(`(?m) T ` + k.Name + `$`).MatchString(syms) {
				t.Errorf("object does not define %s", k.Name)
			}
		}
	case AMDGPU:
		checkCodeObject(t, tc, a.Code, m)
	case NVPTX:
		ptx, _ := os.ReadFile(a.Code)
		for _, k := range m.Kernels {
			if !regexp.MustCompile(`\.visible \.entry ` + k.Name + `\(`).Match(ptx) {
				t.Errorf("PTX has no entry %s", k.Name)
			}
		}
	}
}

// TestEveryModuleAssemblesAndLowers runs llvm-as and llc on every plan's
// module for every target (sm_90 only with an llc that knows it), links
// the gfx90a object into a code object and checks that its metadata lists
// every kernel with all its arguments.
func TestEveryModuleAssemblesAndLowers(t *testing.T) {
	tc := FindToolchain()
	tool(t, tc.LLVMAs, "llvm-as")
	tool(t, tc.LLC, "llc")
	for _, p := range testPlans() {
		specs, err := ForPlan(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range Targets {
			t.Run(p.Name+"/"+tg.Name, func(t *testing.T) {
				m, err := Generate(p.Name, specs, tg)
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				if ok, why := tc.Lowers(tg); !ok {
					// Still verify the IR; say why there is no object.
					ll := filepath.Join(dir, "m.ll")
					os.WriteFile(ll, []byte(m.LL), 0o644)
					runTool(t, tc.LLVMAs, ll, "-o", os.DevNull)
					skipOrFailInCI(t, "IR verified by llvm-as; not lowered: "+why)
				}
				if tg.Kind == AMDGPU {
					tool(t, tc.LLD, "ld.lld")
					tool(t, tc.ReadELF, "llvm-readelf")
				}
				a, err := Build(m, dir, "m", tc)
				if err != nil {
					t.Fatal(err)
				}
				checkKernelsDefined(t, tc, a, m)
			})
		}
	}
}

// checkCodeObject reads the amdhsa.kernels metadata of a code object and
// compares each kernel's argument names with the module's.
func checkCodeObject(t *testing.T, tc Toolchain, hsaco string, m *Module) {
	t.Helper()
	notes := string(runTool(t, tc.ReadELF, "--notes", hsaco))
	i := strings.Index(notes, "amdhsa.kernels:")
	if i < 0 {
		t.Fatalf("no amdhsa.kernels in the notes of %s", hsaco)
	}
	// Split into one chunk per kernel: each starts with "  - .args:".
	chunks := strings.Split(notes[i:], "\n  - .args:")
	found := map[string][]string{}
	nameRE := regexp.MustCompile(`(?m)^    \.name:\s+(\S+)`)
	argRE := regexp.MustCompile(`(?m)^      (?:-|\s) \.name:\s+(?:!str )?(\S+)`)
	for _, c := range chunks[1:] {
		n := nameRE.FindStringSubmatch(c)
		if n == nil {
			continue
		}
		var args []string
		for _, a := range argRE.FindAllStringSubmatch(c, -1) {
			args = append(args, a[1])
		}
		found[n[1]] = args
	}
	for _, k := range m.Kernels {
		args, ok := found[k.Name]
		if !ok {
			t.Errorf("code object metadata lists no kernel %s", k.Name)
			continue
		}
		var want []string
		for _, p := range k.Params {
			want = append(want, p.Name)
		}
		if strings.Join(args, ",") != strings.Join(want, ",") {
			t.Errorf("%s: metadata arguments %v, want %v", k.Name, args, want)
		}
	}
	t.Logf("%s: amdhsa.kernels lists %d kernels with their arguments", filepath.Base(hsaco), len(found))
	if len(found) != len(m.Kernels) {
		t.Errorf("metadata lists %d kernels, the module has %d", len(found), len(m.Kernels))
	}
}

// TestAssemblyFileCheck pins the key instructions of each target's
// assembly with FileCheck: vector FMAs in the host micro-kernel, global
// loads and kernel descriptors on the GPUs.
func TestAssemblyFileCheck(t *testing.T) {
	tc := FindToolchain()
	tool(t, tc.LLC, "llc")
	fc := tool(t, tc.FileCheck, "FileCheck")
	specs := goldenSpecs()
	for _, tg := range Targets {
		t.Run(tg.Name, func(t *testing.T) {
			if ok, why := tc.Lowers(tg); !ok {
				skipOrFailInCI(t, "not lowered: "+why)
			}
			m, err := Generate("filecheck", specs, tg)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			ll := filepath.Join(dir, "m.ll")
			os.WriteFile(ll, []byte(m.LL), 0o644)
			asm := runTool(t, tc.LLCFor(tg), append(LLCArgs(tg), ll, "-o", "-")...)
			check := filepath.Join("testdata", tg.Name+".check")
			if _, err := os.Stat(check); err != nil {
				t.Fatalf("no check file %s", check)
			}
			cmd := exec.Command(fc, check)
			cmd.Stdin = bytes.NewReader(asm)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("FileCheck %s: %v\n%s", check, err, out)
			}
		})
	}
}

// goldenSpecs is a small set of kernels, one of each kind of code.
func goldenSpecs() []Spec {
	return []Spec{
		MatMul{M: 12, K: 16, N: 24, Bias: true},
		MatMul{M: 12, K: 16, N: 24, TransB: true},
		LayerNormFwd{Rows: 4, Width: 8},
		GeluFwd{N: 32},
		AttentionFwd{Attention{Batch: 1, Heads: 2, Tq: 4, Tk: 4, D: 8}},
		RouterTopK{Tokens: 4, Experts: 4, K: 2},
		Permute{Tokens: 4, K: 2, Width: 8},
		AdamW{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8},
	}
}

// TestGoldenIR pins the emitted IR of goldenSpecs for every target
// (go test ./codegen/llvm -update rewrites testdata/golden.*.ll).
func TestGoldenIR(t *testing.T) {
	for _, tg := range Targets {
		t.Run(tg.Name, func(t *testing.T) {
			m, err := Generate("golden", goldenSpecs(), tg)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden."+tg.Name+".ll")
			if *update {
				if err := os.WriteFile(path, []byte(m.LL), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(want) != m.LL {
				t.Errorf("%s differs from the generated IR; run go test -update and review the diff", path)
			}
		})
	}
}

// skipOrFailInCI skips on a developer's machine that lacks a tool or a
// newer LLVM, saying so; under CI (PLANC_CI set by .ci/run, which installs
// llvm-16 for sm_90) the same gap is a failure.
func skipOrFailInCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("PLANC_CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}
