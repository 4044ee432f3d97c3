package lang

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planc/ir"
)

// FuzzLoad feeds arbitrary bytes to the whole front end: parse, check,
// render the diagnostics, format. Nothing may panic, and when the input
// formats, its formatted form must format to itself. A NUL byte splits the
// input: what follows it are --set overrides, one per line.
func FuzzLoad(f *testing.F) {
	for _, p := range repoFiles(nil) {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	corpus, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.plan"))
	for _, p := range corpus {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("import \"hw/cpu\"\nimport \"models/tiny\"\nplan p { model = tiny_gpt cluster = cpu }\x00tp=2\nmodel.layers=2\ncluster.per_node=1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, sets := data, []string(nil)
		if i := bytes.IndexByte(data, 0); i >= 0 {
			src = data[:i]
			sets = strings.Split(string(data[i+1:]), "\n")
		}
		prog, diags := loadSource("fuzz.plan", src, Options{Overrides: sets})
		for _, d := range diags {
			if d.Span.File != "" && d.Span.IsValid() {
				if _, ok := prog.Sources[d.Span.File]; !ok {
					t.Errorf("diagnostic in a file without source: %v", d)
				}
			}
		}
		_ = ir.RenderAll(diags, prog.Sources)
		out, fdiags := Format("fuzz.plan", src)
		if fdiags.HasErrors() {
			return
		}
		again, adiags := Format("fuzz.plan", out)
		if adiags.HasErrors() {
			t.Fatalf("the formatted source does not parse:\n%s\n%s", out, ir.RenderAll(adiags, ir.Sources{"fuzz.plan": out}))
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("format is not idempotent:\nonce:\n%s\ntwice:\n%s", out, again)
		}
	})
}
