package kernels

import "math"

//go:noescape
func expfAVX2(dst, src *float32, n int, scale, shift float32, k *float32)

// expfScaledVec sets dst[i] = expf(src[i]·scale − shift) with the AVX2
// kernel; the last len mod 8 go through it in a padded block, so an
// element's bits depend on its value only. It reports false without AVX2.
func expfScaledVec(dst, src []float32, scale, shift float32) bool {
	if !useFMA || forceGeneric {
		return false
	}
	src = src[:len(dst)]
	n := len(dst) &^ 7
	if n > 0 {
		expfAVX2(&dst[0], &src[0], n, scale, shift, &expVecConsts[0])
	}
	if rest := len(dst) - n; rest > 0 {
		var db, sb [8]float32
		copy(sb[:], src[n:])
		expfAVX2(&db[0], &sb[0], 8, scale, shift, &expVecConsts[0])
		copy(dst[n:], db[:rest])
	}
	return true
}

var expVecConsts = func() []float32 {
	vals := []float32{-87.33654, 88.72283, 1.44269504088896341, 12582912, 0.693359375, -2.12194440e-4}
	vals = append(vals, expPoly[:]...)
	vals = append(vals, 1, math.Float32frombits(127))
	out := make([]float32, 0, 8*len(vals))
	for _, v := range vals {
		for range 8 {
			out = append(out, v)
		}
	}
	return out
}()
