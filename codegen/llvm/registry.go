package llvm

import "planc/ir"

// ByKind binds this package's kernels to the op kinds of the registry
// (ir.OpInfo.LLVMKernels names their ops, in this order): the specs that
// compute each kind, at a small sample shape (ForPlan gives them a plan's
// shapes). Kinds the registry marks NoLLVM have no entry.
var ByKind = map[ir.OpKind][]Spec{
	ir.OpLayerNorm: {LayerNormFwd{8, 16}, LayerNormBwdData{8, 16}, LayerNormBwdParams{8, 16}},
	ir.OpQKV:       linearSample,
	ir.OpAttnScores: {AttentionFwd{sampleAttention}, AttentionBwd{sampleAttention}, AttentionBwdQ{sampleAttention}, AttentionBwdKV{sampleAttention},
		GroupedAttentionFwd{sampleGrouped}, GroupedAttentionBwdQ{sampleGrouped}, GroupedAttentionBwdKV{sampleGrouped},
		RoPEFwd{sampleRoPE}, RoPEBwd{sampleRoPE}},
	ir.OpOutProj: linearSample,
	ir.OpFC1:     linearSample,
	ir.OpGeLU:    {GeluFwd{128}, GeluBwd{128}},
	ir.OpSiLU:    {SiluFwd{128}, SiluBwd{128}},
	ir.OpFC2:     linearSample,
	ir.OpRouter: {RouterTopK{Tokens: 8, Experts: 4, K: 2}, RouterTopKBwd{RouterTopK{Tokens: 8, Experts: 4, K: 2}},
		sampleRouter, RouterScoredBwd{sampleRouter}, BalanceBias{Experts: 8, Rate: 0.001}},
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
	ir.OpRMSNorm:    {RMSNormFwd{8, 16, 1e-5}, RMSNormBwdData{8, 16}, RMSNormBwdParams{8, 16}},
	ir.OpGLU:        sampleGLU,
	ir.OpExpertGLU:  sampleGLU,
	ir.OpSharedGLU:  sampleGLU,
	ir.OpMLADown:    {MatMul{M: 8, K: 16, N: 12}},
	ir.OpMLAUp:      {MatMul{M: 8, K: 8, N: 32}},
}

var (
	linearSample    = []Spec{MatMul{M: 8, K: 16, N: 16, Bias: true}, BiasGrad{Rows: 8, Width: 16}}
	sampleAttention = Attention{Batch: 1, Heads: 2, Tq: 8, Tk: 8, D: 8}
	sampleGrouped   = GroupedAttention{Attention: Attention{Batch: 1, Heads: 4, Tq: 8, Tk: 8, D: 8}, KVHeads: 2, DV: 4}
	sampleRoPE      = RoPE{Batch: 1, Heads: 2, T: 8, D: 8, Rotary: 4}
	sampleRouter    = RouterScored{Tokens: 8, Experts: 8, K: 2, Sigmoid: true, Normalize: true, Groups: 4, TopKGroups: 2}
	sampleGLU       = []Spec{GLUFwd{Rows: 8, F: 16, Act: SwiGLU}, GLUBwd{Rows: 8, F: 16, Act: SwiGLU}, GLUFwd{F: 16, Act: GeGLU}, GLUBwd{F: 16, Act: GeGLU}}
)
