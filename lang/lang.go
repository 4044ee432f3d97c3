// Package lang reads plan files: the lexer and grammar (participle), the AST
// with positions, the formatter, and the checker that resolves names, units
// and types into an [ir.Program]. Participle's types never leave this
// package.
//
// The entry points are [Load] (read, import, override and check files into
// an [ir.Program] with every diagnostic), [Parse] (one file to its [File]
// AST), [Format] (canonical, idempotent source) and [EBNF] (the grammar).
// Every problem in the input is an [ir.Diagnostic] with a span; no input
// makes this package panic.
package lang

// Options controls loading.
type Options struct {
	// Overrides are `NAME=VALUE` strings from --set, applied to the plan
	// named Plan, or to every plan when Plan is empty (see
	// docs/language.md, "Overrides").
	Overrides []string
	// Plan, when not empty, is the one plan the overrides apply to; the
	// other plans are checked as written.
	Plan string
}
