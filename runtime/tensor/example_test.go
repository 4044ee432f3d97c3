package tensor_test

import (
	"fmt"

	"planc/runtime/tensor"
)

// Every rank generates a parameter whole from its name, then keeps its
// shard: the values do not depend on the plan.
func ExampleInitNormal() {
	w := tensor.InitNormal(1337, "h.0.mlp.fc.w", 0.02, 4, 6)
	shard := tensor.Cols(w, 3, 6) // the second of two column shards
	fmt.Println(w.Shape, shard.Shape, shard.Data[0] == w.Data[3])
	// Output: [4 6] [4 3] true
}
