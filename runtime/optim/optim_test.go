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

// TestAdamWBiasCorrectionOverSteps: under a constant gradient g the
// bias-corrected moments are exactly g and g² at every step k (Σ_{i<k}
// (1−β)β^i = 1−β^k), so each update is lr·g/(|g|+ε) whatever k, and after
// K steps an undecayed parameter has moved by K·lr·sign(g). A parameter
// with weight decay and no gradient shrinks by (1 − lr·wd)^K. Both catch a
// bias correction that uses the wrong power of β or skips a step.
func TestAdamWBiasCorrectionOverSteps(t *testing.T) {
	c := Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1}
	const steps, lr = 200, 1e-3
	grad := []float32{0.3, -2, 1e-3}
	moving := NewState([]float32{1, 1, 1}, grad, false)
	decaying := NewState([]float32{2}, []float32{0}, true)
	for k := 1; k <= steps; k++ {
		c.Step(moving, k, lr, 1)
		c.Step(decaying, k, lr, 1)
	}
	for i, g := range grad {
		want := 1 - steps*lr*float64(g)/(math.Abs(float64(g))+c.Eps)
		if d := math.Abs(float64(moving.Param[i]) - want); d > 1e-4 {
			t.Errorf("param %d after %d steps of gradient %g: %.6f, want %.6f", i, steps, g, moving.Param[i], want)
		}
	}
	if want := 2 * math.Pow(1-lr*c.WeightDecay, steps); math.Abs(float64(decaying.Param[0])-want) > 1e-6 {
		t.Errorf("decayed param after %d steps: %.7f, want %.7f", steps, decaying.Param[0], want)
	}
}
