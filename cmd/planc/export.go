package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"planc/codegen/export"
	"planc/passes"
)

func init() {
	register(&command{name: "export", summary: "launch script for Megatron-LM, DeepSpeed or torchtitan (--to), with warnings", run: runExport})
}

// runExport implements `planc export`: compile one plan, export it, print
// the warnings and write the script (or, with --json, a JSON object).
func runExport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("export", "--to megatron|deepspeed|torchtitan [--plan NAME] [--set NAME=VALUE]... [-o PATH] [--json] FILE...", stderr,
		"export --to megatron --plan cal_175b_selective -o run.sh examples/calibration.plan",
		"export --to deepspeed --json examples/xmoe_small.plan")
	pf := addPlanFlags(fs)
	to := fs.String("to", "", "the engine: megatron (Megatron-LM's flags), deepspeed (its config JSON with the Megatron-DeepSpeed flags) or torchtitan (v0.2 TOML and its command-line overrides); plan settings the engine cannot express are warnings on stderr, each naming the nearest setting")
	output := fs.String("o", "", "write the launch script to `PATH` (executable) instead of stdout")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	target, ok := export.ParseTarget(*to)
	switch {
	case *to == "":
		fmt.Fprintln(stderr, "planc export: --to is required (megatron, deepspeed or torchtitan)")
	case !ok:
		fmt.Fprintf(stderr, "planc export: unknown --to %q (have megatron, deepspeed, torchtitan)\n", *to)
	}
	if fs.NArg() == 0 || !ok {
		fs.Usage()
		return exitUsage
	}
	prog, plans, code := pf.load(fs.Args(), stderr)
	if code != exitOK {
		return code
	}
	if len(plans) != 1 {
		fmt.Fprintf(stderr, "planc export: the files declare %d plans; choose one with --plan\n", len(plans))
		return exitUsage
	}
	u, diags := passes.Compile(prog, plans[0], passes.Options{})
	if diags.HasErrors() || u == nil {
		printDiagnostics(stderr, diags, prog.Sources, pf.json)
		return exitError
	}
	r, err := export.Export(u, target)
	if err != nil {
		printDiagnostics(stderr, diags, prog.Sources, pf.json)
		fmt.Fprintf(stderr, "planc export: %v\n", err)
		return exitError
	}
	diags = append(diags, r.Diagnostics(u.Plan)...)
	printDiagnostics(stderr, diags, prog.Sources, pf.json)
	if pf.json {
		return writeExportJSON(stdout, stderr, u.Plan.Name, r, *output)
	}
	return writeScript(stdout, stderr, r.Script, *output)
}

func writeScript(stdout, stderr io.Writer, script, path string) int {
	if path == "" {
		io.WriteString(stdout, script)
		return exitOK
	}
	err := writeFileAtomically(path, func(w *bufio.Writer) error { _, err := w.WriteString(script); return err })
	if err == nil {
		err = os.Chmod(path, 0o755)
	}
	if err != nil {
		fmt.Fprintf(stderr, "planc export: %v\n", err)
		return exitError
	}
	return exitOK
}

// exportJSON is the --json form of an export.
type exportJSON struct {
	Plan       string           `json:"plan"`
	Target     string           `json:"target"`
	Script     string           `json:"script,omitempty"`
	Output     string           `json:"output,omitempty"`
	ConfigName string           `json:"config_name,omitempty"`
	Config     string           `json:"config,omitempty"`
	Flags      []string         `json:"flags"`
	Args       []string         `json:"args"` // the flags with their values, one argument each
	Warnings   []export.Warning `json:"warnings"`
}

func writeExportJSON(stdout, stderr io.Writer, plan string, r *export.Result, path string) int {
	j := exportJSON{Plan: plan, Target: string(r.Target), ConfigName: r.ConfigName, Config: r.Config,
		Flags: r.Flags, Args: r.Argv, Warnings: r.Warnings}
	if j.Warnings == nil {
		j.Warnings = []export.Warning{}
	}
	if path != "" {
		if code := writeScript(stdout, stderr, r.Script, path); code != exitOK {
			return code
		}
		j.Output = path
	} else {
		j.Script = r.Script
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.Encode(j)
	return exitOK
}
