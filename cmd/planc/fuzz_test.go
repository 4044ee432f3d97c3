package main

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"planc/ir"
	"planc/lang"
	"planc/passes"
	"planc/passes/sched"
	"planc/runtime/sim"
)

// fuzzFiles are the examples FuzzCheckExplainCompile mutates with --set
// overrides: the ones that compile in well under a second.
var fuzzFiles = []string{"tiny_gpt.plan", "tiny_moe.plan", "tiny_moe_ep.plan", "tiny_gpt_3d.plan", "tiny_mlp.plan",
	"padding_free.plan", "rbd.plan", "ssmb.plan", "lss_cpu.plan", "phantom_cpu.plan"}

// fuzzDeadline is how long one accepted input may take through every
// phase before the fuzz target calls it hung when its seeds run as tests
// (under -fuzz, the engine's own limit of 10 s per input applies first):
// the bounds keep what check accepts to seconds (schedules folded over
// replicas, at most ir.MaxStageRuns stage runs), so a minute means a
// missing bound.
const fuzzDeadline = time.Minute

// FuzzCheckExplainCompile is issue 19's contract: what `planc check`
// accepts, explain, compile and simulate finish without a panic within
// fuzzDeadline (and within the fuzzing engine's 10 s per input). An input is an example and a newline-separated list of
// --set overrides; the seeds are the hostile plans and every numeric
// field at its bounds.
//
//	go test ./cmd/planc -run '^$' -fuzz FuzzCheckExplainCompile -fuzztime 10m -parallel 1
func FuzzCheckExplainCompile(f *testing.F) {
	index := map[string]uint8{}
	for i, name := range fuzzFiles {
		index[name] = uint8(i)
	}
	for _, hp := range hostilePlans {
		f.Add(index[hp.file], strings.Join(hp.sets, "\n"))
	}
	for i, field := range fuzzFields() {
		for _, v := range []string{"0", "1", "4096", "1e9", "-1", "auto", "65536"} {
			f.Add(uint8(i), field+"="+v)
		}
	}
	f.Fuzz(func(t *testing.T, file uint8, sets string) {
		if len(sets) > 400 {
			return
		}
		var overrides []string
		for _, s := range strings.Split(sets, "\n") {
			if s = strings.TrimSpace(s); s != "" {
				overrides = append(overrides, s)
			}
		}
		if len(overrides) > 8 {
			return
		}
		path := filepath.Join("..", "..", "examples", fuzzFiles[int(file)%len(fuzzFiles)])
		prog, diags := lang.Load([]string{path}, lang.Options{Overrides: overrides})
		if diags.HasErrors() {
			return // check refuses it: nothing else runs
		}
		done := make(chan string, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- fmt.Sprintf("panic: %v\n%s", r, debug.Stack())
				}
			}()
			for _, p := range prog.Plans {
				explainCompileSimulate(prog, p)
			}
			done <- ""
		}()
		select {
		case msg := <-done:
			if msg != "" {
				t.Fatalf("%s with %q: check accepts it, then %s", path, overrides, msg)
			}
		case <-time.After(fuzzDeadline):
			t.Fatalf("%s with %q: check accepts it, then explain/compile/simulate run for more than %v", path, overrides, fuzzDeadline)
		}
	})
}

// explainCompileSimulate runs what compile (every pass, the schedule and
// its verifier included), explain (its text and --json reports of the
// compiled unit) and, up to fuzzSimulateRanks, simulate run on plan p;
// errors are the plan's, panics and hangs are planc's.
func explainCompileSimulate(prog *ir.Program, p *ir.Plan) {
	u, diags := passes.Compile(prog, p, passes.Options{})
	if u == nil || u.Cost == nil {
		return
	}
	writeReport(io.Discard, u)
	reportJSON(u, diags) // explain --json: the schedule's bytes per step
	s := u.Schedule
	if s == nil || len(s.Ranks) > fuzzSimulateRanks {
		return
	}
	if _, err := sched.Verify(s); err != nil {
		return
	}
	net := sim.NetworkOf(u.Plan)
	cfg := net.Config(sim.FromCostReport(u))
	cfg.MemoryLimit = 1 << 30
	sim.Run(s, cfg)
}

// fuzzSimulateRanks bounds the worlds the fuzz target simulates: Go's
// fuzzing engine calls an input that runs past 10 s a hang, and simulating
// millions of ranks takes seconds of per-rank bookkeeping
// (BenchmarkScaleDP measures that).
const fuzzSimulateRanks = 1 << 16

// fuzzFields are the numeric fields the seeds set, in --set syntax.
func fuzzFields() []string {
	var out []string
	add := func(prefix string, names ...string) {
		for _, n := range names {
			out = append(out, prefix+n)
		}
	}
	for _, f := range ir.PlanFields {
		if f.Kind == ir.IntValue || f.Kind == ir.FloatValue {
			add("", f.Name)
		}
	}
	for _, f := range ir.PlanMoEFields {
		if f.Kind == ir.IntValue || f.Kind == ir.FloatValue {
			add("moe.", f.Name)
		}
	}
	for _, f := range ir.ModelFields {
		if f.Kind == ir.IntValue {
			add("model.", f.Name)
		}
	}
	for _, f := range ir.ModelMoEFields {
		if f.Kind == ir.IntValue {
			add("model.moe.", f.Name)
		}
	}
	for _, f := range ir.ClusterFields {
		if f.Kind == ir.IntValue {
			add("cluster.", f.Name)
		}
	}
	return out
}
