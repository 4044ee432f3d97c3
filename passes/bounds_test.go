package passes

import (
	"math"
	"testing"
)

// TestExpectedDropFraction compares the windowed sum with the full sum
// over every load, and checks that sizes at the plan bounds finish and
// stay in [0, 1].
func TestExpectedDropFraction(t *testing.T) {
	full := func(T, k, E, c int) float64 {
		q := float64(k) / float64(E)
		lgT, _ := math.Lgamma(float64(T + 1))
		excess := 0.0
		for x := c + 1; x <= T; x++ {
			lx, _ := math.Lgamma(float64(x + 1))
			ly, _ := math.Lgamma(float64(T - x + 1))
			excess += float64(x-c) * math.Exp(lgT-lx-ly+float64(x)*math.Log(q)+float64(T-x)*math.Log1p(-q))
		}
		return excess / (float64(T) * q)
	}
	for _, tc := range []struct{ T, k, E, c int }{
		{64, 2, 8, 16}, {64, 2, 8, 20}, {64, 2, 8, 0}, {1000, 1, 4, 250}, {4096, 8, 64, 640}, {4096, 8, 64, 2000},
	} {
		got, want := expectedDropFraction(tc.T, tc.k, tc.E, tc.c), full(tc.T, tc.k, tc.E, tc.c)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("expectedDropFraction%v = %v, the full sum %v", tc, got, want)
		}
	}
	for _, tc := range []struct{ T, k, E, c int }{
		{1 << 32, 2, 8, 1 << 30}, {1 << 32, 2, 8, 1}, {1 << 32, 2, 8, math.MaxInt32}, {100, 2, 8, -5}, {100, 2, 8, 1 << 40},
	} {
		if f := expectedDropFraction(tc.T, tc.k, tc.E, tc.c); !(f >= 0 && f <= 1+1e-9) {
			t.Errorf("expectedDropFraction%v = %v, not a fraction", tc, f)
		}
	}
}

func TestCeilDivSaturates(t *testing.T) {
	for _, tc := range []struct {
		x, y float64
		want int
	}{{10, 4, 3}, {8, 4, 2}, {0, 4, 0}, {1e30, 1, math.MaxInt32}, {math.Inf(1), 1, math.MaxInt32}, {math.NaN(), 1, math.MaxInt32}} {
		if got := ceilDiv(tc.x, tc.y); got != tc.want {
			t.Errorf("ceilDiv(%g, %g) = %d, want %d", tc.x, tc.y, got, tc.want)
		}
	}
}
