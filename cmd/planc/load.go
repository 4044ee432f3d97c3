package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"planc/ir"
	"planc/lang"
)

// planFlags are the flags of every command that reads a plan.
type planFlags struct {
	sets     multiFlag
	planName string
	json     bool
}

type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func addPlanFlags(fs *flag.FlagSet) *planFlags {
	pf := &planFlags{}
	fs.Var(&pf.sets, "set", "override a field: `NAME=VALUE` (tp=4, model.layers=2, cluster.per_node=2); repeatable")
	fs.StringVar(&pf.planName, "plan", "", "the plan to use when a file declares several")
	fs.BoolVar(&pf.json, "json", false, "machine-readable output")
	return pf
}

// load reads and checks files, prints the diagnostics (rendered, or as JSON
// with --json) to stderr, and returns the program and the selected plans.
// The --set overrides apply to the --plan plan only, or to every plan when
// there is no --plan (a note says so when there are several). The exit
// code is exitOK unless errors were found.
func (pf *planFlags) load(files []string, stderr io.Writer) (*ir.Program, []*ir.Plan, int) {
	prog, diags := lang.Load(files, lang.Options{Overrides: pf.sets, Plan: pf.planName})
	printDiagnostics(stderr, diags, prog.Sources, pf.json)
	if diags.HasErrors() {
		return prog, nil, exitError
	}
	if pf.planName != "" {
		p := prog.Plan(pf.planName)
		if p == nil {
			fmt.Fprintf(stderr, "planc: no plan %q in %s; %s\n", pf.planName, strings.Join(files, " "), planList(prog))
			return prog, nil, exitError
		}
		return prog, []*ir.Plan{p}, exitOK
	}
	if len(pf.sets) > 0 && len(prog.Plans) > 1 && !pf.json {
		fmt.Fprintf(stderr, "planc: note: --set applies to every plan (%s); choose one with --plan\n", planNames(prog))
	}
	return prog, prog.Plans, exitOK
}

// planNames lists the plans of a program, comma-separated.
func planNames(prog *ir.Program) string {
	names := make([]string, len(prog.Plans))
	for i, p := range prog.Plans {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// planList says which plans the files declare, for a message.
func planList(prog *ir.Program) string {
	if len(prog.Plans) == 0 {
		return "the files declare no plan"
	}
	return "the plans are " + planNames(prog)
}

// loadOne is load for commands that work on exactly one plan (run, eval):
// several plans without --plan is a usage error naming the command and the
// plans.
func (pf *planFlags) loadOne(files []string, stderr io.Writer, cmd string) (*ir.Plan, int) {
	prog, plans, code := pf.load(files, stderr)
	if code != exitOK {
		return nil, code
	}
	if len(plans) != 1 {
		fmt.Fprintf(stderr, "%s: the files declare %d plans (%s); choose one with --plan\n", cmd, len(plans), planNames(prog))
		return nil, exitUsage
	}
	return plans[0], exitOK
}

// jsonDiagnostic is the --json form of one diagnostic.
type jsonDiagnostic struct {
	Severity   string   `json:"severity"`
	File       string   `json:"file,omitempty"`
	Line       int      `json:"line,omitempty"`
	Col        int      `json:"col,omitempty"`
	EndLine    int      `json:"end_line,omitempty"`
	EndCol     int      `json:"end_col,omitempty"`
	Message    string   `json:"message"`
	Notes      []string `json:"notes,omitempty"`
	Suggestion string   `json:"suggestion,omitempty"`
}

func printDiagnostics(w io.Writer, diags ir.Diagnostics, src ir.Sources, asJSON bool) {
	if len(diags) == 0 {
		return
	}
	if !asJSON {
		io.WriteString(w, ir.RenderAll(diags, src))
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"diagnostics": jsonDiagnostics(diags)})
}

// jsonDiagnostics converts diagnostics to their --json form; never nil, so
// that no diagnostics encode as [].
func jsonDiagnostics(diags ir.Diagnostics) []jsonDiagnostic {
	out := make([]jsonDiagnostic, len(diags))
	for i, d := range diags {
		out[i] = jsonDiagnostic{
			Severity: d.Severity.String(), File: d.Span.File,
			Line: d.Span.Start.Line, Col: d.Span.Start.Col,
			EndLine: d.Span.End.Line, EndCol: d.Span.End.Col,
			Message: d.Message, Notes: d.Notes, Suggestion: d.Suggestion,
		}
	}
	return out
}
