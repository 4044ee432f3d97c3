package ir

import "math"

// This file holds the resolved, typed program that the checker (package lang)
// produces and every later phase consumes. All quantities are in SI base
// units: bytes, seconds, FLOP/s, bytes per second, watts.

// Program is a checked set of declarations. Plans are in source order.
type Program struct {
	Devices  map[string]*Device
	Nodes    map[string]*Node
	Clusters map[string]*Cluster
	Models   map[string]*Model
	Plans    []*Plan
	// Sources holds the text of every file that was read, so that any phase
	// can render its diagnostics with a snippet.
	Sources Sources
}

// NewProgram returns an empty program.
func NewProgram() *Program {
	return &Program{
		Devices:  map[string]*Device{},
		Nodes:    map[string]*Node{},
		Clusters: map[string]*Cluster{},
		Models:   map[string]*Model{},
		Sources:  Sources{},
	}
}

// Plan returns the plan called name, or nil.
func (p *Program) Plan(name string) *Plan {
	for _, pl := range p.Plans {
		if pl.Name == name {
			return pl
		}
	}
	return nil
}

// Device is one accelerator (an MI250X counts one GCD as one device).
type Device struct {
	Name string
	Span Span

	PeakBF16     float64 // dense matrix FLOP/s in bf16
	PeakFP16     float64 // dense matrix FLOP/s in fp16
	PeakFP8      float64 // dense matrix FLOP/s in fp8 (0: none)
	PeakFP32     float64 // non-matrix FLOP/s in fp32
	Memory       float64 // bytes of device memory
	HBMBandwidth float64 // bytes/s
	IdlePower    float64 // watts when idle
	BusyPower    float64 // watts at full utilization

	// Achievable-efficiency parameters of the cost model. They are
	// physically meaningful and fitted only to the calibration set
	// (docs/cost-model.md).
	MatmulEfficiency float64 // fraction of peak reached by large GEMMs
	KernelOverhead   float64 // seconds of fixed cost per kernel (launch, tail)
	MemoryEfficiency float64 // fraction of HBM bandwidth reached by memory-bound kernels
	// AttentionEfficiency is the fraction of peak the attention core's
	// products (q·kᵀ, p·v) reach (0: MatmulEfficiency): their kernels
	// are not the linear layers' GEMMs (short head dims, a softmax between).
	AttentionEfficiency float64
	// AttentionScoreCost is the seconds a fused attention kernel spends per
	// score (query·key pair) and pass over the scores beyond its products:
	// the online softmax's exp, max and sums (forward one pass, backward
	// two: the recomputed scores and their gradient). 0: none.
	AttentionScoreCost float64
	// ComputeUnits and GEMMTile quantize a GEMM into waves: its output is
	// cut into GEMMTile×GEMMTile tiles (per batch entry), ComputeUnits of
	// them run at once, and the last wave's idle units are lost time
	// (0 units: no quantization).
	ComputeUnits, GEMMTile int
	// Rates of memory-bound kernel families that do not reach the
	// bandwidth the others do (bytes read + written per second; 0:
	// HBMBandwidth·MemoryEfficiency): norms, softmax and the loss's
	// cross-entropy, activations (gelu, silu, gated units), the optimizer
	// update. On a CPU they are bound by their arithmetic (exp, tanh, sqrt
	// per element), not by memory.
	NormBW, SoftmaxBW, ActivationBW, OptimizerBW float64
	// LossBW is the rate of the loss's softmax cross-entropy (0:
	// SoftmaxBW): a kernel of its own (the CPU runtime's computes the
	// row maxima, the sums of exponentials and the logits' gradient in
	// one go), not the softmax op's.
	LossBW float64
	// GEMMCallCost and GEMMElementCost price what a product costs beyond
	// its FLOPs (0: nothing): a fixed time per product call (a matmul op
	// of Batch entries — experts, phantom parts — runs Batch of them)
	// and a time per element of its three operands (packing them and
	// moving them through memory: a thin product, one dimension of 8 or
	// 16, is bound by this, not by its few FLOPs). Attention's products
	// have their own fit (AttentionScoreCost).
	GEMMCallCost, GEMMElementCost float64
	// MicroTileM × MicroTileN is the output tile one call of a core's GEMM
	// micro-kernel computes (the CPU runtime's: 8×32); a product's
	// FLOPs count its output rounded up to whole tiles, as the kernel
	// runs them (0: no quantization).
	MicroTileM, MicroTileN int
	// AttentionRowCost is a fused attention kernel's time per query row
	// and pass beyond its products and scores (the row's maximum, sum and
	// log-sum-exp; backward two passes); 0: none.
	AttentionRowCost float64
	// LayoutBW is the rate of the head layout copies around attention
	// (bytes read + written per second, fp32): the CPU runtime's qkv
	// splits its output into heads and joins their gradients, its
	// attention merges the heads of its output and splits their gradient.
	// 0: not charged.
	LayoutBW float64
	// FusedAttention: the engines run on this device use FlashAttention-
	// style attention by default, so a plan that does not write
	// `attention` gets fused (lang resolves it; docs/language.md).
	FusedAttention bool
	// InputElementCost is the time to make one element of a synthetic
	// input where the training step makes its own data (the CPU runtime
	// draws an mlp model's inputs, normal samples, and its teacher's
	// targets inside the step); 0: the data arrives free, as from a data
	// loader that runs ahead.
	InputElementCost float64
	// ParallelFLOPs: a product of at least this many FLOPs runs on every
	// core of its node that no other device of the node keeps busy (the
	// CPU runtime's kernels split large products over goroutines; with
	// node cores for fewer ranks than cores, a rank's big products get
	// cores/ranks of them). 0: never.
	ParallelFLOPs float64
	// StepKernelFactor is how many times its microbenchmark's time a
	// kernel takes inside a training step, on a rank whose peak memory
	// exceeds PrivateCache: between two uses of an operand the step's
	// other ops (and other processes) push it further out than a
	// microbenchmark that evicts only the private caches sees (planc
	// calibrate measures it on a probe model's steps: the CPU runtime's).
	// It multiplies the ops' compute and the optimizer, not
	// communication. 0: 1.
	StepKernelFactor float64
	// StepKernelBytes is the memory of the node's ranks together at which
	// StepKernelFactor was measured (the step probe's peak), and
	// NodeKernelFactor the factor measured at NodeKernelBytes, a larger
	// node footprint (the same probe as several data-parallel replicas on
	// one processor): the more memory a node's ranks touch in a step, the
	// further out of the shared caches each kernel finds its operands.
	// Between the two the factor goes with the logarithm of the node's
	// bytes; beyond them it stays at the nearer one (see KernelFactor).
	// 0: StepKernelFactor at every footprint.
	StepKernelBytes, NodeKernelFactor, NodeKernelBytes float64
	// StepOverhead is each rank's fixed cost per training step beyond its
	// ops' kernel_overhead: the executor's step loop (the rank's
	// goroutine, gradients cleared, the gradient norm, the optimizer's
	// call per parameter run, the step's bookkeeping). planc calibrate
	// measures it with the executor probe at two sizes (the CPU
	// runtime's); 0: none.
	StepOverhead float64
	// HotGEMMRate, HotGEMMCallCost and HotGEMMElementCost are the GEMM
	// fit on hot operands (the same shapes timed over and over): how a
	// rank whose peak memory fits PrivateCache runs its products, its
	// operands still in the core's caches from the op before (planc
	// calibrate; see HotFor). 0: the cold fit everywhere.
	HotGEMMRate, HotGEMMCallCost, HotGEMMElementCost float64
	// PrivateCache is one core's private cache in bytes (its L2): a rank
	// whose peak memory fits in it finds its operands where it left them
	// and StepKernelFactor does not apply. 0: it applies to every rank.
	PrivateCache float64
	// Source says where the efficiency parameters come from (the
	// measurements they were fitted to); empty on a device left at
	// planc's defaults.
	Source string
}

// Fitted reports whether any of d's efficiency parameters differs from
// planc's defaults, i.e. whether they were fitted to measurements of this
// device. Times, MFU and energy on an unfitted device are indicative only.
func (d *Device) Fitted() bool {
	// Unit conversion ("5 us" → 5·1e-6) may round differently from the
	// constant: compare to a relative 1e-9.
	differs := func(x, def float64) bool { return math.Abs(x-def) > 1e-9*math.Abs(def) }
	// attention_efficiency and the kernel families' rates are measured
	// too; compute_units and gemm_tile are datasheet facts
	return differs(d.MatmulEfficiency, DefaultMatmulEfficiency) || differs(d.KernelOverhead, DefaultKernelOverhead) ||
		differs(d.MemoryEfficiency, DefaultMemoryEfficiency) || d.AttentionEfficiency != 0 || d.AttentionScoreCost != 0 ||
		d.NormBW != 0 || d.SoftmaxBW != 0 || d.ActivationBW != 0 || d.OptimizerBW != 0 || d.InputElementCost != 0 ||
		d.LossBW != 0 || d.GEMMCallCost != 0 || d.GEMMElementCost != 0 || d.AttentionRowCost != 0 || d.LayoutBW != 0 ||
		d.StepKernelFactor != 0 || d.NodeKernelFactor != 0 || d.StepOverhead != 0 || d.HotGEMMRate != 0
}

// HotFor returns the device a rank whose peak memory is peak bytes runs
// on in a precision: where the device has a hot GEMM fit and the rank
// fits in its private cache, a copy whose products take the hot fit's
// rate, call and element costs (and which has no hot fit of its own);
// else d itself.
func (d *Device) HotFor(peak float64, precision Precision) *Device {
	if d.HotGEMMRate <= 0 || d.PrivateCache <= 0 || peak > d.PrivateCache || d.Peak(precision) <= 0 {
		return d
	}
	h := *d
	// (above 1 where the hot rate beats peak_*, the fastest cold product)
	h.MatmulEfficiency = d.HotGEMMRate / d.Peak(precision)
	h.GEMMCallCost, h.GEMMElementCost = d.HotGEMMCallCost, d.HotGEMMElementCost
	h.HotGEMMRate, h.HotGEMMCallCost, h.HotGEMMElementCost = 0, 0, 0
	return &h
}

// KernelFactor is StepKernelFactor for a rank whose peak memory is peak
// bytes on a node whose ranks hold node bytes together: 1 where the
// device has none or the rank fits in its private cache; with a
// NodeKernelFactor, the factor at node bytes on the line through
// (ln StepKernelBytes, StepKernelFactor) and (ln NodeKernelBytes,
// NodeKernelFactor), held at the nearer end outside them.
func (d *Device) KernelFactor(peak, node float64) float64 {
	if d.StepKernelFactor <= 0 || peak <= d.PrivateCache {
		return 1
	}
	f := d.StepKernelFactor
	lo, hi := d.StepKernelBytes, d.NodeKernelBytes
	if d.NodeKernelFactor <= 0 || lo <= 0 || hi <= lo || node <= lo {
		return f
	}
	t := min(1, math.Log(node/lo)/math.Log(hi/lo))
	return f + t*(d.NodeKernelFactor-f)
}

// Peak returns the device's peak FLOP/s in a precision.
func (d *Device) Peak(precision Precision) float64 {
	switch precision {
	case FP16:
		return d.PeakFP16
	case FP32:
		return d.PeakFP32
	case FP8:
		return d.PeakFP8
	default:
		return d.PeakBF16
	}
}

// Node is a group of devices joined by a fast intra-node link.
type Node struct {
	Name         string
	Span         Span
	Device       *Device
	Devices      int     // devices per node
	IntraBW      float64 // bytes/s per device per direction on the intra-node link
	IntraLatency float64 // seconds
	// IntraRS and IntraAG price the intra-node reduce-scatter's and
	// all-gather's ring steps where they have their own measurements
	// (planc calibrate's in-process transport: a meeting's fixed cost is
	// not the all-reduce's); 0: IntraLatency and IntraBW.
	IntraRSLatency, IntraRSBW, IntraAGLatency, IntraAGBW float64
	// Cores is how many processors the node's devices share (0: each
	// device is its own processor): the CPU runtime's ranks are
	// goroutines time-sharing the host's cores.
	Cores float64
	// CoreShare is the fraction of the Cores the job gets while other work
	// (other processes) runs on the node: its devices share
	// Cores·CoreShare processors. 0 counts as 1: the node is the job's own.
	CoreShare float64
	// ThreadShare is the speed one busy thread of the job gets beside the
	// other work, as a fraction of an unloaded core's (with Cores): a
	// rank's own chain of work runs no faster, however many cores are
	// idle for it. 0 counts as 1.
	ThreadShare float64
	// SyncWait is what a collective waits to wake a peer whose thread
	// parked while it computed: on a node with Cores and no more devices
	// than cores, a rank that reaches a collective first has nothing else
	// to run and its thread sleeps. With more devices than cores another
	// rank runs instead, and nothing waits. Seconds per collective.
	SyncWait float64
	// SyncSkew is what ranks that compute at once wait for each other at
	// their meetings beyond SyncWait, as a fraction of the compute between
	// meetings (on a node with Cores and no more devices than cores: two
	// threads given the same work do not finish it at the same time).
	SyncSkew float64
	// ParkCost is the processor time a rank's meeting (a collective call,
	// a pipeline send or receive) costs where the node has more devices
	// than Cores: the transport parks the rank's goroutine at once and the
	// scheduler runs another, then wakes it. Seconds per rank and call.
	ParkCost float64
	// DrainWait is the wall time a meeting of every rank of a node costs
	// where the node has more devices than Cores, beyond its processor
	// time: the cores drain as the last ranks arrive (the others wait and
	// none is runnable), and a core left idle is woken when the meeting
	// completes. Seconds per such meeting.
	DrainWait float64
	// CoRunMatmul, CoRunMemory and CoRunAttention are the speed of a
	// device's products, memory-bound kernels and fused attention while
	// another device of the node runs the same kind of kernel on its other
	// core, over their speed alone (with Cores: the CPU runtime's ranks on
	// SMT siblings share a core's FMA units; caches and the memory bus are
	// shared too). 0 counts as 1.
	CoRunMatmul, CoRunMemory, CoRunAttention float64
}

// Cluster is a set of identical nodes joined by an inter-node network.
type Cluster struct {
	Name         string
	Span         Span
	Node         *Node
	Nodes        int     // node count
	PerNode      int     // devices per node actually used (defaults to Node.Devices)
	InterBW      float64 // bytes/s per node per direction (all its NICs together)
	InterLatency float64 // seconds
	// GroupNodes and GlobalBW describe a tapered network (a dragonfly's
	// groups, a fat tree's pods): GroupNodes nodes share full bandwidth
	// among themselves, and traffic leaving the group gets GlobalBW bytes/s
	// per node of it (the group's global links over its nodes). 0: one
	// flat, untapered network.
	GroupNodes int
	GlobalBW   float64
}

// Devices returns the total number of devices.
func (c *Cluster) Devices() int { return c.Nodes * c.PerNode }

// ModelKind tells a transformer from a deep feed-forward network.
type ModelKind string

const (
	Transformer ModelKind = "transformer"
	MLPModel    ModelKind = "mlp"
)

// FFNKind is the kind of a model's feed-forward layers.
type FFNKind struct {
	Kind  string // "dense" or "phantom"
	K     int    // ghost neurons per part (phantom)
	Parts int    // parts p (phantom); the plan's tp must equal it
}

// IsPhantom reports whether the FFN is a phantom layer.
func (f FFNKind) IsPhantom() bool { return f.Kind == "phantom" }

// Model is a resolved model declaration.
type Model struct {
	Name string
	Span Span
	Kind ModelKind

	// Transformer fields.
	Vocab         int
	Seq           int
	Hidden        int
	Layers        int
	Heads         int
	FFN           int // dense FFN width
	TieEmbeddings bool

	// The architecture's vocabulary (issue "the models people train
	// today"); the zero values are the GPT-2 layout planc started from.
	Norm    NormKind // layernorm | rmsnorm
	NormEps float64  // the norms' epsilon (0 in a model built in Go: 1e-5)
	// Dropout is the rate of the embedding, attention-probability and
	// residual dropout (Megatron's hidden and attention dropout); planc's
	// runtime trains at 0 and refuses another rate. The cost model keeps
	// the dropout masks whatever the rate (docs/cost-model.md).
	Dropout   float64
	MLP       MLPKind      // gelu | swiglu | geglu
	KVHeads   int          // key/value heads (GQA, MQA); 0 or Heads: multi-head
	HeadDim   int          // width of one head; 0: Hidden/Heads
	Position  PositionKind // learned | rope
	RopeTheta float64      // RoPE base
	NoBias    bool         // no biases on the attention and FFN projections (Llama); zero: GPT's biases
	MLA       *MLA         // multi-head latent attention (DeepSeek-V2/V3); nil: standard attention

	// MLP fields: Depth layers of Width neurons.
	Width int
	Depth int

	FFNKind FFNKind
	MoE     *MoE // nil for a dense model

	// FieldSpans records where each field was set, keyed by its name as
	// written in source ("layers", "moe.experts").
	FieldSpans map[string]Span
}

// IsMoELayer reports whether transformer layer i (0-based) has an MoE FFN.
func (m *Model) IsMoELayer(i int) bool {
	if m.MoE == nil || i < m.MoE.FirstDense {
		return false
	}
	every := m.MoE.Every
	if every < 1 {
		every = 1
	}
	return (i-m.MoE.FirstDense)%every == 0
}

// MoE is a DeepSeek-style mixture-of-experts block: fine-grained routed
// experts plus shared experts, optionally after some dense layers.
type MoE struct {
	Experts       int         // routed experts
	Shared        int         // shared experts applied to every token
	TopK          int         // routed experts per token
	ExpertFFN     int         // width of each expert's FFN
	Every         int         // every n-th layer (after FirstDense) is MoE
	FirstDense    int         // leading dense layers
	Router        RouterScore // softmax | sigmoid
	Groups        int         // expert groups for group-limited routing (0: none)
	TopKGroups    int         // groups a token may route to (DeepSeek's topk_group)
	BiasBalance   bool        // auxiliary-loss-free balancing: a per-expert bias steers selection
	BiasRate      float64     // the bias update speed γ
	AuxLoss       float64     // auxiliary load-balancing loss coefficient
	NormalizeTopK bool        // renormalize the chosen top-k probabilities
}

// MLA is DeepSeek's multi-head latent attention: queries through a
// low-rank bottleneck (QLoraRank; 0: a full projection), keys and values
// from one compressed latent of width KVLoraRank plus a shared rotary key
// of width QKRopeHeadDim; per head a query/key of QKNopeHeadDim +
// QKRopeHeadDim and a value of VHeadDim.
type MLA struct {
	QLoraRank, KVLoraRank        int
	QKNopeHeadDim, QKRopeHeadDim int
	VHeadDim                     int
}

// Plan is one resolved parallel training plan.
type Plan struct {
	Name    string
	Span    Span
	Model   *Model
	Cluster *Cluster

	DP, TP, PP, EP, CP int
	VPP                int
	SP                 bool
	CPMode             CPMode
	Zero               int // 0..3
	Schedule           ScheduleKind
	GlobalBatch        int
	MicroBatch         int
	Recompute          RecomputeMode
	Attention          AttentionKind // unfused | fused ("" in a plan built in Go: unfused)
	Precision          Precision

	MoE     MoEPlan
	Overlap OverlapPlan
	Train   Train

	// Auto lists the fields written as `auto` that the planner must still
	// fill (their value above is zero until it does), by field name.
	Auto map[string]bool
	// FieldSpans records where each field was set, keyed by name ("tp",
	// "moe.rbd", "train.lr"); Span is used for fields never written.
	FieldSpans map[string]Span
}

// FieldSpan returns where field was set, or the plan's own span.
func (p *Plan) FieldSpan(field string) Span {
	if s, ok := p.FieldSpans[field]; ok {
		return s
	}
	return p.Span
}

// ScattersPipelineTensors reports whether the pipeline messages between
// stages on different ranks are sent in 1/tp chunks, each tp rank its
// own, and all-gathered over tp by the receiving stage (Megatron-LM's
// scatter/gather optimization, Narayanan et al. 2021 §4.1): a
// transformer's boundary activation, and its gradient, are replicated
// over tp unless sequence parallelism already splits them by sequence.
func (p *Plan) ScattersPipelineTensors() bool {
	return p.Model != nil && p.Model.Kind != MLPModel && p.PP > 1 && p.TP > 1 && !p.SP
}

// WorldSize returns the number of ranks: dp·tp·pp·cp. Expert parallelism is
// carved out of the data-parallel (and, with ssmb, tensor-parallel) ranks, as
// in Megatron-Core and DeepSpeed-MoE, so it does not multiply the world.
func (p *Plan) WorldSize() int { return p.DP * p.TP * p.PP * p.CP }

// MicroBatches returns the micro-batches per pipeline per step.
func (p *Plan) MicroBatches() int {
	if p.DP == 0 || p.MicroBatch == 0 {
		return 0
	}
	return p.GlobalBatch / (p.DP * p.MicroBatch)
}

// MoEPlan is how a plan runs the MoE layers of its model.
type MoEPlan struct {
	Dispatch       DispatchMode
	CapacityFactor float64 // tokens kept per expert = ceil(k·T·cf/E) under capacity
	RBD            bool    // redundancy-bypassing dispatch
	SSMB           bool    // sequence-sharded MoE blocks
}

// OverlapPlan says which communication the training engine overlaps with
// compute, as the engines' switches do (Megatron-LM's
// --overlap-grad-reduce, --overlap-param-gather, --tp-comm-overlap;
// DeepSpeed's overlap_comm). The schema ([PlanOverlapFields]) states each
// engine's default. Its zero value is planc's default: the gradient
// reduction overlapped (what planc's calibration and its exports assume),
// nothing else; so a plan built in code without the block means the same
// as a plan file without it.
type OverlapPlan struct {
	SerialGradReduce Negated // grad_reduce = false: the buckets are reduced after the whole backward
	ParamGather      bool    // ZeRO-1/2's gather of the updated parameters hidden behind the next forward
	TPComm           bool    // tensor-parallel collectives hidden behind the layer's GEMMs
	MoEDispatch      bool    // expert-parallel all-to-alls hidden behind the layer's compute
}

// GradReduce reports whether the gradient buckets are reduced during the
// backward (the language's overlap.grad_reduce).
func (o OverlapPlan) GradReduce() bool { return !bool(o.SerialGradReduce) }

// Negated is a boolean field stored as the negation of its value in the
// language, so that a field whose default is true has the zero value as
// its default: `grad_reduce = true` stores false.
type Negated bool

// Train holds the settings of a real training run.
type Train struct {
	Steps           int
	LR              float64 // peak learning rate
	MinLR           float64 // floor of the cosine decay
	Warmup          int     // warm-up steps
	Seed            int
	Clip            float64 // global gradient-norm clip (0: off)
	WeightDecay     float64
	CheckpointEvery int // steps between checkpoints (0: only at the end)
}

// KV returns the key/value heads (Heads for multi-head attention).
func (m *Model) KV() int {
	if m.KVHeads > 0 {
		return m.KVHeads
	}
	return m.Heads
}

// HeadWidth returns the width of one attention head of standard attention.
func (m *Model) HeadWidth() int {
	if m.HeadDim > 0 {
		return m.HeadDim
	}
	if m.Heads == 0 {
		return 0
	}
	return m.Hidden / m.Heads
}

// QKWidth and VWidth are one head's query/key and value widths (MLA's
// differ from each other).
func (m *Model) QKWidth() int {
	if m.MLA != nil {
		return m.MLA.QKNopeHeadDim + m.MLA.QKRopeHeadDim
	}
	return m.HeadWidth()
}

func (m *Model) VWidth() int {
	if m.MLA != nil {
		return m.MLA.VHeadDim
	}
	return m.HeadWidth()
}
