package kernels

import "math"

// geluConsts holds the constants of the vector GELU kernels, each repeated
// 8 times (one AVX register row per constant; the layout is documented in
// gelu_amd64.s). The tanh is tanhf's rational function with its clamp but
// without its small-argument shortcut, where the rational function is
// already within 2e-7 relative of the argument.
var geluConsts = func() []float32 {
	vals := []float32{geluC, geluC * 0.044715, tanhClamp, -tanhClamp}
	vals = append(vals, tanhNum[:]...)
	vals = append(vals, tanhDen[:]...)
	vals = append(vals, 0.5, 0.5*geluC, 1.5*0.044715*geluC, 1, math.Float32frombits(0x7fffffff))
	out := make([]float32, 0, 8*len(vals))
	for _, v := range vals {
		for range 8 {
			out = append(out, v)
		}
	}
	return out
}()
