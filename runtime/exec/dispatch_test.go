package exec

import (
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestCapacityDispatchUnderEP: under expert parallelism (dp = ep = 4 over
// 2 nodes) capacity dispatch with a capacity large enough that nothing
// drops trains to padding-free dispatch's losses exactly (10 steps); with
// capacity factor 0.5 copies are dropped, counted, and the losses differ.
// It also compares the bytes of step 0's MoE exchanges with the cost
// model's (within 5%; TestCapacityBytesMatchCostModel checks more plans):
// under capacity dispatch both count DeepSpeed's padded [E/ep, C, h] slabs,
// whatever drops; padding-free dispatch is predicted from the routes the
// run recorded (passes.PredictedBytesRouted), and its expectation under
// uniform routing is logged beside.
func TestCapacityDispatchUnderEP(t *testing.T) {
	if testing.Short() {
		t.Skip("10-step runs of 4 ranks")
	}
	type run struct {
		losses  []float64
		drops   int64
		ep      float64
		pred    float64 // from step 0's routes
		uniform float64 // under uniform routing
	}
	do := func(sets ...string) run {
		p, u := compiled(t, moeNodesPlan, "moe_nodes", append([]string{"dp=4", "ep=4", "global_batch=8", "cluster.per_node=2"}, sets...)...)
		tr, err := NewTrainer(Config{Plan: p, Steps: 10})
		if err != nil {
			t.Fatal(err)
		}
		tr.RecordRoutes()
		var out run
		for i := 0; i < 10; i++ {
			r, err := tr.Step()
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				out.ep = float64(r.ByKind["ep"].Total())
				var routes []passes.Routing
				for _, rt := range tr.Routes() {
					routes = append(routes, passes.Routing{Rank: rt.Rank, Experts: rt.Experts})
				}
				out.pred = passes.PredictedBytesRouted(u, routes).ByAxis[ir.AxisEP].Total()
			}
			tr.Routes() // later steps' routes are not needed
			out.losses = append(out.losses, r.Loss)
			out.drops += r.Drops
		}
		out.uniform = passes.PredictedBytes(u).ByAxis[ir.AxisEP].Total()
		return out
	}
	free := do("moe.dispatch=padding_free")
	big := do("moe.dispatch=capacity", "moe.capacity_factor=8")
	small := do("moe.dispatch=capacity", "moe.capacity_factor=0.5")
	if free.drops != 0 || big.drops != 0 {
		t.Errorf("drops: padding-free %d, capacity factor 8 %d; want none", free.drops, big.drops)
	}
	for i := range free.losses {
		if big.losses[i] != free.losses[i] {
			t.Errorf("step %d: capacity factor 8 loss %.9g, padding-free %.9g", i, big.losses[i], free.losses[i])
		}
	}
	if small.drops == 0 || small.losses[0] == free.losses[0] {
		t.Errorf("capacity factor 0.5: %d drops, first loss %.9g vs padding-free %.9g; want drops and a different loss", small.drops, small.losses[0], free.losses[0])
	}
	t.Logf("10 steps: padding-free %.6f ... %.6f, capacity 8 the same, capacity 0.5 %.6f ... %.6f with %d copies dropped", free.losses[0], free.losses[9], small.losses[0], small.losses[9], small.drops)
	for _, c := range []struct {
		name string
		r    run
	}{{"padding-free", free}, {"capacity 8", big}, {"capacity 0.5", small}} {
		t.Logf("%s: MoE exchange bytes in step 0 measured %.0f, cost model %.0f from the routes (%+.2f%%), %.0f under uniform routing", c.name, c.r.ep, c.r.pred, 100*(c.r.pred/c.r.ep-1), c.r.uniform)
		if e := relErr(c.r.pred, c.r.ep); e > 0.05 {
			t.Errorf("%s: MoE bytes predicted %.0f, measured %.0f (%.1f%% off, more than 5%%)", c.name, c.r.pred, c.r.ep, 100*e)
		}
	}
	if big.ep <= free.ep {
		t.Errorf("capacity factor 8 sent %.0f MoE bytes, padding-free %.0f: the padded slabs should cost more", big.ep, free.ep)
	}
}
