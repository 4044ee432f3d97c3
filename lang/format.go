package lang

import (
	"sort"
	"strings"

	"planc/ir"
)

// Format returns the canonical form of a plan file: one field per line,
// two-space indentation, `=` aligned within each run of consecutive fields
// of a block, at most one blank line where the source had any, a single
// space before trailing comments, and every comment kept. A file with
// syntax errors is not formatted: Format returns nil and the errors.
// Format is idempotent: Format(Format(x)) == Format(x).
func Format(filename string, src []byte) ([]byte, ir.Diagnostics) {
	f, diags := Parse(filename, src)
	if diags.HasErrors() {
		return nil, diags
	}
	p := &printer{src: src}
	p.attach(f)
	p.file(f)
	return []byte(p.b.String()), diags
}

// anchor is a piece of the file that comments attach to: an import, a
// declaration's or block's header line, a field, or a closing brace.
type anchor struct {
	start, end int
	node       any // *Import, *Decl, *Item, or *Block for its closing brace
	closing    bool
}

// attached are the comments around one anchor.
type attached struct {
	leading  []*Comment
	trailing []*Comment
}

type printer struct {
	src      []byte
	b        strings.Builder
	comments map[any]*attached // by anchor node; closing braces by *Block
	trailer  []*Comment        // comments after the last declaration
}

func (p *printer) key(a anchor) any {
	if a.closing {
		return closeKey{a.node.(*Block)}
	}
	return a.node
}

type closeKey struct{ b *Block }

func (p *printer) attach(f *File) {
	var anchors []anchor
	var block func(b *Block)
	block = func(b *Block) {
		for _, it := range b.Items {
			if it.Block == nil {
				anchors = append(anchors, anchor{it.Span.Start.Offset, it.Span.End.Offset, it, false})
				continue
			}
			anchors = append(anchors, anchor{it.Span.Start.Offset, it.Block.Span.Start.Offset + 1, it, false})
			block(it.Block)
		}
		anchors = append(anchors, anchor{b.Span.End.Offset - 1, b.Span.End.Offset, b, true})
	}
	for _, e := range f.Entries {
		switch e := e.(type) {
		case *Import:
			anchors = append(anchors, anchor{e.Span.Start.Offset, e.Span.End.Offset, e, false})
		case *Decl:
			anchors = append(anchors, anchor{e.Span.Start.Offset, e.Body.Span.Start.Offset + 1, e, false})
			block(e.Body)
		}
	}
	sort.SliceStable(anchors, func(i, j int) bool { return anchors[i].start < anchors[j].start })
	p.comments = map[any]*attached{}
	get := func(a anchor) *attached {
		k := p.key(a)
		if p.comments[k] == nil {
			p.comments[k] = &attached{}
		}
		return p.comments[k]
	}
	for _, c := range f.Comments {
		at := c.Span.Start.Offset
		i := sort.Search(len(anchors), func(i int) bool { return anchors[i].start > at })
		if p.codeBefore(at) && i > 0 {
			get(anchors[i-1]).trailing = append(get(anchors[i-1]).trailing, c)
			continue
		}
		if i < len(anchors) {
			get(anchors[i]).leading = append(get(anchors[i]).leading, c)
			continue
		}
		p.trailer = append(p.trailer, c)
	}
}

// codeBefore reports whether something other than blanks precedes offset
// on its line.
func (p *printer) codeBefore(offset int) bool {
	for i := offset - 1; i >= 0 && p.src[i] != '\n'; i-- {
		if p.src[i] != ' ' && p.src[i] != '\t' && p.src[i] != '\r' {
			return true
		}
	}
	return false
}

// blankBefore reports whether a blank line precedes offset.
func (p *printer) blankBefore(offset int) bool {
	newlines := 0
	for i := offset - 1; i >= 0; i-- {
		switch p.src[i] {
		case '\n':
			newlines++
		case ' ', '\t', '\r':
		default:
			return newlines >= 2
		}
	}
	return false
}

func (p *printer) commentsOf(node any) *attached {
	if a := p.comments[node]; a != nil {
		return a
	}
	return &attached{}
}

// leading prints the comments before a node, the last of several trailing
// comments excepted, and returns the trailing comment text ("" if none).
// first says whether the node opens its file or block (no blank line).
func (p *printer) leading(indent string, node any, start int, first bool) (trailing string) {
	a := p.commentsOf(node)
	for _, c := range a.leading {
		if p.blankBefore(c.Span.Start.Offset) && !first {
			p.b.WriteString("\n")
		}
		first = false
		p.b.WriteString(indent + commentText(c) + "\n")
	}
	if start >= 0 && p.blankBefore(start) && !first {
		p.b.WriteString("\n")
	}
	// Comments that sat inside a node written over several lines move
	// above it, in order; the last one stays at the end of the line.
	for i, c := range a.trailing {
		if i < len(a.trailing)-1 {
			p.b.WriteString(indent + commentText(c) + "\n")
		} else {
			trailing = " " + commentText(c)
		}
	}
	return trailing
}

func commentText(c *Comment) string { return strings.TrimRight(c.Text, " \t\r") }

func (p *printer) file(f *File) {
	for i, e := range f.Entries {
		switch e := e.(type) {
		case *Import:
			tr := p.leading("", e, e.Span.Start.Offset, i == 0)
			p.b.WriteString("import " + quoteOf(p.src, e.PathSpan) + tr + "\n")
		case *Decl:
			tr := p.leading("", e, e.Span.Start.Offset, i == 0)
			p.b.WriteString(e.Kind + " " + e.Name + " {")
			p.blockBody("  ", e.Body, tr)
			p.b.WriteString("\n")
		}
	}
	for i, c := range p.trailer {
		if p.blankBefore(c.Span.Start.Offset) && (i > 0 || len(f.Entries) > 0) {
			p.b.WriteString("\n")
		}
		p.b.WriteString(commentText(c) + "\n")
	}
}

func quoteOf(src []byte, s ir.Span) string { return string(src[s.Start.Offset:s.End.Offset]) }

// blockBody prints the inside of a block after its `{` (with the header's
// trailing comment) up to and including the closing `}`.
func (p *printer) blockBody(indent string, b *Block, headerTrailing string) {
	closing := p.commentsOf(closeKey{b})
	if len(b.Items) == 0 && len(closing.leading) == 0 && headerTrailing == "" {
		p.b.WriteString("}" + p.closeTrailing(indent, closing))
		return
	}
	p.b.WriteString(headerTrailing + "\n")
	outer := indent[:len(indent)-2]
	width := p.alignWidths(b)
	for i, it := range b.Items {
		tr := p.leading(indent, it, it.Span.Start.Offset, i == 0)
		if it.Block != nil {
			p.b.WriteString(indent + it.Name + " {")
			p.blockBody(indent+"  ", it.Block, tr)
			p.b.WriteString("\n")
			continue
		}
		p.b.WriteString(indent + it.Name + strings.Repeat(" ", width[i]-len(it.Name)) + " = " + valueString(it.Value) + tr + "\n")
	}
	for i, c := range closing.leading {
		if p.blankBefore(c.Span.Start.Offset) && (i > 0 || len(b.Items) > 0) {
			p.b.WriteString("\n")
		}
		p.b.WriteString(indent + commentText(c) + "\n")
	}
	p.b.WriteString(outer + "}" + p.closeTrailing(outer, closing))
}

func (p *printer) closeTrailing(indent string, a *attached) string {
	tr := ""
	for i, c := range a.trailing {
		if i < len(a.trailing)-1 {
			// Cannot happen for a single token; kept for safety.
			tr += " " + commentText(c)
		} else {
			tr += " " + commentText(c)
		}
	}
	return tr
}

// alignWidths returns, for each field of b, the width its name is padded
// to: the longest name of its run of consecutive fields. A blank line or a
// nested block ends a run.
func (p *printer) alignWidths(b *Block) []int {
	width := make([]int, len(b.Items))
	runStart := 0
	flush := func(end int) {
		w := 0
		for i := runStart; i < end; i++ {
			w = max(w, len(b.Items[i].Name))
		}
		for i := runStart; i < end; i++ {
			width[i] = w
		}
		runStart = end
	}
	for i, it := range b.Items {
		if it.Block != nil {
			flush(i)
			runStart = i + 1
			continue
		}
		if i > runStart && p.startsParagraph(it) {
			flush(i)
		}
	}
	flush(len(b.Items))
	return width
}

// startsParagraph reports whether a blank line precedes the item or its
// leading comments.
func (p *printer) startsParagraph(it *Item) bool {
	if a := p.comments[it]; a != nil {
		for _, c := range a.leading {
			if p.blankBefore(c.Span.Start.Offset) {
				return true
			}
		}
	}
	return p.blankBefore(it.Span.Start.Offset)
}

// valueString prints a value in canonical form.
func valueString(v *Value) string {
	switch v.Kind {
	case NumberVal:
		if v.Unit != "" {
			return v.Text + " " + v.Unit
		}
		return v.Text
	case CallVal:
		args := make([]string, len(v.Args))
		for i, a := range v.Args {
			if a.Name != "" {
				args[i] = a.Name + ": " + valueString(a.Value)
			} else {
				args[i] = valueString(a.Value)
			}
		}
		return v.Text + "(" + strings.Join(args, ", ") + ")"
	}
	return v.Text
}
