//go:build !amd64

package kernels

const useFMA = false

var forceGeneric = false

func microKernel(kc int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc, nr int, add bool) {
	if !add {
		for r := 0; r < microM; r++ {
			clear(c[r*ldc : r*ldc+nr])
		}
	}
	microGo(kc, a, ars, acs, b, ldb, c, ldc, nr)
}

func transpose8(dst []float32, drs int, src []float32, srs int, blocks int) bool { return false }

func microKernelWide(kc int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc, nr int, add bool) bool {
	return false
}
