package tensor

import (
	"math"
	"sort"
	"testing"
)

// TestZigguratTables: the layers' rectangles have area v (x[i]·(f[i−1] −
// f[i]) for the layers above the base, within rounding), the top layer
// ends near 0 (its edge x[1] small and f[1] close to 1), and the base
// strip (x[0]·f(r)) has area v.
func TestZigguratTables(t *testing.T) {
	x := func(i int) float64 { return zig.w[i] * zigScale }
	for i := 2; i < zigLayers; i++ {
		area := x(i) * (zig.f[i-1] - zig.f[i])
		if math.Abs(area-zigV) > 1e-9 {
			t.Errorf("layer %d: area %.12g, want %.12g", i, area, zigV)
		}
	}
	if top := x(1) * (1 - zig.f[1]); math.Abs(top-zigV) > 1e-6 {
		t.Errorf("top layer: area %.9g, want %.9g (x[1] %.6g)", top, zigV, x(1))
	}
	if base := x(0) * zig.f[zigLayers-1]; math.Abs(base-zigV) > 1e-12 {
		t.Errorf("base strip: area %.12g, want %.12g", base, zigV)
	}
}

// TestZigguratIsNormal: 400,000 draws have mean 0 and variance 1 within 4
// standard errors, their empirical distribution is within the
// Kolmogorov–Smirnov bound at 0.1% significance of the normal one (1.95/√n),
// and the tails beyond ±r and ±4.5 hold as many draws as the normal law
// says (the tail algorithm's share), within 5 standard errors.
func TestZigguratIsNormal(t *testing.T) {
	const n = 400000
	r := NewRNG(12345)
	xs := make([]float64, n)
	var s, s2 float64
	beyondR, beyond45 := 0, 0
	for i := range xs {
		v := r.ZigguratNormal()
		xs[i] = v
		s += v
		s2 += v * v
		if math.Abs(v) > zigR {
			beyondR++
		}
		if math.Abs(v) > 4.5 {
			beyond45++
		}
	}
	mean, variance := s/n, s2/n-(s/n)*(s/n)
	if se := 1 / math.Sqrt(n); math.Abs(mean) > 4*se || math.Abs(variance-1) > 4*math.Sqrt2*se {
		t.Errorf("mean %.5f variance %.5f, want 0 and 1", mean, variance)
	}
	sort.Float64s(xs)
	cdf := func(v float64) float64 { return 0.5 * math.Erfc(-v/math.Sqrt2) }
	d := 0.0
	for i, v := range xs {
		c := cdf(v)
		d = max(d, math.Abs(c-float64(i)/n), math.Abs(c-float64(i+1)/n))
	}
	if bound := 1.95 / math.Sqrt(n); d > bound {
		t.Errorf("Kolmogorov–Smirnov distance %.5f, want ≤ %.5f", d, bound)
	}
	for _, c := range []struct {
		edge  float64
		count int
	}{{zigR, beyondR}, {4.5, beyond45}} {
		p := math.Erfc(c.edge / math.Sqrt2)
		want := p * n
		if math.Abs(float64(c.count)-want) > 5*math.Sqrt(want)+1 {
			t.Errorf("|x| > %.2f: %d draws, want %.1f", c.edge, c.count, want)
		}
	}
}

// TestZigguratDependsOnTheStateOnly: the same state gives the same values,
// and FillZigguratNormal scales ZigguratNormal's.
func TestZigguratDependsOnTheStateOnly(t *testing.T) {
	a, b := NewRNG(7), NewRNG(7)
	got := make([]float32, 1000)
	a.FillZigguratNormal(got, 0.5)
	for i, v := range got {
		if w := float32(0.5 * b.ZigguratNormal()); v != w {
			t.Fatalf("element %d: %g, want %g", i, v, w)
		}
	}
}

// BenchmarkNormals compares the two generators per value.
//
//	go test ./runtime/tensor -run XXX -bench Normals
func BenchmarkNormals(b *testing.B) {
	x := make([]float32, 2048)
	r := NewRNG(1)
	b.Run("box_muller", func(b *testing.B) {
		for b.Loop() {
			r.FillNormal(x, 1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/value")
	})
	b.Run("ziggurat", func(b *testing.B) {
		for b.Loop() {
			r.FillZigguratNormal(x, 1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/value")
	})
}
