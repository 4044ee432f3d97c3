// Package kernels holds planc's float32 CPU kernels: the forward and backward
// of every op of the reference semantics (docs/semantics.md),
// on row-major []float32 operands with explicit shapes.
//
// Conventions, which every kernel follows:
//   - Matrices are row-major. A linear layer's weight is in×out and computes
//     y = x·W + b for rows of x.
//   - Forward kernels overwrite their outputs. Backward kernels ADD into
//     their gradient outputs (dx, dW, db...), so that gradients accumulate
//     over micro-batches and over branches of a residual; a nil gradient
//     buffer means "not needed" and is skipped.
//   - Every kernel is deterministic: the same inputs give bitwise the same
//     outputs whatever GOMAXPROCS is. Parallel kernels split work into tasks
//     fixed by the shapes alone, and every output element is reduced in an
//     order that depends on the shapes alone.
//   - Reductions that decide a loss or a norm (cross-entropy, MSE, sum of
//     squares) accumulate in float64.
//
// The ops, by family:
//   - products: [MatMul], [MatMulTransB], [MatMulTransA] (tiled, transposed
//     B packed, 12×32 AVX-512 or 4×16 AVX2/FMA micro-kernels where the CPU
//     has them, with one summation order, all cores);
//   - layers: [LinearForward]/[LinearBackward], [LayerNormForward]/
//     [LayerNormBackward], [GeluForward]/[GeluBackward], [ReluForward],
//     [ActivationForward], [EmbeddingForward]/[EmbeddingBackward];
//   - attention: [AttentionForward]/[AttentionBackward] over any key range
//     with global positions ([AttnShape]), [CombineAttention] for ring
//     blocks, [SplitQKV]/[JoinQKVGrad], [MergeHeads]/[SplitHeads];
//   - losses: [CrossEntropy] (and its vocabulary-parallel pieces
//     [CrossEntropyShardMax] …), [MSE], [SoftmaxRows];
//   - MoE: [Route], [AuxLoss], [RouterBackward], [PaddingFree],
//     [CapacityDispatch] and the [Dispatch] methods Permute and Combine
//     with their backwards;
//   - phantom layers: [PhantomShape], [PhantomGhosts], [PhantomForward],
//     [PhantomBackward], [PhantomGhostsBackward];
//   - optimizer: [AdamW.Update], [SumSquares], [ClipScale];
//   - today's architectures (docs/semantics.md): [RMSNormForward]/
//     [RMSNormBackward], [GLUForward]/[GLUBackward] (SwiGLU, GeGLU),
//     [RoPETable], [RoPEForward]/[RoPEBackward], grouped-query and latent
//     attention [GroupedAttentionForward]/[GroupedAttentionBackward] with
//     their layouts ([SplitGroupedQKV], [MLAQueries], [MLAKeysValues],
//     [SplitColumns] and their adjoints), sigmoid and group-limited routing
//     [RouteScored]/[RouteScoredBackward] and bias balancing [BalanceBias].
//
// Shape mistakes are programming errors of the caller and panic.
package kernels
