package lang

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"planc/ir"
)

// File is one parsed plan file.
type File struct {
	Name    string
	Src     []byte
	Imports []*Import
	Decls   []*Decl
	// Entries holds the imports and declarations in source order, for
	// the formatter.
	Entries []Node
	// Comments holds every comment of the file in order. The formatter
	// attaches them to the nodes around them.
	Comments []*Comment
}

// Node is any AST node: it has a span.
type Node interface{ NodeSpan() ir.Span }

// Comment is one `// ...` comment.
type Comment struct {
	Span ir.Span
	Text string // with the leading //
}

// Import is `import "PATH"`.
type Import struct {
	Span     ir.Span
	Path     string
	PathSpan ir.Span
}

// Decl is `KIND NAME { ... }`.
type Decl struct {
	Span     ir.Span
	Kind     string // device, node, cluster, model, plan
	Name     string
	NameSpan ir.Span
	Body     *Block
}

// Block is `{ ITEM ... }`.
type Block struct {
	Span  ir.Span // from { to }
	Items []*Item
}

// Item is a field `NAME = VALUE` or a nested block `NAME { ... }`.
type Item struct {
	Span     ir.Span
	Name     string
	NameSpan ir.Span
	Value    *Value // nil for a block
	Block    *Block // nil for a field
}

// ValueKind tells what a [Value] is.
type ValueKind int

const (
	NumberVal ValueKind = iota // 42, 1.5e3, 64 GiB (Unit set)
	WordVal                    // 1f1b, zb-h1
	StringVal                  // "zb-h1"
	NameVal                    // an identifier: a reference, an enum value, auto, true, false
	CallVal                    // frontier(nodes: 32), phantom(16, 4)
)

// Value is the right-hand side of a field.
type Value struct {
	Span ir.Span
	Kind ValueKind
	// Text is the value as written: the number (without unit), the word,
	// the string with its quotes, or the name.
	Text     string
	Num      float64 // NumberVal
	Unit     string  // NumberVal with a unit
	UnitSpan ir.Span
	Str      string // StringVal, unquoted
	// Bad marks a literal that is already reported as malformed (a
	// malformed number, an unknown unit, an unterminated string); the
	// checker does not complain about it again.
	Bad  bool
	Args []*Arg // CallVal
}

// Arg is one argument of a call: `name: value` or a positional value.
type Arg struct {
	Span     ir.Span
	Name     string // "" for a positional argument
	NameSpan ir.Span
	Value    *Value
}

func (n *Import) NodeSpan() ir.Span { return n.Span }
func (n *Decl) NodeSpan() ir.Span   { return n.Span }
func (n *Block) NodeSpan() ir.Span  { return n.Span }
func (n *Item) NodeSpan() ir.Span   { return n.Span }
func (n *Value) NodeSpan() ir.Span  { return n.Span }
func (n *Arg) NodeSpan() ir.Span    { return n.Span }

// Parse reads one file into its AST. It returns the declarations that
// parsed, even when others did not, and every syntax error.
func Parse(filename string, src []byte) (*File, ir.Diagnostics) {
	toks, diags := lexFile(filename, src)
	f := &File{Name: filename, Src: src}
	var code []token
	for _, t := range toks {
		if t.kind == tokComment {
			f.Comments = append(f.Comments, &Comment{Span: ir.Span{File: filename, Start: t.start, End: t.end}, Text: t.text})
		} else {
			code = append(code, t)
		}
	}
	entries, perrs := parseTokens(filename, code)
	diags = append(diags, perrs...)
	b := &builder{file: filename, toks: code}
	for _, e := range entries {
		switch {
		case e.Import != nil:
			imp := b.importNode(e.Import)
			f.Imports = append(f.Imports, imp)
			f.Entries = append(f.Entries, imp)
		case e.Decl != nil:
			d := b.decl(e.Decl)
			f.Decls = append(f.Decls, d)
			f.Entries = append(f.Entries, d)
		}
	}
	diags = append(diags, b.diags...)
	diags.Sort()
	return f, diags
}

// ParseValue parses one value in the source syntax, as --set and the
// schema's defaults write them.
func ParseValue(filename string, src []byte) (*Value, ir.Diagnostics) {
	toks, diags := lexFile(filename, src)
	var code []token
	for _, t := range toks {
		if t.kind != tokComment {
			code = append(code, t)
		}
	}
	if len(code) == 0 {
		end := ir.Pos{Offset: len(src), Line: 1, Col: len(src) + 1}
		return nil, append(diags, ir.Errorf(ir.Span{File: filename, Start: end, End: end}, "missing value"))
	}
	g, err := parseValueTokens(code)
	if err != nil {
		return nil, append(diags, syntaxDiagnostic(filename, err, code))
	}
	b := &builder{file: filename, toks: code}
	v := b.value(g)
	return v, append(diags, b.diags...)
}

// parseValueTokens parses tokens (no comments) as one value.
func parseValueTokens(code []token) (*gValue, error) {
	file := ""
	lex, err := lexer.Upgrade(&participleLexer{toks: code, file: file, eof: code[len(code)-1].end})
	if err != nil {
		return nil, err
	}
	return valueParser.ParseFromLexer(lex)
}

// builder turns the parse tree into the AST, computing spans from tokens
// and decoding literals.
type builder struct {
	file  string
	toks  []token
	diags ir.Diagnostics
}

// span returns the span covered by participle tokens, using the lexer's
// end positions (participle only records starts).
func (b *builder) span(ts []lexer.Token) ir.Span {
	if len(ts) == 0 {
		return ir.Span{File: b.file}
	}
	first, last := ts[0], ts[len(ts)-1]
	return ir.Span{File: b.file, Start: b.posOf(first), End: b.endOf(last)}
}

func (b *builder) posOf(t lexer.Token) ir.Pos {
	return ir.Pos{Offset: t.Pos.Offset, Line: t.Pos.Line, Col: t.Pos.Column}
}

func (b *builder) endOf(t lexer.Token) ir.Pos {
	// Tokens never span lines, so the end is on the same line.
	p := b.posOf(t)
	p.Offset += len(t.Value)
	p.Col += len(t.Value)
	return p
}

func (b *builder) tokSpan(t lexer.Token) ir.Span {
	return ir.Span{File: b.file, Start: b.posOf(t), End: b.endOf(t)}
}

func (b *builder) importNode(g *gImport) *Import {
	imp := &Import{Span: b.span(g.Tokens), PathSpan: b.tokSpan(g.Tokens[len(g.Tokens)-1])}
	imp.Path = unquote(g.Path)
	if imp.Path == "" {
		b.diags = append(b.diags, ir.Errorf(imp.PathSpan, "empty import path"))
	}
	return imp
}

func (b *builder) decl(g *gDecl) *Decl {
	return &Decl{
		Span:     b.span(g.Tokens),
		Kind:     g.Kind,
		Name:     g.Name,
		NameSpan: b.tokSpan(g.Tokens[1]),
		Body:     b.block(g.Body),
	}
}

func (b *builder) block(g *gBlock) *Block {
	blk := &Block{Span: b.span(g.Tokens)}
	for _, it := range g.Items {
		item := &Item{Span: b.span(it.Tokens), Name: it.Name, NameSpan: b.tokSpan(it.Tokens[0])}
		if it.Block != nil {
			item.Block = b.block(it.Block)
		} else {
			item.Value = b.value(it.Value)
		}
		blk.Items = append(blk.Items, item)
	}
	return blk
}

func (b *builder) value(g *gValue) *Value {
	v := &Value{Span: b.span(g.Tokens)}
	switch {
	case g.Quantity != nil:
		v.Kind = NumberVal
		v.Text = g.Quantity.Number
		numTok := g.Tokens[0]
		n, ok := parseNumberText(v.Text)
		if !ok {
			b.diags = append(b.diags, ir.Errorf(b.tokSpan(numTok), "malformed number %q", v.Text))
			v.Bad = true
		}
		v.Num = n
		if g.Quantity.Unit != "" {
			v.Unit = g.Quantity.Unit
			v.UnitSpan = b.tokSpan(g.Tokens[1])
			if _, known := units[v.Unit]; !known {
				v.Bad = true
				d := ir.Errorf(v.UnitSpan, "unknown unit %q", v.Unit)
				if s := suggest(v.Unit, unitNames()); s != "" {
					d.Suggestion = fmt.Sprintf("did you mean %s?", s)
				}
				b.diags = append(b.diags, d)
			}
		}
	case g.Word != "":
		v.Kind, v.Text = WordVal, g.Word
	case g.String != "":
		v.Kind, v.Text, v.Str = StringVal, g.String, unquote(g.String)
		v.Bad = len(g.String) < 2 || g.String[len(g.String)-1] != '"'
	case g.Ref != nil:
		v.Kind, v.Text = NameVal, g.Ref.Name
		if g.Ref.Call != nil {
			v.Kind = CallVal
			for _, a := range g.Ref.Call.Args {
				arg := &Arg{Span: b.span(a.Tokens), Name: a.Name, Value: b.value(a.Value)}
				if a.Name != "" {
					arg.NameSpan = b.tokSpan(a.Tokens[0])
				}
				v.Args = append(v.Args, arg)
			}
		}
	}
	return v
}

// unquote decodes a string literal; an unterminated one (already reported
// by the lexer) yields its text after the quote.
func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`)
}
