package kernels

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
