package llvm

import (
	"fmt"
	"math"
	"strings"

	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// This file holds the kernels of today's architectures (docs/semantics.md,
// "Today's architectures"), each the counterpart of a runtime/kernels
// function of the same contract: RMSNorm, gated FFN activations, rotary
// embeddings, grouped-query/latent attention and sigmoid, group-limited
// routing with a selection bias.

// RMSNormFwd normalizes each of Rows rows of width Width by its root mean
// square: y = x·rstd·gamma with rstd = 1/sqrt(mean(x²) + Eps), and stores
// rstd[Rows], as kernels.RMSNormForward.
type RMSNormFwd struct {
	Rows, Width int
	Eps         float64
}

func (s RMSNormFwd) Name() string {
	return fmt.Sprintf("rmsnorm_fwd_r%d_w%d_e%s", s.Rows, s.Width, symbolFloat(s.Eps))
}

// symbolFloat prints a float for a symbol name ([A-Za-z0-9_] only).
func symbolFloat(v float64) string {
	return strings.NewReplacer(".", "p", "-", "m", "+", "").Replace(fmt.Sprintf("%g", v))
}

func (s RMSNormFwd) kernel() kernelDef {
	w := int64(s.Width)
	return kernelDef{op: "rmsnorm_fwd", items: s.Rows,
		params: ptrs("x", "gamma", "y", "rstd"),
		body: func(b *fnBuilder, r value.Value) {
			x, y := b.p("x"), b.p("y")
			base := b.mulc(r, w)
			ms := b.fmul(b.sum(i64c(0), i64c(w), func(j value.Value) value.Value {
				v := b.at(x, b.add(base, j))
				return b.fmul(v, v)
			}), f32c(1/float64(w)))
			rstd := b.fdiv(f32c(1), b.sqrt(b.fadd(ms, f32c(s.Eps))))
			b.forEach(i64c(0), i64c(w), 1, func(j value.Value) {
				k := b.add(base, j)
				b.set(y, k, b.fmul(b.fmul(b.at(x, k), rstd), b.at(b.p("gamma"), j)))
			})
			b.set(b.p("rstd"), r, rstd)
		}}
}

// RMSNormBwdData adds the input gradient of RMSNormFwd, row by row:
// dx += rstd·(g − xhat·mean(g·xhat)) with g = dy·gamma, xhat = x·rstd.
type RMSNormBwdData struct{ Rows, Width int }

func (s RMSNormBwdData) Name() string {
	return fmt.Sprintf("rmsnorm_bwd_dx_r%d_w%d", s.Rows, s.Width)
}

func (s RMSNormBwdData) kernel() kernelDef {
	w := int64(s.Width)
	return kernelDef{op: "rmsnorm_bwd_dx", items: s.Rows,
		params: ptrs("dy", "x", "gamma", "rstd", "dx"),
		body: func(b *fnBuilder, r value.Value) {
			x, dy, gamma := b.p("x"), b.p("dy"), b.p("gamma")
			base := b.mulc(r, w)
			rstd := b.at(b.p("rstd"), r)
			xhat := func(j value.Value) value.Value { return b.fmul(b.at(x, b.add(base, j)), rstd) }
			g := func(j value.Value) value.Value { return b.fmul(b.at(dy, b.add(base, j)), b.at(gamma, j)) }
			m := b.fmul(b.sum(i64c(0), i64c(w), func(j value.Value) value.Value { return b.fmul(g(j), xhat(j)) }), f32c(1/float64(w)))
			b.forEach(i64c(0), i64c(w), 1, func(j value.Value) {
				b.addTo(b.p("dx"), b.add(base, j), b.fmul(rstd, b.fsub(g(j), b.fmul(xhat(j), m))))
			})
		}}
}

// RMSNormBwdParams accumulates the gain gradient of RMSNormFwd, column by
// column: dgamma += Σ_rows dy·x·rstd.
type RMSNormBwdParams struct{ Rows, Width int }

func (s RMSNormBwdParams) Name() string {
	return fmt.Sprintf("rmsnorm_bwd_dgamma_r%d_w%d", s.Rows, s.Width)
}

func (s RMSNormBwdParams) kernel() kernelDef {
	w := int64(s.Width)
	return kernelDef{op: "rmsnorm_bwd_dgamma", items: s.Width,
		params: ptrs("dy", "x", "rstd", "dgamma"),
		body: func(b *fnBuilder, j value.Value) {
			t := b.sum(i64c(0), i64c(int64(s.Rows)), func(r value.Value) value.Value {
				k := b.idx(r, w, j)
				return b.fmul(b.at(b.p("dy"), k), b.fmul(b.at(b.p("x"), k), b.at(b.p("rstd"), r)))
			})
			b.addTo(b.p("dgamma"), j, t)
		}}
}

// GLUAct is a gated FFN's activation of the gate.
type GLUAct uint8

const (
	SwiGLU GLUAct = iota // silu(gate)·up
	GeGLU                // gelu_tanh(gate)·up
)

func (a GLUAct) String() string {
	if a == GeGLU {
		return "geglu"
	}
	return "swiglu"
}

// act returns act(x) and act'(x).
func (a GLUAct) act(b *fnBuilder, x value.Value) (value.Value, value.Value) {
	if a == GeGLU {
		th := b.tanh(geluInner(b, x))
		sech2 := b.fsub(f32c(1), b.fmul(th, th))
		du := b.fmul(f32c(geluC), b.fadd(f32c(1), b.fmul(f32c(3*0.044715), b.fmul(x, x))))
		y := b.fmul(b.fmul(f32c(0.5), x), b.fadd(f32c(1), th))
		d := b.fadd(b.fmul(f32c(0.5), b.fadd(f32c(1), th)), b.fmul(b.fmul(f32c(0.5), x), b.fmul(sech2, du)))
		return y, d
	}
	sg := sigmoid(b, x)
	return b.fmul(x, sg), b.fmul(sg, b.fadd(f32c(1), b.fmul(x, b.fsub(f32c(1), sg))))
}

// GLUFwd is a gated FFN's activation over Rows rows (Rows zero: the
// runtime count n) of fc1's output x[Rows, 2F] (gate columns, then up):
// y[Rows, F] = act(gate)·up, as kernels.GLUForward.
type GLUFwd struct {
	Rows, F int
	Act     GLUAct
}

func (s GLUFwd) Name() string { return fmt.Sprintf("glu_fwd_%s_r%s_f%d", s.Act, dimName(s.Rows), s.F) }

func (s GLUFwd) kernel() kernelDef {
	f := int64(s.F)
	return withCount(s.Rows, s.F, kernelDef{op: "glu_fwd", params: ptrs("x", "y"),
		body: func(b *fnBuilder, i value.Value) {
			r, j := b.cur.NewSDiv(i, i64c(f)), b.cur.NewSRem(i, i64c(f))
			gi := b.idx(r, 2*f, j)
			a, _ := s.Act.act(b, b.at(b.p("x"), gi))
			b.set(b.p("y"), i, b.fmul(a, b.at(b.p("x"), b.addc(gi, f))))
		}})
}

// GLUBwd adds GLUFwd's gradient to dx[Rows, 2F]: d gate += dy·up·act'(gate),
// d up += dy·act(gate).
type GLUBwd struct {
	Rows, F int
	Act     GLUAct
}

func (s GLUBwd) Name() string { return fmt.Sprintf("glu_bwd_%s_r%s_f%d", s.Act, dimName(s.Rows), s.F) }

func (s GLUBwd) kernel() kernelDef {
	f := int64(s.F)
	return withCount(s.Rows, s.F, kernelDef{op: "glu_bwd", params: ptrs("x", "dy", "dx"),
		body: func(b *fnBuilder, i value.Value) {
			r, j := b.cur.NewSDiv(i, i64c(f)), b.cur.NewSRem(i, i64c(f))
			gi := b.idx(r, 2*f, j)
			ui := b.addc(gi, f)
			dy := b.at(b.p("dy"), i)
			a, da := s.Act.act(b, b.at(b.p("x"), gi))
			b.addTo(b.p("dx"), gi, b.fmul(b.fmul(dy, b.at(b.p("x"), ui)), da))
			b.addTo(b.p("dx"), ui, b.fmul(dy, a))
		}})
}

// RoPE is a head-major tensor [Batch, Heads, T, D] whose head vectors carry
// a rotary part in their last Rotary columns, with the rotation tables
// cos, sin [T, Rotary/2] of kernels.RoPETable.
type RoPE struct{ Batch, Heads, T, D, Rotary int }

func (r RoPE) shape() string {
	return fmt.Sprintf("b%d_h%d_t%d_d%d_r%d", r.Batch, r.Heads, r.T, r.D, r.Rotary)
}

// rotate emits, for the vector of item v (one head vector per item), out
// (=) or (+=) the rotation of in by sign·angle in the half-split
// convention; the first D−Rotary columns pass through.
func (r RoPE) rotate(b *fnBuilder, v value.Value, in, out string, sign float64, accumulate bool) {
	D, half := int64(r.D), int64(r.Rotary/2)
	base := b.mulc(v, D)
	t := b.cur.NewSRem(v, i64c(int64(r.T)))
	put := b.set
	if accumulate {
		put = b.addTo
	}
	b.forEach(i64c(0), i64c(D-2*half), 1, func(j value.Value) {
		put(b.p(out), b.add(base, j), b.at(b.p(in), b.add(base, j)))
	})
	lo := b.addc(base, D-2*half)
	b.forEach(i64c(0), i64c(half), 1, func(i value.Value) {
		c := b.at(b.p("cos"), b.idx(t, half, i))
		sn := b.fmul(f32c(sign), b.at(b.p("sin"), b.idx(t, half, i)))
		ia, ib := b.add(lo, i), b.addc(b.add(lo, i), half)
		a, bv := b.at(b.p(in), ia), b.at(b.p(in), ib)
		put(b.p(out), ia, b.fsub(b.fmul(a, c), b.fmul(bv, sn)))
		put(b.p(out), ib, b.fadd(b.fmul(bv, c), b.fmul(a, sn)))
	})
}

// RoPEFwd rotates every head vector, one per item: y = rotation of x, as
// kernels.RoPEForward (y must not overlap x: items run in parallel).
type RoPEFwd struct{ RoPE }

func (s RoPEFwd) Name() string { return "rope_fwd_" + s.shape() }

func (s RoPEFwd) kernel() kernelDef {
	return kernelDef{op: "rope_fwd", items: s.Batch * s.Heads * s.T,
		params: ptrs("x", "cos", "sin", "y"),
		body:   func(b *fnBuilder, v value.Value) { s.rotate(b, v, "x", "y", 1, false) }}
}

// RoPEBwd adds to dx the rotation of dy by the opposite angle, as
// kernels.RoPEBackward.
type RoPEBwd struct{ RoPE }

func (s RoPEBwd) Name() string { return "rope_bwd_" + s.shape() }

func (s RoPEBwd) kernel() kernelDef {
	return kernelDef{op: "rope_bwd", items: s.Batch * s.Heads * s.T,
		params: ptrs("dy", "cos", "sin", "dx"),
		body:   func(b *fnBuilder, v value.Value) { s.rotate(b, v, "dy", "dx", -1, true) }}
}

// GroupedAttention is Attention with KVHeads key/value heads shared by the
// Heads query heads (query head i reads i/(Heads/KVHeads)) and value heads
// of width DV (q and k: D), in the layouts of kernels.GroupedAttnShape:
// q [Batch, Heads, Tq, D], k [Batch, KVHeads, Tk, D], v [Batch, KVHeads,
// Tk, DV], o [Batch, Heads, Tq, DV], lse [Batch, Heads, Tq].
type GroupedAttention struct {
	Attention
	KVHeads, DV int
}

func (a GroupedAttention) shape() string {
	return fmt.Sprintf("%s_g%d_v%d", a.Attention.shape(), a.KVHeads, a.DV)
}

func (a GroupedAttention) group() int64 { return int64(a.Heads / a.KVHeads) }

// rows returns the first elements of query row (bh, i) and of key row j
// and value row j of bh's key/value head.
func (a GroupedAttention) rows(b *fnBuilder, bh, i, j value.Value) (q, k, v value.Value) {
	D, DV, Tq, Tk := int64(a.D), int64(a.DV), int64(a.Tq), int64(a.Tk)
	kvh := b.cur.NewSDiv(bh, i64c(a.group()))
	kv := b.idx(kvh, Tk, j)
	return b.mulc(b.idx(bh, Tq, i), D), b.mulc(kv, D), b.mulc(kv, DV)
}

// grad returns p = exp(s − lse_i) and dS = p·(do_i·v_j − Δ_i)/sqrt(D) of
// query i of problem bh and key j, with Δ_i = do_i·o_i given.
func (a GroupedAttention) grad(b *fnBuilder, bh, i, j, delta value.Value) (p, ds value.Value) {
	qr, kr, vr := a.rows(b, bh, i, j)
	s := b.fmul(a.dot(b, b.p("q"), qr, b.p("k"), kr), f32c(a.scale()))
	p = b.exp(b.fsub(s, b.at(b.p("lse"), b.idx(bh, int64(a.Tq), i))))
	orow := b.mulc(b.idx(bh, int64(a.Tq), i), int64(a.DV))
	dp := Attention{D: a.DV}.dot(b, b.p("do"), orow, b.p("v"), vr)
	return p, b.fmul(b.fmul(p, b.fsub(dp, delta)), f32c(a.scale()))
}

// GroupedAttentionFwd is causal grouped attention with the softmax fused
// in, one query per item, as kernels.GroupedAttentionForward.
type GroupedAttentionFwd struct{ GroupedAttention }

func (s GroupedAttentionFwd) Name() string { return "grouped_attention_fwd_" + s.shape() }

func (s GroupedAttentionFwd) kernel() kernelDef {
	a := s.GroupedAttention
	DV, Tq := int64(a.DV), int64(a.Tq)
	return kernelDef{op: "grouped_attention_fwd", noalias: true, items: a.Batch * a.Heads * a.Tq,
		params: ptrs("q", "k", "v", "o", "lse"),
		body: func(b *fnBuilder, item value.Value) {
			o := b.p("o")
			bh, i := b.cur.NewSDiv(item, i64c(Tq)), b.cur.NewSRem(item, i64c(Tq))
			oo := b.mulc(item, DV)
			nk := a.visible(b, i)
			b.forEach(i64c(0), i64c(DV), 1, func(d value.Value) { b.set(o, b.add(oo, d), f32c(0)) })
			score := func(j value.Value) value.Value {
				qr, kr, _ := a.rows(b, bh, i, j)
				return b.fmul(a.dot(b, b.p("q"), qr, b.p("k"), kr), f32c(a.scale()))
			}
			mx := b.loop(i64c(0), nk, 1, []value.Value{f32c(-3.0e38)}, func(j value.Value, m []value.Value) []value.Value {
				return []value.Value{b.fmax(m[0], score(j))}
			})[0]
			sum := b.sum(i64c(0), nk, func(j value.Value) value.Value {
				e := b.exp(b.fsub(score(j), mx))
				_, _, vr := a.rows(b, bh, i, j)
				b.forEach(i64c(0), i64c(DV), 1, func(d value.Value) {
					b.addTo(o, b.add(oo, d), b.fmul(e, b.at(b.p("v"), b.add(vr, d))))
				})
				return e
			})
			empty := b.cur.NewICmp(enum.IPredEQ, nk, i64c(0))
			inv := b.fdiv(f32c(1), sum)
			b.forEach(i64c(0), i64c(DV), 1, func(d value.Value) {
				b.set(o, b.add(oo, d), b.fmul(b.at(o, b.add(oo, d)), inv))
			})
			lse := b.cur.NewSelect(empty, f32c(math.Inf(-1)), b.fadd(mx, b.log(sum)))
			b.ifThen(empty, func() {
				b.forEach(i64c(0), i64c(DV), 1, func(d value.Value) { b.set(o, b.add(oo, d), f32c(0)) })
			})
			b.set(b.p("lse"), item, lse)
		}}
}

// GroupedAttentionBwdQ adds the query gradient, one query per item:
// dq_i += Σ_j dS_ij·k_j.
type GroupedAttentionBwdQ struct{ GroupedAttention }

func (s GroupedAttentionBwdQ) Name() string { return "grouped_attention_bwd_q_" + s.shape() }

func (s GroupedAttentionBwdQ) kernel() kernelDef {
	a := s.GroupedAttention
	D, DV, Tq := int64(a.D), int64(a.DV), int64(a.Tq)
	return kernelDef{op: "grouped_attention_bwd_q", noalias: true, items: a.Batch * a.Heads * a.Tq,
		params: ptrs("do", "q", "k", "v", "o", "lse", "dq"),
		body: func(b *fnBuilder, item value.Value) {
			bh, i := b.cur.NewSDiv(item, i64c(Tq)), b.cur.NewSRem(item, i64c(Tq))
			orow := b.mulc(item, DV)
			delta := Attention{D: a.DV}.dot(b, b.p("do"), orow, b.p("o"), orow)
			qrow := b.mulc(item, D)
			b.forEach(i64c(0), a.visible(b, i), 1, func(j value.Value) {
				_, ds := a.grad(b, bh, i, j, delta)
				_, kr, _ := a.rows(b, bh, i, j)
				b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
					b.addTo(b.p("dq"), b.add(qrow, d), b.fmul(ds, b.at(b.p("k"), b.add(kr, d))))
				})
			})
		}}
}

// GroupedAttentionBwdKV adds the key and value gradients, one key of one
// key/value head per item, over the query heads of its group in order and
// the queries that see it: dk_j += Σ dS_ij·q_i, dv_j += Σ p_ij·do_i.
type GroupedAttentionBwdKV struct{ GroupedAttention }

func (s GroupedAttentionBwdKV) Name() string { return "grouped_attention_bwd_kv_" + s.shape() }

func (s GroupedAttentionBwdKV) kernel() kernelDef {
	a := s.GroupedAttention
	D, DV, Tq, Tk, grp := int64(a.D), int64(a.DV), int64(a.Tq), int64(a.Tk), a.group()
	return kernelDef{op: "grouped_attention_bwd_kv", noalias: true, items: a.Batch * a.KVHeads * a.Tk,
		params: ptrs("do", "q", "k", "v", "o", "lse", "dk", "dv"),
		body: func(b *fnBuilder, item value.Value) {
			kvh, j := b.cur.NewSDiv(item, i64c(Tk)), b.cur.NewSRem(item, i64c(Tk))
			krow, vrow := b.mulc(item, D), b.mulc(item, DV)
			first := a.firstQuery(b, j)
			b.forEach(i64c(0), i64c(grp), 1, func(h value.Value) {
				bh := b.add(b.mulc(kvh, grp), h)
				b.forEach(first, i64c(Tq), 1, func(i value.Value) {
					orow := b.mulc(b.idx(bh, Tq, i), DV)
					delta := Attention{D: a.DV}.dot(b, b.p("do"), orow, b.p("o"), orow)
					p, ds := a.grad(b, bh, i, j, delta)
					qrow := b.mulc(b.idx(bh, Tq, i), D)
					b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
						b.addTo(b.p("dk"), b.add(krow, d), b.fmul(ds, b.at(b.p("q"), b.add(qrow, d))))
					})
					b.forEach(i64c(0), i64c(DV), 1, func(d value.Value) {
						b.addTo(b.p("dv"), b.add(vrow, d), b.fmul(p, b.at(b.p("do"), b.add(orow, d))))
					})
				})
			})
		}}
}

// RouterScored routes Tokens tokens among Experts experts as
// kernels.RouteScored: affinities probs[Tokens, Experts] (sigmoid of the
// logits when Sigmoid, else their softmax); selection by affinity +
// bias[Experts], first of the TopKGroups best of Groups groups (their
// largest, or with Sigmoid the sum of their two largest, selection
// scores; written to gscore[Tokens, Groups]) when Groups > 0, then the K
// best experts of the kept groups in decreasing order (ties to the lower
// index) into idx[Tokens, K] (int32); weights w[Tokens, K] = their
// affinities, divided by their sum when Normalize.
type RouterScored struct {
	Tokens, Experts, K int
	Sigmoid, Normalize bool
	Groups, TopKGroups int
}

func (s RouterScored) Name() string {
	n := fmt.Sprintf("router_scored_t%d_e%d_k%d_g%d_%d", s.Tokens, s.Experts, s.K, s.Groups, s.TopKGroups)
	if s.Sigmoid {
		n += "_sigmoid"
	}
	if s.Normalize {
		n += "_norm"
	}
	return n
}

func (s RouterScored) kernel() kernelDef {
	E, K, G := int64(s.Experts), int64(s.K), int64(max(s.Groups, 1))
	size := E / G
	return kernelDef{op: "router_scored", items: s.Tokens,
		params: append(ptrs("logits", "bias", "probs", "gscore"), Param{"idx", I32Ptr}, Param{"w", F32Ptr}),
		body: func(b *fnBuilder, t value.Value) {
			probs, idx, w := b.p("probs"), b.p("idx"), b.p("w")
			base, kb, gb := b.mulc(t, E), b.mulc(t, K), b.mulc(t, G)
			s.affinities(b, base)
			sel := func(e value.Value) value.Value {
				return b.fadd(b.at(probs, b.add(base, e)), b.at(b.p("bias"), e))
			}
			// Group scores: the best one or two selection scores of each.
			b.forEach(i64c(0), i64c(G), 1, func(g value.Value) {
				top := b.loop(i64c(0), i64c(size), 1, []value.Value{f32c(-3.0e38), f32c(-3.0e38)}, func(x value.Value, a []value.Value) []value.Value {
					v := sel(b.add(b.mulc(g, size), x))
					gt1 := b.cur.NewFCmp(enum.FPredOGT, v, a[0])
					gt2 := b.cur.NewFCmp(enum.FPredOGT, v, a[1])
					second := b.cur.NewSelect(gt1, a[0], b.cur.NewSelect(gt2, v, a[1]))
					return []value.Value{b.cur.NewSelect(gt1, v, a[0]), second}
				})
				score := top[0]
				if s.Sigmoid && size > 1 {
					score = b.fadd(top[0], top[1])
				}
				b.set(b.p("gscore"), b.add(gb, g), score)
			})
			// allowed(e): fewer than TopKGroups groups beat e's group
			// (a higher score, or an equal one at a lower index).
			allowed := func(e value.Value) value.Value {
				if s.Groups == 0 {
					return constTrue()
				}
				g := b.cur.NewSDiv(e, i64c(size))
				mine := b.at(b.p("gscore"), b.add(gb, g))
				beats := b.loop(i64c(0), i64c(G), 1, []value.Value{i64c(0)}, func(h value.Value, n []value.Value) []value.Value {
					other := b.at(b.p("gscore"), b.add(gb, h))
					better := b.cur.NewOr(b.cur.NewFCmp(enum.FPredOGT, other, mine),
						b.cur.NewAnd(b.cur.NewFCmp(enum.FPredOEQ, other, mine), b.slt(h, g)))
					return []value.Value{b.add(n[0], b.cur.NewZExt(better, types.I64))}
				})[0]
				return b.slt(beats, i64c(int64(s.TopKGroups)))
			}
			total := b.loop(i64c(0), i64c(K), 1, []value.Value{f32c(0)}, func(j value.Value, tot []value.Value) []value.Value {
				best := b.loop(i64c(0), i64c(E), 1, []value.Value{i64c(-1), f32c(-3.0e38)}, func(e value.Value, bv []value.Value) []value.Value {
					taken := b.loop(i64c(0), j, 1, []value.Value{constFalse()}, func(jj value.Value, tk []value.Value) []value.Value {
						prev := b.sext(b.at(idx, b.add(kb, jj)))
						return []value.Value{b.cur.NewOr(tk[0], b.cur.NewICmp(enum.IPredEQ, prev, e))}
					})[0]
					v := sel(e)
					ok := b.cur.NewAnd(b.cur.NewXor(taken, constTrue()), allowed(e))
					better := b.cur.NewAnd(ok, b.cur.NewOr(b.slt(bv[0], i64c(0)), b.cur.NewFCmp(enum.FPredOGT, v, bv[1])))
					return []value.Value{b.cur.NewSelect(better, e, bv[0]), b.cur.NewSelect(better, v, bv[1])}
				})
				b.set(idx, b.add(kb, j), b.cur.NewTrunc(best[0], types.I32))
				p := b.at(probs, b.add(base, best[0]))
				b.set(w, b.add(kb, j), p)
				return []value.Value{b.fadd(tot[0], p)}
			})[0]
			if s.Normalize {
				inv := b.fdiv(f32c(1), total)
				b.forEach(i64c(0), i64c(K), 1, func(j value.Value) {
					b.set(w, b.add(kb, j), b.fmul(b.at(w, b.add(kb, j)), inv))
				})
			}
		}}
}

// affinities writes token base's affinities into probs.
func (s RouterScored) affinities(b *fnBuilder, base value.Value) {
	E := int64(s.Experts)
	logits, probs := b.p("logits"), b.p("probs")
	if s.Sigmoid {
		b.forEach(i64c(0), i64c(E), 1, func(e value.Value) {
			b.set(probs, b.add(base, e), sigmoid(b, b.at(logits, b.add(base, e))))
		})
		return
	}
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
}

// RouterScoredBwd adds to dlogits[Tokens, Experts] the gradient of
// RouterScored's weights dw[Tokens, K] (through the normalization when
// set) plus aux[Experts] on every affinity, as kernels.RouteScoredBackward:
// dp_e = aux_e + Σ_j [idx_j = e]·dw'_j, then dlogits += dp·s·(1−s)
// (sigmoid) or p·(dp − Σ p·dp) (softmax).
type RouterScoredBwd struct{ RouterScored }

// Name leaves out the groups: the backward does not depend on them.
func (s RouterScoredBwd) Name() string {
	n := fmt.Sprintf("router_scored_bwd_t%d_e%d_k%d", s.Tokens, s.Experts, s.K)
	if s.Sigmoid {
		n += "_sigmoid"
	}
	if s.Normalize {
		n += "_norm"
	}
	return n
}

func (s RouterScoredBwd) kernel() kernelDef {
	E, K := int64(s.Experts), int64(s.K)
	return kernelDef{op: "router_scored_bwd", items: s.Tokens,
		params: []Param{{"dw", F32Ptr}, {"aux", F32Ptr}, {"probs", F32Ptr}, {"idx", I32Ptr}, {"dlogits", F32Ptr}},
		body: func(b *fnBuilder, t value.Value) {
			dw, probs, idx := b.p("dw"), b.p("probs"), b.p("idx")
			base, kb := b.mulc(t, E), b.mulc(t, K)
			pSel := func(j value.Value) value.Value { return b.at(probs, b.add(base, b.sext(b.at(idx, b.add(kb, j))))) }
			dpSel := func(j value.Value) value.Value { return b.at(dw, b.add(kb, j)) }
			if s.Normalize {
				inv := b.fdiv(f32c(1), b.sum(i64c(0), i64c(K), pSel))
				dot := b.sum(i64c(0), i64c(K), func(j value.Value) value.Value { return b.fmul(b.at(dw, b.add(kb, j)), pSel(j)) })
				dpSel = func(j value.Value) value.Value {
					return b.fsub(b.fmul(b.at(dw, b.add(kb, j)), inv), b.fmul(dot, b.fmul(inv, inv)))
				}
			}
			dp := func(e value.Value) value.Value {
				return b.loop(i64c(0), i64c(K), 1, []value.Value{b.at(b.p("aux"), e)}, func(j value.Value, acc []value.Value) []value.Value {
					hit := b.cur.NewICmp(enum.IPredEQ, b.sext(b.at(idx, b.add(kb, j))), e)
					return []value.Value{b.cur.NewSelect(hit, b.fadd(acc[0], dpSel(j)), acc[0])}
				})[0]
			}
			if s.Sigmoid {
				b.forEach(i64c(0), i64c(E), 1, func(e value.Value) {
					k := b.add(base, e)
					sg := b.at(probs, k)
					b.addTo(b.p("dlogits"), k, b.fmul(dp(e), b.fmul(sg, b.fsub(f32c(1), sg))))
				})
				return
			}
			pdp := b.sum(i64c(0), i64c(E), func(e value.Value) value.Value { return b.fmul(b.at(probs, b.add(base, e)), dp(e)) })
			b.forEach(i64c(0), i64c(E), 1, func(e value.Value) {
				k := b.add(base, e)
				b.addTo(b.p("dlogits"), k, b.fmul(b.at(probs, k), b.fsub(dp(e), pdp)))
			})
		}}
}

// BalanceBias is DeepSeek-V3's bias update over Experts experts, one expert
// per item, as kernels.BalanceBias: bias_e += Rate·sign(mean − n_e) with
// the routed copies n[Experts] as int32 counts (compared exactly, as
// n_e·Experts against Σn in 64-bit integers).
type BalanceBias struct {
	Experts int
	Rate    float64
}

func (s BalanceBias) Name() string {
	return fmt.Sprintf("balance_bias_e%d_r%s", s.Experts, symbolFloat(s.Rate))
}

func (s BalanceBias) kernel() kernelDef {
	E := int64(s.Experts)
	return kernelDef{op: "balance_bias", items: s.Experts,
		params: []Param{{"counts", I32Ptr}, {"bias", F32Ptr}},
		body: func(b *fnBuilder, e value.Value) {
			total := b.loop(i64c(0), i64c(E), 1, []value.Value{i64c(0)}, func(j value.Value, acc []value.Value) []value.Value {
				return []value.Value{b.add(acc[0], b.sext(b.at(b.p("counts"), j)))}
			})[0]
			mine := b.mulc(b.sext(b.at(b.p("counts"), e)), E)
			under := b.slt(mine, total)
			over := b.slt(total, mine)
			step := b.cur.NewSelect(under, f32c(s.Rate), b.cur.NewSelect(over, f32c(-s.Rate), f32c(0)))
			b.addTo(b.p("bias"), e, step)
		}}
}
