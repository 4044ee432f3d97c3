package kernels

import "math"

//go:noescape
func addAVX2(dst, src *float32, n int)

//go:noescape
func lnParamsAVX2(dgamma, dbeta, x, dy *float32, n int, mu, rs float32)

// addVec adds src to dst 8 elements at a time and returns how many it
// added (a multiple of 8; 0 without AVX2): the caller adds the rest. Each
// element is one rounded addition, so the bits are the scalar loop's.
func addVec(dst, src []float32) int {
	n := len(dst) &^ 7
	if !useFMA || forceGeneric || n == 0 {
		return 0
	}
	_ = src[n-1]
	addAVX2(&dst[0], &src[0], n)
	return n
}

// lnParamsVec is the vector form of LayerNormBackward's per-row update of
// dγ and dβ (see addVec for the contract).
func lnParamsVec(dgamma, dbeta, x, dy []float32, mu, rs float32) int {
	n := len(x) &^ 7
	if !useFMA || forceGeneric || n == 0 {
		return 0
	}
	_, _, _ = dgamma[n-1], dbeta[n-1], dy[n-1]
	lnParamsAVX2(&dgamma[0], &dbeta[0], &x[0], &dy[0], n, mu, rs)
	return n
}

//go:noescape
func lnFwdOutAVX2(y, x, gamma, beta *float32, n int, mu, rs float32)

//go:noescape
func lnBwdDxAVX2(dx, dy, x, gamma *float32, n int, mu, rs, sg, sgx float32)

//go:noescape
func scaleAVX2(x *float32, n int, s float32)

//go:noescape
func attnDSAVX2(dp, p *float32, n int, delta, scale float32)

// lnFwdOutVec is the vector form of LayerNormForward's output loop (see
// addVec for the contract).
func lnFwdOutVec(y, x, gamma, beta []float32, mu, rs float32) int {
	n := len(x) &^ 7
	if !useFMA || forceGeneric || n == 0 {
		return 0
	}
	_, _, _ = y[n-1], gamma[n-1], beta[n-1]
	lnFwdOutAVX2(&y[0], &x[0], &gamma[0], &beta[0], n, mu, rs)
	return n
}

// lnBwdDxVec is the vector form of LayerNormBackward's dx loop.
func lnBwdDxVec(dx, dy, x, gamma []float32, mu, rs, sg, sgx float32) int {
	n := len(x) &^ 7
	if !useFMA || forceGeneric || n == 0 {
		return 0
	}
	_, _, _ = dx[n-1], dy[n-1], gamma[n-1]
	lnBwdDxAVX2(&dx[0], &dy[0], &x[0], &gamma[0], n, mu, rs, sg, sgx)
	return n
}

// scaleVec multiplies x by s 8 elements at a time.
func scaleVec(x []float32, s float32) int {
	n := len(x) &^ 7
	if !useFMA || forceGeneric || n == 0 {
		return 0
	}
	scaleAVX2(&x[0], n, s)
	return n
}

// attnDSVec is the vector form of AttentionBackward's dS loop.
func attnDSVec(dp, p []float32, delta, scale float32) int {
	n := len(p) &^ 7
	if !useFMA || forceGeneric || n == 0 {
		return 0
	}
	_ = dp[n-1]
	attnDSAVX2(&dp[0], &p[0], n, delta, scale)
	return n
}

//go:noescape
func maxAVX2(x *float32, n int) float32

// maxVec returns the largest of the leading multiple of 8 elements of x
// and how many it looked at (0, and −Inf, without AVX2 or fewer than 8).
func maxVec(x []float32) (float32, int) {
	n := len(x) &^ 7
	if !useFMA || forceGeneric || n == 0 {
		return float32(math.Inf(-1)), 0
	}
	return maxAVX2(&x[0], n), n
}

//go:noescape
func sumSquaresAVX512(s *[8]float64, x *float32, n int)

// sumSquaresVec sets s to the eight partial sums of sumSquares8 over the
// leading multiple of 8 elements of x with the AVX-512 kernel and returns
// how many it summed (0 without AVX-512: s untouched).
func sumSquaresVec(s *[8]float64, x []float32) int {
	n := len(x) &^ 7
	if n == 0 || !useAVX512 || forceAVX2 || !useFMA || forceGeneric {
		return 0
	}
	sumSquaresAVX512(s, &x[0], n)
	return n
}
