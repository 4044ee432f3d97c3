package trainer

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"planc/ir"
	"planc/runtime/ckpt"
	"planc/runtime/collective"
	"planc/runtime/data"
	"planc/runtime/exec"
	"planc/runtime/llvmk"
)

// Exit codes, as planc's.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// options are the trainer's flags.
type options struct {
	data, ckptDir, resume    string
	steps                    int
	json, describe           bool
	timeout                  time.Duration
	transport, layout        string
	coordinator, bind, token string
	rank, size, localRank    int
	name                     string
	kernels                  string // go or llvm (built in)
	library                  []byte // the llvm kernels' shared library
}

func (o *options) flags(fs *flag.FlagSet, pr Program) {
	fs.StringVar(&o.data, "data", "", "training data: a text file or folder (byte-level), or llm.c/nanoGPT .bin token files (default: the embedded corpus)")
	fs.IntVar(&o.steps, "steps", 0, "optimizer steps (default: the plan's train.steps)")
	fs.StringVar(&o.ckptDir, "checkpoint-dir", "", "folder for checkpoints, written by rank 0 every train.checkpoint_every steps and at the end")
	fs.StringVar(&o.resume, "resume", "", "resume from a checkpoint file, or from the latest complete checkpoint in a folder")
	fs.BoolVar(&o.json, "json", false, "JSON lines: one per step, then a summary (rank 0)")
	fs.DurationVar(&o.timeout, "timeout", collective.DefaultTimeout, "the longest a rank waits for another before the job fails, naming it")
	fs.BoolVar(&o.describe, "describe", false, "print the embedded plan and schedule, then exit")
	fs.StringVar(&o.transport, "transport", pr.Transport, "how ranks talk: tcp (one process per rank), mpi (under mpirun or srun; binaries built with --transport=mpi) or inproc (every rank in this process)")
	fs.StringVar(&o.layout, "layout", "detect", "which ranks share a node: detect (MPI's shared-memory split, torchrun's LOCAL_RANK, else the host name) or plan (rank/per_node as the plan says)")
	fs.StringVar(&o.coordinator, "coordinator", envAddr(), "tcp: rank 0's rendezvous address HOST:PORT (default $MASTER_ADDR:$MASTER_PORT)")
	fs.StringVar(&o.bind, "bind", "127.0.0.1", "tcp: the address this rank listens on; 0.0.0.0 (or an interface's address) to reach other machines")
	fs.StringVar(&o.token, "token", os.Getenv("PLANC_JOB_TOKEN"), "tcp: the job's secret, the same on every rank (default $PLANC_JOB_TOKEN); peers without it are refused")
	fs.IntVar(&o.rank, "rank", envInt("RANK", -1), "tcp: this process's rank (-1: $RANK)")
	fs.IntVar(&o.size, "world-size", envInt("WORLD_SIZE", -1), "tcp: the job's ranks (-1: $WORLD_SIZE, else the plan's)")
	fs.IntVar(&o.localRank, "local-rank", envInt("LOCAL_RANK", -1), "tcp: this process's rank on its machine (-1: $LOCAL_RANK, else unknown); ranks are numbered machine by machine, as torchrun does")
}

func envAddr() string {
	h, p := os.Getenv("MASTER_ADDR"), os.Getenv("MASTER_PORT")
	if p == "" {
		return ""
	}
	if h == "" {
		h = "127.0.0.1"
	}
	return h + ":" + p
}

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err != nil {
		return def
	}
	return n
}

// Main is a trainer binary's main: it returns the exit code.
func Main(pr Program, args []string, stdout, stderr io.Writer) int {
	name := filepath.Base(os.Args[0])
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	o.name, o.kernels, o.library = name, pr.Kernels, pr.Library
	if o.kernels == "" {
		o.kernels = "go"
	}
	o.flags(fs, pr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [--data PATH] [--steps N] [--checkpoint-dir DIR] [--resume CKPT|DIR] [--json] [--timeout D] [--transport tcp|mpi|inproc]\n\n", name)
		fmt.Fprintf(stderr, "Trains the plan built into it (%s); --describe prints it. Needs neither planc nor the plan files.\n\n", pr.Origin)
		fmt.Fprintf(stderr, "Examples:\n  %s --transport=inproc --data input.txt\n  mpirun -np N %s --data input.txt --checkpoint-dir ckpt\n  MASTER_ADDR=node0 MASTER_PORT=29500 WORLD_SIZE=N RANK=r PLANC_JOB_TOKEN=s3cret %s --bind 0.0.0.0 --data input.txt\n\n", name, name, name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected arguments %v (the plan is built in; see --help)\n", name, fs.Args())
		return exitUsage
	}
	p, s, err := pr.Load()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitError
	}
	if o.describe {
		describe(stdout, pr, p, s)
		return exitOK
	}
	if o.layout != "detect" && o.layout != "plan" {
		fmt.Fprintf(stderr, "%s: --layout=%s: want detect or plan\n", name, o.layout)
		return exitUsage
	}
	j, err := join(&o, p)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitError
	}
	defer j.close()
	prefix := fmt.Sprintf("%s: rank %d: ", name, j.rank)
	if j.comm == nil {
		prefix = name + ": "
	}
	stop := watchSignals(stderr, prefix, j)
	defer stop()
	if err := train(&o, p, s, j, stdout); err != nil {
		if j.comm != nil {
			j.comm.Abort(err) // the others stop waiting for this rank at once
		}
		msg := err.Error()
		if strings.HasPrefix(msg, fmt.Sprintf("rank %d: ", j.rank)) {
			prefix = name + ": " // exec's errors name the rank already
		}
		fmt.Fprintf(stderr, "%s%s\n", prefix, msg)
		return exitError
	}
	return exitOK
}

// watchSignals reports, on SIGTERM or SIGINT (what mpirun and srun send the
// surviving ranks when one dies), what this rank was doing, then exits.
func watchSignals(stderr io.Writer, prefix string, j *job) func() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			fmt.Fprintf(stderr, "%sstopped by signal %q (launchers send it to every rank when one dies) while %s\n", prefix, sig, j.doing())
			os.Exit(exitError)
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// train runs the steps and prints them (rank 0).
func train(o *options, p *ir.Plan, s *ir.Schedule, j *job, stdout io.Writer) error {
	cfg := exec.Config{Plan: p, Steps: o.steps, Timeout: o.timeout, Schedule: s, Comm: j.comm}
	if o.kernels == "llvm" {
		ops, closeOps, err := llvmk.SelectLibrary(p, o.library)
		if err != nil {
			return fmt.Errorf("the LLVM host kernels: %w", err)
		}
		defer closeOps()
		cfg.Ops = ops
	}
	if p.Model != nil && p.Model.Kind != ir.MLPModel {
		stream, err := data.Load(o.data)
		if err != nil {
			return err
		}
		cfg.Data = stream
	}
	if o.resume != "" {
		path, err := latestCheckpoint(o.resume)
		if err != nil {
			return err
		}
		c, err := ckpt.Read(path)
		if err != nil {
			return err
		}
		cfg.Resume = c
	}
	tr, err := exec.NewTrainer(cfg)
	if err != nil {
		return err
	}
	if tr.NextStep() >= tr.Steps {
		return fmt.Errorf("the checkpoint is at step %d, and the run has %d steps: nothing to do (raise --steps)", tr.NextStep(), tr.Steps)
	}
	lead := j.rank == 0
	out := &printer{w: stdout, json: o.json, quiet: !lead}
	var sum summary
	sum.Ranks, sum.Transport, sum.Kernels = s.Mesh.Size(), o.transport, o.kernels
	var elapsed time.Duration
	every := p.Train.CheckpointEvery
	for tr.NextStep() < tr.Steps {
		j.setDoing(fmt.Sprintf("running step %d", tr.NextStep()))
		r, err := tr.Step()
		if err != nil {
			return err
		}
		sum.Tokens += r.Tokens
		elapsed += r.Elapsed
		for k, v := range r.ByKind {
			if sum.ByKind == nil {
				sum.ByKind = map[string]kindSummary{}
			}
			ks := sum.ByKind[k]
			ks.Intra += v.IntraNode
			ks.Inter += v.InterNode
			ks.Seconds += v.Time.Seconds()
			sum.ByKind[k] = ks
		}
		sum.FinalLoss, sum.Steps = r.Loss, r.Step+1
		out.step(r, tr.Steps)
		if o.ckptDir != "" && (tr.NextStep() == tr.Steps || every > 0 && tr.NextStep()%every == 0) {
			j.setDoing(fmt.Sprintf("gathering the checkpoint of step %d", tr.NextStep()))
			path, err := save(tr, o.ckptDir, p.Name)
			if err != nil {
				return err
			}
			if path != "" {
				sum.Checkpoint = path
			}
		}
	}
	b := tr.Bytes()
	sum.BytesIntraNode, sum.BytesInterNode = b.IntraNode, b.InterNode
	sum.TokensPerS = float64(sum.Tokens) / elapsed.Seconds()
	out.summary(sum)
	return nil
}

// save gathers the checkpoint; rank 0 writes it and returns its path.
func save(tr *exec.Trainer, dir, plan string) (string, error) {
	c, err := tr.GatherCheckpoint()
	if err != nil {
		return "", fmt.Errorf("checkpoint of step %d: %w", tr.NextStep(), err)
	}
	if c == nil {
		return "", nil
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-step%06d.safetensors", plan, tr.NextStep()))
	if err := ckpt.Write(path, c); err != nil {
		return "", err
	}
	return path, nil
}

// latestCheckpoint returns path, or, for a folder, its checkpoint of the
// highest step (checkpoints are renamed into place whole, so every one
// listed is complete).
func latestCheckpoint(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return path, nil
	}
	names, err := filepath.Glob(filepath.Join(path, "*-step*.safetensors"))
	if err != nil {
		return "", err
	}
	if len(names) == 0 {
		return "", fmt.Errorf("--resume %s: the folder holds no checkpoint (*-stepNNNNNN.safetensors)", path)
	}
	sort.Strings(names) // zero-padded step numbers sort in step order
	return names[len(names)-1], nil
}

// summary is the run's last line, with the keys of planc run --json.
type summary struct {
	FinalLoss      float64 `json:"final_loss"`
	TokensPerS     float64 `json:"tokens_per_s"`
	Tokens         int     `json:"tokens"`
	BytesIntraNode int64   `json:"bytes_intra_node"`
	BytesInterNode int64   `json:"bytes_inter_node"`
	Steps          int     `json:"steps"`
	Ranks          int     `json:"ranks"`
	Transport      string  `json:"transport"`
	Kernels        string  `json:"kernels"`
	Checkpoint     string  `json:"checkpoint,omitempty"`
	// ByKind splits bytes and rank-seconds of communication by kind (tp,
	// dp, pp, ep, ...), as planc run's summary does.
	ByKind map[string]kindSummary `json:"by_kind,omitempty"`
}

type kindSummary struct {
	Intra   int64   `json:"bytes_intra_node"`
	Inter   int64   `json:"bytes_inter_node"`
	Seconds float64 `json:"rank_seconds"`
}

type printer struct {
	w     io.Writer
	json  bool
	quiet bool
}

func (p *printer) step(r exec.StepResult, total int) {
	if p.quiet {
		return
	}
	tps := float64(r.Tokens) / r.Elapsed.Seconds()
	if p.json {
		json.NewEncoder(p.w).Encode(map[string]any{"step": r.Step + 1, "loss": r.Loss, "tokens_per_s": tps}) // from 1, as planc run
		return
	}
	fmt.Fprintf(p.w, "step %d/%d  loss %.4f  %.0f tok/s\n", r.Step+1, total, r.Loss, tps)
}

func (p *printer) summary(s summary) {
	if p.quiet {
		return
	}
	if p.json {
		json.NewEncoder(p.w).Encode(map[string]any{"summary": s})
		return
	}
	fmt.Fprintf(p.w, "final loss %.4f after %d steps on %d ranks (%s, %s kernels); %.0f tokens/s; bytes sent intra-node %d, inter-node %d\n",
		s.FinalLoss, s.Steps, s.Ranks, s.Transport, s.Kernels, s.TokensPerS, s.BytesIntraNode, s.BytesInterNode)
	kinds := make([]string, 0, len(s.ByKind))
	for k := range s.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		v := s.ByKind[k]
		fmt.Fprintf(p.w, "  %-8s intra-node %12d B  inter-node %12d B  %8.3f rank-s\n", k, v.Intra, v.Inter, v.Seconds)
	}
	if s.Checkpoint != "" {
		fmt.Fprintf(p.w, "checkpoint %s\n", s.Checkpoint)
	}
}

// describe prints the embedded plan: its origin, fingerprint, parallel
// layout, model and schedule.
func describe(w io.Writer, pr Program, p *ir.Plan, s *ir.Schedule) {
	kernels := pr.Kernels
	if kernels == "" {
		kernels = "go"
	}
	fmt.Fprintf(w, "// plan %s (from %s), fingerprint %s, default transport %s, %s kernels\n", p.Name, pr.Origin, pr.Fingerprint, pr.Transport, kernels)
	perNode := "one node"
	if p.Cluster != nil && p.Cluster.PerNode > 0 {
		perNode = fmt.Sprintf("%d ranks per node", p.Cluster.PerNode)
	}
	fmt.Fprintf(w, "// ranks %d (dp %d · tp %d · pp %d · cp %d, ep %d), %s\n", p.WorldSize(), p.DP, p.TP, p.PP, p.CP, p.EP, perNode)
	fmt.Fprintf(w, "// schedule %s, global batch %d, micro-batch %d, zero %d, sp %v, steps %d, lr %g, seed %d\n",
		p.Schedule, p.GlobalBatch, p.MicroBatch, p.Zero, p.SP, p.Train.Steps, p.Train.LR, p.Train.Seed)
	fmt.Fprintln(w, "\n// The resolved plan (imports inlined, quantities in base units):")
	planSource(w, p)
	fmt.Fprintf(w, "// The schedule (%d ranks):\n", s.Mesh.Size())
	io.WriteString(w, strings.TrimRight(s.String(), "\n")+"\n")
}
