package kernels

import (
	"fmt"
	"math"
	"testing"

	"planc/ir"
)

// This file composes multi-head latent attention from the kernels, in the
// order of docs/semantics.md, and splits it over tensor-parallel ranks as
// the parameter table does: q_down and kv_down and the latent norms
// replicated (each rank's gradients of them are partial sums over its
// heads), q_up and kv_up split by heads (columns), the output projection by
// rows.

type mlaDims struct {
	seq, h, a, qr, c, n, r, v int
	eps, theta                float64
}

type mlaWeights struct{ qd, qn, qu, kvd, kvn, kvu, wo []float32 }

type mlaGrads struct{ x, qd, qn, qu, kvd, kvn, kvu, wo []float32 }

// mlaRank is one rank's attention over aL heads with its column shards of
// q_up and kv_up and its row shard of the output projection; back adds into
// dxn and the replicated gradients and returns the sharded ones.
func mlaRank(xn []float32, w mlaWeights, qu, kvu, wo []float32, s mlaDims, aL int, cos, sin []float32) ([]float32, func(dout, dxn []float32, g *mlaGrads) (dqu, dkvu, dwo []float32)) {
	S, h, qk := s.seq, s.h, s.n+s.r
	ms := MLAShape{Batch: 1, Seq: S, Heads: aL, Nope: s.n, Rope: s.r, V: s.v}
	cq, cqn, rq := make([]float32, S*s.qr), make([]float32, S*s.qr), make([]float32, S)
	LinearForward(cq, xn, w.qd, nil, S, h, s.qr)
	RMSNormForward(cqn, rq, cq, w.qn, S, s.qr, s.eps)
	qp := make([]float32, S*aL*qk)
	LinearForward(qp, cqn, qu, nil, S, s.qr, aL*qk)
	q := make([]float32, len(qp))
	MLAQueries(q, qp, ms)
	qShape := RoPEShape{Batch: 1, Heads: aL, T: S, D: qk, Rotary: s.r}
	RoPEForward(q, q, cos, sin, qShape)
	down := make([]float32, S*(s.c+s.r))
	LinearForward(down, xn, w.kvd, nil, S, h, s.c+s.r)
	ckv, kr := make([]float32, S*s.c), make([]float32, S*s.r)
	SplitColumns(ckv, kr, down, S, s.c, s.r)
	krShape := RoPEShape{Batch: 1, Heads: 1, T: S, D: s.r, Rotary: s.r}
	krr := make([]float32, len(kr))
	RoPEForward(krr, kr, cos, sin, krShape)
	ckvn, rkv := make([]float32, len(ckv)), make([]float32, S)
	RMSNormForward(ckvn, rkv, ckv, w.kvn, S, s.c, s.eps)
	kv := make([]float32, S*aL*(s.n+s.v))
	LinearForward(kv, ckvn, kvu, nil, S, s.c, aL*(s.n+s.v))
	k, v := make([]float32, aL*S*qk), make([]float32, aL*S*s.v)
	MLAKeysValues(k, v, kv, krr, ms)
	as := GroupedAttnShape{AttnShape: AttnShape{Batch: 1, Heads: aL, Tq: S, Tk: S, D: qk, Causal: true}, DV: s.v}
	o, lse := make([]float32, aL*S*s.v), make([]float32, aL*S)
	GroupedAttentionForward(o, lse, q, k, v, as)
	ctx := make([]float32, S*aL*s.v)
	MergeHeads(ctx, o, 1, S, aL, s.v)
	out := make([]float32, S*h)
	LinearForward(out, ctx, wo, nil, S, aL*s.v, h)
	return out, func(dout, dxn []float32, g *mlaGrads) ([]float32, []float32, []float32) {
		dctx, dwo := make([]float32, len(ctx)), make([]float32, len(wo))
		LinearBackward(dctx, dwo, nil, dout, ctx, wo, S, aL*s.v, h)
		do := make([]float32, len(o))
		SplitHeads(do, dctx, 1, S, aL, s.v)
		dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
		GroupedAttentionBackward(dq, dk, dv, do, q, k, v, o, lse, as)
		dkv, dkrr := make([]float32, len(kv)), make([]float32, len(krr))
		MLAKeysValuesGrad(dkv, dkrr, dk, dv, ms)
		dckvn, dkvu := make([]float32, len(ckvn)), make([]float32, len(kvu))
		LinearBackward(dckvn, dkvu, nil, dkv, ckvn, kvu, S, s.c, aL*(s.n+s.v))
		dckv := make([]float32, len(ckv))
		RMSNormBackward(dckv, g.kvn, dckvn, ckv, rkv, w.kvn, S, s.c)
		dkr := make([]float32, len(kr))
		RoPEBackward(dkr, dkrr, cos, sin, krShape)
		ddown := make([]float32, len(down))
		JoinColumnsGrad(ddown, dckv, dkr, S, s.c, s.r)
		LinearBackward(dxn, g.kvd, nil, ddown, xn, w.kvd, S, h, s.c+s.r)
		dqp := make([]float32, len(qp))
		dqr := make([]float32, len(q))
		RoPEBackward(dqr, dq, cos, sin, qShape)
		MLAQueriesGrad(dqp, dqr, ms)
		dcqn, dqu := make([]float32, len(cqn)), make([]float32, len(qu))
		LinearBackward(dcqn, dqu, nil, dqp, cqn, qu, S, s.qr, aL*qk)
		dcq := make([]float32, len(cq))
		RMSNormBackward(dcq, g.qn, dcqn, cq, rq, w.qn, S, s.qr)
		LinearBackward(dxn, g.qd, nil, dcq, xn, w.qd, S, h, s.qr)
		return dqu, dkvu, dwo
	}
}

// mlaBlock is x + MLA(RMSNorm(x)) over tp ranks, with its gradients for dz.
func mlaBlock(x []float32, ln []float32, w mlaWeights, s mlaDims, tp int, dz []float32) ([]float32, mlaGrads) {
	S, h := s.seq, s.h
	pos := make([]int32, S)
	for i := range pos {
		pos[i] = int32(i)
	}
	cos, sin := RoPETable(pos, s.r, s.theta)
	pqu := &ir.Param{Shape: []int{s.qr, s.a * (s.n + s.r)}, Shard: ir.ShardCols}
	pkvu := &ir.Param{Shape: []int{s.c, s.a * (s.n + s.v)}, Shard: ir.ShardCols}
	pwo := &ir.Param{Shape: []int{s.a * s.v, h}, Shard: ir.ShardRows}
	xn, rs := make([]float32, S*h), make([]float32, S)
	RMSNormForward(xn, rs, x, ln, S, h, s.eps)
	z := append([]float32(nil), x...)
	g := mlaGrads{x: make([]float32, len(x)), qd: make([]float32, len(w.qd)), qn: make([]float32, len(w.qn)), qu: make([]float32, len(w.qu)),
		kvd: make([]float32, len(w.kvd)), kvn: make([]float32, len(w.kvn)), kvu: make([]float32, len(w.kvu)), wo: make([]float32, len(w.wo))}
	dxn := make([]float32, S*h)
	type rank struct {
		back func(dout, dxn []float32, g *mlaGrads) ([]float32, []float32, []float32)
	}
	ranks := make([]rank, tp)
	for r := range tp {
		out, back := mlaRank(xn, w, gather(w.qu, pqu.LocalIndex(r, tp)), gather(w.kvu, pkvu.LocalIndex(r, tp)), gather(w.wo, pwo.LocalIndex(r, tp)), s, s.a/tp, cos, sin)
		Add(z, out)
		ranks[r].back = back
	}
	for r := range tp {
		dqu, dkvu, dwo := ranks[r].back(dz, dxn, &g) // replicated weights' partial gradients add up
		for i, j := range pqu.LocalIndex(r, tp) {
			g.qu[j] += dqu[i]
		}
		for i, j := range pkvu.LocalIndex(r, tp) {
			g.kvu[j] += dkvu[i]
		}
		for i, j := range pwo.LocalIndex(r, tp) {
			g.wo[j] += dwo[i]
		}
	}
	copy(g.x, dz)
	RMSNormBackward(g.x, nil, dxn, x, rs, ln, S, h)
	return z, g
}

func TestMLASplitsOverTensorParallelRanks(t *testing.T) {
	s := mlaDims{seq: 5, h: 8, a: 4, qr: 6, c: 5, n: 3, r: 2, v: 4, eps: 1e-6, theta: 10000}
	w := mlaWeights{qd: normal(301, s.h*s.qr, 0.4), qn: normal(302, s.qr, 1), qu: normal(303, s.qr*s.a*(s.n+s.r), 0.4),
		kvd: normal(304, s.h*(s.c+s.r), 0.4), kvn: normal(305, s.c, 1), kvu: normal(306, s.c*s.a*(s.n+s.v), 0.4), wo: normal(307, s.a*s.v*s.h, 0.4)}
	ln, x, dz := normal(308, s.h, 1), normal(309, s.seq*s.h, 1), normal(310, s.seq*s.h, 1)
	z1, g1 := mlaBlock(x, ln, w, s, 1, dz)
	for _, tp := range []int{2, 4} {
		t.Run(fmt.Sprintf("tp%d", tp), func(t *testing.T) {
			z, g := mlaBlock(x, ln, w, s, tp, dz)
			for _, c := range []struct {
				name       string
				got, whole []float32
			}{{"output", z, z1}, {"dx", g.x, g1.x}, {"dq_down", g.qd, g1.qd}, {"dq_norm", g.qn, g1.qn}, {"dq_up", g.qu, g1.qu},
				{"dkv_down", g.kvd, g1.kvd}, {"dkv_norm", g.kvn, g1.kvn}, {"dkv_up", g.kvu, g1.kvu}, {"dwo", g.wo, g1.wo}} {
				for i := range c.whole {
					if d := math.Abs(float64(c.got[i] - c.whole[i])); d > 1e-5*(1+math.Abs(float64(c.whole[i]))) {
						t.Fatalf("%s[%d]: tp %d gives %v, whole %v", c.name, i, tp, c.got[i], c.whole[i])
					}
				}
			}
		})
	}
	checkGradients(t, gradCase{
		name:    "mla_block",
		inputs:  map[string][]float32{"x": x, "q_down": w.qd, "kv_down": w.kvd, "kv_norm": w.kvn, "q_up": w.qu},
		forward: func() []float32 { z, _ := mlaBlock(x, ln, w, s, 1, dz); return z },
		backward: func(dout []float32) map[string][]float32 {
			_, g := mlaBlock(x, ln, w, s, 1, dout)
			return map[string][]float32{"x": g.x, "q_down": g.qd, "kv_down": g.kvd, "kv_norm": g.kvn, "q_up": g.qu}
		},
	})
}
