//go:build planc_llvm

package llvmk

import (
	"planc/codegen/llvm"
	"planc/runtime/kernels"
)

// This file runs the generated kernels of today's architectures
// (codegen/llvm/arch.go), each method with the contract of the
// runtime/kernels function of the same name and its Go kernel as the
// fallback when the library lacks the shape.

// RMSNormForward is kernels.RMSNormForward.
func (k *Kernels) RMSNormForward(y, rstd, x, gamma []float32, rows, h int, eps float64) {
	if !k.call(llvm.RMSNormFwd{Rows: rows, Width: h, Eps: eps}, []any{y, rstd, x, gamma}, f32(x), f32(gamma), f32(y), f32(rstd)) {
		k.fallback("RMSNormForward", rows, h)
		kernels.RMSNormForward(y, rstd, x, gamma, rows, h, eps)
	}
}

// RMSNormBackward is kernels.RMSNormBackward (adds into dx and dgamma; nil
// ones are skipped).
func (k *Kernels) RMSNormBackward(dx, dgamma, dy, x, rstd, gamma []float32, rows, h int) {
	data, params := llvm.RMSNormBwdData{Rows: rows, Width: h}, llvm.RMSNormBwdParams{Rows: rows, Width: h}
	if (dx != nil && !k.Has(data)) || (dgamma != nil && !k.Has(params)) {
		k.fallback("RMSNormBackward", rows, h)
		kernels.RMSNormBackward(dx, dgamma, dy, x, rstd, gamma, rows, h)
		return
	}
	if dx != nil {
		k.call(data, []any{dy, x, gamma, rstd, dx}, f32(dy), f32(x), f32(gamma), f32(rstd), f32(dx))
	}
	if dgamma != nil {
		k.call(params, []any{dy, x, rstd, dgamma}, f32(dy), f32(x), f32(rstd), f32(dgamma))
	}
}

func gluAct(a kernels.GLUActivation) llvm.GLUAct {
	if a == kernels.GeGLU {
		return llvm.GeGLU
	}
	return llvm.SwiGLU
}

// GLUForward is kernels.GLUForward (kernels of constant rows or of a
// runtime row count).
func (k *Kernels) GLUForward(y, x []float32, rows, f int, act kernels.GLUActivation) {
	a, keep := gluAct(act), []any{y, x}
	if rows == 0 || k.call(llvm.GLUFwd{Rows: rows, F: f, Act: a}, keep, f32(x), f32(y)) ||
		k.call(llvm.GLUFwd{F: f, Act: a}, keep, f32(x), f32(y), count(rows)) {
		return
	}
	k.fallback("GLUForward", rows, f)
	kernels.GLUForward(y, x, rows, f, act)
}

// GLUBackward is kernels.GLUBackward: dx += the gradient of act(gate)·up.
func (k *Kernels) GLUBackward(dx, dy, x []float32, rows, f int, act kernels.GLUActivation) {
	a, keep := gluAct(act), []any{dx, dy, x}
	if rows == 0 || k.call(llvm.GLUBwd{Rows: rows, F: f, Act: a}, keep, f32(x), f32(dy), f32(dx)) ||
		k.call(llvm.GLUBwd{F: f, Act: a}, keep, f32(x), f32(dy), f32(dx), count(rows)) {
		return
	}
	k.fallback("GLUBackward", rows, f)
	kernels.GLUBackward(dx, dy, x, rows, f, act)
}

func rope(s kernels.RoPEShape) llvm.RoPE {
	return llvm.RoPE{Batch: s.Batch, Heads: s.Heads, T: s.T, D: s.D, Rotary: s.Rotary}
}

// RoPEForward is kernels.RoPEForward (y may be x: the generated kernel,
// whose items run in parallel, then reads a copy).
func (k *Kernels) RoPEForward(y, x, cos, sin []float32, s kernels.RoPEShape) {
	spec := llvm.RoPEFwd{RoPE: rope(s)}
	if !k.Has(spec) {
		k.fallback("RoPEForward", s.Batch, s.Heads, s.T, s.D, s.Rotary)
		kernels.RoPEForward(y, x, cos, sin, s)
		return
	}
	if len(x) > 0 && &x[0] == &y[0] {
		x = append([]float32(nil), x...)
	}
	k.call(spec, []any{y, x, cos, sin}, f32(x), f32(cos), f32(sin), f32(y))
}

// RoPEBackward is kernels.RoPEBackward: dx += the inverse rotation of dy.
func (k *Kernels) RoPEBackward(dx, dy, cos, sin []float32, s kernels.RoPEShape) {
	if !k.call(llvm.RoPEBwd{RoPE: rope(s)}, []any{dx, dy, cos, sin}, f32(dy), f32(cos), f32(sin), f32(dx)) {
		k.fallback("RoPEBackward", s.Batch, s.Heads, s.T, s.D, s.Rotary)
		kernels.RoPEBackward(dx, dy, cos, sin, s)
	}
}

func grouped(s kernels.GroupedAttnShape) (llvm.GroupedAttention, bool) {
	kv, dv := s.KVHeads, s.DV
	if kv == 0 {
		kv = s.Heads
	}
	if dv == 0 {
		dv = s.D
	}
	a, causal := attention(s.AttnShape)
	return llvm.GroupedAttention{Attention: a, KVHeads: kv, DV: dv}, causal
}

// GroupedAttentionForward is kernels.GroupedAttentionForward (causal
// shapes; others run the Go kernel).
func (k *Kernels) GroupedAttentionForward(o, lse, q, kk, v []float32, s kernels.GroupedAttnShape) {
	a, causal := grouped(s)
	if causal && k.call(llvm.GroupedAttentionFwd{GroupedAttention: a}, []any{o, lse, q, kk, v}, f32(q), f32(kk), f32(v), f32(o), f32(lse)) {
		return
	}
	k.fallback("GroupedAttentionForward", s.Batch, s.Heads, s.KVHeads, s.Tq, s.Tk, s.D, s.DV)
	kernels.GroupedAttentionForward(o, lse, q, kk, v, s)
}

// GroupedAttentionBackward is kernels.GroupedAttentionBackward (adds into
// dq, dk, dv; nil ones are skipped).
func (k *Kernels) GroupedAttentionBackward(dq, dk, dv, do, q, kk, v, o, lse []float32, s kernels.GroupedAttnShape) {
	a, causal := grouped(s)
	bq, bkv := llvm.GroupedAttentionBwdQ{GroupedAttention: a}, llvm.GroupedAttentionBwdKV{GroupedAttention: a}
	if !causal || !k.Has(bq) || !k.Has(bkv) {
		k.fallback("GroupedAttentionBackward", s.Batch, s.Heads, s.KVHeads, s.Tq, s.Tk, s.D, s.DV)
		kernels.GroupedAttentionBackward(dq, dk, dv, do, q, kk, v, o, lse, s)
		return
	}
	if dq != nil {
		k.call(bq, []any{do, q, kk, v, o, lse, dq}, f32(do), f32(q), f32(kk), f32(v), f32(o), f32(lse), f32(dq))
	}
	if dk != nil || dv != nil {
		if dk == nil {
			dk = make([]float32, len(kk))
		}
		if dv == nil {
			dv = make([]float32, len(v))
		}
		k.call(bkv, []any{do, q, kk, v, o, lse, dk, dv}, f32(do), f32(q), f32(kk), f32(v), f32(o), f32(lse), f32(dk), f32(dv))
	}
}

// BalanceBias is kernels.BalanceBias (the counts, whole numbers below
// 2³¹, go to the kernel as int32).
func (k *Kernels) BalanceBias(bias []float32, counts []float64, rate float64) {
	spec := llvm.BalanceBias{Experts: len(counts), Rate: rate}
	if !k.Has(spec) {
		k.fallback("BalanceBias", len(counts))
		kernels.BalanceBias(bias, counts, rate)
		return
	}
	n := make([]int32, len(counts))
	for i, c := range counts {
		n[i] = int32(c)
	}
	k.call(spec, []any{n, bias}, i32(n), f32(bias))
}

func routerScored(tokens int, spec kernels.RouterSpec) llvm.RouterScored {
	return llvm.RouterScored{Tokens: tokens, Experts: spec.Experts, K: spec.TopK, Sigmoid: spec.Score == kernels.ScoreSigmoid,
		Normalize: spec.Normalize, Groups: spec.Groups, TopKGroups: spec.TopKGroups}
}

// RouteScored is kernels.RouteScored.
func (k *Kernels) RouteScored(logits []float32, tokens int, spec kernels.RouterSpec, bias []float32) *kernels.Routing {
	E, K := spec.Experts, spec.TopK
	r := &kernels.Routing{Tokens: tokens, Experts: E, TopK: K, Normalize: spec.Normalize,
		Probs: make([]float32, tokens*E), Expert: make([]int32, tokens*K), Weight: make([]float32, tokens*K)}
	if bias == nil {
		bias = make([]float32, E)
	}
	gscore := make([]float32, tokens*max(spec.Groups, 1))
	if k.call(routerScored(tokens, spec), []any{logits, bias, r.Probs, gscore, r.Expert, r.Weight},
		f32(logits), f32(bias), f32(r.Probs), f32(gscore), i32(r.Expert), f32(r.Weight)) {
		return r
	}
	k.fallback("RouteScored", tokens, E, K, spec.Groups, spec.TopKGroups)
	return kernels.RouteScored(logits, tokens, spec, bias)
}

// RouteScoredBackward is kernels.RouteScoredBackward (adds into dlogits).
func (k *Kernels) RouteScoredBackward(dlogits, dweight []float32, r *kernels.Routing, score kernels.RouterScore, dProb []float32, auxScale float32) {
	spec := llvm.RouterScoredBwd{RouterScored: llvm.RouterScored{Tokens: r.Tokens, Experts: r.Experts, K: r.TopK,
		Sigmoid: score == kernels.ScoreSigmoid, Normalize: r.Normalize}}
	if !k.Has(spec) {
		k.fallback("RouteScoredBackward", r.Tokens, r.Experts, r.TopK)
		kernels.RouteScoredBackward(dlogits, dweight, r, score, dProb, auxScale)
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
