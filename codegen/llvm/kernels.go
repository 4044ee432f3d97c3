package llvm

import (
	"fmt"
	"math"
	"strings"

	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// LayerNormEps is the epsilon of every layer norm (DESIGN.md).
const LayerNormEps = 1e-5

// LayerNormFwd normalizes each of Rows rows of width Width:
// y = (x-mean)·rstd·gamma + beta with rstd = 1/sqrt(var+1e-5) (biased
// variance); it also stores mean[Rows] and rstd[Rows] for the backward.
type LayerNormFwd struct{ Rows, Width int }

func (s LayerNormFwd) Name() string { return fmt.Sprintf("layernorm_fwd_r%d_w%d", s.Rows, s.Width) }

func (s LayerNormFwd) kernel() kernelDef {
	w := int64(s.Width)
	return kernelDef{op: "layernorm_fwd", items: s.Rows,
		params: ptrs("x", "gamma", "beta", "y", "mean", "rstd"),
		body: func(b *fnBuilder, r value.Value) {
			x, y := b.p("x"), b.p("y")
			base := b.mulc(r, w)
			zero := i64c(0)
			mean := b.fmul(b.sum(zero, i64c(w), func(j value.Value) value.Value { return b.at(x, b.add(base, j)) }), f32c(1/float64(w)))
			vr := b.fmul(b.sum(zero, i64c(w), func(j value.Value) value.Value {
				d := b.fsub(b.at(x, b.add(base, j)), mean)
				return b.fmul(d, d)
			}), f32c(1/float64(w)))
			rstd := b.fdiv(f32c(1), b.sqrt(b.fadd(vr, f32c(LayerNormEps))))
			b.forEach(zero, i64c(w), 1, func(j value.Value) {
				k := b.add(base, j)
				xh := b.fmul(b.fsub(b.at(x, k), mean), rstd)
				b.set(y, k, b.fadd(b.fmul(xh, b.at(b.p("gamma"), j)), b.at(b.p("beta"), j)))
			})
			b.set(b.p("mean"), r, mean)
			b.set(b.p("rstd"), r, rstd)
		}}
}

// LayerNormBwdData computes the input gradient of LayerNormFwd, row by row:
// dx = rstd·(g - mean(g) - xhat·mean(g·xhat)) with g = dy·gamma (dx is
// overwritten).
type LayerNormBwdData struct{ Rows, Width int }

func (s LayerNormBwdData) Name() string {
	return fmt.Sprintf("layernorm_bwd_dx_r%d_w%d", s.Rows, s.Width)
}

func (s LayerNormBwdData) kernel() kernelDef {
	w := int64(s.Width)
	return kernelDef{op: "layernorm_bwd_dx", items: s.Rows,
		params: ptrs("dy", "x", "gamma", "mean", "rstd", "dx"),
		body: func(b *fnBuilder, r value.Value) {
			x, dy, gamma := b.p("x"), b.p("dy"), b.p("gamma")
			base := b.mulc(r, w)
			mean, rstd := b.at(b.p("mean"), r), b.at(b.p("rstd"), r)
			zero := i64c(0)
			xhat := func(j value.Value) value.Value { return b.fmul(b.fsub(b.at(x, b.add(base, j)), mean), rstd) }
			g := func(j value.Value) value.Value { return b.fmul(b.at(dy, b.add(base, j)), b.at(gamma, j)) }
			acc := b.loop(zero, i64c(w), 1, []value.Value{f32c(0), f32c(0)}, func(j value.Value, a []value.Value) []value.Value {
				gj := g(j)
				return []value.Value{b.fadd(a[0], gj), b.fadd(a[1], b.fmul(gj, xhat(j)))}
			})
			mg := b.fmul(acc[0], f32c(1/float64(w)))
			mgx := b.fmul(acc[1], f32c(1/float64(w)))
			b.forEach(zero, i64c(w), 1, func(j value.Value) {
				v := b.fsub(b.fsub(g(j), mg), b.fmul(xhat(j), mgx))
				b.set(b.p("dx"), b.add(base, j), b.fmul(v, rstd))
			})
		}}
}

// LayerNormBwdParams accumulates the parameter gradients of LayerNormFwd,
// column by column: dgamma += Σ_rows dy·xhat, dbeta += Σ_rows dy.
type LayerNormBwdParams struct{ Rows, Width int }

func (s LayerNormBwdParams) Name() string {
	return fmt.Sprintf("layernorm_bwd_dparams_r%d_w%d", s.Rows, s.Width)
}

func (s LayerNormBwdParams) kernel() kernelDef {
	w := int64(s.Width)
	return kernelDef{op: "layernorm_bwd_dparams", items: s.Width,
		params: ptrs("dy", "x", "mean", "rstd", "dgamma", "dbeta"),
		body: func(b *fnBuilder, j value.Value) {
			acc := b.loop(i64c(0), i64c(int64(s.Rows)), 1, []value.Value{f32c(0), f32c(0)}, func(r value.Value, a []value.Value) []value.Value {
				k := b.idx(r, w, j)
				d := b.at(b.p("dy"), k)
				xh := b.fmul(b.fsub(b.at(b.p("x"), k), b.at(b.p("mean"), r)), b.at(b.p("rstd"), r))
				return []value.Value{b.fadd(a[0], b.fmul(d, xh)), b.fadd(a[1], d)}
			})
			b.set(b.p("dgamma"), j, b.fadd(b.at(b.p("dgamma"), j), acc[0]))
			b.set(b.p("dbeta"), j, b.fadd(b.at(b.p("dbeta"), j), acc[1]))
		}}
}

// geluC is sqrt(2/π).
var geluC = math.Sqrt(2 / math.Pi)

// GeluFwd applies the tanh approximation of GELU to N elements (N zero:
// the runtime count n):
// y = 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))).
type GeluFwd struct{ N int }

func (s GeluFwd) Name() string { return "gelu_fwd_n" + dimName(s.N) }

func (s GeluFwd) kernel() kernelDef {
	return withCount(s.N, 1, kernelDef{op: "gelu_fwd", params: ptrs("x", "y"),
		body: func(b *fnBuilder, i value.Value) {
			x := b.at(b.p("x"), i)
			th := b.tanh(geluInner(b, x))
			b.set(b.p("y"), i, b.fmul(b.fmul(f32c(0.5), x), b.fadd(f32c(1), th)))
		}})
}

// withCount makes a kernel's item count the constant n·per, or, when n is
// zero, the runtime parameter "n" times per (appended to the parameters).
func withCount(n, per int, def kernelDef) kernelDef {
	if n > 0 {
		def.items = n * per
		return def
	}
	def.params = append(def.params, Param{"n", Int64})
	def.itemsFrom, def.itemsPer = "n", per
	return def
}

// dimName prints a dimension, "x" for a runtime count.
func dimName(n int) string {
	if n == 0 {
		return "x"
	}
	return fmt.Sprint(n)
}

func geluInner(b *fnBuilder, x value.Value) value.Value {
	x3 := b.fmul(b.fmul(x, x), x)
	return b.fmul(f32c(geluC), b.fadd(x, b.fmul(f32c(0.044715), x3)))
}

// GeluBwd computes dx = dy·gelu'(x) for N elements (dx is overwritten).
type GeluBwd struct{ N int }

func (s GeluBwd) Name() string { return "gelu_bwd_n" + dimName(s.N) }

func (s GeluBwd) kernel() kernelDef {
	return withCount(s.N, 1, kernelDef{op: "gelu_bwd", params: ptrs("x", "dy", "dx"),
		body: func(b *fnBuilder, i value.Value) {
			x := b.at(b.p("x"), i)
			th := b.tanh(geluInner(b, x))
			sech2 := b.fsub(f32c(1), b.fmul(th, th))
			du := b.fmul(f32c(geluC), b.fadd(f32c(1), b.fmul(f32c(3*0.044715), b.fmul(x, x))))
			d := b.fadd(b.fmul(f32c(0.5), b.fadd(f32c(1), th)), b.fmul(b.fmul(f32c(0.5), x), b.fmul(sech2, du)))
			b.set(b.p("dx"), i, b.fmul(d, b.at(b.p("dy"), i)))
		}})
}

// BiasGrad accumulates the column sums of dy[Rows,Width] into db[Width]
// (Rows zero: the runtime count n).
type BiasGrad struct{ Rows, Width int }

func (s BiasGrad) Name() string { return fmt.Sprintf("bias_grad_r%s_w%d", dimName(s.Rows), s.Width) }

func (s BiasGrad) kernel() kernelDef {
	params := ptrs("dy", "db")
	if s.Rows == 0 {
		params = append(params, Param{"n", Int64})
	}
	return kernelDef{op: "bias_grad", items: s.Width, params: params,
		body: func(b *fnBuilder, j value.Value) {
			rows := value.Value(i64c(int64(s.Rows)))
			if s.Rows == 0 {
				rows = b.p("n")
			}
			t := b.sum(i64c(0), rows, func(r value.Value) value.Value {
				return b.at(b.p("dy"), b.idx(r, int64(s.Width), j))
			})
			b.set(b.p("db"), j, b.fadd(b.at(b.p("db"), j), t))
		}}
}

// Attention shapes: Batch sequences of Seq tokens, Heads heads of size
// HeadDim on this rank. qkv is [Batch·Seq, 3·Heads·HeadDim] with all
// queries, then all keys, then all values, each head's HeadDim columns
// contiguous; out is [Batch·Seq, Heads·HeadDim]; att is the softmax
// [Batch, Heads, Seq, Seq] (zero above the diagonal).
type Attention struct{ Batch, Seq, Heads, HeadDim int }

func (a Attention) shape() string {
	return fmt.Sprintf("b%d_s%d_h%d_d%d", a.Batch, a.Seq, a.Heads, a.HeadDim)
}

// AttentionFwd is causal attention with the softmax fused in: for each
// (sequence, head, query t): att[t,s] = softmax_{s≤t}(q_t·k_s/sqrt(d)),
// out_t = Σ_s att[t,s]·v_s.
type AttentionFwd struct{ Attention }

func (s AttentionFwd) Name() string { return "attention_fwd_" + s.shape() }

// attnIndex splits a flat item index into (sequence, head, token) and
// returns the row of qkv for the token and the head's column offset.
func (a Attention) split(b *fnBuilder, i value.Value) (bs, h, t value.Value) {
	S, H := int64(a.Seq), int64(a.Heads)
	t = b.cur.NewSRem(i, i64c(S))
	bh := b.cur.NewSDiv(i, i64c(S))
	h = b.cur.NewSRem(bh, i64c(H))
	bs = b.cur.NewSDiv(bh, i64c(H))
	return
}

func (s AttentionFwd) kernel() kernelDef {
	a := s.Attention
	S, D, HD := int64(a.Seq), int64(a.HeadDim), int64(a.Heads*a.HeadDim)
	scale := 1 / math.Sqrt(float64(a.HeadDim))
	return kernelDef{op: "attention_fwd", items: a.Batch * a.Heads * a.Seq,
		params: ptrs("qkv", "out", "att"),
		body: func(b *fnBuilder, i value.Value) {
			qkv, out, att := b.p("qkv"), b.p("out"), b.p("att")
			bs, h, t := a.split(b, i)
			row := func(tok value.Value) value.Value { return b.mulc(b.idx(bs, S, tok), 3*HD) }
			hoff := b.mulc(h, D)
			qbase := b.add(row(t), hoff)
			attRow := b.mulc(i, S) // i = (bs·H + h)·S + t
			tEnd := b.addc(t, 1)
			mx := b.loop(i64c(0), tEnd, 1, []value.Value{f32c(-3.0e38)}, func(sv value.Value, m []value.Value) []value.Value {
				kbase := b.addc(b.add(row(sv), hoff), HD)
				dot := b.sum(i64c(0), i64c(D), func(d value.Value) value.Value {
					return b.fmul(b.at(qkv, b.add(qbase, d)), b.at(qkv, b.add(kbase, d)))
				})
				sc := b.fmul(dot, f32c(scale))
				b.set(att, b.add(attRow, sv), sc)
				return []value.Value{b.fmax(m[0], sc)}
			})[0]
			sum := b.sum(i64c(0), tEnd, func(sv value.Value) value.Value {
				e := b.exp(b.fsub(b.at(att, b.add(attRow, sv)), mx))
				b.set(att, b.add(attRow, sv), e)
				return e
			})
			inv := b.fdiv(f32c(1), sum)
			b.forEach(i64c(0), tEnd, 1, func(sv value.Value) {
				b.set(att, b.add(attRow, sv), b.fmul(b.at(att, b.add(attRow, sv)), inv))
			})
			b.forEach(tEnd, i64c(S), 1, func(sv value.Value) { b.set(att, b.add(attRow, sv), f32c(0)) })
			obase := b.add(b.mulc(b.idx(bs, S, t), HD), hoff)
			b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
				o := b.sum(i64c(0), tEnd, func(sv value.Value) value.Value {
					vb := b.addc(b.add(row(sv), hoff), 2*HD)
					return b.fmul(b.at(att, b.add(attRow, sv)), b.at(qkv, b.add(vb, d)))
				})
				b.set(out, b.add(obase, d), o)
			})
		}}
}

// AttentionBwdQ is the first half of attention's backward, per query t:
// datt[t,s] = dout_t·v_s, dpre[t,s] = att[t,s]·(datt[t,s] - Σ_s' att·datt)
// (stored in dpre, [Batch,Heads,Seq,Seq]), and the query gradient
// dq_t = Σ_s dpre[t,s]·k_s/sqrt(d), written into dqkv's query columns.
type AttentionBwdQ struct{ Attention }

func (s AttentionBwdQ) Name() string { return "attention_bwd_q_" + s.shape() }

func (s AttentionBwdQ) kernel() kernelDef {
	a := s.Attention
	S, D, HD := int64(a.Seq), int64(a.HeadDim), int64(a.Heads*a.HeadDim)
	scale := 1 / math.Sqrt(float64(a.HeadDim))
	return kernelDef{op: "attention_bwd_q", items: a.Batch * a.Heads * a.Seq,
		params: ptrs("dout", "qkv", "att", "dpre", "dqkv"),
		body: func(b *fnBuilder, i value.Value) {
			qkv, att, dpre := b.p("qkv"), b.p("att"), b.p("dpre")
			bs, h, t := a.split(b, i)
			row := func(tok value.Value) value.Value { return b.mulc(b.idx(bs, S, tok), 3*HD) }
			hoff := b.mulc(h, D)
			obase := b.add(b.mulc(b.idx(bs, S, t), HD), hoff)
			attRow := b.mulc(i, S)
			tEnd := b.addc(t, 1)
			// dpre first holds datt; the weighted sum follows.
			wsum := b.sum(i64c(0), tEnd, func(sv value.Value) value.Value {
				vb := b.addc(b.add(row(sv), hoff), 2*HD)
				da := b.sum(i64c(0), i64c(D), func(d value.Value) value.Value {
					return b.fmul(b.at(b.p("dout"), b.add(obase, d)), b.at(qkv, b.add(vb, d)))
				})
				b.set(dpre, b.add(attRow, sv), da)
				return b.fmul(da, b.at(att, b.add(attRow, sv)))
			})
			b.forEach(i64c(0), tEnd, 1, func(sv value.Value) {
				k := b.add(attRow, sv)
				b.set(dpre, k, b.fmul(b.at(att, k), b.fsub(b.at(dpre, k), wsum)))
			})
			b.forEach(tEnd, i64c(S), 1, func(sv value.Value) { b.set(dpre, b.add(attRow, sv), f32c(0)) })
			qbase := b.add(row(t), hoff)
			b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
				g := b.sum(i64c(0), tEnd, func(sv value.Value) value.Value {
					kb := b.addc(b.add(row(sv), hoff), HD)
					return b.fmul(b.at(dpre, b.add(attRow, sv)), b.at(qkv, b.add(kb, d)))
				})
				b.set(b.p("dqkv"), b.add(qbase, d), b.fmul(g, f32c(scale)))
			})
		}}
}

// AttentionBwdKV is the second half, per key s: dk_s = Σ_{t≥s}
// dpre[t,s]·q_t/sqrt(d) and dv_s = Σ_{t≥s} att[t,s]·dout_t, written into
// dqkv's key and value columns. Run it after AttentionBwdQ.
type AttentionBwdKV struct{ Attention }

func (s AttentionBwdKV) Name() string { return "attention_bwd_kv_" + s.shape() }

func (s AttentionBwdKV) kernel() kernelDef {
	a := s.Attention
	S, D, HD := int64(a.Seq), int64(a.HeadDim), int64(a.Heads*a.HeadDim)
	scale := 1 / math.Sqrt(float64(a.HeadDim))
	return kernelDef{op: "attention_bwd_kv", items: a.Batch * a.Heads * a.Seq,
		params: ptrs("dout", "qkv", "att", "dpre", "dqkv"),
		body: func(b *fnBuilder, i value.Value) {
			qkv, att, dpre, dqkv := b.p("qkv"), b.p("att"), b.p("dpre"), b.p("dqkv")
			bs, h, sv := a.split(b, i)
			row := func(tok value.Value) value.Value { return b.mulc(b.idx(bs, S, tok), 3*HD) }
			hoff := b.mulc(h, D)
			bh := b.cur.NewSDiv(i, i64c(S)) // bs·H + h
			attAt := func(t value.Value) value.Value { return b.add(b.mulc(b.add(b.mulc(bh, S), t), S), sv) }
			kbase := b.addc(b.add(row(sv), hoff), HD)
			b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
				acc := b.loop(sv, i64c(S), 1, []value.Value{f32c(0), f32c(0)}, func(t value.Value, a2 []value.Value) []value.Value {
					k := attAt(t)
					q := b.at(qkv, b.add(b.add(row(t), hoff), d))
					o := b.at(b.p("dout"), b.add(b.add(b.mulc(b.idx(bs, S, t), HD), hoff), d))
					return []value.Value{b.fadd(a2[0], b.fmul(b.at(dpre, k), q)), b.fadd(a2[1], b.fmul(b.at(att, k), o))}
				})
				b.set(dqkv, b.add(kbase, d), b.fmul(acc[0], f32c(scale)))
				b.set(dqkv, b.addc(b.add(kbase, d), HD), acc[1])
			})
		}}
}

// RouterTopK turns router logits[Tokens,Experts] into probabilities
// (softmax over all experts, stored in probs) and picks, per token, the K
// most probable experts (ties to the lower index), in decreasing order:
// idx[Tokens,K] (int32) and weights w[Tokens,K] = their probabilities,
// divided by their sum when Normalize is set.
type RouterTopK struct {
	Tokens, Experts, K int
	Normalize          bool
}

func (s RouterTopK) Name() string {
	n := ""
	if s.Normalize {
		n = "_norm"
	}
	return fmt.Sprintf("router_topk_t%d_e%d_k%d%s", s.Tokens, s.Experts, s.K, n)
}

func (s RouterTopK) kernel() kernelDef {
	E, K := int64(s.Experts), int64(s.K)
	return kernelDef{op: "router_topk", items: s.Tokens,
		params: append(ptrs("logits", "probs"), Param{"idx", I32Ptr}, Param{"w", F32Ptr}),
		body: func(b *fnBuilder, t value.Value) {
			logits, probs, idx, w := b.p("logits"), b.p("probs"), b.p("idx"), b.p("w")
			base := b.mulc(t, E)
			mx := b.loop(i64c(0), i64c(E), 1, []value.Value{f32c(-3.0e38)}, func(e value.Value, m []value.Value) []value.Value {
				return []value.Value{b.fmax(m[0], b.at(logits, b.add(base, e)))}
			})[0]
			sum := b.sum(i64c(0), i64c(E), func(e value.Value) value.Value {
				x := b.exp(b.fsub(b.at(logits, b.add(base, e)), mx))
				b.set(probs, b.add(base, e), x)
				return x
			})
			inv := b.fdiv(f32c(1), sum)
			b.forEach(i64c(0), i64c(E), 1, func(e value.Value) {
				b.set(probs, b.add(base, e), b.fmul(b.at(probs, b.add(base, e)), inv))
			})
			kb := b.mulc(t, K)
			total := b.loop(i64c(0), i64c(K), 1, []value.Value{f32c(0)}, func(j value.Value, tot []value.Value) []value.Value {
				// best over experts not already chosen in slots [0, j).
				best := b.loop(i64c(0), i64c(E), 1, []value.Value{i64c(-1), f32c(-1)}, func(e value.Value, bv []value.Value) []value.Value {
					taken := b.loop(i64c(0), j, 1, []value.Value{constFalse()}, func(jj value.Value, tk []value.Value) []value.Value {
						prev := b.sext(b.at(idx, b.add(kb, jj)))
						return []value.Value{b.cur.NewOr(tk[0], b.cur.NewICmp(enum.IPredEQ, prev, e))}
					})[0]
					p := b.at(probs, b.add(base, e))
					better := b.cur.NewAnd(b.cur.NewXor(taken, constTrue()), b.cur.NewFCmp(enum.FPredOGT, p, bv[1]))
					return []value.Value{b.cur.NewSelect(better, e, bv[0]), b.cur.NewSelect(better, p, bv[1])}
				})
				b.set(idx, b.add(kb, j), b.cur.NewTrunc(best[0], types.I32))
				b.set(w, b.add(kb, j), best[1])
				return []value.Value{b.fadd(tot[0], best[1])}
			})[0]
			if s.Normalize {
				inv := b.fdiv(f32c(1), total)
				b.forEach(i64c(0), i64c(K), 1, func(j value.Value) {
					b.set(w, b.add(kb, j), b.fmul(b.at(w, b.add(kb, j)), inv))
				})
			}
		}}
}

// RouterTopKBwd is RouterTopK's backward from the weight gradients
// dw[Tokens,K]: dp_e = Σ_j [idx_j = e]·dw'_j (dw' through the
// normalization when set), then the softmax backward
// dlogits = p·(dp - Σ p·dp). dlogits is overwritten.
type RouterTopKBwd struct{ RouterTopK }

func (s RouterTopKBwd) Name() string {
	return "router_topk_bwd" + s.RouterTopK.Name()[len("router_topk"):]
}

func (s RouterTopKBwd) kernel() kernelDef {
	E, K := int64(s.Experts), int64(s.K)
	return kernelDef{op: "router_topk_bwd", items: s.Tokens,
		params: []Param{{"dw", F32Ptr}, {"probs", F32Ptr}, {"idx", I32Ptr}, {"dlogits", F32Ptr}},
		body: func(b *fnBuilder, t value.Value) {
			dw, probs, idx, dl := b.p("dw"), b.p("probs"), b.p("idx"), b.p("dlogits")
			base, kb := b.mulc(t, E), b.mulc(t, K)
			pSel := func(j value.Value) value.Value { return b.at(probs, b.add(base, b.sext(b.at(idx, b.add(kb, j))))) }
			// dpSel(j) is the gradient reaching the probability of slot j.
			dpSel := func(j value.Value) value.Value { return b.at(dw, b.add(kb, j)) }
			if s.Normalize {
				ssum := b.sum(i64c(0), i64c(K), pSel)
				inv := b.fdiv(f32c(1), ssum)
				dot := b.sum(i64c(0), i64c(K), func(j value.Value) value.Value {
					return b.fmul(b.at(dw, b.add(kb, j)), b.fmul(pSel(j), inv))
				})
				dpSel = func(j value.Value) value.Value { return b.fmul(b.fsub(b.at(dw, b.add(kb, j)), dot), inv) }
			}
			// dl temporarily holds dp.
			b.forEach(i64c(0), i64c(E), 1, func(e value.Value) { b.set(dl, b.add(base, e), f32c(0)) })
			b.forEach(i64c(0), i64c(K), 1, func(j value.Value) {
				k := b.add(base, b.sext(b.at(idx, b.add(kb, j))))
				b.set(dl, k, b.fadd(b.at(dl, k), dpSel(j)))
			})
			pdp := b.sum(i64c(0), i64c(E), func(e value.Value) value.Value {
				return b.fmul(b.at(probs, b.add(base, e)), b.at(dl, b.add(base, e)))
			})
			b.forEach(i64c(0), i64c(E), 1, func(e value.Value) {
				k := b.add(base, e)
				b.set(dl, k, b.fmul(b.at(probs, k), b.fsub(b.at(dl, k), pdp)))
			})
		}}
}

// Permute is the padding-free dispatch gather: out[r,:] = x[tok[r],:] for
// the n routed rows (n is a runtime count; tok is int32).
type Permute struct{ Width int }

func (s Permute) Name() string { return fmt.Sprintf("permute_w%d", s.Width) }

func (s Permute) kernel() kernelDef {
	W := int64(s.Width)
	return kernelDef{op: "permute", itemsFrom: "n", itemsPer: s.Width,
		params: []Param{{"x", F32Ptr}, {"tok", I32Ptr}, {"out", F32Ptr}, {"n", Int64}},
		body: func(b *fnBuilder, i value.Value) {
			r, c := b.cur.NewSDiv(i, i64c(W)), b.cur.NewSRem(i, i64c(W))
			src := b.sext(b.at(b.p("tok"), r))
			b.set(b.p("out"), i, b.at(b.p("x"), b.idx(src, W, c)))
		}}
}

// PermuteBwd is Permute's backward for Tokens tokens with K routed slots
// each: dx[t,:] = Σ_j dout[pos[t,j],:] over the slots whose row pos (int32)
// is not negative (negative: dropped under capacity dispatch). dx is
// overwritten. Gathering by pos keeps it deterministic and race-free.
type PermuteBwd struct{ Tokens, K, Width int }

func (s PermuteBwd) Name() string {
	return fmt.Sprintf("permute_bwd_t%d_k%d_w%d", s.Tokens, s.K, s.Width)
}

func (s PermuteBwd) kernel() kernelDef {
	W, K := int64(s.Width), int64(s.K)
	return kernelDef{op: "permute_bwd", items: s.Tokens * s.Width,
		params: []Param{{"dout", F32Ptr}, {"pos", I32Ptr}, {"dx", F32Ptr}},
		body: func(b *fnBuilder, i value.Value) {
			t, c := b.cur.NewSDiv(i, i64c(W)), b.cur.NewSRem(i, i64c(W))
			v := b.gatherSlots(t, c, W, K, func(j, row value.Value) value.Value { return b.at(b.p("dout"), b.idx(row, W, c)) })
			b.set(b.p("dx"), i, v)
		}}
}

// gatherSlots returns Σ_j term(j, pos[t,j]) over the K slots of token t
// with pos ≥ 0.
func (b *fnBuilder) gatherSlots(t, c value.Value, W, K int64, term func(j, row value.Value) value.Value) value.Value {
	return b.loop(i64c(0), i64c(K), 1, []value.Value{f32c(0)}, func(j value.Value, a []value.Value) []value.Value {
		slot := b.idx(t, K, j)
		row := b.sext(b.at(b.p("pos"), slot))
		v := b.ifElse(b.slt(row, i64c(0)), func() value.Value { return f32c(0) }, func() value.Value { return term(slot, row) })
		return []value.Value{b.fadd(a[0], v)}
	})[0]
}

// Unpermute is the padding-free combine: y[t,:] = Σ_j w[t,j]·e[pos[t,j],:]
// over slots with pos ≥ 0 (y is overwritten).
type Unpermute struct{ Tokens, K, Width int }

func (s Unpermute) Name() string {
	return fmt.Sprintf("unpermute_t%d_k%d_w%d", s.Tokens, s.K, s.Width)
}

func (s Unpermute) kernel() kernelDef {
	W, K := int64(s.Width), int64(s.K)
	return kernelDef{op: "unpermute", items: s.Tokens * s.Width,
		params: []Param{{"e", F32Ptr}, {"pos", I32Ptr}, {"w", F32Ptr}, {"y", F32Ptr}},
		body: func(b *fnBuilder, i value.Value) {
			t, c := b.cur.NewSDiv(i, i64c(W)), b.cur.NewSRem(i, i64c(W))
			v := b.gatherSlots(t, c, W, K, func(slot, row value.Value) value.Value {
				return b.fmul(b.at(b.p("w"), slot), b.at(b.p("e"), b.idx(row, W, c)))
			})
			b.set(b.p("y"), i, v)
		}}
}

// UnpermuteBwd is Unpermute's backward, per slot (t,j) with pos ≥ 0:
// de[pos,:] = w[t,j]·dy[t,:] and dw[t,j] = dy[t,:]·e[pos,:]; dropped slots
// get dw = 0. de rows and dw are overwritten.
type UnpermuteBwd struct{ Tokens, K, Width int }

func (s UnpermuteBwd) Name() string {
	return fmt.Sprintf("unpermute_bwd_t%d_k%d_w%d", s.Tokens, s.K, s.Width)
}

func (s UnpermuteBwd) kernel() kernelDef {
	W, K := int64(s.Width), int64(s.K)
	return kernelDef{op: "unpermute_bwd", items: s.Tokens * s.K,
		params: []Param{{"dy", F32Ptr}, {"e", F32Ptr}, {"pos", I32Ptr}, {"w", F32Ptr}, {"de", F32Ptr}, {"dw", F32Ptr}},
		body: func(b *fnBuilder, slot value.Value) {
			t := b.cur.NewSDiv(slot, i64c(K))
			row := b.sext(b.at(b.p("pos"), slot))
			dot := b.ifElse(b.slt(row, i64c(0)), func() value.Value { return f32c(0) }, func() value.Value {
				wj := b.at(b.p("w"), slot)
				return b.sum(i64c(0), i64c(W), func(c value.Value) value.Value {
					d := b.at(b.p("dy"), b.idx(t, W, c))
					b.set(b.p("de"), b.idx(row, W, c), b.fmul(wj, d))
					return b.fmul(d, b.at(b.p("e"), b.idx(row, W, c)))
				})
			})
			b.set(b.p("dw"), slot, dot)
		}}
}

// AdamW updates n parameters in place (decoupled weight decay):
// m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
// p -= lr·( (m/bc1) / (sqrt(v/bc2) + eps) + wd·p ),
// with hp = [lr, wd, bc1, bc2] (bc = 1-β^step, computed by the caller).
type AdamW struct{ Beta1, Beta2, Eps float64 }

func (s AdamW) Name() string {
	// Symbols keep to [A-Za-z0-9_] (NVPTX rejects anything else).
	return strings.NewReplacer(".", "p", "-", "m", "+", "").Replace(fmt.Sprintf("adamw_b%g_%g_e%g", s.Beta1, s.Beta2, s.Eps))
}

func (s AdamW) kernel() kernelDef {
	return kernelDef{op: "adamw", itemsFrom: "n", itemsPer: 1,
		params: []Param{{"p", F32Ptr}, {"g", F32Ptr}, {"m", F32Ptr}, {"v", F32Ptr}, {"hp", F32Ptr}, {"n", Int64}},
		body: func(b *fnBuilder, i value.Value) {
			hp := b.p("hp")
			lr, wd, bc1, bc2 := b.at(hp, i64c(0)), b.at(hp, i64c(1)), b.at(hp, i64c(2)), b.at(hp, i64c(3))
			g := b.at(b.p("g"), i)
			m := b.fadd(b.fmul(f32c(s.Beta1), b.at(b.p("m"), i)), b.fmul(f32c(1-s.Beta1), g))
			v := b.fadd(b.fmul(f32c(s.Beta2), b.at(b.p("v"), i)), b.fmul(f32c(1-s.Beta2), b.fmul(g, g)))
			b.set(b.p("m"), i, m)
			b.set(b.p("v"), i, v)
			p := b.at(b.p("p"), i)
			upd := b.fdiv(b.fdiv(m, bc1), b.fadd(b.sqrt(b.fdiv(v, bc2)), f32c(s.Eps)))
			b.set(b.p("p"), i, b.fsub(p, b.fmul(lr, b.fadd(upd, b.fmul(wd, p)))))
		}}
}

func ptrs(names ...string) []Param {
	ps := make([]Param, len(names))
	for i, n := range names {
		ps[i] = Param{n, F32Ptr}
	}
	return ps
}
