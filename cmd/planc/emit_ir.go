package main

import (
	"planc/passes"
)

func init() { registerEmitter("ir", emitIR) }

// emitIR prints the distributed IR of the plan: mesh and groups, and each
// pipeline stage's ops with shapes, shardings, FLOPs, bytes and
// collectives. The -d options of compile (dump=PASS, time, verify-each)
// apply when compile passes them in ctx.extra.
func emitIR(ctx *emitContext) int {
	var debug []string
	for k, v := range ctx.extra {
		if v == "" {
			debug = append(debug, k)
		} else {
			debug = append(debug, k+"="+v)
		}
	}
	opts, err := passOptions(debug, false, ctx.stderr)
	if err != nil {
		ctx.stderr.Write([]byte("planc compile: " + err.Error() + "\n"))
		return exitUsage
	}
	u, diags := passes.Compile(ctx.prog, ctx.plan, opts)
	printDiagnostics(ctx.stderr, diags, ctx.prog.Sources, ctx.flags.json)
	if u == nil || len(u.Graph.Stages) == 0 {
		return exitError
	}
	u.Print(ctx.stdout)
	if diags.HasErrors() {
		return exitError
	}
	return exitOK
}
