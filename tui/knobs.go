package tui

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"planc/ir"
)

// knob is one plan setting the what-if editor changes. The list is read
// from the schema (ir.PlanFields, ir.PlanMoEFields) so that a new plan
// field becomes editable without touching this package.
type knob struct {
	name  string // as --set writes it: tp, moe.rbd, model.seq
	kind  ir.ValueKind
	enum  []string
	doc   string
	value func(p *ir.Plan) string
}

// knobs lists the editable settings: every plan field but the references
// and blocks (model, cluster, moe, train), then the moe block's fields, then
// model.seq.
func knobs() []knob {
	var out []knob
	for _, f := range ir.PlanFields {
		if f.Kind == ir.RefValue || f.Kind == ir.BlockValue {
			continue
		}
		out = append(out, knob{name: f.Name, kind: f.Kind, enum: f.Enum, doc: f.Doc,
			value: func(p *ir.Plan) string { return show(f.Ptr(p)) }})
	}
	for _, f := range ir.PlanMoEFields {
		out = append(out, knob{name: "moe." + f.Name, kind: f.Kind, enum: f.Enum, doc: f.Doc,
			value: func(p *ir.Plan) string { return show(f.Ptr(&p.MoE)) }})
	}
	out = append(out, knob{name: "model.seq", kind: ir.IntValue, doc: "sequence length",
		value: func(p *ir.Plan) string { return strconv.Itoa(p.Model.Seq) }})
	return out
}

// show prints the value behind a schema field pointer in source syntax.
func show(ptr any) string {
	v := reflect.ValueOf(ptr).Elem()
	switch v.Kind() {
	case reflect.Float64, reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return fmt.Sprint(v.Interface())
}

// step returns the value a knob takes one step up (dir > 0) or down from
// cur: the next enum word, the other boolean, twice or half an integer
// degree (one more or less for ZeRO's stage), a quarter more or less for a
// float. It returns "" when there is no such value.
func (k knob) step(cur string, dir int) string {
	switch k.kind {
	case ir.BoolValue:
		if cur == "true" {
			return "false"
		}
		return "true"
	case ir.EnumValue:
		for i, e := range k.enum {
			if e == cur {
				return k.enum[(i+dir+len(k.enum))%len(k.enum)]
			}
		}
		if len(k.enum) > 0 {
			return k.enum[0]
		}
	case ir.IntValue:
		n, err := strconv.Atoi(cur)
		if err != nil {
			return ""
		}
		if k.name == "zero" {
			if n+dir < 0 || n+dir > 3 {
				return ""
			}
			return strconv.Itoa(n + dir)
		}
		if dir > 0 {
			return strconv.Itoa(max(2*n, 1))
		}
		if n <= 1 || n%2 != 0 {
			return ""
		}
		return strconv.Itoa(n / 2)
	case ir.FloatValue:
		x, err := strconv.ParseFloat(cur, 64)
		if err != nil {
			return ""
		}
		return strconv.FormatFloat(max(x+0.25*float64(dir), 0), 'g', -1, 64)
	}
	return ""
}

// setKey is the name of a NAME=VALUE override.
func setKey(s string) string {
	k, _, _ := strings.Cut(s, "=")
	return strings.TrimSpace(k)
}

// mergeSets returns the overrides with later ones replacing earlier ones
// of the same name, in first-seen order.
func mergeSets(lists ...[]string) []string {
	idx := map[string]int{}
	var out []string
	for _, l := range lists {
		for _, s := range l {
			k := setKey(s)
			if i, ok := idx[k]; ok {
				out[i] = s
				continue
			}
			idx[k] = len(out)
			out = append(out, s)
		}
	}
	return out
}
