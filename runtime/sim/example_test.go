package sim_test

import (
	"fmt"

	"planc/ir"
	"planc/passes/sched"
	"planc/runtime/sim"
)

// Example lowers a hand-built plan to its 1F1B schedule, verifies it and
// simulates one step on uniform costs: the bubble is (p−1)/m.
func Example() {
	dev := &ir.Device{Name: "gpu", PeakBF16: 1e15}
	node := &ir.Node{Name: "node", Device: dev, Devices: 4, IntraBW: 1e11}
	cluster := &ir.Cluster{Name: "c", Node: node, Nodes: 1, PerNode: 4, InterBW: 1e10}
	model := &ir.Model{Name: "gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 32, Layers: 8, Heads: 4, FFN: 128}
	plan := &ir.Plan{Name: "demo", Model: model, Cluster: cluster, DP: 1, TP: 1, PP: 4, EP: 1, CP: 1, VPP: 1,
		Schedule: "1f1b", GlobalBatch: 8, MicroBatch: 1, Precision: "bf16"}

	s, diags := sched.Build(plan, sched.PlanSizes(plan))
	if diags.HasErrors() {
		panic(diags)
	}
	rep, err := sched.Verify(s)
	if err != nil {
		panic(err)
	}
	res, err := sim.Run(s, sim.Config{Costs: sim.Uniform{F: 1, B: 2}})
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Ranks[3].Actions[0].Kind, s.ActionString(s.Ranks[3].Actions[1]))
	fmt.Printf("step %g, bubble %.3f = (p-1)/m = %.3f, rank 0 holds %g micro-batches\n",
		res.StepTime, res.BubbleFraction, 3.0/8, rep.PeakInFlight[0])
	// Output:
	// RECV_F 3F0
	// step 33, bubble 0.375 = (p-1)/m = 0.375, rank 0 holds 4 micro-batches
}
