package kernels

import "math"

// AdamW holds the constants of the AdamW update (Loshchilov & Hutter,
// decoupled weight decay).
type AdamW struct {
	Beta1, Beta2, Eps float64
}

// ReferenceAdamW is the optimizer of the reference semantics: β1 0.9,
// β2 0.95, eps 1e-8.
var ReferenceAdamW = AdamW{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8}

// Update applies one AdamW step (step counts from 1) to param in place,
// element by element in float64, with the first and second moments m and v
// (float32, updated in place):
//
//	g  = gradScale·grad                    (gradScale folds in clipping)
//	m  = β1·m + (1−β1)·g,   v = β2·v + (1−β2)·g²
//	m̂  = m/(1−β1^step),     v̂ = v/(1−β2^step)
//	p  = p − lr·weightDecay·p − lr·m̂/(sqrt(v̂) + eps)
//
// m and v are rounded to float32 before use, so that a sharded optimizer
// (ZeRO) that keeps them in float32 computes exactly the same. Pass
// weightDecay 0 for parameters that take none (biases, gains, embeddings
// unless told otherwise). Because each element is updated independently,
// the result does not depend on how a tensor is sharded.
func (a AdamW) Update(param, grad, m, v []float32, step int, lr, weightDecay, gradScale float64) {
	grad, m, v = grad[:len(param)], m[:len(param)], v[:len(param)]
	bc1 := 1 - math.Pow(a.Beta1, float64(step))
	bc2 := 1 - math.Pow(a.Beta2, float64(step))
	for i, p := range param {
		g := gradScale * float64(grad[i])
		mi := float32(a.Beta1*float64(m[i]) + (1-a.Beta1)*g)
		vi := float32(a.Beta2*float64(v[i]) + (1-a.Beta2)*g*g)
		m[i], v[i] = mi, vi
		mhat := float64(mi) / bc1
		vhat := float64(vi) / bc2
		pp := float64(p)
		pp -= lr * weightDecay * pp
		pp -= lr * mhat / (math.Sqrt(vhat) + a.Eps)
		param[i] = float32(pp)
	}
}

// ClipScale returns the factor that global-norm clipping applies to every
// gradient: min(1, maxNorm/(norm+1e-6)), or 1 when maxNorm ≤ 0 (no
// clipping). Pass it as gradScale to [AdamW.Update].
func ClipScale(norm, maxNorm float64) float64 {
	if maxNorm <= 0 {
		return 1
	}
	return min(1, maxNorm/(norm+1e-6))
}
