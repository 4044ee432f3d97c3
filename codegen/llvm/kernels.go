package llvm

import (
	"fmt"
	"math"
	"strings"

	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// LayerNormEps is the epsilon of every layer norm (docs/semantics.md).
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
// dx += rstd·(g - mean(g) - xhat·mean(g·xhat)) with g = dy·gamma.
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
				b.addTo(b.p("dx"), b.add(base, j), b.fmul(v, rstd))
			})
		}}
}

// LayerNormBwdParams accumulates the parameter gradients of LayerNormFwd,
// column by column: dgamma += Σ_rows dy·xhat, dbeta += Σ_rows dy. On the
// host the rows are added one after the other, the columns of the range
// in vectors (lane-wise, so the same bits at any vector width); on the
// GPUs an item sums its column, then adds.
type LayerNormBwdParams struct{ Rows, Width int }

func (s LayerNormBwdParams) Name() string {
	return fmt.Sprintf("layernorm_bwd_dparams_r%d_w%d", s.Rows, s.Width)
}

func (s LayerNormBwdParams) kernel() kernelDef {
	w := int64(s.Width)
	host := func(b *fnBuilder, lo, hi value.Value) {
		b.forEach(i64c(0), i64c(int64(s.Rows)), 1, func(r value.Value) {
			mean, rstd := b.at(b.p("mean"), r), b.at(b.p("rstd"), r)
			row := b.mulc(r, w)
			b.forEach(lo, hi, 1, func(j value.Value) {
				k := b.add(row, j)
				d := b.at(b.p("dy"), k)
				b.addTo(b.p("dgamma"), j, b.fmul(d, b.fmul(b.fsub(b.at(b.p("x"), k), mean), rstd)))
				b.addTo(b.p("dbeta"), j, d)
			})
		})
	}
	return kernelDef{op: "layernorm_bwd_dparams", items: s.Width, noalias: true,
		host: host, hostItems: ItemCount{N: s.Width},
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
	return withCount(s.N, 1, kernelDef{op: "gelu_fwd", wide: true, params: ptrs("x", "y"),
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

// GeluBwd adds dy·gelu'(x) to dx for N elements.
type GeluBwd struct{ N int }

func (s GeluBwd) Name() string { return "gelu_bwd_n" + dimName(s.N) }

func (s GeluBwd) kernel() kernelDef {
	return withCount(s.N, 1, kernelDef{op: "gelu_bwd", wide: true, params: ptrs("x", "dy", "dx"),
		body: func(b *fnBuilder, i value.Value) {
			x := b.at(b.p("x"), i)
			th := b.tanh(geluInner(b, x))
			sech2 := b.fsub(f32c(1), b.fmul(th, th))
			du := b.fmul(f32c(geluC), b.fadd(f32c(1), b.fmul(f32c(3*0.044715), b.fmul(x, x))))
			d := b.fadd(b.fmul(f32c(0.5), b.fadd(f32c(1), th)), b.fmul(b.fmul(f32c(0.5), x), b.fmul(sech2, du)))
			b.addTo(b.p("dx"), i, b.fmul(d, b.at(b.p("dy"), i)))
		}})
}

// SiluFwd applies SiLU to N elements (N zero: the runtime count n):
// y = x·sigmoid(x) = x/(1+e^−x).
type SiluFwd struct{ N int }

func (s SiluFwd) Name() string { return "silu_fwd_n" + dimName(s.N) }

func (s SiluFwd) kernel() kernelDef {
	return withCount(s.N, 1, kernelDef{op: "silu_fwd", wide: true, params: ptrs("x", "y"),
		body: func(b *fnBuilder, i value.Value) {
			x := b.at(b.p("x"), i)
			b.set(b.p("y"), i, b.fmul(x, sigmoid(b, x)))
		}})
}

// sigmoid emits 1/(1+e^−x).
func sigmoid(b *fnBuilder, x value.Value) value.Value {
	return b.fdiv(f32c(1), b.fadd(f32c(1), b.exp(b.fsub(f32c(0), x))))
}

// SiluBwd adds dy·silu'(x) to dx for N elements: silu'(x) = s·(1 +
// x·(1−s)), s = sigmoid(x).
type SiluBwd struct{ N int }

func (s SiluBwd) Name() string { return "silu_bwd_n" + dimName(s.N) }

func (s SiluBwd) kernel() kernelDef {
	return withCount(s.N, 1, kernelDef{op: "silu_bwd", wide: true, params: ptrs("x", "dy", "dx"),
		body: func(b *fnBuilder, i value.Value) {
			x := b.at(b.p("x"), i)
			sg := sigmoid(b, x)
			d := b.fmul(sg, b.fadd(f32c(1), b.fmul(x, b.fsub(f32c(1), sg))))
			b.addTo(b.p("dx"), i, b.fmul(d, b.at(b.p("dy"), i)))
		}})
}

// BiasGrad accumulates the column sums of dy[Rows,Width] into db[Width]
// (Rows zero: the runtime count n). On the host, rows are added to db one
// after the other (kernels.BiasBackward's order, so its bits), the columns
// of the range in vectors; on the GPUs an item sums its column, then adds.
type BiasGrad struct{ Rows, Width int }

func (s BiasGrad) Name() string { return fmt.Sprintf("bias_grad_r%s_w%d", dimName(s.Rows), s.Width) }

func (s BiasGrad) kernel() kernelDef {
	params := ptrs("dy", "db")
	if s.Rows == 0 {
		params = append(params, Param{"n", Int64})
	}
	rowCount := func(b *fnBuilder) value.Value {
		if s.Rows == 0 {
			return b.p("n")
		}
		return i64c(int64(s.Rows))
	}
	host := func(b *fnBuilder, lo, hi value.Value) {
		b.forEach(i64c(0), rowCount(b), 1, func(r value.Value) {
			row := b.mulc(r, int64(s.Width))
			b.forEach(lo, hi, 1, func(j value.Value) {
				b.addTo(b.p("db"), j, b.at(b.p("dy"), b.add(row, j)))
			})
		})
	}
	return kernelDef{op: "bias_grad", items: s.Width, params: params, noalias: true,
		host: host, hostItems: ItemCount{N: s.Width},
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

// Attention is a batch of causal attention problems, one per (sequence,
// head), in the head-major layout of runtime/kernels: q and o are
// [Batch, Heads, Tq, D], k and v [Batch, Heads, Tk, D], lse [Batch, Heads,
// Tq]. Query i sits at position QOffset+i and key j at KOffset+j; query i
// sees key j when KOffset+j ≤ QOffset+i.
type Attention struct {
	Batch, Heads, Tq, Tk, D int
	QOffset, KOffset        int
}

func (a Attention) shape() string {
	s := fmt.Sprintf("b%d_h%d_q%d_k%d_d%d", a.Batch, a.Heads, a.Tq, a.Tk, a.D)
	if a.QOffset != 0 || a.KOffset != 0 {
		s += fmt.Sprintf("_qo%d_ko%d", a.QOffset, a.KOffset)
	}
	return s
}

// visible returns how many leading keys query i sees.
func (a Attention) visible(b *fnBuilder, i value.Value) value.Value {
	n := b.addc(i, int64(a.QOffset-a.KOffset+1))
	n = b.cur.NewSelect(b.slt(n, i64c(0)), i64c(0), n)
	return b.imin(n, i64c(int64(a.Tk)))
}

// firstQuery returns the first query that sees key j.
func (a Attention) firstQuery(b *fnBuilder, j value.Value) value.Value {
	f := b.addc(j, int64(a.KOffset-a.QOffset))
	return b.cur.NewSelect(b.slt(f, i64c(0)), i64c(0), f)
}

func (a Attention) scale() float64 { return 1 / math.Sqrt(float64(a.D)) }

// dot returns Σ_d x[xo+d]·y[yo+d] over the head dimension, in four
// interleaved partial sums when D allows, so that the additions do not
// form one chain of D dependent steps (the order changes the result by
// rounding only, far inside the 1e-5 the kernels are held to).
func (a Attention) dot(b *fnBuilder, x, xo, y, yo value.Value) value.Value {
	const lanes = 4
	if a.D%lanes != 0 {
		return b.sum(i64c(0), i64c(int64(a.D)), func(d value.Value) value.Value {
			return b.fmul(b.at(x, b.add(xo, d)), b.at(y, b.add(yo, d)))
		})
	}
	zero := []value.Value{f32c(0), f32c(0), f32c(0), f32c(0)}
	acc := b.loop(i64c(0), i64c(int64(a.D)), lanes, zero, func(d value.Value, acc []value.Value) []value.Value {
		out := make([]value.Value, lanes)
		for l := range out {
			dl := b.addc(d, int64(l))
			out[l] = b.fadd(acc[l], b.fmul(b.at(x, b.add(xo, dl)), b.at(y, b.add(yo, dl))))
		}
		return out
	})
	return b.fadd(b.fadd(acc[0], acc[1]), b.fadd(acc[2], acc[3]))
}

// AttentionFwd is causal attention with the softmax fused in, one query per
// item: o_i = Σ_j softmax_j(q_i·k_j/sqrt(D))·v_j over the visible keys and
// lse_i = the log-sum-exp of the scaled scores (o = 0, lse = -inf for a
// query that sees no key), as kernels.AttentionForward.
type AttentionFwd struct{ Attention }

func (s AttentionFwd) Name() string { return "attention_fwd_" + s.shape() }

func (s AttentionFwd) kernel() kernelDef {
	a := s.Attention
	def := kernelDef{op: "attention_fwd", noalias: true, items: a.Batch * a.Heads * a.Tq,
		params: ptrs("q", "k", "v", "o", "lse"), body: a.forwardQuery}
	if a.hostTiled() {
		def.host, def.hostItems = a.hostForward, ItemCount{N: a.Batch * a.Heads}
	}
	return def
}

// forwardQuery is AttentionFwd's per-query item (the GPUs', and the host's
// for problems too large for hostForward's stack buffers).
func (a Attention) forwardQuery(b *fnBuilder, item value.Value) {
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	q, k, v, o := b.p("q"), b.p("k"), b.p("v"), b.p("o")
	bh, i := b.cur.NewSDiv(item, i64c(Tq)), b.cur.NewSRem(item, i64c(Tq))
	qo, oo := b.mulc(item, D), b.mulc(item, D)
	kv := b.mulc(bh, Tk*D)
	nk := a.visible(b, i)
	b.forEach(i64c(0), i64c(D), 1, func(d value.Value) { b.set(o, b.add(oo, d), f32c(0)) })
	score := func(j value.Value) value.Value {
		return b.fmul(a.dot(b, q, qo, k, b.add(kv, b.mulc(j, D))), f32c(a.scale()))
	}
	mx := b.loop(i64c(0), nk, 1, []value.Value{f32c(-3.0e38)}, func(j value.Value, m []value.Value) []value.Value {
		return []value.Value{b.fmax(m[0], score(j))}
	})[0]
	// Online accumulation of Σ e_j·v_j, then one division.
	sum := b.sum(i64c(0), nk, func(j value.Value) value.Value {
		e := b.exp(b.fsub(score(j), mx))
		vo := b.add(kv, b.mulc(j, D))
		b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
			b.addTo(o, b.add(oo, d), b.fmul(e, b.at(v, b.add(vo, d))))
		})
		return e
	})
	empty := b.cur.NewICmp(enum.IPredEQ, nk, i64c(0))
	inv := b.fdiv(f32c(1), sum)
	b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
		b.set(o, b.add(oo, d), b.fmul(b.at(o, b.add(oo, d)), inv))
	})
	lse := b.cur.NewSelect(empty, f32c(math.Inf(-1)), b.fadd(mx, b.log(sum)))
	b.ifThen(empty, func() {
		b.forEach(i64c(0), i64c(D), 1, func(d value.Value) { b.set(o, b.add(oo, d), f32c(0)) })
	})
	b.set(b.p("lse"), item, lse)
}

// attnGrad returns, for query row qi and key row kj of problem bh,
// p = exp(s - lse_i) and dS = p·(do_i·v_j - Δ_i)/sqrt(D), with
// Δ_i = do_i·o_i (the backward of kernels.AttentionBackward); delta, when
// not nil, is Δ_i computed once by the caller.
func (a Attention) attnGrad(b *fnBuilder, bh, i, j, delta value.Value) (p, ds value.Value) {
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	qrow := b.mulc(b.idx(bh, Tq, i), D)
	krow := b.add(b.mulc(bh, Tk*D), b.mulc(j, D))
	s := b.fmul(a.dot(b, b.p("q"), qrow, b.p("k"), krow), f32c(a.scale()))
	p = b.exp(b.fsub(s, b.at(b.p("lse"), b.idx(bh, Tq, i))))
	if delta == nil {
		delta = a.dot(b, b.p("do"), qrow, b.p("o"), qrow)
	}
	dp := a.dot(b, b.p("do"), qrow, b.p("v"), krow)
	ds = b.fmul(b.fmul(p, b.fsub(dp, delta)), f32c(a.scale()))
	return p, ds
}

// AttentionBwdQ adds the query gradient, one query per item:
// dq_i += Σ_j dS_ij·k_j.
type AttentionBwdQ struct{ Attention }

func (s AttentionBwdQ) Name() string { return "attention_bwd_q_" + s.shape() }

func (s AttentionBwdQ) kernel() kernelDef {
	a := s.Attention
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	return kernelDef{op: "attention_bwd_q", noalias: true, items: a.Batch * a.Heads * a.Tq,
		params: ptrs("do", "q", "k", "v", "o", "lse", "dq"),
		body: func(b *fnBuilder, item value.Value) {
			bh, i := b.cur.NewSDiv(item, i64c(Tq)), b.cur.NewSRem(item, i64c(Tq))
			qrow := b.mulc(item, D)
			delta := a.dot(b, b.p("do"), qrow, b.p("o"), qrow)
			b.forEach(i64c(0), a.visible(b, i), 1, func(j value.Value) {
				_, ds := a.attnGrad(b, bh, i, j, delta)
				krow := b.add(b.mulc(bh, Tk*D), b.mulc(j, D))
				b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
					b.addTo(b.p("dq"), b.add(qrow, d), b.fmul(ds, b.at(b.p("k"), b.add(krow, d))))
				})
			})
		}}
}

// AttentionBwdKV adds the key and value gradients, one key per item:
// dk_j += Σ_i dS_ij·q_i and dv_j += Σ_i p_ij·do_i over the queries that
// see key j.
type AttentionBwdKV struct{ Attention }

func (s AttentionBwdKV) Name() string { return "attention_bwd_kv_" + s.shape() }

func (s AttentionBwdKV) kernel() kernelDef {
	a := s.Attention
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	return kernelDef{op: "attention_bwd_kv", noalias: true, items: a.Batch * a.Heads * a.Tk,
		params: ptrs("do", "q", "k", "v", "o", "lse", "dk", "dv"),
		body: func(b *fnBuilder, item value.Value) {
			bh, j := b.cur.NewSDiv(item, i64c(Tk)), b.cur.NewSRem(item, i64c(Tk))
			krow := b.mulc(item, D)
			b.forEach(a.firstQuery(b, j), i64c(Tq), 1, func(i value.Value) {
				p, ds := a.attnGrad(b, bh, i, j, nil)
				qrow := b.mulc(b.idx(bh, Tq, i), D)
				b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
					b.addTo(b.p("dk"), b.add(krow, d), b.fmul(ds, b.at(b.p("q"), b.add(qrow, d))))
					b.addTo(b.p("dv"), b.add(krow, d), b.fmul(p, b.at(b.p("do"), b.add(qrow, d))))
				})
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

// RouterTopKBwd adds to dlogits[Tokens,Experts] the gradient of RouterTopK
// from the combine-weight gradients dw[Tokens,K] (through the
// normalization when set) and from aux[Experts], a gradient added to every
// token's probabilities (the auxiliary loss's, already scaled; zeros for
// none): dp_e = aux_e + Σ_j [idx_j = e]·dw'_j, then
// dlogits += p·(dp - Σ p·dp), as kernels.RouterBackward.
type RouterTopKBwd struct{ RouterTopK }

func (s RouterTopKBwd) Name() string {
	return "router_topk_bwd" + s.RouterTopK.Name()[len("router_topk"):]
}

func (s RouterTopKBwd) kernel() kernelDef {
	E, K := int64(s.Experts), int64(s.K)
	return kernelDef{op: "router_topk_bwd", items: s.Tokens,
		params: []Param{{"dw", F32Ptr}, {"aux", F32Ptr}, {"probs", F32Ptr}, {"idx", I32Ptr}, {"dlogits", F32Ptr}},
		body: func(b *fnBuilder, t value.Value) {
			dw, probs, idx := b.p("dw"), b.p("probs"), b.p("idx")
			base, kb := b.mulc(t, E), b.mulc(t, K)
			pSel := func(j value.Value) value.Value { return b.at(probs, b.add(base, b.sext(b.at(idx, b.add(kb, j))))) }
			// dpSel(j) is the gradient reaching the probability of slot j.
			dpSel := func(j value.Value) value.Value { return b.at(dw, b.add(kb, j)) }
			if s.Normalize {
				ssum := b.sum(i64c(0), i64c(K), pSel)
				inv := b.fdiv(f32c(1), ssum)
				dot := b.sum(i64c(0), i64c(K), func(j value.Value) value.Value {
					return b.fmul(b.at(dw, b.add(kb, j)), pSel(j))
				})
				dpSel = func(j value.Value) value.Value {
					return b.fsub(b.fmul(b.at(dw, b.add(kb, j)), inv), b.fmul(dot, b.fmul(inv, inv)))
				}
			}
			// dp_e for expert e: aux plus the slots that chose it.
			dp := func(e value.Value) value.Value {
				return b.loop(i64c(0), i64c(K), 1, []value.Value{b.at(b.p("aux"), e)}, func(j value.Value, acc []value.Value) []value.Value {
					hit := b.cur.NewICmp(enum.IPredEQ, b.sext(b.at(idx, b.add(kb, j))), e)
					return []value.Value{b.cur.NewSelect(hit, b.fadd(acc[0], dpSel(j)), acc[0])}
				})[0]
			}
			pdp := b.sum(i64c(0), i64c(E), func(e value.Value) value.Value {
				return b.fmul(b.at(probs, b.add(base, e)), dp(e))
			})
			b.forEach(i64c(0), i64c(E), 1, func(e value.Value) {
				k := b.add(base, e)
				b.addTo(b.p("dlogits"), k, b.fmul(b.at(probs, k), b.fsub(dp(e), pdp)))
			})
		}}
}

// Permute is the dispatch scatter of padding-free (and capacity) MoE for
// Tokens tokens with K slots: out[pos[t,j],:] = x[t,:] for every slot whose
// buffer row pos (int32) is not negative (negative: dropped). Rows of out
// that no slot names are left as they are (the caller zeroes padding).
type Permute struct{ Tokens, K, Width int }

func (s Permute) Name() string { return fmt.Sprintf("permute_t%d_k%d_w%d", s.Tokens, s.K, s.Width) }

func (s Permute) kernel() kernelDef {
	W, K := int64(s.Width), int64(s.K)
	return kernelDef{op: "permute", items: s.Tokens * s.K * s.Width,
		params: []Param{{"x", F32Ptr}, {"pos", I32Ptr}, {"out", F32Ptr}},
		body: func(b *fnBuilder, i value.Value) {
			slot, c := b.cur.NewSDiv(i, i64c(W)), b.cur.NewSRem(i, i64c(W))
			t := b.cur.NewSDiv(slot, i64c(K))
			row := b.sext(b.at(b.p("pos"), slot))
			b.ifThen(b.cur.NewICmp(enum.IPredSGE, row, i64c(0)), func() {
				b.set(b.p("out"), b.idx(row, W, c), b.at(b.p("x"), b.idx(t, W, c)))
			})
		}}
}

// PermuteBwd is Permute's backward: dx[t,:] += dout[pos[t,j],:] for the
// kept slots in slot order (a gather, so deterministic and race-free).
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
			v := b.gatherSlots(t, K, b.at(b.p("dx"), i), func(slot, row value.Value) value.Value {
				return b.at(b.p("dout"), b.idx(row, W, c))
			})
			b.set(b.p("dx"), i, v)
		}}
}

// gatherSlots returns init + Σ_j term(slot, pos[slot]) over the K slots of
// token t whose pos is not negative, adding in slot order.
func (b *fnBuilder) gatherSlots(t value.Value, K int64, init value.Value, term func(slot, row value.Value) value.Value) value.Value {
	return b.loop(i64c(0), i64c(K), 1, []value.Value{init}, func(j value.Value, a []value.Value) []value.Value {
		slot := b.idx(t, K, j)
		row := b.sext(b.at(b.p("pos"), slot))
		v := b.ifElse(b.slt(row, i64c(0)), func() value.Value { return a[0] }, func() value.Value { return b.fadd(a[0], term(slot, row)) })
		return []value.Value{v}
	})[0]
}

// Unpermute is the combine: y[t,:] = Σ_j w[t,j]·e[pos[t,j],:] over the kept
// slots in slot order (y is overwritten; w is laid out as the router's
// weights).
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
			v := b.gatherSlots(t, K, f32c(0), func(slot, row value.Value) value.Value {
				return b.fmul(b.at(b.p("w"), slot), b.at(b.p("e"), b.idx(row, W, c)))
			})
			b.set(b.p("y"), i, v)
		}}
}

// UnpermuteBwd is Unpermute's backward, per kept slot (t,j):
// de[pos,:] += w[t,j]·dy[t,:] and dw[t,j] += dy[t,:]·e[pos,:].
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
			b.ifThen(b.cur.NewICmp(enum.IPredSGE, row, i64c(0)), func() {
				wj := b.at(b.p("w"), slot)
				dot := b.sum(i64c(0), i64c(W), func(c value.Value) value.Value {
					d := b.at(b.p("dy"), b.idx(t, W, c))
					b.addTo(b.p("de"), b.idx(row, W, c), b.fmul(wj, d))
					return b.fmul(d, b.at(b.p("e"), b.idx(row, W, c)))
				})
				b.addTo(b.p("dw"), slot, dot)
			})
		}}
}

// AdamW updates n parameters in place, as runtime/optim's Step:
// g' = g·scale; m = β1·m + (1-β1)·g'; v = β2·v + (1-β2)·g'²;
// p = p·(1 - lr·wd) - lr·(m·ibc1)/(sqrt(v·ibc2) + eps),
// with hp = [lr, wd, ibc1, ibc2, scale] (ibc = 1/(1-β^step), the bias
// corrections' reciprocals, so that an element costs one division; wd = 0
// for vectors,
// scale the clipping factor), all computed by the caller.
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
			lr, wd, ibc1, ibc2, scale := b.at(hp, i64c(0)), b.at(hp, i64c(1)), b.at(hp, i64c(2)), b.at(hp, i64c(3)), b.at(hp, i64c(4))
			g := b.fmul(b.at(b.p("g"), i), scale)
			m := b.fadd(b.fmul(f32c(s.Beta1), b.at(b.p("m"), i)), b.fmul(f32c(1-s.Beta1), g))
			v := b.fadd(b.fmul(f32c(s.Beta2), b.at(b.p("v"), i)), b.fmul(f32c(1-s.Beta2), b.fmul(g, g)))
			b.set(b.p("m"), i, m)
			b.set(b.p("v"), i, v)
			p := b.fmul(b.at(b.p("p"), i), b.fsub(f32c(1), b.fmul(lr, wd)))
			upd := b.fdiv(b.fmul(m, ibc1), b.fadd(b.sqrt(b.fmul(v, ibc2)), f32c(s.Eps)))
			b.set(b.p("p"), i, b.fsub(p, b.fmul(lr, upd)))
		}}
}

func ptrs(names ...string) []Param {
	ps := make([]Param, len(names))
	for i, n := range names {
		ps[i] = Param{n, F32Ptr}
	}
	return ps
}
