//go:build planc_llvm

package llvmk

import (
	"math"
	"math/rand/v2"
	"testing"

	"planc/ir"
	"planc/runtime/kernels"
	"planc/runtime/optim"
)

// block is one pre-LayerNorm transformer block of tiny_gpt's shapes with
// its parameters, trained on a regression target through an Ops.
type block struct {
	T, H, F, B, S, NH, D int
	params               map[string]*optim.State
}

func newBlock(seed uint64) *block {
	bl := &block{T: 512, H: 64, F: 256, B: 8, S: 64, NH: 4, D: 16, params: map[string]*optim.State{}}
	r := rand.New(rand.NewPCG(seed, 1))
	add := func(name string, n int, scale float32, init float32, decay bool) {
		p := make([]float32, n)
		for i := range p {
			p[i] = init + (r.Float32()*2-1)*scale
		}
		bl.params[name] = optim.NewState(p, make([]float32, n), decay)
	}
	H, F := bl.H, bl.F
	add("ln1.g", H, 0, 1, false)
	add("ln1.b", H, 0, 0, false)
	add("qkv.w", H*3*H, 0.1, 0, true)
	add("qkv.b", 3*H, 0.02, 0, false)
	add("proj.w", H*H, 0.1, 0, true)
	add("proj.b", H, 0.02, 0, false)
	add("ln2.g", H, 0, 1, false)
	add("ln2.b", H, 0, 0, false)
	add("fc1.w", H*F, 0.1, 0, true)
	add("fc1.b", F, 0.02, 0, false)
	add("fc2.w", F*H, 0.1, 0, true)
	add("fc2.b", H, 0.02, 0, false)
	return bl
}

func (bl *block) w(n string) []float32 { return bl.params[n].Param }
func (bl *block) g(n string) []float32 { return bl.params[n].Grad }

// step runs forward, MSE loss, backward and one AdamW update through ops
// and returns the loss.
func (bl *block) step(ops Ops, x, target []float32, k int) float64 {
	T, H, F := bl.T, bl.H, bl.F
	as := kernels.AttnShape{Batch: bl.B, Heads: bl.NH, Tq: bl.S, Tk: bl.S, D: bl.D, Causal: true}
	buf := func(n int) []float32 { return make([]float32, n) }
	for _, s := range bl.params {
		clear(s.Grad)
	}
	// Forward.
	ln1, m1, r1 := buf(T*H), buf(T), buf(T)
	ops.LayerNormForward(ln1, m1, r1, x, bl.w("ln1.g"), bl.w("ln1.b"), T, H)
	qkv := buf(T * 3 * H)
	ops.LinearForward(qkv, ln1, bl.w("qkv.w"), bl.w("qkv.b"), T, H, 3*H)
	q, kk, v := buf(T*H), buf(T*H), buf(T*H)
	kernels.SplitQKV(q, kk, v, qkv, bl.B, bl.S, bl.NH, bl.D)
	o, lse := buf(T*H), buf(T*bl.NH)
	ops.AttentionForward(o, lse, q, kk, v, as)
	y := buf(T * H)
	kernels.MergeHeads(y, o, bl.B, bl.S, bl.NH, bl.D)
	x1 := buf(T * H)
	ops.MatMul(x1, y, bl.w("proj.w"), T, H, H, false)
	kernels.AddBias(x1, bl.w("proj.b"), T, H)
	kernels.Add(x1, x)
	ln2, m2, r2 := buf(T*H), buf(T), buf(T)
	ops.LayerNormForward(ln2, m2, r2, x1, bl.w("ln2.g"), bl.w("ln2.b"), T, H)
	u, gu := buf(T*F), buf(T*F)
	ops.LinearForward(u, ln2, bl.w("fc1.w"), bl.w("fc1.b"), T, H, F)
	ops.GeluForward(gu, u)
	out := buf(T * H)
	ops.LinearForward(out, gu, bl.w("fc2.w"), bl.w("fc2.b"), T, F, H)
	kernels.Add(out, x1)
	dout := buf(T * H)
	loss := kernels.MSE(dout, out, target, 1)
	// Backward.
	dx1 := append([]float32(nil), dout...)
	dgu, du := buf(T*F), buf(T*F)
	linearBackward(ops, dgu, bl.g("fc2.w"), bl.g("fc2.b"), dout, gu, bl.w("fc2.w"), T, F, H)
	ops.GeluBackward(du, dgu, u)
	dln2 := buf(T * H)
	linearBackward(ops, dln2, bl.g("fc1.w"), bl.g("fc1.b"), du, ln2, bl.w("fc1.w"), T, H, F)
	ops.LayerNormBackward(dx1, bl.g("ln2.g"), bl.g("ln2.b"), dln2, x1, m2, r2, bl.w("ln2.g"), T, H)
	dy := buf(T * H)
	ops.MatMulTransB(dy, dx1, bl.w("proj.w"), T, H, H, false)
	ops.MatMulTransA(bl.g("proj.w"), y, dx1, H, T, H, true)
	ops.BiasBackward(bl.g("proj.b"), dx1, T, H)
	do := buf(T * H)
	kernels.SplitHeads(do, dy, bl.B, bl.S, bl.NH, bl.D)
	dq, dk, dv := buf(T*H), buf(T*H), buf(T*H)
	ops.AttentionBackward(dq, dk, dv, do, q, kk, v, o, lse, as)
	dqkv := buf(T * 3 * H)
	kernels.JoinQKVGrad(dqkv, dq, dk, dv, bl.B, bl.S, bl.NH, bl.D)
	dln1 := buf(T * H)
	linearBackward(ops, dln1, bl.g("qkv.w"), bl.g("qkv.b"), dqkv, ln1, bl.w("qkv.w"), T, H, 3*H)
	dx := buf(T * H) // the input's gradient is not needed; computed for coverage
	ops.LayerNormBackward(dx, bl.g("ln1.g"), bl.g("ln1.b"), dln1, x, m1, r1, bl.w("ln1.g"), T, H)
	c := optim.Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1}
	for _, s := range bl.params {
		ops.AdamWStep(c, s, k, 3e-3, 1)
	}
	return loss
}

// linearBackward is a dense layer's backward as runtime/exec runs it: the
// input gradient overwrites dx (codegen/llvm generates the overwriting
// product for the plan's layers), the weight and bias gradients add.
func linearBackward(ops Ops, dx, dw, db, dy, x, w []float32, rows, in, out int) {
	ops.MatMulTransB(dx, dy, w, rows, out, in, false)
	ops.LinearBackward(nil, dw, db, dy, x, nil, rows, in, out)
}

// TestTrainingStepsMatch trains one tiny_gpt-shaped block for 10 steps
// with the Go kernels and with the generated kernels, selected through
// Select, and requires the same losses within 1e-4 relative.
func TestTrainingStepsMatch(t *testing.T) {
	p := &ir.Plan{Name: "tiny", Model: tinyPlan(false).Model, DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, MicroBatch: 8}
	gen, closeGen, err := Select(p, true)
	if err != nil {
		t.Fatal(err)
	}
	defer closeGen()
	goOps, _, _ := Select(p, false)
	r := rand.New(rand.NewPCG(3, 4))
	x, target := randVec(r, 512*64, 1), randVec(r, 512*64, 1)
	a, b := newBlock(9), newBlock(9)
	f0 := gen.(*Kernels).Fallbacks()
	for k := 1; k <= 10; k++ {
		lg, lk := a.step(goOps, x, target, k), b.step(gen, x, target, k)
		rel := math.Abs(lg-lk) / math.Abs(lg)
		t.Logf("step %2d: loss Go %.7f  generated %.7f  rel %.1e", k, lg, lk, rel)
		if rel > 1e-4 {
			t.Errorf("step %d: losses differ by %.2e relative", k, rel)
		}
	}
	if f := gen.(*Kernels).Fallbacks() - f0; f != 0 {
		t.Errorf("%d calls fell back to Go kernels", f)
	}
}
