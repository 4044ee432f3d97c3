package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"planc/ir"
)

// expectation is one `// ERROR "regexp"` (or WARNING, NOTE) annotation of
// the error corpus. ERROR@+1 "re" expects the diagnostic on the next line,
// for lines that cannot hold a comment (an unterminated string eats it).
type expectation struct {
	line     int
	severity ir.Severity
	re       *regexp.Regexp
	matched  bool
}

var expectRE = regexp.MustCompile(`(ERROR|WARNING|NOTE)(@[+-][0-9]+)?\s+"((?:[^"\\]|\\.)*)"`)

func readExpectations(t *testing.T, src string) []*expectation {
	var out []*expectation
	for i, line := range strings.Split(src, "\n") {
		at := strings.Index(line, "// ")
		if at < 0 {
			continue
		}
		for _, m := range expectRE.FindAllStringSubmatch(line[at:], -1) {
			n := i + 1
			if m[2] != "" {
				off, _ := strconv.Atoi(m[2][1:])
				n += off
			}
			// The pattern is a regexp as written; only \" stands for a quote.
			pattern := strings.ReplaceAll(m[3], `\"`, `"`)
			re, err := regexp.Compile(pattern)
			if err != nil {
				t.Fatalf("line %d: bad pattern %s: %v", i+1, m[3], err)
			}
			sev := map[string]ir.Severity{"ERROR": ir.Error, "WARNING": ir.Warning, "NOTE": ir.Note}[m[1]]
			out = append(out, &expectation{line: n, severity: sev, re: re})
		}
	}
	return out
}

// TestErrorCorpus checks each file of testdata/errors: exactly the
// diagnostics annotated on its lines occur, at those lines.
func TestErrorCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.plan"))
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := readExpectations(t, string(src))
			if len(want) == 0 {
				t.Fatal("the file expects no diagnostic")
			}
			prog, diags := Load([]string{file}, Options{})
			for _, d := range diags {
				found := false
				for _, w := range want {
					if !w.matched && d.Span.File == file && w.line == d.Span.Start.Line && w.severity == d.Severity && w.re.MatchString(d.Message) {
						w.matched, found = true, true
						break
					}
				}
				if !found {
					t.Errorf("unexpected diagnostic:\n%s", ir.Render(d, prog.Sources))
				}
			}
			for _, w := range want {
				if !w.matched {
					t.Errorf("%s:%d: missing %s matching %q", file, w.line, w.severity, w.re)
				}
			}
			if t.Failed() {
				fmt.Fprint(os.Stderr, ir.RenderAll(diags, prog.Sources))
			}
		})
	}
}
