package passes

import (
	"fmt"
	"sort"

	"planc/ir"
)

// resolveAuto fills the plan's `auto` fields with the fastest plan that
// fits in memory, found by [Search] over every legal value of the fields
// (exhaustively, unless Options.MaxSearch bounds it).
func resolveAuto(st *State) {
	p := st.Plan
	if len(p.Auto) == 0 {
		return
	}
	pending := false
	for _, auto := range p.Auto {
		pending = pending || auto
	}
	if !pending {
		return
	}
	rep, ds := Search(p, SearchOptions{Top: 1, Limit: int64(st.Opts.MaxSearch)})
	st.Diags = append(st.Diags, ds...)
	if ds.HasErrors() {
		return
	}
	if len(rep.Results) == 0 {
		fields := make([]string, 0, len(p.Auto))
		for f, auto := range p.Auto {
			if auto {
				fields = append(fields, f)
			}
		}
		sort.Strings(fields)
		d := ir.Errorf(p.FieldSpan(fields[0]), "no value of the auto fields %v gives a plan that fits in memory (%d plans estimated of %d)", fields, rep.Evaluated, rep.Space)
		if len(rep.Pruned) > 0 {
			d.Notes = []string{fmt.Sprintf("most were pruned by: %s (%d plans)", rep.Pruned[0].By, rep.Pruned[0].Plans)}
		}
		d.Suggestion = "run planc search --why on the plan to see what pruned them"
		st.Diags = append(st.Diags, d)
		return
	}
	if rep.HitLimit {
		st.Diags = append(st.Diags, ir.Warnf(p.Span, "the planner stopped at the bound of %d plans it was given; the choice may not be the best", rep.Evaluated))
	}
	best := rep.Results[0].Plan
	auto := p.Auto
	*p = *best
	p.Auto = map[string]bool{}
	for f := range auto {
		p.Auto[f] = false // resolved
	}
}

func divisors(n int) []int {
	var out []int
	for i := 1; i <= n; i++ {
		if n%i == 0 {
			out = append(out, i)
		}
	}
	return out
}

// withDefaults returns a normalized copy of p (for sizing the search).
func withDefaults(p *ir.Plan) *ir.Plan {
	q := clonePlan(p)
	normalize(q)
	return q
}
