package kernels

import (
	"fmt"
	"math"
	"testing"

	"planc/ir"
)

// This file composes the kernels of today's architectures into one
// Llama-style layer (RMSNorm, grouped-query attention with RoPE, SwiGLU;
// no biases) and runs it whole and split over tensor-parallel ranks the way
// the parameter table shards it (ir.ShardParts for qkv and fc1, rows for
// the output projection and fc2). The sums over ranks of the partial
// outputs and input gradients must equal the whole layer's, and each
// rank's weight gradients the whole gradients at its LocalIndex (summed
// over the ranks that share a replicated key/value head): the kernels'
// layouts and the table's agree.

type llamaShape struct {
	seq, h, a, g, d, f int
	eps, theta         float64
}

type llamaWeights struct{ ln1, qkv, wo, ln2, w1, w2 []float32 }

// llamaParams are the table entries of the layer's sharded matrices.
func llamaParams(s llamaShape) (qkv, wo, w1, w2 *ir.Param) {
	qkv = &ir.Param{Shape: []int{s.h, (s.a + 2*s.g) * s.d}, Shard: ir.ShardParts,
		Parts: []ir.ParamPart{{Heads: s.a, Width: s.d}, {Heads: s.g, Width: s.d}, {Heads: s.g, Width: s.d}}}
	wo = &ir.Param{Shape: []int{s.a * s.d, s.h}, Shard: ir.ShardRows}
	w1 = &ir.Param{Shape: []int{s.h, 2 * s.f}, Shard: ir.ShardParts, Parts: []ir.ParamPart{{Heads: s.f, Width: 1}, {Heads: s.f, Width: 1}}}
	w2 = &ir.Param{Shape: []int{s.f, s.h}, Shard: ir.ShardRows}
	return
}

func gather(whole []float32, idx []int32) []float32 {
	out := make([]float32, len(idx))
	for i, j := range idx {
		out[i] = whole[j]
	}
	return out
}

// attnRank is one rank's attention: heads a, kv heads g of width d over
// the normed input xn; it returns its partial output (rows of h) and a
// backward closure that adds into dxn and returns the rank's dqkv, dwo.
func attnRank(xn, wqkv, wo []float32, s llamaShape, a, g int, cos, sin []float32) ([]float32, func(dout, dxn []float32) ([]float32, []float32)) {
	S, h, d := s.seq, s.h, s.d
	width := (a + 2*g) * d
	qkv := make([]float32, S*width)
	LinearForward(qkv, xn, wqkv, nil, S, h, width)
	q, k, v := make([]float32, a*S*d), make([]float32, g*S*d), make([]float32, g*S*d)
	SplitGroupedQKV(q, k, v, qkv, 1, S, a, g, d)
	qr, kr := make([]float32, len(q)), make([]float32, len(k))
	RoPEForward(qr, q, cos, sin, RoPEShape{Batch: 1, Heads: a, T: S, D: d, Rotary: d})
	RoPEForward(kr, k, cos, sin, RoPEShape{Batch: 1, Heads: g, T: S, D: d, Rotary: d})
	as := GroupedAttnShape{AttnShape: AttnShape{Batch: 1, Heads: a, Tq: S, Tk: S, D: d, Causal: true}, KVHeads: g}
	o, lse := make([]float32, a*S*d), make([]float32, a*S)
	GroupedAttentionForward(o, lse, qr, kr, v, as)
	ctx := make([]float32, S*a*d)
	MergeHeads(ctx, o, 1, S, a, d)
	out := make([]float32, S*h)
	LinearForward(out, ctx, wo, nil, S, a*d, h)
	return out, func(dout, dxn []float32) ([]float32, []float32) {
		dctx, dwo := make([]float32, len(ctx)), make([]float32, len(wo))
		LinearBackward(dctx, dwo, nil, dout, ctx, wo, S, a*d, h)
		do := make([]float32, len(o))
		SplitHeads(do, dctx, 1, S, a, d)
		dqr, dkr, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
		GroupedAttentionBackward(dqr, dkr, dv, do, qr, kr, v, o, lse, as)
		dq, dk := make([]float32, len(q)), make([]float32, len(k))
		RoPEBackward(dq, dqr, cos, sin, RoPEShape{Batch: 1, Heads: a, T: S, D: d, Rotary: d})
		RoPEBackward(dk, dkr, cos, sin, RoPEShape{Batch: 1, Heads: g, T: S, D: d, Rotary: d})
		dqkv := make([]float32, len(qkv))
		JoinGroupedQKVGrad(dqkv, dq, dk, dv, 1, S, a, g, d)
		dw := make([]float32, len(wqkv))
		LinearBackward(dxn, dw, nil, dqkv, xn, wqkv, S, h, width)
		return dw, dwo
	}
}

// ffnRank is one rank's SwiGLU FFN of width f.
func ffnRank(yn, w1, w2 []float32, s llamaShape, f int) ([]float32, func(dout, dyn []float32) ([]float32, []float32)) {
	S, h := s.seq, s.h
	u := make([]float32, S*2*f)
	LinearForward(u, yn, w1, nil, S, h, 2*f)
	act := make([]float32, S*f)
	GLUForward(act, u, S, f, SwiGLU)
	out := make([]float32, S*h)
	LinearForward(out, act, w2, nil, S, f, h)
	return out, func(dout, dyn []float32) ([]float32, []float32) {
		dact, dw2 := make([]float32, len(act)), make([]float32, len(w2))
		LinearBackward(dact, dw2, nil, dout, act, w2, S, f, h)
		du := make([]float32, len(u))
		GLUBackward(du, dact, u, S, f, SwiGLU)
		dw1 := make([]float32, len(w1))
		LinearBackward(dyn, dw1, nil, du, yn, w1, S, h, 2*f)
		return dw1, dw2
	}
}

type llamaGrads struct{ x, qkv, wo, w1, w2 []float32 }

// llamaLayer runs the layer over tp ranks (tp 1: whole) and returns its
// output and, for the upstream gradient dz, the input gradient and every
// rank's weight gradients scattered back to whole-tensor positions (summed
// where ranks share a replicated head).
func llamaLayer(x []float32, w llamaWeights, s llamaShape, tp int, dz []float32) ([]float32, llamaGrads) {
	S, h := s.seq, s.h
	pos := make([]int32, S)
	for i := range pos {
		pos[i] = int32(i)
	}
	cos, sin := RoPETable(pos, s.d, s.theta)
	pq, po, p1, p2 := llamaParams(s)
	aL, gL, fL := s.a/tp, max(s.g/tp, 1), s.f/tp
	xn, r1 := make([]float32, S*h), make([]float32, S)
	RMSNormForward(xn, r1, x, w.ln1, S, h, s.eps)
	y := append([]float32(nil), x...)
	attnBack := make([]func(dout, dxn []float32) ([]float32, []float32), tp)
	for r := range tp {
		out, back := attnRank(xn, gather(w.qkv, pq.LocalIndex(r, tp)), gather(w.wo, po.LocalIndex(r, tp)), s, aL, gL, cos, sin)
		Add(y, out) // the all-reduce of the row-parallel output
		attnBack[r] = back
	}
	yn, r2 := make([]float32, S*h), make([]float32, S)
	RMSNormForward(yn, r2, y, w.ln2, S, h, s.eps)
	z := append([]float32(nil), y...)
	ffnBack := make([]func(dout, dyn []float32) ([]float32, []float32), tp)
	for r := range tp {
		out, back := ffnRank(yn, gather(w.w1, p1.LocalIndex(r, tp)), gather(w.w2, p2.LocalIndex(r, tp)), s, fL)
		Add(z, out)
		ffnBack[r] = back
	}
	g := llamaGrads{x: make([]float32, len(x)), qkv: make([]float32, len(w.qkv)), wo: make([]float32, len(w.wo)),
		w1: make([]float32, len(w.w1)), w2: make([]float32, len(w.w2))}
	scatter := func(whole, local []float32, p *ir.Param, r int) {
		for i, j := range p.LocalIndex(r, tp) {
			whole[j] += local[i]
		}
	}
	dyn := make([]float32, S*h)
	for r := range tp {
		dw1, dw2 := ffnBack[r](dz, dyn) // partial input gradients sum (the all-reduce)
		scatter(g.w1, dw1, p1, r)
		scatter(g.w2, dw2, p2, r)
	}
	dy := append([]float32(nil), dz...)
	RMSNormBackward(dy, nil, dyn, y, r2, w.ln2, S, h)
	dxn := make([]float32, S*h)
	for r := range tp {
		dq, dwo := attnBack[r](dy, dxn)
		scatter(g.qkv, dq, pq, r)
		scatter(g.wo, dwo, po, r)
	}
	copy(g.x, dy)
	RMSNormBackward(g.x, nil, dxn, x, r1, w.ln1, S, h)
	return z, g
}

func TestLlamaLayerSplitsOverTensorParallelRanks(t *testing.T) {
	s := llamaShape{seq: 6, h: 8, a: 4, g: 2, d: 4, f: 8, eps: 1e-5, theta: 10000}
	w := llamaWeights{ln1: normal(201, s.h, 1), qkv: normal(202, s.h*(s.a+2*s.g)*s.d, 0.4), wo: normal(203, s.a*s.d*s.h, 0.4),
		ln2: normal(204, s.h, 1), w1: normal(205, s.h*2*s.f, 0.4), w2: normal(206, s.f*s.h, 0.4)}
	x, dz := normal(207, s.seq*s.h, 1), normal(208, s.seq*s.h, 1)
	z1, g1 := llamaLayer(x, w, s, 1, dz)
	for _, tp := range []int{2, 4} { // kv heads split; kv heads replicated (tp 4 > 2 kv heads)
		t.Run(fmt.Sprintf("tp%d", tp), func(t *testing.T) {
			z, g := llamaLayer(x, w, s, tp, dz)
			for _, c := range []struct {
				name       string
				got, whole []float32
			}{{"output", z, z1}, {"dx", g.x, g1.x}, {"dqkv", g.qkv, g1.qkv}, {"dwo", g.wo, g1.wo}, {"dw1", g.w1, g1.w1}, {"dw2", g.w2, g1.w2}} {
				for i := range c.whole {
					if d := math.Abs(float64(c.got[i] - c.whole[i])); d > 1e-5*(1+math.Abs(float64(c.whole[i]))) {
						t.Fatalf("%s[%d]: tp %d gives %v, whole %v", c.name, i, tp, c.got[i], c.whole[i])
					}
				}
			}
		})
	}
	// The whole layer's input gradient is the derivative of Σ dz·z.
	checkGradients(t, gradCase{
		name:    "llama_layer",
		inputs:  map[string][]float32{"x": x, "wqkv": w.qkv, "w1": w.w1},
		forward: func() []float32 { z, _ := llamaLayer(x, w, s, 1, dz); return z },
		backward: func(dout []float32) map[string][]float32 {
			_, g := llamaLayer(x, w, s, 1, dout)
			return map[string][]float32{"x": g.x, "wqkv": g.qkv, "w1": g.w1}
		},
	})
}
