package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"planc/ir"
	"planc/passes/sched"
	"planc/runtime/ckpt"
	"planc/runtime/data"
	"planc/runtime/exec"
	"planc/runtime/llvmk"
)

func init() {
	register(&command{name: "run", summary: "train a plan for real on this CPU (ranks as goroutines)", run: runRun})
}

// runRun implements `planc run [flags] FILE...`: it trains the plan and
// reports per step (a progress bar on a terminal, plain lines otherwise,
// JSON lines with --json) and a summary at the end.
func runRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "[--steps N] [--data PATH] [--checkpoint-dir DIR] [--resume CKPT] [--init-only] [--kernels go|llvm] [--profile] [--set NAME=VALUE]... [--plan NAME] [--json] FILE...", stderr,
		"run examples/tiny_gpt.plan",
		"run --steps 50 --set tp=2 examples/tiny_gpt.plan",
		"run --steps 30 --profile examples/tiny_gpt.plan",
		"run --plan tiny_moe_dp4_ep4 --checkpoint-dir ck examples/tiny_moe_ep.plan",
		"run --init-only --checkpoint-dir ck examples/tiny_gpt.plan")
	pf := addPlanFlags(fs)
	steps := fs.Int("steps", 0, "optimizer steps (0 or unset: the plan's train.steps; --init-only trains none)")
	dataPath := fs.String("data", "", "training data: a text file or folder (byte-level), or llm.c/nanoGPT .bin token files (default: the embedded corpus)")
	ckptDir := fs.String("checkpoint-dir", "", "folder for checkpoints, written every train.checkpoint_every steps and at the end (default: none)")
	resume := fs.String("resume", "", "a checkpoint to resume from (its step, weights and optimizer state)")
	schedFile := fs.String("schedule", "", "run this compiled schedule file (planc compile -o FILE.sched) instead of compiling one")
	timeout := fs.Duration("timeout", 0, "fail when a rank waits longer than this for a peer (default 60s)")
	initOnly := fs.Bool("init-only", false, "write the step-0 checkpoint (the initial weights, zero moments) to --checkpoint-dir and stop, without training")
	kernelsFlag := fs.String("kernels", "go", "the kernels of the hot ops: go (runtime/kernels) or llvm (the host kernels generated for the plan's shapes; needs planc built with -tags planc_llvm and llc)")
	profile := fs.Bool("profile", false, "time the kernels by op kind, forward and backward (rank-seconds, share of rank time, GFLOP/s), beside communication and the rest (other kernels, allocation, copies, scheduling)")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	files := fs.Args()
	if len(files) == 0 {
		return usageError(fs, "no files")
	}
	if *initOnly && (*ckptDir == "" || *resume != "") {
		fmt.Fprintln(stderr, "planc run: --init-only writes the initial checkpoint: it needs --checkpoint-dir and takes no --resume")
		return exitUsage
	}
	p, code := pf.loadOne(files, stderr, "planc run")
	if code != exitOK {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "planc run: "+format+"\n", a...)
		return exitError
	}
	if *kernelsFlag != "go" && *kernelsFlag != "llvm" {
		fmt.Fprintf(stderr, "planc run: --kernels=%s: want go or llvm\n", *kernelsFlag)
		return exitUsage
	}
	ops, closeOps, err := llvmk.Select(p, *kernelsFlag == "llvm")
	if err != nil {
		return fail("--kernels=%s: %v", *kernelsFlag, err)
	}
	defer closeOps()
	// Refused before anything is allocated: a schedule the machine cannot
	// hold would otherwise fail at the allocation, or swap.
	if err := sched.CheckMemory(p, sched.AvailableMemory()); err != nil {
		return fail("%v", err)
	}
	cfg := exec.Config{Plan: p, Steps: *steps, Timeout: *timeout, Ops: ops}
	var prof *llvmk.Profiled
	if *profile {
		prof = llvmk.NewProfiled(ops)
		cfg.Ops = prof
		cfg.Profile = exec.NewInstrProfile()
	}
	if p.Model != nil && p.Model.Kind != ir.MLPModel {
		stream, err := data.Load(*dataPath)
		if err != nil {
			return fail("%v", err)
		}
		cfg.Data = stream
	}
	if *resume != "" {
		c, err := ckpt.Read(*resume)
		if err != nil {
			return fail("%v", err)
		}
		cfg.Resume = c
	}
	if *schedFile != "" {
		f, err := os.Open(*schedFile)
		if err != nil {
			return fail("%v", err)
		}
		s, err := ir.ReadSchedule(f, p)
		f.Close()
		if err != nil {
			return fail("%s: %v", *schedFile, err)
		}
		// A file is input: a schedule that deadlocks or mismatches is
		// refused here, not found out by ranks waiting on each other.
		if _, err := sched.Verify(s); err != nil {
			return fail("%s: %v", *schedFile, err)
		}
		cfg.Schedule = s
	}
	tr, err := exec.NewTrainer(cfg)
	if err != nil {
		return fail("%v", err)
	}
	if *ckptDir != "" {
		if err := prepareCheckpointDir(*ckptDir, tr.Checkpoint().Size(), stderr); err != nil {
			return fail("%v", err)
		}
	}
	if p.Precision != "" && p.Precision != ir.FP32 && !pf.json {
		fmt.Fprintf(stderr, "planc run: note: the runtime computes in float32; precision = %s enters only the cost model\n", p.Precision)
	}
	if *initOnly {
		path := filepath.Join(*ckptDir, fmt.Sprintf("%s-step%06d.safetensors", p.Name, 0))
		if err := ckpt.Write(path, tr.Checkpoint()); err != nil {
			return fail("%v", err)
		}
		if pf.json {
			json.NewEncoder(stdout).Encode(map[string]any{"checkpoint": path, "step": 0})
		} else {
			fmt.Fprintf(stdout, "checkpoint %s (step 0: the initialization of docs/semantics.md)\n", path)
		}
		return exitOK
	}
	if tr.NextStep() >= tr.Steps {
		return fail("the checkpoint is at step %d, and the run has %d steps: nothing to do (raise --steps)", tr.NextStep(), tr.Steps)
	}
	out := newProgress(stdout, pf.json, tr.Steps)
	if p.Model != nil && p.Model.Kind == ir.MLPModel {
		out.unit.short, out.unit.long = "samples", "samples"
	}
	var (
		tokens   int
		elapsed  time.Duration
		commTime time.Duration
		last     exec.StepResult
		recent   []float64 // the losses of the last lossWindow steps
		lastCkpt string
		byKind   = map[string]kindSummary{}
	)
	writeCkpt := func() error {
		if *ckptDir == "" {
			return nil
		}
		path := filepath.Join(*ckptDir, fmt.Sprintf("%s-step%06d.safetensors", p.Name, tr.NextStep()))
		if err := ckpt.Write(path, tr.Checkpoint()); err != nil {
			return err
		}
		lastCkpt = path
		return nil
	}
	every := p.Train.CheckpointEvery
	for tr.NextStep() < tr.Steps {
		r, err := tr.Step()
		if err != nil {
			return fail("%v", err)
		}
		tokens += r.Tokens
		elapsed += r.Elapsed
		commTime += r.CommTime
		for k, v := range r.ByKind {
			s := byKind[k]
			s.Intra += v.IntraNode
			s.Inter += v.InterNode
			s.Seconds += v.Time.Seconds()
			byKind[k] = s
		}
		last = r
		recent = append(recent, r.Loss)
		if len(recent) > lossWindow {
			recent = recent[1:]
		}
		out.step(r, tokens, elapsed)
		if every > 0 && tr.NextStep()%every == 0 && tr.NextStep() < tr.Steps {
			if err := writeCkpt(); err != nil {
				return fail("%v", err)
			}
		}
	}
	if err := writeCkpt(); err != nil {
		return fail("%v", err)
	}
	b := tr.Bytes()
	ranks := tr.Schedule().Mesh.Size()
	sum := runSummary{
		FinalLoss:      last.Loss,
		MeanLoss:       mean(recent),
		MeanOver:       len(recent),
		TokensPerS:     float64(tokens) / elapsed.Seconds(),
		BytesIntraNode: b.IntraNode,
		BytesInterNode: b.InterNode,
		Steps:          last.Step + 1,
		Ranks:          ranks,
		CommShare:      commTime.Seconds() / (elapsed.Seconds() * float64(ranks)),
		Checkpoint:     lastCkpt,
		ByKind:         byKind,
		Kernels:        *kernelsFlag,
	}
	if c, ok := ops.(llvmk.Counted); ok {
		u := c.Usage()
		sum.KernelUsage = &u
	}
	if prof != nil {
		sum.Profile = newProfileSummary(prof.Rows(), elapsed.Seconds()*float64(ranks), commTime.Seconds())
		sum.Profile.addInstrs(cfg.Profile.Rows(), sum.Steps)
		sum.Profile.addPipeline(cfg.Profile.PipeRows(), sum.Steps)
	}
	out.summary(sum)
	return exitOK
}

// lossWindow is how many last steps the summary's mean loss covers: one
// batch's loss is noisy.
const lossWindow = 10

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(max(len(xs), 1))
}

type runSummary struct {
	// FinalLoss is the last step's loss; MeanLoss the mean over the last
	// MeanOver steps (lossWindow, or fewer in a shorter run).
	FinalLoss      float64 `json:"final_loss"`
	MeanLoss       float64 `json:"mean_loss_last_steps"`
	MeanOver       int     `json:"mean_over_steps"`
	TokensPerS     float64 `json:"tokens_per_s"`
	BytesIntraNode int64   `json:"bytes_intra_node"`
	BytesInterNode int64   `json:"bytes_inter_node"`
	Steps          int     `json:"steps"`
	Ranks          int     `json:"ranks"`
	// CommShare is the fraction of the ranks' time spent inside
	// collectives and receives (waiting included).
	CommShare  float64 `json:"comm_share"`
	Checkpoint string  `json:"checkpoint,omitempty"`
	// ByKind splits bytes and rank-seconds of communication by kind (tp,
	// dp, pp, ep, ssmb, cp, phantom, tied, norm).
	ByKind map[string]kindSummary `json:"by_kind,omitempty"`
	// Kernels is go or llvm; KernelUsage counts the generated kernels'
	// calls by op and the calls that fell back to Go kernels (llvm only).
	Kernels     string       `json:"kernels"`
	KernelUsage *llvmk.Usage `json:"kernel_usage,omitempty"`
	// Profile is --profile's table.
	Profile *profileSummary `json:"profile,omitempty"`
}

type kindSummary struct {
	Intra   int64   `json:"bytes_intra_node"`
	Inter   int64   `json:"bytes_inter_node"`
	Seconds float64 `json:"rank_seconds"`
}

// progress prints steps: JSON lines, a bar redrawn in place on a
// terminal, or a plain line every tenth of the run otherwise.
type progress struct {
	w     io.Writer
	json  bool
	tty   bool
	total int
	// width returns the terminal's columns (0: unknown), asked at every
	// redraw so that a resized window is followed.
	width func() int
	// unit names what the throughput counts: tokens, or the samples of
	// an mlp model (JSON keeps the key tokens_per_s for both).
	unit struct{ short, long string }
}

func newProgress(w io.Writer, asJSON bool, total int) *progress {
	p := &progress{w: w, json: asJSON, total: total, width: func() int { return 0 }}
	p.unit.short, p.unit.long = "tok", "tokens"
	if f, ok := w.(*os.File); ok && !asJSON {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
			p.width = func() int { return terminalWidth(f) }
		}
	}
	return p
}

// fitLine returns the bar and the text of a redraw fitted to width columns
// (0: $COLUMNS, else 80): one column is left free so that the terminal
// never wraps, the bar shrinks first (down to 10 cells, then away), and
// the text is cut last.
func fitLine(width, done, total int, text string) string {
	if width <= 0 {
		if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
			width = c
		} else {
			width = 80
		}
	}
	room := width - 1
	barCells := min(30, room-utf8.RuneCountInString(text)-1)
	if barCells < 10 {
		barCells = 0
	}
	line := text
	if barCells > 0 {
		fill := barCells * done / max(1, total)
		line = strings.Repeat("█", fill) + strings.Repeat("░", barCells-fill) + " " + text
	}
	if r := []rune(line); len(r) > room {
		line = string(r[:max(room, 0)])
	}
	return line
}

func (p *progress) step(r exec.StepResult, tokens int, elapsed time.Duration) {
	tps := float64(r.Tokens) / r.Elapsed.Seconds()
	if p.json {
		// steps count from 1, as in the text output: "step" is the
		// number of optimizer steps done after this one
		json.NewEncoder(p.w).Encode(map[string]any{"step": r.Step + 1, "loss": r.Loss, "tokens_per_s": tps})
		return
	}
	done := r.Step + 1
	perStep := elapsed / time.Duration(max(1, done))
	eta := time.Duration(p.total-done) * perStep
	line := fmt.Sprintf("step %d/%d  loss %.4f  %.0f %s/s  eta %s", done, p.total, r.Loss, tps, p.unit.short, eta.Round(time.Second))
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s", fitLine(p.width(), done, p.total, line))
		if done == p.total {
			fmt.Fprintln(p.w)
		}
		return
	}
	if tenth := max(1, p.total/10); done%tenth == 0 || done == p.total || done == 1 {
		fmt.Fprintln(p.w, line)
	}
}

// plural writes n and the noun, in the plural unless n is 1 ("1 rank",
// "4 micro-batches").
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "ch") || strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (p *progress) summary(s runSummary) {
	if p.json {
		json.NewEncoder(p.w).Encode(map[string]any{"summary": s})
		return
	}
	ranks := fmt.Sprintf("%d ranks", s.Ranks)
	if s.Ranks == 1 {
		ranks = "1 rank"
	}
	fmt.Fprintf(p.w, "final loss %.4f (mean of the last %s %.4f) after %s on %s; %.0f %s/s over the run (%s kernels)\n",
		s.FinalLoss, plural(s.MeanOver, "step"), s.MeanLoss, plural(s.Steps, "step"), ranks, s.TokensPerS, p.unit.long, s.Kernels)
	if s.Ranks > 1 {
		fmt.Fprintf(p.w, "communication %.1f%% of rank time; sent %s intra-node, %s inter-node\n",
			100*s.CommShare, ir.FormatBytes(float64(s.BytesIntraNode)), ir.FormatBytes(float64(s.BytesInterNode)))
	}
	kinds := make([]string, 0, len(s.ByKind))
	for k := range s.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	if len(kinds) > 0 {
		// rank-seconds: time summed over the ranks (docs/glossary.md)
		fmt.Fprintf(p.w, "  %-8s %12s %12s %14s\n", "kind", "intra-node", "inter-node", "time (rank-s)")
	}
	for _, k := range kinds {
		v := s.ByKind[k]
		fmt.Fprintf(p.w, "  %-8s %12s %12s %14.3f\n", k, ir.FormatBytes(float64(v.Intra)), ir.FormatBytes(float64(v.Inter)), v.Seconds)
	}
	if s.KernelUsage != nil {
		fmt.Fprintf(p.w, "kernels: %v\n", s.KernelUsage)
	}
	if s.Profile != nil {
		s.Profile.write(p.w)
	}
	if s.Checkpoint != "" {
		fmt.Fprintf(p.w, "checkpoint %s\n", s.Checkpoint)
	}
}

// prepareCheckpointDir removes the temporary files that killed checkpoint
// writes left in dir (an hour old or more: a run writing there now keeps
// its own), and checks that dir has room for one checkpoint of size bytes,
// so that a full disk is found at the start and not at the first write.
func prepareCheckpointDir(dir string, size int64, stderr io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range ckpt.CleanStale(dir, time.Hour) {
		fmt.Fprintf(stderr, "planc run: removed %s, left by a checkpoint write that was killed\n", filepath.Join(dir, name))
	}
	return ckpt.CheckSpace(dir, size)
}
