package passes_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"planc/ir"
	"planc/lang"
)

// repoFile returns the path of a file relative to the repository root.
func repoFile(rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", rel)
}

// loadPlan reads a plan from a repository file with overrides.
func loadPlan(t testing.TB, file, plan string, sets ...string) (*ir.Program, *ir.Plan) {
	t.Helper()
	prog, diags := lang.Load([]string{repoFile(file)}, lang.Options{Overrides: sets})
	if diags.HasErrors() {
		t.Fatalf("load %s: %v", file, diags)
	}
	p := prog.Plan(plan)
	if p == nil {
		t.Fatalf("%s has no plan %s", file, plan)
	}
	return prog, p
}
