package kernels

import (
	"fmt"
	"math"
)

// LinearForward computes y = x·W + b for rows rows of x (rows×in), with W
// in×out and b of length out (nil for no bias). y is rows×out.
func LinearForward(y, x, w, b []float32, rows, in, out int) {
	MatMul(y, x, w, rows, in, out, false)
	if b != nil {
		AddBias(y, b, rows, out)
	}
}

// LinearBackward adds the gradients of y = x·W + b: dx += dy·Wᵀ,
// dW += xᵀ·dy, db += Σ_rows dy. Any of dx, dw, db may be nil.
func LinearBackward(dx, dw, db, dy, x, w []float32, rows, in, out int) {
	if dx != nil {
		MatMulTransB(dx, dy, w, rows, out, in, true)
	}
	if dw != nil {
		MatMulTransA(dw, x, dy, in, rows, out, true)
	}
	if db != nil {
		BiasBackward(db, dy, rows, out)
	}
}

// AddBias adds b (length cols) to every row of y (rows×cols).
func AddBias(y, b []float32, rows, cols int) {
	b = b[:cols]
	for r := 0; r < rows; r++ {
		row := y[r*cols : (r+1)*cols]
		for j := addVec(row, b); j < cols; j++ {
			row[j] += b[j]
		}
	}
}

// BiasBackward adds the column sums of dy (rows×cols) to db, summing rows in
// increasing order.
func BiasBackward(db, dy []float32, rows, cols int) {
	db = db[:cols]
	for r := 0; r < rows; r++ {
		row := dy[r*cols : (r+1)*cols]
		for j := addVec(db, row); j < cols; j++ {
			db[j] += row[j]
		}
	}
}

// Add sets dst[i] += src[i] (a residual connection, or the gradient that
// flows through one).
func Add(dst, src []float32) {
	src = src[:len(dst)]
	for i := addVec(dst, src); i < len(dst); i++ {
		dst[i] += src[i]
	}
}

// Scale multiplies every element of x by s.
func Scale(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

// Axpy sets y[i] += alpha·x[i].
func Axpy(y []float32, alpha float32, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// LayerNormEps is the epsilon of every LayerNorm of the reference semantics.
const LayerNormEps = 1e-5

// LayerNormForward normalizes each row of x (rows×h) and applies the gain
// gamma and the bias beta: y = (x−μ)/sqrt(σ²+eps)·γ + β, with μ and the
// biased variance σ² computed in float64. It stores μ and 1/sqrt(σ²+eps)
// per row in mean and rstd (length rows) for the backward.
func LayerNormForward(y, mean, rstd, x, gamma, beta []float32, rows, h int) {
	gamma, beta = gamma[:h], beta[:h]
	groups := (rows + lnGroup - 1) / lnGroup
	parallelFor(groups, rows*h*lnElementCost, func(g int) {
		r0, r1 := g*lnGroup, min(rows, (g+1)*lnGroup)
		if r1-r0 == lnGroup {
			lnStats4(mean[r0:r1], rstd[r0:r1], x[r0*h:r1*h], h)
		} else {
			for r := r0; r < r1; r++ {
				lnStats(mean[r:r+1], rstd[r:r+1], x[r*h:(r+1)*h], h)
			}
		}
		for r := r0; r < r1; r++ {
			xr, yr := x[r*h:(r+1)*h], y[r*h:(r+1)*h]
			m32, r32 := mean[r], rstd[r]
			for j := lnFwdOutVec(yr, xr, gamma, beta, m32, r32); j < h; j++ {
				yr[j] = (xr[j]-m32)*r32*gamma[j] + beta[j]
			}
		}
	})
}

// lnGroup is the rows whose sums LayerNorm forms together: each row's
// sums run in index order, a chain of dependent additions, and four
// independent chains keep the adder busy where one waited on each
// addition's latency. The order of each row's sums, and so every bit,
// is the one-row loop's.
const lnGroup = 4

// lnStats sets mean[0] and rstd[0] of one row of h values: μ and
// 1/sqrt(σ²+eps) from float64 sums in index order.
func lnStats(mean, rstd, xr []float32, h int) {
	xr = xr[:h]
	var s float64
	for _, v := range xr {
		s += float64(v)
	}
	mu := s / float64(h)
	var ss float64
	for _, v := range xr {
		d := float64(v) - mu
		ss += d * d
	}
	mean[0], rstd[0] = float32(mu), float32(1/math.Sqrt(ss/float64(h)+LayerNormEps))
}

// lnStats4 is lnStats on four consecutive rows (x holds 4·h values), the
// four rows' sums interleaved.
func lnStats4(mean, rstd, x []float32, h int) {
	x0, x1, x2, x3 := x[:h], x[h:2*h], x[2*h:3*h], x[3*h:4*h]
	var s0, s1, s2, s3 float64
	for j := range x0 {
		s0 += float64(x0[j])
		s1 += float64(x1[j])
		s2 += float64(x2[j])
		s3 += float64(x3[j])
	}
	fh := float64(h)
	mu0, mu1, mu2, mu3 := s0/fh, s1/fh, s2/fh, s3/fh
	var q0, q1, q2, q3 float64
	for j := range x0 {
		d0 := float64(x0[j]) - mu0
		d1 := float64(x1[j]) - mu1
		d2 := float64(x2[j]) - mu2
		d3 := float64(x3[j]) - mu3
		q0 += d0 * d0
		q1 += d1 * d1
		q2 += d2 * d2
		q3 += d3 * d3
	}
	mean, rstd = mean[:4], rstd[:4]
	mean[0], rstd[0] = float32(mu0), float32(1/math.Sqrt(q0/fh+LayerNormEps))
	mean[1], rstd[1] = float32(mu1), float32(1/math.Sqrt(q1/fh+LayerNormEps))
	mean[2], rstd[2] = float32(mu2), float32(1/math.Sqrt(q2/fh+LayerNormEps))
	mean[3], rstd[3] = float32(mu3), float32(1/math.Sqrt(q3/fh+LayerNormEps))
}

// lnElementCost is LayerNorm's time per element in multiply-adds of a
// product (parallelFor's unit): dependent float32 or float64 sums and a
// division per row take a few cycles an element where the matmul
// micro-kernel does 32 multiply-adds a cycle. It puts hidden 256's
// 512-row LayerNorms (micro_batch 8) on both cores and leaves the 128-row
// ones on the caller.
const lnElementCost = 32

// LayerNormBackward adds the gradients of LayerNormForward: with
// x̂ = (x−μ)·rstd and g = dy·γ, dx += rstd·(g − mean(g) − x̂·mean(g·x̂)),
// dγ += Σ_rows dy·x̂, dβ += Σ_rows dy. dgamma and dbeta are summed over
// rows in increasing order.
func LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma []float32, rows, h int) {
	gamma = gamma[:h]
	if dx != nil {
		parallelFor(rows, rows*h*lnElementCost, func(r int) {
			xr, dyr, dxr := x[r*h:(r+1)*h], dy[r*h:(r+1)*h], dx[r*h:(r+1)*h]
			mu, rs := mean[r], rstd[r]
			var sg, sgx float32
			for j, v := range xr {
				g := dyr[j] * gamma[j]
				sg += g
				sgx += g * (v - mu) * rs
			}
			sg /= float32(h)
			sgx /= float32(h)
			for j := lnBwdDxVec(dxr, dyr, xr, gamma, mu, rs, sg, sgx); j < h; j++ {
				xh := (xr[j] - mu) * rs
				dxr[j] += rs * (dyr[j]*gamma[j] - sg - xh*sgx)
			}
		})
	}
	if dgamma == nil && dbeta == nil {
		return
	}
	for r := 0; r < rows; r++ {
		xr, dyr := x[r*h:(r+1)*h], dy[r*h:(r+1)*h]
		mu, rs := mean[r], rstd[r]
		j0 := 0
		if dgamma != nil && dbeta != nil {
			j0 = lnParamsVec(dgamma[:h], dbeta[:h], xr, dyr, mu, rs)
		}
		for j := j0; j < h; j++ {
			v := xr[j]
			if dgamma != nil {
				dgamma[j] += dyr[j] * (v - mu) * rs
			}
			if dbeta != nil {
				dbeta[j] += dyr[j]
			}
		}
	}
}

const geluC = 0.7978845608028654 // sqrt(2/π)

// GeluForward computes the tanh approximation of GELU elementwise:
// y = 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))), in float32 with a
// tanh accurate to about 1e-7 (8 elements per instruction with AVX2 and
// FMA; each element's bits depend on its value only, not its position).
func GeluForward(y, x []float32) {
	x = x[:len(y)]
	parallelFor(chunks(len(y)), len(y)*8, func(t int) {
		lo, hi := chunkRange(t, len(y))
		if geluForwardVec(y[lo:hi], x[lo:hi]) {
			return
		}
		for i := lo; i < hi; i++ {
			v := x[i]
			y[i] = 0.5 * v * (1 + tanhf(geluC*(v+0.044715*v*v*v)))
		}
	})
}

// GeluBackward adds dy·gelu'(x) to dx.
func GeluBackward(dx, dy, x []float32) {
	x, dy = x[:len(dx)], dy[:len(dx)]
	parallelFor(chunks(len(dx)), len(dx)*8, func(t int) {
		lo, hi := chunkRange(t, len(dx))
		if geluBackwardVec(dx[lo:hi], dy[lo:hi], x[lo:hi]) {
			return
		}
		for i := lo; i < hi; i++ {
			v := x[i]
			th := tanhf(geluC * (v + 0.044715*v*v*v))
			d := 0.5*(1+th) + 0.5*v*(1-th*th)*geluC*(1+3*0.044715*v*v)
			dx[i] += dy[i] * d
		}
	})
}

// SiluForward computes y = x·sigmoid(x) = x/(1+e^−x) elementwise (SiLU,
// the swish of SwiGLU FFNs).
func SiluForward(y, x []float32) {
	x = x[:len(y)]
	parallelFor(chunks(len(y)), len(y)*8, func(t int) {
		lo, hi := chunkRange(t, len(y))
		for i := lo; i < hi; i++ {
			v := x[i]
			y[i] = v / (1 + expf(-v))
		}
	})
}

// SiluBackward adds dy·silu'(x) to dx, silu'(x) = s·(1 + x·(1−s)) with
// s = sigmoid(x).
func SiluBackward(dx, dy, x []float32) {
	x, dy = x[:len(dx)], dy[:len(dx)]
	parallelFor(chunks(len(dx)), len(dx)*8, func(t int) {
		lo, hi := chunkRange(t, len(dx))
		for i := lo; i < hi; i++ {
			v := x[i]
			s := 1 / (1 + expf(-v))
			dx[i] += dy[i] * s * (1 + v*(1-s))
		}
	})
}

// ReluForward computes y = max(x, 0).
func ReluForward(y, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

// ReluBackward adds dy where x > 0 to dx.
func ReluBackward(dx, dy, x []float32) {
	x, dy = x[:len(dx)], dy[:len(dx)]
	for i, v := range x {
		if v > 0 {
			dx[i] += dy[i]
		}
	}
}

const chunkSize = 4096

func chunks(n int) int { return (n + chunkSize - 1) / chunkSize }

func chunkRange(t, n int) (int, int) { return t * chunkSize, min((t+1)*chunkSize, n) }

// EmbeddingForward computes out[t] = wte[ids[t]−vocabLo] + wpe[pos[t]] for
// every token t, rows of h values. wte holds the vocabulary rows
// [vocabLo, vocabLo+len(wte)/h): a whole table has vocabLo 0; a
// vocabulary-parallel shard contributes zero for ids outside its range (the
// sum over shards is then the whole lookup). wpe may be nil (no positions,
// or a shard that leaves positions to another rank).
func EmbeddingForward(out, wte, wpe []float32, ids, pos []int32, h, vocabLo int) {
	vocab := len(wte) / h
	for t, id := range ids {
		o := out[t*h : (t+1)*h]
		local := int(id) - vocabLo
		if local >= 0 && local < vocab {
			copy(o, wte[local*h:(local+1)*h])
		} else {
			clear(o)
		}
		if wpe != nil {
			p := wpe[int(pos[t])*h : int(pos[t]+1)*h]
			for j, v := range p {
				o[j] += v
			}
		}
	}
}

// EmbeddingBackward scatter-adds dout into the table gradients in token
// order: dwte[ids[t]−vocabLo] += dout[t] (ids outside the shard skipped) and
// dwpe[pos[t]] += dout[t]. Either gradient may be nil.
func EmbeddingBackward(dwte, dwpe, dout []float32, ids, pos []int32, h, vocabLo int) {
	vocab := 0
	if dwte != nil {
		vocab = len(dwte) / h
	}
	for t, id := range ids {
		d := dout[t*h : (t+1)*h]
		local := int(id) - vocabLo
		if dwte != nil && local >= 0 && local < vocab {
			Add(dwte[local*h:(local+1)*h], d)
		}
		if dwpe != nil {
			Add(dwpe[int(pos[t])*h:int(pos[t]+1)*h], d)
		}
	}
}

// SoftmaxRows writes the softmax of each row of x (rows×cols) into p,
// subtracting the row maximum and summing in float64.
func SoftmaxRows(p, x []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		xr, pr := x[r*cols:(r+1)*cols], p[r*cols:(r+1)*cols]
		mx := xr[0]
		for _, v := range xr {
			mx = max(mx, v)
		}
		var s float64
		for j, v := range xr {
			e := math.Exp(float64(v - mx))
			pr[j] = float32(e)
			s += e
		}
		inv := 1 / s
		for j := range pr {
			pr[j] = float32(float64(pr[j]) * inv)
		}
	}
}

// SoftmaxRowsBackward adds to dx the gradient through p = softmax(x) per
// row: dx += p ⊙ (dp − Σ_j dp_j·p_j).
func SoftmaxRowsBackward(dx, dp, p []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		pr, dpr, dxr := p[r*cols:(r+1)*cols], dp[r*cols:(r+1)*cols], dx[r*cols:(r+1)*cols]
		var dot float64
		for j, v := range pr {
			dot += float64(v) * float64(dpr[j])
		}
		d := float32(dot)
		for j, v := range pr {
			dxr[j] += v * (dpr[j] - d)
		}
	}
}

// CrossEntropy returns the mean over rows of −log softmax(logits[r])[targets[r]]
// for logits rows×vocab, computed with float64 sums. When dlogits is not nil
// it also ADDS gradScale·(softmax(logits[r]) − onehot(targets[r])) to it:
// with gradScale = 1/rows that is the gradient of the mean; the caller folds
// in any further averaging (over micro-batches) through gradScale.
func CrossEntropy(dlogits, logits []float32, targets []int32, rows, vocab int, gradScale float32) float64 {
	losses := make([]float64, rows)
	parallelFor(rows, rows*vocab*4, func(r int) {
		lr := logits[r*vocab : (r+1)*vocab]
		tgt := int(targets[r])
		if tgt < 0 || tgt >= vocab {
			panic(fmt.Sprintf("kernels.CrossEntropy: target %d outside vocabulary %d", tgt, vocab))
		}
		mx, j0 := maxVec(lr)
		mx = max(mx, lr[0])
		for _, v := range lr[j0:] {
			mx = max(mx, v)
		}
		eBuf := getBuf(vocab)
		e := *eBuf
		expfScaled(e, lr, 1, mx)
		var s float64
		for _, v := range e {
			s += float64(v)
		}
		lse := float64(mx) + math.Log(s)
		losses[r] = lse - float64(lr[tgt])
		if dlogits != nil {
			dr := dlogits[r*vocab : (r+1)*vocab]
			inv := float32(1 / s)
			for j, v := range e {
				dr[j] += gradScale * v * inv
			}
			dr[tgt] -= gradScale
		}
		packPool.Put(eBuf)
	})
	var sum float64
	for _, l := range losses {
		sum += l
	}
	return sum / float64(rows)
}

// MSE returns the mean over all n elements of (pred−target)², in float64.
// When dpred is not nil it ADDS gradScale·2·(pred−target)/n to it.
func MSE(dpred, pred, target []float32, gradScale float32) float64 {
	n := len(pred)
	target = target[:n]
	var s float64
	for i, p := range pred {
		d := float64(p) - float64(target[i])
		s += d * d
	}
	if dpred != nil {
		c := float64(gradScale) * 2 / float64(n)
		for i, p := range pred {
			dpred[i] += float32(c * (float64(p) - float64(target[i])))
		}
	}
	return s / float64(n)
}
