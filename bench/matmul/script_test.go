package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptSkipsWithoutOpenBLAS: scripts/test leaves bench/matmul out, with
// a message, on a machine whose C compiler finds no cblas.h, runs the rest,
// and fails instead under CI (PLANC_CI=1). The C compiler is a stand-in that
// knows every header but cblas.h; scripts/test -n prints its steps.
func TestScriptSkipsWithoutOpenBLAS(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	dir := t.TempDir()
	cc := filepath.Join(dir, "cc")
	if err := os.WriteFile(cc, []byte("#!/bin/sh\nif grep -q cblas; then exit 1; fi\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(ci string) (string, error) {
		cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "test"), "-n")
		cmd.Env = append(os.Environ(), "CC="+cc, "PLANC_CI="+ci)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("")
	if err != nil {
		t.Fatalf("scripts/test -n without cblas.h: %v\n%s", err, out)
	}
	if !strings.Contains(out, "skipping bench/matmul (OpenBLAS comparison)'s tests: cblas.h not found") {
		t.Errorf("no skip message:\n%s", out)
	}
	var benchStep string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "-tags planc_llvm ./runtime/llvmk/") {
			benchStep = line
		}
	}
	if benchStep == "" || strings.Contains(benchStep, "bench/matmul") || strings.Contains(benchStep, "./bench/...") {
		t.Errorf("the planc_llvm step should run without bench/matmul: %q\n%s", benchStep, out)
	}
	if !strings.Contains(out, "TestTrainsOnGeneratedKernels") {
		t.Errorf("the later steps did not run:\n%s", out)
	}
	out, err = run("1")
	if err == nil || !strings.Contains(out, "CI runs every test") {
		t.Errorf("under CI a missing cblas.h must fail: err %v\n%s", err, out)
	}
}
