package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"planc/ir"
	"planc/lang"
	"planc/passes"
	"planc/runtime/calib"
)

func init() {
	register(&command{name: "calibrate", summary: "measure this machine (GEMM rate by shape, element-wise and attention kernels, cores, the in-process and TCP transports) and write a device, node and cluster block for planc explain", run: runCalibrate})
}

func runCalibrate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("calibrate", "[-o FILE.plan] [--name NAME] [--quick] [--no-tcp] [--share] [--json]", stderr,
		"calibrate -o host.plan",
		"explain --set cluster=host host.plan examples/tiny_gpt.plan",
		"calibrate --quick --json",
		"calibrate --share")
	out := fs.String("o", "", "write the .plan file here (default: standard output)")
	name := fs.String("name", "host", "the cluster's name: the file declares device NAME_core, node NAME_node, cluster NAME (the in-process transport) and cluster NAME_tcp (TCP between nodes)")
	quick := fs.Bool("quick", false, "shorter measurements (a few seconds, noisier)")
	noTCP := fs.Bool("no-tcp", false, "do not measure the TCP transport (its cluster keeps the in-process figures)")
	asJSON := fs.Bool("json", false, "print the measurements as JSON instead of a .plan file")
	shareOnly := fs.Bool("share", false, "measure only what moves within minutes on a shared machine (two or three seconds) and print it: the share of the cores this job's threads get now (core_share, thread_share) and the step probe's CPU time a step (the host's speed now; step_probe_s in JSON): a prediction made just before a run can take them")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "calibrate takes no files (it measures this machine)")
	}
	if !validIdent(*name) {
		return usageError(fs, fmt.Sprintf("--name %q is not a name (letters, digits, _; not starting with a digit)", *name))
	}
	opt := calib.Options{NoTCP: *noTCP}
	if *quick {
		opt.Budget, opt.Reps = 2*time.Millisecond, 4
	}
	if *shareOnly {
		return printShare(opt, *asJSON, stdout, stderr)
	}
	res, err := calib.Measure(opt)
	if err != nil {
		fmt.Fprintf(stderr, "planc calibrate: %v\n", err)
		return exitError
	}
	if err := probeExecutor(res, *name); err != nil {
		fmt.Fprintf(stderr, "planc calibrate: the executor probe failed: %v\n", err)
		return exitError
	}
	if err := probeStep(res, *name); err != nil {
		fmt.Fprintf(stderr, "planc calibrate: the step probe failed: %v\n", err)
		return exitError
	}
	if err := probeMeetings(res, *name); err != nil {
		fmt.Fprintf(stderr, "planc calibrate: the meeting probe failed: %v\n", err)
		return exitError
	}
	if err := probeDrain(res, *name); err != nil {
		fmt.Fprintf(stderr, "planc calibrate: the drain probe failed: %v\n", err)
		return exitError
	}
	var text string
	if *asJSON {
		b, _ := json.MarshalIndent(res, "", "  ")
		text = string(b) + "\n"
	} else {
		text = res.PlanFile(*name, "planc calibrate "+strings.Join(args, " "))
	}
	if *out == "" {
		io.WriteString(stdout, text)
		return exitOK
	}
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
		fmt.Fprintf(stderr, "planc calibrate: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stderr, "planc calibrate: wrote %s (use it with: planc explain --set cluster=%s %s PLAN.plan)\n", *out, *name, *out)
	return exitOK
}

// printShare measures what moves on a shared machine within minutes:
// the share of the cores this job's threads get (core_share,
// thread_share) and the host's speed, as the step probe's CPU time per
// step now (a prediction scales the calibration's kernel factors by its
// ratio to the calibration's own step probe: bench/predict does).
func printShare(opt calib.Options, asJSON bool, stdout, stderr io.Writer) int {
	share, by := calib.Share(opt)
	thread := min(1, by[0])
	step, err := stepProbeNow()
	if err != nil {
		fmt.Fprintf(stderr, "planc calibrate: the step probe failed: %v\n", err)
		return exitError
	}
	if asJSON {
		b, _ := json.Marshal(map[string]any{"core_share": share, "thread_share": thread, "speedup_by_goroutines": by, "step_probe_s": step})
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprintf(stdout, "core_share = %.3f\nthread_share = %.3f\nstep_probe = %.3f ms of CPU a step\n", share, thread, step*1e3)
	}
	return exitOK
}

// stepProbeNow is the step probe's CPU seconds a step on one processor,
// as probeStep measures them, over fewer steps (about half a second).
func stepProbeNow() (float64, error) {
	p, err := stepProbeOnCPU("calib_step")
	if err != nil {
		return 0, err
	}
	return calib.StepSeconds(p, stepProbeNowSteps, stepProbeWarm)
}

// stepProbeOnCPU loads a plan of the step probe on the standard
// library's cpu cluster: the runtime's work does not depend on the
// device's figures, and --share has no calibration to load it with.
func stepProbeOnCPU(plan string) (*ir.Plan, error) {
	return loadPlanSource(`import "hw/cpu"`+"\n"+fmt.Sprintf(stepProbeModel, "cpu"), plan)
}

// stepProbeNowSteps: the steps of the step probe under --share.
const stepProbeNowSteps = 30

// probeModel is a transformer whose kernels take next to no time (8-wide,
// 8 tokens): a step of it is the executor's fixed costs. Its plans differ
// in micro-batches only (probeShort, probeLong), so in op executions and
// not in the step's own work.
const probeModel = `
model calib_probe_gpt {
  vocab  = 256
  seq    = 8
  hidden = 8
  layers = 2
  heads  = 1
  ffn    = 8
}

plan calib_probe {
  model        = calib_probe_gpt
  cluster      = %[1]s
  global_batch = 1
  micro_batch  = 1
  precision    = fp32
  attention    = fused // the runtime's attention kernel
}

plan calib_probe_long {
  model        = calib_probe_gpt
  cluster      = %[1]s
  global_batch = 8
  micro_batch  = 1
  precision    = fp32
  attention    = fused
}
`

// probeSteps and probeWarm: the probe's steps, and those left out of the
// median (together ~0.1 s; the cost per step is the line's intercept,
// which the short run's noise moves most).
const probeSteps, probeWarm = 200, 20

// probeExecutor measures the executor's fixed costs (res.Probe): the
// probe model trained by the runtime at 1 and 8 micro-batches a step, each
// against the cost model with the measured device at no per-op or per-step
// cost and at 1 µs per op (their difference counts the op executions of a
// step); the line through the two sizes splits what the runtime takes
// beyond the model into a cost per op and a cost per step.
func probeExecutor(res *calib.Result, name string) error {
	pr := &calib.Probe{Model: "calib_probe (2 layers, hidden 8, 8 tokens)"}
	var ps []*ir.Plan
	for _, plan := range []string{"calib_probe", "calib_probe_long"} {
		p, err := loadProbe(res, name, probeModel, plan)
		if err != nil {
			return err
		}
		ps = append(ps, p)
	}
	// the two sizes' steps alternate: the line's intercept is the
	// difference of two medians, which a load that moves between them
	// would move
	measured, err := calib.StepSecondsOf(ps, probeSteps, probeWarm)
	if err != nil {
		return err
	}
	for i, run := range []*calib.ProbeRun{&pr.Short, &pr.Long} {
		if *run, err = probeRun(res, ps[i], measured[i]); err != nil {
			return err
		}
	}
	pr.Fit()
	res.Probe = pr
	return nil
}

// probeRun prices the executor probe p, which took measured seconds a
// step.
func probeRun(res *calib.Result, p *ir.Plan, measured float64) (calib.ProbeRun, error) {
	run := calib.ProbeRun{MicroBatches: p.MicroBatches()}
	at := func(overhead float64) (float64, error) {
		q := *p
		c, n, d := *p.Cluster, *p.Cluster.Node, *p.Cluster.Node.Device
		d.KernelOverhead, d.StepOverhead, d.HotGEMMRate = overhead, 0, 0 // (hot below, whatever its peak)
		if g := res.GEMMHot; g.Rate > 0 && d.PeakFP32 > 0 {
			// the probe's few kilobytes stay in the private cache: its
			// products run on hot operands
			d.GEMMCallCost, d.GEMMElementCost, d.MatmulEfficiency = g.Fixed, g.PerElement, min(1, g.Rate/d.PeakFP32)
		}
		n.Cores = 0 // one rank's own time: the load is the cores' business
		n.Device, c.Node, q.Cluster = &d, &n, &c
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			return 0, fmt.Errorf("%s", diags.Error())
		}
		return e.StepTime, nil
	}
	zero, err := at(0)
	if err != nil {
		return run, err
	}
	one, err := at(1e-6)
	if err != nil {
		return run, err
	}
	run.Measured, run.Zero, run.Ops = measured, zero, (one-zero)/1e-6
	return run, nil
}

// stepProbeModel is a small transformer whose model state and
// activations (~8 MiB) exceed a core's private cache, as a training
// step's do: its step against the cost model's is what kernels lose
// inside a step (step_kernel_factor). Its shapes are none of the example
// plans'; its heads are 32 wide, a width the attention microbenchmarks
// time (the probe measures the step, not the attention fit between
// widths).
const stepProbeModel = `
model calib_step_gpt {
  vocab  = 256
  seq    = 48
  hidden = 96
  layers = 3
  heads  = 3
  ffn    = 384
}

plan calib_step {
  model        = calib_step_gpt
  cluster      = %[1]s
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}

plan calib_step_node {
  model        = calib_step_gpt
  cluster      = %[1]s
  dp           = 4
  global_batch = 32
  micro_batch  = 2
  precision    = fp32
}
`

// stepProbeSteps and stepProbeWarm: the step probe's steps, and those
// left out of the median.
const stepProbeSteps, stepProbeWarm = 45, 5

// probeStep measures res.Step: the step probe trained by the runtime on
// one processor (CPU time) against the cost model's step for it with the
// calibration so far (no cores: one rank's own time); and the same probe
// as 4 data-parallel replicas on the processor (calib_step_node: 4 times
// the memory pushed through the shared caches a step, each replica's work
// the probe's) against the model's step for them on one core, measured
// after the probe's (not alternating with it: the replicas' data between
// two of the probe's steps would evict the probe's, which is what the
// node probe measures). A probe that fits in the private cache
// measures nothing about steps that do not: no factor then.
func probeStep(res *calib.Result, name string) error {
	var ps [2]*ir.Plan
	for i, plan := range []string{"calib_step", "calib_step_node"} {
		p, err := loadProbe(res, name, stepProbeModel, plan)
		if err != nil {
			return err
		}
		ps[i] = p
	}
	measured, err := interleavedMedians(probeRounds,
		func() (float64, error) { return calib.StepSeconds(ps[0], stepProbeSteps, stepProbeWarm) },
		func() (float64, error) { return calib.StepSeconds(ps[1], stepProbeSteps, stepProbeWarm) })
	if err != nil {
		return err
	}
	one, err := estimateOnCores(ps[0], 0)
	if err != nil {
		return err
	}
	node, err := estimateOnCores(ps[1], 1)
	if err != nil {
		return err
	}
	sp := &calib.StepProbe{Model: "calib_step (3 layers, hidden 96, 3 heads, 48 tokens, 4 micro-batches of 2)", Measured: measured[0], Predicted: one.StepTime, Peak: one.PeakBytes,
		NodeMeasured: measured[1], NodePredicted: node.StepTime, NodePeak: node.PeakBytes * float64(ps[1].DP)}
	sp.Fit(res.PrivateCache)
	res.Step = sp
	return nil
}

// probeRounds is how many times the training probes (step, meeting,
// drain) run, each of their measurements in turn: a probe is a fraction
// of a second, the host's speed moves within seconds, and one probe's
// median step carried whatever the machine did in its window (run to run
// a meeting probe moved sync_wait from 0 to 40 µs). Their figures are
// the medians over the rounds.
const probeRounds = 5

// interleavedMedians runs the measurements in turn, rounds times, and
// returns each one's median.
func interleavedMedians(rounds int, measures ...func() (float64, error)) ([]float64, error) {
	got := make([][]float64, len(measures))
	for r := 0; r < rounds; r++ {
		for i, m := range measures {
			v, err := m()
			if err != nil {
				return nil, err
			}
			got[i] = append(got[i], v)
		}
	}
	out := make([]float64, len(measures))
	for i, g := range got {
		out[i] = calib.Median(g)
	}
	return out, nil
}

// estimateOnCores is the cost model's estimate of p with its node's cores
// set to cores (0: none, each rank's own time; 1: every rank's work on
// one processor), no co-running slow-down (one processor runs one rank
// at a time) and the whole processor (the probes are timed on the CPU
// clock: what other processes take of the core does not lengthen them).
func estimateOnCores(p *ir.Plan, cores float64) (passes.Estimation, error) {
	return estimateWith(p, func(n *ir.Node) {
		n.Cores, n.CoreShare, n.ThreadShare = cores, 1, 1
		n.CoRunMatmul, n.CoRunMemory, n.CoRunAttention = 0, 0, 0
	})
}

// estimateWith is the cost model's estimate of p on a copy of its node
// that edit changes (p itself is unchanged): the probes' models with the
// node terms they measure set.
func estimateWith(p *ir.Plan, edit func(*ir.Node)) (passes.Estimation, error) {
	q := *p
	c, n := *p.Cluster, *p.Cluster.Node
	edit(&n)
	c.Node, q.Cluster = &n, &c
	e, diags := passes.Estimate(&q)
	if diags.HasErrors() {
		return e, fmt.Errorf("%s", diags.Error())
	}
	return e, nil
}

// loadProbe writes the calibration so far and a probe's source to a
// temporary file and loads the probe's plan.
func loadProbe(res *calib.Result, name, source, plan string) (*ir.Plan, error) {
	return loadPlanSource(res.PlanFile(name, "planc calibrate")+fmt.Sprintf(source, name), plan)
}

// loadPlanSource writes src to a temporary file and loads its plan.
func loadPlanSource(src, plan string) (*ir.Plan, error) {
	dir, err := os.MkdirTemp("", "planc-calibrate")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "probe.plan")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		return nil, err
	}
	prog, diags := lang.Load([]string{path}, lang.Options{})
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s", diags.Error())
	}
	return prog.Plan(plan), nil
}

func validIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}
