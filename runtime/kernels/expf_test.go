package kernels

import (
	"math"
	"testing"
)

func TestExpfAccuracy(t *testing.T) {
	worst := 0.0
	for x := float32(-87); x < 88.7; x += 0.0137 {
		got := float64(expf(x))
		want := math.Exp(float64(x))
		rel := math.Abs(got-want) / want
		worst = max(worst, rel)
	}
	if worst > 3e-7 {
		t.Errorf("expf worst relative error %.3g, want ≤ 3e-7", worst)
	}
	if expf(-100) != 0 || !math.IsInf(float64(expf(100)), 1) || expf(0) != 1 {
		t.Error("expf limits wrong")
	}
	if v := float32(math.NaN()); expf(v) == expf(v) {
		t.Error("expf(NaN) is not NaN")
	}
}

func TestTanhfAccuracy(t *testing.T) {
	worst := 0.0
	for x := float32(-12); x < 12; x += 0.00731 {
		worst = max(worst, math.Abs(float64(tanhf(x))-math.Tanh(float64(x))))
	}
	if worst > 3e-7 {
		t.Errorf("tanhf worst absolute error %.3g, want ≤ 3e-7", worst)
	}
}

// expfScaled (8 lanes with AVX2) agrees with expf, gives 0 below expf's
// underflow bound and NaN for NaN, and an element's bits do not depend on
// its position (the padded tail included).
func TestExpfScaledMatchesExpf(t *testing.T) {
	var src []float32
	for x := float32(-95); x < 88; x += 0.0173 {
		src = append(src, x)
	}
	src = append(src, float32(math.NaN()), float32(math.Inf(-1)), 0)
	dst := make([]float32, len(src))
	expfScaled(dst, src, 1, 0)
	for i, x := range src {
		want := expf(x)
		switch {
		case x != x:
			if dst[i] == dst[i] {
				t.Errorf("expfScaled(NaN) = %g", dst[i])
			}
		case want == 0:
			if dst[i] != 0 {
				t.Errorf("expfScaled(%g) = %g, want 0", x, dst[i])
			}
		case math.Abs(float64(dst[i]-want)) > 3e-7*float64(want):
			t.Errorf("expfScaled(%g) = %g, expf %g", x, dst[i], want)
		}
	}
	shard := make([]float32, len(src)-5)
	expfScaled(shard, src[5:], 1, 0)
	for i, v := range shard {
		if math.Float32bits(v) != math.Float32bits(dst[i+5]) {
			t.Fatalf("element %d of a shard differs from the whole", i+5)
		}
	}
	scaled := make([]float32, 9)
	expfScaled(scaled, src[:9], 0.5, 3)
	for i, v := range scaled {
		if want := expf(src[i]*0.5 - 3); math.Abs(float64(v-want)) > 3e-7*float64(want) {
			t.Errorf("expfScaled(%g·0.5 − 3) = %g, want %g", src[i], v, want)
		}
	}
}
