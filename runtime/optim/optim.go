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
	"runtime"
	"sync"

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
// scaling the gradient by gradScale (the clip factor) first. Large states
// are split over goroutines and, where the CPU has AVX-512, updated eight
// elements at a time with the scalar loop's operations in its order (its
// divisions by the bias corrections through their reciprocals and an exact
// correction, which give the division's bits): every element gets the
// same bits either way.
func (c Config) Step(s *State, k int, lr, gradScale float64) {
	sc := c.consts(k, lr, gradScale, s.Decay)
	n := len(s.Grad)
	workers := min(runtime.GOMAXPROCS(0), n/parallelMinElems)
	if workers <= 1 {
		sc.update(s)
		return
	}
	chunk := (n/workers + 7) &^ 7
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		part := &State{Param: s.Param[lo:hi], Grad: s.Grad[lo:hi], M: s.M[lo:hi], V: s.V[lo:hi]}
		wg.Go(func() { sc.update(part) })
	}
	wg.Wait()
}

// parallelMinElems is the number of elements per goroutine under which an
// update stays on the calling goroutine (about 50 µs of work).
const parallelMinElems = 1 << 15

// stepConsts are the per-step constants of an update, in the order the
// assembly kernel reads them.
type stepConsts struct {
	scale, b1, ob1, b2, ob2, bc1, bc2, lr, eps, decay float64
	ibc1, ibc2                                        float64 // RN(1/bc1), RN(1/bc2)
}

func (c Config) consts(k int, lr, gradScale float64, decay bool) *stepConsts {
	sc := &stepConsts{
		scale: gradScale, b1: c.Beta1, ob1: 1 - c.Beta1, b2: c.Beta2, ob2: 1 - c.Beta2,
		bc1: 1 - math.Pow(c.Beta1, float64(k)), bc2: 1 - math.Pow(c.Beta2, float64(k)),
		lr: lr, eps: c.Eps, decay: 1,
	}
	sc.ibc1, sc.ibc2 = 1/sc.bc1, 1/sc.bc2
	if decay {
		sc.decay = 1 - lr*c.WeightDecay
	}
	return sc
}

// update is the element loop: the vector kernel for a leading part where
// there is one, then this scalar loop, which defines the arithmetic.
func (sc *stepConsts) update(s *State) {
	for i := stepVector(s, sc); i < len(s.Grad); i++ {
		g := float64(s.Grad[i]) * sc.scale
		m := sc.b1*float64(s.M[i]) + sc.ob1*g
		v := sc.b2*float64(s.V[i]) + sc.ob2*g*g
		s.M[i], s.V[i] = float32(m), float32(v)
		p := float64(s.Param[i]) * sc.decay
		p -= sc.lr * (m / sc.bc1) / (math.Sqrt(v/sc.bc2) + sc.eps)
		s.Param[i] = float32(p)
	}
}
