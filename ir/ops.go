package ir

// This file is the op registry: one row per op kind, declared once, in the
// manner of the Go compiler's SSA op tables. A row says what an op reads,
// writes and keeps for its backward pass, how its FLOPs and HBM bytes follow
// from its local (sharded) tensors, how the sharder lays it out over the
// mesh, what selective recomputation does with it, and the names of its Go
// kernels (package runtime/kernels) and LLVM kernels (package codegen/llvm).
// Package passes builds ops and derives their costs from the rows; the
// kernel packages bind their implementations to the kinds, and their tests
// check that every row's kernels exist (or that the row says why there are
// none).

import "fmt"

// OpKinds lists every op kind in registry order.
var OpKinds = []OpKind{
	OpEmbedding, OpLayerNorm, OpQKV, OpAttnScores, OpSoftmax, OpAttnDropout, OpAttnValues, OpOutProj, OpResidual,
	OpFC1, OpGeLU, OpSiLU, OpFC2, OpRouter, OpDispatch, OpExpertFC1, OpExpertGeLU, OpExpertFC2, OpCombine,
	OpSharedFC1, OpSharedGeLU, OpSharedFC2, OpCompress, OpPhantomMix, OpLinear, OpActivation, OpHead, OpLoss,
	OpRMSNorm, OpGLU, OpExpertGLU, OpSharedGLU, OpMLADown, OpMLAUp,
}

// GEMMRule says how a Matmul op's local GEMM shape (M×K times K×N, Batch
// products) follows from its tensors.
type GEMMRule uint8

const (
	// GEMMLinear: M is the input's rows (every dimension but the last),
	// K×N the weight's last two dimensions; a phantom weight [p, ·, ·]
	// gives one product per part held.
	GEMMLinear GEMMRule = iota
	// GEMMScores: q·kᵀ per (batch, head): M = queries, N = keys, K = head
	// width.
	GEMMScores
	// GEMMValues: p·v per (batch, head): M = queries, N = head width, K =
	// keys.
	GEMMValues
	// GEMMExperts: the routed rows times each held expert's weight.
	GEMMExperts
)

// Traffic is a memory-bound op's HBM bytes per element of its Base tensor:
// Fwd (Bwd) activation-sized reads and writes of elem bytes each, plus
// FwdExtra (BwdExtra) bytes (one-byte dropout masks, fp32 values), plus
// SavedFwd (SavedBwd) times the bytes of its first saved tensor.
type Traffic struct {
	Base               TrafficBase
	Fwd, Bwd           float64
	FwdExtra, BwdExtra float64
	SavedFwd, SavedBwd float64
}

// TrafficBase names the tensor a memory-bound op's traffic counts by.
type TrafficBase uint8

const (
	PerOutput TrafficBase = iota // elements of its output
	PerInput                     // elements of its first input
	PerInOut                     // elements of its first input plus its output
)

// ShardRule names how the sharder (package passes) lays an op's tensors
// out over the mesh; each rule's comment says what it does along tp (and
// sp), cp and ep.
type ShardRule uint8

const (
	// ShardEmbedding: wte split by vocabulary over tp (partial sums out),
	// tokens split by cp.
	ShardEmbedding ShardRule = iota
	// ShardTokenLocal: whole features per token; tokens split by cp, and
	// by tp under sp (LayerNorm, residual).
	ShardTokenLocal
	// ShardColumn: column parallel over tp (weight and bias split along
	// their last dimension, the output's features split); tokens by cp.
	ShardColumn
	// ShardFeature: elementwise on a column-parallel output (features split
	// by tp); tokens by cp.
	ShardFeature
	// ShardRow: row parallel over tp (weight split along its first
	// dimension, output a partial sum over tp).
	ShardRow
	// ShardScores: attention q·kᵀ: heads split by tp; queries by cp, keys
	// and values per cp_mode (local under ring, gathered under allgather
	// and lss; under ulysses heads split by tp·cp, whole sequence).
	ShardScores
	// ShardScoresElementwise: elementwise on the score matrix (softmax,
	// attention dropout), laid out as ShardScores' output.
	ShardScoresElementwise
	// ShardValues: attention p·v, laid out as ShardScores.
	ShardValues
	// ShardRouter: replicated over tp; tokens by cp (and by tp under ssmb).
	ShardRouter
	// ShardDispatch: each rank's own tokens' routed copies, exchanged over
	// ep (all-to-all(v)).
	ShardDispatch
	// ShardExperts: expert weights split by ep, and their width by tp
	// unless ssmb.
	ShardExperts
	// ShardCombine: the return exchange over ep and the weighted sum
	// (partial over tp when the expert width is split by tp).
	ShardCombine
	// ShardMLP: mlp and phantom layers: dense layers alternate column and
	// row parallel; phantom layers keep each part's slice on its tp rank.
	ShardMLP
	// ShardHead: the head, split by vocabulary over tp.
	ShardHead
	// ShardLoss: the (vocab-parallel) cross-entropy or the mlp's MSE.
	ShardLoss
	// ShardReplicated: a GEMM whose weight every tp rank holds whole
	// (MLA's down projections, as Megatron-Core lays them out), applied
	// to the tokens the rank holds: the whole (cp segment's) sequence,
	// under sp the rank's own rows.
	ShardReplicated
)

// RecomputeClass says when an op's forward is re-run in backward.
type RecomputeClass uint8

const (
	// RecomputeOnlyFull: re-run only under recompute = full.
	RecomputeOnlyFull RecomputeClass = iota
	// RecomputeAttentionCore: the attention core (Korthikanti et al. 2022's
	// selective recomputation): re-run under selective and full.
	RecomputeAttentionCore
)

// OpInfo is one op kind's row of the registry.
type OpInfo struct {
	Kind  OpKind
	Class OpClass
	Doc   string
	// Inputs, Outputs and Saved name the op's tensors by role, in the
	// order of Op.Inputs, the output, and Op.Saved. Variadic: the op may
	// read more inputs than listed (a residual sum's extra addends).
	Inputs, Outputs, Saved []string
	Variadic               bool
	// SharedSaved: the op keeps nothing of its own when another op of its
	// block already keeps its input (shared_fc1 after the router, a phantom
	// part's local block after its compress).
	SharedSaved bool
	// Weight and Bias say whether the op has them (MaybeBias: a bias in
	// some layouts only).
	Weight, Bias, MaybeBias bool
	// GEMM derives a Matmul op's shape; Traffic a MemoryBound op's bytes.
	GEMM    GEMMRule
	Traffic Traffic
	Shard   ShardRule
	// Recompute is the op's recompute class; SelectiveKeep lists the
	// indices of Saved that selective recomputation still keeps (the inputs
	// of the recomputed region the op reads first).
	Recompute     RecomputeClass
	SelectiveKeep []int
	// GoKernels name the functions of package runtime/kernels that run the
	// op forward and backward; NoGo says why there are none.
	GoKernels []string
	NoGo      string
	// LLVMKernels name the kernels of package codegen/llvm (their op
	// names) that run it; NoLLVM says why there are none.
	LLVMKernels []string
	NoLLVM      string
}

var (
	xBSH    = []string{"x"}
	gemmGo  = []string{"LinearForward", "LinearBackward"}
	gemmLL  = []string{"matmul"}
	linLL   = []string{"matmul", "bias_grad"}
	actGo   = []string{"GeluForward", "GeluBackward"}
	actLL   = []string{"gelu_fwd", "gelu_bwd"}
	gluGo   = []string{"GLUForward", "GLUBackward"}
	gluLL   = []string{"glu_fwd", "glu_bwd"}
	elemwis = Traffic{Base: PerOutput, Fwd: 2, Bwd: 3}
)

// opTable is the registry. Kinds that only the cost model sees say why
// they have no kernel of their own (they run fused into another kind's).
var opTable = map[OpKind]*OpInfo{
	OpEmbedding: {Class: MemoryBound, Doc: "token and position embedding (dropout mask kept)",
		Inputs: []string{"ids"}, Outputs: xBSH, Saved: []string{"mask"}, Weight: true, MaybeBias: true,
		Traffic: Traffic{Base: PerOutput, Fwd: 3, Bwd: 3, FwdExtra: 1, BwdExtra: 1}, Shard: ShardEmbedding,
		GoKernels: []string{"EmbeddingForward", "EmbeddingBackward"}, NoLLVM: "a gather of rows: memory-bound, the Go kernel serves every target"},
	OpLayerNorm: {Class: MemoryBound, Doc: "LayerNorm over the features (eps 1e-5)",
		Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH, Weight: true, Bias: true,
		Traffic: elemwis, Shard: ShardTokenLocal,
		GoKernels: []string{"LayerNormForward", "LayerNormBackward"}, LLVMKernels: []string{"layernorm_fwd", "layernorm_bwd_dx", "layernorm_bwd_dparams"}},
	OpQKV: {Class: Matmul, Doc: "the q, k, v projection",
		Inputs: xBSH, Outputs: []string{"qkv"}, Saved: xBSH, Weight: true, MaybeBias: true,
		GEMM: GEMMLinear, Shard: ShardColumn, GoKernels: gemmGo, LLVMKernels: linLL},
	OpAttnScores: {Class: Matmul, Doc: "q·kᵀ (fused with softmax, dropout and p·v into one attention kernel)",
		Inputs: []string{"q", "k"}, Outputs: []string{"scores"}, Saved: []string{"q", "k"},
		GEMM: GEMMScores, Shard: ShardScores, Recompute: RecomputeAttentionCore, SelectiveKeep: []int{0, 1},
		GoKernels:   []string{"AttentionForward", "AttentionBackward", "GroupedAttentionForward", "GroupedAttentionBackward", "RoPEForward", "RoPEBackward"},
		LLVMKernels: []string{"attention_fwd", "attention_bwd", "attention_bwd_q", "attention_bwd_kv", "grouped_attention_fwd", "grouped_attention_bwd_q", "grouped_attention_bwd_kv", "rope_fwd", "rope_bwd"}},
	OpSoftmax: {Class: MemoryBound, Doc: "scale, causal mask, softmax",
		Inputs: []string{"scores"}, Outputs: []string{"probs"}, Saved: []string{"probs"},
		Traffic: elemwis, Shard: ShardScoresElementwise, Recompute: RecomputeAttentionCore,
		NoGo: "fused into attn_scores' attention kernel (online softmax)", NoLLVM: "fused into attn_scores' attention kernel"},
	OpAttnDropout: {Class: MemoryBound, Doc: "dropout of the attention probabilities",
		Inputs: []string{"probs"}, Outputs: []string{"probs_d"}, Saved: []string{"mask"},
		Traffic: Traffic{Base: PerOutput, Fwd: 2, Bwd: 2, FwdExtra: 1, BwdExtra: 1}, Shard: ShardScoresElementwise, Recompute: RecomputeAttentionCore,
		NoGo: "the runtime trains without dropout (rate 0); the cost model keeps Megatron's mask", NoLLVM: "no dropout in the runtime"},
	OpAttnValues: {Class: Matmul, Doc: "p·v",
		Inputs: []string{"probs_d", "v"}, Outputs: []string{"ctx"}, Saved: []string{"probs_d", "v"},
		GEMM: GEMMValues, Shard: ShardValues, Recompute: RecomputeAttentionCore, SelectiveKeep: []int{1},
		NoGo: "fused into attn_scores' attention kernel", NoLLVM: "fused into attn_scores' attention kernel"},
	OpOutProj: {Class: Matmul, Doc: "the attention output projection",
		Inputs: []string{"ctx"}, Outputs: []string{"y"}, Saved: []string{"ctx"}, Weight: true, MaybeBias: true,
		GEMM: GEMMLinear, Shard: ShardRow, GoKernels: gemmGo, LLVMKernels: linLL},
	OpResidual: {Class: MemoryBound, Doc: "bias, dropout and residual add",
		Inputs: xBSH, Outputs: []string{"y"}, Saved: []string{"mask"}, Variadic: true,
		Traffic: Traffic{Base: PerOutput, Fwd: 3, Bwd: 2, FwdExtra: 1, BwdExtra: 1}, Shard: ShardTokenLocal,
		GoKernels: []string{"Add"}, NoLLVM: "an elementwise add: memory-bound, the Go kernel serves every target"},
	OpFC1: {Class: Matmul, Doc: "the FFN's first projection",
		Inputs: xBSH, Outputs: []string{"h"}, Saved: xBSH, Weight: true, MaybeBias: true,
		GEMM: GEMMLinear, Shard: ShardColumn, GoKernels: gemmGo, LLVMKernels: linLL},
	OpGeLU: {Class: MemoryBound, Doc: "gelu (tanh form)", Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH,
		Traffic: elemwis, Shard: ShardFeature, GoKernels: actGo, LLVMKernels: actLL},
	OpSiLU: {Class: MemoryBound, Doc: "silu: x·sigmoid(x)", Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH,
		Traffic: elemwis, Shard: ShardFeature,
		GoKernels: []string{"SiluForward", "SiluBackward"}, LLVMKernels: []string{"silu_fwd", "silu_bwd"}},
	OpFC2: {Class: Matmul, Doc: "the FFN's second projection",
		Inputs: []string{"h"}, Outputs: []string{"y"}, Saved: []string{"h"}, Weight: true, MaybeBias: true,
		GEMM: GEMMLinear, Shard: ShardRow, GoKernels: gemmGo, LLVMKernels: linLL},
	OpRouter: {Class: Matmul, Doc: "router logits, softmax and top-k",
		Inputs: xBSH, Outputs: []string{"logits"}, Saved: xBSH, Weight: true,
		GEMM: GEMMLinear, Shard: ShardRouter,
		GoKernels: []string{"Route", "RouterBackward", "RouteScored", "RouteScoredBackward", "BalanceBias"}, LLVMKernels: []string{"router_topk", "router_topk_bwd", "router_scored", "router_scored_bwd", "balance_bias"}},
	OpDispatch: {Class: MemoryBound, Doc: "permute routed copies by expert",
		Inputs: xBSH, Outputs: []string{"routed"}, Saved: []string{"probs", "routes"},
		Traffic: Traffic{Base: PerInOut, Fwd: 1, Bwd: 1, SavedFwd: 2, SavedBwd: 2}, Shard: ShardDispatch,
		GoKernels: []string{"PaddingFree", "CapacityDispatch", "(*Dispatch).Permute", "(*Dispatch).PermuteBackward"}, LLVMKernels: []string{"permute", "permute_bwd"}},
	OpExpertFC1: {Class: Matmul, Doc: "each expert's first projection",
		Inputs: []string{"routed"}, Outputs: []string{"h"}, Saved: []string{"routed"}, Weight: true,
		GEMM: GEMMExperts, Shard: ShardExperts, GoKernels: gemmGo, LLVMKernels: gemmLL},
	OpExpertGeLU: {Class: MemoryBound, Doc: "the experts' gelu", Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH,
		Traffic: elemwis, Shard: ShardExperts, GoKernels: actGo, LLVMKernels: actLL},
	OpExpertFC2: {Class: Matmul, Doc: "each expert's second projection",
		Inputs: []string{"h"}, Outputs: []string{"routed"}, Saved: []string{"h"}, Weight: true,
		GEMM: GEMMExperts, Shard: ShardExperts, GoKernels: gemmGo, LLVMKernels: gemmLL},
	OpCombine: {Class: MemoryBound, Doc: "un-permute and weight by the router",
		Inputs: []string{"routed"}, Outputs: []string{"y"}, Saved: []string{"routed", "weights"}, Variadic: true,
		Traffic: Traffic{Base: PerInOut, Fwd: 1, Bwd: 1.5}, Shard: ShardCombine,
		GoKernels: []string{"(*Dispatch).Combine", "(*Dispatch).CombineBackward"}, LLVMKernels: []string{"unpermute", "unpermute_bwd"}},
	OpSharedFC1: {Class: Matmul, Doc: "the shared experts' first projection",
		Inputs: xBSH, Outputs: []string{"h"}, Saved: xBSH, SharedSaved: true, Weight: true, MaybeBias: true,
		GEMM: GEMMLinear, Shard: ShardColumn, GoKernels: gemmGo, LLVMKernels: linLL},
	OpSharedGeLU: {Class: MemoryBound, Doc: "the shared experts' gelu", Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH,
		Traffic: elemwis, Shard: ShardFeature, GoKernels: actGo, LLVMKernels: actLL},
	OpSharedFC2: {Class: Matmul, Doc: "the shared experts' second projection",
		Inputs: []string{"h"}, Outputs: []string{"y"}, Saved: []string{"h"}, Weight: true, MaybeBias: true,
		GEMM: GEMMLinear, Shard: ShardRow, GoKernels: gemmGo, LLVMKernels: linLL},
	OpCompress: {Class: Matmul, Doc: "phantom ghosts g = C·x", Inputs: xBSH, Outputs: []string{"ghosts"}, Saved: xBSH, Weight: true,
		GEMM: GEMMLinear, Shard: ShardMLP,
		GoKernels: []string{"PhantomGhosts", "PhantomGhostsBackward"}, LLVMKernels: gemmLL},
	OpPhantomMix: {Class: Matmul, Doc: "phantom mix: Σ D_ij·g_j of the other parts' ghosts",
		Inputs: []string{"ghosts"}, Outputs: []string{"y"}, Saved: []string{"ghosts"}, Weight: true,
		GEMM: GEMMLinear, Shard: ShardMLP,
		GoKernels: []string{"PhantomForward", "PhantomBackward"}, LLVMKernels: gemmLL},
	OpLinear: {Class: Matmul, Doc: "a dense layer (an mlp's, or a phantom part's local block)",
		Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH, SharedSaved: true, Weight: true, MaybeBias: true,
		GEMM: GEMMLinear, Shard: ShardMLP, GoKernels: gemmGo, LLVMKernels: linLL},
	OpActivation: {Class: MemoryBound, Doc: "an mlp's nonlinearity (gelu)", Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH,
		Traffic: elemwis, Shard: ShardMLP,
		GoKernels: []string{"ActivationForward", "ActivationBackward"}, LLVMKernels: actLL},
	OpHead: {Class: Matmul, Doc: "the logits", Inputs: xBSH, Outputs: []string{"logits"}, Saved: xBSH, Weight: true,
		GEMM: GEMMLinear, Shard: ShardHead, GoKernels: []string{"MatMul", "MatMulTransA", "MatMulTransB"}, LLVMKernels: gemmLL},
	OpLoss: {Class: MemoryBound, Doc: "softmax cross-entropy (fp32), or an mlp's mean squared error",
		Inputs: []string{"logits"}, Outputs: []string{"loss"}, Saved: []string{"softmax"},
		Traffic: Traffic{Base: PerInput, Fwd: 1, Bwd: 1, FwdExtra: 4, BwdExtra: 4}, Shard: ShardLoss,
		GoKernels: []string{"CrossEntropy", "CrossEntropyShardGrad", "MSE"}, NoLLVM: "a reduction over the vocabulary in fp64: the Go kernel serves every target"},
	OpRMSNorm: {Class: MemoryBound, Doc: "RMSNorm over the features: x/√(mean(x²)+eps)·g (eps 1e-5 unless the model says otherwise), no bias",
		Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH, Weight: true,
		Traffic: elemwis, Shard: ShardTokenLocal, GoKernels: []string{"RMSNormForward", "RMSNormBackward"}, LLVMKernels: []string{"rmsnorm_fwd", "rmsnorm_bwd_dx", "rmsnorm_bwd_dgamma"}},
	OpGLU: {Class: MemoryBound, Doc: "a gated FFN's act(gate)⊙up (silu for swiglu, gelu for geglu): input [.., 2f] gate then up, output [.., f]",
		Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH,
		Traffic: gluTraffic, Shard: ShardFeature, GoKernels: gluGo, LLVMKernels: gluLL},
	OpExpertGLU: {Class: MemoryBound, Doc: "the routed experts' act(gate)⊙up", Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH,
		Traffic: gluTraffic, Shard: ShardExperts, GoKernels: gluGo, LLVMKernels: gluLL},
	OpSharedGLU: {Class: MemoryBound, Doc: "the shared experts' act(gate)⊙up", Inputs: xBSH, Outputs: []string{"y"}, Saved: xBSH,
		Traffic: gluTraffic, Shard: ShardFeature, GoKernels: gluGo, LLVMKernels: gluLL},
	OpMLADown: {Class: Matmul, Doc: "MLA's down projection of the hidden state to the query latent, or to the key/value latent and the shared rotary key",
		Inputs: xBSH, Outputs: []string{"latent"}, Saved: xBSH, SharedSaved: true, Weight: true,
		GEMM: GEMMLinear, Shard: ShardReplicated, GoKernels: gemmGo, LLVMKernels: gemmLL},
	OpMLAUp: {Class: Matmul, Doc: "MLA's up projection of a normalized latent to the heads' queries, or keys (no-rope part) and values",
		Inputs: []string{"latent"}, Outputs: []string{"heads"}, Saved: []string{"latent"}, Weight: true,
		GEMM: GEMMLinear, Shard: ShardColumn, GoKernels: gemmGo, LLVMKernels: gemmLL},
}

// gluTraffic: forward reads gate and up (2f) and writes f, once each;
// backward reads both and the output's gradient and writes both gradients
// (5f): 5/3 of the forward's elements.
var gluTraffic = Traffic{Base: PerInOut, Fwd: 1, Bwd: 5.0 / 3}

func init() {
	for _, k := range OpKinds {
		info, ok := opTable[k]
		if !ok {
			panic(fmt.Sprintf("ir: op kind %q has no registry row", k))
		}
		info.Kind = k
	}
	if len(opTable) != len(OpKinds) {
		panic("ir: the op registry has rows for kinds OpKinds does not list")
	}
}

// Info returns the kind's registry row (nil for an unknown kind).
func (k OpKind) Info() *OpInfo { return opTable[k] }

// Costs are an op's FLOPs and HBM bytes, per rank and micro-batch.
type Costs struct {
	FwdFLOPs, BwdInputFLOPs, BwdWeightFLOPs float64
	FwdBytes, BwdBytes                      float64
}

// OpCosts derives o's FLOPs and bytes from its registry row and its local
// tensors (and, for Matmul ops, its GEMM shape M, N, K, Batch), with elem
// bytes per activation element.
func OpCosts(o *Op, elem float64) Costs {
	info := o.Kind.Info()
	var c Costs
	out := o.Output.Elements()
	if o.Class == Matmul {
		f := 2 * float64(o.M) * float64(o.N) * float64(o.K) * float64(max(o.Batch, 1))
		c.FwdFLOPs = f
		if o.Weight != nil {
			c.BwdInputFLOPs, c.BwdWeightFLOPs = f, f
		} else {
			c.BwdInputFLOPs = 2 * f // gradients of both activation operands
			if info != nil && info.GEMM == GEMMScores && o.Output.Elem == 0 {
				// fused attention (scores in on-chip tiles) recomputes
				// them in backward
				c.BwdInputFLOPs += f
			}
		}
		// an on-chip tile (fused attention's scores, Elem 0) never
		// reaches HBM
		inHBM := func(t Tensor) float64 {
			if t.Elem == 0 {
				return 0
			}
			return t.Elements()
		}
		c.FwdBytes = (inHBM(o.Inputs[0]) + inHBM(o.Output)) * elem
		if o.Weight != nil {
			c.FwdBytes += o.Weight.Elements() * elem
		}
		c.BwdBytes = 2 * c.FwdBytes
		return c
	}
	tr := Traffic{Base: PerInOut, Fwd: 1, Bwd: 1}
	if info != nil {
		tr = info.Traffic
	}
	var n float64
	switch tr.Base {
	case PerOutput:
		n = out
	case PerInput:
		n = o.Inputs[0].Elements()
	default:
		n = o.Inputs[0].Elements() + out
	}
	c.FwdBytes = n * (tr.Fwd*elem + tr.FwdExtra)
	c.BwdBytes = n * (tr.Bwd*elem + tr.BwdExtra)
	if (tr.SavedFwd != 0 || tr.SavedBwd != 0) && len(o.Saved) > 0 {
		c.FwdBytes += tr.SavedFwd * o.Saved[0].Bytes()
		c.BwdBytes += tr.SavedBwd * o.Saved[0].Bytes()
	}
	return c
}
