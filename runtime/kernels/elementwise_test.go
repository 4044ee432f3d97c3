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
			ln := make([]float32, rows*h)
			LayerNormForward(ln, make([]float32, rows), make([]float32, rows), x, gamma, bias, rows, h)
			forceGeneric = false
			return [][]float32{y, db, res, dx, dg, dbeta, ln}
		}
		want, got := run(true), run(false)
		for i, name := range []string{"AddBias", "BiasBackward", "Add", "LayerNorm dx", "LayerNorm dγ", "LayerNorm dβ", "LayerNorm y"} {
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

// Attention's softmax scaling and score gradient, vector against scalar.
func TestAttentionRowHelpersMatchScalar(t *testing.T) {
	for _, n := range []int{1, 7, 8, 13, 64} {
		p, dp := normal(1, n, 1), normal(2, n, 1)
		const inv, delta, scale = 0.37, 0.11, 0.25
		want, wantDS := append([]float32(nil), p...), append([]float32(nil), dp...)
		for j := range want {
			want[j] *= inv
			wantDS[j] = p[j] * (wantDS[j] - delta) * scale
		}
		got, gotDS := append([]float32(nil), p...), append([]float32(nil), dp...)
		for j := scaleVec(got, inv); j < n; j++ {
			got[j] *= inv
		}
		for j := attnDSVec(gotDS, p, delta, scale); j < n; j++ {
			gotDS[j] = p[j] * (gotDS[j] - delta) * scale
		}
		for j := 0; j < n; j++ {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) || math.Float32bits(gotDS[j]) != math.Float32bits(wantDS[j]) {
				t.Fatalf("n %d element %d: scale %v/%v, dS %v/%v", n, j, got[j], want[j], gotDS[j], wantDS[j])
			}
		}
	}
}

func TestMaxVecMatchesScalar(t *testing.T) {
	for _, n := range []int{1, 8, 9, 16, 63, 64, 200} {
		for seed := uint64(1); seed <= 5; seed++ {
			x := normal(seed, n, 3)
			want := float32(math.Inf(-1))
			for _, v := range x {
				want = max(want, v)
			}
			got, j0 := maxVec(x)
			for _, v := range x[j0:] {
				got = max(got, v)
			}
			if got != want {
				t.Fatalf("n %d seed %d: max %v, want %v", n, seed, got, want)
			}
		}
	}
}

// LayerNorm forms the sums of four rows at once (lnStats4): each row must
// still get the bits of the one-row loop, so that a row's output never
// depends on its neighbours (a data-parallel shard holds other rows).
func TestLayerNormRowGroupsMatchOneRow(t *testing.T) {
	for _, s := range [][2]int{{4, 1}, {5, 33}, {8, 256}, {11, 64}, {512, 256}} {
		rows, h := s[0], s[1]
		x := normal(7, rows*h, 3)
		for i := range x {
			switch i % 9 { // magnitudes apart, so float64 sums round
			case 0:
				x[i] *= 1e7
			case 4:
				x[i] *= 1e-8
			}
		}
		gamma, beta := normal(8, h, 1), normal(9, h, 1)
		y, mean, rstd := make([]float32, rows*h), make([]float32, rows), make([]float32, rows)
		LayerNormForward(y, mean, rstd, x, gamma, beta, rows, h)
		for r := range rows {
			y1, m1, r1 := make([]float32, h), make([]float32, 1), make([]float32, 1)
			LayerNormForward(y1, m1, r1, x[r*h:(r+1)*h], gamma, beta, 1, h)
			if math.Float32bits(m1[0]) != math.Float32bits(mean[r]) || math.Float32bits(r1[0]) != math.Float32bits(rstd[r]) {
				t.Fatalf("%d×%d row %d: mean %v rstd %v alone, %v %v in the batch", rows, h, r, m1[0], r1[0], mean[r], rstd[r])
			}
			for j := range y1 {
				if math.Float32bits(y1[j]) != math.Float32bits(y[r*h+j]) {
					t.Fatalf("%d×%d row %d column %d: %v alone, %v in the batch", rows, h, r, j, y1[j], y[r*h+j])
				}
			}
		}
	}
}
