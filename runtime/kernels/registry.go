package kernels

import "planc/ir"

// ByKind binds this package's kernels to the op kinds of the registry
// (ir.OpInfo.GoKernels names them, in this order): the forward and backward
// functions that compute each kind. Kinds the registry marks NoGo (fused
// into another kind's kernel, or not executed) have no entry.
var ByKind = map[ir.OpKind][]any{
	ir.OpEmbedding:  {EmbeddingForward, EmbeddingBackward},
	ir.OpLayerNorm:  {LayerNormForward, LayerNormBackward},
	ir.OpQKV:        {LinearForward, LinearBackward},
	ir.OpAttnScores: {AttentionForward, AttentionBackward, GroupedAttentionForward, GroupedAttentionBackward, RoPEForward, RoPEBackward},
	ir.OpOutProj:    {LinearForward, LinearBackward},
	ir.OpResidual:   {Add},
	ir.OpFC1:        {LinearForward, LinearBackward},
	ir.OpGeLU:       {GeluForward, GeluBackward},
	ir.OpSiLU:       {SiluForward, SiluBackward},
	ir.OpFC2:        {LinearForward, LinearBackward},
	ir.OpRouter:     {Route, RouterBackward, RouteScored, RouteScoredBackward, BalanceBias},
	ir.OpDispatch:   {PaddingFree, CapacityDispatch, (*Dispatch).Permute, (*Dispatch).PermuteBackward},
	ir.OpExpertFC1:  {LinearForward, LinearBackward},
	ir.OpExpertGeLU: {GeluForward, GeluBackward},
	ir.OpExpertFC2:  {LinearForward, LinearBackward},
	ir.OpCombine:    {(*Dispatch).Combine, (*Dispatch).CombineBackward},
	ir.OpSharedFC1:  {LinearForward, LinearBackward},
	ir.OpSharedGeLU: {GeluForward, GeluBackward},
	ir.OpSharedFC2:  {LinearForward, LinearBackward},
	ir.OpCompress:   {PhantomGhosts, PhantomGhostsBackward},
	ir.OpPhantomMix: {PhantomForward, PhantomBackward},
	ir.OpLinear:     {LinearForward, LinearBackward},
	ir.OpActivation: {ActivationForward, ActivationBackward},
	ir.OpHead:       {MatMul, MatMulTransA, MatMulTransB},
	ir.OpLoss:       {CrossEntropy, CrossEntropyShardGrad, MSE},
	ir.OpRMSNorm:    {RMSNormForward, RMSNormBackward},
	ir.OpGLU:        {GLUForward, GLUBackward},
	ir.OpExpertGLU:  {GLUForward, GLUBackward},
	ir.OpSharedGLU:  {GLUForward, GLUBackward},
	ir.OpMLADown:    {LinearForward, LinearBackward},
	ir.OpMLAUp:      {LinearForward, LinearBackward},
}
