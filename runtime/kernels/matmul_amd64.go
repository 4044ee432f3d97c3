package kernels

// useFMA reports whether the CPU and OS support AVX2 and FMA (CPUID leaf 1
// ECX bits FMA, OSXSAVE, AVX; XCR0 bits 1 and 2; leaf 7 EBX bit AVX2), so
// that the assembly micro-kernel can run. forceGeneric (tests) turns it off.
var useFMA = detectAVX2FMA()

var forceGeneric = false

func detectAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&fma == 0 || ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

//go:noescape
func micro4x16FMA(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

func microKernel(kc int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	if useFMA && !forceGeneric {
		_ = a[(microM-1)*ars+(kc-1)*acs]
		_ = b[(kc-1)*ldb+microN-1]
		_ = c[(microM-1)*ldc+microN-1]
		micro4x16FMA(kc, &a[0], ars, acs, &b[0], ldb, &c[0], ldc)
		return
	}
	microGo(kc, a, ars, acs, b, ldb, c, ldc)
}
