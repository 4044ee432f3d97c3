package ir

// This file holds the typed enums of the plan settings. Each has a string
// underlying type whose values are the words of the plan language, and one
// list of its values in a fixed order; the schema's Enum lists
// ([PlanFields], [PlanMoEFields]) are built from these lists, so the checker,
// the formatter, `--set`, the planner's search space and every pass name the
// same values. Compare against the constants, never against literals: a
// misspelt constant fails to compile, a misspelt literal takes the default
// branch.

// ScheduleKind is a pipeline schedule.
type ScheduleKind string

const (
	ScheduleGPipe       ScheduleKind = "gpipe"
	Schedule1F1B        ScheduleKind = "1f1b"
	ScheduleInterleaved ScheduleKind = "interleaved"
	ScheduleZBH1        ScheduleKind = "zb-h1"
	ScheduleZBV         ScheduleKind = "zb-v"
)

// ScheduleKinds lists every schedule in the schema's order.
var ScheduleKinds = []ScheduleKind{ScheduleGPipe, Schedule1F1B, ScheduleInterleaved, ScheduleZBH1, ScheduleZBV}

// SplitsBackward reports whether the schedule computes input and weight
// gradients in separate actions (B and W): the zero-bubble schedules.
func (k ScheduleKind) SplitsBackward() bool { return k == ScheduleZBH1 || k == ScheduleZBV }

// Virtual reports whether the schedule runs several virtual stages per
// pipeline rank (vpp > 1 is legal only for these).
func (k ScheduleKind) Virtual() bool { return k == ScheduleInterleaved || k == ScheduleZBV }

// PipelineRank returns the pipeline rank that holds virtual stage st of
// a pipeline of pp ranks under this schedule: zb-v folds its second chunk
// back (rank q holds stages q and 2·pp−1−q), the others deal stages round
// robin.
func (k ScheduleKind) PipelineRank(pp, st int) int {
	if k == ScheduleZBV && st >= pp {
		return 2*pp - 1 - st
	}
	return st % pp
}

// CPMode is how attention is split across the context-parallel ranks.
type CPMode string

const (
	CPRing      CPMode = "ring"      // K/V blocks passed around a ring
	CPUlysses   CPMode = "ulysses"   // all-to-all from sequence to head sharding
	CPLSS       CPMode = "lss"       // long-short sequence: gradients averaged once over dp·cp
	CPAllGather CPMode = "allgather" // K/V gathered over cp
)

// CPModes lists every cp mode in the schema's order.
var CPModes = []CPMode{CPRing, CPUlysses, CPLSS, CPAllGather}

// GathersKV reports whether the mode gathers whole K and V over cp before
// attention (allgather and lss do; ring passes blocks; ulysses re-shards).
func (m CPMode) GathersKV() bool { return m == CPAllGather || m == CPLSS }

// RecomputeMode is the activation recomputation of a plan.
type RecomputeMode string

const (
	RecomputeNone      RecomputeMode = "none"
	RecomputeSelective RecomputeMode = "selective" // attention core only (Korthikanti et al.)
	RecomputeFull      RecomputeMode = "full"      // every layer from its input
)

// RecomputeModes lists every recompute mode in the schema's order.
var RecomputeModes = []RecomputeMode{RecomputeNone, RecomputeSelective, RecomputeFull}

// Precision is the training precision of a plan.
type Precision string

const (
	BF16 Precision = "bf16"
	FP16 Precision = "fp16"
	FP32 Precision = "fp32"
	// FP8: Transformer Engine's recipe: the linear layers' GEMMs in fp8
	// (e4m3 forward, e5m2 gradients) at the device's fp8 peak; attention,
	// activations and gradients in bf16; bf16 weights with their fp8 copy
	// and its transpose cached; fp32 master weights and Adam moments.
	FP8 Precision = "fp8"
)

// Precisions lists every precision in the schema's order.
var Precisions = []Precision{BF16, FP16, FP32, FP8}

// ElemBytes returns the bytes of one element of activations, weights and
// gradients in this precision.
func (p Precision) ElemBytes() int {
	if p == FP32 {
		return 4
	}
	return 2
}

// DispatchMode is how MoE tokens are dispatched to their experts.
type DispatchMode string

const (
	DispatchPaddingFree DispatchMode = "padding_free" // exactly the routed rows (all-to-all-v)
	DispatchCapacity    DispatchMode = "capacity"     // padded [E, C, h] buffers, overflow dropped
)

// DispatchModes lists every dispatch mode in the schema's order.
var DispatchModes = []DispatchMode{DispatchPaddingFree, DispatchCapacity}

// Parse returns the value of list spelt s, and whether there is one: the
// one way a word of the plan language becomes an enum value (the checker
// goes through the schema's Enum lists, which are these lists).
func Parse[E ~string](list []E, s string) (E, bool) {
	for _, v := range list {
		if string(v) == s {
			return v, true
		}
	}
	var zero E
	return zero, false
}

// names returns the words of an enum list, for the schema.
func names[E ~string](list []E) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// NormKind is a transformer's normalization layer.
type NormKind string

const (
	NormLayer NormKind = "layernorm" // (x−mean)/√(var+eps)·g + b
	NormRMS   NormKind = "rmsnorm"   // x/√(mean(x²)+eps)·g: no mean, no bias
)

// NormKinds lists every normalization in the schema's order.
var NormKinds = []NormKind{NormLayer, NormRMS}

// MLPKind is the form of a transformer's feed-forward network (dense FFNs,
// shared and routed experts alike).
type MLPKind string

const (
	MLPGeLU   MLPKind = "gelu"   // fc2(gelu(fc1 x)): two matrices
	MLPSwiGLU MLPKind = "swiglu" // down(silu(gate x) ⊙ up x): three matrices
	MLPGeGLU  MLPKind = "geglu"  // down(gelu(gate x) ⊙ up x): three matrices
)

// MLPKinds lists every MLP form in the schema's order.
var MLPKinds = []MLPKind{MLPGeLU, MLPSwiGLU, MLPGeGLU}

// Gated reports whether the MLP has a gate matrix beside its up matrix
// (three matrices of width f instead of two).
func (k MLPKind) Gated() bool { return k == MLPSwiGLU || k == MLPGeGLU }

// Matrices returns the weight matrices of one FFN of this form.
func (k MLPKind) Matrices() int {
	if k.Gated() {
		return 3
	}
	return 2
}

// PositionKind is how a transformer encodes positions.
type PositionKind string

const (
	PositionLearned PositionKind = "learned" // a trained [seq, hidden] table added to the embedding
	PositionRoPE    PositionKind = "rope"    // rotary embedding of queries and keys (no parameters)
)

// PositionKinds lists every position encoding in the schema's order.
var PositionKinds = []PositionKind{PositionLearned, PositionRoPE}

// RouterScore is the function an MoE router applies to its logits.
type RouterScore string

const (
	RouterSoftmax RouterScore = "softmax" // probabilities over all experts
	RouterSigmoid RouterScore = "sigmoid" // independent affinities (DeepSeek-V3)
)

// RouterScores lists every router score function in the schema's order.
var RouterScores = []RouterScore{RouterSoftmax, RouterSigmoid}

// AttentionKind is how the attention core runs.
type AttentionKind string

const (
	// AttentionUnfused: Megatron's 2022 kernels: scores, softmax, dropout
	// and p·v apart, the s×s probabilities (and dropout mask) kept for
	// backward. planc's default, the layout its calibration was fitted to.
	AttentionUnfused AttentionKind = "unfused"
	// AttentionFused: FlashAttention: one kernel, scores in on-chip tiles,
	// only the output and a log-sum-exp per query row kept; backward
	// recomputes the scores.
	AttentionFused AttentionKind = "fused"
)

// AttentionKinds lists every attention kind in the schema's order.
var AttentionKinds = []AttentionKind{AttentionUnfused, AttentionFused}
