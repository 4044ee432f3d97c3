//go:build planc_llvm

package main

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"planc/codegen/llvm"
	"planc/ir"
	"planc/runtime/kernels"
	"planc/runtime/llvmk"
)

// shape is one product C[M,N] (+)= op(A)·op(B) of the plan.
type shape struct {
	name     string
	m, k, n  int
	tA, tB   bool
	acc      bool
	fromPlan bool
}

// sgemm calls OpenBLAS with the same layouts as runtime/kernels.
func sgemm(s shape, a, b, c []float32) {
	ta, tb := C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans), C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans)
	lda, ldb := s.k, s.n
	if s.tA {
		ta, lda = C.CblasTrans, s.m
	}
	if s.tB {
		tb, ldb = C.CblasTrans, s.k
	}
	beta := C.float(0)
	if s.acc {
		beta = 1
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(s.m), C.blasint(s.n), C.blasint(s.k), 1,
		(*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda), (*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb),
		beta, (*C.float)(unsafe.Pointer(&c[0])), C.blasint(s.n))
}

// threadCPU returns the CPU time of the calling OS thread (the benchmark
// locks itself to one), so that time spent descheduled on a shared machine
// does not count.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// race times the candidates in interleaved rounds, each a batch of at
// least min, and returns the best GFLOP/s of each: on a shared machine the
// best uncontended batch is the figure that compares kernels, and
// interleaving exposes every candidate to the same contention.
func race(flops float64, min time.Duration, rounds int, fns ...func()) []float64 {
	best := make([]float64, len(fns))
	for _, fn := range fns {
		fn() // warm up
	}
	for r := 0; r < rounds; r++ {
		for i, fn := range fns {
			n := 0
			start, cpu0 := time.Now(), threadCPU()
			for time.Since(start) < min {
				fn()
				n++
			}
			best[i] = math.Max(best[i], flops*float64(n)/(threadCPU()-cpu0).Seconds()/1e9)
		}
	}
	return best
}

func main() {
	minDur := flag.Duration("min", 50*time.Millisecond, "length of each timed batch")
	rounds := flag.Int("rounds", 10, "interleaved rounds per shape")
	flag.Parse()
	runtime.GOMAXPROCS(1) // the Go kernel parallelizes; compare one thread with one thread
	runtime.LockOSThread()
	C.openblas_set_num_threads(1)

	// tiny_gpt (stdlib/models/tiny.plan) at micro_batch 8: 512 tokens.
	model := &ir.Model{Name: "tiny_gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 256, TieEmbeddings: true}
	plan := &ir.Plan{Name: "tiny_gpt_mb8", Model: model, DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, MicroBatch: 8}
	sh, err := llvm.PlanShapes(plan)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	T, H, F, V := sh.Tokens, sh.Hidden, sh.FFN, sh.Vocab
	shapes := []shape{
		{"qkv fwd", T, H, 3 * H, false, false, false, true},
		{"proj fwd", T, H, H, false, false, false, true},
		{"fc1 fwd", T, H, F, false, false, false, true},
		{"fc2 fwd", T, F, H, false, false, false, true},
		{"logits fwd", T, H, V, false, true, false, true},
		{"fc1 dx", T, F, H, false, true, true, true},
		{"fc1 dW", H, T, F, true, false, true, true},
		{"fc2 dW", F, T, H, true, false, true, true},
	}
	// A larger square-ish product, outside the plan, for context.
	shapes = append(shapes, shape{"1024^2x512", 512, 1024, 1024, false, false, false, false})
	var specs []llvm.Spec
	for _, s := range shapes {
		specs = append(specs, llvm.MatMul{M: s.m, K: s.k, N: s.n, TransA: s.tA, TransB: s.tB, Acc: s.acc})
	}
	lib, err := llvmk.Load("bench", specs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer lib.Close()

	r := rand.New(rand.NewPCG(7, 7))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = r.Float32()*2 - 1
		}
		return v
	}
	fmt.Printf("plan %s: tokens %d, hidden %d, ffn %d, vocab %d; one thread; GFLOP/s per thread-CPU second, best of %d interleaved batches of %v\n",
		plan.Name, T, H, F, V, *rounds, *minDur)
	fmt.Printf("%-12s %-18s %9s %9s %9s %9s %9s\n", "op", "M x K x N", "gen", "Go", "OpenBLAS", "gen/BLAS", "gen/Go")
	var logGen, logBLAS, logGo float64
	nPlan := 0
	for _, s := range shapes {
		a, b := vec(s.m*s.k), vec(s.k*s.n)
		c1, c2, c3 := vec(s.m*s.n), vec(s.m*s.n), vec(s.m*s.n)
		flops := 2 * float64(s.m) * float64(s.k) * float64(s.n)
		f0 := lib.Fallbacks()
		var genFn, goFn func()
		switch {
		case s.tA:
			genFn = func() { lib.MatMulTransA(c1, a, b, s.m, s.k, s.n, s.acc) }
			goFn = func() { kernels.MatMulTransA(c2, a, b, s.m, s.k, s.n, s.acc) }
		case s.tB:
			genFn = func() { lib.MatMulTransB(c1, a, b, s.m, s.k, s.n, s.acc) }
			goFn = func() { kernels.MatMulTransB(c2, a, b, s.m, s.k, s.n, s.acc) }
		default:
			genFn = func() { lib.MatMul(c1, a, b, s.m, s.k, s.n, s.acc) }
			goFn = func() { kernels.MatMul(c2, a, b, s.m, s.k, s.n, s.acc) }
		}
		res := race(flops, *minDur, *rounds, genFn, goFn, func() { sgemm(s, a, b, c3) })
		gen, gok, blas := res[0], res[1], res[2]
		if lib.Fallbacks() != f0 {
			fmt.Fprintf(os.Stderr, "%s: the generated kernel was not used\n", s.name)
			os.Exit(1)
		}
		fmt.Printf("%-12s %-18s %9.1f %9.1f %9.1f %9.2f %9.2f\n", s.name, fmt.Sprintf("%dx%dx%d", s.m, s.k, s.n),
			gen, gok, blas, gen/blas, gen/gok)
		if s.fromPlan {
			logGen += math.Log(gen)
			logBLAS += math.Log(blas)
			logGo += math.Log(gok)
			nPlan++
		}
	}
	fmt.Printf("geometric mean over the plan's shapes: gen/OpenBLAS %.2f, gen/Go %.2f\n",
		math.Exp((logGen-logBLAS)/float64(nPlan)), math.Exp((logGen-logGo)/float64(nPlan)))
}
