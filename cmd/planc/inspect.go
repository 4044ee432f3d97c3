package main

import (
	"fmt"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"planc/ir"
	"planc/tui"
)

func init() {
	register(&command{name: "inspect", summary: "interactive inspector of a plan: memory, time, timeline, what-if edits (needs a terminal)", run: runInspect})
}

// isTerminal reports whether both standard input and output are terminals
// (a variable so that tests can pretend).
var isTerminal = func() bool { return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) }

// runInspect implements `planc inspect FILE [--plan NAME] [--set ...]`.
// Keys: tab/1-5 pane, ↑↓ knob, ←→ change it, e type a value, u undo, w
// write the file, q quit (the screen shows them).
func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("inspect", "[--plan NAME] [--set NAME=VALUE] FILE", stderr,
		"inspect examples/tiny_gpt.plan",
		"inspect --plan frontier_1t_3d examples/frontier_1t.plan",
		"inspect --set recompute=none examples/xmoe_super.plan")
	pf := addPlanFlags(fs)
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	if pf.json {
		return usageError(fs, "--json: the inspector is interactive; planc explain --json gives the report")
	}
	if fs.NArg() != 1 {
		return usageError(fs, "want one plan file, got %d arguments", fs.NArg())
	}
	file := fs.Arg(0)
	if !isTerminal() {
		fmt.Fprintf(stderr, "planc inspect: needs a terminal; for the same report as text, use: planc explain %s\n", file)
		return exitUsage
	}
	s, diags, src := tui.Open(tui.Options{File: file, Plan: pf.planName, Sets: pf.sets})
	if s == nil {
		io.WriteString(stderr, ir.RenderAll(diags, src))
		return exitError
	}
	if _, err := tea.NewProgram(tui.New(s, 80, 24)).Run(); err != nil {
		fmt.Fprintf(stderr, "planc inspect: %v\n", err)
		return exitError
	}
	return exitOK
}
