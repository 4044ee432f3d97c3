package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"planc/lang"
)

func init() {
	register(&command{name: "check", summary: "check plan files: names, units, types and plan constraints", run: runCheck})
}

// runCheck implements `planc check [--json] [--set NAME=VALUE] FILE...`.
// Diagnostics go to stderr, rendered, or with --json to stdout as
// {"diagnostics": [...]} (an empty list when the files are clean). The
// exit code is 0 when there is no error (warnings are fine), 1 on errors
// and 2 on usage errors.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("planc check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pf := addPlanFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: planc check [--json] [--set NAME=VALUE]... [--plan NAME] FILE...")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	prog, diags := lang.Load(fs.Args(), lang.Options{Overrides: pf.sets, Plan: pf.planName})
	if pf.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(map[string]any{"diagnostics": jsonDiagnostics(diags)})
	} else {
		printDiagnostics(stderr, diags, prog.Sources, false)
		if len(pf.sets) > 0 && pf.planName == "" && len(prog.Plans) > 1 {
			fmt.Fprintf(stderr, "planc: note: --set applies to every plan (%s); choose one with --plan\n", planNames(prog))
		}
	}
	if diags.HasErrors() {
		return exitError
	}
	if pf.planName != "" && prog.Plan(pf.planName) == nil {
		fmt.Fprintf(stderr, "planc check: no plan %q in %s; %s\n", pf.planName, strings.Join(fs.Args(), " "), planList(prog))
		return exitError
	}
	return exitOK
}
