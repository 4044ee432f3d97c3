package lang

import (
	"strings"
	"testing"
	"time"
)

func TestLexQuantitiesAndWords(t *testing.T) {
	tests := []struct {
		src  string
		want string // kind:text tokens, space separated
	}{
		{"64 GiB", "Number:64 Unit:GiB"},
		{"1.6 TB/s", "Number:1.6 Unit:TB/s"},
		{"200 Gb/s", "Number:200 Unit:Gb/s"},
		{"2 us", "Number:2 Unit:us"},
		{"191.5 TFLOP/s", "Number:191.5 Unit:TFLOP/s"},
		{"1f1b", "Word:1f1b"},
		{"zb-h1 zb-v", "Word:zb-h1 Word:zb-v"},
		{"51_200 1e-3 3.5e9", "Number:51_200 Number:1e-3 Number:3.5e9"},
		{"dp = 32  tp = 1", "Ident:dp Punct:= Number:32 Ident:tp Punct:= Number:1"},
		{"x = 4 moe { }", "Ident:x Punct:= Number:4 Ident:moe Punct:{ Punct:}"},
		{"f(nodes: 32)", "Ident:f Punct:( Ident:nodes Punct:: Number:32 Punct:)"},
		{"phantom(16, 4)", "Ident:phantom Punct:( Number:16 Punct:, Number:4 Punct:)"},
		{"a = 5 // five\nb = 2", "Ident:a Punct:= Number:5 Comment:// five Ident:b Punct:= Number:2"},
		{`"zb-h1"`, `String:"zb-h1"`},
		{"x = 5\nus = 2", "Ident:x Punct:= Number:5 Ident:us Punct:= Number:2"},
		{"-3", "Number:-3"},
	}
	names := map[int]string{}
	for n, k := range tokenNames() {
		names[int(k)] = n
	}
	for _, tt := range tests {
		toks, diags := lexFile("t", []byte(tt.src))
		if len(diags) > 0 {
			t.Errorf("%q: unexpected diagnostics %v", tt.src, diags)
		}
		var got []string
		for _, tok := range toks {
			got = append(got, names[int(tok.kind)]+":"+tok.text)
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("lex %q\n got %s\nwant %s", tt.src, g, tt.want)
		}
	}
}

func TestParseValues(t *testing.T) {
	tests := []struct {
		src  string
		kind ValueKind
		num  float64
		unit string
		args int
	}{
		{"64 GiB", NumberVal, 64, "GiB", 0},
		{"51_200", NumberVal, 51200, "", 0},
		{"1e-3", NumberVal, 1e-3, "", 0},
		{"1f1b", WordVal, 0, "", 0},
		{`"zb-h1"`, StringVal, 0, "", 0},
		{"auto", NameVal, 0, "", 0},
		{"frontier(nodes: 32)", CallVal, 0, "", 1},
		{"phantom(k: 16, parts: 4)", CallVal, 0, "", 2},
		{"phantom(16, 4,)", CallVal, 0, "", 2},
	}
	for _, tt := range tests {
		v, diags := ParseValue("t", []byte(tt.src))
		if len(diags) > 0 {
			t.Errorf("%q: %v", tt.src, diags)
			continue
		}
		if v.Kind != tt.kind || v.Num != tt.num || v.Unit != tt.unit || len(v.Args) != tt.args {
			t.Errorf("%q: got kind %d num %g unit %q args %d", tt.src, v.Kind, v.Num, v.Unit, len(v.Args))
		}
		if v.Span.Start.Col != 1 || v.Span.End.Col != len(tt.src)+1 {
			t.Errorf("%q: span %v..%v, want the whole text", tt.src, v.Span.Start, v.Span.End)
		}
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		src  string
		want []string // substrings of the messages, in order
	}{
		{"plan p { tp 4 }", []string{"missing = between field tp"}},
		{"plan p { x = \"abc\n}", []string{"unterminated string"}},
		{"plan p { x = 1__0 }", []string{"malformed number"}},
		{"plan p { x = 4 GiBs }", []string{`unknown unit "GiBs"`}},
		{"plan p { x = 1\nplan q { y = 2 }", []string{"missing }"}},
		{"import hw/cpu", []string{"bad import"}},
		{"modle m { }", []string{`unexpected name "modle"`}},
		{"plan p { x = ; }\nplan q { y = }", []string{`unexpected character ";"`, "unexpected"}},
	}
	for _, tt := range tests {
		_, diags := Parse("t.plan", []byte(tt.src))
		if len(diags) < len(tt.want) {
			t.Errorf("%q: got %v, want %d errors", tt.src, diags, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(diags[i].Message, w) {
				t.Errorf("%q: error %d is %q, want it to contain %q", tt.src, i, diags[i].Message, w)
			}
		}
	}
}

func TestParseKeepsGoodDeclarations(t *testing.T) {
	src := "plan broken { tp 4 }\nmodel m { layers = 2 }\nplan ok {\n  moe { rbd = true }\n}\n"
	f, diags := Parse("t.plan", []byte(src))
	if len(diags) != 1 {
		t.Fatalf("want one error, got %v", diags)
	}
	if len(f.Decls) != 2 || f.Decls[0].Name != "m" || f.Decls[1].Name != "ok" {
		t.Fatalf("want declarations m and ok, got %d", len(f.Decls))
	}
	moe := f.Decls[1].Body.Items[0]
	if moe.Block == nil || moe.Span.Start.Line != 4 || moe.Span.End.Line != 4 || moe.NameSpan.Start.Col != 3 {
		t.Errorf("moe block span %v..%v", moe.Span.Start, moe.Span.End)
	}
}

func TestParseErrorInsideNestedBlock(t *testing.T) {
	_, diags := Parse("t.plan", []byte("plan p {\n  moe {\n    rbd = }\n}\n"))
	if len(diags) != 1 || diags[0].Span.Start.Line != 3 || diags[0].Span.Start.Col != 11 {
		t.Fatalf("want one error at 3:11, got %v", diags)
	}
}

// TestParseDeepNestingIsFast guards against the parser's backtracking
// growing faster than the input on unclosed nested blocks.
func TestParseDeepNestingIsFast(t *testing.T) {
	src := "plan p {" + strings.Repeat(" moe {", 5000)
	start := time.Now()
	_, diags := Parse("t.plan", []byte(src))
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "nest deeper") {
		t.Errorf("got %v", diags)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("parsing took %v", d)
	}
}
