package passes

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"planc/ir"
)

// This file defines the search space: the plan fields a search may choose
// (knobs), their legal values, and the constraints between them that the
// checker enforces. The constraints are data (a name, the fields they
// read, a predicate), so that the search can test each one as soon as the
// fields it reads are chosen and count what it pruned by name.

// Value is one value of a knob: an integer, a boolean, a float or an
// enumeration word, as its field's kind says.
type Value struct {
	Int   int
	Bool  bool
	Float float64
	Word  string
	kind  ir.ValueKind
}

// String is the value in plan syntax.
func (v Value) String() string {
	switch v.kind {
	case ir.IntValue:
		return strconv.Itoa(v.Int)
	case ir.BoolValue:
		return strconv.FormatBool(v.Bool)
	case ir.FloatValue:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	}
	return v.Word
}

// planField is the schema entry of a plan field that a search may choose,
// "tp" or "moe.dispatch".
type planField struct {
	name   string
	kind   ir.ValueKind
	enum   []string
	def    string
	min    float64 // the smallest legal value, where minSet
	minSet bool
	ptr    func(*ir.Plan) any
}

func lookupField(name string) (planField, bool) {
	for _, f := range ir.PlanFields {
		if f.Name == name && f.Auto && f.Ptr != nil {
			return planField{f.Name, f.Kind, f.Enum, f.Default, f.Min, f.MinSet, f.Ptr}, true
		}
	}
	if rest, ok := strings.CutPrefix(name, "moe."); ok {
		for _, f := range ir.PlanMoEFields {
			if f.Name == rest && f.Auto && f.Ptr != nil {
				ptr := f.Ptr
				return planField{name, f.Kind, f.Enum, f.Default, f.Min, f.MinSet, func(p *ir.Plan) any { return ptr(&p.MoE) }}, true
			}
		}
	}
	return planField{}, false
}

// SearchableFields lists the plan fields a search may choose, for help
// texts and "did you mean".
func SearchableFields() []string {
	var out []string
	for _, k := range knobOrder {
		out = append(out, k)
	}
	return out
}

// get reads the field's value from p.
func (f planField) get(p *ir.Plan) Value {
	v := Value{kind: f.kind}
	switch x := f.ptr(p).(type) {
	case *int:
		v.Int = *x
	case *bool:
		v.Bool = *x
	case *float64:
		v.Float = *x
	case *string:
		v.Word = *x
	default: // a typed enumeration with a string underlying type
		v.Word = reflect.ValueOf(x).Elem().String()
	}
	return v
}

// set writes v into p's field.
func (f planField) set(p *ir.Plan, v Value) {
	switch x := f.ptr(p).(type) {
	case *int:
		*x = v.Int
	case *bool:
		*x = v.Bool
	case *float64:
		*x = v.Float
	case *string:
		*x = v.Word
	default:
		reflect.ValueOf(x).Elem().SetString(v.Word)
	}
}

// parse reads one value of the field written as in a plan.
func (f planField) parse(s string) (Value, error) {
	s = strings.TrimSpace(s)
	v := Value{kind: f.kind}
	var err error
	switch f.kind {
	case ir.IntValue:
		v.Int, err = strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil {
			return v, fmt.Errorf("%s takes integers, not %q", f.name, s)
		}
		if f.minSet && float64(v.Int) < f.min {
			return v, fmt.Errorf("%s must be at least %g, not %d", f.name, f.min, v.Int)
		}
	case ir.BoolValue:
		v.Bool, err = strconv.ParseBool(s)
		if err != nil {
			return v, fmt.Errorf("%s takes true or false, not %q", f.name, s)
		}
	case ir.FloatValue:
		v.Float, err = strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v.Float) || math.IsInf(v.Float, 0) {
			return v, fmt.Errorf("%s takes numbers, not %q", f.name, s)
		}
		if f.minSet && v.Float < f.min {
			return v, fmt.Errorf("%s must be at least %g, not %g", f.name, f.min, v.Float)
		}
	case ir.EnumValue:
		for _, e := range f.enum {
			if e == s {
				v.Word = s
				return v, nil
			}
		}
		return v, fmt.Errorf("%s is one of %s, not %q", f.name, strings.Join(f.enum, ", "), s)
	default:
		return v, fmt.Errorf("%s cannot be searched", f.name)
	}
	return v, nil
}

// knobOrder is the order in which the search chooses fields: the degrees
// first, then what sizes the model state (so that the memory bound can
// prune before the rest is chosen), then the rest. A constraint is tested
// as soon as the last field it reads is chosen.
var knobOrder = []string{
	"tp", "pp", "cp", "dp", "ep", "moe.ssmb", "zero", "precision",
	"micro_batch", "vpp", "schedule", "sp", "cp_mode", "recompute",
	"moe.dispatch", "moe.capacity_factor", "moe.rbd",
}

// stateKnobs are the knobs that the memory lower bound reads: once they
// are chosen, the bound holds for every choice of the others.
var stateKnobs = map[string]bool{"tp": true, "pp": true, "cp": true, "dp": true, "ep": true, "moe.ssmb": true, "zero": true, "precision": true}

// legalValues returns every value the field may take in plan p (on its
// cluster of world devices), before the constraints between fields.
func legalValues(f planField, p *ir.Plan, world int) []Value {
	m := p.Model
	ints := func(xs []int) []Value {
		out := make([]Value, len(xs))
		for i, x := range xs {
			out[i] = Value{Int: x, kind: ir.IntValue}
		}
		return out
	}
	switch f.name {
	case "dp", "tp", "pp", "cp":
		return ints(divisors(world))
	case "ep":
		if m.MoE == nil {
			return ints([]int{1})
		}
		return ints(divisors(m.MoE.Experts))
	case "vpp":
		return ints(divisors(max(m.NumLayers(), 1)))
	case "zero":
		return ints([]int{0, 1, 2, 3})
	case "micro_batch":
		if p.GlobalBatch > 0 && !p.Auto["global_batch"] {
			return ints(divisors(p.GlobalBatch))
		}
		return ints([]int{1, 2, 4, 8, 16, 32, 64})
	case "moe.capacity_factor":
		out := []Value{}
		for _, x := range []float64{1, 1.25, 1.5, 2} {
			out = append(out, Value{Float: x, kind: ir.FloatValue})
		}
		return out
	}
	switch f.kind {
	case ir.BoolValue:
		return []Value{{Bool: false, kind: ir.BoolValue}, {Bool: true, kind: ir.BoolValue}}
	case ir.EnumValue:
		out := make([]Value, len(f.enum))
		for i, e := range f.enum {
			out[i] = Value{Word: e, kind: ir.EnumValue}
		}
		return out
	}
	return nil
}

// relevant reports whether a knob changes the plan at all given the
// fields chosen before it; where it does not, the search keeps one value
// and counts the others as equivalent plans.
var relevant = map[string]func(p *ir.Plan) bool{
	"schedule":            func(p *ir.Plan) bool { return p.PP > 1 },
	"cp_mode":             func(p *ir.Plan) bool { return p.CP > 1 },
	"sp":                  func(p *ir.Plan) bool { return p.TP > 1 },
	"moe.dispatch":        func(p *ir.Plan) bool { return p.Model.MoE != nil },
	"moe.capacity_factor": func(p *ir.Plan) bool { return p.Model.MoE != nil && p.MoE.Dispatch == ir.DispatchCapacity },
}

// Constraint is one rule that a plan must satisfy, between the fields it
// reads. The search tests it as soon as those fields are chosen.
type Constraint struct {
	Name   string   // the rule's name in ir.PlanConstraints, for --why
	Fields []string // the plan fields it reads
	OK     func(p *ir.Plan) bool
}

// Constraints are the error rules of ir.PlanConstraints that refuse a
// written plan, in lang's checker or in the compiler's validation (the one
// table every layer draws on): the search prunes by exactly what the
// checker and checkPlan refuse.
var Constraints = searchConstraints()

func searchConstraints() []Constraint {
	var out []Constraint
	for i := range ir.PlanConstraints {
		r := &ir.PlanConstraints[i]
		if r.Severity != ir.Error || r.Scope&(ir.ScopeCheck|ir.ScopeCompile) == 0 {
			continue
		}
		out = append(out, Constraint{Name: r.Name, Fields: r.Fields, OK: func(p *ir.Plan) bool { return !r.Broken(p) }})
	}
	return out
}

// FieldValue returns a searchable field's value in p, in plan syntax ("" for
// a field that cannot be searched).
func FieldValue(p *ir.Plan, name string) string {
	f, ok := lookupField(name)
	if !ok {
		return ""
	}
	return f.get(p).String()
}
