package trainer

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"planc/ir"
)

// planSource writes plan p, resolved, in the plan language: its device,
// node, cluster and model as declarations of their own (imports inlined)
// and every field with its value, in the order of ir's schema tables.
// Quantities are written in base units. It parses back to a plan of the
// same fingerprint (a test in cmd/planc checks it).
func planSource(w io.Writer, p *ir.Plan) {
	var b strings.Builder
	if c := p.Cluster; c != nil {
		if n := c.Node; n != nil {
			if d := n.Device; d != nil {
				decl(&b, "device", d.Name, ir.DeviceFields, d, nil)
			}
			decl(&b, "node", n.Name, ir.NodeFields, n, nil)
		}
		decl(&b, "cluster", c.Name, ir.ClusterFields, c, nil)
	}
	if m := p.Model; m != nil {
		decl(&b, "model", m.Name, ir.ModelFields, m, map[string]func(string){
			"moe": func(indent string) {
				if m.MoE != nil {
					block(&b, indent, "moe", ir.ModelMoEFields, m.MoE, nil)
				}
			},
			"mla": func(indent string) {
				if m.MLA != nil {
					block(&b, indent, "mla", ir.ModelMLAFields, m.MLA, nil)
				}
			},
		})
	}
	decl(&b, "plan", p.Name, ir.PlanFields, p, map[string]func(string){
		"moe":     func(indent string) { block(&b, indent, "moe", ir.PlanMoEFields, &p.MoE, nil) },
		"overlap": func(indent string) { block(&b, indent, "overlap", ir.PlanOverlapFields, &p.Overlap, nil) },
		"train":   func(indent string) { block(&b, indent, "train", ir.TrainFields, &p.Train, nil) },
	})
	io.WriteString(w, b.String())
}

func decl[T any](b *strings.Builder, kind, name string, fs []ir.Field[T], v *T, blocks map[string]func(string)) {
	fmt.Fprintf(b, "%s %s {\n", kind, name)
	fields(b, "  ", fs, v, blocks)
	b.WriteString("}\n\n")
}

func block[T any](b *strings.Builder, indent, name string, fs []ir.Field[T], v *T, blocks map[string]func(string)) {
	fmt.Fprintf(b, "%s%s {\n", indent, name)
	fields(b, indent+"  ", fs, v, blocks)
	fmt.Fprintf(b, "%s}\n", indent)
}

func fields[T any](b *strings.Builder, indent string, fs []ir.Field[T], v *T, blocks map[string]func(string)) {
	for _, f := range fs {
		if f.Kind == ir.BlockValue {
			if write := blocks[f.Name]; write != nil {
				write(indent)
			}
			continue
		}
		if unset(f, f.Ptr(v)) {
			continue
		}
		if s, ok := valueText(f.Kind, f.Dim, f.Ptr(v)); ok {
			fmt.Fprintf(b, "%s%s = %s\n", indent, f.Name, s)
		}
	}
}

// unset reports a number below the field's minimum: a field the
// declaration does not use (an mlp model's hidden, a transformer's width),
// left zero.
func unset[T any](f ir.Field[T], ptr any) bool {
	if !f.MinSet || f.Min <= 0 {
		return false
	}
	switch x := ptr.(type) {
	case *int:
		return float64(*x) < f.Min
	case *float64:
		return *x < f.Min
	}
	return false
}

// valueText writes one field's value; ok is false for a value that is
// not set (an empty enum, a missing reference).
func valueText(kind ir.ValueKind, dim ir.Dim, ptr any) (string, bool) {
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch x := ptr.(type) {
	case *int:
		return strconv.Itoa(*x), true
	case *float64:
		if kind == ir.QuantityValue {
			return num(*x) + " " + baseUnit[dim], true
		}
		return num(*x), true
	case *bool:
		return strconv.FormatBool(*x), true
	case *ir.Negated:
		return strconv.FormatBool(!bool(*x)), true
	case *string:
		if kind == ir.TextValue {
			return strconv.Quote(*x), *x != ""
		}
		return *x, *x != ""
	case *ir.FFNKind:
		if x.IsPhantom() {
			return fmt.Sprintf("phantom(k: %d, parts: %d)", x.K, x.Parts), true
		}
		return "dense", true
	case **ir.Device:
		return nameOf(*x != nil, func() string { return (*x).Name })
	case **ir.Node:
		return nameOf(*x != nil, func() string { return (*x).Name })
	case **ir.Cluster:
		return nameOf(*x != nil, func() string { return (*x).Name })
	case **ir.Model:
		return nameOf(*x != nil, func() string { return (*x).Name })
	}
	return "", false
}

func nameOf(set bool, name func() string) (string, bool) {
	if !set {
		return "", false
	}
	return name(), true
}

// baseUnit is the unit a quantity of each dimension is stored in.
var baseUnit = map[ir.Dim]string{
	ir.Bytes: "B", ir.Seconds: "s", ir.FLOPRate: "FLOP/s", ir.ByteRate: "B/s", ir.Watts: "W",
}
