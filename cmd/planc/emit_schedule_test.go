package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"
)

// TestCompiledScheduleTrainsAsRun is the reported case end to end: the
// schedule file that `planc compile FILE -o x.sched` writes for the 3D
// example (dp 2, tp 2, pp 2, tied embeddings) trains to the losses of
// `planc run FILE`, under every ZeRO stage.
func TestCompiledScheduleTrainsAsRun(t *testing.T) {
	plan := filepath.Join("..", "..", "examples", "tiny_gpt_3d.plan")
	losses := regexp.MustCompile(`"loss":[^,]*`)
	for _, zero := range []string{"zero=0", "zero=2", "zero=3"} {
		t.Run(zero, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "x.sched")
			call := func(args ...string) string {
				var out, errb bytes.Buffer
				if code := runMain(args, &out, &errb); code != exitOK {
					t.Fatalf("planc %v: exit %d: %s", args, code, errb.String())
				}
				return out.String()
			}
			call("compile", "--set", zero, plan, "-o", file)
			with := losses.FindAllString(call("run", "--set", zero, "--steps", "3", "--json", "--schedule", file, plan), -1)
			without := losses.FindAllString(call("run", "--set", zero, "--steps", "3", "--json", plan), -1)
			if len(with) != 3 || len(without) != 3 {
				t.Fatalf("losses %v and %v, want 3 each", with, without)
			}
			for i := range with {
				if with[i] != without[i] {
					t.Errorf("step %d: %s with the compiled schedule, %s without", i, with[i], without[i])
				}
			}
			t.Logf("%s: %v", zero, with)
		})
	}
}
