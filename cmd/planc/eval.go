package main

import (
	"encoding/json"
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
	fs := newFlags("eval", "--checkpoint CKPT [--data PATH] [--windows N] [--json] [--plan NAME] FILE...", stderr,
		"eval --checkpoint ck/tiny_gpt_serial-step000200.safetensors examples/tiny_gpt.plan",
		"eval --windows 64 --data corpus.txt --checkpoint CKPT examples/tiny_gpt.plan")
	pf := addPlanFlags(fs)
	checkpoint := fs.String("checkpoint", "", "the checkpoint to evaluate (required)")
	dataPath := fs.String("data", "", "evaluation data, as for planc run (default: the embedded corpus)")
	windows := fs.Int("windows", 32, "number of windows of seq+1 tokens from the start of the data")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		return usageError(fs, "no files")
	}
	if *checkpoint == "" {
		return usageError(fs, "--checkpoint is required")
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
	r, err := exec.Eval(p, c, stream, *windows)
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
