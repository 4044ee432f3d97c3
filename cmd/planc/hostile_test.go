package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// hostilePlans are the mutated plans of issue 19 that made `planc explain`
// hang or `compile`/`simulate` panic, and their neighbours at the bounds:
// each is either refused by `planc check` with a message that says why, or
// accepted, and then check, explain, compile and simulate all finish
// (exit 0 or 1, never a panic) within hostileDeadline.
var hostilePlans = []struct {
	name    string
	file    string // in examples/
	sets    []string
	refused string // regexp of check's error; "" means accepted
}{
	{"capacity_factor_3e17", "tiny_moe.plan", []string{"moe.capacity_factor=3e17"}, `capacity_factor = 3e17 is too large: at most 65536`},
	{"capacity_factor_1e30_capacity", "tiny_moe.plan", []string{"moe.dispatch=capacity", "moe.capacity_factor=1e30"}, `capacity_factor = 1e30 is too large`},
	{"capacity_factor_max_capacity", "tiny_moe.plan", []string{"moe.dispatch=capacity", "moe.capacity_factor=65536"}, ""},
	{"capacity_factor_max_padding_free", "tiny_moe.plan", []string{"moe.capacity_factor=65536"}, ""},
	{"capacity_factor_tiny_capacity", "tiny_moe.plan", []string{"moe.dispatch=capacity", "moe.capacity_factor=1e-300"}, ""},
	{"capacity_slots_overflow", "tiny_moe.plan", []string{"moe.dispatch=capacity", "moe.capacity_factor=65536", "model.seq=16777216", "micro_batch=256", "global_batch=256"}, `too many|slots per expert|elements`},
	{"global_batch_1e9", "tiny_gpt.plan", []string{"global_batch=1000000000"}, `micro-batches per step is too many: at most 65536`},
	{"global_batch_field", "tiny_gpt.plan", []string{"global_batch=1e12"}, `global_batch = 1e12 is too large`},
	{"micro_batches_100k_dp64", "tiny_gpt.plan", []string{"dp=64", "global_batch=12800000"}, `micro-batches per step is too many`},
	{"micro_batches_max", "tiny_gpt.plan", []string{"global_batch=131072"}, ""},
	{"layers_1e5", "tiny_gpt.plan", []string{"model.layers=100000"}, `layers = 100000 is too large: at most 1024`},
	{"layers_max", "tiny_gpt.plan", []string{"model.layers=1024"}, ""},
	{"layers_max_moe", "rbd.plan", []string{"model.layers=1024"}, ""}, // two plans: compile -o exits 2, a usage error
	{"expert_layers", "tiny_moe.plan", []string{"model.moe.experts=65536", "model.layers=1024"}, `experts × layers = 65536 × 1024`},
	{"expert_layers_ssmb", "ssmb.plan", []string{"model.moe.experts=25536"}, `routed expert layers is too many: at most 262144`},
	{"tp_1e9", "tiny_gpt.plan", []string{"tp=1000000000"}, `tp = 1000000000 is too large`},
	{"world_overflow", "tiny_gpt.plan", []string{"dp=1048576", "tp=4", "global_batch=2097152"}, `world size .* is too large`},
	{"seq_huge", "tiny_gpt.plan", []string{"model.seq=16777216", "micro_batch=1048576", "global_batch=1048576"}, `too many|elements`},
	{"experts_max", "tiny_moe.plan", []string{"model.moe.experts=65536"}, ""},
	{"zero_4", "tiny_gpt.plan", []string{"zero=4"}, `zero = 4 is too large: at most 3`},
	{"inter_latency_1h", "tiny_gpt.plan", []string{"cluster.inter_latency=3600 s"}, `inter_latency = 3600 s is too large: at most 1 s`},
	{"schedule_beyond_memory", "tiny_gpt.plan", []string{"dp=8192", "tp=2", "pp=2", "micro_batch=1", "global_batch=536870912"}, ""},
	{"dp_65536", "tiny_gpt.plan", []string{"dp=65536", "global_batch=131072"}, ""},
	{"dp_16384_pp4", "tiny_gpt.plan", []string{"dp=16384", "pp=4", "global_batch=131072"}, ""},
	{"lr_inf", "tiny_gpt.plan", []string{"train.lr=1e400"}, `lr must be a number, not 1e400`},
}

// hostileDeadline is how long one command may take on one hostile plan
// before the test calls it hung: generous, since the machine may be
// loaded; the bounded plans finish in well under a second.
const hostileDeadline = 2 * time.Minute

// TestHostilePlans runs the hostile plans through check, explain, compile
// and simulate.
func TestHostilePlans(t *testing.T) {
	for _, hp := range hostilePlans {
		t.Run(hp.name, func(t *testing.T) {
			file := filepath.Join("..", "..", "examples", hp.file)
			var sets []string
			for _, s := range hp.sets {
				sets = append(sets, "--set", s)
			}
			code, _, stderr := runBounded(t, append(append([]string{"check"}, sets...), file))
			if hp.refused != "" {
				if code != exitError || !regexp.MustCompile(hp.refused).MatchString(stderr) {
					t.Fatalf("check: exit %d, want 1 with an error matching %q; stderr:\n%s", code, hp.refused, stderr)
				}
				return
			}
			if code != exitOK {
				t.Fatalf("check: exit %d, want 0; stderr:\n%s", code, stderr)
			}
			out := filepath.Join(t.TempDir(), "s.sched")
			for _, args := range [][]string{
				{"explain"},
				{"explain", "--json"},
				{"compile", "-o", out},
				{"simulate"},
			} {
				code, _, stderr := runBounded(t, append(append(args, sets...), file))
				if code != exitOK && code != exitError && !(code == exitUsage && strings.Contains(stderr, "choose one with --plan")) {
					t.Fatalf("%s: exit %d; stderr:\n%s", args[0], code, stderr)
				}
			}
		})
	}
}

// runBounded runs planc in process and fails the test if it panics or
// does not return within hostileDeadline.
func runBounded(t *testing.T, args []string) (int, string, string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
		panicked       any
	}
	done := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		r := result{code: -1}
		defer func() {
			r.panicked = recover()
			r.stdout, r.stderr = stdout.String(), stderr.String()
			done <- r
		}()
		r.code = runMain(args, &stdout, &stderr)
	}()
	select {
	case r := <-done:
		if r.panicked != nil {
			t.Fatalf("planc %s panicked: %v", strings.Join(args, " "), r.panicked)
		}
		return r.code, r.stdout, r.stderr
	case <-time.After(hostileDeadline):
		t.Fatalf("planc %s did not finish within %v", strings.Join(args, " "), hostileDeadline)
	}
	panic(fmt.Sprint("unreachable"))
}

// TestPanicExitCode: a panic inside a command exits 3 (an internal error)
// with a request to report it, never 2 (a usage error).
func TestPanicExitCode(t *testing.T) {
	register(&command{name: "test-panic", run: func([]string, io.Writer, io.Writer) int { panic("boom") }})
	defer delete(commands, "test-panic")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"test-panic"}, &stdout, &stderr); code != exitInternal || exitInternal != 3 {
		t.Fatalf("exit %d, want 3", code)
	}
	if !strings.Contains(stderr.String(), "internal error: boom") || !strings.Contains(stderr.String(), "please report it") {
		t.Fatalf("stderr does not report the panic:\n%s", stderr.String())
	}
}
