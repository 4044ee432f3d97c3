package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

func init() {
	register(&command{name: "search", summary: "rank the plans of a space (every auto field, or --space KEY=V1,V2) under the checker's constraints, each with where its time goes and how it differs from the next; --objective, --pareto, --maximize model.seq, --why, --write DIR", run: runSearch})
}

// searchFlags are search's own flags.
type searchFlags struct {
	space     multiFlag
	objective string
	price     float64
	top       int
	pareto    string
	maxMemory string
	maximize  string
	step      int
	why       bool
	write     string
	workers   int
	limit     int64
}

func runSearch(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("search", "[--plan NAME] [--set NAME=VALUE]... [--space KEY=V1,V2,...]... [--objective time|energy|memory|cost] [--top N] [--pareto A,B] [--max-memory 90%] [--maximize DIM] [--why] [--write DIR] [--json] FILE", stderr,
		"search --plan frontier_1t_search examples/frontier_1t.plan",
		"search --space zero= --space recompute= --top 3 --why examples/xmoe_small.plan",
		"search --pareto time,energy --space pp= --space dp= --space micro_batch= --plan phantom_mlp_16k_tp8 examples/phantom.plan",
		"search --maximize model.seq --plan gpt_22b_long --set cluster.nodes=8 examples/long_seq.plan",
		"search --plan frontier_1t_search --top 3 --write out/ examples/frontier_1t.plan")
	pf := addPlanFlags(fs)
	var sf searchFlags
	fs.Var(&sf.space, "space", "search a field over `KEY=V1,V2,...` (KEY= for every legal value); repeatable")
	fs.StringVar(&sf.objective, "objective", "time", "rank by `time` (step), energy (per token), memory (peak) or cost (device-hours per 1M tokens)")
	fs.Float64Var(&sf.price, "price", 0, "price of one device-hour: cost becomes money per 1M tokens")
	fs.IntVar(&sf.top, "top", 5, "results to show")
	fs.StringVar(&sf.pareto, "pareto", "", "also show the plans no other beats on both of `A,B` (e.g. time,energy)")
	fs.StringVar(&sf.maxMemory, "max-memory", "", "use at most this much device memory: `90%` or 0.9")
	fs.StringVar(&sf.maximize, "maximize", "", "find the largest `DIM` (model.seq, model.layers, global_batch) for which a plan fits")
	fs.IntVar(&sf.step, "step", 0, "the step of --maximize (default: 1024 for model.seq, the devices for global_batch, pp·vpp for model.layers)")
	fs.BoolVar(&sf.why, "why", false, "count the plans each constraint or bound pruned")
	fs.StringVar(&sf.write, "write", "", "write each result as a formatted plan file into `DIR`")
	fs.IntVar(&sf.workers, "workers", 0, "parallel workers (default: all cores)")
	fs.Int64Var(&sf.limit, "limit", 0, "stop after `N` estimates (default: none, the search is exhaustive)")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(fs, "no files")
	}
	opts, err := sf.options()
	if err != nil {
		fmt.Fprintf(stderr, "planc search: %v\n", err)
		return exitUsage
	}
	prog, plans, code := pf.load(fs.Args(), stderr)
	if code != exitOK {
		return code
	}
	if len(plans) != 1 {
		fmt.Fprintf(stderr, "planc search: the files declare %d plans; choose one with --plan\n", len(plans))
		return exitUsage
	}
	p := plans[0]
	bar := newSearchBar(stderr, pf.json)
	if sf.maximize != "" {
		opts.Progress = bar.probe
		mr, ds := passes.Maximize(p, sf.maximize, sf.step, opts)
		bar.end()
		printDiagnostics(stderr, ds, prog.Sources, pf.json)
		if ds.HasErrors() {
			return exitError
		}
		if pf.json {
			writeJSON(stdout, maxJSONOf(mr))
		} else {
			writeMaximize(stdout, p, mr, sf.why, sf.price)
		}
		if sf.write != "" && mr.At != nil {
			extra := map[string]string{strings.TrimPrefix(mr.Dim, "model."): strconv.Itoa(mr.Value)}
			if mr.Dim == "global_batch" {
				extra = nil
			}
			return writePlans(prog, p, pf.sets, mr.At, sf.write, extra, stdout, stderr)
		}
		return exitOK
	}
	opts.Progress = bar.plans
	rep, ds := passes.Search(p, opts)
	bar.end()
	printDiagnostics(stderr, ds, prog.Sources, pf.json)
	if ds.HasErrors() {
		return exitError
	}
	if pf.json {
		writeJSON(stdout, searchJSONOf(rep))
	} else {
		writeSearch(stdout, p, rep, sf.why, sf.price)
	}
	if len(rep.Results) == 0 {
		return exitError
	}
	if sf.write != "" {
		return writePlans(prog, p, pf.sets, rep, sf.write, nil, stdout, stderr)
	}
	return exitOK
}

// options turns the flags into search options.
func (sf *searchFlags) options() (passes.SearchOptions, error) {
	opts := passes.SearchOptions{Top: sf.top, Price: sf.price, Workers: sf.workers, Limit: sf.limit, Space: map[string][]string{}}
	var err error
	if opts.Objective, err = passes.ParseObjective(sf.objective); err != nil {
		return opts, err
	}
	for _, s := range sf.space {
		key, vals, ok := strings.Cut(s, "=")
		if !ok {
			return opts, fmt.Errorf("--space needs KEY=V1,V2,... (or KEY= for every legal value), not %q", s)
		}
		var list []string
		for _, v := range strings.Split(vals, ",") {
			if v = strings.TrimSpace(v); v != "" {
				list = append(list, v)
			}
		}
		opts.Space[strings.TrimSpace(key)] = list
	}
	if sf.pareto != "" {
		a, b, ok := strings.Cut(sf.pareto, ",")
		if !ok {
			return opts, fmt.Errorf("--pareto needs two objectives, A,B (e.g. time,energy), not %q", sf.pareto)
		}
		var pair [2]passes.Objective
		if pair[0], err = passes.ParseObjective(strings.TrimSpace(a)); err != nil {
			return opts, err
		}
		if pair[1], err = passes.ParseObjective(strings.TrimSpace(b)); err != nil {
			return opts, err
		}
		opts.Pareto = &pair
	}
	if sf.maxMemory != "" {
		s := strings.TrimSpace(sf.maxMemory)
		pct := strings.HasSuffix(s, "%")
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if pct {
			f /= 100
		}
		if err != nil || f <= 0 || f > 1 {
			return opts, fmt.Errorf("--max-memory takes a share of device memory, 90%% or 0.9, not %q", sf.maxMemory)
		}
		opts.MaxMemory = f
	}
	if sf.top <= 0 {
		return opts, fmt.Errorf("--top must be at least 1")
	}
	return opts, nil
}

// objective formats a value of objective o.
func objectiveText(o passes.Objective, v float64, price float64) string {
	switch o {
	case passes.ObjTime:
		return fmtSeconds(v)
	case passes.ObjEnergy:
		return fmt.Sprintf("%.3g J/tok", v)
	case passes.ObjMemory:
		return fmt.Sprintf("%.2f GiB", v/(1<<30))
	}
	if price > 0 {
		return fmt.Sprintf("%.4g /Mtok", v)
	}
	return fmt.Sprintf("%.4g dev·h/Mtok", v)
}

func fmtSeconds(s float64) string {
	switch a := abs(s); {
	case a >= 1:
		return fmt.Sprintf("%.3f s", s)
	case a >= 1e-3:
		return fmt.Sprintf("%.3f ms", s*1e3)
	}
	return fmt.Sprintf("%.3f us", s*1e6)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func signed(o passes.Objective, v, price float64) string {
	t := objectiveText(o, v, price)
	if v >= 0 {
		return "+" + t
	}
	return t
}

func writeSearch(w io.Writer, p *ir.Plan, rep *passes.SearchReport, why bool, price float64) {
	if len(rep.Fields) == 0 {
		fmt.Fprintf(w, "plan %s: nothing to search (no field is auto and --space names none): the plan as written\n", p.Name)
	} else {
		fmt.Fprintf(w, "plan %s: %d plans in the space of %s; %d estimated (%d fit), %d equivalent, the rest pruned\n",
			p.Name, rep.Space, strings.Join(rep.Fields, ", "), rep.Evaluated, rep.Fits, rep.Equivalent)
	}
	fmt.Fprintf(w, "searched in %.2f s on %d workers (%.0f plans/s)", rep.Wall.Seconds(), rep.Workers, rep.PlansPerSecond())
	if rep.HitLimit {
		fmt.Fprintf(w, "; stopped at --limit: the ranking may miss better plans")
	}
	fmt.Fprintln(w)
	if len(rep.Results) == 0 {
		fmt.Fprintln(w, "\nno plan fits")
		writeWhy(w, rep)
		return
	}
	fmt.Fprintf(w, "\nbest by %s:\n", rep.Objective)
	writeResults(w, rep, rep.Results, true, price)
	if len(rep.Pareto) > 0 {
		fmt.Fprintf(w, "\nPareto front (no plan is better on both):\n")
		writeResults(w, rep, rep.Pareto, false, price)
	}
	if why {
		writeWhy(w, rep)
	}
}

func writeResults(w io.Writer, rep *passes.SearchReport, rs []passes.Result, reasons bool, price float64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "#\tstep time\tenergy\tpeak mem\tcost\t%s\n", strings.Join(rep.Fields, "\t"))
	for i, r := range rs {
		vals := make([]string, len(r.Values))
		for j, v := range r.Values {
			vals[j] = v.String()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f%%\t%s\t%s\n", i+1, fmtSeconds(r.Est.StepTime),
			objectiveText(passes.ObjEnergy, r.Scores[passes.ObjEnergy], 0),
			100*r.Est.PeakBytes/r.Est.Capacity, objectiveText(passes.ObjCost, r.Scores[passes.ObjCost], price), strings.Join(vals, "\t"))
	}
	tw.Flush()
	if !reasons {
		return
	}
	fmt.Fprintln(w)
	for i, r := range rs {
		e := r.Est
		fmt.Fprintf(w, "#%d  time goes to compute %s (%.0f%%), exposed communication %s (%.0f%%), bubble %s (%.0f%%), optimizer %s\n",
			i+1, fmtSeconds(e.Compute), share(e.Compute, e.StepTime), fmtSeconds(e.ExposedComm), share(e.ExposedComm, e.StepTime),
			fmtSeconds(e.Bubble), share(e.Bubble, e.StepTime), fmtSeconds(e.Optimizer))
		if r.Next == nil {
			continue
		}
		var parts []string
		for _, k := range r.Next.Knobs {
			if k.Alone {
				parts = append(parts, fmt.Sprintf("%s %s → %s %s alone", k.Field, k.From, k.To, signed(rep.Objective, k.Delta, price)))
			}
		}
		for _, g := range r.Next.Groups {
			var fs []string
			for _, f := range g.Fields {
				for _, k := range r.Next.Knobs {
					if k.Field == f {
						fs = append(fs, fmt.Sprintf("%s %s → %s", k.Field, k.From, k.To))
					}
				}
			}
			s := strings.Join(fs, ", ")
			switch {
			case g.OK:
				s += " together " + signed(rep.Objective, g.Delta, price)
			case len(g.Fields) == 1:
				s += " (not alone: " + g.Why + ")"
			default:
				s += " (only with the others)"
			}
			parts = append(parts, s)
		}
		fmt.Fprintf(w, "    vs #%d: %s; %s\n", i+2, signed(rep.Objective, r.Next.Delta, price), strings.Join(parts, ", "))
	}
}

func share(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * a / b
}

func writeWhy(w io.Writer, rep *passes.SearchReport) {
	fmt.Fprintf(w, "\nwhy: %d plans in the space\n", rep.Space)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%d\t  fit (ranked)\n", rep.Fits)
	fmt.Fprintf(tw, "%d\t  equivalent to another plan of the space, counted once (a field with no effect: schedule with pp = 1, cp_mode with cp = 1, sp with tp = 1)\n", rep.Equivalent)
	for _, pc := range rep.Pruned {
		fmt.Fprintf(tw, "%d\t  pruned: %s\n", pc.Plans, pc.By)
	}
	tw.Flush()
}

func writeMaximize(w io.Writer, p *ir.Plan, mr *passes.MaxReport, why bool, price float64) {
	if mr.At == nil {
		fmt.Fprintf(w, "plan %s: no plan fits at %s = %d, the first step\n", p.Name, mr.Dim, mr.Step)
	} else {
		fmt.Fprintf(w, "plan %s: the largest %s that fits is %d (step %d)\n", p.Name, mr.Dim, mr.Value, mr.Step)
	}
	if mr.Beyond != nil {
		fmt.Fprintf(w, "at %d: %s\n", mr.Value+mr.Step, mr.Binding)
	} else {
		fmt.Fprintf(w, "binding: %s\n", mr.Binding)
	}
	var probes []string
	for _, pr := range mr.Probes {
		mark := "fits"
		if !pr.Fits {
			mark = "none fits"
		}
		probes = append(probes, fmt.Sprintf("%d %s", pr.Value, mark))
	}
	fmt.Fprintf(w, "probes: %s\n", strings.Join(probes, ", "))
	if mr.At != nil && len(mr.At.Results) > 0 {
		fmt.Fprintf(w, "\nbest plans at %s = %d:\n", mr.Dim, mr.Value)
		writeResults(w, mr.At, mr.At.Results, true, price)
	}
	if why && mr.Beyond != nil {
		fmt.Fprintf(w, "\nat %s = %d:", mr.Dim, mr.Value+mr.Step)
		writeWhy(w, mr.Beyond)
	}
}

// writePlans writes each result as a plan file in dir: the source file
// with the plan's searched fields filled, its --set overrides written in,
// and its other plans removed, formatted.
func writePlans(prog *ir.Program, p *ir.Plan, sets []string, rep *passes.SearchReport, dir string, modelArgs map[string]string, stdout, stderr io.Writer) int {
	file := p.Span.File
	src, ok := prog.Sources[file]
	if !ok {
		fmt.Fprintf(stderr, "planc search: --write: no source for %s\n", file)
		return exitError
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "planc search: --write: %v\n", err)
		return exitError
	}
	base := planEditOf(p, sets, modelArgs)
	for i, r := range rep.Results {
		e := base
		e.Fields = map[string]string{}
		for k, v := range base.Fields {
			e.Fields[k] = v
		}
		for j, f := range rep.Fields {
			e.Fields[f] = r.Values[j].String()
		}
		if p.Auto["global_batch"] {
			e.Fields["global_batch"] = strconv.Itoa(r.Plan.GlobalBatch)
		}
		e.NewName = fmt.Sprintf("%s_%d", p.Name, i+1)
		e.Comment = fmt.Sprintf("Rank %d of `planc search` over plan %s of %s by %s:\nstep time %s, peak memory %.1f%% of the device, %.3g J per token.",
			i+1, p.Name, filepath.Base(file), rep.Objective, fmtSeconds(r.Est.StepTime), 100*r.Est.PeakBytes/r.Est.Capacity, r.Scores[passes.ObjEnergy])
		out, ds := lang.RewritePlan(file, src, e)
		if ds.HasErrors() {
			printDiagnostics(stderr, ds, prog.Sources, false)
			return exitError
		}
		path := filepath.Join(dir, e.NewName+".plan")
		if err := os.WriteFile(path, out, 0o644); err != nil {
			fmt.Fprintf(stderr, "planc search: --write: %v\n", err)
			return exitError
		}
		fmt.Fprintf(stdout, "wrote %s\n", path)
	}
	return exitOK
}

// planEditOf turns the --set overrides into the edit of a written plan:
// plan fields, and model and cluster call arguments.
func planEditOf(p *ir.Plan, sets []string, modelArgs map[string]string) lang.PlanEdit {
	e := lang.PlanEdit{Plan: p.Name, Fields: map[string]string{}, ModelArgs: map[string]string{}, ClusterArgs: map[string]string{}}
	for _, s := range sets {
		k, v, _ := strings.Cut(s, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case strings.HasPrefix(k, "model."):
			e.ModelArgs[strings.TrimPrefix(k, "model.")] = v
		case strings.HasPrefix(k, "cluster."):
			e.ClusterArgs[strings.TrimPrefix(k, "cluster.")] = v
		default:
			e.Fields[k] = v
		}
	}
	for k, v := range modelArgs {
		e.ModelArgs[k] = v
	}
	return e
}

// searchBar shows progress on a terminal: plans accounted for, or the
// probes of a maximization.
type searchBar struct {
	w      io.Writer
	on     bool
	drawn  bool
	probes int64
}

func newSearchBar(w io.Writer, asJSON bool) *searchBar {
	b := &searchBar{w: w}
	if f, ok := w.(*os.File); ok && !asJSON {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b.on = true
		}
	}
	return b
}

func (b *searchBar) plans(done, total int64) {
	if !b.on || total <= 0 {
		return
	}
	const width = 30
	fill := int(float64(width) * float64(done) / float64(total))
	fill = min(max(fill, 0), width)
	fmt.Fprintf(b.w, "\r\x1b[K%s%s %.1f%% of %d plans", strings.Repeat("█", fill), strings.Repeat("░", width-fill), 100*float64(done)/float64(total), total)
	b.drawn = true
}

func (b *searchBar) probe(n, _ int64) {
	if !b.on {
		return
	}
	fmt.Fprintf(b.w, "\r\x1b[Ksearching: %d values tried", n)
	b.drawn = true
}

func (b *searchBar) end() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
}

// JSON forms.

type searchJSON struct {
	Fields     []string     `json:"fields"`
	Objective  string       `json:"objective"`
	Space      int64        `json:"space"`
	Evaluated  int64        `json:"evaluated"`
	Fits       int64        `json:"fits"`
	Equivalent int64        `json:"equivalent"`
	Pruned     []prunedJSON `json:"pruned"`
	HitLimit   bool         `json:"hit_limit"`
	WallS      float64      `json:"wall_s"`
	PlansPerS  float64      `json:"plans_per_s"`
	Workers    int          `json:"workers"`
	Results    []resultJSON `json:"results"`
	Pareto     []resultJSON `json:"pareto,omitempty"`
}

type prunedJSON struct {
	By    string `json:"by"`
	Plans int64  `json:"plans"`
}

type resultJSON struct {
	Settings       map[string]string `json:"settings"`
	Objective      float64           `json:"objective"`
	StepTime       float64           `json:"step_time_s"`
	Compute        float64           `json:"compute_s"`
	ExposedComm    float64           `json:"exposed_comm_s"`
	Bubble         float64           `json:"bubble_s"`
	Optimizer      float64           `json:"optimizer_s"`
	PeakBytes      float64           `json:"peak_bytes"`
	CapacityBytes  float64           `json:"capacity_bytes"`
	EnergyPerToken float64           `json:"energy_j_per_token"`
	CostPerMTokens float64           `json:"cost_per_mtokens"`
	TokensPerS     float64           `json:"tokens_per_s"`
	MFU            float64           `json:"mfu"`
	Next           *nextJSON         `json:"next,omitempty"`
}

type nextJSON struct {
	Delta  float64     `json:"delta"`
	Knobs  []knobJSON  `json:"knobs"`
	Groups []groupJSON `json:"groups,omitempty"`
}

type groupJSON struct {
	Fields []string `json:"fields"`
	Why    string   `json:"why"`
	Delta  *float64 `json:"delta"`
}

type knobJSON struct {
	Field string  `json:"field"`
	From  string  `json:"from"`
	To    string  `json:"to"`
	Delta float64 `json:"delta"`
	Alone bool    `json:"alone"`
	Why   string  `json:"why,omitempty"`
}

func searchJSONOf(rep *passes.SearchReport) searchJSON {
	j := searchJSON{Fields: rep.Fields, Objective: rep.Objective.String(), Space: rep.Space, Evaluated: rep.Evaluated,
		Fits: rep.Fits, Equivalent: rep.Equivalent, HitLimit: rep.HitLimit, WallS: rep.Wall.Seconds(),
		PlansPerS: rep.PlansPerSecond(), Workers: rep.Workers, Pruned: []prunedJSON{}, Results: []resultJSON{}}
	for _, pc := range rep.Pruned {
		j.Pruned = append(j.Pruned, prunedJSON{pc.By, pc.Plans})
	}
	for _, r := range rep.Results {
		j.Results = append(j.Results, resultJSONOf(rep, r))
	}
	for _, r := range rep.Pareto {
		j.Pareto = append(j.Pareto, resultJSONOf(rep, r))
	}
	return j
}

func resultJSONOf(rep *passes.SearchReport, r passes.Result) resultJSON {
	e := r.Est
	j := resultJSON{Settings: map[string]string{}, Objective: r.Objective, StepTime: e.StepTime, Compute: e.Compute,
		ExposedComm: e.ExposedComm, Bubble: e.Bubble, Optimizer: e.Optimizer, PeakBytes: e.PeakBytes, CapacityBytes: e.Capacity,
		EnergyPerToken: r.Scores[passes.ObjEnergy], CostPerMTokens: r.Scores[passes.ObjCost], TokensPerS: e.TokensPerSec, MFU: e.MFU}
	for i, f := range rep.Fields {
		j.Settings[f] = r.Values[i].String()
	}
	if r.Next != nil {
		n := &nextJSON{Delta: r.Next.Delta, Knobs: []knobJSON{}}
		for _, g := range r.Next.Groups {
			gj := groupJSON{Fields: g.Fields, Why: g.Why}
			if g.OK {
				d := g.Delta
				gj.Delta = &d
			}
			n.Groups = append(n.Groups, gj)
		}
		for _, k := range r.Next.Knobs {
			n.Knobs = append(n.Knobs, knobJSON{k.Field, k.From.String(), k.To.String(), k.Delta, k.Alone, k.Why})
		}
		j.Next = n
	}
	return j
}

type maxJSON struct {
	Dim     string      `json:"dim"`
	Step    int         `json:"step"`
	Value   int         `json:"value"`
	Binding string      `json:"binding"`
	Probes  []probeJSON `json:"probes"`
	At      *searchJSON `json:"at,omitempty"`
	Beyond  *searchJSON `json:"beyond,omitempty"`
}

type probeJSON struct {
	Value int  `json:"value"`
	Fits  bool `json:"fits"`
}

func maxJSONOf(mr *passes.MaxReport) maxJSON {
	j := maxJSON{Dim: mr.Dim, Step: mr.Step, Value: mr.Value, Binding: mr.Binding, Probes: []probeJSON{}}
	for _, p := range mr.Probes {
		j.Probes = append(j.Probes, probeJSON{p.Value, p.Fits})
	}
	if mr.At != nil {
		a := searchJSONOf(mr.At)
		j.At = &a
	}
	if mr.Beyond != nil {
		b := searchJSONOf(mr.Beyond)
		j.Beyond = &b
	}
	return j
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
