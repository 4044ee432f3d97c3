package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"planc/ir"
	"planc/runtime/ckpt"
	"planc/runtime/data"
	"planc/runtime/exec"
)

func init() {
	register(&command{name: "eval", summary: "mean loss of a checkpoint over the first windows of the data", run: runEval})
}

// runEval implements `planc eval FILE --checkpoint CKPT [--data PATH]
// [--windows N] [--json]`: the mean next-token cross-entropy of the
// checkpoint over the first N consecutive, non-overlapping windows of
// seq+1 tokens from the start of the data (see package runtime/exec).
func runEval(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("planc eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pf := addPlanFlags(fs)
	checkpoint := fs.String("checkpoint", "", "the checkpoint to evaluate (required)")
	dataPath := fs.String("data", "", "evaluation data, as for planc run (default: the embedded corpus)")
	windows := fs.Int("windows", 32, "number of windows of seq+1 tokens from the start of the data")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: planc eval --checkpoint CKPT [--data PATH] [--windows N] [--json] FILE...")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return exitUsage
	}
	files := fs.Args()
	if len(files) == 0 || *checkpoint == "" {
		fs.Usage()
		return exitUsage
	}
	p, code := pf.loadOne(files, stderr, "planc eval")
	if code != exitOK {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "planc eval: "+format+"\n", a...)
		return exitError
	}
	c, err := ckpt.Read(*checkpoint)
	if err != nil {
		return fail("%v", err)
	}
	var stream *data.Stream
	if p.Model.Kind != ir.MLPModel {
		if stream, err = data.Load(*dataPath); err != nil {
			return fail("%v", err)
		}
	}
	r, err := exec.Eval(p.Model, c, stream, *windows, p.Train.Seed)
	if err != nil {
		return fail("%s: %v", *checkpoint, err)
	}
	if pf.json {
		json.NewEncoder(stdout).Encode(map[string]any{"loss": r.Loss, "windows": r.Windows, "tokens": r.Tokens, "checkpoint_step": c.Meta["step"]})
		return exitOK
	}
	fmt.Fprintf(stdout, "loss %.4f over %d windows (%d tokens) of %s at step %s\n", r.Loss, r.Windows, r.Tokens, *checkpoint, c.Meta["step"])
	return exitOK
}
