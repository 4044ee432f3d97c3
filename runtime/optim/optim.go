// Package optim is planc's optimizer: AdamW with decoupled weight decay on
// matrices only, a linear warm-up followed by a cosine learning-rate decay,
// and global-norm gradient clipping.
//
// # Definitions (so another implementation reproduces them)
//
// Learning rate at step t (0-based) of T steps, peak lr, floor min_lr, W
// warm-up steps:
//
//	t < W:  lr · (t+1) / W
//	t ≥ W:  min_lr + ½(lr − min_lr)(1 + cos(π·min(1, (t−W)/max(1, T−W))))
//
// Clipping: the norm is ‖g‖ = sqrt(Σ g²) over every gradient element of the
// whole model, each element counted once however many ranks hold a replica;
// when clip > 0 and ‖g‖ > clip every gradient is multiplied by
// clip / (‖g‖ + 1e-6), as PyTorch's clip_grad_norm_ does.
//
// AdamW (β1 0.9, β2 0.95, ε 1e-8) at its k-th update (k from 1), for each
// element of every parameter with gradient g (after clipping), computed in
// float64 and stored in float32. Every parameter is updated at every step,
// a routed expert that received no token included: its g is 0, so its
// moments decay, weight decay applies and the Adam term of the decayed
// moments still moves it (PyTorch's AdamW skips parameters whose gradient
// is None; docs/semantics.md says how to match planc there):
//
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	p ← p·(1 − lr·wd)            (matrices only; vectors are not decayed)
//	p ← p − lr · (m/(1−β1^k)) / (sqrt(v/(1−β2^k)) + ε)
package optim

import (
	"math"

	"planc/ir"
)

// Config holds the optimizer's hyper-parameters.
type Config struct {
	LR, MinLR    float64
	Warmup       int
	Steps        int
	WeightDecay  float64
	Clip         float64
	Beta1, Beta2 float64
	Eps          float64
}

// FromPlan returns the configuration of a plan's train block, over steps
// steps (the run's length, which --steps may change).
func FromPlan(t ir.Train, steps int) Config {
	return Config{
		LR: t.LR, MinLR: t.MinLR, Warmup: t.Warmup, Steps: steps,
		WeightDecay: t.WeightDecay, Clip: t.Clip,
		Beta1: 0.9, Beta2: 0.95, Eps: 1e-8,
	}
}

// LRAt returns the learning rate of step t (0-based).
func (c Config) LRAt(t int) float64 {
	if t < c.Warmup {
		return c.LR * float64(t+1) / float64(c.Warmup)
	}
	progress := float64(t-c.Warmup) / float64(max(1, c.Steps-c.Warmup))
	progress = min(1, progress)
	return c.MinLR + 0.5*(c.LR-c.MinLR)*(1+math.Cos(math.Pi*progress))
}

// ClipScale returns the factor that gradients are multiplied by, given the
// global sum of squares.
func (c Config) ClipScale(sumSquares float64) float64 {
	norm := math.Sqrt(sumSquares)
	if c.Clip > 0 && norm > c.Clip {
		return c.Clip / (norm + 1e-6)
	}
	return 1
}

// SumSquares returns Σ g² of g, accumulated in float64.
func SumSquares(g []float32) float64 {
	var s float64
	for _, v := range g {
		s += float64(v) * float64(v)
	}
	return s
}

// State is one parameter (or parameter shard) and its AdamW moments.
type State struct {
	Param []float32
	Grad  []float32
	M, V  []float32
	Decay bool // weight decay applies (matrices)
}

// NewState returns the optimizer state of a parameter with zero moments.
func NewState(param, grad []float32, decay bool) *State {
	return &State{Param: param, Grad: grad, M: make([]float32, len(param)), V: make([]float32, len(param)), Decay: decay}
}

// Step applies AdamW update number k (1-based) with learning rate lr to s,
// scaling the gradient by gradScale (the clip factor) first.
func (c Config) Step(s *State, k int, lr, gradScale float64) {
	b1, b2 := c.Beta1, c.Beta2
	bc1 := 1 - math.Pow(b1, float64(k))
	bc2 := 1 - math.Pow(b2, float64(k))
	decay := 1.0
	if s.Decay {
		decay = 1 - lr*c.WeightDecay
	}
	for i, g32 := range s.Grad {
		g := float64(g32) * gradScale
		m := b1*float64(s.M[i]) + (1-b1)*g
		v := b2*float64(s.V[i]) + (1-b2)*g*g
		s.M[i], s.V[i] = float32(m), float32(v)
		p := float64(s.Param[i]) * decay
		p -= lr * (m / bc1) / (math.Sqrt(v/bc2) + c.Eps)
		s.Param[i] = float32(p)
	}
}
