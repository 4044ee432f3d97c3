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

// useAVX512 reports whether the CPU and OS support AVX-512F (CPUID leaf 7
// EBX bit 16; XCR0 bits 5-7: opmask and the upper ZMM state), for the 8×32
// micro-kernel. forceAVX2 (tests) turns it off.
var useAVX512 = useFMA && detectAVX512()

var forceAVX2 = false

func detectAVX512() bool {
	if xcr0, _ := xgetbv(); xcr0&0xE6 != 0xE6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<16) != 0
}

//go:noescape
func micro4x16FMA(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func micro12x32AVX512(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, nr int, add int)

//go:noescape
func micro8x32AVX512(kc int, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, nr int, add int)

// microKernel adds A[microM×kc]·B[kc×nr] to C[microM×nr] (0 < nr ≤ microN),
// or stores it there when add is false, reading B(p,q) for q < nr only.
// Every kernel below sums each element in the same order with fused
// multiply-adds, so AVX-512 and AVX2 give the same bits.
func microKernel(kc int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc, nr int, add bool) {
	if !add && !(useAVX512 && !forceAVX2 && useFMA && !forceGeneric) {
		for r := 0; r < microM; r++ {
			clear(c[r*ldc : r*ldc+nr])
		}
	}
	switch {
	case forceGeneric || !useFMA:
		microGo(kc, a, ars, acs, b, ldb, c, ldc, nr)
	case useAVX512 && !forceAVX2:
		_ = a[(microM-1)*ars+(kc-1)*acs]
		_ = b[(kc-1)*ldb+nr-1]
		_ = c[(microM-1)*ldc+nr-1]
		addC := 0
		if add {
			addC = 1
		}
		micro8x32AVX512(kc, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, nr, addC)
	default:
		microAVX2(kc, a, ars, acs, b, ldb, c, ldc, nr)
	}
}

// microKernelWide is microKernel on wideM rows, or reports false where
// the CPU has no AVX-512 (callers then take microM rows at a time).
func microKernelWide(kc int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc, nr int, add bool) bool {
	if !useAVX512 || forceAVX2 || !useFMA || forceGeneric {
		return false
	}
	_ = a[(wideM-1)*ars+(kc-1)*acs]
	_ = b[(kc-1)*ldb+nr-1]
	_ = c[(wideM-1)*ldc+nr-1]
	addC := 0
	if add {
		addC = 1
	}
	micro12x32AVX512(kc, &a[0], ars, acs, &b[0], ldb, &c[0], ldc, nr, addC)
	return true
}

// microAVX2 runs the 4×16 kernel on each quarter of the block; a ragged
// panel (nr not a multiple of 16) goes through zero-padded copies of B and C.
func microAVX2(kc int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc, nr int) {
	if nr%16 != 0 {
		bpad := getBuf(kc * microN)
		defer packPool.Put(bpad)
		packBPanel(*bpad, b, ldb, kc, nr)
		var edge [microM * microN]float32
		microAVX2(kc, a, ars, acs, *bpad, microN, edge[:], microN, microN)
		for r := 0; r < microM; r++ {
			row := c[r*ldc : r*ldc+nr]
			for q := range row {
				row[q] += edge[r*microN+q]
			}
		}
		return
	}
	_ = a[(microM-1)*ars+(kc-1)*acs]
	_ = b[(kc-1)*ldb+nr-1]
	_ = c[(microM-1)*ldc+nr-1]
	for r := 0; r < microM; r += 4 {
		for q := 0; q < nr; q += 16 {
			micro4x16FMA(kc, &a[r*ars], ars, acs, &b[q], ldb, &c[r*ldc+q], ldc)
		}
	}
}

//go:noescape
func transpose8AVX2(src *float32, srs int, dst *float32, drs int, blocks int)

// transpose8 writes the transposes of blocks 8×8 blocks of src (rows of
// srs elements, block t at columns 8t) into dst (rows of drs elements,
// block t at rows 8t), or reports false without AVX2.
func transpose8(dst []float32, drs int, src []float32, srs int, blocks int) bool {
	if !useFMA || forceGeneric {
		return false
	}
	if blocks == 0 {
		return true
	}
	_ = src[7*srs+8*blocks-1]
	_ = dst[(8*blocks-1)*drs+7]
	transpose8AVX2(&src[0], srs, &dst[0], drs, blocks)
	return true
}
