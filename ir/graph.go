package ir

// This file holds the distributed op graph that package passes builds from a
// Program and a Plan: ops with symbolic shapes, FLOPs and bytes, a sharding
// on every tensor, and the explicit collectives that move data between the
// ranks of a mesh group. Quantities are per rank and per micro-batch unless a
// field says otherwise; FLOPs are floating-point operations (a multiply-add
// counts 2), bytes are bytes.

import "fmt"

// Extent is one dimension of a tensor: a symbol ("b", "s", "h", "3h", "V"), its
// global size, and, when the tensor is sharded along it, the mesh axis that
// splits it and into how many parts.
type Extent struct {
	Sym   string
	Size  int
	Axis  Axis // "" when the dimension is whole on every rank
	Parts int  // ranks that share the dimension (the degree of Axis); 0 or 1: whole
}

// Local returns the dimension's size on one rank.
func (d Extent) Local() int {
	if d.Parts > 1 {
		return d.Size / d.Parts
	}
	return d.Size
}

// Tensor is a value flowing between ops, with its global shape and its
// sharding: each Extent says which axis splits it, and Partial names the axes
// over which the tensor holds partial sums that a reduction must complete.
type Tensor struct {
	Name    string
	Shape   []Extent
	Elem    int    // bytes per element
	Partial []Axis // axes of pending partial sums
}

// Elements returns the tensor's element count on one rank.
func (t Tensor) Elements() float64 {
	n := 1.0
	for _, d := range t.Shape {
		n *= float64(d.Local())
	}
	return n
}

// GlobalElements returns the element count of the whole tensor.
func (t Tensor) GlobalElements() float64 {
	n := 1.0
	for _, d := range t.Shape {
		n *= float64(d.Size)
	}
	return n
}

// Bytes returns the tensor's size on one rank.
func (t Tensor) Bytes() float64 { return t.Elements() * float64(t.Elem) }

// OpKind names what an op computes.
type OpKind string

const (
	OpEmbedding   OpKind = "embedding"
	OpLayerNorm   OpKind = "layernorm"
	OpQKV         OpKind = "qkv"
	OpAttnScores  OpKind = "attn_scores" // q·kᵀ
	OpSoftmax     OpKind = "softmax"     // scale, causal mask, softmax
	OpAttnDropout OpKind = "attn_dropout"
	OpAttnValues  OpKind = "attn_values" // p·v
	OpOutProj     OpKind = "out_proj"
	OpResidual    OpKind = "residual" // bias + dropout + residual add
	OpFC1         OpKind = "fc1"
	OpGeLU        OpKind = "gelu"
	OpSiLU        OpKind = "silu"       // x·sigmoid(x)
	OpRMSNorm     OpKind = "rmsnorm"    // x/rms(x)·g
	OpGLU         OpKind = "glu"        // act(gate)⊙up of a gated FFN (swiglu, geglu)
	OpExpertGLU   OpKind = "expert_glu" // the routed experts' act(gate)⊙up
	OpSharedGLU   OpKind = "shared_glu" // the shared experts' act(gate)⊙up
	OpMLADown     OpKind = "mla_down"   // MLA's down projection to a latent (replicated over tp)
	OpMLAUp       OpKind = "mla_up"     // MLA's up projection from a latent to the heads
	OpFC2         OpKind = "fc2"
	OpRouter      OpKind = "router"
	OpDispatch    OpKind = "dispatch" // permute routed tokens by expert
	OpExpertFC1   OpKind = "expert_fc1"
	OpExpertGeLU  OpKind = "expert_gelu"
	OpExpertFC2   OpKind = "expert_fc2"
	OpCombine     OpKind = "combine" // un-permute and weight by the router
	OpSharedFC1   OpKind = "shared_fc1"
	OpSharedGeLU  OpKind = "shared_gelu"
	OpSharedFC2   OpKind = "shared_fc2"
	OpCompress    OpKind = "phantom_compress" // g = C·x
	OpPhantomMix  OpKind = "phantom_mix"      // W_ii·x + Σ D_ij·g_j
	OpLinear      OpKind = "linear"           // an mlp model's dense layer
	OpActivation  OpKind = "activation"       // an mlp model's nonlinearity
	OpHead        OpKind = "head"             // logits
	OpLoss        OpKind = "loss"             // softmax cross-entropy
	OpOptimizer   OpKind = "optimizer"        // AdamW over the local shard
)

// OpClass says which resource bounds an op's time.
type OpClass int

const (
	// Matmul ops are GEMMs, timed by FLOPs at the device's achievable
	// matrix throughput.
	Matmul OpClass = iota
	// MemoryBound ops are elementwise or reductions, timed by bytes at the
	// device's achievable HBM bandwidth.
	MemoryBound
)

func (c OpClass) String() string {
	if c == Matmul {
		return "matmul"
	}
	return "memory"
}

// Op is one kernel of a stage's forward program (its backward is implied).
// All numbers are per rank and per micro-batch.
type Op struct {
	Name   string // unique in the graph: "l3.qkv", "embed", "head"
	Kind   OpKind
	Class  OpClass
	Layer  int // transformer or mlp layer index; -1 outside the layers
	Inputs []Tensor
	Output Tensor
	// Weight is the op's parameter (nil for parameter-free ops). Its
	// sharding says how the parameter is split over the mesh.
	Weight *Tensor
	Bias   *Tensor
	// Params names the entries of the unit's parameter table (Unit.Params,
	// checkpoint names) that Weight and Bias stand for: the graph's tensors
	// are the cost model's view (experts stacked, one name per op), the
	// table is what the runtime holds. Set by the params pass.
	Params []string

	// GEMM shape for Matmul ops (local, per rank): M×K times K×N, Batch
	// independent products (heads, experts).
	M, N, K, Batch int

	FwdFLOPs       float64
	BwdInputFLOPs  float64 // "B": gradient with respect to the input
	BwdWeightFLOPs float64 // "W": gradient with respect to the weights (zb schedules defer it)
	// ModelFLOPs is the useful work of the op in the whole model (forward,
	// all ranks together, no padding): the base of MFU.
	ModelFLOPs float64
	FwdBytes   float64 // HBM traffic of the forward kernel
	BwdBytes   float64 // HBM traffic of the backward kernels

	// Saved lists the activations the op keeps for its backward pass.
	Saved []Tensor
	// Recompute marks an op whose forward is re-run in the backward pass:
	// its Saved tensors are not kept, only Checkpoint (the inputs of the
	// recomputed region that the op reads first).
	Recompute  bool
	Checkpoint []Tensor
}

// SavedBytes returns the bytes of activations the op keeps per micro-batch.
func (o *Op) SavedBytes() float64 {
	kept := o.Saved
	if o.Recompute {
		kept = o.Checkpoint
	}
	s := 0.0
	for _, t := range kept {
		s += t.Bytes()
	}
	return s
}

// ParamElements returns the op's local parameter count.
func (o *Op) ParamElements() float64 {
	n := 0.0
	if o.Weight != nil {
		n += o.Weight.Elements()
	}
	if o.Bias != nil {
		n += o.Bias.Elements()
	}
	return n
}

// CollKind names a collective operation. It is the one collective kind of
// planc: the graph's collectives, the schedule's collective actions, the
// network model and the runtime's transports all use it. The numeric
// values are part of the schedule file (version 1 fixes 0..5): a kind added
// later takes the next free value.
type CollKind uint8

const (
	CollNone      CollKind = iota
	AllReduce              // every member ends with the reduction of all buffers
	ReduceScatter          // member i ends with chunk i of the reduction
	AllGather              // every member ends with the concatenation of all parts
	AllToAll               // member i sends chunk j to member j
	SendRecv               // one point-to-point transfer
	AllToAllV              // uneven all-to-all (padding-free dispatch)
	Broadcast              // every member ends with the root's buffer
	numCollKinds
)

var collNames = [...]string{CollNone: "none", AllReduce: "all-reduce", ReduceScatter: "reduce-scatter",
	AllGather: "all-gather", AllToAll: "all-to-all", SendRecv: "send-recv", AllToAllV: "all-to-allv", Broadcast: "broadcast"}

func (k CollKind) String() string {
	if k < numCollKinds {
		return collNames[k]
	}
	return fmt.Sprintf("CollKind(%d)", uint8(k))
}

// Valid reports whether k is a known kind other than [CollNone].
func (k CollKind) Valid() bool { return k > CollNone && k < numCollKinds }

// CollKinds lists every kind in a fixed order (for reports).
var CollKinds = []CollKind{AllReduce, ReduceScatter, AllGather, AllToAll, AllToAllV, SendRecv, Broadcast}

// BusFactor returns nccl-tests' bus-bandwidth factor of the kind for a group
// of p ranks: the fraction of the buffer each rank must move over its link.
func (k CollKind) BusFactor(p int) float64 {
	if p <= 1 {
		return 0
	}
	f := float64(p-1) / float64(p)
	switch k {
	case AllReduce:
		return 2 * f
	case ReduceScatter, AllGather, AllToAll, AllToAllV:
		return f
	default:
		return 1
	}
}

// Phase says when a collective runs.
type Phase string

const (
	Forward  Phase = "fwd"
	Backward Phase = "bwd"
	// StepPhase collectives run once per step (gradient reduction,
	// ZeRO parameter gathers, tied-embedding gradient), not per micro-batch.
	StepPhase Phase = "step"
)

// Overlap says how a collective's time meets the critical path.
type Overlap string

const (
	// Critical collectives block the next op (tp, ep, ulysses).
	Critical Overlap = "critical"
	// WithCompute collectives hide behind independent compute (ring
	// attention's K/V passing, ZeRO-3 prefetch, dp reduction behind
	// backward) and only their excess is exposed.
	WithCompute Overlap = "overlap"
	// NextForward collectives (ZeRO-1/2's gather of the updated
	// parameters under overlap.param_gather) hide behind the next step's
	// first forward; only their excess over it is exposed.
	NextForward Overlap = "next-forward"
)

// Collective is one collective call of a stage, per rank.
type Collective struct {
	Name      string // unique in the stage: "l3.attn.ar", "grads.bucket2"
	Kind      CollKind
	Axis      Axis
	GroupSize int
	// Bytes is the size n of the alpha-beta model: the whole buffer for an
	// all-reduce or broadcast, the gathered (full) buffer for all-gather
	// and reduce-scatter, each rank's send buffer for all-to-all and
	// send/recv.
	Bytes float64
	Phase Phase
	After string // the op it follows ("" for step collectives)
	Layer int
	// Steps is the number of sequential calls this entry stands for (ring
	// attention passes cp-1 K/V blocks); 0 or 1 mean one.
	Steps   int
	Overlap Overlap
	// Tensor names what the collective moves ("kv", "dispatch", "d wte").
	// How its bytes split between intra- and inter-node links is computed
	// from the mesh by passes.PredictedBytes.
	Tensor string
	// Reader, for a layout conversion (an edge's all-reduce, reduce-scatter
	// or all-gather), names the op whose input Tensor it converts, and
	// Adjoint the conversion's other half (a forward conversion's adjoint
	// in backward, or the forward conversion a backward one answers); ""
	// when the conversion has only one half (Megatron's f and g).
	Reader, Adjoint string
	// Regather marks a backward all-gather that gathers a forward
	// all-gather's input again for its Reader's backward: the reader (a
	// tp-split GEMM under sequence parallelism) keeps only this rank's rows
	// of its input, as Megatron-LM's sequence-parallel linear layers do,
	// and needs the whole input for its weight gradient.
	Regather bool
	// Issuer names the op whose kernel issues the collective itself
	// (attention's K/V exchange under cp, MoE's dispatch and combine, the
	// vocabulary-parallel loss's reductions, phantom ghosts); "" for a
	// layout conversion or a step collective.
	Issuer string
	// Boundary marks the all-gather over tp of a pipeline message that
	// the neighbouring stage sent in 1/tp chunks, one from each of its tp
	// ranks (Megatron-LM's scatter/gather of pipeline tensors, Narayanan
	// et al. 2021 §4.1): forward on the receiving stage for its input,
	// backward on the stage before for its output's gradient.
	Boundary bool
}

// Calls returns Steps, at least 1.
func (c *Collective) Calls() int {
	if c.Steps > 1 {
		return c.Steps
	}
	return 1
}

// Stage is one pipeline stage's program: the ops of its layers in forward
// order and the collectives they need. With vpp > 1 a pp rank holds several
// (virtual) stages.
type Stage struct {
	Index  int // virtual stage index in pipeline order, 0..pp·vpp-1
	PPRank int // pp rank holding it: Plan.Schedule.PipelineRank(pp, Index)
	Chunk  int // Index div pp
	// FirstLayer, LastLayer bound the layers [FirstLayer, LastLayer) it holds.
	FirstLayer, LastLayer int
	Ops                   []*Op
	Collectives           []*Collective
}

// Graph is the distributed program: the stages of the pipeline.
type Graph struct {
	Stages []*Stage
}

// Unit is a compiled plan: the resolved plan, its mesh, the per-stage
// graph with collectives, and the analyses of the passes.
type Unit struct {
	Program *Program
	Plan    *Plan
	Mesh    Mesh
	Graph   Graph
	// Params is the model's parameter table (the "params" pass): names,
	// shapes, tp shards, owners and initialization, as the runtime holds
	// them. The layer partition is the graph's (Partition).
	Params ParamTable
	// Memory and Cost are filled by the memory and cost analysis passes.
	Memory *MemoryReport
	Cost   *CostReport
	// Schedule is filled by the schedule pass (package passes/sched).
	Schedule *Schedule
	// Programs are the stages' runtime programs (the "program" pass), in
	// stage order: what package runtime/exec executes.
	Programs []*StageProgram
}

// Device returns the plan's device.
func (u *Unit) Device() *Device { return u.Plan.Cluster.Node.Device }

// MemoryReport is the per-rank memory of a plan. Ranks of one pp rank hold
// the same amounts (dp, tp, cp and ep ranks are symmetric), so the report
// has one row per pp rank.
type MemoryReport struct {
	Ranks    []RankMemory // one per pp rank
	Worst    int          // index into Ranks of the highest peak
	Capacity float64      // device memory, bytes
}

// WorstRank returns the row with the highest peak.
func (m *MemoryReport) WorstRank() RankMemory { return m.Ranks[m.Worst] }

// MeanPeak is the pipeline ranks' mean peak memory (0 without rows).
func (m *MemoryReport) MeanPeak() float64 {
	sum := 0.0
	for _, r := range m.Ranks {
		sum += r.Peak
	}
	return sum / float64(max(len(m.Ranks), 1))
}

// RankMemory is the memory of one rank, in bytes.
type RankMemory struct {
	PPRank      int
	ParamCount  float64 // parameters held (local shard before ZeRO-3)
	Params      float64 // training-precision weights resident
	Grads       float64
	Optimizer   float64 // fp32 master weights and Adam moments
	Activations float64 // saved activations of the in-flight micro-batches
	InFlight    float64 // micro-batches whose activations are held at once
	MoEBuffers  float64 // dispatch buffers of one MoE layer (padded or routed)
	CommBuffers float64 // collective staging buffers
	Transient   float64 // working memory of the largest op (its output and workspace)
	Peak        float64
}

// CostReport is the predicted time, throughput and energy of one step.
type CostReport struct {
	StepTime    float64 // seconds
	Compute     float64 // busy compute on the critical path
	ExposedComm float64 // communication not hidden behind compute
	Bubble      float64 // pipeline idle time
	Optimizer   float64 // optimizer step (and ZeRO parameter gathers after it, and the device's step_overhead)
	// Shared is the time the node's devices wait for a processor: on a
	// node whose devices share Cores processors (the CPU runtime's
	// goroutine ranks), the step lasts at least the node's busy time over
	// its cores; Shared is what that adds to the other parts.
	Shared float64
	// CoRun is how much longer each kernel family runs because the node's
	// ranks share its cores (products, memory-bound kernels, attention:
	// the node's corun_* where ranks compute at once, times 1 + sync_skew
	// where they meet holding a core each); all 0 where nothing is shared.
	// Compute and Optimizer include it.
	CoRun [3]float64

	TokensPerStep           float64
	TokensPerSec            float64
	ModelFLOPs              float64 // per step, whole job, no recompute
	HardwareFLOPs           float64 // per step, whole job, as executed
	MFU, HFU                float64
	ModelTFLOPsPerDevice    float64
	HardwareTFLOPsPerDevice float64
	BubbleFraction          float64 // bubble / step time

	// CommBytes is the bytes each kind moves per step, summed over all
	// ranks (the n of each call, times its calls).
	CommBytes map[CollKind]float64
	Comm      []CommSummary
	Stages    []StageTime
	TopOps    []OpTime

	EnergyPerStep  float64 // joules, whole job
	EnergyPerToken float64
	AvgPower       float64 // watts per device
}

// CommSummary aggregates the collectives of one kind over one axis.
type CommSummary struct {
	Kind      CollKind
	Axis      Axis
	GroupSize int
	Calls     float64 // per step per rank (the worst pp rank)
	Bytes     float64 // per step per rank
	Time      float64 // seconds per step per rank
	Exposed   float64 // seconds of it on the critical path
}

// StageTime is the time of one virtual stage per micro-batch.
type StageTime struct {
	Stage     int
	PPRank    int
	Fwd       float64 // forward compute and critical forward comm
	BwdInput  float64 // backward "B"
	BwdWeight float64 // backward "W"
	Recompute float64 // forward work repeated in backward
	Comm      float64 // critical communication inside Fwd, Bwd
	P2P       float64 // pipeline send/recv per micro-batch
}

// Total returns the stage's time per micro-batch.
func (s StageTime) Total() float64 { return s.Fwd + s.BwdInput + s.BwdWeight + s.Recompute + s.P2P }

// OpTime is the time per step of one kind of op (all its instances on
// the slowest pipeline rank, forward, backward and recompute).
type OpTime struct {
	Op    string // the op kind
	Stage int    // the first stage where it was found
	Time  float64
	FLOPs float64
}

// String names the unit's plan and mesh.
func (u *Unit) String() string {
	return fmt.Sprintf("unit %s: %s", u.Plan.Name, u.Mesh)
}
