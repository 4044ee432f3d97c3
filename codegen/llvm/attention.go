package llvm

import (
	"fmt"
	"math"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// This file holds the host routines of causal attention: one (batch, head)
// problem per item of the range, each query's row of D floats one LLVM
// vector <D x float>, so that a score or a gradient term of one (query,
// key) pair is a few vector instructions and one horizontal sum, where the
// GPUs' per-item code runs a scalar loop over D per pair.

// maxHostScoreRow bounds the keys whose scores the host forward keeps in a
// stack row of floats; longer rows run the per-query (GPU) code.
const maxHostScoreRow = 16384

// hsum returns the sum of the lanes of v (in any order: the reduction is
// marked reassociable, so the back end adds the halves as a tree).
func (b *fnBuilder) hsum(v value.Value) value.Value {
	vt := v.Type().(*types.VectorType)
	name := fmt.Sprintf("llvm.vector.reduce.fadd.v%df32", vt.Len)
	f, ok := b.mod.intrinsics[name]
	if !ok {
		f = b.mod.m.NewFunc(name, types.Float, ir.NewParam("", types.Float), ir.NewParam("", vt))
		b.mod.intrinsics[name] = f
	}
	c := b.cur.NewCall(f, constant.NewFloat(types.Float, math.Copysign(0, -1)), v)
	c.FastMathFlags = []enum.FastMathFlag{enum.FastMathFlagReassoc}
	return c
}

// vrow loads the D floats of a head row starting at ptr[i].
func (a Attention) vrow(b *fnBuilder, ptr, i value.Value) value.Value {
	return b.vload(ptr, i, uint64(a.D))
}

// addRow adds v to the head row ptr[i...].
func (a Attention) addRow(b *fnBuilder, ptr, i, v value.Value) {
	b.vstore(b.fadd(a.vrow(b, ptr, i), v), ptr, i)
}

// hostForward is AttentionFwd for problems [lo, hi): per query, the scaled
// scores of its visible keys into a stack row, their maximum, then
// o = Σ e^(s−max)·v / Σ e^(s−max) in a vector accumulator.
func (a Attention) hostForward(b *fnBuilder, lo, hi value.Value) {
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	row := b.cur.NewAlloca(types.NewArray(uint64(a.Tk), types.Float))
	row.Align = 32
	srow := b.cur.NewBitCast(row, types.NewPointer(types.Float))
	vt := types.NewVector(uint64(a.D), types.Float)
	q, k, v, o := b.p("q"), b.p("k"), b.p("v"), b.p("o")
	b.forEach(lo, hi, 1, func(bh value.Value) {
		kv := b.mulc(bh, Tk*D)
		b.forEach(i64c(0), i64c(Tq), 1, func(i value.Value) {
			item := b.idx(bh, Tq, i)
			qv := a.vrow(b, q, b.mulc(item, D))
			nk := a.visible(b, i)
			mx := b.loop(i64c(0), nk, 1, []value.Value{f32c(-3.0e38)}, func(j value.Value, m []value.Value) []value.Value {
				s := b.fmul(b.hsum(b.fmul(qv, a.vrow(b, k, b.add(kv, b.mulc(j, D))))), f32c(a.scale()))
				b.set(srow, j, s)
				return []value.Value{b.fmax(m[0], s)}
			})[0]
			acc := b.loop(i64c(0), nk, 1, []value.Value{f32c(0), constant.NewZeroInitializer(vt)}, func(j value.Value, acc []value.Value) []value.Value {
				e := b.exp(b.fsub(b.at(srow, j), mx))
				return []value.Value{b.fadd(acc[0], e), b.fma(b.splat(e, uint64(a.D)), a.vrow(b, v, b.add(kv, b.mulc(j, D))), acc[1])}
			})
			empty := b.cur.NewICmp(enum.IPredEQ, nk, i64c(0))
			out := b.fmul(acc[1], b.splat(b.fdiv(f32c(1), acc[0]), uint64(a.D)))
			b.vstore(b.cur.NewSelect(empty, constant.NewZeroInitializer(vt), out), o, b.mulc(item, D))
			b.set(b.p("lse"), item, b.cur.NewSelect(empty, f32c(math.Inf(-1)), b.fadd(mx, b.log(acc[0]))))
		})
	})
}

// AttentionBwd adds all three gradients of causal attention at once, as
// kernels.AttentionBackward (the output o and log-sum-exp lse kept by the
// forward; P_ij = e^(s_ij − lse_i), Δ_i = do_i·o_i,
// dS_ij = P_ij·(do_i·v_j − Δ_i)/sqrt(D)): dq_i += Σ_j dS_ij·k_j,
// dk_j += Σ_i dS_ij·q_i, dv_j += Σ_i P_ij·do_i. Each pair's score and
// probability is formed once, where AttentionBwdQ and AttentionBwdKV form
// them once each. On the host an item is a (batch, head) problem; on the
// GPUs a query, whose key and value gradients are added atomically (so
// their order of additions, and their last bits, vary on the GPUs).
type AttentionBwd struct{ Attention }

func (s AttentionBwd) Name() string { return "attention_bwd_" + s.shape() }

func (s AttentionBwd) kernel() kernelDef {
	a := s.Attention
	def := kernelDef{op: "attention_bwd", noalias: true, items: a.Batch * a.Heads * a.Tq,
		params: ptrs("do", "q", "k", "v", "o", "lse", "dq", "dk", "dv"),
		body:   a.bwdQueryAtomic, host: a.hostBackward, hostItems: ItemCount{N: a.Batch * a.Heads}}
	return def
}

// bwdQueryAtomic is AttentionBwd's per-query GPU item: dq_i in place, dk
// and dv by atomic additions.
func (a Attention) bwdQueryAtomic(b *fnBuilder, item value.Value) {
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	bh, i := b.cur.NewSDiv(item, i64c(Tq)), b.cur.NewSRem(item, i64c(Tq))
	qrow := b.mulc(item, D)
	delta := a.dot(b, b.p("do"), qrow, b.p("o"), qrow)
	b.forEach(i64c(0), a.visible(b, i), 1, func(j value.Value) {
		p, ds := a.attnGrad(b, bh, i, j, delta)
		krow := b.add(b.mulc(bh, Tk*D), b.mulc(j, D))
		b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
			b.addTo(b.p("dq"), b.add(qrow, d), b.fmul(ds, b.at(b.p("k"), b.add(krow, d))))
			b.atomicAdd(b.p("dk"), b.add(krow, d), b.fmul(ds, b.at(b.p("q"), b.add(qrow, d))))
			b.atomicAdd(b.p("dv"), b.add(krow, d), b.fmul(p, b.at(b.p("do"), b.add(qrow, d))))
		})
	})
}

// atomicAdd adds v to ptr[i] atomically (relaxed ordering).
func (b *fnBuilder) atomicAdd(ptr, i, v value.Value) {
	b.cur.NewAtomicRMW(enum.AtomicOpFAdd, b.gep(ptr, i), v, enum.AtomicOrderingMonotonic)
}

// hostBackward is AttentionBwd for problems [lo, hi): per query, its rows
// of q, do and Δ in registers, then per visible key the score, P, dP and
// dS, adding into dk_j and dv_j and into a vector accumulator of dq_i.
func (a Attention) hostBackward(b *fnBuilder, lo, hi value.Value) {
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	vt := types.NewVector(uint64(a.D), types.Float)
	q, k, v, do := b.p("q"), b.p("k"), b.p("v"), b.p("do")
	scale := f32c(a.scale())
	b.forEach(lo, hi, 1, func(bh value.Value) {
		kv := b.mulc(bh, Tk*D)
		b.forEach(i64c(0), i64c(Tq), 1, func(i value.Value) {
			item := b.idx(bh, Tq, i)
			qr := b.mulc(item, D)
			qv, dov := a.vrow(b, q, qr), a.vrow(b, do, qr)
			delta := b.hsum(b.fmul(dov, a.vrow(b, b.p("o"), qr)))
			l := b.at(b.p("lse"), item)
			dq := b.loop(i64c(0), a.visible(b, i), 1, []value.Value{constant.NewZeroInitializer(vt)}, func(j value.Value, acc []value.Value) []value.Value {
				kr := b.add(kv, b.mulc(j, D))
				kj := a.vrow(b, k, kr)
				p := b.exp(b.fsub(b.fmul(b.hsum(b.fmul(qv, kj)), scale), l))
				dp := b.hsum(b.fmul(dov, a.vrow(b, v, kr)))
				ds := b.fmul(b.fmul(p, b.fsub(dp, delta)), scale)
				dsv := b.splat(ds, uint64(a.D))
				a.addRow(b, b.p("dk"), kr, b.fmul(dsv, qv))
				a.addRow(b, b.p("dv"), kr, b.fmul(b.splat(p, uint64(a.D)), dov))
				return []value.Value{b.fma(dsv, kj, acc[0])}
			})[0]
			a.addRow(b, b.p("dq"), qr, dq)
		})
	})
}
