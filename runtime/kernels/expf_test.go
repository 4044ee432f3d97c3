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
