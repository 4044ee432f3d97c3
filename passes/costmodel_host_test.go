package passes_test

import (
	"io"
	"math"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestSharedCoresBoundsTheStep: tiny_gpt at dp = 4 on the cpu cluster,
// whose node is given `cores` processors. The four ranks are identical
// and never idle (pp = 1: no bubble), so each is busy for the whole step T
// of an unshared node; sharing c cores the node cannot finish 4T of work
// before 4T/c. With c ≥ 4 nothing changes.
func TestSharedCoresBoundsTheStep(t *testing.T) {
	_, p := loadPlan(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", "dp=4")
	base, diags := passes.Estimate(p)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if base.Shared != 0 {
		t.Fatalf("no cores field: waiting for a core %g s, want 0", base.Shared)
	}
	for _, c := range []float64{1, 2, 3, 4, 8} {
		q := *p
		cl, n := *p.Cluster, *p.Cluster.Node
		n.Cores, cl.Node, q.Cluster = c, &n, &cl
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		want := math.Max(base.StepTime, 4*base.StepTime/c)
		t.Logf("cores %g: step %.3f ms (unshared %.3f ms), waiting for a core %.3f ms", c, e.StepTime*1e3, base.StepTime*1e3, e.Shared*1e3)
		if math.Abs(e.StepTime-want) > 1e-9*want {
			t.Errorf("cores %g: step %g s, want max(T, 4T/c) = %g s", c, e.StepTime, want)
		}
		if parts := e.Compute + e.ExposedComm + e.Bubble + e.Optimizer + e.Shared; math.Abs(parts-e.StepTime) > 1e-9*e.StepTime {
			t.Errorf("cores %g: the parts sum to %g s, the step is %g s", c, parts, e.StepTime)
		}
		if got, wantTPS := e.TokensPerSec, e.TokensPerStep/e.StepTime; math.Abs(got-wantTPS) > 1e-9*wantTPS {
			t.Errorf("cores %g: tokens/s %g, want tokens per step / step = %g", c, got, wantTPS)
		}
	}
}

// TestSharedCoresLeaveBubblesToOthers: a pipeline of 2 ranks on 2 shared
// cores is the unshared pipeline (its ranks idle in the bubble, and are
// never more than the cores); on 1 core its step is the two ranks' busy
// time, which is less than twice the unshared step (the bubble is idle).
func TestSharedCoresLeaveBubblesToOthers(t *testing.T) {
	_, p := loadPlan(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", "pp=2")
	at := func(c float64) passes.Estimation {
		q := *p
		cl, n := *p.Cluster, *p.Cluster.Node
		n.Cores, cl.Node, q.Cluster = c, &n, &cl
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return e
	}
	base, two, one := at(0), at(2), at(1)
	if two.StepTime != base.StepTime {
		t.Errorf("2 ranks on 2 cores: step %g s, unshared %g s", two.StepTime, base.StepTime)
	}
	if base.Bubble <= 0 {
		t.Fatalf("pp = 2 has no bubble")
	}
	if !(one.StepTime > base.StepTime && one.StepTime < 2*base.StepTime) {
		t.Errorf("2 ranks on 1 core: step %g s, want between the unshared %g s and twice it", one.StepTime, base.StepTime)
	}
}

// TestParallelProductsUseSpareCores: tiny_gpt on one rank of a node with
// 2 cores, whose device runs products of 2^22 FLOPs and more on the cores
// no other rank keeps busy: fc1's products (128×64×256, 2^22 FLOPs each)
// take half the time, qkv's (128×64×192) do not; with 2 ranks on the
// 2 cores nothing changes.
func TestParallelProductsUseSpareCores(t *testing.T) {
	at := func(cores float64, sets ...string) map[string]float64 {
		prog, p := loadPlan(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", sets...)
		q := *p
		cl, n, d := *p.Cluster, *p.Cluster.Node, *p.Cluster.Node.Device
		d.KernelOverhead, d.ParallelFLOPs = 0, 1<<22
		n.Cores, n.Device, cl.Node, q.Cluster = cores, &d, &n, &cl
		// the costliest ops come from the compiled unit (Estimate leaves
		// them out)
		u, diags := passes.Compile(prog, &q, passes.Options{DumpTo: io.Discard})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		ops := map[string]float64{}
		for _, o := range u.Cost.TopOps {
			ops[o.Op] += o.Time
		}
		if ops["fc1"] == 0 || ops["qkv"] == 0 {
			t.Fatalf("cores %g %v: no fc1 or qkv among the costliest ops %v", cores, sets, ops)
		}
		return ops
	}
	one, two := at(0), at(2)
	if got, want := two["fc1"], one["fc1"]/2; math.Abs(got-want) > 1e-9*want {
		t.Errorf("fc1 on 2 spare cores: %g s, want half of %g s", got, one["fc1"])
	}
	if two["qkv"] != one["qkv"] {
		t.Errorf("qkv (under the threshold): %g s, want %g s", two["qkv"], one["qkv"])
	}
	if a, b := at(0, "dp=2"), at(2, "dp=2"); a["fc1"] != b["fc1"] {
		t.Errorf("2 ranks on 2 cores: fc1 %g s, want %g s (no spare core)", b["fc1"], a["fc1"])
	}
}

// TestCoreShareIsTheJobs: other processes leave the job half of a
// 2-core node (core_share 0.5): one rank, busy T, still finishes in T (the
// job's threads get one core's worth); four ranks' 4T of work take 4T.
func TestCoreShareIsTheJobs(t *testing.T) {
	for _, c := range []struct {
		set   string
		ranks float64
	}{{"dp=1", 1}, {"dp=4", 4}} {
		_, p := loadPlan(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", c.set)
		base, diags := passes.Estimate(p)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		q := *p
		cl, n := *p.Cluster, *p.Cluster.Node
		n.Cores, n.CoreShare, cl.Node, q.Cluster = 2, 0.5, &n, &cl
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		want := math.Max(base.StepTime, c.ranks*base.StepTime/(2*0.5))
		if math.Abs(e.StepTime-want) > 1e-9*want {
			t.Errorf("%s: step %g s, want %g s (unshared %g s)", c.set, e.StepTime, want, base.StepTime)
		}
	}
}

// TestThreadShareStretchesTheChain: a thread that gets half an unloaded
// core's speed (thread_share 0.5) runs one rank's step in twice its time,
// whatever the cores; 4 ranks on 2 cores at core_share 0.5 are bound by
// the cores (4T), which the thread share does not change.
func TestThreadShareStretchesTheChain(t *testing.T) {
	step := func(set string, share, thread float64) (float64, float64) {
		_, p := loadPlan(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", set)
		base, diags := passes.Estimate(p)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		q := *p
		cl, n := *p.Cluster, *p.Cluster.Node
		n.Cores, n.CoreShare, n.ThreadShare, cl.Node, q.Cluster = 2, share, thread, &n, &cl
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return e.StepTime, base.StepTime
	}
	if got, base := step("dp=1", 1, 0.5); math.Abs(got-2*base) > 1e-9*base {
		t.Errorf("one rank at thread_share 0.5: %g s, want 2 × %g s", got, base)
	}
	if got, base := step("dp=1", 1, 0); got != base {
		t.Errorf("thread_share 0 (unset): %g s, want %g s", got, base)
	}
	if got, base := step("dp=4", 0.5, 0.5); math.Abs(got-4*base) > 1e-9*base {
		t.Errorf("4 ranks on 2 cores at share 0.5: %g s, want the cores' 4 × %g s", got, base)
	}
}

// TestSyncWaitOnlyWhereThreadsPark: a node of 2 cores with sync_wait: tp=2
// (2 ranks: a rank that meets its peer first parks its thread) pays it on
// every tp collective; the 8 ranks of tp=2 pp=2 dp=2 (another rank always
// runs) pay nothing.
func TestSyncWaitOnlyWhereThreadsPark(t *testing.T) {
	step := func(wait float64, sets ...string) float64 {
		_, p := loadPlan(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", sets...)
		q := *p
		cl, n := *p.Cluster, *p.Cluster.Node
		n.Cores, n.SyncWait, cl.Node, q.Cluster = 2, wait, &n, &cl
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return e.StepTime
	}
	if a, b := step(0, "tp=2"), step(100e-6, "tp=2"); !(b > a) {
		t.Errorf("tp=2 on 2 cores: %g s with a 100 µs wait, %g s without", b, a)
	}
	eight := []string{"tp=2", "pp=2", "dp=2"}
	if a, b := step(0, eight...), step(100e-6, eight...); a != b {
		t.Errorf("8 ranks on 2 cores: %g s with a wait, %g s without; want equal", b, a)
	}
}

// TestStepKernelFactorBeyondThePrivateCache: a device whose kernels take
// 1.5× their microbenchmarks inside a step (step_kernel_factor) beyond a
// 2 MiB private cache: tiny_gpt (peak ~6 MiB) computes and updates in
// 1.5× the time, op by op, its communication (tp = 2) unchanged; with a
// private cache larger than its peak, or without the factor, nothing
// changes.
func TestStepKernelFactorBeyondThePrivateCache(t *testing.T) {
	at := func(factor, cache float64, sets ...string) (passes.Estimation, map[string]float64) {
		e, u := onDevice(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", func(d *ir.Device) { d.StepKernelFactor, d.PrivateCache = factor, cache }, sets...)
		if len(u.Cost.TopOps) == 0 {
			t.Fatalf("%v: no costliest ops", sets)
		}
		ops := map[string]float64{}
		for _, o := range u.Cost.TopOps {
			ops[o.Op] = o.Time
		}
		return e, ops
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }
	for _, sets := range [][]string{nil, {"tp=2"}} {
		base, baseOps := at(0, 0, sets...)
		slow, slowOps := at(1.5, 2<<20, sets...)
		if slow.PeakBytes <= 2<<20 {
			t.Fatalf("%v: peak %g B, want beyond the 2 MiB cache", sets, slow.PeakBytes)
		}
		if !near(slow.Compute, 1.5*base.Compute) || !near(slow.Optimizer, 1.5*base.Optimizer) {
			t.Errorf("%v: compute %g s, optimizer %g s; want 1.5 × %g s and 1.5 × %g s", sets, slow.Compute, slow.Optimizer, base.Compute, base.Optimizer)
		}
		if !near(slow.ExposedComm, base.ExposedComm) {
			t.Errorf("%v: exposed communication %g s, want unchanged %g s", sets, slow.ExposedComm, base.ExposedComm)
		}
		for op, tm := range slowOps {
			if !near(tm, 1.5*baseOps[op]) {
				t.Errorf("%v: %s %g s, want 1.5 × %g s", sets, op, tm, baseOps[op])
			}
		}
		if fits, _ := at(1.5, 64<<20, sets...); fits.StepTime != base.StepTime {
			t.Errorf("%v: within a 64 MiB private cache the step is %g s, want %g s", sets, fits.StepTime, base.StepTime)
		}
	}
}

// TestStepOverheadOncePerStep: a device's step_overhead adds itself once
// to each rank's step, in the optimizer's part, serially, under tp (each
// rank's own) and under pp (the ranks' tails grow alike), and Compile
// agrees with Estimate; at 0 nothing changes.
func TestStepOverheadOncePerStep(t *testing.T) {
	at := func(overhead float64, sets ...string) passes.Estimation {
		e, _ := onDevice(t, "examples/tiny_mlp.plan", "tiny_mlp_serial", func(d *ir.Device) { d.StepOverhead = overhead }, sets...)
		return e
	}
	const s = 20e-6
	for _, sets := range [][]string{nil, {"tp=2"}, {"pp=2"}} {
		base, with := at(0, sets...), at(s, sets...)
		if d := with.StepTime - base.StepTime; math.Abs(d-s) > 1e-12 {
			t.Errorf("%v: the step grew by %g s, want %g s", sets, d, s)
		}
		if d := with.Optimizer - base.Optimizer; math.Abs(d-s) > 1e-12 {
			t.Errorf("%v: the optimizer's part grew by %g s, want %g s", sets, d, s)
		}
		if with.Compute != base.Compute {
			t.Errorf("%v: compute %g s, want unchanged %g s", sets, with.Compute, base.Compute)
		}
	}
}

// TestHotProductsWithinThePrivateCache: on a device with a hot GEMM fit,
// a plan whose ranks fit the private cache (tiny_mlp, 340 KiB) is priced
// as on a device whose GEMM figures are the hot ones (Estimate, Compile
// and its costliest ops alike), and faster than cold; a plan beyond it
// (tiny_gpt) is priced cold.
func TestHotProductsWithinThePrivateCache(t *testing.T) {
	const rate, call, elem = 160e9, 0.2e-6, 0.05e-9
	at := func(file, name string, dev func(*ir.Device)) (passes.Estimation, float64) {
		e, u := onDevice(t, file, name, func(d *ir.Device) {
			d.MatmulEfficiency, d.GEMMCallCost, d.GEMMElementCost = 0.8, 1.5e-6, 0.07e-9
			dev(d)
		})
		linear := 0.0
		for _, o := range u.Cost.TopOps {
			if o.Op == "linear" || o.Op == "fc1" {
				linear += o.Time
			}
		}
		return e, linear
	}
	withHot := func(d *ir.Device) {
		d.HotGEMMRate, d.HotGEMMCallCost, d.HotGEMMElementCost, d.PrivateCache = rate, call, elem, 2<<20
	}
	asHot := func(d *ir.Device) {
		d.MatmulEfficiency, d.GEMMCallCost, d.GEMMElementCost = rate/d.PeakFP32, call, elem
	}
	cold, coldLinear := at("examples/tiny_mlp.plan", "tiny_mlp_serial", func(*ir.Device) {})
	hot, hotLinear := at("examples/tiny_mlp.plan", "tiny_mlp_serial", withHot)
	want, wantLinear := at("examples/tiny_mlp.plan", "tiny_mlp_serial", asHot)
	if hot.PeakBytes > 2<<20 {
		t.Fatalf("tiny_mlp's peak %g B, want within 2 MiB", hot.PeakBytes)
	}
	if math.Abs(hot.StepTime-want.StepTime) > 1e-12 || math.Abs(hotLinear-wantLinear) > 1e-12 || hotLinear == 0 {
		t.Errorf("tiny_mlp within the cache: step %g s, linear %g s; want the hot device's %g s, %g s", hot.StepTime, hotLinear, want.StepTime, wantLinear)
	}
	if !(hot.StepTime < cold.StepTime) || !(hotLinear < coldLinear) {
		t.Errorf("tiny_mlp hot %g s (linear %g s), cold %g s (%g s): want hot faster", hot.StepTime, hotLinear, cold.StepTime, coldLinear)
	}
	gptCold, _ := at("examples/tiny_gpt.plan", "tiny_gpt_serial", func(*ir.Device) {})
	gptHot, _ := at("examples/tiny_gpt.plan", "tiny_gpt_serial", withHot)
	if gptHot.PeakBytes <= 2<<20 || gptHot.StepTime != gptCold.StepTime {
		t.Errorf("tiny_gpt (peak %g B) with a hot fit: step %g s, want the cold %g s", gptHot.PeakBytes, gptHot.StepTime, gptCold.StepTime)
	}
}

// TestNodeKernelFactorWithTheRanks: with a node factor measured at 8
// times a probe's bytes, tiny_gpt at dp = 4 (four replicas on one node,
// four times one rank's peak together) computes at the factor the
// device gives its node's bytes, above step_kernel_factor; serially
// (the node's bytes one rank's peak, at the probe's) nothing changes;
// Compile agrees with Estimate.
func TestNodeKernelFactorWithTheRanks(t *testing.T) {
	at := func(node bool, sets ...string) (passes.Estimation, *ir.Device) {
		e, u := onDevice(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", func(d *ir.Device) {
			d.StepKernelFactor, d.PrivateCache, d.StepKernelBytes = 1.2, 2<<20, 8<<20
			if node {
				d.NodeKernelFactor, d.NodeKernelBytes = 1.6, 64<<20
			}
		}, sets...)
		return e, u.Plan.Cluster.Node.Device
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }
	if a, b := func() (passes.Estimation, passes.Estimation) { a, _ := at(false); b, _ := at(true); return a, b }(); a.StepTime != b.StepTime {
		t.Errorf("serial (peak %g B): %g s with a node factor, %g s without; want equal", a.PeakBytes, b.StepTime, a.StepTime)
	}
	base, _ := at(false, "dp=4")
	grown, d := at(true, "dp=4")
	f := d.KernelFactor(grown.PeakBytes, 4*grown.PeakBytes)
	if f <= 1.2 || f >= 1.6 {
		t.Fatalf("dp=4 (4 × %g B on the node): factor %g, want between the step's 1.2 and the node's 1.6", grown.PeakBytes, f)
	}
	if want := base.Compute * f / 1.2; !near(grown.Compute, want) {
		t.Errorf("dp=4: compute %g s, want %g s (× %g / 1.2)", grown.Compute, want, f)
	}
	if !near(grown.Optimizer, base.Optimizer*f/1.2) {
		t.Errorf("dp=4: optimizer %g s, want %g s", grown.Optimizer, base.Optimizer*f/1.2)
	}
}

// onDevice estimates and compiles file's plan with its device edited by
// edit (a copy: the loaded program is unchanged), checks that Compile's
// step is Estimate's, and returns both.
func onDevice(t *testing.T, file, plan string, edit func(*ir.Device), sets ...string) (passes.Estimation, *ir.Unit) {
	t.Helper()
	prog, p := loadPlan(t, file, plan, sets...)
	q := *p
	cl, n, d := *p.Cluster, *p.Cluster.Node, *p.Cluster.Node.Device
	edit(&d)
	n.Device, cl.Node, q.Cluster = &d, &n, &cl
	e, diags := passes.Estimate(&q)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	u, diags := passes.Compile(prog, &q, passes.Options{DumpTo: io.Discard})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if u.Cost == nil || math.Abs(u.Cost.StepTime-e.StepTime) > 1e-9*e.StepTime {
		t.Fatalf("%v: Compile's cost %v, Estimate's step %g s", sets, u.Cost, e.StepTime)
	}
	return e, u
}
