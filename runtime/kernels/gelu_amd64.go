package kernels

//go:noescape
func geluFwdAVX2(y, x *float32, n int, k *float32)

//go:noescape
func geluBwdAVX2(dx, dy, x *float32, n int, k *float32)

// geluForwardVec computes GeluForward on y[i] = gelu(x[i]) with the AVX2
// kernel, 8 elements at a time; the last n mod 8 go through the same kernel
// in a padded block, so that an element's bits never depend on where it
// sits in the slice (a shard of a tensor computes the same as the whole).
// It reports false when the CPU lacks AVX2/FMA.
func geluForwardVec(y, x []float32) bool {
	if !useFMA || forceGeneric {
		return false
	}
	n := len(y) &^ 7
	if n > 0 {
		geluFwdAVX2(&y[0], &x[0], n, &geluConsts[0])
	}
	if rest := len(y) - n; rest > 0 {
		var yb, xb [8]float32
		copy(xb[:], x[n:len(y)])
		geluFwdAVX2(&yb[0], &xb[0], 8, &geluConsts[0])
		copy(y[n:], yb[:rest])
	}
	return true
}

// geluBackwardVec is the AVX2 form of GeluBackward (see geluForwardVec).
func geluBackwardVec(dx, dy, x []float32) bool {
	if !useFMA || forceGeneric {
		return false
	}
	n := len(dx) &^ 7
	if n > 0 {
		geluBwdAVX2(&dx[0], &dy[0], &x[0], n, &geluConsts[0])
	}
	if rest := len(dx) - n; rest > 0 {
		var db, yb, xb [8]float32
		copy(db[:], dx[n:])
		copy(yb[:], dy[n:len(dx)])
		copy(xb[:], x[n:len(dx)])
		geluBwdAVX2(&db[0], &yb[0], &xb[0], 8, &geluConsts[0])
		copy(dx[n:], db[:rest])
	}
	return true
}
