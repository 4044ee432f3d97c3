package lang

import (
	"sort"
	"strings"

	"planc/ir"
)

// SetFields returns the source of a plan file with fields of one plan set
// to new values, in canonical form ([Format]) with every comment kept.
// Each set is `NAME=VALUE` as --set writes it: a plan field (tp), a field
// of the plan's moe or train block (moe.rbd), or a field of the plan's
// model (model.seq), which becomes an override in the model reference
// (`model = gpt_1t(seq: 4096)`), and likewise a cluster field
// (cluster.nodes). A field already written has its value
// replaced in place, so its comments stay with it; a field not written is
// added at the end of its block (the block is added if missing). SetFields
// does not check the values beyond their syntax: load the result to check
// it.
func SetFields(filename string, src []byte, plan string, sets []string) ([]byte, ir.Diagnostics) {
	f, diags := Parse(filename, src)
	if diags.HasErrors() {
		return nil, diags
	}
	var decl *Decl
	for _, d := range f.Decls {
		if d.Kind == "plan" && d.Name == plan {
			decl = d
		}
	}
	if decl == nil {
		return nil, ir.Diagnostics{ir.Errorf(ir.Span{File: filename}, "%s declares no plan %s", filename, plan)}
	}
	var ed editor
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" {
			return nil, ir.Diagnostics{ir.Errorf(ir.Span{File: filename}, "set %q is not NAME=VALUE", s)}
		}
		if _, vd := ParseValue(SetFile, []byte(value)); vd.HasErrors() {
			return nil, vd
		}
		ed.set(decl.Body, name, value)
	}
	return Format(filename, ed.apply(src))
}

// editor collects text replacements and applies them from the end of the
// file backwards, so that earlier offsets stay valid.
type editor struct{ edits []textEdit }

type textEdit struct {
	from, to int
	text     string
}

func (e *editor) replace(s ir.Span, text string) {
	e.edits = append(e.edits, textEdit{s.Start.Offset, s.End.Offset, text})
}

func (e *editor) insert(at int, text string) { e.edits = append(e.edits, textEdit{at, at, text}) }

func (e *editor) apply(src []byte) []byte {
	sort.SliceStable(e.edits, func(i, j int) bool { return e.edits[i].from > e.edits[j].from })
	out := append([]byte(nil), src...)
	for _, x := range e.edits {
		out = append(out[:x.from], append([]byte(x.text), out[x.to:]...)...)
	}
	return out
}

func itemNamed(b *Block, name string) *Item {
	for _, it := range b.Items {
		if it.Name == name {
			return it
		}
	}
	return nil
}

// beforeClose is the offset of a block's closing brace.
func beforeClose(b *Block) int { return b.Span.End.Offset - 1 }

func (e *editor) set(body *Block, name, value string) {
	block, field, nested := strings.Cut(name, ".")
	if !nested {
		e.setField(body, name, value)
		return
	}
	if block == "model" || block == "cluster" {
		e.setRefArg(body, block, field, value)
		return
	}
	it := itemNamed(body, block)
	if it == nil || it.Block == nil {
		e.insert(beforeClose(body), " "+block+" {\n"+field+" = "+value+"\n}\n")
		return
	}
	e.setField(it.Block, field, value)
}

func (e *editor) setField(b *Block, name, value string) {
	if it := itemNamed(b, name); it != nil && it.Value != nil {
		e.replace(it.Value.Span, value)
		return
	}
	e.insert(beforeClose(b), " "+name+" = "+value+"\n")
}

// setRefArg writes a model or cluster field as an argument of the plan's
// reference: `model = m` becomes `model = m(field: value)`.
func (e *editor) setRefArg(body *Block, ref, field, value string) {
	it := itemNamed(body, ref)
	if it == nil || it.Value == nil {
		return // the checker reports the missing reference
	}
	v := it.Value
	switch v.Kind {
	case NameVal:
		e.replace(v.Span, v.Text+"("+field+": "+value+")")
	case CallVal:
		for _, a := range v.Args {
			if a.Name == field {
				e.replace(a.Value.Span, value)
				return
			}
		}
		sep := ", "
		if len(v.Args) == 0 {
			sep = ""
		}
		e.insert(v.Span.End.Offset-1, sep+field+": "+value)
	}
}
