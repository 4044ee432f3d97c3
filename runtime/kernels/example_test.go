package kernels_test

import (
	"fmt"

	"planc/runtime/kernels"
)

// A linear layer's forward and backward: weights are in×out, backward
// kernels add into their gradient buffers.
func ExampleLinearForward() {
	x := []float32{1, 2}                // one row, in = 2
	w := []float32{1, 0, -1, 0.5, 1, 2} // 2×3
	b := []float32{0, 0, 1}
	y := make([]float32, 3)
	kernels.LinearForward(y, x, w, b, 1, 2, 3)
	dx, dw := make([]float32, 2), make([]float32, 6)
	kernels.LinearBackward(dx, dw, nil, []float32{1, 0, 0}, x, w, 1, 2, 3)
	fmt.Println(y, dx, dw)
	// Output: [2 2 4] [1 0.5] [1 0 0 2 0 0]
}

// Ring attention: the keys arrive in blocks; each block's partial result is
// merged by log-sum-exp, giving the attention over all keys.
func ExampleCombineAttention() {
	s := kernels.AttnShape{Batch: 1, Heads: 1, Tq: 1, Tk: 1, D: 1, QOffset: 1, Causal: true}
	q := []float32{1}
	keys, values := []float32{0, 2}, []float32{10, 20}
	o, lse := make([]float32, 1), make([]float32, 1)
	kernels.EmptyAttention(o, lse)
	blk, blkLse := make([]float32, 1), make([]float32, 1)
	for j := range keys {
		s.KOffset = j
		kernels.AttentionForward(blk, blkLse, q, keys[j:j+1], values[j:j+1], s)
		kernels.CombineAttention(o, lse, blk, blkLse, s)
	}
	whole := kernels.AttnShape{Batch: 1, Heads: 1, Tq: 1, Tk: 2, D: 1, QOffset: 1, Causal: true}
	o2, lse2 := make([]float32, 1), make([]float32, 1)
	kernels.AttentionForward(o2, lse2, q, keys, values, whole)
	fmt.Printf("blocks %.4f whole %.4f\n", o[0], o2[0])
	// Output: blocks 18.8080 whole 18.8080
}

// Padding-free dispatch: copies sorted by expert, per-expert row ranges.
func ExamplePaddingFree() {
	logits := []float32{
		3, 1, 0, // token 0 prefers experts 0, 1
		0, 1, 3, // token 1 prefers experts 2, 1
		0, 3, 1, // token 2 prefers experts 1, 2
	}
	r := kernels.Route(logits, 3, 3, 2, false)
	d := kernels.PaddingFree(r)
	fmt.Println("tokens", d.Token, "experts", d.Expert, "counts", d.Counts)
	lo, hi := d.ExpertRows(1)
	fmt.Println("expert 1 rows", lo, hi)
	// Output:
	// tokens [0 0 1 2 1 2] experts [0 1 1 1 2 2] counts [1 3 2]
	// expert 1 rows 1 4
}
