package llvm_test

import (
	"fmt"

	"planc/codegen/llvm"
)

// Generate emits kernels specialized to their shapes; each kernel's
// parameters are the same on every target, the last two the range of
// items [lo, hi) that a call computes.
func ExampleGenerate() {
	specs := []llvm.Spec{
		llvm.MatMul{M: 512, K: 64, N: 192, Bias: true},
		llvm.LayerNormFwd{Rows: 512, Width: 64},
	}
	t, _ := llvm.LookupTarget("gfx90a")
	m, err := llvm.Generate("example", specs, t)
	if err != nil {
		panic(err)
	}
	for _, k := range m.Kernels {
		fmt.Println(k.Name, k.Items, k.Params)
	}
	// Output:
	// layernorm_fwd_r512_w64 512 [{x f32*} {gamma f32*} {beta f32*} {y f32*} {mean f32*} {rstd f32*} {lo i64} {hi i64}]
	// matmul_nn_m512_k64_n192_bias 98304 [{a f32*} {b f32*} {bias f32*} {c f32*} {lo i64} {hi i64}]
}
