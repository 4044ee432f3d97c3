package lang

import (
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"planc/ir"
)

// Token kinds of the plan language. The lexer is hand-written because two
// lexical rules depend on context: a unit is only a unit right after a
// number (`64 GiB`, `1.6 TB/s`), and enum words such as `1f1b` and `zb-h1`
// must not split into numbers, identifiers and minus signs.
const (
	tokEOF     = lexer.EOF
	tokComment = lexer.TokenType(iota + 1)
	tokIdent
	tokWord
	tokNumber
	tokUnit
	tokString
	tokPunct
)

// tokenNames returns the token kinds by name. It is a function, not a
// variable, because participle calls it while the package's variables are
// still being initialized.
func tokenNames() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF":     tokEOF,
		"Comment": tokComment,
		"Ident":   tokIdent,
		"Word":    tokWord,
		"Number":  tokNumber,
		"Unit":    tokUnit,
		"String":  tokString,
		"Punct":   tokPunct,
	}
}

// token is one lexeme with its byte range in the file.
type token struct {
	kind       lexer.TokenType
	text       string
	start, end ir.Pos
}

// scanner turns a file into tokens. It never fails: a character it cannot
// use becomes a diagnostic and is skipped, and an unterminated string ends
// at the end of its line, so that parsing can go on and report more.
type scanner struct {
	file  string
	src   string
	off   int
	limit int // lexing stops here
	line  int
	col   int
	toks  []token
	diags ir.Diagnostics
}

func lexFile(file string, src []byte) ([]token, ir.Diagnostics) {
	return lexRange(file, string(src), 0, len(src), ir.Pos{Line: 1, Col: 1})
}

// lexRange lexes src[start:end], where start is at position at. --set uses
// it to lex a value in the middle of its pseudo-file.
func lexRange(file, src string, start, end int, at ir.Pos) ([]token, ir.Diagnostics) {
	s := &scanner{file: file, src: src, off: start, limit: end, line: at.Line, col: at.Col}
	s.run()
	return s.toks, s.diags
}

func (s *scanner) pos() ir.Pos { return ir.Pos{Offset: s.off, Line: s.line, Col: s.col} }

// advance moves over n bytes, keeping line and column right.
func (s *scanner) advance(n int) {
	for i := 0; i < n && s.off < s.limit; i++ {
		if s.src[s.off] == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
		s.off++
	}
}

func (s *scanner) emit(kind lexer.TokenType, n int) {
	start := s.pos()
	text := s.src[s.off : s.off+n]
	s.advance(n)
	s.toks = append(s.toks, token{kind: kind, text: text, start: start, end: s.pos()})
}

func (s *scanner) errorf(start ir.Pos, n int, format string, args ...any) {
	end := start
	end.Offset += n
	end.Col += n
	s.diags = append(s.diags, ir.Errorf(ir.Span{File: s.file, Start: start, End: end}, format, args...))
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool  { return isLetter(c) || isDigit(c) }

func (s *scanner) at(i int) byte {
	if s.off+i < s.limit && s.off+i >= 0 {
		return s.src[s.off+i]
	}
	return 0
}

func (s *scanner) run() {
	for s.off < s.limit {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			s.advance(1)
		case c == '/' && s.at(1) == '/':
			n := strings.IndexByte(s.src[s.off:s.limit], '\n')
			if n < 0 {
				n = s.limit - s.off
			}
			text := strings.TrimRight(s.src[s.off:s.off+n], "\r")
			s.emit(tokComment, len(text))
		case c == '"':
			s.scanString()
		case isDigit(c) || (c == '-' || c == '+') && isDigit(s.at(1)):
			s.scanNumber()
		case isLetter(c):
			s.scanWord()
		case strings.IndexByte("{}()=,:/", c) >= 0:
			// '/' is no operator, but lexing it as a token lets the parser
			// explain an unquoted path (import hw/cpu).
			s.emit(tokPunct, 1)
		default:
			start := s.pos()
			n := 1
			if c >= 0x80 { // one whole UTF-8 sequence, so the message shows the character
				for n < 4 && s.off+n < s.limit && s.src[s.off+n]&0xC0 == 0x80 {
					n++
				}
			}
			s.errorf(start, n, "unexpected character %q", s.src[s.off:s.off+n])
			s.advance(n)
		}
	}
}

func (s *scanner) scanString() {
	start := s.pos()
	i := 1
	for s.off+i < s.limit {
		switch s.src[s.off+i] {
		case '\\':
			if s.off+i+1 < s.limit && s.src[s.off+i+1] != '\n' {
				i += 2
				continue
			}
		case '"':
			s.emit(tokString, i+1)
			return
		case '\n':
		default:
			i++
			continue
		}
		break
	}
	// Unterminated: the string ends at the end of the line.
	text := strings.TrimRight(s.src[s.off:s.off+i], "\r")
	s.errorf(start, len(text), "unterminated string: missing closing \"")
	s.emit(tokString, len(text))
}

// scanNumber reads a number, or a word that starts with a digit (`1f1b`),
// and then a unit if one follows on the same line.
func (s *scanner) scanNumber() {
	i := 0
	if c := s.at(0); c == '-' || c == '+' {
		i++
	}
	for {
		c := s.at(i)
		if isAlnum(c) || c == '.' {
			i++
			continue
		}
		// A sign belongs to an exponent (1e-3); a dash inside a word (a1-b).
		if (c == '-' || c == '+') && isAlnum(s.at(i+1)) {
			prev := s.at(i - 1)
			if prev == 'e' || prev == 'E' || c == '-' && !isNumberText(s.src[s.off:s.off+i]) {
				i++
				continue
			}
		}
		break
	}
	text := s.src[s.off : s.off+i]
	if n, u := s.gluedUnit(text, i); n > 0 {
		s.emit(tokNumber, n)
		s.emit(tokUnit, u)
		return
	}
	if !isNumberText(text) && isWordText(text) {
		s.emit(tokWord, i)
		return
	}
	// Numbers and malformed numbers alike become Number tokens; the AST
	// builder reports the malformed ones with the exact text.
	s.emit(tokNumber, i)
	s.scanUnit()
}

// gluedUnit splits a number written against its unit (`25GB/s`, `2us`,
// as users type them in --set) into the lengths of the number and of the
// unit; 0, 0 when text (i bytes at the scanner) is not one. Enum words that
// start with a digit (`1f1b`) end in no unit and stay words.
func (s *scanner) gluedUnit(text string, i int) (number, unit int) {
	if isNumberText(text) {
		return 0, 0
	}
	for j := len(text) - 1; j > 0; j-- {
		if !isNumberText(text[:j]) || !isLetter(text[j]) {
			continue
		}
		k := i
		if s.at(k) == '/' && isLetter(s.at(k+1)) {
			k++
			for isAlnum(s.at(k)) {
				k++
			}
		}
		if _, ok := units[s.src[s.off+j:s.off+k]]; ok {
			return j, k - j
		}
		if _, ok := units[text[j:]]; ok {
			return j, i - j
		}
	}
	return 0, 0
}

// isNumberText reports whether t is a well-formed number: digits with single
// underscores between them, an optional fraction and exponent.
func isNumberText(t string) bool {
	_, ok := parseNumberText(t)
	return ok
}

// isWordText reports whether t is an enum word that starts with a digit:
// digits then a letter, then letters, digits, '_' and '-'; never '.'.
func isWordText(t string) bool {
	i := 0
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	if i == 0 || i == len(t) || !isLetter(t[i]) || t[i] == '_' {
		return false
	}
	for ; i < len(t); i++ {
		if !isAlnum(t[i]) && t[i] != '-' {
			return false
		}
	}
	return t[len(t)-1] != '-'
}

// scanUnit lexes a unit after a number on the same line. A name followed by
// `=`, `:` or `{` is the next field, not a unit (`dp = 32  tp = 1`).
func (s *scanner) scanUnit() {
	j := 0
	for s.at(j) == ' ' || s.at(j) == '\t' {
		j++
	}
	if !isLetter(s.at(j)) {
		return
	}
	k := j
	for isAlnum(s.at(k)) {
		k++
	}
	if s.at(k) == '/' && isLetter(s.at(k+1)) {
		k++
		for isAlnum(s.at(k)) {
			k++
		}
	}
	m := k
	for s.at(m) == ' ' || s.at(m) == '\t' {
		m++
	}
	if c := s.at(m); c == '=' || c == ':' || c == '{' {
		return
	}
	word := s.src[s.off+j : s.off+k]
	if !strings.Contains(word, "/") && !looksLikeUnit(word) {
		return
	}
	s.advance(j)
	s.emit(tokUnit, k-j)
}

// looksLikeUnit reports whether a name after a number on the same line is
// meant as a unit: anything but a keyword, which starts a declaration or is
// a value of its own. An unknown unit is reported by the AST builder.
func looksLikeUnit(word string) bool {
	switch word {
	case "import", "device", "node", "cluster", "model", "plan", "auto", "true", "false":
		return false
	}
	return true
}

// participleLexer feeds a token slice to participle.
type participleLexer struct {
	toks []token
	file string
	i    int
	eof  ir.Pos
}

func (l *participleLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return lexer.EOFToken(toLexerPos(l.file, l.eof)), nil
	}
	t := l.toks[l.i]
	l.i++
	return lexer.Token{Type: t.kind, Value: t.text, Pos: toLexerPos(l.file, t.start)}, nil
}

func toLexerPos(file string, p ir.Pos) lexer.Position {
	return lexer.Position{Filename: file, Offset: p.Offset, Line: p.Line, Column: p.Col}
}

// lexDefinition lets participle build the grammar over our token kinds. Its
// Lex is used only by participle itself (for the EBNF); planc lexes with
// [lexFile] and parses with ParseFromLexer.
type lexDefinition struct{}

func (lexDefinition) Symbols() map[string]lexer.TokenType { return tokenNames() }

func (lexDefinition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("lang: %w", err)
	}
	toks, _ := lexFile(filename, b)
	var kept []token
	for _, t := range toks {
		if t.kind != tokComment {
			kept = append(kept, t)
		}
	}
	return &participleLexer{toks: kept, file: filename}, nil
}

// scanWord reads an identifier, or an enum word with dashes (`zb-h1`).
func (s *scanner) scanWord() {
	i := 0
	for isAlnum(s.at(i)) {
		i++
	}
	kind := tokIdent
	for s.at(i) == '-' && isAlnum(s.at(i+1)) {
		kind = tokWord
		i++
		for isAlnum(s.at(i)) {
			i++
		}
	}
	s.emit(kind, i)
}
