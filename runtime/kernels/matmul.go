package kernels

import "sync"

// Blocking of the packed matrix multiply. Each output tile of tileM × tileN
// elements is one task; inside it the k dimension is walked in blocks of
// blockK, and each block's partial sums are built in registers by the
// microM × microN micro-kernel and then added to C. The summation order of
// every output element is therefore fixed by these constants alone, never by
// how many goroutines run the tasks or which one runs which: results are
// bitwise identical under any GOMAXPROCS. Nor does the order depend on m or
// n: a row or column slice of a product (a data-parallel or tensor-parallel
// shard) is bitwise equal to the same elements of the whole product. Only a
// split of k (row-parallel tensor parallelism) changes the sums.
const (
	microM = 4
	microN = 16
	blockK = 256
	tileM  = 32
	tileN  = 64 // a multiple of microN
	// parallelMinFlops is the size under which a product runs on the
	// calling goroutine only: starting goroutines would cost more. At
	// 1<<17 the many small products of tiny_gpt (128×64×192) ran slower
	// on two goroutines than on one (planc run: 17k tokens/s at
	// GOMAXPROCS 2, 21k at 1, on an idle machine); 1<<22 (about 80 µs of
	// work) gave 20k.
	parallelMinFlops = 1 << 22
)

// MatMul computes C = A·B, or C += A·B when accumulate is true.
// A is m×k, B is k×n and C is m×n, all row-major and dense.
func MatMul(c, a, b []float32, m, k, n int, accumulate bool) {
	checkLen("MatMul", c, m*n, a, m*k, b, k*n)
	gemm(c, a, k, 1, b, n, 1, m, k, n, accumulate, true)
}

// MatMulTransB computes C = A·Bᵀ (or C += A·Bᵀ). A is m×k, B is n×k, C is m×n.
// It is the product of a linear layer's input gradient: dX = dY·Wᵀ.
func MatMulTransB(c, a, b []float32, m, k, n int, accumulate bool) {
	checkLen("MatMulTransB", c, m*n, a, m*k, b, n*k)
	gemm(c, a, k, 1, b, 1, k, m, k, n, accumulate, true)
}

// MatMulTransA computes C = Aᵀ·B (or C += Aᵀ·B). A is k×m, B is k×n, C is m×n.
// It is the product of a linear layer's weight gradient: dW = Xᵀ·dY.
func MatMulTransA(c, a, b []float32, m, k, n int, accumulate bool) {
	checkLen("MatMulTransA", c, m*n, a, k*m, b, k*n)
	gemm(c, a, 1, m, b, n, 1, m, k, n, accumulate, true)
}

func checkLen(op string, c []float32, nc int, a []float32, na int, b []float32, nb int) {
	if len(c) < nc || len(a) < na || len(b) < nb {
		panic("kernels." + op + ": operand shorter than its shape")
	}
}

// packPool recycles packing buffers between calls.
var packPool = sync.Pool{New: func() any { return new([]float32) }}

func getBuf(n int) *[]float32 {
	p := packPool.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// gemm is the strided general product: A(i,p) = a[i*ars+p*acs] and
// B(p,j) = b[p*brs+j*bcs]; C is dense m×n. With parallel false it stays on
// the calling goroutine (for callers that are already parallel); the result
// is the same either way.
//
// The micro-kernel reads A in place whatever its strides, and B in place
// when its rows are contiguous (bcs = 1): only B stored transposed is
// packed (once per call, into panels of microN columns), and only the edge
// panels (fewer than microM rows or microN columns) are copied into
// zero-padded buffers. In place or packed, every element is summed in the
// same order, so packing changes no bit of the result.
func gemm(c, a []float32, ars, acs int, b []float32, brs, bcs int, m, k, n int, accumulate, parallel bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			clear(c[:m*n])
		}
		return
	}
	nPanels := (n + microN - 1) / microN
	var bp []float32
	if bcs != 1 {
		bpBuf := getBuf(k * nPanels * microN)
		defer packPool.Put(bpBuf)
		bp = *bpBuf
		packB(bp, b, brs, bcs, k, n, nPanels)
	}
	tilesM := (m + tileM - 1) / tileM
	tilesN := (n + tileN - 1) / tileN
	work := func(t int) {
		i0 := (t / tilesN) * tileM
		j0 := (t % tilesN) * tileN
		gemmTile(c, a, ars, acs, b, brs, bp, nPanels, i0, j0, min(tileM, m-i0), min(tileN, n-j0), k, n, accumulate)
	}
	if parallel {
		parallelFor(tilesM*tilesN, m*n*k, work)
	} else {
		for t := range tilesM * tilesN {
			work(t)
		}
	}
}

// gemmTile computes the mc×nc tile of C at (i0, j0): B is read in place
// (row stride brs) when bp is nil, else from its packed panels.
func gemmTile(c, a []float32, ars, acs int, b []float32, brs int, bp []float32, nPanels, i0, j0, mc, nc, k, n int, accumulate bool) {
	if !accumulate {
		for i := i0; i < i0+mc; i++ {
			clear(c[i*n+j0 : i*n+j0+nc])
		}
	}
	var edge [microM * microN]float32
	var apEdge, bpEdge *[]float32 // zero-padded copies of edge panels
	for p0 := 0; p0 < k; p0 += blockK {
		kc := min(blockK, k-p0)
		for jj := 0; jj < nc; jj += microN {
			nr := min(microN, nc-jj)
			var bpan []float32
			ldb := microN
			switch {
			case bp != nil:
				panel := (j0 + jj) / microN
				bpan = bp[p0*nPanels*microN+panel*kc*microN:]
			case nr == microN:
				bpan, ldb = b[p0*brs+j0+jj:], brs
			default:
				if bpEdge == nil {
					bpEdge = getBuf(blockK * microN)
					defer packPool.Put(bpEdge)
				}
				bpan = *bpEdge
				packBPanel(bpan, b[p0*brs+j0+jj:], brs, kc, nr)
			}
			for ii := 0; ii < mc; ii += microM {
				mr := min(microM, mc-ii)
				apan, lda, acsK := a[(i0+ii)*ars+p0*acs:], ars, acs
				if mr < microM {
					if apEdge == nil {
						apEdge = getBuf(microM * blockK)
						defer packPool.Put(apEdge)
					}
					packA(*apEdge, a, ars, acs, i0+ii, mr, p0, kc)
					apan, lda, acsK = *apEdge, 1, microM
				}
				if mr == microM && nr == microN {
					microKernel(kc, apan, lda, acsK, bpan, ldb, c[(i0+ii)*n+j0+jj:], n)
					continue
				}
				clear(edge[:])
				microKernel(kc, apan, lda, acsK, bpan, ldb, edge[:], microN)
				for r := 0; r < mr; r++ {
					row := c[(i0+ii+r)*n+j0+jj:]
					for q := 0; q < nr; q++ {
						row[q] += edge[r*microN+q]
					}
				}
			}
		}
	}
}

// packBPanel copies kc rows of nr (< microN) contiguous values, row stride
// brs, into dst as kc rows of microN values, zero-padded.
func packBPanel(dst, b []float32, brs, kc, nr int) {
	for p := 0; p < kc; p++ {
		d := dst[p*microN : (p+1)*microN]
		copy(d, b[p*brs:p*brs+nr])
		clear(d[nr:])
	}
}

// packB lays B out block by block along k: block p0 occupies
// bp[p0*nPanels*microN:], and inside it panel q holds columns
// [q*microN, q*microN+microN) as kc rows of microN values.
func packB(bp, b []float32, brs, bcs, k, n, nPanels int) {
	for p0 := 0; p0 < k; p0 += blockK {
		kc := min(blockK, k-p0)
		blk := bp[p0*nPanels*microN:]
		for q := 0; q < nPanels; q++ {
			dst := blk[q*kc*microN : (q+1)*kc*microN]
			j0 := q * microN
			nr := min(microN, n-j0)
			if bcs == 1 && nr == microN {
				for p := 0; p < kc; p++ {
					src := b[(p0+p)*brs+j0:]
					copy(dst[p*microN:(p+1)*microN], src[:microN])
				}
				continue
			}
			for p := 0; p < kc; p++ {
				d := dst[p*microN : (p+1)*microN]
				for q2 := 0; q2 < microN; q2++ {
					if q2 < nr {
						d[q2] = b[(p0+p)*brs+(j0+q2)*bcs]
					} else {
						d[q2] = 0
					}
				}
			}
		}
	}
}

// packA lays rows [i0, i0+mc) × columns [p0, p0+kc) of A out as panels of
// microM rows: panel r holds kc groups of microM values (zero-padded).
func packA(ap, a []float32, ars, acs, i0, mc, p0, kc int) {
	for ii := 0; ii < mc; ii += microM {
		dst := ap[ii*kc : ii*kc+kc*microM]
		mr := min(microM, mc-ii)
		switch {
		case mr == microM && ars == 1: // Aᵀ stored row-major: 4 adjacent values per p
			for p := 0; p < kc; p++ {
				off := (p0+p)*acs + i0 + ii
				src := a[off : off+microM : off+microM]
				d := dst[p*microM : p*microM+microM : p*microM+microM]
				d[0], d[1], d[2], d[3] = src[0], src[1], src[2], src[3]
			}
		case mr == microM && acs == 1: // A row-major: 4 rows read in step
			base := (i0+ii)*ars + p0
			r0 := a[base : base+kc]
			r1 := a[base+ars : base+ars+kc]
			r2 := a[base+2*ars : base+2*ars+kc]
			r3 := a[base+3*ars : base+3*ars+kc]
			for p := range r0 {
				d := dst[p*microM : p*microM+microM : p*microM+microM]
				d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
			}
		default:
			for p := 0; p < kc; p++ {
				for r := 0; r < microM; r++ {
					if r < mr {
						dst[p*microM+r] = a[(i0+ii+r)*ars+(p0+p)*acs]
					} else {
						dst[p*microM+r] = 0
					}
				}
			}
		}
	}
}

// microGo adds the product of a microM×kc block of A, with A(r,p) at
// a[r*ars+p*acs], and a kc×microN block of B, with B(p,q) at b[p*ldb+q], to
// the microM×microN block of C at c[0] (row stride ldc). Each partial sum
// starts from zero and runs over p in increasing order; then it is added to
// C. It is the portable micro-kernel; on amd64 with AVX2 and FMA an
// assembly kernel with the same order (but fused multiply-adds, so not the
// same bits) replaces it.
func microGo(kc int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	var acc [microM][microN]float32
	for p := 0; p < kc; p++ {
		bq := (*[microN]float32)(b[p*ldb : p*ldb+microN])
		for r := 0; r < microM; r++ {
			ar := a[r*ars+p*acs]
			row := &acc[r]
			for q := 0; q < microN; q++ {
				row[q] += ar * bq[q]
			}
		}
	}
	for r := 0; r < microM; r++ {
		row := c[r*ldc : r*ldc+microN : r*ldc+microN]
		for q := 0; q < microN; q++ {
			row[q] += acc[r][q]
		}
	}
}
