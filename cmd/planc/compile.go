package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"planc/ir"
)

// emitContext is what a `planc compile --emit=KIND` back end gets.
type emitContext struct {
	prog   *ir.Program
	plan   *ir.Plan
	target string // --target
	output string // -o (a file or a folder, as the back end defines)
	flags  *planFlags
	stdout io.Writer
	stderr io.Writer
	// extra holds back-end specific -d options (key=value).
	extra map[string]string
}

// emitFunc writes one kind of artefact and returns the exit code.
type emitFunc func(ctx *emitContext) int

var emitters = map[string]emitFunc{}

// registerEmitter adds `--emit=name` to planc compile.
func registerEmitter(name string, fn emitFunc) {
	if _, dup := emitters[name]; dup {
		panic("planc: emitter registered twice: " + name)
	}
	emitters[name] = fn
}

func init() {
	register(&command{name: "compile", summary: "compile a plan to IR, schedules or kernels (--emit=...)", run: runCompile})
}

func runCompile(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("compile", "[--emit=ir|schedule|llvm] [--target=TARGET] [-o OUT] [--plan NAME] [--set NAME=VALUE]... FILE...", stderr,
		"compile examples/tiny_gpt_3d.plan",
		"compile --emit=schedule examples/tiny_gpt_3d.plan",
		"compile -o tiny.sched examples/tiny_gpt_3d.plan",
		"compile --emit=llvm --target=sm_90 -o kernels examples/tiny_gpt.plan")
	pf := addPlanFlags(fs)
	emit := fs.String("emit", "", "what to emit: "+strings.Join(emitterNames(), ", ")+" (default: schedule when -o ends in .sched)")
	target := fs.String("target", "x86-64", "kernel target for --emit=llvm: x86-64, gfx90a, sm_80, sm_90")
	output := fs.String("o", "", "output file or folder")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(fs, "no files")
	}
	kind := *emit
	if kind == "" && strings.HasSuffix(*output, ".sched") {
		kind = "schedule"
	}
	if kind == "" {
		kind = "ir"
	}
	fn, ok := emitters[kind]
	if !ok {
		fmt.Fprintf(stderr, "planc compile: unknown --emit=%s (have %s)\n", kind, strings.Join(emitterNames(), ", "))
		return exitUsage
	}
	prog, plans, code := pf.load(fs.Args(), stderr)
	if code != exitOK {
		return code
	}
	if len(plans) == 0 {
		fmt.Fprintln(stderr, "planc compile: the files declare no plan")
		return exitError
	}
	if len(plans) > 1 && *output != "" {
		fmt.Fprintf(stderr, "planc compile: %d plans and one -o; choose one with --plan\n", len(plans))
		return exitUsage
	}
	worst := exitOK
	for _, p := range plans {
		ctx := &emitContext{prog: prog, plan: p, target: *target, output: *output, flags: pf, stdout: stdout, stderr: stderr}
		if c := fn(ctx); c > worst {
			worst = c
		}
	}
	return worst
}

func emitterNames() []string {
	names := make([]string, 0, len(emitters))
	for n := range emitters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
