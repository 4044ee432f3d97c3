package kernels

import (
	"fmt"
	"math"
	"testing"
)

// The vector forms of the bias, residual and LayerNorm-parameter updates
// round every element as the scalar loops do: the bits must not change.
func TestElementwiseVectorMatchesScalar(t *testing.T) {
	defer func() { forceGeneric = false }()
	for _, s := range [][2]int{{1, 1}, {3, 7}, {5, 8}, {4, 64}, {9, 100}, {128, 256}} {
		rows, h := s[0], s[1]
		x, dy := normal(1, rows*h, 1), normal(2, rows*h, 1)
		gamma, bias := normal(3, h, 1), normal(4, h, 1)
		mean, rstd := make([]float32, rows), make([]float32, rows)
		LayerNormForward(make([]float32, rows*h), mean, rstd, x, gamma, bias, rows, h)
		run := func(generic bool) [][]float32 {
			forceGeneric = generic
			y, db, res := normal(5, rows*h, 1), normal(6, h, 1), normal(7, rows*h, 1)
			dx, dg, dbeta := normal(8, rows*h, 1), normal(9, h, 1), normal(10, h, 1)
			AddBias(y, bias, rows, h)
			BiasBackward(db, dy, rows, h)
			Add(res, x)
			LayerNormBackward(dx, dg, dbeta, dy, x, mean, rstd, gamma, rows, h)
			forceGeneric = false
			return [][]float32{y, db, res, dx, dg, dbeta}
		}
		want, got := run(true), run(false)
		for i, name := range []string{"AddBias", "BiasBackward", "Add", "LayerNorm dx", "LayerNorm dγ", "LayerNorm dβ"} {
			t.Run(fmt.Sprintf("%s_%dx%d", name, rows, h), func(t *testing.T) {
				for j := range want[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
						t.Fatalf("element %d: vector %v, scalar %v", j, got[i][j], want[i][j])
					}
				}
			})
		}
	}
}
