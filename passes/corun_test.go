package passes_test

import (
	"math"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestCoRunStretchesRanksThatComputeAtOnce: on a node of 2 cores whose
// kernels run at half speed beside a twin (corun_* = 0.5), tp=2's two
// ranks compute at once: compute and optimizer take twice as long; pp=2
// (4 micro-batches) overlaps 3 of 4, so its compute takes 1 + 3/4 as long;
// one rank, or a node without cores, is unchanged. sync_skew stretches
// the compute of ranks that each hold a core, not of 8 ranks on 2 cores.
func TestCoRunStretchesRanksThatComputeAtOnce(t *testing.T) {
	est := func(edit func(n *ir.Node), sets ...string) passes.Estimation {
		_, p := loadPlan(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", sets...)
		q := *p
		cl, n := *p.Cluster, *p.Cluster.Node
		n.Cores, n.CoreShare, n.ThreadShare = 2, 1, 1
		edit(&n)
		cl.Node, q.Cluster = &n, &cl
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return e
	}
	none := func(*ir.Node) {}
	half := func(n *ir.Node) { n.CoRunMatmul, n.CoRunMemory, n.CoRunAttention = 0.5, 0.5, 0.5 }
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Abs(want) }
	for _, c := range []struct {
		sets    []string
		stretch float64
	}{
		{[]string{"tp=2"}, 2},
		{[]string{"dp=2"}, 2},
		{[]string{"pp=2"}, 1.75},
		{nil, 1},
	} {
		a, b := est(none, c.sets...), est(half, c.sets...)
		if !near(b.Compute, c.stretch*a.Compute) {
			t.Errorf("%v: compute %g s beside a twin at half speed, %g s alone: want ×%g", c.sets, b.Compute, a.Compute, c.stretch)
		}
		if c.stretch == 2 && !near(b.Optimizer, 2*a.Optimizer) {
			t.Errorf("%v: optimizer %g s, alone %g s: want ×2", c.sets, b.Optimizer, a.Optimizer)
		}
	}
	// the report says what it charged
	if got := est(half, "tp=2").Cost.CoRun; got != [3]float64{2, 2, 2} {
		t.Errorf("tp=2 report: CoRun %v, want ×2 for every family", got)
	}
	if got := est(half).Cost.CoRun; got != [3]float64{} {
		t.Errorf("one rank's report: CoRun %v, want none", got)
	}
	noCores := func(n *ir.Node) { half(n); n.Cores = 0 }
	if a, b := est(none, "tp=2"), est(noCores, "tp=2"); a.Compute != b.Compute {
		t.Errorf("no cores: compute %g s, want %g s", b.Compute, a.Compute)
	}
	skew := func(n *ir.Node) { n.SyncSkew = 0.1 }
	if a, b := est(none, "tp=2"), est(skew, "tp=2"); !near(b.Compute, 1.1*a.Compute) {
		t.Errorf("tp=2 with sync_skew 0.1: compute %g s, want 1.1 × %g s", b.Compute, a.Compute)
	}
	eight := []string{"tp=2", "pp=2", "dp=2"}
	if a, b := est(none, eight...), est(skew, eight...); a.Compute != b.Compute {
		t.Errorf("8 ranks on 2 cores with sync_skew: compute %g s, want %g s (a rank that waits leaves its core)", b.Compute, a.Compute)
	}
}

// TestParkCostOnlyWhereRanksOutnumberCores: park_cost adds each rank's
// meetings to the cores' busy time where the node has more ranks than
// cores (8 ranks on 2: the step's waiting for a core grows by the
// meetings' cost over the 2 cores), and nothing where every rank has a
// core (tp=2).
func TestParkCostOnlyWhereRanksOutnumberCores(t *testing.T) {
	est := func(park float64, sets ...string) passes.Estimation {
		_, p := loadPlan(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", sets...)
		q := *p
		cl, n := *p.Cluster, *p.Cluster.Node
		n.Cores, n.CoreShare, n.ThreadShare, n.ParkCost = 2, 1, 1, park
		cl.Node, q.Cluster = &n, &cl
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return e
	}
	if a, b := est(0, "tp=2"), est(1e-3, "tp=2"); a.StepTime != b.StepTime {
		t.Errorf("tp=2 on 2 cores: %g s with a park cost, %g s without; want equal", b.StepTime, a.StepTime)
	}
	eight := []string{"tp=2", "pp=2", "dp=2"}
	a, b := est(0, eight...), est(1e-6, eight...)
	if !(a.Shared > 0) {
		t.Fatalf("8 ranks on 2 cores: no waiting for a core (%+v)", a)
	}
	// each of its 2 micro-batches a tp=2 pp=2 rank meets its tp peer at
	// its stage's all-reduces (9 on the first stage, 12 on the last: 4
	// per layer, the embedding's, the head's, the loss's 3) and its
	// neighbour stage once each way; once per step its gradients' and the
	// norm's all-reduces: 200-odd meetings of the 8 ranks in all
	added := (b.StepTime - a.StepTime) * 2 / 1e-6
	if !(added > 8*2*10 && added < 8*2*16+8*8) {
		t.Errorf("8 ranks, 1 us a meeting: the step grew by %g meetings' cost over 2 cores; want 10 to 16 per rank and micro-batch and a few per step", added)
	}
}

// TestDrainWaitOnlyForMeetingsOfTheWholeNode: drain_wait counts where the
// ranks outnumber the cores and a meeting gathers every rank of the node:
// tiny_moe dp4 ep4 on 2 cores meets all 4 ranks at each MoE layer's two
// all-to-alls forward and two backward (3 layers: 12) and at the
// gradients' all-reduce; dp=2 on 2 cores (a rank per core) and tiny_gpt
// dp2 tp2 pp2 (8 ranks meeting in pairs) not at all.
func TestDrainWaitOnlyForMeetingsOfTheWholeNode(t *testing.T) {
	cores := 2.0
	est := func(file, name string, drain float64, sets ...string) passes.Estimation {
		_, p := loadPlan(t, file, name, sets...)
		q := *p
		cl, n := *p.Cluster, *p.Cluster.Node
		n.Cores, n.CoreShare, n.ThreadShare, n.DrainWait = cores, 1, 1, drain
		cl.Node, q.Cluster = &n, &cl
		e, diags := passes.Estimate(&q)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return e
	}
	for _, c := range []struct {
		file, name string
		sets       []string
		meetings   float64
	}{
		// 12 all-to-alls, the gradients' all-reduce and the norm's (the world's under ep)
		{"examples/tiny_moe_ep.plan", "tiny_moe_dp4_ep4", nil, 14},
		// the norm's all-reduce over tp·pp = the node's 4 ranks (the tp
		// all-reduces pair ranks, the pipeline's sends too)
		{"examples/tiny_gpt.plan", "tiny_gpt_serial", []string{"tp=2", "pp=2"}, 1},
		{"examples/tiny_gpt.plan", "tiny_gpt_serial", []string{"dp=2"}, 0},
		{"examples/tiny_gpt.plan", "tiny_gpt_serial", []string{"tp=2", "pp=2", "dp=2"}, 0},
	} {
		a, b := est(c.file, c.name, 0, c.sets...), est(c.file, c.name, 1e-3, c.sets...)
		if got := (b.StepTime - a.StepTime) / 1e-3; math.Abs(got-c.meetings) > 1e-6 {
			t.Errorf("%s %v: drain_wait 1 ms adds %g meetings' wait to the step; want %g", c.name, c.sets, got, c.meetings)
		}
	}
	// one core never idles while a rank is runnable: no drain
	cores = 1
	if a, b := est("examples/tiny_moe_ep.plan", "tiny_moe_dp4_ep4", 0), est("examples/tiny_moe_ep.plan", "tiny_moe_dp4_ep4", 1e-3); a.StepTime != b.StepTime {
		t.Errorf("dp4 ep4 on one core: %g s with drain_wait, %g s without; want equal", b.StepTime, a.StepTime)
	}
}
