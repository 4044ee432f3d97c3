// Package passes turns a resolved plan into a compiled [ir.Unit]: it fills
// the plan's `auto` fields, builds the mesh, expands the model into ops,
// shards them and inserts collectives, partitions the pipeline, applies
// ZeRO and recomputation, and analyses memory and time.
//
// Every transformation and analysis is a named pass in one static, ordered
// table ([Passes]), in the manner of the Go compiler's SSA backend: each
// entry has a name, a function and a flag saying whether it may be
// skipped, and a second table ([passOrder]) lists ordering constraints,
// checked when the package starts (a constraint naming a pass the table
// does not hold is an error). The table holds the whole pipeline, the
// schedule passes of package passes/sched included: what a binary compiles
// does not depend on which packages it imports. [Options] can run the IR
// verifier after every pass, dump the IR after chosen passes and time each
// pass.
//
// The analytic estimate ([Estimate], [EstimateStep]) is derived from the
// same table: the passes marked Template build its per-layer-kind
// templates by running on one representative layer of each kind, and the
// estimate assembles the reports from them as the memory and cost passes
// do from the whole graph (a test holds the two equal).
//
// A pass reads and writes the [State] it is given and reports problems as
// diagnostics at the plan's source spans, never as Go errors or panics.
//
// Compile's contract: on return with no error diagnostics, the unit's graph
// passes [ir.Unit.Verify], Memory and Cost are set, and the plan has no
// `auto` field left. A plan that does not fit in device memory returns the
// unit together with an error diagnostic at the plan's span.
package passes

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"planc/ir"
)

// State is what passes share while compiling one plan.
type State struct {
	Prog  *ir.Program
	Plan  *ir.Plan // a private copy of the caller's plan; passes may fill it
	Unit  *ir.Unit
	Opts  Options
	Diags ir.Diagnostics

	// layers are the per-layer op lists built by expansion, in model order;
	// embed and head hold the ops before and after the layers.
	layers [][]*ir.Op
	embed  []*ir.Op
	head   []*ir.Op
	// layerColls are the per-layer collectives built by collective
	// insertion; embedColls and headColls those of embed and head ops.
	layerColls [][]*ir.Collective
	embedColls []*ir.Collective
	headColls  []*ir.Collective
	cost       *ir.CostReport // assembled with the memory report
	// stopped is set by a pass whose error makes later passes meaningless.
	stopped bool
	// sharded is set by the shard pass: the ops have their local shapes.
	sharded bool
	// only, when not nil, restricts expansion to these layers, one of each
	// kind: the analytic estimate's templates (see buildTemplates).
	only []int
}

func (s *State) errorf(field string, format string, args ...any) {
	s.Diags = append(s.Diags, ir.Errorf(s.Plan.FieldSpan(field), format, args...))
}

// Pass is one entry of the pass table.
type Pass struct {
	Name string
	Fn   func(*State)
	// Required passes always run; others may be disabled with Options.Skip.
	Required bool
	// Stops marks passes after which compilation stops when errors were
	// reported (the IR would not be meaningful).
	Stops bool
	// Template marks the passes that also build the analytic estimate's
	// templates (see [State] and buildTemplates): they run, in table
	// order, on one representative layer of each kind.
	Template bool
}

// Passes is the ordered pass table: the one pipeline of every compilation.
var Passes = []Pass{
	{Name: "resolve-auto", Fn: resolveAuto, Required: true, Stops: true},
	{Name: "validate", Fn: validate, Required: true, Stops: true},
	{Name: "mesh", Fn: buildMesh, Required: true, Template: true},
	{Name: "expand", Fn: expand, Required: true, Template: true},
	{Name: "shard", Fn: shard, Required: true, Template: true},
	{Name: "collectives", Fn: insertCollectives, Required: true, Template: true},
	{Name: "pipeline", Fn: partitionPipeline, Required: true},
	{Name: "params", Fn: paramsPass, Required: true},
	{Name: "program", Fn: programPass, Required: true},
	{Name: "zero", Fn: zeroPass, Required: true},
	{Name: "recompute", Fn: recomputePass, Required: true, Template: true},
	{Name: "memory", Fn: memoryPass, Required: true},
	{Name: "cost", Fn: costPass, Required: true},
	// The runtime schedule (optional: analyses that need none skip its
	// cost at thousands of ranks) and its verification.
	{Name: "schedule", Fn: schedulePass, Stops: true},
	{Name: "verify-schedule", Fn: verifySchedulePass},
}

// passOrder lists constraints: the first pass must run before the second.
var passOrder = [][2]string{
	{"resolve-auto", "validate"},
	{"validate", "mesh"},
	{"mesh", "expand"},
	{"expand", "shard"},
	{"shard", "collectives"},
	{"collectives", "pipeline"},
	{"pipeline", "params"},
	{"params", "program"},
	{"pipeline", "zero"},
	{"expand", "recompute"},
	{"recompute", "memory"},
	{"zero", "memory"},
	{"memory", "cost"},
	{"pipeline", "schedule"},
	{"zero", "schedule"},
	{"cost", "schedule"},
	{"schedule", "verify-schedule"},
}

// templatePasses are the functions of the passes marked Template, in
// table order (set from the table at start-up: the estimate they serve is
// itself called by the memory pass).
var templatePasses []func(*State)

func init() {
	if err := checkOrder(Passes, passOrder); err != nil {
		panic(err)
	}
	for _, p := range Passes {
		if p.Template {
			templatePasses = append(templatePasses, p.Fn)
		}
	}
}

// checkOrder verifies that pass names are unique and that every
// constraint names two passes of the table in the right order.
func checkOrder(table []Pass, order [][2]string) error {
	idx := map[string]int{}
	for i, p := range table {
		if _, dup := idx[p.Name]; dup {
			return fmt.Errorf("passes: pass %q listed twice", p.Name)
		}
		idx[p.Name] = i
	}
	for _, c := range order {
		a, okA := idx[c[0]]
		b, okB := idx[c[1]]
		for _, n := range []struct {
			name string
			ok   bool
		}{{c[0], okA}, {c[1], okB}} {
			if !n.ok {
				return fmt.Errorf("passes: ordering constraint %q before %q names no pass %q", c[0], c[1], n.name)
			}
		}
		if a >= b {
			return fmt.Errorf("passes: %q must run before %q", c[0], c[1])
		}
	}
	return nil
}

// Options controls a compilation.
type Options struct {
	// VerifyEach runs the IR verifier after every pass: the mesh once it
	// is built, the ops and collectives before pipeline partitioning, the
	// staged graph after it (verify-schedule checks the schedule).
	VerifyEach bool
	// Dump names passes after which the unit's IR is printed to DumpTo.
	Dump map[string]bool
	// Time prints each pass's duration to DumpTo.
	Time bool
	// Skip names optional passes not to run.
	Skip map[string]bool
	// DumpTo receives dumps and timings (os.Stderr when nil).
	DumpTo io.Writer
	// MaxSearch bounds the planner's search over auto fields (plans
	// estimated); 0 means no bound: the search is exhaustive.
	MaxSearch int
}

// Compile runs the pass table over a copy of plan and returns the compiled
// unit with every diagnostic found. The unit is nil only when the plan
// could not be compiled at all.
func Compile(prog *ir.Program, plan *ir.Plan, opts Options) (*ir.Unit, ir.Diagnostics) {
	out := opts.DumpTo
	if out == nil {
		out = os.Stderr
	}
	cp := clonePlan(plan)
	st := &State{Prog: prog, Plan: cp, Opts: opts}
	st.Unit = &ir.Unit{Program: prog, Plan: cp}
	if plan.Model == nil || plan.Cluster == nil || plan.Cluster.Node == nil || plan.Cluster.Node.Device == nil {
		st.errorf("model", "plan %s has no model or cluster", plan.Name)
		return nil, st.Diags
	}
	for _, p := range Passes {
		if !p.Required && opts.Skip[p.Name] {
			continue
		}
		start := time.Now()
		nerr := countErrors(st.Diags)
		p.Fn(st)
		if opts.Time {
			fmt.Fprintf(out, "pass %-16s %v\n", p.Name, time.Since(start))
		}
		if p.Stops && countErrors(st.Diags) > nerr {
			return nil, st.Diags
		}
		if opts.VerifyEach {
			if errs := st.verify(); len(errs) > 0 {
				for _, e := range errs {
					st.Diags = append(st.Diags, ir.Errorf(plan.Span, "after pass %s: internal error: %v", p.Name, e))
				}
				return st.Unit, st.Diags
			}
		}
		if opts.Dump[p.Name] {
			fmt.Fprintf(out, "# after %s\n", p.Name)
			if len(st.Unit.Graph.Stages) > 0 {
				st.Unit.Print(out)
			} else {
				fmt.Fprintf(out, "%s\n", dumpLayers(st))
			}
		}
		if st.stopped {
			break
		}
	}
	return st.Unit, st.Diags
}

// verify checks whatever IR the passes have built so far: nothing before
// the mesh; the mesh; the op lists and their collectives until the
// pipeline partition puts them in stages; then the staged graph.
func (st *State) verify() []error {
	u := st.Unit
	if u == nil || u.Mesh.Size() == 0 {
		return nil
	}
	errs := u.VerifyMesh()
	switch {
	case len(u.Graph.Stages) > 0:
		errs = append(errs, u.Verify()...)
	case st.layers != nil || st.embed != nil || st.head != nil:
		ops := append([]*ir.Op(nil), st.embed...)
		colls := append([]*ir.Collective(nil), st.embedColls...)
		for i, l := range st.layers {
			ops = append(ops, l...)
			if i < len(st.layerColls) {
				colls = append(colls, st.layerColls[i]...)
			}
		}
		ops = append(ops, st.head...)
		colls = append(colls, st.headColls...)
		errs = append(errs, u.VerifyProgram(ops, colls, st.sharded)...)
	}
	return errs
}

func countErrors(ds ir.Diagnostics) int {
	n := 0
	for _, d := range ds {
		if d.Severity == ir.Error {
			n++
		}
	}
	return n
}

// dumpLayers prints the op lists before pipeline partitioning.
func dumpLayers(st *State) string {
	var b strings.Builder
	for _, o := range st.embed {
		fmt.Fprintf(&b, "  %-14s %s\n", o.Name, o)
	}
	for _, l := range st.layers {
		for _, o := range l {
			fmt.Fprintf(&b, "  %-14s %s\n", o.Name, o)
		}
	}
	for _, o := range st.head {
		fmt.Fprintf(&b, "  %-14s %s\n", o.Name, o)
	}
	return b.String()
}

// clonePlan copies a plan deeply enough that passes may fill its fields.
func clonePlan(p *ir.Plan) *ir.Plan {
	c := *p
	c.Auto = map[string]bool{}
	for k, v := range p.Auto {
		c.Auto[k] = v
	}
	return &c
}
