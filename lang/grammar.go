package lang

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"planc/ir"
)

// The participle grammar. These types are the parse tree; [buildFile]
// turns them into the AST of ast.go, which is what the rest of planc sees.
// Keywords (device, model, auto, true, ...) are identifiers matched by
// value, so a field may be called `model` or `node`.

type gFile struct {
	Entries []*gEntry `parser:"@@*"`
}

type gEntry struct {
	Import *gImport `parser:"  @@"`
	Decl   *gDecl   `parser:"| @@"`
}

type gImport struct {
	Tokens []lexer.Token
	Path   string `parser:"'import' @String"`
}

type gDecl struct {
	Tokens []lexer.Token
	Kind   string  `parser:"@('device' | 'node' | 'cluster' | 'model' | 'plan')"`
	Name   string  `parser:"@Ident"`
	Body   *gBlock `parser:"@@"`
}

type gBlock struct {
	Tokens []lexer.Token
	Items  []*gItem `parser:"'{' @@* '}'"`
}

type gItem struct {
	Tokens []lexer.Token
	Name   string  `parser:"@Ident"`
	Value  *gValue `parser:"( '=' @@"`
	Block  *gBlock `parser:"| @@ )"`
}

type gValue struct {
	Tokens   []lexer.Token
	Quantity *gQuantity `parser:"  @@"`
	Word     string     `parser:"| @Word"`
	String   string     `parser:"| @String"`
	Ref      *gRef      `parser:"| @@"`
}

type gQuantity struct {
	Number string `parser:"@Number"`
	Unit   string `parser:"@Unit?"`
}

type gRef struct {
	Name string `parser:"@Ident"`
	Call *gArgs `parser:"@@?"`
}

type gArgs struct {
	Tokens []lexer.Token
	Args   []*gArg `parser:"'(' ( @@ ( ',' @@ )* ','? )? ')'"`
}

type gArg struct {
	Tokens []lexer.Token
	Name   string  `parser:"( @Ident ':' )?"`
	Value  *gValue `parser:"@@"`
}

var (
	parserOptions = []participle.Option{participle.Lexer(lexDefinition{}), participle.UseLookahead(2)}
	fileParser    = participle.MustBuild[gFile](parserOptions...)
	entryParser   = participle.MustBuild[gEntry](parserOptions...)
	valueParser   = participle.MustBuild[gValue](parserOptions...)
	itemParser    = participle.MustBuild[gItem](parserOptions...)
	argsParser    = participle.MustBuild[gArgs](parserOptions...)
)

// EBNF returns the grammar of the plan language in EBNF, as participle
// derives it from the grammar's struct tags. Tokens are Ident, Word (enum
// words such as 1f1b and zb-h1), Number, Unit (only right after a number),
// String and Punct; comments are kept apart for the formatter.
func EBNF() string { return fileParser.String() }

// isDeclStart reports whether toks[i] starts an import or a declaration.
// Parsing restarts at each such token, so that one broken declaration does
// not hide the errors of the next ones.
func isDeclStart(toks []token, i int) bool {
	t := toks[i]
	if t.kind != tokIdent {
		return false
	}
	next := func(k int) token {
		if i+k < len(toks) {
			return toks[i+k]
		}
		return token{}
	}
	switch t.text {
	case "import":
		if next(1).kind == tokString {
			return true
		}
	}
	// A keyword at the start of a line starts a declaration even when
	// what follows is broken (`plan { }`), unless it is a field (`model =`).
	if (t.text == "import" || isDeclKind(t.text)) && t.start.Col == 1 && !(next(1).kind == tokPunct && next(1).text == "=") {
		return true
	}
	// KIND NAME { starts a declaration, even with a misspelt kind at the
	// start of a line (`modle m {`), which then gets its own error.
	if next(1).kind == tokIdent && next(2).kind == tokPunct && next(2).text == "{" {
		return isDeclKind(t.text) || t.start.Col == 1
	}
	return false
}

func isDeclKind(s string) bool {
	switch s {
	case "device", "node", "cluster", "model", "plan":
		return true
	}
	return false
}

// parseTokens parses the tokens of one file (comments removed), one
// declaration at a time, and returns every entry that parsed together with
// one diagnostic per declaration that did not.
func parseTokens(file string, toks []token) ([]*gEntry, ir.Diagnostics) {
	var entries []*gEntry
	var diags ir.Diagnostics
	start := 0
	for start < len(toks) {
		end := start + 1
		for end < len(toks) && !isDeclStart(toks, end) {
			end++
		}
		seg := toks[start:end]
		start = end
		if d, ok := tooDeep(file, seg); ok {
			diags = append(diags, d)
			continue
		}
		eof := seg[len(seg)-1].end
		lex, err := lexer.Upgrade(&participleLexer{toks: seg, file: file, eof: eof})
		if err == nil {
			var e *gEntry
			e, err = entryParser.ParseFromLexer(lex)
			if err == nil {
				entries = append(entries, e)
			}
		}
		if err != nil {
			err = deeperItemError(file, err, seg)
			diags = append(diags, syntaxDiagnostic(file, err, seg))
		}
	}
	return entries, diags
}

// maxNesting bounds how deep blocks and calls nest. The schema needs two
// levels; the bound keeps the parser's backtracking from taking time that
// grows faster than the input.
const maxNesting = 8

// tooDeep reports a declaration whose blocks or calls nest deeper than
// maxNesting; it is not parsed.
func tooDeep(file string, seg []token) (ir.Diagnostic, bool) {
	depth := 0
	for _, t := range seg {
		if t.kind != tokPunct {
			continue
		}
		switch t.text {
		case "{", "(":
			depth++
			if depth > maxNesting {
				d := ir.Errorf(ir.Span{File: file, Start: t.start, End: t.end}, "blocks and calls nest deeper than %d levels", maxNesting)
				return d, true
			}
		case "}", ")":
			depth--
		}
	}
	return ir.Diagnostic{}, false
}

// deeperItemError improves an error that participle reports at the start
// of a field (its lookahead gives up on the whole field): it parses that
// field alone and returns the error found inside it, if any.
func deeperItemError(file string, err error, seg []token) error {
	ut, ok := err.(*participle.UnexpectedTokenError)
	if !ok {
		return err
	}
	isCall := ut.Unexpected.Type == tokPunct && ut.Unexpected.Value == "("
	if ut.Unexpected.Type != tokIdent && !isCall {
		return err
	}
	for i, t := range seg {
		if t.start.Offset != ut.Unexpected.Pos.Offset {
			continue
		}
		if !isCall && (i+1 >= len(seg) || seg[i+1].kind != tokPunct || seg[i+1].text != "=" && seg[i+1].text != "{") {
			return err
		}
		lex, lerr := lexer.Upgrade(&participleLexer{toks: seg[i:], file: file, eof: seg[len(seg)-1].end})
		if lerr != nil {
			return err
		}
		var ierr error
		if isCall {
			_, ierr = argsParser.ParseFromLexer(lex, participle.AllowTrailing(true))
		} else {
			_, ierr = itemParser.ParseFromLexer(lex, participle.AllowTrailing(true))
		}
		if ierr != nil {
			if pe, ok := ierr.(participle.Error); ok && pe.Position().Offset > ut.Unexpected.Pos.Offset {
				// The error may again be at the start of a nested field;
				// offsets only grow, so this ends.
				return deeperItemError(file, ierr, seg)
			}
		}
		return err
	}
	return err
}

// syntaxDiagnostic turns a participle error into a diagnostic at the token
// it could not use, in planc's words.
func syntaxDiagnostic(file string, err error, seg []token) ir.Diagnostic {
	perr, ok := err.(participle.Error)
	if !ok {
		return ir.Errorf(ir.Span{File: file, Start: seg[0].start, End: seg[0].end}, "syntax error: %v", err)
	}
	pos := perr.Position()
	span := ir.Span{File: file, Start: ir.Pos{Offset: pos.Offset, Line: pos.Line, Col: pos.Column}}
	span.End = span.Start
	msg := perr.Message()
	var ut *participle.UnexpectedTokenError
	if u, isUT := err.(*participle.UnexpectedTokenError); isUT {
		ut = u
	}
	if ut == nil {
		span.End.Col++
		span.End.Offset++
		return ir.Errorf(span, "syntax error: %s", msg)
	}
	expect := ""
	if i := strings.Index(msg, "(expected "); i >= 0 {
		expect = strings.TrimSuffix(msg[i+len("(expected "):], ")")
		expect = grammarWords.Replace(expect)
	}
	if ut.Unexpected.EOF() {
		// The declaration ran out: the next declaration or the end of
		// the file came first. Point just past the last token.
		span.End.Col++
		span.End.Offset++
		d := ir.Errorf(span, "unexpected end of declaration")
		var open []token
		for _, t := range seg {
			if t.kind == tokPunct && t.text == "{" {
				open = append(open, t)
			} else if t.kind == tokPunct && t.text == "}" && len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
		if n := len(open); n > 0 {
			d.Message = fmt.Sprintf("missing } (%d block%s still open)", n, plural(n))
			d.Notes = []string{fmt.Sprintf("%s: the innermost open block starts here", ir.Span{File: file, Start: open[n-1].start})}
		} else if expect != "" {
			d.Message += ": expected " + expect
		}
		return d
	}
	span.End.Offset += len(ut.Unexpected.Value)
	span.End.Col += len(ut.Unexpected.Value)
	at := -1
	for i, t := range seg {
		if t.start.Offset == pos.Offset {
			at = i
			break
		}
	}
	tokAt := func(i int) token {
		if i >= 0 && i < len(seg) {
			return seg[i]
		}
		return token{}
	}
	d := ir.Errorf(span, "unexpected %s", describeToken(ut.Unexpected))
	switch {
	case at == 0 && ut.Unexpected.Type == tokIdent:
		d.Message += ": expected import or a declaration (device, node, cluster, model, plan)"
		if s := suggest(ut.Unexpected.Value, []string{"import", "device", "node", "cluster", "model", "plan"}); s != "" {
			d.Suggestion = fmt.Sprintf("did you mean %s?", s)
		}
	case at == 0:
		d.Message += ": expected import or a declaration (device, node, cluster, model, plan)"
	case tokAt(at-1).text == "import" && tokAt(at-1).kind == tokIdent:
		d.Message = fmt.Sprintf("bad import: expected a quoted path after import, found %s", describeToken(ut.Unexpected))
		// The path as written: the tokens that touch each other (hw/cpu).
		path := seg[at].text
		for i := at + 1; i < len(seg) && seg[i].start.Offset == seg[i-1].end.Offset; i++ {
			path += seg[i].text
		}
		d.Suggestion = fmt.Sprintf("write import %q", path)
	case ut.Unexpected.Type == tokIdent && tokAt(at+1).kind == tokPunct && tokAt(at+1).text == ":":
		// A named argument without its value: f(nodes: ).
		next := tokAt(at + 2)
		d.Span = ir.Span{File: file, Start: tokAt(at + 1).end, End: tokAt(at + 1).end}
		d.Span.End.Col++
		d.Span.End.Offset++
		if at+2 < len(seg) {
			d.Span = ir.Span{File: file, Start: next.start, End: next.end}
		}
		d.Message = fmt.Sprintf("missing value for argument %s", ut.Unexpected.Value)
	case ut.Unexpected.Type == tokIdent && at+1 < len(seg) && !(tokAt(at-1).kind == tokPunct && (tokAt(at-1).text == "(" || tokAt(at-1).text == ",")) &&
		!(tokAt(at+1).kind == tokPunct && (tokAt(at+1).text == "=" || tokAt(at+1).text == "{")):
		// A field name not followed by = or {.
		next := tokAt(at + 1)
		d.Span = ir.Span{File: file, Start: next.start, End: next.end}
		d.Message = fmt.Sprintf("missing = between field %s and its value", ut.Unexpected.Value)
		d.Suggestion = fmt.Sprintf("write %s = %s", ut.Unexpected.Value, next.text)
	case expect != "":
		d.Message += ": expected " + expect
	default:
		d.Message += ": expected import or a declaration (device, node, cluster, model, plan)"
	}
	return d
}

// grammarWords turns participle's names of grammar rules and tokens into
// words for messages.
var grammarWords = strings.NewReplacer(
	"<ident> GBlock", `a name and "{"`,
	"GValue", "a value", "GBlock", `"{"`, "GItem", "a field", "GArgs", `"("`, "GArg", "an argument",
	"GQuantity", "a number", "GRef", "a name", "GDecl", "a declaration", "GImport", "import",
	"<ident>", "a name", "<string>", "a string", "<number>", "a number", "<unit>", "a unit", "<word>", "a word",
)

func describeToken(t lexer.Token) string {
	switch t.Type {
	case tokIdent:
		return fmt.Sprintf("name %q", t.Value)
	case tokNumber:
		return fmt.Sprintf("number %s", t.Value)
	case tokUnit:
		return fmt.Sprintf("unit %q", t.Value)
	case tokString:
		return fmt.Sprintf("string %s", t.Value)
	case tokWord:
		return fmt.Sprintf("word %q", t.Value)
	}
	return fmt.Sprintf("%q", t.Value)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
