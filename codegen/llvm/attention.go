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
// problem per item of the range. Per problem the keys (and, backward, the
// values) are transposed into stack buffers [D][Tk], so that one vector of
// W floats holds W keys' elements d: the scores of a query against W keys
// are D broadcast multiply-adds, their exponentials one vector exp, and the
// key and value gradients of W keys are accumulated the same way (where
// the GPUs' per-item code runs a scalar loop over D for every pair).

// maxHostTile bounds D·Tk (floats per transposed buffer on the stack) of
// the problems the host routines take; larger ones run the per-query
// (GPU) code on the host.
const maxHostTile = 16384

// hostTiled reports whether the host routines take attention of shape a.
func (a Attention) hostTiled() bool { return a.D*a.Tk <= maxHostTile }

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

// tile is the host routines' layout: W keys per vector, the keys padded
// to TkPad (a multiple of W), buffers [D][TkPad].
type tile struct {
	a     Attention
	w     uint64
	tkPad int64
}

func (a Attention) tile(b *fnBuilder) tile {
	vl, _ := b.mod.hostBlocking()
	w := int64(vl)
	return tile{a: a, w: uint64(vl), tkPad: (int64(a.Tk) + w - 1) / w * w}
}

// buffer allocates a zeroed [D][TkPad] float buffer on the stack.
func (t tile) buffer(b *fnBuilder) value.Value {
	n := int64(t.a.D) * t.tkPad
	buf := b.cur.NewAlloca(types.NewArray(uint64(n), types.Float))
	buf.Align = 64
	p := b.cur.NewBitCast(buf, types.NewPointer(types.Float))
	b.forEach(i64c(0), i64c(n), int64(t.w), func(i value.Value) {
		b.vstore(constant.NewZeroInitializer(types.NewVector(t.w, types.Float)), p, i)
	})
	return p
}

// transpose copies the Tk rows of D floats at src[base...] into dst as
// [D][TkPad].
func (t tile) transpose(b *fnBuilder, dst, src, base value.Value) {
	D := int64(t.a.D)
	b.forEach(i64c(0), i64c(int64(t.a.Tk)), 1, func(j value.Value) {
		row := b.add(base, b.mulc(j, D))
		b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
			b.set(dst, b.add(b.mulc(d, t.tkPad), j), b.at(src, b.add(row, d)))
		})
	})
}

// untransposeAdd adds the [D][TkPad] buffer src to the Tk rows of D floats
// at dst[base...].
func (t tile) untransposeAdd(b *fnBuilder, dst, src, base value.Value) {
	D := int64(t.a.D)
	b.forEach(i64c(0), i64c(int64(t.a.Tk)), 1, func(j value.Value) {
		row := b.add(base, b.mulc(j, D))
		b.forEach(i64c(0), i64c(D), 1, func(d value.Value) {
			b.addTo(dst, b.add(row, d), b.at(src, b.add(b.mulc(d, t.tkPad), j)))
		})
	})
}

// dots returns, for the W keys from jb, Σ_d x[xo+d]·buf[d][jb+lane]: D
// broadcast multiply-adds in two interleaved accumulators.
func (t tile) dots(b *fnBuilder, x, xo, buf, jb value.Value) value.Value {
	vt := types.NewVector(t.w, types.Float)
	acc := [2]value.Value{constant.NewZeroInitializer(vt), constant.NewZeroInitializer(vt)}
	for d := int64(0); d < int64(t.a.D); d++ {
		xd := b.splat(b.at(x, b.addc(xo, d)), t.w)
		acc[d%2] = b.fma(xd, b.vload(buf, b.add(i64c(d*t.tkPad), jb), t.w), acc[d%2])
	}
	return b.fadd(acc[0], acc[1])
}

// visibleLanes returns the lanes of the W keys from jb that a query seeing
// nk keys sees.
func (t tile) visibleLanes(b *fnBuilder, jb, nk value.Value) value.Value {
	lanes := make([]constant.Constant, t.w)
	for l := range lanes {
		lanes[l] = i64c(int64(l))
	}
	iota := constant.NewVector(types.NewVector(t.w, types.I64), lanes...)
	j := b.add(iota, b.splatInt(jb, t.w))
	return b.cur.NewICmp(enum.IPredSLT, j, b.splatInt(nk, t.w))
}

// splatInt broadcasts the i64 x into n lanes.
func (b *fnBuilder) splatInt(x value.Value, n uint64) value.Value {
	vt := types.NewVector(n, types.I64)
	ins := b.cur.NewInsertElement(constant.NewUndef(vt), x, i32c(0))
	return b.cur.NewShuffleVector(ins, constant.NewUndef(vt), constant.NewZeroInitializer(types.NewVector(n, types.I32)))
}

// hmax returns the largest lane of v.
func (b *fnBuilder) hmax(v value.Value) value.Value {
	vt := v.Type().(*types.VectorType)
	name := fmt.Sprintf("llvm.vector.reduce.fmax.v%df32", vt.Len)
	f, ok := b.mod.intrinsics[name]
	if !ok {
		f = b.mod.m.NewFunc(name, types.Float, ir.NewParam("", vt))
		b.mod.intrinsics[name] = f
	}
	return b.cur.NewCall(f, v)
}

// hostForward is AttentionFwd for problems [lo, hi): per query, the scaled
// scores of W keys at a time into a stack row (masked lanes −3e38), their
// maximum, the exponentials in vectors, then o = Σ_j p_j·v_j / Σ_j p_j
// over the visible keys in key order. Every lane computes what the others
// do, and no sum runs across lanes but Δ's over D, so x86-64-v3 (W = 8)
// and x86-64-v4 (W = 16) give the same bits.
func (a Attention) hostForward(b *fnBuilder, lo, hi value.Value) {
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	t := a.tile(b)
	w := int64(t.w)
	kT := t.buffer(b)
	row := b.cur.NewAlloca(types.NewArray(uint64(t.tkPad), types.Float))
	row.Align = 64
	srow := b.cur.NewBitCast(row, types.NewPointer(types.Float))
	q, v, o := b.p("q"), b.p("v"), b.p("o")
	b.forEach(lo, hi, 1, func(bh value.Value) {
		kv := b.mulc(bh, Tk*D)
		t.transpose(b, kT, b.p("k"), kv)
		b.forEach(i64c(0), i64c(Tq), 1, func(i value.Value) {
			item := b.idx(bh, Tq, i)
			qr := b.mulc(item, D)
			nk := a.visible(b, i)
			low := vecConst(f32c(-3.0e38), t.w)
			mv := b.loop(i64c(0), nk, w, []value.Value{low}, func(jb value.Value, m []value.Value) []value.Value {
				s := b.fmul(t.dots(b, q, qr, kT, jb), vecConst(f32c(a.scale()), t.w))
				s = b.cur.NewSelect(t.visibleLanes(b, jb, nk), s, low)
				b.vstore(s, srow, jb)
				return []value.Value{b.fmax(m[0], s)}
			})[0]
			mx := b.hmax(mv)
			b.forEach(i64c(0), nk, w, func(jb value.Value) {
				b.vstore(b.exp(b.fsub(b.vload(srow, jb, t.w), b.splat(mx, t.w))), srow, jb)
			})
			// The sum in key order (not by lanes), so that every vector
			// width gives the same bits.
			acc := b.loop(i64c(0), nk, 1, []value.Value{f32c(0), constant.NewZeroInitializer(types.NewVector(uint64(a.D), types.Float))}, func(j value.Value, acc []value.Value) []value.Value {
				e := b.at(srow, j)
				return []value.Value{b.fadd(acc[0], e), b.fma(b.splat(e, uint64(a.D)), a.vrow(b, v, b.add(kv, b.mulc(j, D))), acc[1])}
			})
			sum, ov := acc[0], acc[1]
			empty := b.cur.NewICmp(enum.IPredEQ, nk, i64c(0))
			out := b.fmul(ov, b.splat(b.fdiv(f32c(1), sum), uint64(a.D)))
			b.vstore(b.cur.NewSelect(empty, constant.NewZeroInitializer(types.NewVector(uint64(a.D), types.Float)), out), o, qr)
			b.set(b.p("lse"), item, b.cur.NewSelect(empty, f32c(math.Inf(-1)), b.fadd(mx, b.log(sum))))
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
		params: ptrs("do", "q", "k", "v", "o", "lse", "dq", "dk", "dv"), body: a.bwdQueryAtomic}
	if a.hostTiled() {
		def.host, def.hostItems = a.hostBackward, ItemCount{N: a.Batch * a.Heads}
	}
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

// hostBackward is AttentionBwd for problems [lo, hi): with the keys and
// values transposed, per query and W keys at a time the scores, P, dP and
// dS in vectors; dkᵀ and dvᵀ accumulate in stack buffers (added to dk and
// dv once per problem), dq_i in a vector accumulator.
func (a Attention) hostBackward(b *fnBuilder, lo, hi value.Value) {
	D, Tq, Tk := int64(a.D), int64(a.Tq), int64(a.Tk)
	t := a.tile(b)
	w := int64(t.w)
	vt := types.NewVector(t.w, types.Float)
	kT, vT, dkT, dvT := t.buffer(b), t.buffer(b), t.buffer(b), t.buffer(b)
	dsBuf := b.cur.NewAlloca(types.NewArray(t.w, types.Float))
	dsBuf.Align = 64
	dsRow := b.cur.NewBitCast(dsBuf, types.NewPointer(types.Float))
	q, k, do := b.p("q"), b.p("k"), b.p("do")
	scale := vecConst(f32c(a.scale()), t.w)
	zeroD := constant.NewZeroInitializer(types.NewVector(uint64(a.D), types.Float))
	b.forEach(lo, hi, 1, func(bh value.Value) {
		kv := b.mulc(bh, Tk*D)
		t.transpose(b, kT, k, kv)
		t.transpose(b, vT, b.p("v"), kv)
		b.forEach(i64c(0), i64c(Tq), 1, func(i value.Value) {
			item := b.idx(bh, Tq, i)
			qr := b.mulc(item, D)
			nk := a.visible(b, i)
			delta := b.splat(b.hsum(b.fmul(a.vrow(b, do, qr), a.vrow(b, b.p("o"), qr))), t.w)
			l := b.splat(b.at(b.p("lse"), item), t.w)
			dq := b.loop(i64c(0), nk, w, []value.Value{zeroD}, func(jb value.Value, acc []value.Value) []value.Value {
				p := b.exp(b.fsub(b.fmul(t.dots(b, q, qr, kT, jb), scale), l))
				p = b.cur.NewSelect(t.visibleLanes(b, jb, nk), p, constant.NewZeroInitializer(vt))
				dp := t.dots(b, do, qr, vT, jb)
				ds := b.fmul(b.fmul(p, b.fsub(dp, delta)), scale)
				for d := int64(0); d < D; d++ {
					at := b.add(i64c(d*t.tkPad), jb)
					b.vstore(b.fma(b.splat(b.at(do, b.addc(qr, d)), t.w), p, b.vload(dvT, at, t.w)), dvT, at)
					b.vstore(b.fma(b.splat(b.at(q, b.addc(qr, d)), t.w), ds, b.vload(dkT, at, t.w)), dkT, at)
				}
				// dq_i += Σ_j dS_ij·k_j over this block's visible keys.
				b.vstore(ds, dsRow, i64c(0))
				end := b.imin(b.addc(jb, w), nk)
				return b.loop(jb, end, 1, acc, func(j value.Value, acc []value.Value) []value.Value {
					dsj := b.splat(b.at(dsRow, b.sub(j, jb)), uint64(a.D))
					return []value.Value{b.fma(dsj, a.vrow(b, k, b.add(kv, b.mulc(j, D))), acc[0])}
				})
			})[0]
			a.addRow(b, b.p("dq"), qr, dq)
		})
		t.untransposeAdd(b, b.p("dk"), dkT, kv)
		t.untransposeAdd(b, b.p("dv"), dvT, kv)
		// Clear the accumulators for the next problem.
		b.forEach(i64c(0), i64c(D*t.tkPad), w, func(x value.Value) {
			b.vstore(constant.NewZeroInitializer(vt), dkT, x)
			b.vstore(constant.NewZeroInitializer(vt), dvT, x)
		})
	})
}
