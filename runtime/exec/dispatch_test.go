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
// It also logs the bytes of the MoE exchanges against the cost model's:
// the runtime sends only the kept copies under both dispatch modes, the
// cost model's capacity dispatch moves DeepSpeed's padded [E, C, h]
// buffers (see the report of issue 6).
func TestCapacityDispatchUnderEP(t *testing.T) {
	if testing.Short() {
		t.Skip("10-step runs of 4 ranks")
	}
	type run struct {
		losses []float64
		drops  int64
		ep     float64
		pred   float64
	}
	do := func(sets ...string) run {
		p, u := compiled(t, moeNodesPlan, "moe_nodes", append([]string{"dp=4", "ep=4", "global_batch=8", "cluster.per_node=2"}, sets...)...)
		tr, err := NewTrainer(Config{Plan: p, Steps: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out run
		for i := 0; i < 10; i++ {
			r, err := tr.Step()
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				out.ep = float64(r.ByKind["ep"].Total())
			}
			out.losses = append(out.losses, r.Loss)
			out.drops += r.Drops
		}
		out.pred = passes.PredictedBytes(u).ByAxis[ir.AxisEP].Total()
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
		t.Logf("%s: MoE exchange bytes in step 0 measured %.0f, cost model %.0f", c.name, c.r.ep, c.r.pred)
	}
}
