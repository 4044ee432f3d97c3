package kernels

import (
	"math"
	"testing"
)

// The vector GELU kernels agree with the scalar ones, and an element's
// result does not depend on where it sits in the slice (a shard computes
// the bits of the whole), including in the padded tail.
func TestGeluVectorMatchesScalar(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 4096 + 13} {
		x := normal(5, n, 3)
		dy := normal(6, n, 1)
		yv, ys := make([]float32, n), make([]float32, n)
		dxv, dxs := normal(7, n, 1), normal(7, n, 1)
		GeluForward(yv, x)
		GeluBackward(dxv, dy, x)
		forceGeneric = true
		GeluForward(ys, x)
		GeluBackward(dxs, dy, x)
		forceGeneric = false
		for i := range n {
			if d := math.Abs(float64(yv[i] - ys[i])); d > 1e-6*(1+math.Abs(float64(ys[i]))) {
				t.Fatalf("n=%d: gelu(%g) vector %g, scalar %g", n, x[i], yv[i], ys[i])
			}
			// gelu' multiplies tanh's error by w ≈ 0.07·|x|³ in w·(1 − th²).
			if d := math.Abs(float64(dxv[i] - dxs[i])); d > 1e-5 {
				t.Fatalf("n=%d: gelu'(%g) vector %g, scalar %g", n, x[i], dxv[i], dxs[i])
			}
		}
		if n < 3 {
			continue
		}
		part := make([]float32, n-3)
		GeluForward(part, x[3:])
		for i, v := range part {
			if v != yv[i+3] {
				t.Fatalf("n=%d: element %d of a shard differs from the whole: %g vs %g", n, i+3, v, yv[i+3])
			}
		}
	}
}
