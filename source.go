// Package planc holds planc's own source code, as `planc build` needs it:
// a trainer binary is a small generated main package compiled together
// with planc's runtime, on the machine that runs planc build (which needs a
// Go toolchain for it, but neither a planc checkout nor a module cache:
// the runtime's packages import nothing outside the standard library).
//
// A test in package cmd/planc checks that Source holds every package the
// trainer imports.
package planc

import "embed"

// Source holds go.mod, go.sum and the Go files of the packages a trainer
// binary links: runtime/trainer and everything it imports, with the
// planc_mpi and planc_llvm tags too (the LLVM host kernels' package,
// codegen/llvm, imports llir/llvm: a --kernels=llvm trainer is built
// against the module cache of the machine that runs planc build).
//
//go:embed go.mod go.sum codegen/llvm/*.go
//go:embed ir/*.go network/*.go passes/*.go passes/sched/*.go
//go:embed runtime/ckpt/*.go runtime/collective/*.go runtime/data/*.go runtime/data/corpus.txt
//go:embed runtime/exec/*.go runtime/kernels/*.go runtime/kernels/*.s runtime/llvmk/*.go runtime/optim/*.go runtime/optim/*.s runtime/tensor/*.go runtime/trainer/*.go
var Source embed.FS
