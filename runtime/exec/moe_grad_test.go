package exec

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"
)

// TestDeepSeekMoEBlockGradients: the MoE block's backward in the runtime
// (tiny_deepseek's: sigmoid affinities, 2 of 4 groups, normalized top-2
// weights, the auxiliary loss, SwiGLU routed and shared experts without
// biases) against central differences of L = Σ out·c + aux on 16 tokens,
// for the router's weights, an expert's and the shared expert's, and the
// block's input. A difference counts only where half the step agrees
// within 2% (no token changed experts); each must be within 2% of the
// gradient (absolute 1e-5); at least 8 are smooth and 4 of them above
// 1e-4 (the sampled experts receive tokens).
func TestDeepSeekMoEBlockGradients(t *testing.T) {
	tr, err := NewTrainer(Config{Plan: plan(tinyDeepSeek(), ""), Steps: 1, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rk := tr.ranks[0]
	st := rk.stages[0]
	const pre, T = "h.1.moe.", 16
	p := rk.moeParamsOf(st, 1)
	call := func() *call { return &call{r: rk, st: st, f: st.newFrame()} }
	h := rk.m.Hidden
	rng := rand.New(rand.NewSource(3))
	x, c := make([]float32, T*h), make([]float32, T*h)
	for i := range x {
		x[i], c[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	// the router's logits are small at init: scale its weights so that
	// the routing is decided by margins a difference step does not cross
	for i, w := range st.w(pre + "router.weight") {
		st.w(pre + "router.weight")[i] = 20 * w
	}
	loss := func() float64 {
		a := &moeActs{}
		out, err := rk.moeForward(call(), p, x, a)
		if err != nil {
			t.Fatal(err)
		}
		var s float64
		for i := range out {
			s += float64(out[i]) * float64(c[i])
		}
		return s + a.aux/float64(rk.totalMB)
	}
	a := &moeActs{}
	if _, err := rk.moeForward(call(), p, x, a); err != nil {
		t.Fatal(err)
	}
	clear(st.g)
	dx := make([]float32, len(x))
	if err := rk.moeBackward(call(), p, x, a, c, dx); err != nil {
		t.Fatal(err)
	}
	central := func(v []float32, i int, step float32) float64 {
		old := v[i]
		v[i] = old + step
		up := loss()
		v[i] = old - step
		down := loss()
		v[i] = old
		return (up - down) / float64(2*step)
	}
	check := func(what string, v, g []float32) int {
		n, checked, moving := len(v), 0, 0
		for j := 0; j < 16; j++ {
			i := j * (n - 1) / 15
			fd := central(v, i, 1e-2)
			if half := central(v, i, 5e-3); math.Abs(half-fd) > 0.02*math.Abs(fd)+1e-5 {
				continue
			}
			checked++
			if math.Abs(fd) > 1e-4 {
				moving++
			}
			if d := math.Abs(fd - float64(g[i])); d > 0.02*math.Abs(fd)+1e-5 {
				t.Errorf("%s[%d]: gradient %.5g, central difference %.5g", what, i, g[i], fd)
			}
		}
		if checked < 8 || moving < 4 {
			t.Errorf("%s: only %d of 16 differences were smooth, %d of them above 1e-4", what, checked, moving)
		}
		return checked
	}
	for _, name := range []string{"router.weight", "experts.3.fc1.weight", "experts.6.fc2.weight", "shared.0.fc1.weight", "shared.0.fc2.weight"} {
		n := check(name, st.w(pre+name), st.gr(pre+name))
		t.Logf("%s: %d weights checked", name, n)
	}
	t.Logf("input: %d checked", check("x", x, dx))
}

// TestBalanceBiasMovesOncePerStep: after each step every balancing bias of
// tiny_deepseek has moved by exactly bias_update, down, up or not at all
// per expert (docs/semantics.md), some of them; the checkpoint keeps them.
func TestBalanceBiasMovesOncePerStep(t *testing.T) {
	m := tinyDeepSeek()
	rate := float32(m.MoE.BiasRate)
	_, tr := train(t, plan(m, ""), 1)
	prev := tr.Checkpoint()
	for step := 1; step <= 2; step++ {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
		c := tr.Checkpoint()
		for l := 1; l < m.Layers; l++ {
			name := balanceName(fmt.Sprintf("h.%d.moe.", l))
			b, a := prev.Tensors[name], c.Tensors[name]
			if a == nil || b == nil {
				t.Fatalf("checkpoint has no %s", name)
			}
			moved := 0
			for i := range a.Data {
				d := a.Data[i] - b.Data[i]
				if d != 0 && math.Abs(math.Abs(float64(d))-float64(rate)) > 1e-8 { // float32 sums of ±rate
					t.Errorf("step %d: %s[%d] moved by %g, want 0 or ±%g", step, name, i, d, rate)
				}
				if d != 0 {
					moved++
				}
			}
			if moved == 0 {
				t.Errorf("step %d: %s did not move", step, name)
			}
		}
		prev = c
	}
}
