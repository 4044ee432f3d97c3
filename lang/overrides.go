package lang

import (
	"fmt"
	"strings"

	"planc/ir"
)

// overrides are the --set NAME=VALUE options as synthetic items, one list
// per target: the plan, its model, its cluster. Nested names (moe.rbd,
// model.moe.experts) become nested blocks. The items' spans point into the
// pseudo-file SetFile, whose lines are the options.
type overrides struct {
	plan, model, cluster []*Item
}

// overrideTargets lists the names --set accepts, for "did you mean".
func overrideTargets() []string {
	var names []string
	for _, f := range ir.PlanFields {
		if f.Kind != ir.BlockValue {
			names = append(names, f.Name)
		}
	}
	for _, f := range ir.PlanMoEFields {
		names = append(names, "moe."+f.Name)
	}
	for _, f := range ir.PlanOverlapFields {
		names = append(names, "overlap."+f.Name)
	}
	for _, f := range ir.TrainFields {
		names = append(names, "train."+f.Name)
	}
	for _, f := range ir.ModelFields {
		if f.Kind != ir.BlockValue {
			names = append(names, "model."+f.Name)
		}
	}
	for _, f := range ir.ModelMoEFields {
		names = append(names, "model.moe."+f.Name)
	}
	for _, f := range ir.ModelMLAFields {
		names = append(names, "model.mla."+f.Name)
	}
	for _, f := range ir.ClusterFields {
		names = append(names, "cluster."+f.Name)
	}
	return names
}

// parseOverrides reads the --set options. Each becomes a line of SetFile,
// so that its diagnostics render with a snippet.
func (c *checker) parseOverrides(sets []string) {
	if len(sets) == 0 {
		return
	}
	for i, s := range sets {
		// A newline inside an option would shift the lines of SetFile.
		sets[i] = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	}
	src := strings.Join(sets, "\n")
	c.prog.Sources[SetFile] = []byte(src)
	valid := map[string]bool{}
	targets := overrideTargets()
	for _, t := range targets {
		valid[t] = true
	}
	offset := 0
	for i, s := range sets {
		line := i + 1
		lineStart := offset
		offset += len(s) + 1
		at := func(from, to int) ir.Span {
			return ir.Span{File: SetFile,
				Start: ir.Pos{Offset: lineStart + from, Line: line, Col: from + 1},
				End:   ir.Pos{Offset: lineStart + to, Line: line, Col: to + 1}}
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			c.errorf(at(0, len(s)), "--set needs NAME=VALUE, not %q", s).Suggestion = "e.g. --set tp=4 or --set model.layers=2"
			continue
		}
		name := strings.TrimSpace(s[:eq])
		nameFrom := strings.Index(s, name)
		nameSpan := at(nameFrom, nameFrom+len(name))
		if !valid[name] {
			d := c.errorf(nameSpan, "--set: unknown field %q", name)
			if sug := suggest(name, targets); sug != "" {
				d.Suggestion = fmt.Sprintf("did you mean %s?", sug)
			} else {
				d.Suggestion = "plan fields go by their name (tp, moe.rbd, overlap.grad_reduce, train.lr), model fields as model.NAME, cluster fields as cluster.NAME"
			}
			continue
		}
		toks, diags := lexRange(SetFile, src, lineStart+eq+1, lineStart+len(s), ir.Pos{Offset: lineStart + eq + 1, Line: line, Col: eq + 2})
		c.diags = append(c.diags, diags...)
		v := c.parseSetValue(toks, at(eq+1, len(s)))
		if v == nil {
			continue
		}
		path := strings.Split(name, ".")
		target := &c.set.plan
		switch path[0] {
		case "model":
			if len(path) > 1 {
				target, path = &c.set.model, path[1:]
			}
		case "cluster":
			if len(path) > 1 {
				target, path = &c.set.cluster, path[1:]
			}
		}
		item := &Item{Span: at(nameFrom, len(s)), Name: path[len(path)-1], NameSpan: nameSpan, Value: v}
		addOverride(target, path[:len(path)-1], item, nameSpan)
	}
}

func (c *checker) parseSetValue(toks []token, span ir.Span) *Value {
	if len(toks) == 0 {
		c.errorf(span, "--set: missing value after =")
		return nil
	}
	var code []token
	for _, t := range toks {
		if t.kind != tokComment {
			code = append(code, t)
		}
	}
	if len(code) == 0 {
		c.errorf(span, "--set: missing value after =")
		return nil
	}
	toks = code
	b := &builder{file: SetFile}
	v, err := parseValueTokens(toks)
	if err != nil {
		c.diags = append(c.diags, syntaxDiagnostic(SetFile, err, toks))
		return nil
	}
	v2 := b.value(v)
	c.diags = append(c.diags, b.diags...)
	if v2.Kind == StringVal && !v2.Bad {
		// --set cluster.inter_bw="25 GB/s": the quotes only keep the
		// value in one piece; what is inside is the value.
		inner, ok := c.unquoteSetValue(v2)
		if ok {
			return inner
		}
	}
	return v2
}

// unquoteSetValue parses the inside of a quoted --set value as a value. It
// fails quietly (the string stays a string) when the inside is not one.
func (c *checker) unquoteSetValue(v *Value) (*Value, bool) {
	if strings.ContainsAny(v.Text, "\\") || len(v.Text) < 3 {
		return nil, false
	}
	src := string(c.prog.Sources[SetFile])
	start, end := v.Span.Start.Offset+1, v.Span.End.Offset-1
	if start < 0 || end > len(src) || start >= end {
		return nil, false
	}
	at := v.Span.Start
	at.Offset++
	at.Col++
	toks, diags := lexRange(SetFile, src, start, end, at)
	if len(diags) > 0 || len(toks) == 0 {
		return nil, false
	}
	g, err := parseValueTokens(toks)
	if err != nil {
		return nil, false
	}
	b := &builder{file: SetFile}
	inner := b.value(g)
	if len(b.diags) > 0 || inner.Kind == StringVal {
		return nil, false
	}
	return inner, true
}

// addOverride puts item into the nested blocks named by path, replacing
// an earlier --set of the same field.
func addOverride(items *[]*Item, path []string, item *Item, span ir.Span) {
	if len(path) == 0 {
		for i, old := range *items {
			if old.Name == item.Name && old.Block == nil {
				(*items)[i] = item
				return
			}
		}
		*items = append(*items, item)
		return
	}
	for _, old := range *items {
		if old.Name == path[0] && old.Block != nil {
			addOverride(&old.Block.Items, path[1:], item, span)
			return
		}
	}
	blk := &Item{Span: span, Name: path[0], NameSpan: span, Block: &Block{Span: span}}
	*items = append(*items, blk)
	addOverride(&blk.Block.Items, path[1:], item, span)
}
