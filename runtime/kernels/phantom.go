package kernels

import "fmt"

// Activation selects the elementwise nonlinearity of a layer.
type Activation int

const (
	ActIdentity Activation = iota // y = x
	ActGELU                       // tanh-approximated GELU
	ActReLU                       // max(x, 0)
)

func (a Activation) String() string {
	switch a {
	case ActIdentity:
		return "identity"
	case ActGELU:
		return "gelu_tanh"
	case ActReLU:
		return "relu"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ActivationForward computes y = act(x).
func ActivationForward(y, x []float32, act Activation) {
	switch act {
	case ActIdentity:
		copy(y, x)
	case ActGELU:
		GeluForward(y, x)
	case ActReLU:
		ReluForward(y, x)
	default:
		panic("kernels: unknown activation " + act.String())
	}
}

// ActivationBackward adds dy·act'(x) to dx.
func ActivationBackward(dx, dy, x []float32, act Activation) {
	switch act {
	case ActIdentity:
		Add(dx, dy)
	case ActGELU:
		GeluBackward(dx, dy, x)
	case ActReLU:
		ReluBackward(dx, dy, x)
	default:
		panic("kernels: unknown activation " + act.String())
	}
}

// PhantomShape is a phantom layer (docs/cost-model.md, "Phantom parallelism") of
// In inputs and Out outputs split into Parts parts with K ghost neurons per
// part. Part i holds the In/Parts inputs x_i and computes the Out/Parts
// outputs
//
//	g_i = C_i·x_i                                  (K ghosts)
//	y_i = act( W_ii·x_i + Σ_{j≠i} D_ij·g_j + b_i )
//
// Stored row-major for rows of tokens (x as rows×InPart), part i's
// parameters are the transposes of docs/cost-model.md's:
//
//	W  [InPart × OutPart]        = W_iiᵀ
//	C  [InPart × K]              = C_iᵀ
//	D  [(Parts−1)·K × OutPart]   rows q·K…(q+1)·K hold D_ijᵀ for the q-th
//	                             other part j, in increasing j (i skipped)
//	b  [OutPart]
//
// A distributed runtime computes [PhantomGhosts] locally, all-gathers the
// ghosts of all parts ([Parts][rows×K], part j's block at offset j·rows·K),
// runs [PhantomForward]; backward runs [PhantomBackward], reduce-scatters the
// ghost gradients (part j receives the sum over parts of block j), and runs
// [PhantomGhostsBackward]. With Parts = 1 it is a dense layer, bitwise equal
// to [LinearForward] followed by the activation.
type PhantomShape struct {
	In, Out  int
	Parts, K int
}

// InPart returns In/Parts, the inputs of one part.
func (s PhantomShape) InPart() int { return s.In / s.Parts }

// OutPart returns Out/Parts, the outputs of one part.
func (s PhantomShape) OutPart() int { return s.Out / s.Parts }

// DRows returns (Parts−1)·K, the rows of a part's decompressor matrix.
func (s PhantomShape) DRows() int { return (s.Parts - 1) * s.K }

func (s PhantomShape) check(part int) {
	if s.Parts < 1 || s.In%s.Parts != 0 || s.Out%s.Parts != 0 || part < 0 || part >= s.Parts {
		panic(fmt.Sprintf("kernels: phantom part %d of %+v", part, s))
	}
}

// PhantomGhosts computes part i's ghosts g = x·C (rows×K) from its inputs x
// (rows×InPart).
func PhantomGhosts(g, x, c []float32, rows int, s PhantomShape) {
	MatMul(g, x, c, rows, s.InPart(), s.K, false)
}

// PhantomGhostsBackward adds the gradients of g = x·C given the reduced
// ghost gradient dg (rows×K): dx += dg·Cᵀ, dC += xᵀ·dg. Either output may
// be nil.
func PhantomGhostsBackward(dx, dc, dg, x, c []float32, rows int, s PhantomShape) {
	LinearBackward(dx, dc, nil, dg, x, c, rows, s.InPart(), s.K)
}

// PhantomForward computes part's pre-activation pre = x·W + Σ_{j≠part}
// g_j·D_j + b and output y = act(pre) (both rows×OutPart), from its inputs
// x (rows×InPart) and the gathered ghosts of all parts ([Parts][rows×K]).
// The ghost terms are added in increasing j; keep pre for the backward.
func PhantomForward(pre, y, x, ghosts, w, d, b []float32, rows, part int, s PhantomShape, act Activation) {
	PhantomPreactivation(pre, x, ghosts, w, d, b, rows, part, s)
	ActivationForward(y, pre, act)
}

// PhantomPreactivation is [PhantomForward] without the activation: it
// writes pre only (the layer's output when its activation is a separate
// op, as in the runtime's programs).
func PhantomPreactivation(pre, x, ghosts, w, d, b []float32, rows, part int, s PhantomShape) {
	s.check(part)
	inP, outP, k := s.InPart(), s.OutPart(), s.K
	MatMul(pre, x, w, rows, inP, outP, false)
	q := 0
	for j := 0; j < s.Parts; j++ {
		if j == part {
			continue
		}
		MatMul(pre, ghosts[j*rows*k:(j+1)*rows*k], d[q*k*outP:(q+1)*k*outP], rows, k, outP, true)
		q++
	}
	if b != nil {
		AddBias(pre, b, rows, outP)
	}
}

// PhantomBackward adds part's gradients given dy (rows×OutPart): through
// the activation to dpre, then dx += dpre·Wᵀ, dW += xᵀ·dpre, db += Σ dpre,
// dD_j += g_jᵀ·dpre and dghosts[j] += dpre·D_jᵀ for every other part j.
// dghosts is laid out as the gathered ghosts ([Parts][rows×K]); block
// `part` is left untouched. Reduce-scatter it over the parts and pass each
// part's block to [PhantomGhostsBackward]. Any gradient output may be nil.
func PhantomBackward(dx, dw, dd, db, dghosts, dy, x, ghosts, pre, w, d []float32, rows, part int, s PhantomShape, act Activation) {
	dpre := dy
	if act != ActIdentity { // the identity's gradient is dy itself
		dpre = make([]float32, rows*s.OutPart())
		ActivationBackward(dpre, dy, pre, act)
	}
	PhantomPreactivationBackward(dx, dw, dd, db, dghosts, dpre, x, ghosts, w, d, rows, part, s)
}

// PhantomPreactivationBackward is [PhantomBackward] given the gradient of
// the pre-activation dpre (rows×OutPart): [PhantomPreactivation]'s backward.
func PhantomPreactivationBackward(dx, dw, dd, db, dghosts, dpre, x, ghosts, w, d []float32, rows, part int, s PhantomShape) {
	s.check(part)
	inP, outP, k := s.InPart(), s.OutPart(), s.K
	LinearBackward(dx, dw, db, dpre, x, w, rows, inP, outP)
	q := 0
	for j := 0; j < s.Parts; j++ {
		if j == part {
			continue
		}
		gj := ghosts[j*rows*k : (j+1)*rows*k]
		dj := d[q*k*outP : (q+1)*k*outP]
		if dd != nil {
			MatMulTransA(dd[q*k*outP:(q+1)*k*outP], gj, dpre, k, rows, outP, true)
		}
		if dghosts != nil {
			MatMulTransB(dghosts[j*rows*k:(j+1)*rows*k], dpre, dj, rows, outP, k, true)
		}
		q++
	}
}

// CopyCols copies columns [lo, hi) of src (rows×cols) into dst
// (rows×(hi−lo)): one part's slice of a whole activation.
func CopyCols(dst, src []float32, rows, cols, lo, hi int) {
	w := hi - lo
	for r := 0; r < rows; r++ {
		copy(dst[r*w:(r+1)*w], src[r*cols+lo:r*cols+hi])
	}
}

// SetCols writes src (rows×(hi−lo)) into columns [lo, hi) of dst
// (rows×cols): the inverse of [CopyCols].
func SetCols(dst, src []float32, rows, cols, lo, hi int) {
	w := hi - lo
	for r := 0; r < rows; r++ {
		copy(dst[r*cols+lo:r*cols+hi], src[r*w:(r+1)*w])
	}
}

// AddCols adds src (rows×(hi−lo)) into columns [lo, hi) of dst (rows×cols).
func AddCols(dst, src []float32, rows, cols, lo, hi int) {
	w := hi - lo
	for r := 0; r < rows; r++ {
		Add(dst[r*cols+lo:r*cols+hi], src[r*w:(r+1)*w])
	}
}
