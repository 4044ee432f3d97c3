package llvm

import (
	"fmt"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// Register blocking of the host micro-kernel: mrTile rows by nrVecs
// vectors of vecLen floats. For x86-64-v3, 6×16 floats = 12 ymm
// accumulators, plus two B vectors and one broadcast A value, within
// AVX2's 16 registers; for x86-64-v4 (AVX-512), 12×32 floats = 24 zmm
// accumulators of AVX-512's 32 registers (each B vector feeds 12 FMAs;
// see hostBlocking). Every element of C takes the same fused multiply-adds
// in the same order either way.
const (
	nrVecs = 2
	// Cache blocking: a kcBlock×ncBlock panel of op(B), packed into
	// slivers, stays in L1/L2 while the rows of A stream through.
	kcBlock = 256
	ncBlock = 128
)

// MatMul is C[M,N] = op(A)·op(B) (+ bias[N] broadcast over rows when Bias;
// added to C's previous contents when Acc), with op(A) of shape [M,K] and
// op(B) of shape [K,N]. A is stored [M,K] row-major, or [K,M] when TransA;
// B is stored [K,N], or [N,K] when TransB. A zero M or K is a runtime
// count (parameters m, k): M only without TransA, K only with TransA (the
// variable-length expert GEMMs of padding-free MoE).
type MatMul struct {
	M, K, N                   int
	TransA, TransB, Bias, Acc bool
}

func (s MatMul) Name() string {
	t := map[bool]string{false: "n", true: "t"}
	dim := func(v int) string {
		if v == 0 {
			return "x"
		}
		return fmt.Sprint(v)
	}
	n := fmt.Sprintf("matmul_%s%s_m%s_k%s_n%d", t[s.TransA], t[s.TransB], dim(s.M), dim(s.K), s.N)
	if s.Bias {
		n += "_bias"
	}
	if s.Acc {
		n += "_acc"
	}
	return n
}

func (s MatMul) params() []Param {
	ps := ptrs("a", "b")
	if s.Bias {
		ps = append(ps, Param{"bias", F32Ptr})
	}
	ps = append(ps, Param{"c", F32Ptr})
	if s.M == 0 {
		ps = append(ps, Param{"m", Int64})
	}
	if s.K == 0 {
		ps = append(ps, Param{"k", Int64})
	}
	return ps
}

func (s MatMul) kernel() kernelDef {
	if (s.M == 0 && s.TransA) || (s.K == 0 && !s.TransA) || s.N <= 0 {
		panic("codegen/llvm: unsupported matmul shape " + s.Name())
	}
	def := kernelDef{op: "matmul", params: s.params(), items: s.M * s.N, body: s.gpuItem, host: s.host,
		hostItems: ItemCount{N: s.M}, rowTiled: true}
	if s.M == 0 {
		def.items, def.itemsFrom, def.itemsPer = 0, "m", s.N
		def.hostItems = ItemCount{From: "m", Per: 1}
	}
	if s.TransB {
		// The host items of a transposed B are column blocks: a split
		// call's parts then each pack their own columns of B (parts of
		// rows would each pack all of it).
		def.hostItems, def.rowTiled = ItemCount{N: (s.N + ncBlock - 1) / ncBlock}, false
	}
	return def
}

// dims returns M and K as values (constants or the runtime parameters).
func (s MatMul) dims(b *fnBuilder) (m, k value.Value) {
	m, k = value.Value(i64c(int64(s.M))), value.Value(i64c(int64(s.K)))
	if s.M == 0 {
		m = b.p("m")
	}
	if s.K == 0 {
		k = b.p("k")
	}
	return
}

// aIndex returns the flat index of op(A)[i,kk].
func (s MatMul) aIndex(b *fnBuilder, i, kk value.Value) value.Value {
	if s.TransA {
		return b.idx(kk, int64(s.M), i)
	}
	return b.idx(i, int64(s.K), kk)
}

// bIndex returns the flat index of op(B)[kk,j].
func (s MatMul) bIndex(b *fnBuilder, kk, j value.Value) value.Value {
	if s.TransB {
		return b.idx(j, int64(s.K), kk)
	}
	return b.idx(kk, int64(s.N), j)
}

// gpuItem computes one element of C per work-item.
func (s MatMul) gpuItem(b *fnBuilder, item value.Value) {
	N := int64(s.N)
	_, k := s.dims(b)
	i, j := b.cur.NewSDiv(item, i64c(N)), b.cur.NewSRem(item, i64c(N))
	acc := b.loop(i64c(0), k, 1, []value.Value{f32c(0)}, func(kk value.Value, a []value.Value) []value.Value {
		return []value.Value{b.fma(b.at(b.p("a"), s.aIndex(b, i, kk)), b.at(b.p("b"), s.bIndex(b, kk, j)), a[0])}
	})[0]
	if s.Bias {
		acc = b.fadd(acc, b.at(b.p("bias"), j))
	}
	if s.Acc {
		acc = b.fadd(acc, b.at(b.p("c"), item))
	}
	b.set(b.p("c"), item, acc)
}

// host is the blocked, vectorized CPU matmul of rows [lo, hi) of C, or
// with a transposed B of the column blocks [lo, hi) (ncBlock columns
// each): loops over column blocks and K blocks (packing each panel of
// op(B)), row tiles of mrTile and column tiles of nrVecs·vecLen, calling a
// register-blocked micro-kernel; edges use narrower micro-kernels and a
// scalar loop. Rows and columns are independent, so disjoint ranges may
// run at once; a row range that starts at a multiple of the
// micro-kernel's rows ([Kernel.Grain]) runs whole tiles.
func (s MatMul) host(b *fnBuilder, lo, hi value.Value) {
	vl, mrTile := b.mod.hostBlocking()
	vecLen := int64(vl)
	N := int64(s.N)
	m, k := s.dims(b)
	a, bm, c := b.p("a"), b.p("b"), b.p("c")
	nc := min(int64(s.N), ncBlock)
	colLo, colHi := value.Value(i64c(0)), value.Value(i64c(N))
	if s.TransB {
		colLo, colHi = b.mulc(lo, ncBlock), b.imin(b.mulc(hi, ncBlock), i64c(N))
		lo, hi = i64c(0), m
	}
	// The panel of op(B) for one (column block, k block) is packed into
	// slivers of nrw columns, each kc rows of nrw contiguous floats: the
	// micro-kernel then streams B sequentially, and rows of B a power of
	// two apart no longer collide in the same L1 sets. A B that is not
	// transposed, with rows not a multiple of 4 KiB apart, is read in
	// place instead (its rows of nrw floats are contiguous already): no
	// copy per call and row range.
	nrw := int64(nrVecs * vecLen)
	inPlace := !s.TransB && s.N%1024 != 0
	var pack value.Value
	if !inPlace {
		buf := b.cur.NewAlloca(types.NewArray(uint64(kcBlock*((nc+nrw-1)/nrw)*nrw), types.Float))
		buf.Align = 32
		pack = b.cur.NewBitCast(buf, types.NewPointer(types.Float))
	}
	if s.Bias {
		b.forEach(lo, hi, 1, func(i value.Value) {
			b.forEach(colLo, colHi, 1, func(j value.Value) {
				b.set(c, b.idx(i, N, j), b.at(b.p("bias"), j))
			})
		})
	}
	firstLoads := s.Acc || s.Bias
	b.forEach(colLo, colHi, nc, func(j0 value.Value) {
		ncNow := b.imin(i64c(nc), b.sub(i64c(N), j0))
		b.forEach(i64c(0), k, kcBlock, func(k0 value.Value) {
			kc := b.imin(i64c(kcBlock), b.sub(k, k0))
			loadC := value.Value(b.cur.NewICmp(enum.IPredSGT, k0, i64c(0)))
			if firstLoads {
				loadC = constTrue()
			}
			packed := func(kk, jj value.Value) value.Value { return packedIndex(b, kc, nrw, kk, jj) }
			full := b.mulc(b.cur.NewSDiv(ncNow, i64c(nrw)), nrw)
			if !inPlace {
				s.packPanel(b, pack, j0, k0, kc, ncNow, full, vecLen)
			}
			ldb := nrw
			sliverAt := func(jj value.Value) value.Value { return b.gep(pack, b.mul(jj, kc)) } // jj is a multiple of nrw
			bAt := func(kk, jj value.Value) value.Value { return b.at(pack, packed(kk, jj)) }
			if inPlace {
				ldb = N
				sliverAt = func(jj value.Value) value.Value { return b.gep(bm, b.add(b.mulc(k0, N), b.add(j0, jj))) }
				bAt = func(kk, jj value.Value) value.Value { return b.at(bm, s.bIndex(b, b.add(k0, kk), b.add(j0, jj))) }
			}
			tile := func(i, jj value.Value, mr, nv int) {
				mk := b.mod.microKernel(s, mr, nv, ldb)
				ap := b.gep(a, s.aIndex(b, i, k0))
				bp := sliverAt(jj)
				cp := b.gep(c, b.add(b.mulc(i, N), b.add(j0, jj)))
				b.cur.NewCall(mk, ap, bp, cp, kc, loadC)
			}
			jFull := b.mulc(b.cur.NewSDiv(ncNow, i64c(nrw)), nrw)
			has8 := b.cur.NewICmp(enum.IPredSGE, b.sub(ncNow, jFull), i64c(vecLen))
			jScalar := b.add(jFull, b.cur.NewSelect(has8, i64c(vecLen), i64c(0)))
			rows := func(i value.Value, mr int) {
				b.forEach(i64c(0), jFull, nrw, func(jj value.Value) { tile(i, jj, mr, nrVecs) })
				b.ifThen(has8, func() { tile(i, jFull, mr, 1) })
			}
			mFull := b.add(lo, b.mulc(b.cur.NewSDiv(b.sub(hi, lo), i64c(int64(mrTile))), int64(mrTile)))
			b.forEach(lo, mFull, int64(mrTile), func(i value.Value) { rows(i, mrTile) })
			left := b.sub(hi, mFull)
			if rem := s.M % mrTile; s.M > 0 && rem > 0 {
				// One narrower tile for the known remainder (the last
				// range's); any other remainder one row at a time.
				known := b.cur.NewICmp(enum.IPredEQ, left, i64c(int64(rem)))
				b.ifThen(known, func() { rows(mFull, rem) })
				b.ifThen(b.cur.NewXor(known, constTrue()), func() {
					b.forEach(mFull, hi, 1, func(i value.Value) { rows(i, 1) })
				})
			} else {
				b.forEach(mFull, hi, 1, func(i value.Value) { rows(i, 1) })
			}
			// Columns that do not fill a vector.
			b.forEach(lo, hi, 1, func(i value.Value) {
				b.forEach(jScalar, ncNow, 1, func(jj value.Value) {
					ci := b.add(b.mulc(i, N), b.add(j0, jj))
					init := b.cur.NewSelect(loadC, b.at(c, ci), f32c(0))
					v := b.loop(i64c(0), kc, 1, []value.Value{init}, func(kk value.Value, acc []value.Value) []value.Value {
						av := b.at(a, s.aIndex(b, i, b.add(k0, kk)))
						return []value.Value{b.fma(av, bAt(kk, jj), acc[0])}
					})[0]
					b.set(c, ci, v)
				})
			})
		})
	})
}

// packedIndex is the index of op(B)[k0+kk, j0+jj] in the packed panel
// of a k block of kc rows: slivers of nrw columns, kc rows each.
func packedIndex(b *fnBuilder, kc value.Value, nrw int64, kk, jj value.Value) value.Value {
	sliver := b.cur.NewSDiv(jj, i64c(nrw))
	within := b.cur.NewSRem(jj, i64c(nrw))
	return b.add(b.mulc(b.mul(sliver, kc), nrw), b.idx(kk, nrw, within))
}

// packPanel packs op(B)[k0:k0+kc, j0:j0+ncNow] into pack: the full
// slivers by vector copies (or, for a transposed B, reads along its
// contiguous k), the last partial sliver scalar.
func (s MatMul) packPanel(b *fnBuilder, pack, j0, k0, kc, ncNow, full value.Value, vecLen int64) {
	N, nrw, bm := int64(s.N), int64(nrVecs)*vecLen, b.p("b")
	b.forEach(i64c(0), full, nrw, func(js value.Value) {
		dst := b.gep(pack, b.mul(js, kc)) // sliver js/nrw starts at js·kc
		if s.TransB {
			// Eight rows of B (eight columns of op(B)) by eight k at a
			// time through a register transpose, the rest of k scalar.
			kc8 := b.mulc(b.cur.NewSDiv(kc, i64c(8)), 8)
			for w8 := int64(0); w8 < nrw; w8 += 8 {
				srcs := make([]value.Value, 8)
				for w := range srcs {
					srcs[w] = b.gep(bm, b.idx(b.addc(b.add(j0, js), w8+int64(w)), int64(s.K), k0))
				}
				b.forEach(i64c(0), kc8, 8, func(kk value.Value) {
					rows := make([]value.Value, 8)
					for w, src := range srcs {
						rows[w] = b.vload(src, kk, 8)
					}
					for k, col := range b.transpose8(rows) {
						b.vstore(col, dst, b.add(b.mulc(b.addc(kk, int64(k)), nrw), i64c(w8)))
					}
				})
				for w, src := range srcs {
					b.forEach(kc8, kc, 1, func(kk value.Value) {
						b.set(dst, b.idx(kk, nrw, i64c(w8+int64(w))), b.at(src, kk))
					})
				}
			}
			return
		}
		src := b.gep(bm, b.add(b.mulc(k0, N), b.add(j0, js)))
		b.forEach(i64c(0), kc, 1, func(kk value.Value) {
			for v := int64(0); v < nrVecs; v++ {
				b.vstore(b.vload(src, b.idx(kk, N, i64c(v*vecLen)), uint64(vecLen)), dst, b.idx(kk, nrw, i64c(v*vecLen)))
			}
		})
	})
	b.forEach(full, ncNow, 1, func(jj value.Value) {
		b.forEach(i64c(0), kc, 1, func(kk value.Value) {
			b.set(pack, packedIndex(b, kc, nrw, kk, jj), b.at(bm, s.bIndex(b, b.add(k0, kk), b.add(j0, jj))))
		})
	})
}

// transpose8 transposes eight <8 x float> rows: out[k][w] = rows[w][k]
// (unpacks of pairs, then of pairs of pairs, then of halves).
func (b *fnBuilder) transpose8(rows []value.Value) []value.Value {
	shuf := func(x, y value.Value, m ...int64) value.Value {
		idx := make([]constant.Constant, len(m))
		for i, v := range m {
			idx[i] = i32c(v)
		}
		return b.cur.NewShuffleVector(x, y, constant.NewVector(types.NewVector(uint64(len(m)), types.I32), idx...))
	}
	t := make([]value.Value, 8)
	for i := 0; i < 8; i += 2 {
		t[i] = shuf(rows[i], rows[i+1], 0, 8, 1, 9, 4, 12, 5, 13)
		t[i+1] = shuf(rows[i], rows[i+1], 2, 10, 3, 11, 6, 14, 7, 15)
	}
	u := make([]value.Value, 8)
	for h := 0; h < 8; h += 4 { // t0..t3, then t4..t7
		u[h] = shuf(t[h], t[h+2], 0, 1, 8, 9, 4, 5, 12, 13)
		u[h+1] = shuf(t[h], t[h+2], 2, 3, 10, 11, 6, 7, 14, 15)
		u[h+2] = shuf(t[h+1], t[h+3], 0, 1, 8, 9, 4, 5, 12, 13)
		u[h+3] = shuf(t[h+1], t[h+3], 2, 3, 10, 11, 6, 7, 14, 15)
	}
	out := make([]value.Value, 8)
	for i := 0; i < 4; i++ {
		out[i] = shuf(u[i], u[i+4], 0, 1, 2, 3, 8, 9, 10, 11)
		out[i+4] = shuf(u[i], u[i+4], 4, 5, 6, 7, 12, 13, 14, 15)
	}
	return out
}

// hostBlocking returns the vector length (floats) and the rows of the
// matmul micro-kernel for the module's host CPU.
func (mb *moduleBuilder) hostBlocking() (vecLen, mrTile int) {
	if mb.t.CPU == "x86-64-v4" {
		return 16, 12
	}
	return 8, 6
}

func (b *fnBuilder) imin(x, y value.Value) value.Value {
	return b.cur.NewSelect(b.slt(x, y), x, y)
}

func constTrue() value.Value  { return constant.True }
func constFalse() value.Value { return constant.False }

// microKernel returns (emitting once) the host function
// mk(a, b, c, kc, loadC) that computes an mr×(nv·8) tile of C:
// C[r, v] = (loadC ? C[r, v] : 0) + Σ_{kk<kc} op(A)[r, kk]·panel[kk, v],
// where a points at op(A)[i, k0], b at the panel's column, c at C[i, j].
// The accumulators live in registers as <8 x float> values; each step
// loads nv vectors of B, broadcasts mr values of A and issues mr·nv FMAs.
func (mb *moduleBuilder) microKernel(s MatMul, mr, nv int, ldb int64) *ir.Func {
	vl, _ := mb.hostBlocking()
	vecLen := uint64(vl)
	rsA, csA := int64(s.K), int64(1)
	if s.TransA {
		rsA, csA = 1, int64(s.M)
	}
	ldc := int64(s.N)
	name := fmt.Sprintf("planc_mk_%dx%d_rs%d_cs%d_ldb%d_ldc%d", mr, nv*vl, rsA, csA, ldb, ldc)
	if f, ok := mb.helpers[name]; ok {
		return f
	}
	fp := types.NewPointer(types.Float)
	params := []*ir.Param{ir.NewParam("a", fp), ir.NewParam("b", fp), ir.NewParam("c", fp),
		ir.NewParam("kc", types.I64), ir.NewParam("loadc", types.I1)}
	for _, p := range params[:3] {
		p.Attrs = append(p.Attrs, enum.ParamAttrNoAlias)
	}
	f := mb.m.NewFunc(name, types.Void, params...)
	f.Linkage = enum.LinkageInternal
	f.FuncAttrs = append(f.FuncAttrs, enum.FuncAttrNoUnwind, ir.AttrPair{Key: "target-cpu", Value: mb.t.CPU})
	if vl == 16 {
		// x86-64-v4 prefers 256-bit vectors and would split every
		// <16 x float> in two (32 accumulators: spills) without these.
		f.FuncAttrs = append(f.FuncAttrs, ir.AttrPair{Key: "prefer-vector-width", Value: "512"},
			ir.AttrPair{Key: "min-legal-vector-width", Value: "512"})
	}
	mb.helpers[name] = f
	b := &fnBuilder{mod: mb, f: f, params: map[string]value.Value{}}
	b.cur = f.NewBlock("entry")
	a, bp, c, kc, loadc := value.Value(params[0]), value.Value(params[1]), value.Value(params[2]), value.Value(params[3]), value.Value(params[4])
	vt := types.NewVector(vecLen, types.Float)
	zero := constant.NewZeroInitializer(vt)
	n := mr * nv
	init := make([]value.Value, n)
	for r := 0; r < mr; r++ {
		for v := 0; v < nv; v++ {
			old := b.vload(c, i64c(int64(r)*ldc+int64(v*vl)), vecLen)
			init[r*nv+v] = b.cur.NewSelect(loadc, old, zero)
		}
	}
	step := func(kk value.Value, acc []value.Value) []value.Value {
		next := make([]value.Value, n)
		bv := make([]value.Value, nv)
		for v := 0; v < nv; v++ {
			bv[v] = b.vload(bp, b.idx(kk, ldb, i64c(int64(v*vl))), vecLen)
		}
		for r := 0; r < mr; r++ {
			av := b.splat(b.at(a, b.idx(kk, csA, i64c(int64(r)*rsA))), vecLen)
			for v := 0; v < nv; v++ {
				next[r*nv+v] = b.fma(av, bv[v], acc[r*nv+v])
			}
		}
		return next
	}
	// Unrolled by 4, then the remainder.
	const unroll = 4
	kc4 := b.mulc(b.cur.NewSDiv(kc, i64c(unroll)), unroll)
	// On x86-64-v4, C's lines are prefetched for writing at entry, and B's
	// row (and for a transposed A, A's values) pfDist steps ahead at every
	// step (best of the distances tried: 8, 16).
	pfDist := int64(0)
	if vl == 16 {
		pfDist = 16
	}
	if pfDist > 0 {
		for r := 0; r < mr; r++ {
			for v := 0; v < nv; v++ {
				b.prefetch(b.gep(c, i64c(int64(r)*ldc+int64(v*vl))), true)
			}
		}
	}
	acc := b.loop(i64c(0), kc4, unroll, init, func(kk value.Value, acc []value.Value) []value.Value {
		for u := int64(0); u < unroll; u++ {
			if pfDist > 0 {
				for v := 0; v < nv; v++ {
					b.prefetch(b.gepAny(bp, b.idx(b.addc(kk, u+pfDist), ldb, i64c(int64(v*vl)))), false)
				}
				if rsA == 1 {
					// op(A)ᵀ: each step's mr values lie in one or two lines
					// a whole row of A apart from the last step's (often
					// 4 KiB: another page, which the hardware prefetchers
					// do not follow).
					for _, r := range []int64{0, int64(mr) - 1} {
						b.prefetch(b.gepAny(a, b.idx(b.addc(kk, u+pfDist), csA, i64c(r))), false)
					}
				}
			}
			acc = step(b.addc(kk, u), acc)
		}
		return acc
	})
	acc = b.loop(kc4, kc, 1, acc, step)
	for r := 0; r < mr; r++ {
		for v := 0; v < nv; v++ {
			b.vstore(acc[r*nv+v], c, i64c(int64(r)*ldc+int64(v*vl)))
		}
	}
	b.cur.NewRet(nil)
	return f
}
