package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/runtime/exec"
)

const runTestPlan = `import "hw/cpu"

model m {
  vocab  = 256
  seq    = 8
  hidden = 16
  layers = 2
  heads  = 2
  ffn    = 32
}

plan p {
  model        = m
  cluster      = cpu
  dp           = 2
  pp           = 2
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
  train { steps = 2  warmup = 1 }
}
`

// TestRunScheduleFile runs a compiled schedule file, and refuses one of
// another plan or another format version.
func TestRunScheduleFile(t *testing.T) {
	dir := t.TempDir()
	planPath := filepath.Join(dir, "p.plan")
	os.WriteFile(planPath, []byte(runTestPlan), 0o644)
	prog, diags := lang.Load([]string{planPath}, lang.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := prog.Plans[0]
	tr, err := exec.NewTrainer(exec.Config{Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	s := tr.Schedule()
	s.Fingerprint = ir.PlanFingerprint(p)
	var buf bytes.Buffer
	if err := ir.WriteSchedule(&buf, s); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "p.sched")
	os.WriteFile(good, buf.Bytes(), 0o644)
	v2 := append([]byte(nil), buf.Bytes()...)
	v2[len("PLANCSCHED\n")] = 2 // the version uvarint
	newer := filepath.Join(dir, "v2.sched")
	os.WriteFile(newer, v2, 0o644)

	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runMain(append([]string{"run"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, withFile, stderr := run("--json", "--schedule", good, planPath)
	if code != 0 {
		t.Fatalf("run with the schedule file: %d %s", code, stderr)
	}
	code, without, stderr := run("--json", planPath)
	if code != 0 {
		t.Fatalf("run without the schedule file: %d %s", code, stderr)
	}
	lossLines := func(s string) string { // tokens/s differ between runs
		var b strings.Builder
		for _, l := range strings.Split(s, "\n") {
			if i := strings.Index(l, `"loss":`); i >= 0 {
				b.WriteString(l[i : i+strings.Index(l[i:], ",")])
			}
		}
		return b.String()
	}
	// train { steps = 2 }: two losses, or the comparison below is empty.
	if n := strings.Count(lossLines(withFile), `"loss":`); n != 2 {
		t.Fatalf("run with the schedule file printed %d losses, want 2:\n%s", n, withFile)
	}
	if lossLines(withFile) != lossLines(without) {
		t.Errorf("losses with the schedule file %q differ from without %q", lossLines(withFile), lossLines(without))
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--set", "dp=1", "--schedule", good, planPath}, "which is not plan"},
		{[]string{"--schedule", newer, planPath}, "format version 2"},
	}
	for _, tc := range tests {
		code, _, stderr := run(tc.args...)
		if code != exitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("run %v: exit %d, stderr %q; want 1 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
