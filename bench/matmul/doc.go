// Command matmul compares, at the matrix shapes of a plan, the generated
// host matmul of codegen/llvm (run through runtime/llvmk) with the Go
// matmul of runtime/kernels and with OpenBLAS's cblas_sgemm, all on one
// thread. It needs cgo, llc and libopenblas-dev, hence the build tag:
//
//	go run -tags planc_llvm ./bench/matmul [-min 0.3s]
//
// It prints GFLOP/s per shape and the ratios generated/OpenBLAS and
// generated/Go, measured (best of several timed batches), never modelled.
package main
