package kernels

import (
	"math"
	"testing"
)

func TestAdamWFirstStepsByHand(t *testing.T) {
	p := []float32{1, -2}
	g := []float32{0.5, -0.25}
	m, v := make([]float32, 2), make([]float32, 2)
	const lr, wd = 0.1, 0.01
	ReferenceAdamW.Update(p, g, m, v, 1, lr, wd, 1)
	// Step 1: m̂ = g, v̂ = g², so the update is lr·sign(g) (up to eps).
	for i, p0 := range []float64{1, -2} {
		gi := float64(g[i])
		want := p0 - lr*wd*p0 - lr*gi/(math.Abs(gi)+1e-8)
		if math.Abs(float64(p[i])-want) > 1e-6 {
			t.Errorf("p[%d] = %v, want %v", i, p[i], want)
		}
	}
	// Step 2 with the same gradient: m̂ = g, v̂ = g² again.
	p1 := float64(p[0])
	ReferenceAdamW.Update(p, g, m, v, 2, lr, 0, 1)
	if want := p1 - lr; math.Abs(float64(p[0])-want) > 1e-5 {
		t.Errorf("step 2: p[0] = %v, want %v", p[0], want)
	}
	if want := float32(0.9*0.05 + 0.1*0.5); math.Abs(float64(m[0]-want)) > 1e-7 {
		t.Errorf("m[0] = %v, want %v", m[0], want)
	}
}

func TestAdamWShardingInvariant(t *testing.T) {
	p := normal(1, 100, 1)
	g := normal(2, 100, 1)
	whole := append([]float32(nil), p...)
	mw, vw := make([]float32, 100), make([]float32, 100)
	ms, vs := make([]float32, 100), make([]float32, 100)
	for step := 1; step <= 3; step++ {
		ReferenceAdamW.Update(whole, g, mw, vw, step, 1e-3, 0.1, 0.7)
		for lo := 0; lo < 100; lo += 30 { // shards of 30, 30, 30, 10
			hi := min(lo+30, 100)
			ReferenceAdamW.Update(p[lo:hi], g[lo:hi], ms[lo:hi], vs[lo:hi], step, 1e-3, 0.1, 0.7)
		}
	}
	for i := range p {
		if p[i] != whole[i] {
			t.Fatalf("element %d: sharded %v, whole %v", i, p[i], whole[i])
		}
	}
}

func TestClipScale(t *testing.T) {
	g := []float32{3, 4}
	norm := math.Sqrt(SumSquares(g))
	if norm != 5 {
		t.Fatalf("norm %v", norm)
	}
	for _, tc := range []struct{ max, want float64 }{{0, 1}, {10, 1}, {1, 1 / (5 + 1e-6)}} {
		if got := ClipScale(norm, tc.max); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("ClipScale(5, %v) = %v, want %v", tc.max, got, tc.want)
		}
	}
}
