package kernels

import (
	"fmt"
	"math"
	"testing"

	"planc/runtime/tensor"
)

// The AVX-512 and AVX2 micro-kernels sum every element in the same order
// with fused multiply-adds, so they must agree bit for bit, ragged panels
// (n not a multiple of 16 or 32, m not a multiple of 8) included, whether
// they add to C or (name ending in =) store the first k block's sums.
func TestMatMulAVX512MatchesAVX2Bitwise(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU: nothing to compare")
	}
	defer func() { forceAVX2 = false }()
	r := tensor.NewRNG(4)
	for _, s := range [][3]int{{8, 16, 32}, {5, 9, 1}, {13, 300, 7}, {16, 64, 16}, {24, 33, 17}, {64, 513, 48}, {40, 70, 100}, {128, 256, 768}} {
		m, k, n := s[0], s[1], s[2]
		a, b, bt, at := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n*k), randSlice(r, k*m)
		init := randSlice(r, m*n)
		for _, f := range []struct {
			name string
			run  func(c []float32)
		}{
			{"AB", func(c []float32) { MatMul(c, a, b, m, k, n, true) }},
			{"ABt", func(c []float32) { MatMulTransB(c, a, bt, m, k, n, true) }},
			{"AtB", func(c []float32) { MatMulTransA(c, at, b, m, k, n, true) }},
			{"AB=", func(c []float32) { MatMul(c, a, b, m, k, n, false) }},
			{"ABt=", func(c []float32) { MatMulTransB(c, a, bt, m, k, n, false) }},
			{"AtB=", func(c []float32) { MatMulTransA(c, at, b, m, k, n, false) }},
		} {
			t.Run(fmt.Sprintf("%s_%dx%dx%d", f.name, m, k, n), func(t *testing.T) {
				var outs [2][]float32
				for i, avx2 := range []bool{false, true} {
					forceAVX2 = avx2
					outs[i] = append([]float32(nil), init...)
					f.run(outs[i])
				}
				forceAVX2 = false
				for j := range outs[0] {
					if math.Float32bits(outs[0][j]) != math.Float32bits(outs[1][j]) {
						t.Fatalf("element %d: AVX-512 %v, AVX2 %v", j, outs[0][j], outs[1][j])
					}
				}
			})
		}
	}
}
