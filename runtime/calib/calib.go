// Package calib measures the machine the CPU runtime runs on, with the
// runtime's own kernels and transports, and turns the measurements into the
// parameters of a planc device, node and cluster (planc calibrate writes
// them as a .plan file).
//
// # Contract
//
// [Measure] runs microbenchmarks only, never a plan: GEMMs of several
// shapes on one core (runtime/kernels.MatMul), the element-wise kernels
// (residual add, GELU, layer norm, softmax, the runtime's cross-entropy
// and its optimizer step: the gradient's squared norm, AdamW and the
// next step's gradient clear) at
// several sizes, the
// attention kernel forward and backward, the same GEMM on 1..2·NumCPU
// goroutines at once for a while (how many cores the ranks really get,
// other processes' load included), and an
// all-reduce of several sizes over two ranks of the in-process transport
// and of the TCP transport on loopback. Each figure is the fastest of a
// few repetitions (the least disturbed by other processes); the kernels
// on one core are timed on their thread's CPU clock, so that other
// processes taking the core away do not lengthen them (what the load
// leaves the job is the cores' measurement). The fits are
// least squares in relative error of time = fixed + size / rate, over the
// microbenchmarks only: nothing in this package sees a plan's step time.
//
// Results depend on the load of the machine when they are taken; the
// returned [Result] says when and with how many CPUs.
package calib

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"time"

	"planc/runtime/cpuclock"
	"planc/runtime/kernels"
)

// Options bounds the measurement.
type Options struct {
	// Budget is the time each measured point is repeated for (0: 4 ms);
	// Reps the repetitions of it whose fastest is kept (0: 15). Short
	// windows, many of them: on a loaded machine some fall between the
	// other processes' time slices, and the fastest is this machine's
	// speed (Share measures what the load leaves).
	Budget time.Duration
	Reps   int
	// NoTCP skips the TCP transport (no loopback sockets).
	NoTCP bool
}

func (o Options) budget() time.Duration {
	if o.Budget <= 0 {
		return 4 * time.Millisecond
	}
	return o.Budget
}

func (o Options) reps() int {
	if o.Reps <= 0 {
		return 15
	}
	return o.Reps
}

// Point is one microbenchmark: a size (FLOPs or bytes) and the seconds of
// one call.
type Point struct {
	Name    string
	Size    float64 // FLOPs (GEMM, attention) or bytes (element-wise, transports)
	Seconds float64
}

// Rate is Size/Seconds.
func (p Point) Rate() float64 { return p.Size / p.Seconds }

// Line is time = Fixed + size/Rate.
type Line struct {
	Fixed float64 // seconds per call
	Rate  float64 // size per second
}

// Link is a transport's α-β: time of one ring step = Latency + bytes/Bandwidth.
type Link struct {
	Latency   float64 // seconds
	Bandwidth float64 // bytes per second
	Points    []Point // all-reduce over two ranks: bytes, seconds
	// SyncWait is what an all-reduce between ranks that compute in between
	// waits for a peer whose thread parked or was taken off the CPU (the
	// node's sync_wait; 0: not measured).
	SyncWait float64
	// SyncSkew is the wait at a meeting beyond SyncWait, as a fraction of
	// the compute between meetings (the node's sync_skew).
	SyncSkew float64
	// ParkCost is the processor time a meeting costs each rank where
	// ranks outnumber the processors (the node's park_cost; 0: not
	// measured).
	ParkCost float64
	// Kinds are the ring steps of the other collectives, each fitted to
	// its own times over two ranks as the cost model prices it (the
	// all-reduce's step prices them all; the plan file compares).
	Kinds []KindLink
}

// KindLink is one collective's own ring step (Latency, Bandwidth) and its
// times (Points: the buffer's bytes, seconds).
type KindLink struct {
	Kind string
	Link
}

// Result is one calibration of this machine.
type Result struct {
	When       time.Time
	Host       string
	GOOS       string
	GOARCH     string
	CPUs       int
	GOMAXPROCS int
	Load       string // /proc/loadavg when measured ("" where there is none)

	GEMM    []Point // one core
	GEMMFit Line    // FLOP/s of one core and the fixed cost per product
	// GEMMModel adds the operands' elements to the fit (what thin
	// products cost): the cost model's gemm_call_cost and
	// gemm_element_cost with its rate.
	GEMMModel GEMMModel
	// GEMMHot is the same fit to the same shapes timed on hot operands
	// (GEMMHotPoints): what a model that fits in the private cache meets,
	// as the executor probe does (its zero point).
	GEMMHot       GEMMModel
	GEMMHotPoints []Point
	// TileM × TileN is the GEMM micro-kernel's output tile
	// (runtime/kernels.MicroTile: the kernel's, not measured).
	TileM, TileN int
	GEMMPeak     float64 // the fastest GEMM point's rate
	Elementwise  []Point
	ElemFit      Line // bytes/s as the cost model counts them, fixed cost per kernel: all element-wise points
	// Family is the fit of each element-wise kernel's points alone
	// ("add", "gelu", "layernorm", "softmax", "loss", "adamw"; gelu with
	// gelu_bwd; loss is the runtime's softmax cross-entropy).
	Family     map[string]Line
	Attention  []Point
	AttnScores []float64 // each attention point's scores (batch·heads·s²)
	AttnRate   float64   // the products' FLOPs (as the cost model counts them) per second: the GEMM fit's
	AttnScore  float64   // seconds per score and pass of the softmax
	AttnRows   []float64 // each attention point's query rows (batch·heads·s)
	AttnRow    float64   // seconds per query row and pass
	Share      float64   // the share of a processor one busy thread gets (1: no other load); see measureCores
	// ThreadShare is one goroutine's sustained speed over an unloaded
	// core's (CoresBy[0], at most 1): the node's thread_share.
	ThreadShare float64
	CoresBy     []float64
	// Probe is the executor's cost per op (set by planc calibrate, which
	// runs a probe model through the runtime: see [Probe]).
	Probe *Probe
	// Step is how the kernels run inside a training step (set by planc
	// calibrate, which trains a probe model: see [StepProbe]; nil: not
	// measured). PrivateCache is one core's private cache in bytes (L2,
	// from sysfs; 0: unknown).
	Step         *StepProbe
	PrivateCache float64
	// Parallel is the FLOPs from which one product runs on all cores
	// (0: not seen); ParallelPoints each size's time on all cores over
	// its time on one (Seconds holds the ratio).
	Parallel       float64
	ParallelPoints []Point
	// Input is the seconds per element of the runtime's synthetic mlp
	// inputs (normal draws).
	Input float64
	// CoRun is each kernel family's speed beside its twin on the other
	// core (the node's corun_matmul, corun_memory, corun_attention).
	CoRun CoRun
	// Meet is the meeting probe (set by planc calibrate, which trains a
	// probe model under tp = 2: see [MeetProbe]); with a Wait, the
	// node's sync_wait is its.
	Meet   *MeetProbe
	InProc Link
	// Drain is the meeting of every rank where ranks outnumber the
	// processors, in wall time (the node's drain_wait): see [DrainProbe].
	Drain DrainProbe
	// DrainStep is the same in a training step (set by planc calibrate,
	// which trains a probe MoE model: see [DrainStepProbe]); with a Wait,
	// the node's drain_wait is its.
	DrainStep *DrainStepProbe
	TCP       *Link // nil with NoTCP or when loopback sockets fail
	TCPErr    error
}

// Probe is the executor's fixed costs: a model so small that its kernels
// take next to no time trained by the CPU runtime at two numbers of
// micro-batches a step (Short, Long), each against the cost model's time
// for it with no per-op or per-step cost. What the runtime takes beyond
// the model, Measured − Zero, is PerStep + PerOp·Ops: the line through
// the two sizes (op executions grow with the micro-batches, the step's
// own work does not).
type Probe struct {
	Model       string
	Short, Long ProbeRun
	PerOp       float64 // seconds per op execution
	PerStep     float64 // seconds per step and rank
}

// ProbeRun is one size of the executor probe: its micro-batches, its
// measured step (CPU seconds on one processor), the cost model's step
// without fixed costs (Zero) and its op executions per step.
type ProbeRun struct {
	MicroBatches   int
	Measured, Zero float64
	Ops            float64
}

// Fit sets PerOp and PerStep from the two runs: the line through them,
// or, where it would give a negative cost per step (noise on a machine
// whose steps cost nothing fixed), no cost per step and the runs' excess
// over their ops.
func (p *Probe) Fit() {
	s, l := p.Short, p.Long
	es, el := s.Measured-s.Zero, l.Measured-l.Zero
	if l.Ops > s.Ops {
		p.PerOp = max(0, (el-es)/(l.Ops-s.Ops))
		p.PerStep = es - p.PerOp*s.Ops
	}
	if l.Ops <= s.Ops || p.PerStep < 0 {
		p.PerOp, p.PerStep = max(0, (es+el)/(s.Ops+l.Ops)), 0
	}
}

// StepProbe is a probe model, larger than a core's private cache,
// trained by the CPU runtime on one processor (Measured: its step's CPU
// time), against the cost model's step for it with this calibration
// (Predicted): Factor = Measured/Predicted is what a step adds to the
// kernels' microbenchmarks (the device's step_kernel_factor). Peak is
// the probe's peak memory as the cost model counts it. The Node fields
// are the same probe as several data-parallel replicas on the one
// processor (measured after it): NodePeak their
// peaks summed, NodeFactor their step over the model's for them on one
// core (node_kernel_factor at node_kernel_bytes), never below Factor:
// more memory through the caches does not make kernels faster, and a
// lower reading is the machine's speed moving between the two probes
// (NodeHeld then; the measured times stay in NodeMeasured and
// NodePredicted).
type StepProbe struct {
	Model                     string
	Measured, Predicted, Peak float64
	Factor                    float64

	NodeMeasured, NodePredicted, NodePeak float64
	NodeFactor                            float64
	NodeHeld                              bool
}

// Fit sets the factors from the probes' times: none for a probe that
// fits in the private cache (it measures nothing about steps that do
// not), no node factor without the node probe's times.
func (sp *StepProbe) Fit(privateCache float64) {
	sp.Factor, sp.NodeFactor, sp.NodeHeld = 0, 0, false
	if !(sp.Predicted > 0) || sp.Peak <= privateCache {
		return
	}
	sp.Factor = sp.Measured / sp.Predicted
	if sp.NodePredicted > 0 && sp.NodeMeasured > 0 {
		sp.NodeFactor = sp.NodeMeasured / sp.NodePredicted
		if sp.NodeFactor < sp.Factor {
			sp.NodeFactor, sp.NodeHeld = sp.Factor, true
		}
	}
}

// Measure runs every microbenchmark.
func Measure(opt Options) (*Result, error) {
	host, _ := os.Hostname()
	r := &Result{When: time.Now().UTC(), Host: host, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Load: loadAvg(), PrivateCache: float64(privateCacheBytes())}
	oneCore(func() {
		r.GEMM = measureGEMM(opt, timeCold)
		r.GEMMHotPoints = measureGEMM(opt, timeCPU)
		r.Elementwise = measureElementwise(opt)
		r.Attention, r.AttnScores, r.AttnRows = measureAttention(opt)
		r.Input = measureInput(opt)
	})
	r.GEMMFit = fitLine(r.GEMM)
	r.TileM, r.TileN = kernels.MicroTile()
	r.GEMMModel = fitGEMM(r.GEMM, gemmShapes, r.TileM, r.TileN)
	if math.IsInf(r.GEMMModel.Rate, 0) || r.GEMMModel.Rate <= 0 {
		// no FLOP term found: the line's rate, no operand cost
		r.GEMMModel = GEMMModel{Fixed: r.GEMMFit.Fixed, Rate: r.GEMMFit.Rate}
	}
	r.GEMMHot = fitGEMM(r.GEMMHotPoints, gemmShapes, r.TileM, r.TileN)
	if math.IsInf(r.GEMMHot.Rate, 0) || r.GEMMHot.Rate <= 0 {
		l := fitLine(r.GEMMHotPoints)
		r.GEMMHot = GEMMModel{Fixed: l.Fixed, Rate: l.Rate}
	}
	for _, p := range r.GEMM {
		r.GEMMPeak = math.Max(r.GEMMPeak, p.Rate())
	}
	r.ElemFit = fitLine(r.Elementwise)
	r.Family = map[string]Line{}
	for _, fam := range []string{"add", "gelu", "layernorm", "softmax", "loss", "layout", "adamw"} {
		var pts []Point
		for _, p := range r.Elementwise {
			if p.Name == fam || p.Name == fam+"_bwd" {
				pts = append(pts, p)
			}
		}
		r.Family[fam] = fitLine(pts)
	}
	r.AttnRate = r.GEMMFit.Rate
	r.AttnScore, r.AttnRow = fitAttention(r.Attention, r.AttnScores, r.AttnRows, r.AttnRate)
	r.Share, r.CoresBy = measureCores(opt)
	r.ThreadShare = min(1, r.CoresBy[0])
	r.Parallel, r.ParallelPoints = measureParallel(opt)
	r.CoRun = measureCoRun(opt)
	var err error
	if r.InProc, err = measureInProc(opt); err != nil {
		return nil, err
	}
	r.Drain = measureDrainWait()
	if !opt.NoTCP {
		l, err := measureTCP(opt)
		if err != nil {
			r.TCPErr = err
		} else {
			r.TCP = &l
		}
	}
	return r, nil
}

// Share measures only the share of the cores that the job's threads get
// now (the node's core_share; see measureCores), with each k's speed-up:
// a second or two, for a script that predicts a run just before it.
func Share(opt Options) (float64, []float64) { return measureCores(opt) }

// oneCore runs fn with GOMAXPROCS 1, so that the kernels run on the
// calling goroutine (their parallel split is what Cores measures apart).
func oneCore(fn func()) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	fn()
}

// timeIt returns the seconds of one call of fn: the fastest of reps runs,
// each repeating fn for at least the budget.
func timeIt(opt Options, fn func()) float64 {
	fn() // warm: buffers, page faults, pools
	best := math.Inf(1)
	for rep := 0; rep < opt.reps(); rep++ {
		n := 0
		start := time.Now()
		for time.Since(start) < opt.budget() || n == 0 {
			fn()
			n++
		}
		best = math.Min(best, time.Since(start).Seconds()/float64(n))
	}
	return best
}

// timeCPU is timeIt on the calling thread's CPU clock (where there is
// one; else the wall clock): the seconds of work one call takes on this
// machine, which other processes taking the core away from it in the
// middle of a window do not lengthen (on a loaded machine no window of a
// few milliseconds escapes them). What the load leaves the job is
// measured apart (measureCores: core_share, thread_share). For kernels
// run on one core only (oneCore): the thread is locked to the goroutine.
func timeCPU(opt Options, fn func()) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, ok := cpuclock.Thread(); !ok {
		return timeIt(opt, fn)
	}
	fn() // warm: buffers, page faults, pools
	best := math.Inf(1)
	for rep := 0; rep < opt.reps(); rep++ {
		n := 0
		start, _ := cpuclock.Thread()
		for {
			fn()
			n++
			now, _ := cpuclock.Thread()
			if now-start >= opt.budget() {
				best = math.Min(best, (now-start).Seconds()/float64(n))
				break
			}
		}
	}
	return best
}

// fitLine fits time = Fixed + size/Rate to the points by least squares in
// relative error (each point weighs 1/time²), keeping Fixed ≥ 0.
func fitLine(pts []Point) Line {
	var sw, sx, sy, sxx, sxy float64
	for _, p := range pts {
		w := 1 / (p.Seconds * p.Seconds)
		sw += w
		sx += w * p.Size
		sy += w * p.Seconds
		sxx += w * p.Size * p.Size
		sxy += w * p.Size * p.Seconds
	}
	det := sw*sxx - sx*sx
	slope := (sw*sxy - sx*sy) / det
	fixed := (sy - slope*sx) / sw
	if fixed < 0 || slope <= 0 {
		// through the origin: the mean of size/time in relative terms
		fixed, slope = 0, sxy/sxx
	}
	return Line{Fixed: fixed, Rate: 1 / slope}
}

// loadAvg reads the 1, 5 and 15 minute load averages, where Linux has them.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	var a, b5, c float64
	if _, err := fmt.Sscan(string(b), &a, &b5, &c); err != nil {
		return ""
	}
	return fmt.Sprintf("%.2f %.2f %.2f", a, b5, c)
}

// sortPoints orders points by name, then size, for stable reports.
func sortPoints(pts []Point) {
	sort.SliceStable(pts, func(i, j int) bool {
		if pts[i].Name != pts[j].Name {
			return pts[i].Name < pts[j].Name
		}
		return pts[i].Size < pts[j].Size
	})
}
