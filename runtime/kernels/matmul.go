package kernels

import "sync"

// Blocking of the packed matrix multiply. Each output tile of tileM × tileN
// elements is one task; inside it the k dimension is walked in blocks of
// blockK, and each block's partial sums are built in registers by the
// micro-kernel (wideM × microN where the CPU has AVX-512, microM × microN
// otherwise and for the rows left over) and then added to C. Which kernel
// computes a row changes no bit of it: every kernel sums each element over
// p in increasing order from zero with fused multiply-adds. The order of
// every output element is therefore fixed by these constants alone, never by
// how many goroutines run the tasks or which one runs which: results are
// bitwise identical under any GOMAXPROCS. Nor does the order depend on m or
// n: a row or column slice of a product (a data-parallel or tensor-parallel
// shard) is bitwise equal to the same elements of the whole product. Only a
// split of k (row-parallel tensor parallelism) changes the sums.
const (
	microM = 8
	microN = 32
	blockK = 256
	// wideM is the rows of the AVX-512 micro-kernel: 24 accumulators,
	// each value of B loaded once for 12 rows (8×32 loaded it for 8).
	// Products of hidden 256's shapes ran 7-9% faster warm, 4-6% cold
	// (runtime/kernels BenchmarkProductsHidden256).
	wideM = 12
	// tileM × tileN: a multiple of wideM and of microM rows, of microN
	// columns. 48 × 128 was a little faster than 48 × 64 and 96 × 64.
	tileM = 48
	tileN = 128
	// parallelMinFlops is the size under which a product runs on the
	// calling goroutine only: starting goroutines would cost more. At
	// 1<<17 the many small products of tiny_gpt (128×64×192) ran slower
	// on two goroutines than on one (planc run: 17k tokens/s at
	// GOMAXPROCS 2, 21k at 1, on an idle machine); 1<<22 gave 20k. With
	// the AVX-512 kernel a product of 1<<21 multiply-adds (tiny_gpt's
	// fc1, fc2 and head) takes about 30 µs, and planc run trained
	// tiny_gpt at 33k tokens/s with GOMAXPROCS 1 but 24k with 2 (load
	// 0.5). At 1<<23 (work under 1<<22 stays on the caller: all of
	// tiny_gpt's products and its attention) it trains at 31k on two
	// cores; hidden 256 (products of 8M-33M) is unchanged at 4.7-4.8k.
	parallelMinFlops = 1 << 23
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

// MicroTile returns the rows and columns of C that the GEMM micro-kernel
// computes at once: a product's output is cut into such tiles, and a
// ragged edge tile costs a whole one (planc calibrate writes it as the
// device's micro_tile_m and micro_tile_n). The wide kernel's 12 rows do not
// change it: any multiple of 8 rows is cut into 12- and 8-row strips with
// nothing wasted.
func MicroTile() (m, n int) { return microM, microN }

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
// packed (once per call, into panels of microN columns, the panels shared
// out like the tiles), and only the edge row panels (fewer than microM
// rows) are copied into zero-padded buffers. In place or packed, every
// element is summed in the same order, so packing changes no bit of the
// result. (Packing B with contiguous rows as well was measured: 4-15%
// more CPU per product warm, none less cold.)
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
	run := func(tasks int, fn func(t int)) {
		if parallel {
			parallelFor(tasks, m*n*k, fn)
			return
		}
		for t := range tasks {
			fn(t)
		}
	}
	var bp []float32
	if bcs != 1 {
		bpBuf := getBuf(k * nPanels * microN)
		defer packPool.Put(bpBuf)
		bp = *bpBuf
		kBlocks := (k + blockK - 1) / blockK
		run(kBlocks*nPanels, func(t int) {
			packPanel(bp, b, brs, bcs, k, n, nPanels, (t/nPanels)*blockK, t%nPanels)
		})
	}
	tilesM := (m + tileM - 1) / tileM
	tilesN := (n + tileN - 1) / tileN
	run(tilesM*tilesN, func(t int) {
		i0 := (t / tilesN) * tileM
		j0 := (t % tilesN) * tileN
		gemmTile(c, a, ars, acs, b, brs, bp, nPanels, i0, j0, min(tileM, m-i0), min(tileN, n-j0), k, n, accumulate)
	})
}

// gemmTile computes the mc×nc tile of C at (i0, j0): B is read in place
// (row stride brs) when bp is nil, else from its packed panels. The
// micro-kernel takes ragged column panels (nr < microN) itself. Rows go in
// strips of wideM where the CPU has that kernel (16 rows left go as two
// strips of microM, so that no multiple of 8 rows is padded), then of
// microM; only a last strip of fewer than microM rows goes through
// zero-padded copies.
func gemmTile(c, a []float32, ars, acs int, b []float32, brs int, bp []float32, nPanels, i0, j0, mc, nc, k, n int, accumulate bool) {
	var apEdge *[]float32 // a zero-padded copy of an edge row panel
	var edge *[microM * microN]float32
	for p0 := 0; p0 < k; p0 += blockK {
		kc := min(blockK, k-p0)
		add := accumulate || p0 > 0 // else the first block's sums are stored
		for jj := 0; jj < nc; jj += microN {
			nr := min(microN, nc-jj)
			bpan, ldb := b[p0*brs+j0+jj:], brs
			if bp != nil {
				panel := (j0 + jj) / microN
				bpan, ldb = bp[p0*nPanels*microN+panel*kc*microN:], microN
			}
			for ii := 0; ii < mc; {
				mr := min(microM, mc-ii)
				if mc-ii >= wideM && mc-ii != 2*microM && microKernelWide(kc, a[(i0+ii)*ars+p0*acs:], ars, acs, bpan, ldb, c[(i0+ii)*n+j0+jj:], n, nr, add) {
					ii += wideM
					continue
				}
				if mr == microM {
					microKernel(kc, a[(i0+ii)*ars+p0*acs:], ars, acs, bpan, ldb, c[(i0+ii)*n+j0+jj:], n, nr, add)
					ii += microM
					continue
				}
				if apEdge == nil {
					apEdge = getBuf(microM * blockK)
					defer packPool.Put(apEdge)
					edge = new([microM * microN]float32)
				}
				packA(*apEdge, a, ars, acs, i0+ii, mr, p0, kc)
				microKernel(kc, *apEdge, 1, microM, bpan, ldb, edge[:], microN, nr, false)
				for r := 0; r < mr; r++ {
					row := c[(i0+ii+r)*n+j0+jj : (i0+ii+r)*n+j0+jj+nr]
					e := edge[r*microN : r*microN+nr]
					if !add {
						copy(row, e)
						continue
					}
					for q := range row {
						row[q] += e[q]
					}
				}
				ii += mr
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

// packPanel lays out one panel of packed B: B is packed block by block
// along k, block p0 occupying bp[p0*nPanels*microN:], and inside it panel
// q holds columns [q*microN, q*microN+microN) as kc rows of microN values
// (zero past column n). Panels are disjoint, so they can be packed in any
// order and on any goroutine.
func packPanel(bp, b []float32, brs, bcs, k, n, nPanels, p0, q int) {
	kc := min(blockK, k-p0)
	dst := bp[p0*nPanels*microN+q*kc*microN : p0*nPanels*microN+(q+1)*kc*microN]
	j0 := q * microN
	nr := min(microN, n-j0)
	if bcs == 1 && nr == microN { // rows contiguous: copied row by row
		for p := 0; p < kc; p++ {
			copy(dst[p*microN:(p+1)*microN], b[(p0+p)*brs+j0:])
		}
		return
	}
	// Column by column: B stored transposed (brs 1) is then read along
	// its rows, and the kc×microN panel being written stays in the L1
	// cache; eight columns and eight rows at a time go through an 8×8
	// register transpose where the CPU has one.
	q8, p8 := 0, 0
	if brs == 1 {
		q8, p8 = nr&^7, kc&^7
		for q2 := 0; q2 < q8; q2 += 8 {
			if !transpose8(dst[q2:], microN, b[(j0+q2)*bcs+p0:], bcs, p8/8) {
				q8, p8 = 0, 0
				break
			}
		}
	}
	for q2 := 0; q2 < microN; q2++ {
		if q2 < q8 { // rows [0, p8) done above
			col := b[(j0+q2)*bcs+p0 : (j0+q2)*bcs+p0+kc]
			for p := p8; p < kc; p++ {
				dst[p*microN+q2] = col[p]
			}
			continue
		}
		if q2 >= nr {
			for p := 0; p < kc; p++ {
				dst[p*microN+q2] = 0
			}
			continue
		}
		col := b[p0*brs+(j0+q2)*bcs:]
		if brs == 1 {
			col = col[:kc]
			for p, v := range col {
				dst[p*microN+q2] = v
			}
			continue
		}
		for p := 0; p < kc; p++ {
			dst[p*microN+q2] = col[p*brs]
		}
	}
}

// packA copies the mr (< microM) rows from i0 and columns [p0, p0+kc) of A
// into ap as kc groups of microM values, zero-padded: a row panel that
// the micro-kernel reads with row stride 1 and column stride microM.
func packA(ap, a []float32, ars, acs, i0, mr, p0, kc int) {
	for p := 0; p < kc; p++ {
		d := ap[p*microM : (p+1)*microM]
		for r := range d {
			if r < mr {
				d[r] = a[(i0+r)*ars+(p0+p)*acs]
			} else {
				d[r] = 0
			}
		}
	}
}

// microGo adds the product of a microM×kc block of A, with A(r,p) at
// a[r*ars+p*acs], and a kc×nr block of B, with B(p,q) at b[p*ldb+q], to the
// microM×nr block of C at c[0] (row stride ldc). Each partial sum starts
// from zero and runs over p in increasing order; then it is added to C. It
// is the portable micro-kernel; on amd64 with AVX2 and FMA assembly kernels
// with the same order (but fused multiply-adds, so not the same bits)
// replace it.
func microGo(kc int, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc, nr int) {
	var acc [microM][microN]float32
	for p := 0; p < kc; p++ {
		bq := b[p*ldb : p*ldb+nr]
		for r := 0; r < microM; r++ {
			ar := a[r*ars+p*acs]
			row := acc[r][:nr]
			for q, bv := range bq {
				row[q] += ar * bv
			}
		}
	}
	for r := 0; r < microM; r++ {
		row := c[r*ldc : r*ldc+nr]
		for q := range row {
			row[q] += acc[r][q]
		}
	}
}
