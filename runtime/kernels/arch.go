package kernels

import (
	"fmt"
	"math"
)

// This file holds the kernels of today's dense architectures
// (docs/semantics.md, "Today's architectures"): RMSNorm, the gated FFN
// activations (SwiGLU, GeGLU) and rotary position embeddings. Grouped-query
// and latent attention are in arch_attention.go, sigmoid and group-limited
// routing in arch_routing.go.

// RMSNormForward normalizes each row of x (rows×h) by its root mean square
// and applies the gain gamma: y = x·rstd·γ with
// rstd = 1/sqrt(mean(x²) + eps), the mean of squares summed in float64
// and eps added inside the square root (the model's norm_eps; Llama and
// DeepSeek use 1e-5 and 1e-6). It stores rstd per row (length rows) for
// the backward. y may be x.
func RMSNormForward(y, rstd, x, gamma []float32, rows, h int, eps float64) {
	gamma = gamma[:h]
	parallelFor(rows, rows*h*2, func(r int) {
		xr, yr := x[r*h:(r+1)*h], y[r*h:(r+1)*h]
		var ss float64
		for _, v := range xr {
			ss += float64(v) * float64(v)
		}
		rs := float32(1 / math.Sqrt(ss/float64(h)+eps))
		rstd[r] = rs
		for j, v := range xr {
			yr[j] = v * rs * gamma[j]
		}
	})
}

// RMSNormBackward adds the gradients of RMSNormForward given its saved
// rstd: with x̂ = x·rstd and g = dy·γ, dx += rstd·(g − x̂·mean(g·x̂)) and
// dγ += Σ_rows dy·x̂ (rows summed in increasing order). dx or dgamma may be
// nil.
func RMSNormBackward(dx, dgamma, dy, x, rstd, gamma []float32, rows, h int) {
	gamma = gamma[:h]
	if dx != nil {
		parallelFor(rows, rows*h*3, func(r int) {
			xr, dyr, dxr := x[r*h:(r+1)*h], dy[r*h:(r+1)*h], dx[r*h:(r+1)*h]
			rs := rstd[r]
			var sgx float64
			for j, v := range xr {
				sgx += float64(dyr[j] * gamma[j] * v * rs)
			}
			m := float32(sgx / float64(h))
			for j, v := range xr {
				dxr[j] += rs * (dyr[j]*gamma[j] - v*rs*m)
			}
		})
	}
	if dgamma == nil {
		return
	}
	dgamma = dgamma[:h]
	for r := 0; r < rows; r++ {
		xr, dyr := x[r*h:(r+1)*h], dy[r*h:(r+1)*h]
		rs := rstd[r]
		for j, v := range xr {
			dgamma[j] += dyr[j] * v * rs
		}
	}
}

// GLUActivation is the activation of a gated FFN's gate.
type GLUActivation uint8

const (
	// SwiGLU gates with silu(x) = x·sigmoid(x) (mlp = swiglu).
	SwiGLU GLUActivation = iota
	// GeGLU gates with the tanh GELU of [GeluForward] (mlp = geglu).
	GeGLU
)

func (a GLUActivation) String() string {
	switch a {
	case SwiGLU:
		return "swiglu"
	case GeGLU:
		return "geglu"
	}
	return fmt.Sprintf("GLUActivation(%d)", a)
}

// GLUForward computes a gated FFN's hidden activation, y = act(gate)⊙up,
// for rows rows. x is the output of fc1, rows×2f, each row the gate's f
// columns then the up projection's f columns (the layout of fc1.weight
// [h, 2f]; a tensor-parallel rank's shard is laid out the same with its
// local f). y is rows×f.
func GLUForward(y, x []float32, rows, f int, act GLUActivation) {
	parallelFor(rows, rows*f*8, func(r int) {
		gate, up, yr := x[2*r*f:(2*r+1)*f], x[(2*r+1)*f:(2*r+2)*f], y[r*f:(r+1)*f]
		for j, g := range gate {
			a, _ := gluAct(g, act)
			yr[j] = a * up[j]
		}
	})
}

// GLUBackward adds the gradient of GLUForward to dx (rows×2f, same layout
// as x): d gate += dy·up·act'(gate), d up += dy·act(gate).
func GLUBackward(dx, dy, x []float32, rows, f int, act GLUActivation) {
	parallelFor(rows, rows*f*10, func(r int) {
		gate, up, dyr := x[2*r*f:(2*r+1)*f], x[(2*r+1)*f:(2*r+2)*f], dy[r*f:(r+1)*f]
		dg, du := dx[2*r*f:(2*r+1)*f], dx[(2*r+1)*f:(2*r+2)*f]
		for j, g := range gate {
			a, da := gluAct(g, act)
			dg[j] += dyr[j] * up[j] * da
			du[j] += dyr[j] * a
		}
	})
}

// gluAct returns act(x) and act'(x).
func gluAct(x float32, act GLUActivation) (float32, float32) {
	switch act {
	case SwiGLU:
		s := 1 / (1 + expf(-x))
		return x * s, s * (1 + x*(1-s))
	case GeGLU:
		th := tanhf(geluC * (x + 0.044715*x*x*x))
		return 0.5 * x * (1 + th), 0.5*(1+th) + 0.5*x*(1-th*th)*geluC*(1+3*0.044715*x*x)
	}
	panic(fmt.Sprintf("kernels: unknown GLU activation %d", act))
}

// RoPETable returns the rotations of rotary position embeddings for tokens
// at the absolute positions pos (0 for a sequence's first token, whichever
// context-parallel rank holds it): cos and sin, each len(pos)×(rotary/2),
// of the angle pos[t]·θ^(−2i/rotary) for pair i, computed in float64 and
// rounded once. rotary is the width of the rotated part of a head (even).
func RoPETable(pos []int32, rotary int, theta float64) (cos, sin []float32) {
	if rotary%2 != 0 {
		panic(fmt.Sprintf("kernels.RoPETable: odd rotary width %d", rotary))
	}
	half := rotary / 2
	cos, sin = make([]float32, len(pos)*half), make([]float32, len(pos)*half)
	for t, p := range pos {
		for i := 0; i < half; i++ {
			w := math.Pow(theta, -2*float64(i)/float64(rotary))
			s, c := math.Sincos(float64(p) * w)
			cos[t*half+i], sin[t*half+i] = float32(c), float32(s)
		}
	}
	return cos, sin
}

// RoPEShape describes a head-major tensor [Batch, Heads, T, D] whose head
// vectors carry a rotary part in their last Rotary columns (Rotary = D for
// grouped-query attention; MLA rotates the last qk_rope_head_dim columns of
// each query head and the whole shared rotary key).
type RoPEShape struct {
	Batch, Heads, T, D, Rotary int
}

// RoPEForward applies rotary position embeddings in the half-split
// ("rotate half", GPT-NeoX and Hugging Face Llama) convention: within the
// rotary part u (width r) of the head vector of token t, pairs
// (u_i, u_{i+r/2}) for i < r/2 become
// (u_i·cos − u_{i+r/2}·sin, u_{i+r/2}·cos + u_i·sin) with cos and sin from
// [RoPETable] row t (the same rows for every batch and head). The first
// D−Rotary columns are copied unchanged. y may be x.
func RoPEForward(y, x, cos, sin []float32, s RoPEShape) {
	ropeRotate(y, x, cos, sin, s, 1, false)
}

// RoPEBackward adds the gradient of RoPEForward to dx: the rotation by the
// opposite angle applied to dy (the first D−Rotary columns pass through).
func RoPEBackward(dx, dy, cos, sin []float32, s RoPEShape) {
	ropeRotate(dx, dy, cos, sin, s, -1, true)
}

// ropeRotate writes (or adds, with accumulate) the rotation of x by sign·angle.
func ropeRotate(y, x, cos, sin []float32, s RoPEShape, sign float32, accumulate bool) {
	d, r, half := s.D, s.Rotary, s.Rotary/2
	if r%2 != 0 || r > d {
		panic(fmt.Sprintf("kernels: rotary width %d of head width %d", r, d))
	}
	vectors := s.Batch * s.Heads * s.T
	parallelFor(s.Batch*s.Heads, vectors*d*4, func(bh int) {
		for t := 0; t < s.T; t++ {
			o := (bh*s.T + t) * d
			xr, yr := x[o:o+d], y[o:o+d]
			c, sn := cos[t*half:(t+1)*half], sin[t*half:(t+1)*half]
			for j := 0; j < d-r; j++ {
				if accumulate {
					yr[j] += xr[j]
				} else {
					yr[j] = xr[j]
				}
			}
			lo, hi := xr[d-r:d-half], xr[d-half:]
			ylo, yhi := yr[d-r:d-half], yr[d-half:]
			for i := 0; i < half; i++ {
				a, b, ci, si := lo[i], hi[i], c[i], sign*sn[i]
				ra, rb := a*ci-b*si, b*ci+a*si
				if accumulate {
					ylo[i] += ra
					yhi[i] += rb
				} else {
					ylo[i], yhi[i] = ra, rb
				}
			}
		}
	})
}
