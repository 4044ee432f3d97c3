package passes_test

import (
	"fmt"

	"planc/lang"
	"planc/passes"
)

// Compile a plan and read its memory and cost reports.
func ExampleCompile() {
	prog, diags := lang.Load([]string{repoFile("examples/calibration.plan")}, lang.Options{})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	u, diags := passes.Compile(prog, prog.Plan("cal_22b_selective"), passes.Options{VerifyEach: true})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	w := u.Memory.WorstRank()
	fmt.Printf("%s\n", u.Mesh)
	fmt.Printf("peak %.1f GiB of %.0f GiB\n", w.Peak/(1<<30), u.Memory.Capacity/(1<<30))
	fmt.Printf("step %.2f s, MFU %.1f%%\n", u.Cost.StepTime, 100*u.Cost.MFU)
	// Output:
	// tp=8 cp=1 dp=1 pp=1 = 8 ranks
	// peak 51.6 GiB of 80 GiB
	// step 1.08 s, MFU 42.6%
}

// Predict the bytes a step sends between and within nodes, as the runtime
// counts them: at the expectation under uniform routing, and exactly from
// the routing a run observed (here, one token of rank 0 in one MoE layer).
func ExamplePredictedBytes() {
	prog, diags := lang.Load([]string{repoFile("examples/rbd.plan")}, lang.Options{})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	u, diags := passes.Compile(prog, prog.Plan("rbd_tiny_moe_4nodes"), passes.Options{})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	r := passes.PredictedBytes(u)
	fmt.Printf("step: %.0f bytes inter-node, %.0f intra-node\n", r.Total.InterNode, r.Total.IntraNode)
	fmt.Printf("MoE exchanges: %.0f inter-node (expected)\n", r.MoE.InterNode)
	one := passes.PredictedBytesRouted(u, []passes.Routing{{Rank: 0, Experts: [][]int{{2, 3}}}})
	fmt.Printf("one token to experts 2 and 3 (one remote node): %.0f bytes inter-node\n", one.MoE.InterNode)
	// Output:
	// step: 8541715 bytes inter-node, 5322918 intra-node
	// MoE exchanges: 4403931 inter-node (expected)
	// one token to experts 2 and 3 (one remote node): 1044 bytes inter-node
}
