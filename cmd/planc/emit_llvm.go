package main

import (
	"fmt"

	"planc/codegen/llvm"
)

func init() { registerEmitter("llvm", emitLLVM) }

// emitLLVM writes the plan's kernels for --target as DIR/PLAN.TARGET.ll
// and, where LLVM's tools are installed and know the target, the object
// (.o), HSA code object (.hsaco) or PTX (.ptx) next to it.
func emitLLVM(ctx *emitContext) int {
	t, err := llvm.LookupTarget(ctx.target)
	if err != nil {
		fmt.Fprintf(ctx.stderr, "planc compile: %v\n", err)
		return exitUsage
	}
	specs, err := llvm.ForPlan(ctx.plan)
	if err != nil {
		fmt.Fprintf(ctx.stderr, "planc compile: %v\n", err)
		return exitError
	}
	m, err := llvm.Generate(ctx.plan.Name, specs, t)
	if err != nil {
		fmt.Fprintf(ctx.stderr, "planc compile: %v\n", err)
		return exitError
	}
	dir := ctx.output
	if dir == "" {
		dir = "."
	}
	a, err := llvm.Build(m, dir, ctx.plan.Name+"."+t.Name, llvm.FindToolchain())
	if err != nil {
		fmt.Fprintf(ctx.stderr, "planc compile: %v\n", err)
		return exitError
	}
	fmt.Fprintf(ctx.stdout, "%s: %d kernels for %s\n", ctx.plan.Name, len(m.Kernels), t.Name)
	for _, f := range []string{a.LL, a.Object, a.Code} {
		if f != "" {
			fmt.Fprintf(ctx.stdout, "  wrote %s\n", f)
		}
	}
	for _, n := range a.Notes {
		fmt.Fprintf(ctx.stderr, "planc compile: note: %s\n", n)
	}
	return exitOK
}
