package tui

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// Options say which plan to inspect.
type Options struct {
	File string   // the plan file
	Plan string   // the plan's name; "" when the file declares one plan
	Sets []string // --set overrides, applied before any edit
}

// Eval is one state of the plan, priced by the analytic cost model
// ([passes.Estimate], the planner's fast path): what every numeric pane
// shows.
type Eval struct {
	Sets  []string // every override that made this plan from the file
	Prog  *ir.Program
	Plan  *ir.Plan // resolved: no auto field left
	Mesh  ir.Mesh
	Est   passes.Estimation
	Diags ir.Diagnostics // warnings of the checker and the cost model
	// Saves is what each single-knob memory alternative would need
	// (passes.MemoryAlternatives, priced like the memory pass does).
	Saves []Saving
}

// Saving is one memory alternative priced on the worst rank.
type Saving struct {
	Knob, Value string
	Peak        float64
}

// Session is the what-if state of one plan: the plan as compiled from the
// file, and the plan with the user's edits, each evaluated.
type Session struct {
	opts    Options
	src     []byte
	planned []string // the planner's choices for the fields written auto, in the original
	// Unit is the compiled original (passes.Compile); Orig its evaluation.
	Unit  *ir.Unit
	Orig  *Eval
	Cur   *Eval
	Diags ir.Diagnostics // the original's diagnostics (checker and passes)
	Prog  *ir.Program
	// Auto names the fields the file leaves to the planner.
	Auto map[string]bool
	hist []state // the what-if states, the last current; hist[0] is the original
}

// state is one what-if state: the user's edits and the planner's choices
// for the auto fields left (the original's, until re-planned).
type state struct {
	edits, planned []string
}

// Open loads, checks and compiles the plan (the planner fills its auto
// fields, without building the schedule: the timeline does that later) and
// evaluates it. It returns every diagnostic and the sources to render
// them with. Errors that leave nothing to inspect return a nil session; a
// plan with errors that still has reports (one that does not fit in
// memory) opens.
func Open(opts Options) (*Session, ir.Diagnostics, ir.Sources) {
	src, err := os.ReadFile(opts.File)
	if err != nil {
		return nil, ir.Diagnostics{ir.Errorf(ir.Span{File: opts.File}, "%v", err)}, nil
	}
	prog, diags := lang.Load([]string{opts.File}, lang.Options{Overrides: opts.Sets})
	if diags.HasErrors() {
		return nil, diags, prog.Sources
	}
	plan, err := pickPlan(prog, opts)
	if err != nil {
		return nil, append(diags, ir.Errorf(ir.Span{File: opts.File}, "%v", err)), prog.Sources
	}
	opts.Plan = plan.Name
	u, cd := passes.Compile(prog, plan, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
	diags = append(diags, cd...)
	if u == nil || u.Cost == nil || u.Memory == nil {
		return nil, diags, prog.Sources
	}
	s := &Session{opts: opts, src: src, Unit: u, Diags: diags, Prog: prog, Auto: map[string]bool{}}
	for _, k := range knobs() {
		if plan.Auto[k.name] {
			s.Auto[k.name] = true
			s.planned = append(s.planned, k.name+"="+k.value(u.Plan))
		}
	}
	s.Orig = s.evalUnit(u)
	s.Cur = s.Orig
	s.hist = []state{{planned: s.planned}}
	return s, diags, prog.Sources
}

func pickPlan(prog *ir.Program, opts Options) (*ir.Plan, error) {
	if opts.Plan != "" {
		if p := prog.Plan(opts.Plan); p != nil {
			return p, nil
		}
		return nil, fmt.Errorf("no plan %q in %s", opts.Plan, opts.File)
	}
	var own []*ir.Plan
	for _, p := range prog.Plans {
		if p.Span.File == opts.File {
			own = append(own, p)
		}
	}
	if len(own) == 0 {
		own = prog.Plans
	}
	switch len(own) {
	case 0:
		return nil, fmt.Errorf("%s declares no plan", opts.File)
	case 1:
		return own[0], nil
	}
	names := make([]string, len(own))
	for i, p := range own {
		names[i] = p.Name
	}
	return nil, fmt.Errorf("%s declares %d plans (%s); choose one with --plan", opts.File, len(own), strings.Join(names, ", "))
}

// evalUnit is the evaluation of the compiled original: Compile's reports.
func (s *Session) evalUnit(u *ir.Unit) *Eval {
	e := &Eval{Sets: mergeSets(s.opts.Sets, s.planned), Prog: s.Prog, Plan: u.Plan, Mesh: u.Mesh,
		Est: passes.Estimation{StepTime: u.Cost.StepTime, PeakBytes: u.Memory.WorstRank().Peak, Capacity: u.Memory.Capacity,
			Worst: u.Memory.WorstRank(), TokensPerSec: u.Cost.TokensPerSec, MFU: u.Cost.MFU, Memory: u.Memory, Cost: u.Cost}}
	for _, d := range s.Diags {
		if d.Severity != ir.Error {
			e.Diags = append(e.Diags, d)
		}
	}
	e.Saves = savings(u.Plan)
	return e
}

// savings prices the memory alternatives of p.
func savings(p *ir.Plan) []Saving {
	var out []Saving
	for _, a := range passes.MemoryAlternatives(p) {
		if e, ds := passes.Estimate(a.Plan); !ds.HasErrors() {
			out = append(out, Saving{a.Knob, a.Value, e.PeakBytes})
		}
	}
	return out
}

// Edits returns the current edits as NAME=VALUE, in the order made.
func (s *Session) Edits() []string { return s.hist[len(s.hist)-1].edits }

// Planned returns the planner's choices the current state pins for the
// fields the file leaves auto, as NAME=VALUE.
func (s *Session) Planned() []string { return s.hist[len(s.hist)-1].planned }

func (s *Session) push(st state, e *Eval) {
	s.hist = append(s.hist, st)
	s.Cur = e
}

// Refusal is an edit the checker or the cost model refused: its rendered
// diagnostics.
type Refusal struct {
	Set     string
	Message string // the first error's message, with its help
	Render  string // every error, rendered with snippets
}

func (r *Refusal) Error() string { return r.Message }

// Set changes one knob (NAME=VALUE, as --set writes it), checks the
// result like source and re-evaluates it. An illegal value is refused with
// the checker's message and leaves the state as it was. A change of tp,
// pp or cp that would change the world size, on a machine whose size is
// fixed, also scales dp to keep it when that is the only way the checker
// accepts it; the returned note says so.
func (s *Session) Set(set string) (note string, err error) {
	name := setKey(set)
	st := state{mergeSets(s.Edits(), []string{set}), s.Planned()}
	e, rerr := s.eval(st)
	if rerr != nil && (name == "tp" || name == "pp" || name == "cp") {
		if dp, ok := s.keepWorld(name, set); ok {
			st2 := state{mergeSets(st.edits, []string{"dp=" + strconv.Itoa(dp)}), st.planned}
			if e2, err2 := s.eval(st2); err2 == nil {
				st, e, rerr = st2, e2, nil
				note = fmt.Sprintf("dp = %d keeps the world at %d ranks", dp, s.Cur.Plan.WorldSize())
			}
		}
	}
	if rerr != nil {
		return "", rerr
	}
	s.push(st, e)
	return note, nil
}

// keepWorld returns the dp that keeps the current world size when knob
// takes the value in set.
func (s *Session) keepWorld(knob, set string) (int, bool) {
	_, v, _ := strings.Cut(set, "=")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, false
	}
	p := s.Cur.Plan
	tp, pp, cp := p.TP, p.PP, p.CP
	switch knob {
	case "tp":
		tp = n
	case "pp":
		pp = n
	case "cp":
		cp = n
	}
	w := p.WorldSize()
	if w%(tp*pp*cp) != 0 {
		return 0, false
	}
	return w / (tp * pp * cp), true
}

// Undo returns to the state before the last edit; false when there is
// none.
func (s *Session) Undo() bool {
	if len(s.hist) < 2 {
		return false
	}
	s.hist = s.hist[:len(s.hist)-1]
	if len(s.hist) == 1 {
		s.Cur = s.Orig
		return true
	}
	e, err := s.eval(s.hist[len(s.hist)-1])
	if err != nil { // cannot happen: the state was accepted before
		return false
	}
	s.Cur = e
	return true
}

// Load replaces the edits with a whole set of settings (a search result):
// one undoable step.
func (s *Session) Load(sets []string) error {
	st := state{mergeSets(s.Edits(), sets), s.Planned()}
	e, err := s.eval(st)
	if err != nil {
		return err
	}
	s.push(st, e)
	return nil
}

// Replan runs the planner again for the fields the file leaves auto and
// the user has not edited, given the edits: one undoable step. It returns
// the choices that changed (NAME=VALUE); none when the planner keeps its
// choices or the file has no auto field left to plan.
func (s *Session) Replan() ([]string, error) {
	edited := map[string]bool{}
	for _, e := range s.Edits() {
		edited[setKey(e)] = true
	}
	prog, diags := lang.Load([]string{s.opts.File}, lang.Options{Overrides: mergeSets(s.opts.Sets, s.Edits())})
	if diags.HasErrors() {
		return nil, refusal(s.Edits(), diags, prog.Sources)
	}
	plan := prog.Plan(s.opts.Plan)
	if plan == nil || len(plan.Auto) == 0 {
		return nil, nil
	}
	u, cd := passes.Compile(prog, plan, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
	if u == nil || u.Cost == nil {
		return nil, refusal(s.Edits(), append(diags, cd...), prog.Sources)
	}
	var planned, changed []string
	old := map[string]string{}
	for _, p := range s.Planned() {
		old[setKey(p)] = p
	}
	for _, k := range knobs() {
		if plan.Auto[k.name] && !edited[k.name] {
			set := k.name + "=" + k.value(u.Plan)
			planned = append(planned, set)
			if old[k.name] != set {
				changed = append(changed, set)
			}
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	st := state{s.Edits(), planned}
	e, err := s.eval(st)
	if err != nil {
		return nil, err
	}
	s.push(st, e)
	return changed, nil
}

// eval checks the file with the overrides, the planner's choices and the
// edits, and prices the result with the analytic cost model.
func (s *Session) eval(st state) (*Eval, error) {
	edits := st.edits
	sets := mergeSets(s.opts.Sets, st.planned, edits)
	prog, diags := lang.Load([]string{s.opts.File}, lang.Options{Overrides: sets})
	if diags.HasErrors() {
		return nil, refusal(edits, diags, prog.Sources)
	}
	plan := prog.Plan(s.opts.Plan)
	if plan == nil {
		return nil, &Refusal{Message: "the plan " + s.opts.Plan + " is gone from " + s.opts.File}
	}
	est, ed := passes.Estimate(plan)
	diags = append(diags, ed...)
	if ed.HasErrors() {
		return nil, refusal(edits, diags, prog.Sources)
	}
	return &Eval{Sets: sets, Prog: prog, Plan: plan, Mesh: ir.NewMesh(plan), Est: est, Diags: diags, Saves: savings(plan)}, nil
}

func refusal(edits []string, diags ir.Diagnostics, src ir.Sources) *Refusal {
	r := &Refusal{Render: ir.RenderAll(diags, src)}
	if len(edits) > 0 {
		r.Set = edits[len(edits)-1]
	}
	for _, d := range diags {
		if d.Severity == ir.Error {
			r.Message = d.Message
			if d.Suggestion != "" {
				r.Message += " (" + d.Suggestion + ")"
			}
			break
		}
	}
	return r
}

// Write writes the --set overrides and the edits into the plan file
// through the formatter (comments kept) and returns the path. Fields the
// file leaves auto and the user did not edit stay auto.
func (s *Session) Write() (string, error) {
	out, diags := lang.SetFields(s.opts.File, s.src, s.opts.Plan, mergeSets(s.opts.Sets, s.Edits()))
	if diags.HasErrors() {
		return "", diags.Err()
	}
	info, err := os.Stat(s.opts.File)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(s.opts.File, out, info.Mode().Perm()); err != nil {
		return "", err
	}
	s.src = out
	return s.opts.File, nil
}

// Changed reports whether knob differs between the original and now.
func (s *Session) Changed(k knob) bool { return k.value(s.Orig.Plan) != k.value(s.Cur.Plan) }
