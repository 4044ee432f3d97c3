package calib

import (
	"runtime"
	"sort"
	"sync"
	"time"

	"planc/ir"
	"planc/runtime/cpuclock"
	"planc/runtime/exec"
	"planc/runtime/kernels"
)

// CoRun is how fast a kernel family runs on one thread while another
// thread of the job runs the same family on the node's other processor,
// as a fraction of its speed alone (both timed on their thread's CPU
// clock, so the OS taking a thread away does not count): what two ranks
// that compute at the same time cost each other. On a machine whose
// processors are SMT siblings (this VM's two vCPUs for FMA work) the
// products slow down most; element-wise kernels share the caches and the
// memory bus; small latency-bound kernels little. 0: not measured.
type CoRun struct {
	GEMM        float64 // the tiny models' linear layers' products (m×64×n, k×64)
	Elementwise float64 // residual add, GELU, layer norm at their activations' sizes
	Attention   float64 // the fused attention kernel, forward and backward
	// Alone and Paired are each family's CPU seconds per call, alone and
	// beside its twin (for the report).
	Alone, Paired [3]float64
}

// coRunFamilies are the kernels of each family, as the tiny models run
// them (rows = micro-batch 2 × sequence 64 = 128, hidden 64, ffn 256,
// 4 heads of 16): each call is one of each.
func coRunFamilies() [3]func() func() {
	gemm := func() func() {
		shapes := [][3]int{{128, 64, 256}, {128, 256, 64}, {128, 64, 192}}
		type op struct{ a, b, c []float32 }
		ops := make([]op, len(shapes))
		for i, s := range shapes {
			ops[i] = op{randVec(s[0] * s[1]), randVec(s[1] * s[2]), make([]float32, s[0]*s[2])}
		}
		return func() {
			for i, s := range shapes {
				m, k, n := s[0], s[1], s[2]
				o := ops[i]
				kernels.MatMul(o.c, o.a, o.b, m, k, n, false)
				kernels.MatMulTransB(o.c, o.a, o.b, m, k, n, true)
				kernels.MatMulTransA(o.c, o.a, o.b, m, k, n, true)
			}
		}
	}
	elem := func() func() {
		const rows, h, f = 128, 64, 256
		x, y, z := randVec(rows*f), make([]float32, rows*f), randVec(rows*f)
		mean, rstd, g, b := make([]float32, rows), make([]float32, rows), randVec(h), randVec(h)
		return func() {
			kernels.Add(z[:rows*h], x[:rows*h])
			kernels.GeluForward(y, x)
			kernels.GeluBackward(y, z, x)
			kernels.LayerNormForward(y[:rows*h], mean, rstd, x[:rows*h], g, b, rows, h)
		}
	}
	attn := func() func() {
		const b, h, t, d = 2, 4, 64, 16
		sh := kernels.AttnShape{Batch: b, Heads: h, Tq: t, Tk: t, D: d, Causal: true}
		n := b * h * t * d
		q, k, v, o, do := randVec(n), randVec(n), randVec(n), make([]float32, n), randVec(n)
		lse := make([]float32, b*h*t)
		dq, dk, dv := make([]float32, n), make([]float32, n), make([]float32, n)
		return func() {
			kernels.AttentionForward(o, lse, q, k, v, sh)
			kernels.AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, sh)
		}
	}
	return [3]func() func(){gemm, elem, attn}
}

// measureCoRun times each family alone on one thread and on two threads
// at once (each its own operands, each locked to its OS thread, GOMAXPROCS
// 2 so that both run), and returns each family's paired speed over its
// speed alone (see coRunRatio).
func measureCoRun(opt Options) CoRun {
	var cr CoRun
	if runtime.NumCPU() < 2 {
		return cr
	}
	if _, ok := cpuclock.Thread(); !ok {
		return cr
	}
	speeds := [3]*float64{&cr.GEMM, &cr.Elementwise, &cr.Attention}
	for i, mk := range coRunFamilies() {
		*speeds[i], cr.Alone[i], cr.Paired[i] = coRunRatio(opt, mk(), mk())
	}
	return cr
}

// coRunRatio alternates windows of four budgets in which f runs alone on
// a locked thread and windows in which f and g run at once on two, each
// timed on its thread's CPU clock, and returns the median over the pairs
// of windows of alone/paired CPU seconds per call (0 when no paired window
// counted), with the medians of both. A paired window counts when both
// threads held a processor ≥ half its wall time; where the other thread
// ran a share s of it, a thread's mean call is (1−s)·alone + s·paired (the
// two are taken off their processors independently), which gives paired;
// both threads' are averaged. Alone and paired windows alternate so that
// the machine's load meets both alike.
func coRunRatio(opt Options, f, g func()) (speed, alone, paired float64) {
	prev := runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0)))
	defer runtime.GOMAXPROCS(prev)
	f()
	g()
	window := 4 * opt.budget()
	var ratios, alones, paireds []float64
	for rep := 0; rep < opt.reps(); rep++ {
		one := runWindow(window, f)
		a := one[0].cpu / float64(one[0].calls)
		alones = append(alones, a)
		two := runWindow(window, f, g)
		if two[0].share < 0.5 || two[1].share < 0.5 {
			continue
		}
		var sum float64
		for t := range 2 {
			sum += pairedCall(two[t].cpu/float64(two[t].calls), a, two[1-t].share)
		}
		paireds = append(paireds, sum/2)
		ratios = append(ratios, 2*a/sum)
	}
	alone = Median(alones)
	if len(ratios) == 0 {
		return 0, alone, 0
	}
	return min(1, Median(ratios)), alone, Median(paireds)
}

// pairedCall is a call's CPU seconds beside the twin, from a thread's mean
// call in a window where the twin ran a share s of the time: mean = (1−s)·
// alone + s·paired; never under alone (the twin cannot speed it up).
func pairedCall(mean, alone, s float64) float64 {
	return max(alone, (mean-(1-s)*alone)/s)
}

// threadWindow is one thread's part of a window: its CPU seconds, calls,
// and CPU over wall time.
type threadWindow struct {
	cpu   float64
	calls int
	share float64
}

// runWindow runs each fn on its own locked thread, all started together,
// over and over for the window, and returns each thread's figures.
func runWindow(window time.Duration, fns ...func()) []threadWindow {
	out := make([]threadWindow, len(fns))
	var wg, ready sync.WaitGroup
	ready.Add(len(fns))
	start := make(chan struct{})
	for t, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ready.Done()
			<-start
			c0, _ := cpuclock.Thread()
			w0 := time.Now()
			n := 0
			for time.Since(w0) < window {
				fn()
				n++
			}
			c1, _ := cpuclock.Thread()
			wall := time.Since(w0).Seconds()
			out[t] = threadWindow{cpu: (c1 - c0).Seconds(), calls: n, share: min(1, (c1-c0).Seconds()/wall)}
		}()
	}
	ready.Wait()
	close(start)
	wg.Wait()
	return out
}

// Median is the middle of xs (sorted in place); 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// MeetProbe is what a meeting costs inside a training step: a probe
// model under tp = 2 trained by the CPU runtime on NumCPU processors,
// whose ranks meet at every layer. The runtime times each rank inside its
// collectives (Comm: the median step's, per rank); the cost model's
// transfers for the same calls are ModelComm, and its step grows by Slope
// seconds per second of sync_wait (the calls a rank waits at: its
// meetings). What a rank spends in its calls beyond the transfers, per
// meeting (PerMeeting), is its wait: for the peer's arrival and for the
// meeting's own hand-over. Interval is the model's compute per rank
// between two meetings.
//
// A wait per meeting and a wait in proportion to the compute between
// meetings cannot be told apart at one spacing: Dense is the same
// measurement of the probe's model at an eighth of its tokens, as many
// meetings with far less compute between them. Wait and Skew are the
// line through both (FitWaitSkew: the node's sync_wait and sync_skew);
// where Dense does not count, Wait is this probe's at the
// microbenchmark's sync_skew (Skew < 0). Measured and Zero are the
// wall-clock step and the model's at sync_wait and sync_skew 0, AtFit the
// model's at the fitted pair: a check, not a fit. It counts only on an
// unloaded machine (Skipped says why not): a loaded one lengthens the
// wall-clock step for reasons that are no meeting's. Share is the
// processor time the probe's ranks got over its wall time on both
// processors.
type MeetProbe struct {
	Model                 string
	Measured, Zero, AtFit float64 // wall seconds per step
	Slope                 float64 // seconds per step per second of sync_wait
	Comm, ModelComm       float64 // seconds per step and rank in its calls: measured, the model's transfers
	Interval              float64 // the model's compute per rank between meetings, seconds
	Share                 float64
	Dense                 *MeetProbe
	Wait                  float64 // seconds per meeting
	Skew                  float64 // the fitted sync_skew (< 0: the microbenchmark's)
	Skipped               string
}

// PerMeeting is a rank's time in its calls beyond the model's transfers,
// per meeting.
func (mp *MeetProbe) PerMeeting() float64 { return (mp.Comm - mp.ModelComm) / mp.Slope }

// FitWaitSkew returns the line wait + skew·interval through both probes'
// PerMeeting at their Interval, each ≥ 0: the fixed wait per meeting
// (sync_wait) and its part in proportion to the compute between meetings
// (sync_skew). Where the line would give a negative part, that part is
// 0 and the other the least-squares one through both points.
func FitWaitSkew(a, b *MeetProbe) (wait, skew float64) {
	ya, yb := a.PerMeeting(), b.PerMeeting()
	if a.Interval != b.Interval {
		skew = (ya - yb) / (a.Interval - b.Interval)
		wait = ya - skew*a.Interval
	}
	switch {
	case a.Interval == b.Interval || skew < 0:
		return max(0, (ya+yb)/2), 0
	case wait < 0:
		xx := a.Interval*a.Interval + b.Interval*b.Interval
		return 0, max(0, (a.Interval*ya+b.Interval*yb)/xx)
	}
	return wait, skew
}

// DrainStepProbe is the wall time a meeting of every rank costs a
// training step where the ranks outnumber the processors: a probe MoE
// model whose expert exchanges are meetings of all its ranks (twice the
// processors), trained by the CPU runtime on the processors (Measured:
// its median step's wall time), against the cost model's step at
// drain_wait 0 (Zero) and the step's growth per second of drain_wait
// (Slope: its meetings of all ranks), less what the model misses of its
// work (One: its CPU time a step on one processor; OneModel: the model's,
// on one core), shared by the processors: Wait = (Measured − Zero −
// (One − OneModel)/Procs) / Slope (the node's drain_wait). Share is the
// core_share measured just after the wall-clock steps.
type DrainStepProbe struct {
	Model                 string
	Ranks, Procs          int
	Measured, Zero, Slope float64
	One, OneModel         float64
	Share                 float64
	Wait                  float64
	Skipped               string
}

// StepWall trains p for steps steps with the CPU runtime on the
// processors it has (GOMAXPROCS as it is) and returns the median step's
// wall time after the first warm, and the processor time the process got
// over those steps' wall time × GOMAXPROCS (0 where the process CPU clock
// cannot be read): near 1 when its ranks held every processor, as ranks
// that poll for each other do on an unloaded machine.
func StepWall(p *ir.Plan, steps, warm int) (wall, share float64, err error) {
	w, err := StepWallComm(p, steps, warm)
	return w.Wall, w.Share, err
}

// WallSample is what StepWallComm measures: the median step's wall time,
// the median step's time a rank spent inside collectives and
// point-to-point calls (the ranks' mean, from the runtime's own timers
// around its calls), and the share as StepWall's.
type WallSample struct{ Wall, Comm, Share float64 }

// StepWallComm is StepWall with the ranks' time in their calls.
func StepWallComm(p *ir.Plan, steps, warm int) (WallSample, error) {
	tr, err := exec.NewTrainer(exec.Config{Plan: p, Steps: steps})
	if err != nil {
		return WallSample{}, err
	}
	var secs, comm []float64
	var cpu0 time.Duration
	var t0 time.Time
	for tr.NextStep() < tr.Steps {
		if tr.NextStep() == warm {
			cpu0, _ = cpuclock.Process()
			t0 = time.Now()
		}
		r, err := tr.Step()
		if err != nil {
			return WallSample{}, err
		}
		if r.Step >= warm {
			secs = append(secs, r.Elapsed.Seconds())
			comm = append(comm, r.CommTime.Seconds()/float64(tr.Ranks()))
		}
	}
	w := WallSample{Wall: Median(secs), Comm: Median(comm)}
	if cpu1, ok := cpuclock.Process(); ok && !t0.IsZero() {
		w.Share = (cpu1 - cpu0).Seconds() / (time.Since(t0).Seconds() * float64(runtime.GOMAXPROCS(0)))
	}
	return w, nil
}
