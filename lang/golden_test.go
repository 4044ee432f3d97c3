package lang

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"planc/ir"
)

var update = flag.Bool("update", false, "rewrite the golden files from the actual output")

// TestEBNF pins the grammar: a change to it must be deliberate.
func TestEBNF(t *testing.T) {
	golden := filepath.Join("testdata", "grammar.ebnf")
	got := EBNF() + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the grammar changed; run go test ./lang -run EBNF -update if that is intended:\n%s", got)
	}
}

// TestRender pins the rendered diagnostics of testdata/render/*.txtar.
// Each archive holds in.plan (and any file it imports), optionally a
// `set` file with one --set override per line, and out/errors, the
// rendered diagnostics.
func TestRender(t *testing.T) {
	archives, _ := filepath.Glob(filepath.Join("testdata", "render", "*.txtar"))
	if len(archives) == 0 {
		t.Fatal("no render tests")
	}
	for _, path := range archives {
		t.Run(filepath.Base(path), func(t *testing.T) {
			abs, err := filepath.Abs(path)
			if err != nil {
				t.Fatal(err)
			}
			ar, err := txtar.ParseFile(abs)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var sets []string
			outAt := -1
			for i, f := range ar.Files {
				switch {
				case f.Name == "out/errors":
					outAt = i
				case f.Name == "set":
					sets = strings.Split(strings.TrimSpace(string(f.Data)), "\n")
				default:
					p := filepath.Join(dir, f.Name)
					os.MkdirAll(filepath.Dir(p), 0o755)
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			t.Chdir(dir)
			prog, diags := Load([]string{"in.plan"}, Options{Overrides: sets})
			got := ir.RenderAll(diags, prog.Sources)
			if *update {
				if outAt < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "out/errors"})
					outAt = len(ar.Files) - 1
				}
				ar.Files[outAt].Data = []byte(got)
				if err := os.WriteFile(abs, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if outAt < 0 {
				t.Fatal("no out/errors; run with -update")
			}
			if want := string(ar.Files[outAt].Data); got != want {
				t.Errorf("rendered diagnostics differ (run with -update if intended)\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
