package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"planc/ir"
	"planc/passes"
)

// A variant is one column of `planc explain --compare`: the settings it
// adds to the command line's, or the plan it selects (--compare plan=A,B).
type variant struct {
	label string
	sets  []string
	plan  string
}

// compareVariants parses the --compare specs into the variants to compile:
// every combination of their values, in order. Each spec is KEY=V1,V2,...;
// a value may carry further settings after + ("false+ep=128"); KEY plan
// selects plans by name instead of setting a field.
func compareVariants(specs []string) (keys []string, vs []variant, err error) {
	vs = []variant{{}}
	for _, spec := range specs {
		key, vals, ok := strings.Cut(spec, "=")
		if !ok || vals == "" || key == "" {
			return nil, nil, fmt.Errorf("--compare wants KEY=V1,V2,... not %q", spec)
		}
		keys = append(keys, key)
		named := len(specs) > 1 // several keys: name each value
		var next []variant
		for _, v := range vs {
			for _, val := range strings.Split(vals, ",") {
				parts := strings.Split(val, "+")
				label := val
				if named {
					label = key + "=" + val
				}
				w := variant{label: strings.TrimSpace(v.label + " " + label), plan: v.plan, sets: append([]string(nil), v.sets...)}
				if key == "plan" {
					w.plan = parts[0]
				} else {
					w.sets = append(w.sets, key+"="+parts[0])
				}
				w.sets = append(w.sets, parts[1:]...)
				next = append(next, w)
			}
		}
		vs = next
	}
	return keys, vs, nil
}

// explainCompare compiles the plans once per variant and prints them side
// by side, one table per plan. A variant's diagnostics are printed under a
// line naming it; the settings that the planner filled (auto) or that
// differ between the columns get rows of their own.
func explainCompare(files []string, pf *planFlags, specs []string, opts passes.Options, stdout, stderr io.Writer) int {
	keys, variants, err := compareVariants(specs)
	if err != nil {
		fmt.Fprintf(stderr, "planc explain: %v\n", err)
		return exitUsage
	}
	type column struct {
		label string
		units []*ir.Unit
	}
	var cols []column
	worst := exitOK
	var reports []map[string]any
	for _, v := range variants {
		vf := *pf
		vf.sets = append(append(multiFlag(nil), pf.sets...), v.sets...)
		if v.plan != "" {
			vf.planName = v.plan
		}
		var diags bytes.Buffer
		col := column{label: v.label}
		prog, plans, code := vf.load(files, &diags)
		if code == exitOK {
			for _, p := range plans {
				u, ds := passes.Compile(prog, p, opts)
				printDiagnostics(&diags, ds, prog.Sources, pf.json)
				if ds.HasErrors() {
					code = exitError
				}
				if u != nil && u.Cost != nil {
					col.units = append(col.units, u)
					if pf.json {
						reports = append(reports, map[string]any{"value": v.label, "report": reportJSON(u, ds)})
					}
				}
			}
		}
		if diags.Len() > 0 {
			if !pf.json {
				fmt.Fprintf(stderr, "planc explain: variant %s:\n", v.label)
			}
			stderr.Write(diags.Bytes())
		}
		worst = max(worst, code)
		cols = append(cols, col)
	}
	if pf.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(map[string]any{"compare": strings.Join(keys, " "), "variants": reports})
		return worst
	}
	width := 16
	for _, c := range cols {
		width = max(width, len(c.label)+2)
	}
	nPlans := 0
	for _, c := range cols {
		nPlans = max(nPlans, len(c.units))
	}
	for i := 0; i < nPlans; i++ {
		unitOf := func(c column) *ir.Unit {
			if i < len(c.units) {
				return c.units[i]
			}
			return nil
		}
		var name []string
		for _, c := range cols {
			if u := unitOf(c); u != nil && (len(name) == 0 || name[len(name)-1] != u.Plan.Name) {
				name = append(name, u.Plan.Name)
			}
		}
		fmt.Fprintf(stdout, "plan %s: %s\n", strings.Join(name, ", "), strings.Join(keys, " × "))
		fmt.Fprintf(stdout, "  %-26s", "")
		for _, c := range cols {
			fmt.Fprintf(stdout, " %*s", width, c.label)
		}
		fmt.Fprintln(stdout)
		row := func(label string, f func(u *ir.Unit) string) {
			fmt.Fprintf(stdout, "  %-26s", label)
			for _, c := range cols {
				s := "-"
				if u := unitOf(c); u != nil {
					s = f(u)
				}
				fmt.Fprintf(stdout, " %*s", width, s)
			}
			fmt.Fprintln(stdout)
		}
		var units []*ir.Unit
		for _, c := range cols {
			if u := unitOf(c); u != nil {
				units = append(units, u)
			}
		}
		for _, s := range compareSettings {
			if showSetting(s, units) && !compared(s.name, keys) {
				row(s.name, func(u *ir.Unit) string {
					v := s.get(u.Plan)
					if _, auto := u.Plan.Auto[s.name]; auto {
						v += " (auto)"
					}
					return v
				})
			}
		}
		compareRows(row, func(f func(u *ir.Unit) bool) bool {
			for _, u := range units {
				if f(u) {
					return true
				}
			}
			return false
		})
		fmt.Fprintln(stdout)
	}
	return worst
}

// compareSetting is a plan setting that --compare shows when the planner
// chose it or when it differs between the columns.
type compareSetting struct {
	name string
	get  func(p *ir.Plan) string
}

var compareSettings = []compareSetting{
	{"dp", func(p *ir.Plan) string { return fmt.Sprint(p.DP) }},
	{"tp", func(p *ir.Plan) string { return fmt.Sprint(p.TP) }},
	{"pp", func(p *ir.Plan) string { return fmt.Sprint(p.PP) }},
	{"ep", func(p *ir.Plan) string { return fmt.Sprint(p.EP) }},
	{"cp", func(p *ir.Plan) string { return fmt.Sprint(p.CP) }},
	{"vpp", func(p *ir.Plan) string { return fmt.Sprint(p.VPP) }},
	{"sp", func(p *ir.Plan) string { return fmt.Sprint(p.SP) }},
	{"cp_mode", func(p *ir.Plan) string { return fmt.Sprint(p.CPMode) }},
	{"zero", func(p *ir.Plan) string { return fmt.Sprint(p.Zero) }},
	{"schedule", func(p *ir.Plan) string { return fmt.Sprint(p.Schedule) }},
	{"global_batch", func(p *ir.Plan) string { return fmt.Sprint(p.GlobalBatch) }},
	{"micro_batch", func(p *ir.Plan) string { return fmt.Sprint(p.MicroBatch) }},
	{"recompute", func(p *ir.Plan) string { return fmt.Sprint(p.Recompute) }},
	{"moe.dispatch", func(p *ir.Plan) string { return fmt.Sprint(p.MoE.Dispatch) }},
	{"moe.rbd", func(p *ir.Plan) string { return fmt.Sprint(p.MoE.RBD) }},
	{"moe.ssmb", func(p *ir.Plan) string { return fmt.Sprint(p.MoE.SSMB) }},
}

// compared reports whether name is one of the --compare keys (its values
// head the columns already).
func compared(name string, keys []string) bool {
	for _, k := range keys {
		if k == name {
			return true
		}
	}
	return false
}

// showSetting reports whether a setting gets a row: some column's planner
// chose it, or the columns differ in it.
func showSetting(s compareSetting, units []*ir.Unit) bool {
	for _, u := range units {
		if _, auto := u.Plan.Auto[s.name]; auto {
			return true
		}
		if s.get(u.Plan) != s.get(units[0].Plan) {
			return true
		}
	}
	return false
}

// compareRows prints the figures of the comparison; anyUnit asks whether
// a row applies to some column.
func compareRows(row func(string, func(*ir.Unit) string), anyUnit func(func(*ir.Unit) bool) bool) {
	row("step time", func(u *ir.Unit) string { return seconds(u.Cost.StepTime) })
	row("  compute", func(u *ir.Unit) string { return seconds(u.Cost.Compute) })
	row("  exposed communication", func(u *ir.Unit) string { return seconds(u.Cost.ExposedComm) })
	row("  pipeline bubble", func(u *ir.Unit) string { return seconds(u.Cost.Bubble) })
	row("tokens/s", func(u *ir.Unit) string { return fmt.Sprintf("%.4g", u.Cost.TokensPerSec) })
	row("MFU", func(u *ir.Unit) string { return fmt.Sprintf("%.1f%%", 100*u.Cost.MFU) })
	row("peak memory", func(u *ir.Unit) string { return ir.FormatBytes(u.Memory.WorstRank().Peak) })
	row("  activations", func(u *ir.Unit) string { return ir.FormatBytes(u.Memory.WorstRank().Activations) })
	row("  MoE buffers", func(u *ir.Unit) string { return ir.FormatBytes(u.Memory.WorstRank().MoEBuffers) })
	row("fits", func(u *ir.Unit) string {
		if u.Memory.WorstRank().Peak <= u.Memory.Capacity {
			return "yes"
		}
		return "NO"
	})
	if anyUnit(func(u *ir.Unit) bool { return u.Plan.Model.MoE != nil }) {
		row("MoE layer activations", func(u *ir.Unit) string {
			r := passes.MoEAnalysis(u)
			switch {
			case r == nil:
				return "-"
			case u.Plan.MoE.Dispatch == ir.DispatchCapacity:
				return ir.FormatBytes(r.SavedCapacity)
			}
			return ir.FormatBytes(r.SavedPaddingFree)
		})
	}
	// What the links carry (after rbd's pilots and replication), then the
	// collectives' payload by kind (what the program exchanges, before it
	// is placed on links: the same with and without rbd).
	row("inter-node bytes/step", func(u *ir.Unit) string { return ir.FormatBytes(passes.PredictedBytes(u).Total.InterNode) })
	row("intra-node bytes/step", func(u *ir.Unit) string { return ir.FormatBytes(passes.PredictedBytes(u).Total.IntraNode) })
	for _, k := range ir.CollKinds {
		if anyUnit(func(u *ir.Unit) bool { return u.Cost.CommBytes[k] > 0 }) {
			row(k.String()+" payload/step", func(u *ir.Unit) string { return ir.FormatBytes(u.Cost.CommBytes[k]) })
		}
	}
	row("energy per token (J)", func(u *ir.Unit) string { return fmt.Sprintf("%.4g", u.Cost.EnergyPerToken) })
}
