package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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

// TestProgressFitsTheTerminal: each redraw of the progress bar fits in the
// terminal's width less one column (so it never wraps into a new line),
// down to very narrow terminals; a wide one gets the whole bar and text.
func TestProgressFitsTheTerminal(t *testing.T) {
	text := "step 120/200  loss 2.3456  12345 tok/s  eta 1m5s"
	for _, width := range []int{200, 80, 60, 40, 20, 5, 1} {
		for _, done := range []int{0, 120, 200} {
			got := fitLine(width, done, 200, text)
			if n := utf8.RuneCountInString(got); n > width-1 && !(width <= 1 && n == 0) {
				t.Errorf("width %d: %d columns: %q", width, n, got)
			}
			if width >= 80 && !strings.HasSuffix(got, text) {
				t.Errorf("width %d cut the text: %q", width, got)
			}
		}
	}
	if got := fitLine(80, 100, 200, text); !strings.HasPrefix(got, strings.Repeat("█", 15)+strings.Repeat("░", 15)+" ") {
		t.Errorf("80 columns should show the 30-cell bar half full: %q", got)
	}
	if got := fitLine(60, 100, 200, text); strings.ContainsRune(got, '█') && utf8.RuneCountInString(got) > 59 {
		t.Errorf("60 columns: %q", got)
	}
}
