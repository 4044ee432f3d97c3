package kernels

import "math"

// expf returns e^x in float32 to within about 2 ulp, several times faster
// than math.Exp. It is Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2
// (Cody–Waite reduction in two float32 constants), a degree-6 polynomial for
// e^r, and 2ⁿ put into the exponent bits. Inputs below −87.33 give 0 (no
// subnormals), above 88.72 give +Inf; NaN gives NaN.
func expf(x float32) float32 {
	switch {
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -87.33654:
		return 0
	case x != x:
		return x
	}
	const (
		log2e = 1.44269504088896341
		ln2Hi = 0.693359375
		ln2Lo = -2.12194440e-4
	)
	// Adding 1.5·2²³ rounds x·log2(e) to the nearest integer in float32
	// arithmetic (|x·log2 e| < 2²²), without a call to math.Floor.
	const magic = 12582912
	fn := (x*log2e + magic) - magic
	r := x - fn*ln2Hi - fn*ln2Lo
	z := r * r
	y := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	y = y*z + r + 1
	n := int32(fn)
	if n > 127 { // e^x is near the float32 maximum: 2ⁿ itself overflows
		return y * 2 * math.Float32frombits(uint32(n-1+127)<<23)
	}
	if n < -126 { // e^x is subnormal; scale in two steps
		return y * math.Float32frombits(uint32(n+126+127)<<23) * math.Float32frombits(1<<23)
	}
	return y * math.Float32frombits(uint32(n+127)<<23)
}

// tanhf returns tanh(x) in float32 as 1 − 2/(e^{2x}+1), odd-symmetric. Its
// absolute error is about 1e-7, which is all GELU (1 + tanh) can see.
func tanhf(x float32) float32 {
	neg := x < 0
	if neg {
		x = -x
	}
	var t float32
	if x > 9 {
		t = 1
	} else {
		t = 1 - 2/(expf(2*x)+1)
	}
	if neg {
		return -t
	}
	return t
}
