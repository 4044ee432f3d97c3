package optim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The vector kernel's division by a bias correction (reciprocal and
// Markstein's correction, QUOTIENT in adamw_amd64.s) must be the
// division's correctly rounded quotient: checked bit for bit against a/b
// for the bias corrections of the first 5000 updates of both betas and
// random b in (0, 1], with dividends over the whole float64 range a
// moment can take (float32's range and far past it, zeros of both signs,
// the dividends whose quotient sits next to a rounding tie). The update's
// own comparison with the scalar loop cannot see a last-bit error of the
// float64 quotient, which float32 rounding hides.
func TestQuotientIsDivision(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU: the kernel does not run")
	}
	r := rand.New(rand.NewPCG(5, 6))
	const n = 2048
	a, q := make([]float64, n), make([]float64, n)
	var bs []float64
	for k := 1; k <= 5000; k++ {
		bs = append(bs, 1-math.Pow(0.9, float64(k)), 1-math.Pow(0.95, float64(k)))
	}
	for range 2000 {
		bs = append(bs, r.Float64()+math.SmallestNonzeroFloat64)
	}
	bs = append(bs, 1, 0.5, math.Nextafter(1, 0))
	checked := 0
	for _, b := range bs {
		y := 1 / b
		for i := range a {
			switch i % 4 {
			case 0: // any magnitude a moment can have, and more
				a[i] = math.Ldexp(1+r.Float64(), r.IntN(600)-300)
			case 1: // float32 values
				a[i] = float64(math.Float32frombits(r.Uint32()&^(0xFF<<23) | uint32(1+r.IntN(254))<<23))
			case 2: // a quotient next to a tie: a = (q ± ½ulp)·b rounded
				qq := math.Ldexp(1+r.Float64(), r.IntN(40)-20)
				a[i] = (qq + math.Ldexp(1, math.Ilogb(qq)-53)) * b
			case 3:
				a[i] = float64(r.IntN(1 << 20))
			}
			if r.IntN(2) == 0 {
				a[i] = -a[i]
			}
		}
		a[0], a[1] = 0, math.Copysign(0, -1)
		quotients8AVX512(&a[0], n, b, y, &q[0])
		for i := range a {
			if want := a[i] / b; math.Float64bits(q[i]) != math.Float64bits(want) {
				t.Fatalf("%v / %v: kernel %v (%#x), division %v (%#x)", a[i], b, q[i], math.Float64bits(q[i]), want, math.Float64bits(want))
			}
			checked++
		}
	}
	t.Logf("%d quotients checked", checked)
}

// The vector kernel divides by the bias corrections through their
// reciprocals and a correction of the quotient: it must give the
// division's bits for every update number and every kind of moment
// (zeros of both signs, the smallest and largest float32 values, wide
// ranges of magnitude, infinities and NaN from an overflowing gradient).
func TestAdamWVectorDivisionsMatchScalar(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU: the scalar loop runs alone")
	}
	c := Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1}
	r := rand.New(rand.NewPCG(3, 4))
	special := []float32{0, float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-30, 1e30}
	const n = 4096
	steps := []int{1, 2, 3, 7, 10, 50, 100, 333, 1000, 4000, 100000}
	for k := 11; k < 400; k += 13 {
		steps = append(steps, k)
	}
	for _, k := range steps {
		p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range p {
			p[i] = float32(r.NormFloat64())
			e := math.Pow(10, float64(r.IntN(60)-40))
			g[i] = float32(r.NormFloat64() * e)
			m[i] = float32(r.NormFloat64() * e)
			v[i] = float32(math.Abs(r.NormFloat64()) * e * e)
			if r.IntN(16) == 0 {
				g[i] = special[r.IntN(len(special))]
			}
			if r.IntN(16) == 0 {
				m[i] = special[r.IntN(len(special))]
			}
			if r.IntN(16) == 0 {
				v[i] = float32(math.Abs(float64(special[r.IntN(len(special))])))
			}
		}
		run := func(scalar bool) *State {
			forceScalar = scalar
			defer func() { forceScalar = false }()
			s := &State{Param: append([]float32(nil), p...), Grad: g, M: append([]float32(nil), m...), V: append([]float32(nil), v...), Decay: true}
			c.Step(s, k, 3e-3, 0.7)
			return s
		}
		want, got := run(true), run(false)
		for i := range want.Param {
			if math.Float32bits(got.Param[i]) != math.Float32bits(want.Param[i]) {
				t.Fatalf("update %d element %d (g %v m %v v %v): vector %v, scalar %v", k, i, g[i], m[i], v[i], got.Param[i], want.Param[i])
			}
		}
	}
}
