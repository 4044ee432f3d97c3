package calib

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"planc/runtime/cpuclock"
)

// TestFitLineRecoversALine: points on time = 3 µs + size / 2e9 give back
// the fixed cost and the rate; points through the origin give no fixed
// cost.
func TestFitLineRecoversALine(t *testing.T) {
	var pts []Point
	for _, n := range []float64{1e3, 1e4, 1e5, 1e6, 1e7} {
		pts = append(pts, Point{Size: n, Seconds: 3e-6 + n/2e9})
	}
	f := fitLine(pts)
	if math.Abs(f.Fixed-3e-6) > 1e-12 || math.Abs(f.Rate-2e9) > 1e-3 {
		t.Errorf("fit %+v, want fixed 3e-6 s, rate 2e9", f)
	}
	l := linkOf(pts)
	if math.Abs(l.Latency-1.5e-6) > 1e-12 || math.Abs(l.Bandwidth-2e9) > 1e-3 {
		t.Errorf("link %+v: a 2-rank ring all-reduce is 2α + n/B: want α 1.5e-6 s, B 2e9", l)
	}
	var origin []Point
	for _, n := range []float64{1e3, 1e5, 1e7} {
		origin = append(origin, Point{Size: n, Seconds: n / 5e9})
	}
	if f := fitLine(origin); f.Fixed != 0 || math.Abs(f.Rate-5e9) > 1 {
		t.Errorf("through the origin: %+v", f)
	}
}

// TestMeasureQuick runs every microbenchmark briefly (no TCP) and checks
// that each figure is a positive rate and that the plan file declares the
// four blocks with the measured values.
func TestMeasureQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("times the machine")
	}
	r, err := Measure(Options{Budget: time.Millisecond, Reps: 1, NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]float64{"GEMM rate": r.GEMMFit.Rate, "GEMM peak": r.GEMMPeak, "attention": r.AttnRate,
		"core share": r.Share, "in-process bandwidth": r.InProc.Bandwidth, "norm": r.Family["layernorm"].Rate, "add": r.Family["add"].Rate, "loss": r.Family["loss"].Rate} {
		if !(v > 0) || math.IsInf(v, 0) {
			t.Errorf("%s: %g, want a positive figure", name, v)
		}
	}
	// a family beside its twin: a speed in [0, 1] (0 where no window had
	// both threads running, as on a loaded machine)
	for _, v := range []float64{r.CoRun.GEMM, r.CoRun.Elementwise, r.CoRun.Attention, r.InProc.SyncSkew} {
		if !(v >= 0) || (v > 1 && v != r.InProc.SyncSkew) {
			t.Errorf("co-run speeds %+v, skew %g", r.CoRun, r.InProc.SyncSkew)
		}
	}
	// the drain probe: a wall time per meeting ≥ 0, or why it was not
	// measured (a loaded machine)
	if d := r.Drain; !(d.Wait >= 0) || (d.Wait > 0 && d.Skipped != "") || (d.Skipped == "" && !(d.Free > 0 && d.Met > 0)) {
		t.Errorf("drain probe %+v", d)
	}
	if len(r.GEMM) != len(gemmShapes) || len(r.Elementwise) != 8*len(elemSizes) || len(r.Attention) != len(attnShapes) {
		t.Errorf("points: %d GEMM, %d element-wise, %d attention", len(r.GEMM), len(r.Elementwise), len(r.Attention))
	}
	text := r.PlanFile("box", "planc calibrate --quick")
	for _, want := range []string{"device box_core {", "node box_node {", "cluster box {", "cluster box_tcp {", "cores         = ", "core_share    = ", "source = \"planc calibrate on ", "fused_attention      = true", "TCP not measured (--no-tcp)"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan file lacks %q:\n%s", want, text)
		}
	}
	// with a private cache size, the hot GEMM fit that ranks within it use
	if r.PrivateCache > 0 && r.GEMMHot.Rate > 0 {
		for _, want := range []string{"  private_cache        = ", "  hot_gemm_rate        = ", "  hot_gemm_call_cost   = ", "  hot_gemm_element_cost = "} {
			if !strings.Contains(text, want) {
				t.Errorf("plan file lacks %q:\n%s", want, text)
			}
		}
	}
}

// TestFitAttentionRecoversTheScoreCost: attention points made of products
// at 100 GFLOP/s, 2 ns per score and pass and 30 ns per query row and
// pass give back 2 ns and 30 ns; points of products alone give 0.
func TestFitAttentionRecoversTheScoreCost(t *testing.T) {
	const rate, perScore, perRow = 100e9, 2e-9, 30e-9
	var pts, bare []Point
	var scores, rows []float64
	for _, s := range attnShapes {
		b, h, tq, d := s[0], s[1], s[2], s[3]
		flops := float64(b*h) * 2 * float64(tq*tq*d) * 7
		sc, rw := float64(b*h*tq*tq), float64(b*h*tq)
		pts = append(pts, Point{Size: flops, Seconds: flops/rate + 3*sc*perScore + 3*rw*perRow})
		bare = append(bare, Point{Size: flops, Seconds: flops / rate})
		scores, rows = append(scores, sc), append(rows, rw)
	}
	if s, r := fitAttention(pts, scores, rows, rate); math.Abs(s-perScore) > 1e-6*perScore || math.Abs(r-perRow) > 1e-6*perRow {
		t.Errorf("per score %g s, per row %g s, want %g and %g", s, r, perScore, perRow)
	}
	if s, r := fitAttention(bare, scores, rows, rate); s > 1e-18 || r > 1e-18 {
		t.Errorf("products alone: per score %g s, per row %g s, want 0", s, r)
	}
}

// TestFitGEMMRecoversItsTerms: points of the GEMM shapes made of 0.5 µs
// per call, 150 GFLOP/s on FLOPs padded to 8×32 tiles and 0.2 ns per
// operand element give back the three terms; points of FLOPs alone give
// no call or element cost.
func TestFitGEMMRecoversItsTerms(t *testing.T) {
	want := GEMMModel{Fixed: 0.5e-6, Rate: 150e9, PerElement: 0.2e-9}
	var pts, bare []Point
	for _, s := range gemmShapes {
		flops := 2 * float64(s[0]*s[1]*s[2])
		pts = append(pts, Point{Size: flops, Seconds: want.Seconds(s[0], s[1], s[2], 8, 32)})
		bare = append(bare, Point{Size: flops, Seconds: flops / 150e9})
	}
	got := fitGEMM(pts, gemmShapes, 8, 32)
	if math.Abs(got.Fixed-want.Fixed) > 1e-6*want.Fixed || math.Abs(got.Rate-want.Rate) > 1e-6*want.Rate || math.Abs(got.PerElement-want.PerElement) > 1e-6*want.PerElement {
		t.Errorf("fit %+v, want %+v", got, want)
	}
	if b := fitGEMM(bare, gemmShapes, 0, 0); b.Fixed > 1e-15 || b.PerElement > 1e-18 || math.Abs(b.Rate-150e9) > 1e-3 {
		t.Errorf("FLOPs alone: %+v, want rate 150e9 and nothing else", b)
	}
}

// TestTimeCPUCountsWorkNotWaits: a call that sleeps 2 ms takes 2 ms of
// wall time (timeIt) but next to no CPU time (timeCPU): a core taken
// away from the kernel does not lengthen what timeCPU measures.
func TestTimeCPUCountsWorkNotWaits(t *testing.T) {
	if _, ok := cpuclock.Thread(); !ok {
		t.Skip("no thread CPU clock on this system: timeCPU is timeIt")
	}
	opt := Options{Budget: 4 * time.Millisecond, Reps: 2}
	sleep := func() { time.Sleep(2 * time.Millisecond) }
	if wall := timeIt(opt, sleep); wall < 2e-3 {
		t.Errorf("wall: %g s, want ≥ 2 ms", wall)
	}
	if cpu := timeCPU(opt, sleep); cpu > 0.5e-3 {
		t.Errorf("CPU: %g s for a 2 ms sleep, want well under 0.5 ms", cpu)
	}
}

// TestTimeColdTimesTheCallNotTheEviction: the private caches are filled
// before every call outside the timed region, so a call that does next
// to nothing measures next to nothing though the eviction writes
// megabytes each time.
func TestTimeColdTimesTheCallNotTheEviction(t *testing.T) {
	if testing.Short() {
		t.Skip("times the machine")
	}
	opt := Options{Budget: time.Millisecond, Reps: 20}
	var ev float64
	oneCore(func() {
		e := newEvictor()
		ev = timeCPU(opt, e.run)
	})
	var noop float64
	oneCore(func() { noop = timeCold(opt, func() {}) })
	if noop > ev/10 {
		t.Errorf("an empty call measured %.2f us cold; the eviction takes %.2f us: it was timed with the call", noop*1e6, ev*1e6)
	}
}

// TestReadSizeUnits: sysfs writes cache sizes as 48K, 2048K, 1M or bytes.
func TestReadSizeUnits(t *testing.T) {
	dir := t.TempDir()
	for in, want := range map[string]int{"48K\n": 48 << 10, "2048K": 2 << 20, "1M": 1 << 20, "512": 512} {
		f := dir + "/size"
		if err := os.WriteFile(f, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := readSize(f); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	if evictBytes < 1<<20 {
		t.Errorf("evictBytes %d: below 1 MiB", evictBytes)
	}
}

// TestSplitWait: waits of 10 µs + 5% of the compute at 100 µs and 1 ms
// give back 10 µs and 0.05; a wait that does not grow with the interval is
// all fixed; one that falls is the shorter interval's, no negative skew.
func TestSplitWait(t *testing.T) {
	lens := [2]float64{100e-6, 1e-3}
	for _, c := range []struct {
		at         [2]float64
		wait, skew float64
	}{
		{[2]float64{10e-6 + 0.05*100e-6, 10e-6 + 0.05*1e-3}, 10e-6, 0.05},
		{[2]float64{30e-6, 30e-6}, 30e-6, 0},
		{[2]float64{30e-6, 20e-6}, 30e-6, 0},
		{[2]float64{0, 0}, 0, 0},
	} {
		w, s := splitWait(c.at, lens)
		if math.Abs(w-c.wait) > 1e-12 || math.Abs(s-c.skew) > 1e-12 {
			t.Errorf("waits %v: %g s + %g of the compute, want %g s + %g", c.at, w, s, c.wait, c.skew)
		}
	}
	// one GEMM longer than both intervals: the same length twice
	if w, s := splitWait([2]float64{20e-6, 30e-6}, [2]float64{2e-3, 2e-3}); w != 20e-6 || s != 0 {
		t.Errorf("equal intervals: %g s + %g, want 20 µs and no skew", w, s)
	}
}

// TestPairedCall: a thread whose calls take 10 µs alone and 20 µs beside
// its twin, in a window where the twin ran 60% of the time, averages
// 16 µs a call: pairedCall gives back 20 µs; with the twin there all the
// time the mean is the paired time; a mean under alone is alone.
func TestPairedCall(t *testing.T) {
	for _, c := range []struct{ mean, alone, s, want float64 }{
		{16e-6, 10e-6, 0.6, 20e-6},
		{13e-6, 10e-6, 1, 13e-6},
		{9e-6, 10e-6, 0.7, 10e-6},
	} {
		if got := pairedCall(c.mean, c.alone, c.s); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("mean %g, alone %g, share %g: %g, want %g", c.mean, c.alone, c.s, got, c.want)
		}
	}
}

// TestProbeFit: the executor probe's two sizes split the runtime's excess
// over the model into a cost per op and a cost per step (the line through
// them); a negative intercept, or sizes that do not differ in ops, give no
// cost per step and the runs' pooled excess per op.
func TestProbeFit(t *testing.T) {
	run := func(ops, excess float64) ProbeRun {
		return ProbeRun{Measured: 100e-6 + excess, Zero: 100e-6, Ops: ops}
	}
	for _, c := range []struct {
		name           string
		short, long    ProbeRun
		perOp, perStep float64
	}{
		{"line", run(60, 10e-6+60*0.5e-6), run(480, 10e-6+480*0.5e-6), 0.5e-6, 10e-6},
		{"no step cost", run(60, 60*0.5e-6), run(480, 480*0.5e-6), 0.5e-6, 0},
		{"negative intercept", run(100, 40e-6), run(200, 100e-6), 140e-6 / 300, 0},
		{"same ops", run(100, 50e-6), run(100, 70e-6), 120e-6 / 200, 0},
	} {
		p := Probe{Short: c.short, Long: c.long}
		p.Fit()
		if math.Abs(p.PerOp-c.perOp) > 1e-15 || math.Abs(p.PerStep-c.perStep) > 1e-12 {
			t.Errorf("%s: %g s per op, %g s per step; want %g and %g", c.name, p.PerOp, p.PerStep, c.perOp, c.perStep)
		}
	}
}

// TestStepProbeFit: the step factor is the probe's time over the
// model's; the node factor likewise, held at the step's where it reads
// below it (the machine's speed moved between the probes), and neither
// where the probe fits in the private cache.
func TestStepProbeFit(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name       string
		sp         StepProbe
		cache      float64
		step, node float64
		held       bool
	}{
		{"node above", StepProbe{Measured: 12, Predicted: 10, Peak: 8 * mib, NodeMeasured: 66, NodePredicted: 50}, 2 * mib, 1.2, 1.32, false},
		{"node below: held", StepProbe{Measured: 12, Predicted: 10, Peak: 8 * mib, NodeMeasured: 55, NodePredicted: 50}, 2 * mib, 1.2, 1.2, true},
		{"no node probe", StepProbe{Measured: 12, Predicted: 10, Peak: 8 * mib}, 2 * mib, 1.2, 0, false},
		{"within the private cache", StepProbe{Measured: 12, Predicted: 10, Peak: 1 * mib, NodeMeasured: 66, NodePredicted: 50}, 2 * mib, 0, 0, false},
	} {
		sp := c.sp
		sp.Fit(c.cache)
		if math.Abs(sp.Factor-c.step) > 1e-12 || math.Abs(sp.NodeFactor-c.node) > 1e-12 || sp.NodeHeld != c.held {
			t.Errorf("%s: factor %g node %g held %v, want %g %g %v", c.name, sp.Factor, sp.NodeFactor, sp.NodeHeld, c.step, c.node, c.held)
		}
	}
}
