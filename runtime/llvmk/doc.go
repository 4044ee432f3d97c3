// Package llvmk runs the host kernels that codegen/llvm generates, through
// cgo, with the semantics of the Go kernels of runtime/kernels (and of
// runtime/optim's AdamW step).
//
// The [Ops] interface, [GoOps] and [Select] build everywhere; the
// generated kernels (*Kernels) are behind the build tag planc_llvm, because
// they need cgo, llc and a linker at run time:
//
//	go test -tags planc_llvm ./runtime/llvmk/
//
// How it is built: [Load] generates the LLVM module for a list of kernel
// specs (or [LoadPlan] for a plan's shapes) in-process, optimizes it with
// opt -O2 (which vectorizes the elementwise loops) and lowers it with
// llc -O3 -mcpu=x86-64-v3 into a position-independent object in a
// temporary folder, links that into a shared library (ld.lld -shared, or
// cc -shared), and dlopens it. No object is committed to the repository:
// the kernels are specialized to the shapes of the run, so they are built
// for the run. A small C shim (dlopen, dlsym and one trampoline) is the
// only C code. Every generated kernel takes only pointers and int64 counts,
// all of the INTEGER class of the System V x86-64 ABI, so one trampoline
// with twelve such arguments calls any of them (extra arguments are
// ignored by the callee). Every kernel's last two parameters are the range
// of items it computes: a call of enough work is split into one range per
// core, the ranges running at once on their own goroutines, as the Go
// kernels split theirs.
//
// Each method of [Kernels] has the signature and contract of the Go
// kernel of the same name; when the module holds no kernel for the shapes
// of a call it runs the Go kernel instead and counts the fallback
// ([Kernels.Fallbacks]), so a run can select these kernels without
// knowing which shapes were generated. [Kernels.Usage] (the [Counted]
// interface) splits the calls by generated op and the fallbacks by Go
// kernel and shape.
//
// The training loop takes its hot ops (matmuls, layernorm, gelu,
// attention, AdamW) from the Ops in runtime/exec's Config.Ops; planc run
// --kernels=llvm passes the Ops that [Select] returns for the plan.
package llvmk
