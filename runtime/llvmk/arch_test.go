//go:build planc_llvm

package llvmk

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"planc/codegen/llvm"
	"planc/runtime/kernels"
)

// TestArchHostKernelsMatchGoKernels runs the generated kernels of today's
// architectures against the Go kernels, at tiny_llama/tiny_deepseek-like
// shapes, within the package's tolerance.
func TestArchHostKernelsMatchGoKernels(t *testing.T) {
	const T, H, F = 128, 64, 96
	gqa := kernels.GroupedAttnShape{AttnShape: kernels.AttnShape{Batch: 2, Heads: 4, Tq: 32, Tk: 32, D: 16, Causal: true}, KVHeads: 2}
	mla := kernels.GroupedAttnShape{AttnShape: kernels.AttnShape{Batch: 2, Heads: 2, Tq: 32, Tk: 32, D: 24, QOffset: 32, KOffset: 16, Causal: true}, DV: 16}
	ropeShape := kernels.RoPEShape{Batch: 2, Heads: 4, T: 32, D: 24, Rotary: 8}
	routers := []kernels.RouterSpec{
		{Experts: 16, TopK: 4, Score: kernels.ScoreSigmoid, Normalize: true, Groups: 4, TopKGroups: 2},
		{Experts: 16, TopK: 2, Score: kernels.ScoreSoftmax, Groups: 4, TopKGroups: 1},
		{Experts: 8, TopK: 2, Score: kernels.ScoreSigmoid},
	}
	specs := []llvm.Spec{
		llvm.RMSNormFwd{Rows: T, Width: H, Eps: 1e-6}, llvm.RMSNormBwdData{Rows: T, Width: H}, llvm.RMSNormBwdParams{Rows: T, Width: H},
		llvm.GLUFwd{Rows: T, F: F, Act: llvm.SwiGLU}, llvm.GLUBwd{Rows: T, F: F, Act: llvm.SwiGLU},
		llvm.GLUFwd{F: F, Act: llvm.GeGLU}, llvm.GLUBwd{F: F, Act: llvm.GeGLU},
		llvm.RoPEFwd{RoPE: rope(ropeShape)}, llvm.RoPEBwd{RoPE: rope(ropeShape)},
	}
	for _, s := range []kernels.GroupedAttnShape{gqa, mla} {
		a, _ := grouped(s)
		specs = append(specs, llvm.GroupedAttentionFwd{GroupedAttention: a}, llvm.GroupedAttentionBwdQ{GroupedAttention: a}, llvm.GroupedAttentionBwdKV{GroupedAttention: a})
	}
	for _, rs := range routers {
		spec := routerScored(T, rs)
		bwd := spec
		bwd.Groups, bwd.TopKGroups = 0, 0
		specs = append(specs, spec, llvm.RouterScoredBwd{RouterScored: bwd})
	}
	specs = append(specs, llvm.BalanceBias{Experts: 16, Rate: 0.001})
	lib, err := Load("arch", specs)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	r := rand.New(rand.NewPCG(3, 4))
	check := func(t *testing.T, f0 int64, pairs ...any) {
		t.Helper()
		if f := lib.Fallbacks() - f0; f != 0 {
			t.Fatalf("%d calls fell back to the Go kernels", f)
		}
		for i := 0; i < len(pairs); i += 3 {
			name, got, want := pairs[i].(string), pairs[i+1].([]float32), pairs[i+2].([]float32)
			if e := relErr(got, want); e > tol || e != e {
				t.Errorf("%s: relative error %.3e > %.0e", name, e, tol)
			} else {
				t.Logf("%-8s rel err %.2e", name, e)
			}
		}
	}
	t.Run("rmsnorm", func(t *testing.T) {
		x, g := randVec(r, T*H, 2), randVec(r, H, 1)
		y1, s1, y2, s2 := make([]float32, T*H), make([]float32, T), make([]float32, T*H), make([]float32, T)
		f0 := lib.Fallbacks()
		lib.RMSNormForward(y1, s1, x, g, T, H, 1e-6)
		kernels.RMSNormForward(y2, s2, x, g, T, H, 1e-6)
		dy, dx0, dg0 := randVec(r, T*H, 1), randVec(r, T*H, 1), randVec(r, H, 1)
		dx1, dg1, dx2, dg2 := clone(dx0), clone(dg0), clone(dx0), clone(dg0)
		lib.RMSNormBackward(dx1, dg1, dy, x, s2, g, T, H)
		kernels.RMSNormBackward(dx2, dg2, dy, x, s2, g, T, H)
		check(t, f0, "y", y1, y2, "rstd", s1, s2, "dx", dx1, dx2, "dgamma", dg1, dg2)
	})
	for _, act := range []kernels.GLUActivation{kernels.SwiGLU, kernels.GeGLU} {
		t.Run("glu_"+act.String(), func(t *testing.T) {
			x := randVec(r, T*2*F, 3)
			y1, y2 := make([]float32, T*F), make([]float32, T*F)
			f0 := lib.Fallbacks()
			lib.GLUForward(y1, x, T, F, act)
			kernels.GLUForward(y2, x, T, F, act)
			dy, dx0 := randVec(r, T*F, 1), randVec(r, T*2*F, 1)
			dx1, dx2 := clone(dx0), clone(dx0)
			lib.GLUBackward(dx1, dy, x, T, F, act)
			kernels.GLUBackward(dx2, dy, x, T, F, act)
			check(t, f0, "y", y1, y2, "dx", dx1, dx2)
		})
	}
	t.Run("rope", func(t *testing.T) {
		s := ropeShape
		n := s.Batch * s.Heads * s.T * s.D
		pos := make([]int32, s.T)
		for i := range pos {
			pos[i] = int32(100 + 3*i) // a segment's global positions
		}
		cos, sin := kernels.RoPETable(pos, s.Rotary, 10000)
		x := randVec(r, n, 1)
		y1, y2 := make([]float32, n), make([]float32, n)
		f0 := lib.Fallbacks()
		lib.RoPEForward(y1, x, cos, sin, s)
		kernels.RoPEForward(y2, x, cos, sin, s)
		inPlace := clone(x)
		lib.RoPEForward(inPlace, inPlace, cos, sin, s)
		dy, dx0 := randVec(r, n, 1), randVec(r, n, 1)
		dx1, dx2 := clone(dx0), clone(dx0)
		lib.RoPEBackward(dx1, dy, cos, sin, s)
		kernels.RoPEBackward(dx2, dy, cos, sin, s)
		check(t, f0, "y", y1, y2, "in place", inPlace, y2, "dx", dx1, dx2)
	})
	for name, s := range map[string]kernels.GroupedAttnShape{"gqa": gqa, "mla_block": mla} {
		t.Run("attention_"+name, func(t *testing.T) {
			a, _ := grouped(s)
			nq, nk, nv, no := s.Batch*s.Heads*s.Tq*s.D, s.Batch*a.KVHeads*s.Tk*s.D, s.Batch*a.KVHeads*s.Tk*a.DV, s.Batch*s.Heads*s.Tq*a.DV
			q, k, v := randVec(r, nq, 1), randVec(r, nk, 1), randVec(r, nv, 1)
			o1, l1, o2, l2 := make([]float32, no), make([]float32, no/a.DV), make([]float32, no), make([]float32, no/a.DV)
			f0 := lib.Fallbacks()
			lib.GroupedAttentionForward(o1, l1, q, k, v, s)
			kernels.GroupedAttentionForward(o2, l2, q, k, v, s)
			do := randVec(r, no, 1)
			dq1, dk1, dv1 := make([]float32, nq), make([]float32, nk), make([]float32, nv)
			dq2, dk2, dv2 := make([]float32, nq), make([]float32, nk), make([]float32, nv)
			lib.GroupedAttentionBackward(dq1, dk1, dv1, do, q, k, v, o2, l2, s)
			kernels.GroupedAttentionBackward(dq2, dk2, dv2, do, q, k, v, o2, l2, s)
			check(t, f0, "o", o1, o2, "lse", l1, l2, "dq", dq1, dq2, "dk", dk1, dk2, "dv", dv1, dv2)
		})
	}
	t.Run("balance_bias", func(t *testing.T) {
		counts := make([]float64, 16)
		for i := range counts {
			counts[i] = float64(r.IntN(40))
		}
		counts[3] = 0
		b0 := randVec(r, 16, 0.1)
		b1, b2 := clone(b0), clone(b0)
		f0 := lib.Fallbacks()
		lib.BalanceBias(b1, counts, 0.001)
		kernels.BalanceBias(b2, counts, 0.001)
		even := []float64{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5} // at the mean: unchanged
		b3 := clone(b0)
		lib.BalanceBias(b3, even, 0.001)
		check(t, f0, "bias", b1, b2, "balanced", b3, b0)
	})
	for _, rs := range routers {
		t.Run(fmt.Sprintf("router_%s_e%d_k%d_g%d_%d", rs.Score, rs.Experts, rs.TopK, rs.Groups, rs.TopKGroups), func(t *testing.T) {
			logits, bias := randVec(r, T*rs.Experts, 3), randVec(r, rs.Experts, 0.2)
			f0 := lib.Fallbacks()
			got := lib.RouteScored(logits, T, rs, bias)
			want := kernels.RouteScored(logits, T, rs, bias)
			for i := range want.Expert {
				if got.Expert[i] != want.Expert[i] {
					t.Fatalf("slot %d: expert %d, want %d", i, got.Expert[i], want.Expert[i])
				}
			}
			dw, dProb, dl0 := randVec(r, T*rs.TopK, 1), randVec(r, rs.Experts, 0.1), randVec(r, T*rs.Experts, 1)
			dl1, dl2 := clone(dl0), clone(dl0)
			lib.RouteScoredBackward(dl1, dw, want, rs.Score, dProb, 0.5)
			kernels.RouteScoredBackward(dl2, dw, want, rs.Score, dProb, 0.5)
			check(t, f0, "probs", got.Probs, want.Probs, "weight", got.Weight, want.Weight, "dlogits", dl1, dl2)
		})
	}
}
