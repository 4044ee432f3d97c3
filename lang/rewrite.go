package lang

import (
	"fmt"
	"sort"
	"strings"

	"planc/ir"
)

// PlanEdit says how [RewritePlan] changes one plan declaration.
type PlanEdit struct {
	Plan    string // the plan declaration to keep
	NewName string // its new name ("" keeps the name)
	// Comment is written above the declaration, one `//` line per line.
	Comment string
	// Fields are plan fields to set, in plan syntax ("tp": "8",
	// "schedule": "zb-v", "moe.rbd": "true"); a field not written in the
	// declaration is added.
	Fields map[string]string
	// ModelArgs and ClusterArgs override fields of the referenced model
	// and cluster: `model = gpt_22b(seq: 65536)`.
	ModelArgs, ClusterArgs map[string]string
}

// RewritePlan returns the plan file src with the edit applied: the named
// plan's fields set, its model and cluster called with the overrides, the
// file's other plan declarations (and the comments just above them)
// removed, so that the result declares one plan, and the whole formatted
// by [Format]. Everything else (imports, models, clusters, comments) is
// kept.
func RewritePlan(filename string, src []byte, e PlanEdit) ([]byte, ir.Diagnostics) {
	f, ds := Parse(filename, src)
	if ds.HasErrors() {
		return nil, ds
	}
	var out strings.Builder
	prevEnd := 0
	found := false
	for _, n := range f.Entries {
		d, ok := n.(*Decl)
		if !ok || d.Kind != "plan" {
			continue
		}
		// the text from the previous entry up to this declaration holds
		// its leading comments: they go with it
		from := entryEndBefore(f, d)
		out.Write(src[prevEnd:from])
		prevEnd = d.Span.End.Offset
		if d.Name != e.Plan {
			continue
		}
		found = true
		out.WriteString("\n\n")
		for _, line := range strings.Split(strings.TrimSpace(e.Comment), "\n") {
			if line != "" {
				out.WriteString("// " + line + "\n")
			}
		}
		writePlanDecl(&out, src, d, e)
	}
	out.Write(src[prevEnd:])
	if !found {
		return nil, ir.Diagnostics{ir.Errorf(ir.Span{File: filename}, "no plan %q in %s", e.Plan, filename)}
	}
	return Format(filename, []byte(out.String()))
}

// entryEndBefore returns the end offset of the import or declaration that
// precedes d, or 0.
func entryEndBefore(f *File, d *Decl) int {
	end := 0
	for _, n := range f.Entries {
		s := n.NodeSpan()
		if s.End.Offset <= d.Span.Start.Offset && s.End.Offset > end {
			end = s.End.Offset
		}
	}
	return end
}

func writePlanDecl(out *strings.Builder, src []byte, d *Decl, e PlanEdit) {
	name := d.Name
	if e.NewName != "" {
		name = e.NewName
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		fields[k] = v
	}
	fmt.Fprintf(out, "plan %s {\n", name)
	writeItems(out, src, d.Body.Items, "", fields, e)
	// nested fields of blocks the declaration does not write
	blocks := map[string][]string{}
	for k := range fields {
		if b, _, ok := strings.Cut(k, "."); ok {
			blocks[b] = append(blocks[b], k)
		}
	}
	for _, b := range sortedKeys(blocks) {
		fmt.Fprintf(out, "  %s {\n", b)
		keys := blocks[b]
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(out, "    %s = %s\n", strings.TrimPrefix(k, b+"."), fields[k])
		}
		out.WriteString("  }\n")
	}
	out.WriteString("}")
}

// writeItems writes a block's items with the edit's values, then the
// edit's fields of this block that it did not write (deleting from fields
// what it wrote).
func writeItems(out *strings.Builder, src []byte, items []*Item, prefix string, fields map[string]string, e PlanEdit) {
	indent := strings.Repeat("  ", strings.Count(prefix, ".")+1)
	for _, it := range items {
		key := prefix + it.Name
		switch {
		case it.Block != nil:
			fmt.Fprintf(out, "%s%s {\n", indent, it.Name)
			writeItems(out, src, it.Block.Items, key+".", fields, e)
			fmt.Fprintf(out, "%s}\n", indent)
		case fields[key] != "":
			fmt.Fprintf(out, "%s%s = %s\n", indent, it.Name, fields[key])
			delete(fields, key)
		case key == "model" && len(e.ModelArgs) > 0:
			fmt.Fprintf(out, "%smodel = %s\n", indent, callWith(src, it.Value, e.ModelArgs))
		case key == "cluster" && len(e.ClusterArgs) > 0:
			fmt.Fprintf(out, "%scluster = %s\n", indent, callWith(src, it.Value, e.ClusterArgs))
		default:
			fmt.Fprintf(out, "%s%s\n", indent, src[it.Span.Start.Offset:it.Span.End.Offset])
		}
	}
	var rest []string
	for k := range fields {
		if strings.HasPrefix(k, prefix) && !strings.Contains(k[len(prefix):], ".") {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		fmt.Fprintf(out, "%s%s = %s\n", indent, k[len(prefix):], fields[k])
		delete(fields, k)
	}
}

// callWith writes a reference called with overrides: the value's own
// arguments, those named in args replaced, then the rest of args.
func callWith(src []byte, v *Value, args map[string]string) string {
	callee := v.Text
	var parts []string
	seen := map[string]bool{}
	if v.Kind == CallVal {
		for _, a := range v.Args {
			if a.Name != "" && args[a.Name] != "" {
				parts = append(parts, a.Name+": "+args[a.Name])
				seen[a.Name] = true
				continue
			}
			parts = append(parts, string(src[a.Span.Start.Offset:a.Span.End.Offset]))
		}
	}
	for _, k := range sortedKeys(args) {
		if !seen[k] {
			parts = append(parts, k+": "+args[k])
		}
	}
	return callee + "(" + strings.Join(parts, ", ") + ")"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
