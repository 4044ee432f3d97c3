package calib

import "math"

// GEMMModel is a product's time: Fixed per call + FLOPs/Rate + the
// elements of its three operands (A, B and C) times PerElement: the
// packing and the memory traffic, which dominate a thin product (one
// dimension of 8 or 16, as a phantom layer's ghosts or an expert's few
// routed rows) whose FLOPs are few.
type GEMMModel struct {
	Fixed      float64 // seconds per product
	Rate       float64 // FLOP/s
	PerElement float64 // seconds per operand element
}

// Seconds is the model's time of one m×k×n product whose output is cut
// into tm×tn micro tiles (0: none).
func (g GEMMModel) Seconds(m, k, n, tm, tn int) float64 {
	return g.Fixed + paddedFLOPs(m, k, n, tm, tn)/g.Rate + g.PerElement*gemmElements(m, k, n)
}

// paddedFLOPs are an m×k×n product's FLOPs with its m×n output rounded
// up to whole tm×tn micro tiles (what the micro-kernel computes).
func paddedFLOPs(m, k, n, tm, tn int) float64 {
	if tm > 0 && tn > 0 {
		m, n = (m+tm-1)/tm*tm, (n+tn-1)/tn*tn
	}
	return 2 * float64(m) * float64(k) * float64(n)
}

func gemmElements(m, k, n int) float64 { return float64(m*k + k*n + m*n) }

// fitGEMM fits the three terms to the GEMM points (their FLOPs padded to
// tm×tn micro tiles) by least squares in relative error, every term ≥ 0
// (the best of the fits over the subsets of terms whose solution is
// non-negative).
func fitGEMM(pts []Point, shapes [][3]int, tm, tn int) GEMMModel {
	rows := make([][3]float64, len(pts))
	for i, p := range pts {
		s := shapes[i]
		rows[i] = [3]float64{1 / p.Seconds, paddedFLOPs(s[0], s[1], s[2], tm, tn) / p.Seconds, gemmElements(s[0], s[1], s[2]) / p.Seconds}
	}
	th := nonNegLeastSquares(rows)
	g := GEMMModel{Fixed: th[0], PerElement: th[2], Rate: math.Inf(1)}
	if th[1] > 0 {
		g.Rate = 1 / th[1]
	}
	return g
}

// nonNegLeastSquares minimizes Σ(x_i·θ − 1)² over θ ≥ 0 (three unknowns:
// every subset of free terms is solved and the best non-negative one
// kept).
func nonNegLeastSquares(x [][3]float64) [3]float64 {
	y := make([]float64, len(x))
	for i := range y {
		y[i] = 1
	}
	return nonNegLeastSquaresTo(x, y)
}

// nonNegLeastSquaresTo minimizes Σ(x_i·θ − y_i)² over θ ≥ 0 (a column of
// zeros is left at 0).
func nonNegLeastSquaresTo(x [][3]float64, y []float64) [3]float64 {
	// columns scaled to unit size: FLOPs, elements and calls differ by
	// ten orders of magnitude
	var scale [3]float64
	for _, row := range x {
		for j, v := range row {
			scale[j] += v * v
		}
	}
	for j := range scale {
		scale[j] = math.Sqrt(scale[j])
		if scale[j] == 0 {
			scale[j] = 1
		}
	}
	xs := make([][3]float64, len(x))
	for i, row := range x {
		for j, v := range row {
			xs[i][j] = v / scale[j]
		}
	}
	th := nonNegScaled(xs, y)
	for j := range th {
		th[j] /= scale[j]
	}
	return th
}

func nonNegScaled(x [][3]float64, y []float64) [3]float64 {
	var best [3]float64
	bestRes := math.Inf(1)
	for mask := 1; mask < 8; mask++ {
		var idx []int
		for j := 0; j < 3; j++ {
			if mask&(1<<j) != 0 {
				idx = append(idx, j)
			}
		}
		n := len(idx)
		a := make([][]float64, n)
		b := make([]float64, n)
		for r := range a {
			a[r] = make([]float64, n)
		}
		for i, row := range x {
			for r, jr := range idx {
				b[r] += row[jr] * y[i]
				for c, jc := range idx {
					a[r][c] += row[jr] * row[jc]
				}
			}
		}
		sol, ok := solve(a, b)
		if !ok {
			continue
		}
		var th [3]float64
		feasible := true
		for r, j := range idx {
			if sol[r] < 0 {
				feasible = false
			}
			th[j] = sol[r]
		}
		if !feasible {
			continue
		}
		var res float64
		for i, row := range x {
			e := row[0]*th[0] + row[1]*th[1] + row[2]*th[2] - y[i]
			res += e * e
		}
		if res < bestRes {
			best, bestRes = th, res
		}
	}
	return best
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, bool) {
	n := len(b)
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if a[p][c] == 0 {
			return nil, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}
