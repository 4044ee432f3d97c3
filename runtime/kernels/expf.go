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
	y := ((((expPoly[0]*r+expPoly[1])*r+expPoly[2])*r+expPoly[3])*r+expPoly[4])*r + expPoly[5]
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

// tanhf returns tanh(x) in float32 by the rational minimax approximation
// of Eigen's fast float tanh (odd degree-13 numerator over even degree-6
// denominator, input clamped to ±7.9053, where tanh rounds to ±1 in
// float32). Its absolute error is below 3e-7 (see the test), which is all
// GELU's 1 + tanh can see, and it needs no exp and one division.
func tanhf(x float32) float32 {
	if x > tanhClamp {
		x = tanhClamp
	} else if x < -tanhClamp {
		x = -tanhClamp
	}
	if x < 0.0004 && x > -0.0004 {
		return x
	}
	x2 := x * x
	p := tanhNum[0]
	for _, c := range tanhNum[1:] {
		p = p*x2 + c
	}
	p *= x
	q := tanhDen[0]
	for _, c := range tanhDen[1:] {
		q = q*x2 + c
	}
	return p / q
}

// tanhClamp is where tanhf's rational function meets ±1 in float32.
const tanhClamp = 7.90531110763549805

// The coefficients of tanhf's numerator (in x², times x) and denominator,
// highest degree first.
var (
	tanhNum = [...]float32{-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
		5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03}
	tanhDen = [...]float32{1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03}
)

// expPoly holds the coefficients of expf's polynomial for e^r, highest first.
var expPoly = [6]float32{1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1}

// expfScaled sets dst[i] = expf(src[i]·scale − shift) (dst may be src):
// 8 lanes per instruction where the CPU has AVX2 and FMA, with the bits of
// each element depending on its value only. Arguments within 0.4 of
// expf's overflow bound may give +Inf.
func expfScaled(dst, src []float32, scale, shift float32) {
	if expfScaledVec(dst, src, scale, shift) {
		return
	}
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = expf(v*scale - shift)
	}
}
