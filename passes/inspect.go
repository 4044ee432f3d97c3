package passes

import (
	"strings"

	"planc/ir"
)

// Alternative is a one-knob change to a plan that lowers its memory, as
// the memory pass lists them when a plan does not fit.
type Alternative struct {
	// Knob and Value name the change in --set syntax (recompute, full).
	Knob, Value string
	// Plan is the changed plan (a copy; the original is untouched).
	Plan *ir.Plan
}

// Change is the alternative as the memory pass words it: "recompute = full".
func (a Alternative) Change() string { return a.Knob + " = " + a.Value }

// MemoryAlternatives lists the single-knob changes that lower a plan's
// memory: the same list, in the same order, that the memory pass prices in
// its "does not fit" diagnostic. Each alternative's plan can be priced with
// [Estimate].
func MemoryAlternatives(p *ir.Plan) []Alternative {
	var out []Alternative
	for _, a := range memoryAlternatives(p) {
		knob, value, _ := strings.Cut(a.change, " = ")
		out = append(out, Alternative{Knob: knob, Value: value, Plan: a.plan})
	}
	return out
}

// ModelParams returns a model's parameter count and the count active per
// token (every dense parameter, the shared experts, and topk of the routed
// experts), from the same expanded layers the cost model prices. The
// plan's knobs that shard layers are ignored: the counts are the whole
// model's.
func ModelParams(p *ir.Plan) (total, active float64) {
	q := clonePlan(p)
	q.TP, q.CP, q.EP, q.SP, q.MoE.SSMB = 1, 1, 1, false, false
	q.MicroBatch = max(q.MicroBatch, 1)
	t := templatesFor(q)
	frac := 1.0
	if m := p.Model.MoE; m != nil && m.Experts > 0 {
		frac = float64(m.TopK) / float64(m.Experts)
	}
	total = t.embedParams + t.headParams - t.headTied
	active = total
	for k := range t.count {
		n := float64(t.count[k])
		total += n * (t.params[k][0] + t.params[k][1])
		active += n * (t.params[k][0] + frac*t.params[k][1])
	}
	return total, active
}
