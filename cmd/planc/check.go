package main

import (
	"encoding/json"
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
	fs := newFlags("check", "[--json] [--set NAME=VALUE]... [--plan NAME] FILE...", stderr,
		"check examples/tiny_gpt.plan",
		"check --set tp=2 --set model.layers=2 examples/tiny_gpt.plan",
		"check --json stdlib/hw/*.plan")
	pf := addPlanFlags(fs)
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(fs, "no files")
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
