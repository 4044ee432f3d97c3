package ir

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says how bad a [Diagnostic] is.
type Severity int

const (
	Error Severity = iota
	Warning
	Note
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "note"
	}
}

// Pos is a position in a source file: a byte offset and its 1-based line and
// column (columns count bytes). The zero Pos means "unknown".
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// IsValid reports whether p names a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Span is a half-open range [Start, End) of one source file. Every AST node
// and every IR entity that came from source carries one, so that a problem
// found deep in a pass still points at the plan line that caused it.
type Span struct {
	File  string
	Start Pos
	End   Pos
}

// IsValid reports whether s names a real place in a file.
func (s Span) IsValid() bool { return s.File != "" && s.Start.IsValid() }

func (s Span) String() string {
	if !s.IsValid() {
		if s.File != "" {
			return s.File
		}
		return "<unknown>"
	}
	return fmt.Sprintf("%s:%d:%d", s.File, s.Start.Line, s.Start.Col)
}

// Diagnostic is the one report type of every phase: the parser, the checker
// and every pass. Summary is terse; Notes add context ("declared here",
// "the plan needs 71.2 GiB"); Suggestion, when set, says what to do
// ("did you mean \"tp\"?", "set recompute = full").
type Diagnostic struct {
	Severity   Severity
	Span       Span
	Message    string
	Notes      []string
	Suggestion string
}

func (d Diagnostic) Error() string {
	return fmt.Sprintf("%s: %s: %s", d.Span, d.Severity, d.Message)
}

// Errorf builds an error diagnostic at span.
func Errorf(span Span, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Error, Span: span, Message: fmt.Sprintf(format, args...)}
}

// Warnf builds a warning diagnostic at span.
func Warnf(span Span, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Warning, Span: span, Message: fmt.Sprintf(format, args...)}
}

// Diagnostics is a list of diagnostics; it is an error when it holds at
// least one error-severity entry.
type Diagnostics []Diagnostic

// HasErrors reports whether any entry has Error severity.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns ds as an error when it has errors, else nil.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}

func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Sort orders ds by file, then position, keeping the relative order of
// diagnostics at the same place.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Span, ds[j].Span
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Start.Offset < b.Start.Offset
	})
}

// Sources maps a file name to its contents, for rendering snippets.
type Sources map[string][]byte

// Render writes d in the one format planc uses everywhere:
//
//	file:line:col: error: message
//	  12 |   tp = 3
//	     |        ^
//	  note: ...
//	  help: did you mean "tp"?
//
// Without the source text the snippet is left out.
func Render(d Diagnostic, src Sources) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: %s\n", d.Span, d.Severity, d.Message)
	if d.Span.IsValid() {
		if text, ok := src[d.Span.File]; ok {
			writeSnippet(&b, text, d.Span)
		}
	}
	for _, n := range d.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	if d.Suggestion != "" {
		fmt.Fprintf(&b, "  help: %s\n", d.Suggestion)
	}
	return b.String()
}

// RenderAll renders every diagnostic of ds, in order.
func RenderAll(ds Diagnostics, src Sources) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(Render(d, src))
	}
	return b.String()
}

func writeSnippet(b *strings.Builder, text []byte, s Span) {
	lines := strings.Split(string(text), "\n")
	if s.Start.Line > len(lines) {
		return
	}
	line := strings.TrimRight(lines[s.Start.Line-1], "\r")
	width := 1
	if s.End.Line == s.Start.Line && s.End.Col > s.Start.Col {
		width = s.End.Col - s.Start.Col
	} else if s.End.Line > s.Start.Line {
		width = len(line) - s.Start.Col + 1
	}
	if width < 1 {
		width = 1
	}
	num := fmt.Sprintf("%d", s.Start.Line)
	pad := strings.Repeat(" ", len(num))
	fmt.Fprintf(b, "  %s | %s\n", num, strings.ReplaceAll(line, "\t", " "))
	col := s.Start.Col - 1
	if col > len(line) {
		col = len(line)
	}
	if col < 0 {
		col = 0
	}
	fmt.Fprintf(b, "  %s | %s%s\n", pad, strings.Repeat(" ", col), strings.Repeat("^", width))
}
