package exec_test

import (
	"fmt"

	"planc/ir"
	"planc/runtime/exec"
)

// Train tiny_gpt for three steps under tensor parallelism (tp = 2) on the
// embedded corpus; the losses are the serial run's.
func ExampleNewTrainer() {
	m := &ir.Model{Name: "tiny_gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 256, TieEmbeddings: true, FFNKind: ir.FFNKind{Kind: "dense"}}
	// The cluster's device (stdlib/hw/cpu.plan's) is what the pipeline
	// pass balances stages by.
	cpu := &ir.Device{Name: "cpu_core", PeakBF16: 50e9, PeakFP32: 50e9, Memory: 4 << 30, HBMBandwidth: 20e9,
		MatmulEfficiency: ir.DefaultMatmulEfficiency, KernelOverhead: ir.DefaultKernelOverhead, MemoryEfficiency: ir.DefaultMemoryEfficiency}
	node := &ir.Node{Name: "cpu_node", Device: cpu, Devices: 1024, IntraBW: 10e9, IntraLatency: 1e-6}
	p := &ir.Plan{Name: "example", Model: m, Cluster: &ir.Cluster{Name: "cpu", Node: node, Nodes: 1, PerNode: 2, InterBW: 10e9, InterLatency: 1e-6},
		DP: 1, TP: 2, PP: 1, EP: 1, CP: 1, VPP: 1, Schedule: "1f1b", GlobalBatch: 8, MicroBatch: 2,
		MoE:   ir.MoEPlan{Dispatch: "padding_free"},
		Train: ir.Train{Steps: 3, LR: 3e-3, MinLR: 1e-4, Warmup: 3, Seed: 1, Clip: 1, WeightDecay: 0.1}}
	tr, err := exec.NewTrainer(exec.Config{Plan: p})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 3; i++ {
		r, err := tr.Step()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("step %d loss %.4f\n", r.Step, r.Loss)
	}
	// Output:
	// step 0 loss 5.5156
	// step 1 loss 5.2500
	// step 2 loss 5.1023
}
