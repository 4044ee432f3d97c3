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

// fnBuilder writes the body of one function with structured loops and
// branches on top of llir's block API, so that kernel generators read like
// the loops they emit. cur is the block that receives new instructions.
type fnBuilder struct {
	mod    *moduleBuilder
	f      *ir.Func
	cur    *ir.Block
	params map[string]value.Value
	blocks int
}

func (b *fnBuilder) newBlock(hint string) *ir.Block {
	b.blocks++
	return b.f.NewBlock(fmt.Sprintf("%s%d", hint, b.blocks))
}

// p returns the parameter called name.
func (b *fnBuilder) p(name string) value.Value {
	v, ok := b.params[name]
	if !ok {
		panic("codegen/llvm: no parameter " + name + " in " + b.f.Name())
	}
	return v
}

func i64c(v int64) *constant.Int { return constant.NewInt(types.I64, v) }
func i32c(v int64) *constant.Int { return constant.NewInt(types.I32, v) }
func f32c(v float64) constant.Constant {
	// Round through float32 so that llir prints a value LLVM accepts for
	// the float type (exactly representable).
	return constant.NewFloat(types.Float, float64(float32(v)))
}

func (b *fnBuilder) add(x, y value.Value) value.Value  { return b.cur.NewAdd(x, y) }
func (b *fnBuilder) sub(x, y value.Value) value.Value  { return b.cur.NewSub(x, y) }
func (b *fnBuilder) mul(x, y value.Value) value.Value  { return b.cur.NewMul(x, y) }
func (b *fnBuilder) fadd(x, y value.Value) value.Value { return b.cur.NewFAdd(x, y) }
func (b *fnBuilder) fsub(x, y value.Value) value.Value { return b.cur.NewFSub(x, y) }
func (b *fnBuilder) fmul(x, y value.Value) value.Value { return b.cur.NewFMul(x, y) }
func (b *fnBuilder) fdiv(x, y value.Value) value.Value { return b.cur.NewFDiv(x, y) }

// addc and mulc fold constants so that baked shapes stay constants.
func (b *fnBuilder) addc(x value.Value, c int64) value.Value {
	if c == 0 {
		return x
	}
	if k, ok := x.(*constant.Int); ok {
		return i64c(k.X.Int64() + c)
	}
	return b.add(x, i64c(c))
}

func (b *fnBuilder) mulc(x value.Value, c int64) value.Value {
	if c == 1 {
		return x
	}
	if k, ok := x.(*constant.Int); ok {
		return i64c(k.X.Int64() * c)
	}
	return b.mul(x, i64c(c))
}

// idx computes a*s + c with constant folding; the common address form.
func (b *fnBuilder) idx(a value.Value, s int64, c value.Value) value.Value {
	m := b.mulc(a, s)
	if k, ok := c.(*constant.Int); ok {
		if k.X.Int64() == 0 {
			return m
		}
		if mk, ok := m.(*constant.Int); ok {
			return i64c(mk.X.Int64() + k.X.Int64())
		}
	}
	return b.add(m, c)
}

// gep returns &ptr[i] for a pointer to float or i32.
func (b *fnBuilder) gep(ptr, i value.Value) value.Value {
	elem := ptr.Type().(*types.PointerType).ElemType
	if k, ok := i.(*constant.Int); ok && k.X.Int64() == 0 {
		return ptr
	}
	g := b.cur.NewGetElementPtr(elem, ptr, i)
	g.InBounds = true
	return g
}

// gepAny is gep without inbounds: for addresses that may lie past the
// buffer (prefetches).
func (b *fnBuilder) gepAny(ptr, i value.Value) value.Value {
	return b.cur.NewGetElementPtr(ptr.Type().(*types.PointerType).ElemType, ptr, i)
}

// prefetch hints that the cache line at ptr (a float pointer) will be
// read, or written when write, soon (llvm.prefetch, data, L1).
func (b *fnBuilder) prefetch(ptr value.Value, write bool) {
	i8p := types.NewPointer(types.I8)
	rw := int64(0)
	if write {
		rw = 1
	}
	f := b.mod.intrinsic("llvm.prefetch.p0i8", types.Void, i8p, types.I32, types.I32, types.I32)
	b.cur.NewCall(f, b.cur.NewBitCast(ptr, i8p), i32c(rw), i32c(3), i32c(1))
}

func (b *fnBuilder) load(ptr value.Value) value.Value {
	elem := ptr.Type().(*types.PointerType).ElemType
	l := b.cur.NewLoad(elem, ptr)
	l.Align = 4
	return l
}

func (b *fnBuilder) store(v, ptr value.Value) {
	s := b.cur.NewStore(v, ptr)
	s.Align = 4
}

// at loads ptr[i].
func (b *fnBuilder) at(ptr, i value.Value) value.Value { return b.load(b.gep(ptr, i)) }

// set stores v to ptr[i].
func (b *fnBuilder) set(ptr, i, v value.Value) { b.store(v, b.gep(ptr, i)) }

// vecPtr reinterprets a float pointer as a pointer to <n x float> in the
// same address space.
func (b *fnBuilder) vecPtr(ptr value.Value, n uint64) value.Value {
	pt := ptr.Type().(*types.PointerType)
	vt := types.NewPointer(types.NewVector(n, types.Float))
	vt.AddrSpace = pt.AddrSpace
	return b.cur.NewBitCast(ptr, vt)
}

// vload loads n floats starting at ptr[i] as a vector (unaligned).
func (b *fnBuilder) vload(ptr, i value.Value, n uint64) value.Value {
	return b.load(b.vecPtr(b.gep(ptr, i), n))
}

// vstore stores vector v to ptr[i...].
func (b *fnBuilder) vstore(v, ptr, i value.Value) {
	b.store(v, b.vecPtr(b.gep(ptr, i), uint64(v.Type().(*types.VectorType).Len)))
}

// splat broadcasts scalar x into an n-lane vector.
func (b *fnBuilder) splat(x value.Value, n uint64) value.Value {
	vt := types.NewVector(n, types.Float)
	ins := b.cur.NewInsertElement(constant.NewUndef(vt), x, i32c(0))
	mask := constant.NewZeroInitializer(types.NewVector(n, types.I32))
	return b.cur.NewShuffleVector(ins, constant.NewUndef(vt), mask)
}

// fma returns x*y+z through the llvm.fma intrinsic of x's type.
func (b *fnBuilder) fma(x, y, z value.Value) value.Value {
	return b.cur.NewCall(b.mod.intrinsic("llvm.fma", x.Type(), x.Type(), x.Type(), x.Type()), x, y, z)
}

func (b *fnBuilder) sqrt(x value.Value) value.Value {
	return b.cur.NewCall(b.mod.intrinsic("llvm.sqrt", types.Float, types.Float), x)
}

func (b *fnBuilder) floor(x value.Value) value.Value {
	return b.cur.NewCall(b.mod.intrinsic("llvm.floor", types.Float, types.Float), x)
}

func (b *fnBuilder) fmax(x, y value.Value) value.Value {
	return b.cur.NewSelect(b.cur.NewFCmp(enum.FPredOGT, x, y), x, y)
}

func (b *fnBuilder) fmin(x, y value.Value) value.Value {
	return b.cur.NewSelect(b.cur.NewFCmp(enum.FPredOLT, x, y), x, y)
}

// exp is a portable expf: range reduction by ln 2 and a degree-6
// polynomial (relative error about 2e-7 before rounding). It uses only
// arithmetic, floor and bit casts, so every target lowers it without a
// math library (LLVM 14's NVPTX back end cannot lower llvm.exp.f32). x
// may be a float or a vector of floats (lane by lane the same
// operations, so the same bits).
func (b *fnBuilder) exp(x value.Value) value.Value {
	k := f32c
	ik := func(v int64) constant.Constant { return i32c(v) }
	ity := types.Type(types.I32)
	if vt, ok := x.Type().(*types.VectorType); ok {
		k = func(v float64) constant.Constant { return vecConst(f32c(v), vt.Len) }
		ik = func(v int64) constant.Constant { return vecConst(i32c(v), vt.Len) }
		ity = types.NewVector(vt.Len, types.I32)
	}
	x = b.fmin(b.fmax(x, k(-87.3)), k(88.7))
	floor := b.mod.intrinsic("llvm.floor", x.Type(), x.Type())
	n := b.cur.NewCall(floor, b.fadd(b.fmul(x, k(1/math.Ln2)), k(0.5)))
	// ln2 split into a part exact in float32 and the rest (Cody-Waite).
	const ln2hi = 0.693145751953125
	const ln2lo = 1.428606765330187e-06
	r := b.fsub(b.fsub(x, b.fmul(n, k(ln2hi))), b.fmul(n, k(ln2lo)))
	coef := []float64{1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1}
	p := value.Value(k(coef[0]))
	for _, c := range coef[1:] {
		p = b.fadd(b.fmul(p, r), k(c))
	}
	ni := b.cur.NewFPToSI(n, ity)
	bits := b.cur.NewShl(b.cur.NewAdd(ni, ik(127)), ik(23))
	scale := b.cur.NewBitCast(bits, x.Type())
	return b.fmul(p, scale)
}

// vecConst is the vector constant of n lanes of c.
func vecConst(c constant.Constant, n uint64) constant.Constant {
	elems := make([]constant.Constant, n)
	for i := range elems {
		elems[i] = c
	}
	return constant.NewVector(types.NewVector(n, c.Type()), elems...)
}

// tanh is the rational minimax approximation of tanhf in runtime/kernels
// (Eigen's fast float tanh: odd degree-13 numerator over even degree-6
// denominator, the input clamped to ±7.9053, where tanh rounds to ±1 in
// float32; absolute error below 3e-7), without its small-argument
// shortcut, as the Go kernels' vector code: no exp, one division.
func (b *fnBuilder) tanh(u value.Value) value.Value {
	const clamp = 7.90531110763549805
	num := []float64{-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
		5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03}
	den := []float64{1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03}
	x := b.fmin(b.fmax(u, f32c(-clamp)), f32c(clamp))
	x2 := b.fmul(x, x)
	poly := func(c []float64) value.Value {
		p := value.Value(f32c(c[0]))
		for _, v := range c[1:] {
			p = b.fadd(b.fmul(p, x2), f32c(v))
		}
		return p
	}
	return b.fdiv(b.fmul(poly(num), x), poly(den))
}

// loop emits `for i := lo; i < hi; i += step { body(i, carried) }` with
// loop-carried values (accumulators); it returns their values after the
// loop. body must return as many values as carried, of the same types.
func (b *fnBuilder) loop(lo, hi value.Value, step int64, carried []value.Value, body func(i value.Value, acc []value.Value) []value.Value) []value.Value {
	pre := b.cur
	head := b.newBlock("loop")
	bodyB := b.newBlock("body")
	exit := b.newBlock("exit")
	pre.NewBr(head)
	b.cur = head
	iv := head.NewPhi(ir.NewIncoming(lo, pre))
	phis := make([]*ir.InstPhi, len(carried))
	accs := make([]value.Value, len(carried))
	for k, c := range carried {
		phis[k] = head.NewPhi(ir.NewIncoming(c, pre))
		accs[k] = phis[k]
	}
	head.NewCondBr(head.NewICmp(enum.IPredSLT, iv, hi), bodyB, exit)
	b.cur = bodyB
	next := body(iv, accs)
	if len(next) != len(carried) {
		panic("codegen/llvm: loop body returned the wrong number of values")
	}
	latch := b.cur
	inc := latch.NewAdd(iv, i64c(step))
	latch.NewBr(head)
	iv.Incs = append(iv.Incs, ir.NewIncoming(inc, latch))
	for k := range phis {
		phis[k].Incs = append(phis[k].Incs, ir.NewIncoming(next[k], latch))
	}
	b.cur = exit
	return accs
}

// forEach is loop without carried values.
func (b *fnBuilder) forEach(lo, hi value.Value, step int64, body func(i value.Value)) {
	b.loop(lo, hi, step, nil, func(i value.Value, _ []value.Value) []value.Value {
		body(i)
		return nil
	})
}

// sum returns Σ_{i in [lo,hi)} term(i) as a float.
func (b *fnBuilder) sum(lo, hi value.Value, term func(i value.Value) value.Value) value.Value {
	return b.loop(lo, hi, 1, []value.Value{f32c(0)}, func(i value.Value, acc []value.Value) []value.Value {
		return []value.Value{b.fadd(acc[0], term(i))}
	})[0]
}

// ifThen emits `if cond { then() }`.
func (b *fnBuilder) ifThen(cond value.Value, then func()) {
	thenB := b.newBlock("then")
	join := b.newBlock("join")
	b.cur.NewCondBr(cond, thenB, join)
	b.cur = thenB
	then()
	b.cur.NewBr(join)
	b.cur = join
}

// ifElse emits `if cond { then() } else { els() }` where each branch yields
// one value; it returns the merged value.
func (b *fnBuilder) ifElse(cond value.Value, then, els func() value.Value) value.Value {
	thenB := b.newBlock("then")
	elseB := b.newBlock("else")
	join := b.newBlock("join")
	b.cur.NewCondBr(cond, thenB, elseB)
	b.cur = thenB
	tv := then()
	tEnd := b.cur
	tEnd.NewBr(join)
	b.cur = elseB
	ev := els()
	eEnd := b.cur
	eEnd.NewBr(join)
	b.cur = join
	return join.NewPhi(ir.NewIncoming(tv, tEnd), ir.NewIncoming(ev, eEnd))
}

func (b *fnBuilder) slt(x, y value.Value) value.Value { return b.cur.NewICmp(enum.IPredSLT, x, y) }
func (b *fnBuilder) sext(x value.Value) value.Value   { return b.cur.NewSExt(x, types.I64) }

// addTo adds v to ptr[i].
func (b *fnBuilder) addTo(ptr, i, v value.Value) {
	p := b.gep(ptr, i)
	b.store(b.fadd(b.load(p), v), p)
}

// log is a portable natural logarithm for positive normal x: x = 2^e·m
// with m in [sqrt(1/2), sqrt(2)), log m = 2·atanh((m-1)/(m+1)) by its odd
// series to s^11 (|s| ≤ 0.172, error below 1e-9).
func (b *fnBuilder) log(x value.Value) value.Value {
	bits := b.cur.NewBitCast(x, types.I32)
	var e value.Value = b.cur.NewSub(b.cur.NewLShr(bits, i32c(23)), i32c(127))
	mbits := b.cur.NewOr(b.cur.NewAnd(bits, i32c(0x007fffff)), i32c(0x3f800000))
	m := value.Value(b.cur.NewBitCast(mbits, types.Float)) // in [1, 2)
	big := b.cur.NewFCmp(enum.FPredOGT, m, f32c(math.Sqrt2))
	m = b.cur.NewSelect(big, b.fmul(m, f32c(0.5)), m)
	e = b.cur.NewSelect(big, b.cur.NewAdd(e, i32c(1)), e)
	s := b.fdiv(b.fsub(m, f32c(1)), b.fadd(m, f32c(1)))
	s2 := b.fmul(s, s)
	p := value.Value(f32c(1.0 / 11))
	for _, c := range []float64{1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1} {
		p = b.fadd(b.fmul(p, s2), f32c(c))
	}
	lm := b.fmul(b.fmul(f32c(2), s), p)
	return b.fadd(b.fmul(b.cur.NewSIToFP(e, types.Float), f32c(math.Ln2)), lm)
}
