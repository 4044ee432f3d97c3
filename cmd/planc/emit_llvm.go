package main

import (
	"fmt"
	"io"

	"planc/codegen/llvm"
	"planc/passes"
)

func init() { registerEmitter("llvm", emitLLVM) }

// emitLLVM emits the plan's kernels for --target. Without -o it prints the
// module's LLVM IR text to stdout, as --emit=ir and --emit=schedule print
// theirs, and writes no file. With -o DIR it writes DIR/PLAN.TARGET.ll and,
// where LLVM's tools are installed and know the target, the object (.o),
// HSA code object (.hsaco) or PTX (.ptx) next to it. The plan is compiled
// first, so that its auto fields are resolved and an infeasible plan is
// reported with its diagnostics.
func emitLLVM(ctx *emitContext) int {
	t, err := llvm.LookupTarget(ctx.target)
	if err != nil {
		fmt.Fprintf(ctx.stderr, "planc compile: %v\n", err)
		return exitUsage
	}
	u, diags := passes.Compile(ctx.prog, ctx.plan, passes.Options{DumpTo: ctx.stderr})
	printDiagnostics(ctx.stderr, diags, ctx.prog.Sources, ctx.flags.json)
	if u == nil || diags.HasErrors() {
		return exitError
	}
	specs, err := llvm.ForPlan(u.Plan)
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
		io.WriteString(ctx.stdout, m.LL)
		return exitOK
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
