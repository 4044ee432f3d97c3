//go:build planc_llvm

package llvmk

import (
	"math"
	"runtime"
	"sync"

	"planc/codegen/llvm"
	"planc/runtime/kernels"
	"planc/runtime/optim"
)

// matmul runs C (+)= op(A)·op(B) with a constant-shape kernel, or one with
// a runtime row count (or, for TransA, a runtime contraction length).
func (k *Kernels) matmul(c, a, b []float32, m, kd, n int, transA, transB, acc bool) bool {
	keep, work := []any{c, a, b}, m*kd*n
	if k.callSplit(llvm.MatMul{M: m, K: kd, N: n, TransA: transA, TransB: transB, Acc: acc}, work, keep, f32(a), f32(b), f32(c)) {
		return true
	}
	if !transA && k.callSplit(llvm.MatMul{K: kd, N: n, TransB: transB, Acc: acc}, work, keep, f32(a), f32(b), f32(c), count(m)) {
		return true
	}
	if transA && k.callSplit(llvm.MatMul{M: m, N: n, TransA: true, TransB: transB, Acc: acc}, work, keep, f32(a), f32(b), f32(c), count(kd)) {
		return true
	}
	return false
}

// MatMul is kernels.MatMul: C = A·B, or C += A·B.
func (k *Kernels) MatMul(c, a, b []float32, m, kd, n int, accumulate bool) {
	if m*n == 0 || !k.matmul(c, a, b, m, kd, n, false, false, accumulate) {
		k.fallback("MatMul", m, kd, n)
		kernels.MatMul(c, a, b, m, kd, n, accumulate)
	}
}

// MatMulTransB is kernels.MatMulTransB: C (+)= A·Bᵀ with B n×k.
func (k *Kernels) MatMulTransB(c, a, b []float32, m, kd, n int, accumulate bool) {
	if m*n == 0 || !k.matmul(c, a, b, m, kd, n, false, true, accumulate) {
		k.fallback("MatMulTransB", m, kd, n)
		kernels.MatMulTransB(c, a, b, m, kd, n, accumulate)
	}
}

// MatMulTransA is kernels.MatMulTransA: C (+)= Aᵀ·B with A k×m.
func (k *Kernels) MatMulTransA(c, a, b []float32, m, kd, n int, accumulate bool) {
	if m*n == 0 || kd == 0 || !k.matmul(c, a, b, m, kd, n, true, false, accumulate) {
		k.fallback("MatMulTransA", m, kd, n)
		kernels.MatMulTransA(c, a, b, m, kd, n, accumulate)
	}
}

// LinearForward is kernels.LinearForward: y = x·W + b (b may be nil).
func (k *Kernels) LinearForward(y, x, w, b []float32, rows, in, out int) {
	if b != nil {
		keep, work := []any{y, x, w, b}, rows*in*out
		if k.callSplit(llvm.MatMul{M: rows, K: in, N: out, Bias: true}, work, keep, f32(x), f32(w), f32(b), f32(y)) ||
			k.callSplit(llvm.MatMul{K: in, N: out, Bias: true}, work, keep, f32(x), f32(w), f32(b), f32(y), count(rows)) {
			return
		}
		k.MatMul(y, x, w, rows, in, out, false)
		kernels.AddBias(y, b, rows, out)
		return
	}
	k.MatMul(y, x, w, rows, in, out, false)
}

// LinearBackward is kernels.LinearBackward: dx += dy·Wᵀ, dW += xᵀ·dy,
// db += Σ_rows dy (any of them nil: skipped).
func (k *Kernels) LinearBackward(dx, dw, db, dy, x, w []float32, rows, in, out int) {
	if dx != nil {
		k.MatMulTransB(dx, dy, w, rows, out, in, true)
	}
	if dw != nil {
		k.MatMulTransA(dw, x, dy, in, rows, out, true)
	}
	if db != nil {
		k.BiasBackward(db, dy, rows, out)
	}
}

// BiasBackward is kernels.BiasBackward: db += column sums of dy.
func (k *Kernels) BiasBackward(db, dy []float32, rows, cols int) {
	keep := []any{db, dy}
	if k.call(llvm.BiasGrad{Rows: rows, Width: cols}, keep, f32(dy), f32(db)) ||
		k.call(llvm.BiasGrad{Width: cols}, keep, f32(dy), f32(db), count(rows)) {
		return
	}
	k.fallback("BiasBackward", rows, cols)
	kernels.BiasBackward(db, dy, rows, cols)
}

// LayerNormForward is kernels.LayerNormForward.
func (k *Kernels) LayerNormForward(y, mean, rstd, x, gamma, beta []float32, rows, h int) {
	if !k.call(llvm.LayerNormFwd{Rows: rows, Width: h}, []any{y, mean, rstd, x, gamma, beta},
		f32(x), f32(gamma), f32(beta), f32(y), f32(mean), f32(rstd)) {
		k.fallback("LayerNormForward", rows, h)
		kernels.LayerNormForward(y, mean, rstd, x, gamma, beta, rows, h)
	}
}

// LayerNormBackward is kernels.LayerNormBackward (adds into dx, dgamma,
// dbeta; nil ones are skipped).
func (k *Kernels) LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma []float32, rows, h int) {
	dxOK := dx == nil || k.Has(llvm.LayerNormBwdData{Rows: rows, Width: h})
	dpOK := (dgamma == nil && dbeta == nil) || k.Has(llvm.LayerNormBwdParams{Rows: rows, Width: h})
	if !dxOK || !dpOK {
		k.fallback("LayerNormBackward", rows, h)
		kernels.LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma, rows, h)
		return
	}
	if dx != nil {
		k.call(llvm.LayerNormBwdData{Rows: rows, Width: h}, []any{dy, x, gamma, mean, rstd, dx},
			f32(dy), f32(x), f32(gamma), f32(mean), f32(rstd), f32(dx))
	}
	if dgamma != nil || dbeta != nil {
		if dgamma == nil {
			dgamma = make([]float32, h)
		}
		if dbeta == nil {
			dbeta = make([]float32, h)
		}
		k.call(llvm.LayerNormBwdParams{Rows: rows, Width: h}, []any{dy, x, mean, rstd, dgamma, dbeta},
			f32(dy), f32(x), f32(mean), f32(rstd), f32(dgamma), f32(dbeta))
	}
}

// GeluForward is kernels.GeluForward.
func (k *Kernels) GeluForward(y, x []float32) {
	n := len(y)
	keep := []any{y, x}
	if n == 0 || k.call(llvm.GeluFwd{N: n}, keep, f32(x[:n]), f32(y)) || k.call(llvm.GeluFwd{}, keep, f32(x[:n]), f32(y), count(n)) {
		return
	}
	k.fallback("GeluForward", n)
	kernels.GeluForward(y, x)
}

// SiluForward is kernels.SiluForward (kernels of any count: runtime n).
func (k *Kernels) SiluForward(y, x []float32) {
	n := len(y)
	keep := []any{y, x}
	if n == 0 || k.call(llvm.SiluFwd{N: n}, keep, f32(x[:n]), f32(y)) || k.call(llvm.SiluFwd{}, keep, f32(x[:n]), f32(y), count(n)) {
		return
	}
	k.fallback("SiluForward", n)
	kernels.SiluForward(y, x)
}

// SiluBackward is kernels.SiluBackward: dx += dy·silu'(x).
func (k *Kernels) SiluBackward(dx, dy, x []float32) {
	n := len(dx)
	keep := []any{dx, dy, x}
	if n == 0 || k.call(llvm.SiluBwd{N: n}, keep, f32(x[:n]), f32(dy[:n]), f32(dx)) ||
		k.call(llvm.SiluBwd{}, keep, f32(x[:n]), f32(dy[:n]), f32(dx), count(n)) {
		return
	}
	k.fallback("SiluBackward", n)
	kernels.SiluBackward(dx, dy, x)
}

// GeluBackward is kernels.GeluBackward: dx += dy·gelu'(x).
func (k *Kernels) GeluBackward(dx, dy, x []float32) {
	n := len(dx)
	keep := []any{dx, dy, x}
	if n == 0 || k.call(llvm.GeluBwd{N: n}, keep, f32(x[:n]), f32(dy[:n]), f32(dx)) ||
		k.call(llvm.GeluBwd{}, keep, f32(x[:n]), f32(dy[:n]), f32(dx), count(n)) {
		return
	}
	k.fallback("GeluBackward", n)
	kernels.GeluBackward(dx, dy, x)
}

func attention(s kernels.AttnShape) (llvm.Attention, bool) {
	return llvm.Attention{Batch: s.Batch, Heads: s.Heads, Tq: s.Tq, Tk: s.Tk, D: s.D,
		QOffset: s.QOffset, KOffset: s.KOffset}, s.Causal
}

// AttentionForward is kernels.AttentionForward (causal shapes; others run
// the Go kernel).
func (k *Kernels) AttentionForward(o, lse, q, kk, v []float32, s kernels.AttnShape) {
	a, causal := attention(s)
	if causal && k.callSplit(llvm.AttentionFwd{Attention: a}, attentionWork(s, 2), []any{o, lse, q, kk, v},
		f32(q), f32(kk), f32(v), f32(o), f32(lse)) {
		return
	}
	k.fallback("AttentionForward", s.Batch, s.Heads, s.Tq, s.Tk, s.D, s.QOffset, s.KOffset)
	kernels.AttentionForward(o, lse, q, kk, v, s)
}

// attentionWork is the multiply-adds of an attention call doing per
// (query, key) pair perPair head-row products (as the Go kernels count).
func attentionWork(s kernels.AttnShape, perPair int) int {
	return s.Batch * s.Heads * s.Tq * s.Tk * s.D * perPair
}

// AttentionBackward is kernels.AttentionBackward (adds into dq, dk, dv;
// nil ones are skipped): the fused kernel (each pair's probability formed
// once), else the query and the key/value kernels.
func (k *Kernels) AttentionBackward(dq, dk, dv, do, q, kk, v, o, lse []float32, s kernels.AttnShape) {
	a, causal := attention(s)
	if !causal {
		k.fallback("AttentionBackward", s.Batch, s.Heads, s.Tq, s.Tk, s.D, s.QOffset, s.KOffset)
		kernels.AttentionBackward(dq, dk, dv, do, q, kk, v, o, lse, s)
		return
	}
	// Gradients nobody wants go to scratch buffers.
	nq, nk := s.Batch*s.Heads*s.Tq*s.D, s.Batch*s.Heads*s.Tk*s.D
	if dq == nil {
		dq = make([]float32, nq)
	}
	if dk == nil {
		dk = make([]float32, nk)
	}
	if dv == nil {
		dv = make([]float32, nk)
	}
	if k.callSplit(llvm.AttentionBwd{Attention: a}, attentionWork(s, 4), []any{do, q, kk, v, o, lse, dq, dk, dv},
		f32(do), f32(q), f32(kk), f32(v), f32(o), f32(lse), f32(dq), f32(dk), f32(dv)) {
		return
	}
	if !k.Has(llvm.AttentionBwdQ{Attention: a}) || !k.Has(llvm.AttentionBwdKV{Attention: a}) {
		k.fallback("AttentionBackward", s.Batch, s.Heads, s.Tq, s.Tk, s.D, s.QOffset, s.KOffset)
		kernels.AttentionBackward(dq, dk, dv, do, q, kk, v, o, lse, s)
		return
	}
	// The query and the key/value kernels read the same inputs and write
	// disjoint outputs: with a second core, they run side by side.
	var wg sync.WaitGroup
	bwdQ := func() {
		k.call(llvm.AttentionBwdQ{Attention: a}, []any{do, q, kk, v, o, lse, dq},
			f32(do), f32(q), f32(kk), f32(v), f32(o), f32(lse), f32(dq))
	}
	if runtime.GOMAXPROCS(0) > 1 {
		wg.Go(bwdQ)
	} else {
		bwdQ()
	}
	k.call(llvm.AttentionBwdKV{Attention: a}, []any{do, q, kk, v, o, lse, dk, dv},
		f32(do), f32(q), f32(kk), f32(v), f32(o), f32(lse), f32(dk), f32(dv))
	wg.Wait()
}

// Route is kernels.Route.
func (k *Kernels) Route(logits []float32, tokens, experts, topk int, normalize bool) *kernels.Routing {
	r := &kernels.Routing{Tokens: tokens, Experts: experts, TopK: topk, Normalize: normalize,
		Probs: make([]float32, tokens*experts), Expert: make([]int32, tokens*topk), Weight: make([]float32, tokens*topk)}
	if k.call(llvm.RouterTopK{Tokens: tokens, Experts: experts, K: topk, Normalize: normalize},
		[]any{logits, r.Probs, r.Expert, r.Weight}, f32(logits), f32(r.Probs), i32(r.Expert), f32(r.Weight)) {
		return r
	}
	k.fallback("Route", tokens, experts, topk)
	return kernels.Route(logits, tokens, experts, topk, normalize)
}

// RouterBackward is kernels.RouterBackward (adds into dlogits).
func (k *Kernels) RouterBackward(dlogits, dweight []float32, r *kernels.Routing, dProb []float32, auxScale float32) {
	spec := llvm.RouterTopKBwd{RouterTopK: llvm.RouterTopK{Tokens: r.Tokens, Experts: r.Experts, K: r.TopK, Normalize: r.Normalize}}
	if !k.Has(spec) {
		k.fallback("RouterBackward", r.Tokens, r.Experts, r.TopK)
		kernels.RouterBackward(dlogits, dweight, r, dProb, auxScale)
		return
	}
	aux := make([]float32, r.Experts)
	for i := range aux {
		if dProb != nil {
			aux[i] = auxScale * dProb[i]
		}
	}
	if dweight == nil {
		dweight = make([]float32, r.Tokens*r.TopK)
	}
	k.call(spec, []any{dweight, aux, r.Probs, r.Expert, dlogits}, f32(dweight), f32(aux), f32(r.Probs), i32(r.Expert), f32(dlogits))
}

// slots returns, per (token, slot), the buffer row of its kept copy (or
// -1) and its combine weight.
func slots(d *kernels.Dispatch) (pos []int32, w []float32) {
	pos, w = make([]int32, d.Tokens*d.TopK), make([]float32, d.Tokens*d.TopK)
	for t := 0; t < d.Tokens; t++ {
		for s := 0; s < d.TopK; s++ {
			c := d.CopyIndex(t, s)
			pos[t*d.TopK+s] = -1
			if c >= 0 {
				pos[t*d.TopK+s], w[t*d.TopK+s] = d.Row[c], d.Weight[c]
			}
		}
	}
	return pos, w
}

// Permute is Dispatch.Permute: buf[row] = x[token] (padding rows zeroed).
func (k *Kernels) Permute(d *kernels.Dispatch, buf, x []float32, h int) {
	spec := llvm.Permute{Tokens: d.Tokens, K: d.TopK, Width: h}
	if !k.Has(spec) {
		k.fallback("Permute", d.Tokens, d.TopK, h)
		d.Permute(buf, x, h)
		return
	}
	if d.Capacity > 0 {
		clear(buf[:d.Rows*h])
	}
	pos, _ := slots(d)
	k.call(spec, []any{x, pos, buf}, f32(x), i32(pos), f32(buf))
}

// PermuteBackward is Dispatch.PermuteBackward: dx[t] += dbuf[row(t,s)].
func (k *Kernels) PermuteBackward(d *kernels.Dispatch, dx, dbuf []float32, h int) {
	spec := llvm.PermuteBwd{Tokens: d.Tokens, K: d.TopK, Width: h}
	if !k.Has(spec) {
		k.fallback("PermuteBackward", d.Tokens, d.TopK, h)
		d.PermuteBackward(dx, dbuf, h)
		return
	}
	pos, _ := slots(d)
	k.call(spec, []any{dbuf, pos, dx}, f32(dbuf), i32(pos), f32(dx))
}

// Combine is Dispatch.Combine: y[t] = Σ_s w·buf[row(t,s)].
func (k *Kernels) Combine(d *kernels.Dispatch, y, buf []float32, h int) {
	spec := llvm.Unpermute{Tokens: d.Tokens, K: d.TopK, Width: h}
	if !k.Has(spec) {
		k.fallback("Combine", d.Tokens, d.TopK, h)
		d.Combine(y, buf, h)
		return
	}
	pos, w := slots(d)
	k.call(spec, []any{buf, pos, w, y}, f32(buf), i32(pos), f32(w), f32(y))
}

// CombineBackward is Dispatch.CombineBackward (adds into dbuf and dweight;
// nil ones are skipped).
func (k *Kernels) CombineBackward(d *kernels.Dispatch, dbuf, dweight, dy, buf []float32, h int) {
	spec := llvm.UnpermuteBwd{Tokens: d.Tokens, K: d.TopK, Width: h}
	if !k.Has(spec) {
		k.fallback("CombineBackward", d.Tokens, d.TopK, h)
		d.CombineBackward(dbuf, dweight, dy, buf, h)
		return
	}
	pos, w := slots(d)
	if dbuf == nil {
		dbuf = make([]float32, d.Rows*h)
	}
	if dweight == nil {
		dweight = make([]float32, d.Tokens*d.TopK)
	}
	k.call(spec, []any{dy, buf, pos, w, dbuf, dweight}, f32(dy), f32(buf), i32(pos), f32(w), f32(dbuf), f32(dweight))
}

// AdamWStep is optim.Config.Step: update number step (1-based) of s with
// learning rate lr and gradient scale gradScale.
func (k *Kernels) AdamWStep(c optim.Config, s *optim.State, step int, lr, gradScale float64) {
	spec := llvm.AdamW{Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps}
	if !k.Has(spec) || len(s.Param) == 0 {
		k.fallback("AdamWStep", len(s.Param))
		c.Step(s, step, lr, gradScale)
		return
	}
	wd := 0.0
	if s.Decay {
		wd = c.WeightDecay
	}
	hp := []float32{float32(lr), float32(wd), float32(1 / (1 - math.Pow(c.Beta1, float64(step)))),
		float32(1 / (1 - math.Pow(c.Beta2, float64(step)))), float32(gradScale)}
	// An element's update costs about as much as 32 multiply-adds (a
	// division and a square root among them).
	k.callSplit(spec, 32*len(s.Param), []any{s.Param, s.Grad, s.M, s.V, hp}, f32(s.Param), f32(s.Grad), f32(s.M), f32(s.V), f32(hp), count(len(s.Param)))
}
