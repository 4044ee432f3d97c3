package optim

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// The vector kernel and the goroutine split must not change a bit: every
// element is updated by the scalar loop's operations in its order.
func TestAdamWStepVectorAndParallelMatchScalar(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	c := Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1}
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 8, 29, 1000, 3*parallelMinElems + 13} {
		for _, decay := range []bool{false, true} {
			p, g := make([]float32, n), make([]float32, n)
			for i := range p {
				p[i] = float32(r.NormFloat64())
				g[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-6)))
				if r.IntN(10) == 0 {
					g[i] = 0
				}
			}
			run := func(scalar bool, procs int) *State {
				forceScalar = scalar
				defer func() { forceScalar = false }()
				runtime.GOMAXPROCS(procs)
				s := NewState(append([]float32(nil), p...), g, decay)
				for k := 1; k <= 3; k++ {
					c.Step(s, k, 3e-3, 0.7)
				}
				return s
			}
			want := run(true, 1)
			for _, procs := range []int{1, 2, 3} {
				got := run(false, procs)
				for i := range want.Param {
					if math.Float32bits(got.Param[i]) != math.Float32bits(want.Param[i]) ||
						math.Float32bits(got.M[i]) != math.Float32bits(want.M[i]) ||
						math.Float32bits(got.V[i]) != math.Float32bits(want.V[i]) {
						t.Fatalf("n %d decay %v GOMAXPROCS %d: element %d differs: p %v/%v m %v/%v v %v/%v", n, decay, procs, i,
							got.Param[i], want.Param[i], got.M[i], want.M[i], got.V[i], want.V[i])
					}
				}
			}
		}
	}
}

func BenchmarkAdamWStep(b *testing.B) {
	c := Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1}
	const n = 1 << 20
	p, g := make([]float32, n), make([]float32, n)
	for i := range p {
		p[i], g[i] = float32(i%7)*0.1, float32(i%5)*0.01
	}
	s := NewState(p, g, true)
	for _, scalar := range []bool{true, false} {
		name := "vector"
		if scalar {
			name = "scalar"
		}
		b.Run(name, func(b *testing.B) {
			forceScalar = scalar
			defer func() { forceScalar = false }()
			for b.Loop() {
				c.Step(s, 3, 1e-3, 1)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
		})
	}
}
