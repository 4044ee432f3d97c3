package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Blocking of the packed matrix multiply. Each output tile of tileM × tileN
// elements is one task; inside it the k dimension is walked in blocks of
// blockK, and each block's partial sums are built in registers by the
// microM × microN micro-kernel and then added to C. The summation order of
// every output element is therefore fixed by these constants alone, never by
// how many goroutines run the tasks or which one runs which: results are
// bitwise identical under any GOMAXPROCS.
const (
	microM = 4
	microN = 4
	blockK = 256
	tileM  = 32
	tileN  = 64
	// parallelMinFlops is the size under which a product runs on the
	// calling goroutine only: starting goroutines would cost more.
	parallelMinFlops = 1 << 17
)

// MatMul computes C = A·B, or C += A·B when accumulate is true.
// A is m×k, B is k×n and C is m×n, all row-major and dense.
func MatMul(c, a, b []float32, m, k, n int, accumulate bool) {
	checkLen("MatMul", c, m*n, a, m*k, b, k*n)
	gemm(c, a, k, 1, b, n, 1, m, k, n, accumulate)
}

// MatMulTransB computes C = A·Bᵀ (or C += A·Bᵀ). A is m×k, B is n×k, C is m×n.
// It is the product of a linear layer's input gradient: dX = dY·Wᵀ.
func MatMulTransB(c, a, b []float32, m, k, n int, accumulate bool) {
	checkLen("MatMulTransB", c, m*n, a, m*k, b, n*k)
	gemm(c, a, k, 1, b, 1, k, m, k, n, accumulate)
}

// MatMulTransA computes C = Aᵀ·B (or C += Aᵀ·B). A is k×m, B is k×n, C is m×n.
// It is the product of a linear layer's weight gradient: dW = Xᵀ·dY.
func MatMulTransA(c, a, b []float32, m, k, n int, accumulate bool) {
	checkLen("MatMulTransA", c, m*n, a, k*m, b, k*n)
	gemm(c, a, 1, m, b, n, 1, m, k, n, accumulate)
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
// B(p,j) = b[p*brs+j*bcs]; C is dense m×n.
func gemm(c, a []float32, ars, acs int, b []float32, brs, bcs int, m, k, n int, accumulate bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			clear(c[:m*n])
		}
		return
	}
	// Pack all of B: for every k block, panels of microN columns, each
	// stored p-major (microN consecutive values per p), zero-padded.
	nPanels := (n + microN - 1) / microN
	bpBuf := getBuf(k * nPanels * microN)
	bp := *bpBuf
	packB(bp, b, brs, bcs, k, n, nPanels)

	tilesM := (m + tileM - 1) / tileM
	tilesN := (n + tileN - 1) / tileN
	tasks := tilesM * tilesN
	work := func(t int) {
		apBuf := getBuf(tileM * blockK)
		ap := *apBuf
		var edge [microM * microN]float32
		i0 := (t / tilesN) * tileM
		j0 := (t % tilesN) * tileN
		mc := min(tileM, m-i0)
		nc := min(tileN, n-j0)
		if !accumulate {
			for i := i0; i < i0+mc; i++ {
				clear(c[i*n+j0 : i*n+j0+nc])
			}
		}
		for p0 := 0; p0 < k; p0 += blockK {
			kc := min(blockK, k-p0)
			packA(ap, a, ars, acs, i0, mc, p0, kc)
			for jj := 0; jj < nc; jj += microN {
				nr := min(microN, nc-jj)
				panel := (j0 + jj) / microN
				bpan := bp[p0*nPanels*microN+panel*kc*microN:]
				for ii := 0; ii < mc; ii += microM {
					mr := min(microM, mc-ii)
					apan := ap[ii*kc:]
					if mr == microM && nr == microN {
						micro4x4(kc, apan, bpan, c[(i0+ii)*n+j0+jj:], n)
					} else {
						clear(edge[:])
						micro4x4(kc, apan, bpan, edge[:], microN)
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
		packPool.Put(apBuf)
	}
	workers := min(runtime.GOMAXPROCS(0), tasks)
	if workers <= 1 || 2*m*n*k < parallelMinFlops {
		for t := 0; t < tasks; t++ {
			work(t)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					t := int(next.Add(1) - 1)
					if t >= tasks {
						return
					}
					work(t)
				}
			}()
		}
		wg.Wait()
	}
	packPool.Put(bpBuf)
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
					d := dst[p*microN : p*microN+microN : p*microN+microN]
					d[0], d[1], d[2], d[3] = src[0], src[1], src[2], src[3]
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
		for r := 0; r < microM; r++ {
			if r >= mr {
				for p := 0; p < kc; p++ {
					dst[p*microM+r] = 0
				}
				continue
			}
			base := (i0 + ii + r) * ars
			if acs == 1 {
				src := a[base+p0 : base+p0+kc]
				for p, v := range src {
					dst[p*microM+r] = v
				}
			} else {
				for p := 0; p < kc; p++ {
					dst[p*microM+r] = a[base+(p0+p)*acs]
				}
			}
		}
	}
}

// micro4x4 adds the product of a packed 4×kc A panel and a packed kc×4 B
// panel to the 4×4 block of C starting at c[0] with row stride ldc. Partial
// sums start from zero and run over p in increasing order.
func micro4x4(kc int, ap, bp, c []float32, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	ap = ap[:kc*4]
	bp = bp[:kc*4]
	for p := 0; p+4 <= len(ap); p += 4 {
		a := ap[p : p+4 : p+4]
		b := bp[p : p+4 : p+4]
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	r := c[0:4:4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = c[ldc : ldc+4 : ldc+4]
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
	r = c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = c[3*ldc : 3*ldc+4 : 3*ldc+4]
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
}
