//go:build planc_llvm

package llvmk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"planc/codegen/llvm"
	"planc/ir"
	"planc/runtime/kernels"
	"planc/runtime/optim"
)

// tol is the largest accepted relative error, max|got-want| / max|want|
// over each output tensor.
const tol = 1e-5

// tinyPlan is tiny_gpt (stdlib/models/tiny.plan) at micro_batch 8, with an
// MoE block (8 experts, top-2, one shared expert) so that the MoE kernels
// are generated too.
func tinyPlan(moe bool) *ir.Plan {
	m := &ir.Model{Name: "tiny_gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 256, TieEmbeddings: true}
	if moe {
		m.MoE = &ir.MoE{Experts: 8, TopK: 2, ExpertFFN: 64, Shared: 1, NormalizeTopK: true}
	}
	return &ir.Plan{Name: "tiny", Model: m, DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, MicroBatch: 8}
}

var lib *Kernels

func TestMain(m *testing.M) {
	// Skip only on a developer's machine; CI (PLANC_CI) installs the tools,
	// so there a missing tool fails the run.
	skip := func(why string) {
		if os.Getenv("PLANC_CI") != "" {
			fmt.Println("FAIL:", why)
			os.Exit(1)
		}
		fmt.Println("SKIP:", why)
		os.Exit(0)
	}
	if ok, why := HostSupported(); !ok {
		skip("host kernels cannot run here: " + why)
	}
	if llvm.FindToolchain().LLC == "" {
		skip("llc is not installed (apt-get install llvm-14; .ci/install-llvm-tools)")
	}
	var specs []llvm.Spec
	for _, moe := range []bool{false, true} {
		s, err := llvm.ForPlan(tinyPlan(moe))
		if err != nil {
			panic(err)
		}
		specs = append(specs, s...)
	}
	// The normalize=false router too.
	specs = append(specs, llvm.RouterTopK{Tokens: 512, Experts: 8, K: 2}, llvm.RouterTopKBwd{RouterTopK: llvm.RouterTopK{Tokens: 512, Experts: 8, K: 2}})
	specs = append(specs, llvm.SiluFwd{N: 4096}, llvm.SiluBwd{N: 4096}, llvm.SiluFwd{}, llvm.SiluBwd{})
	for _, o := range oddMatMuls {
		specs = append(specs, llvm.MatMul{M: o[0], K: o[1], N: o[2], TransA: o[3] == 1, TransB: o[3] == 2, Acc: o[4] == 1})
	}
	for _, a := range offsetAttention {
		specs = append(specs, llvm.AttentionFwd{Attention: a}, llvm.AttentionBwd{Attention: a})
	}
	specs = append(specs, splitSpecs...)
	var err error
	lib, err = Load("tiny", specs)
	if err != nil {
		fmt.Println("FAIL: loading the generated kernels:", err)
		os.Exit(1)
	}
	code := m.Run()
	lib.Close()
	os.Exit(code)
}

func randVec(r *rand.Rand, n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = (r.Float32()*2 - 1) * scale
	}
	return v
}

func clone(v []float32) []float32 { return append([]float32(nil), v...) }

// oddMatMuls are {M, K, N, form (0 nn, 1 tn, 2 nt), acc} shapes that take
// every edge path of the host matmul: rows that do not fill a 6-row tile,
// columns that fill neither 16 nor 8, K that is not a multiple of the
// unrolling nor of the K block (256), N beyond one column block (128).
var oddMatMuls = [][5]int{
	{13, 7, 21, 0, 0}, {13, 7, 21, 1, 1}, {13, 7, 21, 2, 1},
	{5, 300, 3, 0, 1}, {7, 301, 200, 2, 0}, {200, 259, 131, 1, 1}, {1, 1, 1, 0, 0},
}

// offsetAttention are context-parallel problems: a ring block below the
// diagonal (every key visible), a diagonal block, a block in the future
// (no key visible: o = 0, lse = -inf) and an all-gather segment.
var offsetAttention = []llvm.Attention{
	{Batch: 2, Heads: 2, Tq: 32, Tk: 32, D: 16, QOffset: 32, KOffset: 0},
	{Batch: 2, Heads: 2, Tq: 32, Tk: 32, D: 16, QOffset: 32, KOffset: 32},
	{Batch: 2, Heads: 2, Tq: 32, Tk: 32, D: 16, QOffset: 0, KOffset: 32},
	{Batch: 2, Heads: 2, Tq: 32, Tk: 64, D: 16, QOffset: 32, KOffset: 0},
}

func relErr(got, want []float32) float64 {
	var num, den float64
	for i := range want {
		if got[i] == want[i] { // also equal infinities (lse of an empty block)
			continue
		}
		num = max(num, math.Abs(float64(got[i])-float64(want[i])))
		den = max(den, math.Abs(float64(want[i])))
	}
	if den == 0 {
		return num
	}
	return num / den
}

// check compares named outputs and requires that no call fell back.
func check(t *testing.T, fallbacks0 int64, pairs ...any) {
	t.Helper()
	if f := lib.Fallbacks() - fallbacks0; f != 0 {
		t.Fatalf("%d calls fell back to the Go kernels: the generated kernel was not used", f)
	}
	for i := 0; i < len(pairs); i += 3 {
		name, got, want := pairs[i].(string), pairs[i+1].([]float32), pairs[i+2].([]float32)
		e := relErr(got, want)
		t.Logf("%-8s rel err %.2e", name, e)
		if e > tol || math.IsNaN(e) {
			t.Errorf("%s: relative error %.3e > %.0e", name, e, tol)
		}
	}
}

// TestHostKernelsMatchGoKernels: the generated products (every form of a
// training step's, odd shapes, linear layers with bias) against the Go
// kernels.
func TestHostKernelsMatchGoKernels(t *testing.T) {
	const T, H, F, V = 512, 64, 256, 256
	r := rand.New(rand.NewPCG(1, 2))
	matmuls := []struct {
		name    string
		m, k, n int
		form    string // nn, nt, tn
		acc     bool
	}{
		{"qkv_dw", H, T, 3 * H, "tn", true},
		{"proj_dx", T, H, H, "nt", false},
		{"fc2_dx", T, H, F, "nt", false},
		{"logits", T, H, V, "nt", false},
		{"head_dx", T, V, H, "nn", false},
		{"dwte", V, T, H, "tn", true},
		{"fc1_dw", H, T, F, "tn", true},
		{"router", T, H, 8, "nn", false},
		{"expert_dx", 77, 64, H, "nt", true}, // runtime row count
		{"expert_dw", H, 77, 64, "tn", true}, // runtime contraction
	}
	for _, mm := range matmuls {
		t.Run("matmul_"+mm.name, func(t *testing.T) {
			a := randVec(r, mm.m*mm.k, 1)
			b := randVec(r, mm.k*mm.n, 1)
			c0 := randVec(r, mm.m*mm.n, 1)
			got, want := clone(c0), clone(c0)
			f0 := lib.Fallbacks()
			switch mm.form {
			case "nn":
				lib.MatMul(got, a, b, mm.m, mm.k, mm.n, mm.acc)
				kernels.MatMul(want, a, b, mm.m, mm.k, mm.n, mm.acc)
			case "nt":
				lib.MatMulTransB(got, a, b, mm.m, mm.k, mm.n, mm.acc)
				kernels.MatMulTransB(want, a, b, mm.m, mm.k, mm.n, mm.acc)
			case "tn":
				lib.MatMulTransA(got, a, b, mm.m, mm.k, mm.n, mm.acc)
				kernels.MatMulTransA(want, a, b, mm.m, mm.k, mm.n, mm.acc)
			}
			check(t, f0, "c", got, want)
		})
	}
	for _, o := range oddMatMuls {
		t.Run(fmt.Sprintf("matmul_odd_%dx%dx%d_form%d_acc%d", o[0], o[1], o[2], o[3], o[4]), func(t *testing.T) {
			m, k, n, acc := o[0], o[1], o[2], o[4] == 1
			a, b := randVec(r, m*k, 1), randVec(r, k*n, 1)
			c0 := randVec(r, m*n, 1)
			got, want := clone(c0), clone(c0)
			f0 := lib.Fallbacks()
			switch o[3] {
			case 0:
				lib.MatMul(got, a, b, m, k, n, acc)
				kernels.MatMul(want, a, b, m, k, n, acc)
			case 1:
				lib.MatMulTransA(got, a, b, m, k, n, acc)
				kernels.MatMulTransA(want, a, b, m, k, n, acc)
			case 2:
				lib.MatMulTransB(got, a, b, m, k, n, acc)
				kernels.MatMulTransB(want, a, b, m, k, n, acc)
			}
			check(t, f0, "c", got, want)
		})
	}
	for _, lin := range []struct {
		name          string
		rows, in, out int
		dxAdds        bool // the layer's input gradient adds into dx (experts), or overwrites it (dense layers, as runtime/exec runs them)
	}{{"qkv", T, H, 3 * H, false}, {"proj", T, H, H, false}, {"fc1", T, H, F, false}, {"fc2", T, F, H, false}, {"expert_fc1", 77, H, 64, true}} {
		t.Run("linear_"+lin.name, func(t *testing.T) {
			x, w, b := randVec(r, lin.rows*lin.in, 1), randVec(r, lin.in*lin.out, 0.2), randVec(r, lin.out, 1)
			y1, y2 := make([]float32, lin.rows*lin.out), make([]float32, lin.rows*lin.out)
			f0 := lib.Fallbacks()
			lib.LinearForward(y1, x, w, b, lin.rows, lin.in, lin.out)
			kernels.LinearForward(y2, x, w, b, lin.rows, lin.in, lin.out)
			dy := randVec(r, lin.rows*lin.out, 1)
			dx0, dw0, db0 := randVec(r, lin.rows*lin.in, 1), randVec(r, lin.in*lin.out, 1), randVec(r, lin.out, 1)
			dx1, dw1, db1 := clone(dx0), clone(dw0), clone(db0)
			dx2, dw2, db2 := clone(dx0), clone(dw0), clone(db0)
			if lin.dxAdds {
				lib.LinearBackward(dx1, dw1, db1, dy, x, w, lin.rows, lin.in, lin.out)
				kernels.LinearBackward(dx2, dw2, db2, dy, x, w, lin.rows, lin.in, lin.out)
			} else {
				linearBackward(lib, dx1, dw1, db1, dy, x, w, lin.rows, lin.in, lin.out)
				linearBackward(GoOps{}, dx2, dw2, db2, dy, x, w, lin.rows, lin.in, lin.out)
			}
			check(t, f0, "y", y1, y2, "dx", dx1, dx2, "dw", dw1, dw2, "db", db1, db2)
		})
	}
}

// TestHostElementwiseKernelsMatchGoKernels: the generated layernorm, gelu
// and silu against the Go kernels.
func TestHostElementwiseKernelsMatchGoKernels(t *testing.T) {
	const T, H, F = 512, 64, 256
	r := rand.New(rand.NewPCG(1, 2))
	t.Run("layernorm", func(t *testing.T) {
		x, g, b := randVec(r, T*H, 2), randVec(r, H, 1), randVec(r, H, 1)
		y1, m1, s1 := make([]float32, T*H), make([]float32, T), make([]float32, T)
		y2, m2, s2 := make([]float32, T*H), make([]float32, T), make([]float32, T)
		f0 := lib.Fallbacks()
		lib.LayerNormForward(y1, m1, s1, x, g, b, T, H)
		kernels.LayerNormForward(y2, m2, s2, x, g, b, T, H)
		dy := randVec(r, T*H, 1)
		dx0, dg0, db0 := randVec(r, T*H, 1), randVec(r, H, 1), randVec(r, H, 1)
		dx1, dg1, db1 := clone(dx0), clone(dg0), clone(db0)
		dx2, dg2, db2 := clone(dx0), clone(dg0), clone(db0)
		lib.LayerNormBackward(dx1, dg1, db1, dy, x, m2, s2, g, T, H)
		kernels.LayerNormBackward(dx2, dg2, db2, dy, x, m2, s2, g, T, H)
		check(t, f0, "y", y1, y2, "mean", m1, m2, "rstd", s1, s2, "dx", dx1, dx2, "dgamma", dg1, dg2, "dbeta", db1, db2)
	})
	t.Run("gelu", func(t *testing.T) {
		for _, n := range []int{T * F, 77 * 64} { // constant and runtime counts
			x := randVec(r, n, 4)
			y1, y2 := make([]float32, n), make([]float32, n)
			f0 := lib.Fallbacks()
			lib.GeluForward(y1, x)
			kernels.GeluForward(y2, x)
			dy, dx0 := randVec(r, n, 1), randVec(r, n, 1)
			dx1, dx2 := clone(dx0), clone(dx0)
			lib.GeluBackward(dx1, dy, x)
			kernels.GeluBackward(dx2, dy, x)
			check(t, f0, "y", y1, y2, "dx", dx1, dx2)
		}
	})
	t.Run("silu", func(t *testing.T) {
		for _, n := range []int{4096, 77 * 64} { // constant and runtime counts
			x := randVec(r, n, 4)
			y1, y2 := make([]float32, n), make([]float32, n)
			f0 := lib.Fallbacks()
			lib.SiluForward(y1, x)
			kernels.SiluForward(y2, x)
			dy, dx0 := randVec(r, n, 1), randVec(r, n, 1)
			dx1, dx2 := clone(dx0), clone(dx0)
			lib.SiluBackward(dx1, dy, x)
			kernels.SiluBackward(dx2, dy, x)
			check(t, f0, "y", y1, y2, "dx", dx1, dx2)
		}
	})
}

// TestHostAttentionMatchesGoKernels: the generated attention, whole and
// with key blocks at offsets (ring attention), against the Go kernels.
func TestHostAttentionMatchesGoKernels(t *testing.T) {
	const T, H, F = 512, 64, 256
	r := rand.New(rand.NewPCG(1, 2))
	t.Run("attention", func(t *testing.T) {
		s := kernels.AttnShape{Batch: 8, Heads: 4, Tq: 64, Tk: 64, D: 16, Causal: true}
		n := s.Batch * s.Heads * s.Tq * s.D
		q, k, v := randVec(r, n, 1), randVec(r, n, 1), randVec(r, n, 1)
		o1, l1 := make([]float32, n), make([]float32, n/s.D)
		o2, l2 := make([]float32, n), make([]float32, n/s.D)
		f0 := lib.Fallbacks()
		lib.AttentionForward(o1, l1, q, k, v, s)
		kernels.AttentionForward(o2, l2, q, k, v, s)
		do := randVec(r, n, 1)
		g0 := [3][]float32{randVec(r, n, 1), randVec(r, n, 1), randVec(r, n, 1)}
		g1 := [3][]float32{clone(g0[0]), clone(g0[1]), clone(g0[2])}
		g2 := [3][]float32{clone(g0[0]), clone(g0[1]), clone(g0[2])}
		lib.AttentionBackward(g1[0], g1[1], g1[2], do, q, k, v, o2, l2, s)
		kernels.AttentionBackward(g2[0], g2[1], g2[2], do, q, k, v, o2, l2, s)
		check(t, f0, "o", o1, o2, "lse", l1, l2, "dq", g1[0], g2[0], "dk", g1[1], g2[1], "dv", g1[2], g2[2])
	})
	for _, a := range offsetAttention {
		t.Run(fmt.Sprintf("attention_q%d_k%d_qo%d_ko%d", a.Tq, a.Tk, a.QOffset, a.KOffset), func(t *testing.T) {
			s := kernels.AttnShape{Batch: a.Batch, Heads: a.Heads, Tq: a.Tq, Tk: a.Tk, D: a.D, QOffset: a.QOffset, KOffset: a.KOffset, Causal: true}
			nq, nk := a.Batch*a.Heads*a.Tq*a.D, a.Batch*a.Heads*a.Tk*a.D
			q, k, v := randVec(r, nq, 1), randVec(r, nk, 1), randVec(r, nk, 1)
			o1, l1 := make([]float32, nq), make([]float32, nq/a.D)
			o2, l2 := make([]float32, nq), make([]float32, nq/a.D)
			f0 := lib.Fallbacks()
			lib.AttentionForward(o1, l1, q, k, v, s)
			kernels.AttentionForward(o2, l2, q, k, v, s)
			do := randVec(r, nq, 1)
			dq1, dk1, dv1 := make([]float32, nq), make([]float32, nk), make([]float32, nk)
			dq2, dk2, dv2 := make([]float32, nq), make([]float32, nk), make([]float32, nk)
			lib.AttentionBackward(dq1, dk1, dv1, do, q, k, v, o2, l2, s)
			kernels.AttentionBackward(dq2, dk2, dv2, do, q, k, v, o2, l2, s)
			check(t, f0, "o", o1, o2, "lse", l1, l2, "dq", dq1, dq2, "dk", dk1, dk2, "dv", dv1, dv2)
		})
	}
}

// TestHostRoutingAndAdamWMatchGoKernels: the generated router, permute and
// combine (padding-free and capacity with drops) and AdamW against the Go
// kernels.
func TestHostRoutingAndAdamWMatchGoKernels(t *testing.T) {
	const T, H, F = 512, 64, 256
	r := rand.New(rand.NewPCG(1, 2))
	for _, normalize := range []bool{false, true} {
		t.Run(fmt.Sprintf("router_normalize=%v", normalize), func(t *testing.T) {
			logits := randVec(r, T*8, 3)
			f0 := lib.Fallbacks()
			got := lib.Route(logits, T, 8, 2, normalize)
			want := kernels.Route(logits, T, 8, 2, normalize)
			for i := range want.Expert {
				if got.Expert[i] != want.Expert[i] {
					t.Fatalf("slot %d: expert %d, want %d", i, got.Expert[i], want.Expert[i])
				}
			}
			dw := randVec(r, T*2, 1)
			dProb := randVec(r, 8, 0.1)
			dl0 := randVec(r, T*8, 1)
			dl1, dl2 := clone(dl0), clone(dl0)
			lib.RouterBackward(dl1, dw, want, dProb, 0.5)
			kernels.RouterBackward(dl2, dw, want, dProb, 0.5)
			check(t, f0, "probs", got.Probs, want.Probs, "weight", got.Weight, want.Weight, "dlogits", dl1, dl2)
		})
	}
	for _, capacity := range []float64{0, 0.6} { // padding-free, and capacity with drops
		t.Run(fmt.Sprintf("permute_capacity=%v", capacity), func(t *testing.T) {
			rt := kernels.Route(randVec(r, T*8, 3), T, 8, 2, true)
			d := kernels.PaddingFree(rt)
			if capacity > 0 {
				d = kernels.CapacityDispatch(rt, capacity)
				if d.Dropped == 0 {
					t.Fatal("capacity dispatch dropped nothing: the test does not test drops")
				}
			}
			x := randVec(r, T*H, 1)
			b1, b2 := randVec(r, d.Rows*H, 1), make([]float32, d.Rows*H)
			copy(b2, b1)
			f0 := lib.Fallbacks()
			lib.Permute(d, b1, x, H)
			d.Permute(b2, x, H)
			y1, y2 := make([]float32, T*H), make([]float32, T*H)
			lib.Combine(d, y1, b2, H)
			d.Combine(y2, b2, H)
			dy := randVec(r, T*H, 1)
			db0, dw0 := randVec(r, d.Rows*H, 1), randVec(r, T*2, 1)
			db1, dw1, db2, dw2 := clone(db0), clone(dw0), clone(db0), clone(dw0)
			lib.CombineBackward(d, db1, dw1, dy, b2, H)
			d.CombineBackward(db2, dw2, dy, b2, H)
			dx0 := randVec(r, T*H, 1)
			dx1, dx2 := clone(dx0), clone(dx0)
			lib.PermuteBackward(d, dx1, db2, H)
			d.PermuteBackward(dx2, db2, H)
			check(t, f0, "buf", b1, b2, "y", y1, y2, "dbuf", db1, db2, "dweight", dw1, dw2, "dx", dx1, dx2)
		})
	}
	t.Run("adamw", func(t *testing.T) {
		c := optim.Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1}
		const n = 10007
		p := randVec(r, n, 0.1)
		s1 := optim.NewState(clone(p), nil, true)
		s2 := optim.NewState(clone(p), nil, true)
		f0 := lib.Fallbacks()
		for step := 1; step <= 5; step++ {
			g := randVec(r, n, 1)
			s1.Grad, s2.Grad = g, g
			lib.AdamWStep(c, s1, step, 3e-3, 0.7)
			c.Step(s2, step, 3e-3, 0.7)
		}
		check(t, f0, "param", s1.Param, s2.Param, "m", s1.M, s2.M, "v", s1.V, s2.V)
	})
}

// TestGPUItemCodeOnTheCPU runs the per-item code of the GPU matmul (one
// output element per work-item) and of the GPU attention (one query per
// work-item: the fused backward with its atomic additions, and the query
// and key/value pair) in a host loop and checks it against the Go kernels,
// so the arithmetic of the GPU kernels is checked here even without a GPU
// (the other GPU kernels share their per-item code with the host kernels
// tested above).
func TestGPUItemCodeOnTheCPU(t *testing.T) {
	tg, _ := llvm.LookupTarget("x86-64")
	tg.ItemLoop = true
	var specs []llvm.Spec
	specs = append(specs, llvm.SiluFwd{N: 4096}, llvm.SiluBwd{N: 4096}, llvm.SiluFwd{}, llvm.SiluBwd{})
	for _, o := range oddMatMuls {
		specs = append(specs, llvm.MatMul{M: o[0], K: o[1], N: o[2], TransA: o[3] == 1, TransB: o[3] == 2, Acc: o[4] == 1})
	}
	specs = append(specs, llvm.MatMul{M: 64, K: 32, N: 48, Bias: true}, llvm.MatMul{K: 32, N: 48, Bias: true})
	fused, pair := offsetAttention[1], offsetAttention[3]
	specs = append(specs, llvm.AttentionFwd{Attention: fused}, llvm.AttentionBwd{Attention: fused},
		llvm.AttentionFwd{Attention: pair}, llvm.AttentionBwdQ{Attention: pair}, llvm.AttentionBwdKV{Attention: pair})
	items, err := LoadTarget("items", specs, tg)
	if err != nil {
		t.Fatal(err)
	}
	defer items.Close()
	r := rand.New(rand.NewPCG(5, 6))
	for _, o := range oddMatMuls {
		m, k, n, acc := o[0], o[1], o[2], o[4] == 1
		a, b, c0 := randVec(r, m*k, 1), randVec(r, k*n, 1), randVec(r, m*n, 1)
		got, want := clone(c0), clone(c0)
		switch o[3] {
		case 0:
			items.MatMul(got, a, b, m, k, n, acc)
			kernels.MatMul(want, a, b, m, k, n, acc)
		case 1:
			items.MatMulTransA(got, a, b, m, k, n, acc)
			kernels.MatMulTransA(want, a, b, m, k, n, acc)
		case 2:
			items.MatMulTransB(got, a, b, m, k, n, acc)
			kernels.MatMulTransB(want, a, b, m, k, n, acc)
		}
		if e := relErr(got, want); e > tol {
			t.Errorf("%v: relative error %.2e", o, e)
		}
	}
	for _, rows := range []int{64, 37} { // constant rows, runtime rows
		x, w, bias := randVec(r, rows*32, 1), randVec(r, 32*48, 1), randVec(r, 48, 1)
		got, want := make([]float32, rows*48), make([]float32, rows*48)
		items.LinearForward(got, x, w, bias, rows, 32, 48)
		kernels.LinearForward(want, x, w, bias, rows, 32, 48)
		if e := relErr(got, want); e > tol {
			t.Errorf("linear rows %d: relative error %.2e", rows, e)
		}
	}
	for _, a := range []llvm.Attention{fused, pair} {
		checkAttention(t, r, items, a)
	}
	if items.Fallbacks() != 0 {
		t.Errorf("%d calls fell back to the Go kernels", items.Fallbacks())
	}
}

// checkAttention runs attention of shape a forward and backward on lib and
// on the Go kernels, and compares every output.
func checkAttention(t *testing.T, r *rand.Rand, lib *Kernels, a llvm.Attention) {
	t.Helper()
	s := kernels.AttnShape{Batch: a.Batch, Heads: a.Heads, Tq: a.Tq, Tk: a.Tk, D: a.D, QOffset: a.QOffset, KOffset: a.KOffset, Causal: true}
	nq, nk := a.Batch*a.Heads*a.Tq*a.D, a.Batch*a.Heads*a.Tk*a.D
	q, k, v := randVec(r, nq, 1), randVec(r, nk, 1), randVec(r, nk, 1)
	o1, l1 := make([]float32, nq), make([]float32, nq/a.D)
	o2, l2 := make([]float32, nq), make([]float32, nq/a.D)
	f0 := lib.Fallbacks()
	lib.AttentionForward(o1, l1, q, k, v, s)
	kernels.AttentionForward(o2, l2, q, k, v, s)
	do := randVec(r, nq, 1)
	dq1, dk1, dv1 := randVec(r, nq, 1), randVec(r, nk, 1), randVec(r, nk, 1)
	dq2, dk2, dv2 := clone(dq1), clone(dk1), clone(dv1)
	lib.AttentionBackward(dq1, dk1, dv1, do, q, k, v, o2, l2, s)
	kernels.AttentionBackward(dq2, dk2, dv2, do, q, k, v, o2, l2, s)
	check(t, f0, "o", o1, o2, "lse", l1, l2, "dq", dq1, dq2, "dk", dk1, dk2, "dv", dv1, dv2)
}

// splitSpecs are kernels whose calls below split over goroutines: a
// product with a runtime row count that is not a multiple of the
// micro-kernel's rows, a transposed-A one, a transposed-B one (split by
// column blocks, the last one partial), and attention of more work than
// the threshold.
var (
	splitAttention = llvm.Attention{Batch: 4, Heads: 8, Tq: 64, Tk: 64, D: 32}
	splitSpecs     = []llvm.Spec{llvm.MatMul{K: 96, N: 200, Acc: true}, llvm.MatMul{M: 300, N: 200, TransA: true},
		llvm.MatMul{M: 300, K: 96, N: 520, TransB: true}, // parts of column blocks
		llvm.AttentionFwd{Attention: splitAttention}, llvm.AttentionBwd{Attention: splitAttention}}
)

// TestSplitCallsMatchWholeCalls: a call split into item ranges over 2 or 3
// goroutines gives the bits of the same call on one goroutine (each item
// computes the same sums in the same order wherever its range starts).
func TestSplitCallsMatchWholeCalls(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	m, kd, n := 517, 96, 200
	a, b, c0 := randVec(r, m*kd, 1), randVec(r, kd*n, 1), randVec(r, m*n, 1)
	at, bt := randVec(r, 300*kd, 1), randVec(r, kd*200, 1) // Aᵀ·B with A kd×300
	bn := randVec(r, 520*kd, 1)                            // A·Bᵀ with B 520×kd
	sa := splitAttention
	s := kernels.AttnShape{Batch: sa.Batch, Heads: sa.Heads, Tq: sa.Tq, Tk: sa.Tk, D: sa.D, Causal: true}
	nq := sa.Batch * sa.Heads * sa.Tq * sa.D
	q, k, v, do := randVec(r, nq, 1), randVec(r, nq, 1), randVec(r, nq, 1), randVec(r, nq, 1)
	run := func() [][]float32 {
		c, ct := clone(c0), make([]float32, 300*200)
		lib.MatMul(c, a, b, m, kd, n, true)
		lib.MatMulTransA(ct, at, bt, 300, kd, 200, false)
		cn := make([]float32, 300*520)
		lib.MatMulTransB(cn, at, bn, 300, kd, 520, false) // at read as 300×kd
		o, lse := make([]float32, nq), make([]float32, nq/sa.D)
		lib.AttentionForward(o, lse, q, k, v, s)
		dq, dk, dv := make([]float32, nq), make([]float32, nq), make([]float32, nq)
		lib.AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, s)
		return [][]float32{c, ct, cn, o, lse, dq, dk, dv}
	}
	f0 := lib.Fallbacks()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	want := run()
	for _, sym := range lib.syms {
		sym.split = splitChoice{} // exploring: calls alternate whole, split
	}
	for _, procs := range []int{2, 2, 3, 3} {
		runtime.GOMAXPROCS(procs)
		for i, got := range run() {
			for j := range got {
				if math.Float32bits(got[j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("GOMAXPROCS %d: output %d element %d: %v, on one goroutine %v", procs, i, j, got[j], want[i][j])
				}
			}
		}
	}
	if d := lib.Fallbacks() - f0; d != 0 {
		t.Errorf("%d calls fell back to the Go kernels", d)
	}
}
