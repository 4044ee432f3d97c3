package exec

import (
	"fmt"

	"planc/ir"
)

// executed lists the op kinds (ir/ops.go) that this package's layer code
// computes, and how. The runtime does not yet interpret the unit's op
// programs: it runs its own transformer, MoE, phantom and mlp layers, which
// compute exactly these kinds. checkExecutable refuses a unit holding any
// other kind (a new op such as silu, registered with its kernels but not
// yet wired into a layer), so that the runtime never trains a program
// other than the compiled one.
var executed = map[ir.OpKind]string{
	ir.OpEmbedding:   "vocab-parallel embedding (stage.go)",
	ir.OpLayerNorm:   "stage.go",
	ir.OpQKV:         "stage.go",
	ir.OpAttnScores:  "attention.go: one fused kernel for scores, softmax and values",
	ir.OpSoftmax:     "attention.go (fused)",
	ir.OpAttnDropout: "attention.go (rate 0)",
	ir.OpAttnValues:  "attention.go (fused)",
	ir.OpOutProj:     "stage.go",
	ir.OpResidual:    "stage.go",
	ir.OpFC1:         "stage.go",
	ir.OpGeLU:        "stage.go",
	ir.OpFC2:         "stage.go",
	ir.OpRouter:      "stage.go (route)",
	ir.OpDispatch:    "stage.go, rbd.go",
	ir.OpExpertFC1:   "stage.go (runExperts)",
	ir.OpExpertGeLU:  "stage.go (runExperts)",
	ir.OpExpertFC2:   "stage.go (runExperts)",
	ir.OpCombine:     "stage.go, rbd.go",
	ir.OpSharedFC1:   "stage.go (moeForward)",
	ir.OpSharedGeLU:  "stage.go (moeForward)",
	ir.OpSharedFC2:   "stage.go (moeForward)",
	ir.OpCompress:    "mlp.go, phantom_ffn.go",
	ir.OpPhantomMix:  "mlp.go, phantom_ffn.go",
	ir.OpLinear:      "mlp.go, phantom_ffn.go",
	ir.OpActivation:  "mlp.go",
	ir.OpHead:        "stage.go (vocab-parallel head)",
	ir.OpLoss:        "stage.go (vocab-parallel cross-entropy), mlp.go (MSE)",
}

// checkExecutable reports the first op of u whose kind this runtime does
// not execute.
func checkExecutable(u *ir.Unit) error {
	for _, st := range u.Graph.Stages {
		for _, o := range st.Ops {
			if _, ok := executed[o.Kind]; !ok {
				return fmt.Errorf("plan %s: op %s of stage %d is a %s, which the runtime does not execute yet (its kernels exist, no layer of runtime/exec runs it)", u.Plan.Name, o.Name, st.Index, o.Kind)
			}
		}
	}
	return nil
}
