package optim

// useAVX512 reports whether the CPU and OS support AVX-512F and DQ (CPUID
// leaf 7 EBX bits 16 and 17; XCR0 bits 1, 2 and 5-7), for the vector AdamW
// update.
// forceScalar (tests) turns it off.
var useAVX512 = detectAVX512()

var forceScalar = false

func detectAVX512() bool {
	if maxLeaf, _, _, _ := cpuid(0, 0); maxLeaf < 7 {
		return false
	}
	if _, _, ecx1, _ := cpuid(1, 0); ecx1&(1<<27) == 0 { // OSXSAVE
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&0xE6 != 0xE6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<16) != 0 && ebx7&(1<<17) != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

//go:noescape
func adamw8AVX512(param, grad, m, v *float32, n int, k *stepConsts)

//go:noescape
func quotients8AVX512(a *float64, n int, b, y float64, q *float64)

// stepVector updates the leading multiple of 8 elements of s and returns
// how many it updated (0 without AVX-512).
func stepVector(s *State, k *stepConsts) int {
	n := len(s.Grad) &^ 7
	if !useAVX512 || forceScalar || n == 0 {
		return 0
	}
	_, _, _, _ = s.Param[n-1], s.M[n-1], s.V[n-1], s.Grad[n-1]
	adamw8AVX512(&s.Param[0], &s.Grad[0], &s.M[0], &s.V[0], n, k)
	return n
}
