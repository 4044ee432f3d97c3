package llvm

import "planc/ir"

// ByKind binds this package's kernels to the op kinds of the registry
// (ir.OpInfo.LLVMKernels names their ops, in this order): the specs that
// compute each kind, at a small sample shape (ForPlan gives them a plan's
// shapes). Kinds the registry marks NoLLVM have no entry.
var ByKind = map[ir.OpKind][]Spec{
	ir.OpLayerNorm:  {LayerNormFwd{8, 16}, LayerNormBwdData{8, 16}, LayerNormBwdParams{8, 16}},
	ir.OpQKV:        linearSample,
	ir.OpAttnScores: {AttentionFwd{sampleAttention}, AttentionBwdQ{sampleAttention}, AttentionBwdKV{sampleAttention}},
	ir.OpOutProj:    linearSample,
	ir.OpFC1:        linearSample,
	ir.OpGeLU:       {GeluFwd{128}, GeluBwd{128}},
	ir.OpSiLU:       {SiluFwd{128}, SiluBwd{128}},
	ir.OpFC2:        linearSample,
	ir.OpRouter:     {RouterTopK{Tokens: 8, Experts: 4, K: 2}, RouterTopKBwd{RouterTopK{Tokens: 8, Experts: 4, K: 2}}},
	ir.OpDispatch:   {Permute{Tokens: 8, K: 2, Width: 16}, PermuteBwd{Tokens: 8, K: 2, Width: 16}},
	ir.OpExpertFC1:  {MatMul{K: 16, N: 32}},
	ir.OpExpertGeLU: {GeluFwd{128}, GeluBwd{128}},
	ir.OpExpertFC2:  {MatMul{K: 32, N: 16}},
	ir.OpCombine:    {Unpermute{Tokens: 8, K: 2, Width: 16}, UnpermuteBwd{Tokens: 8, K: 2, Width: 16}},
	ir.OpSharedFC1:  linearSample,
	ir.OpSharedGeLU: {GeluFwd{128}, GeluBwd{128}},
	ir.OpSharedFC2:  linearSample,
	ir.OpCompress:   {MatMul{M: 8, K: 8, N: 4}},
	ir.OpPhantomMix: {MatMul{M: 8, K: 4, N: 8}},
	ir.OpLinear:     linearSample,
	ir.OpActivation: {GeluFwd{128}, GeluBwd{128}},
	ir.OpHead:       {MatMul{M: 8, K: 16, N: 32}},
}

var (
	linearSample    = []Spec{MatMul{M: 8, K: 16, N: 16, Bias: true}, BiasGrad{Rows: 8, Width: 16}}
	sampleAttention = Attention{Batch: 1, Heads: 2, Tq: 8, Tk: 8, D: 8}
)
