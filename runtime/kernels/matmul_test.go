package kernels

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"planc/runtime/tensor"
)

func randSlice(r *tensor.RNG, n int) []float32 {
	x := make([]float32, n)
	r.FillNormal(x, 1)
	return x
}

// naiveGemm is the float64 reference: C(i,j) = Σ_p A(i,p)·B(p,j).
func naiveGemm(a []float32, ars, acs int, b []float32, brs, bcs, m, k, n int) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(a[i*ars+p*acs]) * float64(b[p*brs+j*bcs])
			}
			c[i*n+j] = s
		}
	}
	return c
}

func TestMatMulFormsAgainstFloat64(t *testing.T) {
	defer func() { forceGeneric = false }()
	for _, generic := range []bool{false, true} {
		forceGeneric = generic
		t.Run(fmt.Sprintf("generic=%v", generic), testMatMulForms)
	}
}

func testMatMulForms(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 4, 4}, {17, 33, 9}, {64, 300, 65}, {70, 513, 130}, {256, 64, 256}}
	r := tensor.NewRNG(1)
	for _, s := range shapes {
		m, k, n := s[0], s[1], s[2]
		forms := []struct {
			name     string
			na, nb   int
			run      func(c, a, b []float32, acc bool)
			ars, acs int
			brs, bcs int
		}{
			{"AB", m * k, k * n, func(c, a, b []float32, acc bool) { MatMul(c, a, b, m, k, n, acc) }, k, 1, n, 1},
			{"ABt", m * k, n * k, func(c, a, b []float32, acc bool) { MatMulTransB(c, a, b, m, k, n, acc) }, k, 1, 1, k},
			{"AtB", k * m, k * n, func(c, a, b []float32, acc bool) { MatMulTransA(c, a, b, m, k, n, acc) }, 1, m, n, 1},
		}
		for _, f := range forms {
			t.Run(fmt.Sprintf("%s_%dx%dx%d", f.name, m, k, n), func(t *testing.T) {
				a, b := randSlice(r, f.na), randSlice(r, f.nb)
				want := naiveGemm(a, f.ars, f.acs, b, f.brs, f.bcs, m, k, n)
				c := randSlice(r, m*n)
				init := append([]float32(nil), c...)
				f.run(c, a, b, true)
				tol := 1e-5 * math.Sqrt(float64(k)) * 4
				for i := range c {
					if d := math.Abs(float64(c[i]) - float64(init[i]) - want[i]); d > tol {
						t.Fatalf("accumulate: element %d off by %g", i, d)
					}
				}
				f.run(c, a, b, false)
				for i := range c {
					if d := math.Abs(float64(c[i]) - want[i]); d > tol {
						t.Fatalf("overwrite: element %d off by %g", i, d)
					}
				}
			})
		}
	}
}

func TestMatMulBitwiseIndependentOfGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	r := tensor.NewRNG(2)
	for _, s := range [][3]int{{256, 64, 256}, {64, 512, 192}, {130, 700, 70}} {
		m, k, n := s[0], s[1], s[2]
		a, b := randSlice(r, m*k), randSlice(r, k*n)
		at := randSlice(r, k*m)
		var outs [][]float32
		for _, procs := range []int{1, 2, 3, 8} {
			runtime.GOMAXPROCS(procs)
			c := make([]float32, m*n)
			MatMul(c, a, b, m, k, n, false)
			outs = append(outs, c)
			c2 := make([]float32, m*n)
			MatMulTransA(c2, at, b, m, k, n, false)
			outs = append(outs, c2)
		}
		for i := 2; i < len(outs); i++ {
			for j := range outs[i] {
				if math.Float32bits(outs[i][j]) != math.Float32bits(outs[i%2][j]) {
					t.Fatalf("%v: GOMAXPROCS run %d differs at %d", s, i/2, j)
				}
			}
		}
	}
}

func BenchmarkMatmul(b *testing.B) {
	shapes := [][3]int{{256, 64, 256}, {256, 256, 64}, {512, 64, 192}, {512, 64, 256}, {512, 512, 512}, {128, 64, 192}, {128, 256, 768}, {128, 1024, 256}, {128, 256, 1024}, {128, 768, 256}, {256, 128, 768}, {1024, 128, 256}}
	r := tensor.NewRNG(3)
	for _, s := range shapes {
		m, k, n := s[0], s[1], s[2]
		a, bb, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
		at, bt := randSlice(r, k*m), randSlice(r, n*k)
		flops := 2 * float64(m*k*n)
		for _, f := range []struct {
			name string
			run  func()
		}{
			{"AB", func() { MatMul(c, a, bb, m, k, n, false) }},
			{"ABt", func() { MatMulTransB(c, a, bt, m, k, n, false) }},
			{"AtB", func() { MatMulTransA(c, at, bb, m, k, n, false) }},
		} {
			b.Run(fmt.Sprintf("%s_%dx%dx%d", f.name, m, k, n), func(b *testing.B) {
				for b.Loop() {
					f.run()
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestMatMulSlicesBitwiseEqualWhole pins a property the parallel runtime
// relies on: every output element's sum runs over k in the same order
// whatever m and n are, so a column shard of B (tensor-parallel column
// split) or a row shard of A (data-parallel or sequence split) gives bitwise
// the same elements as the whole product.
func TestMatMulSlicesBitwiseEqualWhole(t *testing.T) {
	defer func() { forceGeneric = false }()
	for _, generic := range []bool{false, true} {
		forceGeneric = generic
		const m, k, n = 70, 300, 150
		r := tensor.NewRNG(9)
		a, b := randSlice(r, m*k), randSlice(r, k*n)
		whole := make([]float32, m*n)
		MatMul(whole, a, b, m, k, n, false)
		for _, cols := range [][2]int{{0, 75}, {75, 150}, {13, 50}} {
			lo, hi := cols[0], cols[1]
			bs := make([]float32, k*(hi-lo))
			CopyCols(bs, b, k, n, lo, hi)
			part := make([]float32, m*(hi-lo))
			MatMul(part, a, bs, m, k, hi-lo, false)
			for i := 0; i < m; i++ {
				for j := lo; j < hi; j++ {
					if math.Float32bits(part[i*(hi-lo)+j-lo]) != math.Float32bits(whole[i*n+j]) {
						t.Fatalf("generic=%v cols %v: element (%d,%d) differs", generic, cols, i, j)
					}
				}
			}
		}
		for _, rows := range [][2]int{{0, 35}, {35, 70}, {3, 9}} {
			lo, hi := rows[0], rows[1]
			part := make([]float32, (hi-lo)*n)
			MatMul(part, a[lo*k:hi*k], b, hi-lo, k, n, false)
			for i := range part {
				if math.Float32bits(part[i]) != math.Float32bits(whole[lo*n+i]) {
					t.Fatalf("generic=%v rows %v: element %d differs", generic, rows, i)
				}
			}
		}
	}
}
