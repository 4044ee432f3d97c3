package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"planc/ir"
	"planc/passes"
	"planc/passes/sched"
)

func init() { registerEmitter("schedule", emitSchedule) }

// emitSchedule writes the plan's runtime schedule: as the versioned schedule
// file when -o ends in .sched (what `planc run` and the runtime load), else
// as text in the PyTorch-like action notation, to -o or stdout.
func emitSchedule(ctx *emitContext) int {
	u, code := compileSchedule(ctx.prog, ctx.plan, ctx.flags, ctx.stderr)
	if code != exitOK {
		return code // a schedule is only written for a plan without errors
	}
	s := u.Schedule
	if err := sched.CheckExpand(s, sched.AvailableMemory()); err != nil {
		fmt.Fprintf(ctx.stderr, "planc compile: %v\n", err)
		return exitError
	}
	if strings.HasSuffix(ctx.output, ".sched") {
		err := writeFileAtomically(ctx.output, func(w *bufio.Writer) error { return ir.WriteSchedule(w, s) })
		if err != nil {
			fmt.Fprintf(ctx.stderr, "planc compile: %v\n", err)
			return exitError
		}
		return exitOK
	}
	if ctx.output != "" {
		err := writeFileAtomically(ctx.output, func(w *bufio.Writer) error { _, err := w.WriteString(s.String()); return err })
		if err != nil {
			fmt.Fprintf(ctx.stderr, "planc compile: %v\n", err)
			return exitError
		}
		return exitOK
	}
	fmt.Fprint(ctx.stdout, scheduleLegend, s.String())
	return exitOK
}

// scheduleLegend heads the schedule text on stdout: how to read an action
// (docs/glossary.md, "actions").
const scheduleLegend = `# How to read it (docs/glossary.md, "actions"): each rank's actions in order.
#   SFm, SBm, SWm     stage S's forward, backward (input gradient under zb-h1/zb-v)
#                     and weight gradient of micro-batch m: 0F3, 1B2, 1W2
#   SSEND_Fm>r        send micro-batch m's activation to rank r; SRECV_Fm<r receive it
#                     from rank r; SEND_B/RECV_B the same for its gradient
#   REDUCE_GRAD(sS,bB,gG)       reduce gradient bucket B of stage S over group G (dp)
#   ALLGATHER_PARAMS(sS,gG)     gather ZeRO-sharded weights of stage S over group G
#   ALLREDUCE_TIED(gG)          sum the tied embedding's first- and last-stage copies
#   ALLREDUCE_SEQ, GRAD_NORM    sequence-parallel gradient sums over tp; the global norm
#   ALLREDUCE_KV(sS,gG)         sum the gradients of key/value heads tp ranks share (tp > kv_heads)
#   OPTIMIZER                   the AdamW update
#   group gN [ranks]            the ranks of group N; stage lines: layers, params, buckets
`

// compileSchedule compiles plan with the pass table (which includes the
// schedule passes; skip names passes not to run) and prints the
// diagnostics. It returns the unit when it has a schedule, and exitError
// when there were errors: a plan that compiles but does not fit in memory
// returns both, so that its schedule can still be simulated.
func compileSchedule(prog *ir.Program, plan *ir.Plan, pf *planFlags, stderr io.Writer, skip ...string) (*ir.Unit, int) {
	opts := passes.Options{Skip: map[string]bool{}}
	for _, s := range skip {
		opts.Skip[s] = true
	}
	u, diags := passes.Compile(prog, plan, opts)
	printDiagnostics(stderr, diags, prog.Sources, pf.json)
	code := exitOK
	if diags.HasErrors() {
		code = exitError
	}
	if u == nil || u.Schedule == nil {
		if code == exitOK {
			fmt.Fprintf(stderr, "planc: plan %s compiled to no schedule\n", plan.Name)
		}
		return nil, exitError
	}
	return u, code
}

// writeFileAtomically writes name through a temporary file in the same
// folder and renames it into place.
func writeFileAtomically(name string, write func(*bufio.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".planc-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(w); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
