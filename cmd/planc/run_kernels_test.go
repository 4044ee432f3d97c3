package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planc/runtime/llvmk"
)

// TestRunKernels runs a plan with --kernels=go and --kernels=llvm. With
// -tags planc_llvm the generated kernels give the Go kernels' losses
// within 1e-4 relative, and the summary counts their calls (no fallback
// for this plan); without the tag --kernels=llvm is a clear error. Any
// other value is a usage error.
func TestRunKernels(t *testing.T) {
	dir := t.TempDir()
	planPath := filepath.Join(dir, "p.plan")
	os.WriteFile(planPath, []byte(runTestPlan), 0o644)
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := runMain(append([]string{"run", "--json"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	type line struct {
		Loss    *float64    `json:"loss"`
		Summary *runSummary `json:"summary"`
	}
	parse := func(out string) (losses []float64, sum *runSummary) {
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var v line
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			if v.Loss != nil {
				losses = append(losses, *v.Loss)
			}
			if v.Summary != nil {
				sum = v.Summary
			}
		}
		return losses, sum
	}

	if code, _, stderr := run("--kernels=cuda", planPath); code != exitUsage || !strings.Contains(stderr, "--kernels=cuda: want go or llvm") {
		t.Errorf("--kernels=cuda: exit %d, stderr %q", code, stderr)
	}
	code, out, stderr := run("--kernels=go", planPath)
	if code != exitOK {
		t.Fatalf("--kernels=go: exit %d: %s", code, stderr)
	}
	want, sum := parse(out)
	if sum == nil || sum.Kernels != "go" || sum.KernelUsage != nil {
		t.Errorf("--kernels=go summary %+v", sum)
	}

	code, out, stderr = run("--kernels=llvm", planPath)
	if !llvmk.Available {
		if code != exitError || !strings.Contains(stderr, "-tags planc_llvm") {
			t.Errorf("--kernels=llvm without the tag: exit %d, stderr %q", code, stderr)
		}
		return
	}
	if code != exitOK {
		if os.Getenv("PLANC_CI") == "" && (strings.Contains(stderr, "llc not found") || strings.Contains(stderr, "host kernels need") || strings.Contains(stderr, "the CPU lacks")) {
			t.Skip(stderr)
		}
		t.Fatalf("--kernels=llvm: exit %d: %s", code, stderr)
	}
	got, sum := parse(out)
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("%d losses with llvm kernels, %d with Go kernels", len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i]-want[i]) / math.Abs(want[i]); d > 1e-4 {
			t.Errorf("step %d: loss %.7f (llvm) vs %.7f (go): %.1e relative", i, got[i], want[i], d)
		}
	}
	if sum == nil || sum.Kernels != "llvm" || sum.KernelUsage == nil {
		t.Fatalf("--kernels=llvm summary %+v", sum)
	}
	gen, fb := sum.KernelUsage.Total()
	t.Logf("%v", sum.KernelUsage)
	if gen == 0 || fb != 0 {
		t.Errorf("%d generated calls and %d fallbacks, want some and none", gen, fb)
	}
}
