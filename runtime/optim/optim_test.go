package optim

import (
	"math"
	"testing"
)

func TestLRSchedule(t *testing.T) {
	c := Config{LR: 1e-3, MinLR: 1e-4, Warmup: 10, Steps: 110}
	tests := []struct {
		step int
		want float64
	}{
		{0, 1e-4},    // (0+1)/10 of the peak
		{4, 5e-4},    // half-way up
		{9, 1e-3},    // peak at the end of warm-up
		{10, 1e-3},   // cosine starts at the peak
		{60, 5.5e-4}, // half-way down: (1e-3+1e-4)/2
		{110, 1e-4},  // floor
		{500, 1e-4},  // past the end stays at the floor
	}
	for _, tc := range tests {
		if got := c.LRAt(tc.step); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("LRAt(%d) = %g, want %g", tc.step, got, tc.want)
		}
	}
}

func TestClipScale(t *testing.T) {
	c := Config{Clip: 1}
	if s := c.ClipScale(0.25); s != 1 {
		t.Errorf("norm 0.5 under clip 1 scaled by %g", s)
	}
	if s := c.ClipScale(16); math.Abs(s-1/(4+1e-6)) > 1e-15 {
		t.Errorf("norm 4 scaled by %g, want 1/4", s)
	}
	if s := (Config{}).ClipScale(1e6); s != 1 {
		t.Errorf("clip 0 must not clip, got %g", s)
	}
}

func TestAdamWStep(t *testing.T) {
	c := Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1}
	s := NewState([]float32{1, -2}, []float32{0.5, 0}, true)
	c.Step(s, 1, 0.01, 2) // gradient scaled to {1, 0}
	// First step: m̂ = g, v̂ = g², so the update is lr·sign(g) (ε aside);
	// decay multiplies p by 1 − 0.01·0.1 first.
	want0 := 1*(1-0.001) - 0.01*1/(1+1e-8)
	want1 := -2 * (1 - 0.001)
	if math.Abs(float64(s.Param[0])-want0) > 1e-7 || math.Abs(float64(s.Param[1])-want1) > 1e-7 {
		t.Errorf("params = %v, want [%g %g]", s.Param, want0, want1)
	}
	if math.Abs(float64(s.M[0])-0.1) > 1e-7 || math.Abs(float64(s.V[0])-0.05) > 1e-7 {
		t.Errorf("moments = %v %v", s.M, s.V)
	}
	// Vectors are not decayed.
	v := NewState([]float32{3}, []float32{0}, false)
	c.Step(v, 1, 0.01, 1)
	if v.Param[0] != 3 {
		t.Errorf("undecayed param moved to %v with a zero gradient", v.Param[0])
	}
}
