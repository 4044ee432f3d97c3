//go:build !amd64

package kernels

const useFMA = false

var forceGeneric = false

func microKernel(kc int, ap, bp, c []float32, ldc int) { microGo(kc, ap, bp, c, ldc) }
