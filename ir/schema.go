package ir

// This file is the single source of truth for the vocabulary of the plan
// language: every field of every declaration, its type, its dimension, its
// default and where it lands in the resolved structs. The checker, the
// formatter's field order, `--set` overrides, "did you mean" suggestions and
// the generated language reference all read these tables.

// Dim is the physical dimension of a quantity.
type Dim int

const (
	Dimensionless Dim = iota
	Bytes             // B, KiB, MiB, GiB, TiB, kB, MB, GB, TB
	Seconds           // s, ms, us, ns
	FLOPRate          // FLOP/s, GFLOP/s, TFLOP/s, PFLOP/s
	ByteRate          // B/s, MB/s, GB/s, TB/s, GiB/s, Gb/s (bits)
	Watts             // W, kW
)

func (d Dim) String() string {
	return [...]string{"a plain number", "a size in bytes", "a time", "a FLOP rate", "a bandwidth", "a power"}[d]
}

// ValueKind is the type of a field's value.
type ValueKind int

const (
	IntValue      ValueKind = iota // integer literal
	FloatValue                     // plain number
	QuantityValue                  // number with a unit of dimension Dim
	BoolValue                      // true | false
	EnumValue                      // one of Enum (identifiers, or strings such as "1f1b")
	RefValue                       // name of a declaration of kind Ref, optionally called with overrides
	FFNKindValue                   // dense | phantom(k: K, parts: P)
	BlockValue                     // nested block { ... } of the fields in Block
	TextValue                      // free text, a quoted string
)

// Field describes one field of a declaration of Go type T.
type Field[T any] struct {
	Name    string
	Kind    ValueKind
	Dim     Dim      // for QuantityValue
	Enum    []string // for EnumValue
	Ref     string   // for RefValue: "device", "node", "cluster", "model"
	Min     float64  // smallest legal value for numbers (checked when MinSet)
	MinSet  bool
	Max     float64 // largest legal value for numbers (checked when MaxSet; every number has one)
	MaxSet  bool
	MaxWhy  string // why Max bounds it: the checker's message gives the reason
	Auto    bool   // the field may be written `auto`
	Default string // default in source syntax; "" means required (or block)
	Doc     string
	// Ptr returns a pointer to the field inside a T: *int, *float64, *bool,
	// *string, *FFNKind, or for RefValue a **Device/**Node/**Cluster/**Model.
	// Nil for BlockValue fields.
	Ptr func(*T) any
}

func atLeast[T any](f Field[T], min float64) Field[T] { f.Min, f.MinSet = min, true; return f }

// within bounds f to [min, max]; why says what the upper bound protects.
func within[T any](f Field[T], min, max float64, why string) Field[T] {
	f.Min, f.MinSet, f.Max, f.MaxSet, f.MaxWhy = min, true, max, true, why
	return f
}

// The defaults of a device's achievable-efficiency parameters: planc's
// starting point for a device that has no calibration set of its own
// (planc fits only the A100: docs/cost-model.md). The Default strings of DeviceFields
// spell the same values; a test in package lang keeps them equal.
const (
	DefaultMatmulEfficiency = 0.75
	DefaultKernelOverhead   = 5e-6 // seconds
	DefaultMemoryEfficiency = 0.8
)

// DeviceFields are the fields of `device NAME { ... }`.
var DeviceFields = []Field[Device]{
	within(Field[Device]{Name: "peak_bf16", Kind: QuantityValue, Dim: FLOPRate, Doc: "dense matrix peak in bf16", Ptr: func(d *Device) any { return &d.PeakBF16 }}, 1, 1e18, whyRate),
	within(Field[Device]{Name: "peak_fp16", Kind: QuantityValue, Dim: FLOPRate, Default: "0 FLOP/s", Doc: "dense matrix peak in fp16 (defaults to peak_bf16)", Ptr: func(d *Device) any { return &d.PeakFP16 }}, 0, 1e18, whyRate),
	within(Field[Device]{Name: "peak_fp8", Kind: QuantityValue, Dim: FLOPRate, Default: "0 FLOP/s", Doc: "dense matrix peak in fp8 (0: the device has none)", Ptr: func(d *Device) any { return &d.PeakFP8 }}, 0, 1e18, whyRate),
	within(Field[Device]{Name: "peak_fp32", Kind: QuantityValue, Dim: FLOPRate, Doc: "non-matrix fp32 peak", Ptr: func(d *Device) any { return &d.PeakFP32 }}, 1, 1e18, whyRate),
	within(Field[Device]{Name: "memory", Kind: QuantityValue, Dim: Bytes, Doc: "device memory", Ptr: func(d *Device) any { return &d.Memory }}, 1, 1<<50, whySize),
	within(Field[Device]{Name: "hbm_bw", Kind: QuantityValue, Dim: ByteRate, Doc: "memory bandwidth", Ptr: func(d *Device) any { return &d.HBMBandwidth }}, 1, 1e16, whyRate),
	within(Field[Device]{Name: "idle_power", Kind: QuantityValue, Dim: Watts, Doc: "power when idle", Ptr: func(d *Device) any { return &d.IdlePower }}, 0, 1e6, whyPower),
	within(Field[Device]{Name: "busy_power", Kind: QuantityValue, Dim: Watts, Doc: "power at full utilization", Ptr: func(d *Device) any { return &d.BusyPower }}, 0, 1e6, whyPower),
	within(Field[Device]{Name: "matmul_efficiency", Kind: FloatValue, Default: "0.75", Doc: "fraction of peak reached by large GEMMs (fitted)", Ptr: func(d *Device) any { return &d.MatmulEfficiency }}, 0, 1, "a fraction of the peak"),
	within(Field[Device]{Name: "kernel_overhead", Kind: QuantityValue, Dim: Seconds, Default: "5 us", Doc: "fixed cost per kernel: launch and tail (fitted)", Ptr: func(d *Device) any { return &d.KernelOverhead }}, 0, 1, whyTime),
	within(Field[Device]{Name: "memory_efficiency", Kind: FloatValue, Default: "0.8", Doc: "fraction of hbm_bw reached by memory-bound kernels (fitted)", Ptr: func(d *Device) any { return &d.MemoryEfficiency }}, 0, 1, "a fraction of the bandwidth"),
	within(Field[Device]{Name: "attention_efficiency", Kind: FloatValue, Default: "0", Doc: "fraction of peak reached by the attention core's products q·kᵀ and p·v (0: matmul_efficiency)", Ptr: func(d *Device) any { return &d.AttentionEfficiency }}, 0, 1, "a fraction of the peak"),
	within(Field[Device]{Name: "attention_score_cost", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "time per score (query·key pair) and pass of a fused attention kernel beyond its products: the online softmax (forward one pass, backward two)", Ptr: func(d *Device) any { return &d.AttentionScoreCost }}, 0, 1, whyTime),
	within(Field[Device]{Name: "gemm_call_cost", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "fixed time of each product a matmul op runs (one per expert, per phantom part, per batch entry; 0: none beyond kernel_overhead)", Ptr: func(d *Device) any { return &d.GEMMCallCost }}, 0, 1, whyTime),
	within(Field[Device]{Name: "gemm_element_cost", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "time per element of a product's three operands (A, B and C: packing and memory traffic, what thin products are bound by; 0: none)", Ptr: func(d *Device) any { return &d.GEMMElementCost }}, 0, 1, whyTime),
	within(Field[Device]{Name: "micro_tile_m", Kind: IntValue, Default: "0", Doc: "rows of a product's output one micro-kernel call computes: a ragged edge costs a whole tile (0: no quantization)", Ptr: func(d *Device) any { return &d.MicroTileM }}, 0, 1<<12, "a tile edge in elements"),
	within(Field[Device]{Name: "micro_tile_n", Kind: IntValue, Default: "0", Doc: "columns of a product's output one micro-kernel call computes (with micro_tile_m)", Ptr: func(d *Device) any { return &d.MicroTileN }}, 0, 1<<12, "a tile edge in elements"),
	within(Field[Device]{Name: "attention_row_cost", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "time per query row and pass of a fused attention kernel beyond its products and scores: the row's maximum, sum and log-sum-exp (forward one pass, backward two)", Ptr: func(d *Device) any { return &d.AttentionRowCost }}, 0, 1, whyTime),
	within(Field[Device]{Name: "layout_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "bytes read + written per second by the head layout copies a kernel makes around attention (q, k, v split into heads and their gradients joined; the output's heads merged and its gradient split; under cp also the context-parallel layout copies), charged to qkv and to fused attention as fp32 (0: not charged)", Ptr: func(d *Device) any { return &d.LayoutBW }}, 0, 1e16, whyRate),
	within(Field[Device]{Name: "norm_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "bytes read + written per second by layer and RMS norms (0: hbm_bw·memory_efficiency)", Ptr: func(d *Device) any { return &d.NormBW }}, 0, 1e16, whyRate),
	within(Field[Device]{Name: "softmax_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "bytes read + written per second by softmax, and by the loss's cross-entropy where loss_bw is 0 (0: hbm_bw·memory_efficiency)", Ptr: func(d *Device) any { return &d.SoftmaxBW }}, 0, 1e16, whyRate),
	within(Field[Device]{Name: "loss_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "bytes read + written per second by the loss's softmax cross-entropy, forward and gradient (0: softmax_bw)", Ptr: func(d *Device) any { return &d.LossBW }}, 0, 1e16, whyRate),
	within(Field[Device]{Name: "activation_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "bytes read + written per second by activations: gelu, silu, gated units (0: hbm_bw·memory_efficiency)", Ptr: func(d *Device) any { return &d.ActivationBW }}, 0, 1e16, whyRate),
	within(Field[Device]{Name: "optimizer_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "bytes read + written per second by the optimizer update (0: hbm_bw·memory_efficiency)", Ptr: func(d *Device) any { return &d.OptimizerBW }}, 0, 1e16, whyRate),
	within(Field[Device]{Name: "input_element_cost", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "time to make one element of a synthetic input inside the step (the CPU runtime's mlp inputs and teacher targets; 0: data arrives free, from a loader that runs ahead)", Ptr: func(d *Device) any { return &d.InputElementCost }}, 0, 1, whyTime),
	within(Field[Device]{Name: "parallel_flops", Kind: FloatValue, Default: "0", Doc: "products of at least this many FLOPs run on the node's cores that no other device keeps busy (the CPU runtime's kernels; 0: never)", Ptr: func(d *Device) any { return &d.ParallelFLOPs }}, 0, 1e30, "a FLOP count"),
	within(Field[Device]{Name: "compute_units", Kind: IntValue, Default: "0", Doc: "units that run GEMM tiles at once (SMs, CUs, cores; 0: no wave quantization)", Ptr: func(d *Device) any { return &d.ComputeUnits }}, 0, 1<<16, "a count of compute units"),
	within(Field[Device]{Name: "gemm_tile", Kind: IntValue, Default: "128", Doc: "edge of the square output tile one compute unit computes (with compute_units)", Ptr: func(d *Device) any { return &d.GEMMTile }}, 1, 1<<12, "a tile edge in elements"),
	within(Field[Device]{Name: "step_kernel_factor", Kind: FloatValue, Default: "0", Doc: "how many times its microbenchmark's time a kernel takes inside a training step, on a rank whose peak memory exceeds private_cache (the step's other data between two uses of an operand; planc calibrate measures it on a probe model's steps); multiplies compute and the optimizer (0: 1)", Ptr: func(d *Device) any { return &d.StepKernelFactor }}, 0, 100, "a ratio of times"),
	within(Field[Device]{Name: "step_kernel_bytes", Kind: QuantityValue, Dim: Bytes, Default: "0 B", Doc: "the memory of a node's ranks together at which step_kernel_factor was measured (the step probe's peak; with node_kernel_factor)", Ptr: func(d *Device) any { return &d.StepKernelBytes }}, 0, 1<<50, whySize),
	within(Field[Device]{Name: "node_kernel_factor", Kind: FloatValue, Default: "0", Doc: "step_kernel_factor measured where a node's ranks hold node_kernel_bytes together (the step probe as data-parallel replicas on one processor: their data push each other out of the shared caches); between step_kernel_bytes and node_kernel_bytes the factor goes with the logarithm of the node's bytes, beyond them it stays at the nearer (0: step_kernel_factor everywhere)", Ptr: func(d *Device) any { return &d.NodeKernelFactor }}, 0, 100, "a ratio of times"),
	within(Field[Device]{Name: "node_kernel_bytes", Kind: QuantityValue, Dim: Bytes, Default: "0 B", Doc: "the memory of a node's ranks together at which node_kernel_factor was measured", Ptr: func(d *Device) any { return &d.NodeKernelBytes }}, 0, 1<<50, whySize),
	within(Field[Device]{Name: "step_overhead", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "each rank's fixed cost per training step beyond kernel_overhead per op: the executor's step loop, gradient clearing and norm, the optimizer's calls (planc calibrate's executor probe at two sizes; 0: none)", Ptr: func(d *Device) any { return &d.StepOverhead }}, 0, 1, whyTime),
	within(Field[Device]{Name: "hot_gemm_rate", Kind: QuantityValue, Dim: FLOPRate, Default: "0 FLOP/s", Doc: "the GEMM fit's rate on hot operands: products of a rank whose peak memory fits private_cache run at it, with hot_gemm_call_cost and hot_gemm_element_cost (planc calibrate; 0: the cold fit everywhere)", Ptr: func(d *Device) any { return &d.HotGEMMRate }}, 0, 1e18, whyRate),
	within(Field[Device]{Name: "hot_gemm_call_cost", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "gemm_call_cost on hot operands (with hot_gemm_rate)", Ptr: func(d *Device) any { return &d.HotGEMMCallCost }}, 0, 1, whyTime),
	within(Field[Device]{Name: "hot_gemm_element_cost", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "gemm_element_cost on hot operands (with hot_gemm_rate)", Ptr: func(d *Device) any { return &d.HotGEMMElementCost }}, 0, 1, whyTime),
	within(Field[Device]{Name: "private_cache", Kind: QuantityValue, Dim: Bytes, Default: "0 B", Doc: "one core's private cache (L2): ranks whose peak memory fits in it run without step_kernel_factor (0: it applies to every rank)", Ptr: func(d *Device) any { return &d.PrivateCache }}, 0, 1<<40, whySize),
	{Name: "fused_attention", Kind: BoolValue, Default: "false", Doc: "the engines on this device run fused (FlashAttention) attention by default: plans that do not write attention get fused", Ptr: func(d *Device) any { return &d.FusedAttention }},
	{Name: "source", Kind: TextValue, Default: `""`, Doc: "where the efficiency parameters come from: the measurements they were fitted to (explain prints it)", Ptr: func(d *Device) any { return &d.Source }},
}

// NodeFields are the fields of `node NAME { ... }`.
var NodeFields = []Field[Node]{
	{Name: "device", Kind: RefValue, Ref: "device", Doc: "the device type", Ptr: func(n *Node) any { return &n.Device }},
	within(Field[Node]{Name: "devices", Kind: IntValue, Doc: "devices per node", Ptr: func(n *Node) any { return &n.Devices }}, 1, 1<<12, whyDevices),
	within(Field[Node]{Name: "intra_bw", Kind: QuantityValue, Dim: ByteRate, Doc: "intra-node link bandwidth per device per direction", Ptr: func(n *Node) any { return &n.IntraBW }}, 1, 1e16, whyRate),
	within(Field[Node]{Name: "intra_latency", Kind: QuantityValue, Dim: Seconds, Default: "2 us", Doc: "intra-node link latency", Ptr: func(n *Node) any { return &n.IntraLatency }}, 0, 1, whyTime),
	within(Field[Node]{Name: "intra_rs_latency", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "an intra-node reduce-scatter's ring step latency, where it is measured apart from the all-reduce's (0: intra_latency)", Ptr: func(n *Node) any { return &n.IntraRSLatency }}, 0, 1, whyTime),
	within(Field[Node]{Name: "intra_rs_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "an intra-node reduce-scatter's ring step bandwidth, where it is measured apart from the all-reduce's (0: intra_bw)", Ptr: func(n *Node) any { return &n.IntraRSBW }}, 0, 1e16, whyRate),
	within(Field[Node]{Name: "intra_ag_latency", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "an intra-node all-gather's ring step latency, where it is measured apart from the all-reduce's (0: intra_latency)", Ptr: func(n *Node) any { return &n.IntraAGLatency }}, 0, 1, whyTime),
	within(Field[Node]{Name: "intra_ag_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "an intra-node all-gather's ring step bandwidth, where it is measured apart from the all-reduce's (0: intra_bw)", Ptr: func(n *Node) any { return &n.IntraAGBW }}, 0, 1e16, whyRate),
	within(Field[Node]{Name: "cores", Kind: FloatValue, Default: "0", Doc: "processors the node's devices share (0: each device is its own); the CPU runtime's ranks time-share the host's cores", Ptr: func(n *Node) any { return &n.Cores }}, 0, 1<<16, "a count of processors"),
	within(Field[Node]{Name: "sync_wait", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "what a collective waits to wake a peer's parked thread, on a node with cores and no more devices than cores (0: none)", Ptr: func(n *Node) any { return &n.SyncWait }}, 0, 1, whyTime),
	within(Field[Node]{Name: "thread_share", Kind: FloatValue, Default: "0", Doc: "speed one busy thread of the job gets beside other processes, as a fraction of an unloaded core's (with cores: a rank's own work runs no faster; 0 counts as 1)", Ptr: func(n *Node) any { return &n.ThreadShare }}, 0, 1, "a fraction of a processor"),
	within(Field[Node]{Name: "core_share", Kind: FloatValue, Default: "0", Doc: "fraction of the cores the job gets while other processes run on the node (with cores: its devices share cores·core_share processors; 0 counts as 1)", Ptr: func(n *Node) any { return &n.CoreShare }}, 0, 1, "a fraction of a processor"),
	within(Field[Node]{Name: "sync_skew", Kind: FloatValue, Default: "0", Doc: "what ranks that compute at once on a node with cores (no more devices than cores) wait for each other at their meetings, as a fraction of the compute between them (0: none)", Ptr: func(n *Node) any { return &n.SyncSkew }}, 0, 10, "a fraction of the compute"),
	within(Field[Node]{Name: "park_cost", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "processor time each rank's meeting (a collective call, a pipeline send or receive) costs on a node with cores and more devices than cores: the rank's goroutine parks and another is woken (0: none)", Ptr: func(n *Node) any { return &n.ParkCost }}, 0, 1, whyTime),
	within(Field[Node]{Name: "drain_wait", Kind: QuantityValue, Dim: Seconds, Default: "0 s", Doc: "wall time a meeting of every device of a node (a collective over all its ranks) costs on a node with cores and more devices than cores, beyond its processor time: the cores drain as the last ranks arrive and an idle one is woken when it completes (0: none)", Ptr: func(n *Node) any { return &n.DrainWait }}, 0, 1, whyTime),
	within(Field[Node]{Name: "corun_matmul", Kind: FloatValue, Default: "0", Doc: "speed of a device's products while another device of the node runs products on its other core, over their speed alone (SMT siblings, shared caches; with cores; 0 counts as 1)", Ptr: func(n *Node) any { return &n.CoRunMatmul }}, 0, 1, "a fraction of the speed alone"),
	within(Field[Node]{Name: "corun_memory", Kind: FloatValue, Default: "0", Doc: "as corun_matmul for memory-bound (element-wise) kernels", Ptr: func(n *Node) any { return &n.CoRunMemory }}, 0, 1, "a fraction of the speed alone"),
	within(Field[Node]{Name: "corun_attention", Kind: FloatValue, Default: "0", Doc: "as corun_matmul for the fused attention kernel", Ptr: func(n *Node) any { return &n.CoRunAttention }}, 0, 1, "a fraction of the speed alone"),
}

// ClusterFields are the fields of `cluster NAME { ... }`. `nodes` and
// `per_node` may be `auto`: on the cpu cluster they follow the plan's
// world size (all devices on one node unless per_node is set).
var ClusterFields = []Field[Cluster]{
	{Name: "node", Kind: RefValue, Ref: "node", Doc: "the node type", Ptr: func(c *Cluster) any { return &c.Node }},
	within(Field[Cluster]{Name: "nodes", Kind: IntValue, Auto: true, Doc: "node count", Ptr: func(c *Cluster) any { return &c.Nodes }}, 1, MaxWorld, whyNodes),
	within(Field[Cluster]{Name: "per_node", Kind: IntValue, Auto: true, Default: "auto", Doc: "devices used per node (auto: the node's devices, or on a cluster with auto nodes the whole world)", Ptr: func(c *Cluster) any { return &c.PerNode }}, 1, MaxWorld, whyDevices),
	within(Field[Cluster]{Name: "inter_bw", Kind: QuantityValue, Dim: ByteRate, Doc: "inter-node bandwidth per node per direction", Ptr: func(c *Cluster) any { return &c.InterBW }}, 1, 1e16, whyRate),
	within(Field[Cluster]{Name: "inter_latency", Kind: QuantityValue, Dim: Seconds, Default: "5 us", Doc: "inter-node latency", Ptr: func(c *Cluster) any { return &c.InterLatency }}, 0, 1, whyTime),
	within(Field[Cluster]{Name: "group_nodes", Kind: IntValue, Default: "0", Doc: "nodes of one group of a tapered network (a dragonfly group, a fat-tree pod) with full bandwidth inside (0: one flat network)", Ptr: func(c *Cluster) any { return &c.GroupNodes }}, 0, MaxWorld, whyNodes),
	within(Field[Cluster]{Name: "global_bw", Kind: QuantityValue, Dim: ByteRate, Default: "0 B/s", Doc: "bandwidth per node, per direction, for traffic leaving its group (the group's global links over its nodes; 0: inter_bw, no taper)", Ptr: func(c *Cluster) any { return &c.GlobalBW }}, 0, 1e16, whyRate),
}

// ModelFields are the fields of `model NAME { ... }`.
var ModelFields = []Field[Model]{
	{Name: "kind", Kind: EnumValue, Enum: []string{"transformer", "mlp"}, Default: "transformer", Doc: "transformer or deep feed-forward network", Ptr: func(m *Model) any { return (*string)(&m.Kind) }},
	within(Field[Model]{Name: "vocab", Kind: IntValue, Default: "256", Doc: "vocabulary size", Ptr: func(m *Model) any { return &m.Vocab }}, 1, 1<<24, whyShape),
	within(Field[Model]{Name: "seq", Kind: IntValue, Doc: "sequence length (transformer)", Ptr: func(m *Model) any { return &m.Seq }}, 1, 1<<24, whyShape),
	within(Field[Model]{Name: "hidden", Kind: IntValue, Doc: "hidden size (transformer)", Ptr: func(m *Model) any { return &m.Hidden }}, 1, 1<<20, whyShape),
	within(Field[Model]{Name: "layers", Kind: IntValue, Doc: "transformer layers", Ptr: func(m *Model) any { return &m.Layers }}, 1, MaxLayers, whyLayers),
	within(Field[Model]{Name: "heads", Kind: IntValue, Doc: "attention heads", Ptr: func(m *Model) any { return &m.Heads }}, 1, 1<<16, whyShape),
	within(Field[Model]{Name: "ffn", Kind: IntValue, Default: "0", Doc: "dense FFN width (0: 4·hidden)", Ptr: func(m *Model) any { return &m.FFN }}, 0, 1<<22, whyShape),
	{Name: "tie_embeddings", Kind: BoolValue, Default: "true", Doc: "share the input embedding with the output head", Ptr: func(m *Model) any { return &m.TieEmbeddings }},
	{Name: "norm", Kind: EnumValue, Enum: names(NormKinds), Default: string(NormLayer), Doc: "normalization: layernorm | rmsnorm", Ptr: func(m *Model) any { return (*string)(&m.Norm) }},
	within(Field[Model]{Name: "dropout", Kind: FloatValue, Default: "0", Doc: "dropout rate of the embedding, the attention probabilities and the residual branches (planc run trains at 0)", Ptr: func(m *Model) any { return &m.Dropout }}, 0, 1, "a rate is a probability"),
	within(Field[Model]{Name: "norm_eps", Kind: FloatValue, Default: "1e-5", Doc: "the normalization's epsilon (Llama 3: 1e-5; DeepSeek, Qwen3: 1e-6)", Ptr: func(m *Model) any { return &m.NormEps }}, 0, 1, "an epsilon of 1 or more swamps the variance of normalized activations"),
	{Name: "mlp", Kind: EnumValue, Enum: names(MLPKinds), Default: string(MLPGeLU), Doc: "FFN form: gelu (two matrices) | swiglu | geglu (three)", Ptr: func(m *Model) any { return (*string)(&m.MLP) }},
	within(Field[Model]{Name: "kv_heads", Kind: IntValue, Default: "0", Doc: "key/value heads, grouped-query attention (0: heads)", Ptr: func(m *Model) any { return &m.KVHeads }}, 0, 1<<16, whyShape),
	within(Field[Model]{Name: "head_dim", Kind: IntValue, Default: "0", Doc: "width of one attention head (0: hidden/heads)", Ptr: func(m *Model) any { return &m.HeadDim }}, 0, 1<<16, whyShape),
	{Name: "position", Kind: EnumValue, Enum: names(PositionKinds), Default: string(PositionLearned), Doc: "positions: learned table | rope (rotary)", Ptr: func(m *Model) any { return (*string)(&m.Position) }},
	within(Field[Model]{Name: "rope_theta", Kind: FloatValue, Default: "10000", Doc: "RoPE base θ", Ptr: func(m *Model) any { return &m.RopeTheta }}, 1, 1e12, "a RoPE base beyond 1e12 leaves every rotation at zero"),
	{Name: "no_bias", Kind: BoolValue, Default: "false", Doc: "leave out the biases of the attention and FFN projections (Llama, Mixtral, DeepSeek)", Ptr: func(m *Model) any { return &m.NoBias }},
	within(Field[Model]{Name: "width", Kind: IntValue, Doc: "layer width (mlp)", Ptr: func(m *Model) any { return &m.Width }}, 1, 1<<22, whyShape),
	within(Field[Model]{Name: "depth", Kind: IntValue, Doc: "layer count (mlp)", Ptr: func(m *Model) any { return &m.Depth }}, 1, MaxLayers, whyLayers),
	{Name: "ffn_kind", Kind: FFNKindValue, Default: "dense", Doc: "dense | phantom(k: K, parts: P)", Ptr: func(m *Model) any { return &m.FFNKind }},
	{Name: "moe", Kind: BlockValue, Doc: "mixture-of-experts block (makes the model MoE)"},
	{Name: "mla", Kind: BlockValue, Doc: "multi-head latent attention block (DeepSeek-V2/V3)"},
}

// ModelMLAFields are the fields of a model's `mla { ... }` block.
var ModelMLAFields = []Field[MLA]{
	within(Field[MLA]{Name: "q_lora_rank", Kind: IntValue, Default: "0", Doc: "query bottleneck width (0: a full query projection)", Ptr: func(m *MLA) any { return &m.QLoraRank }}, 0, 1<<20, whyShape),
	within(Field[MLA]{Name: "kv_lora_rank", Kind: IntValue, Doc: "compressed key/value latent width", Ptr: func(m *MLA) any { return &m.KVLoraRank }}, 1, 1<<20, whyShape),
	within(Field[MLA]{Name: "qk_nope_head_dim", Kind: IntValue, Doc: "per-head query/key width without rotary positions", Ptr: func(m *MLA) any { return &m.QKNopeHeadDim }}, 1, 1<<16, whyShape),
	within(Field[MLA]{Name: "qk_rope_head_dim", Kind: IntValue, Doc: "per-head query/key width with rotary positions (the key's part is shared by all heads)", Ptr: func(m *MLA) any { return &m.QKRopeHeadDim }}, 0, 1<<16, whyShape),
	within(Field[MLA]{Name: "v_head_dim", Kind: IntValue, Doc: "per-head value width", Ptr: func(m *MLA) any { return &m.VHeadDim }}, 1, 1<<16, whyShape),
}

// ModelMoEFields are the fields of a model's `moe { ... }` block.
var ModelMoEFields = []Field[MoE]{
	within(Field[MoE]{Name: "experts", Kind: IntValue, Doc: "routed experts", Ptr: func(m *MoE) any { return &m.Experts }}, 1, 1<<16, whyShape),
	within(Field[MoE]{Name: "shared", Kind: IntValue, Default: "0", Doc: "shared experts applied to every token", Ptr: func(m *MoE) any { return &m.Shared }}, 0, 1<<10, whyShape),
	within(Field[MoE]{Name: "topk", Kind: IntValue, Doc: "routed experts per token", Ptr: func(m *MoE) any { return &m.TopK }}, 1, 1<<16, whyShape),
	within(Field[MoE]{Name: "expert_ffn", Kind: IntValue, Doc: "FFN width of each expert", Ptr: func(m *MoE) any { return &m.ExpertFFN }}, 1, 1<<22, whyShape),
	within(Field[MoE]{Name: "every", Kind: IntValue, Default: "1", Doc: "every n-th layer after first_dense is MoE", Ptr: func(m *MoE) any { return &m.Every }}, 1, MaxLayers, whyLayers),
	within(Field[MoE]{Name: "first_dense", Kind: IntValue, Default: "0", Doc: "leading dense layers", Ptr: func(m *MoE) any { return &m.FirstDense }}, 0, MaxLayers, whyLayers),
	{Name: "router", Kind: EnumValue, Enum: names(RouterScores), Default: string(RouterSoftmax), Doc: "router score function: softmax | sigmoid", Ptr: func(m *MoE) any { return (*string)(&m.Router) }},
	within(Field[MoE]{Name: "groups", Kind: IntValue, Default: "0", Doc: "expert groups for group-limited routing (0: none; DeepSeek's n_group)", Ptr: func(m *MoE) any { return &m.Groups }}, 0, 1<<16, whyShape),
	within(Field[MoE]{Name: "topk_groups", Kind: IntValue, Default: "0", Doc: "groups a token may route to (DeepSeek's topk_group; 0: all)", Ptr: func(m *MoE) any { return &m.TopKGroups }}, 0, 1<<16, whyShape),
	{Name: "bias_balance", Kind: BoolValue, Default: "false", Doc: "auxiliary-loss-free balancing: a per-expert bias added to the scores for selection only", Ptr: func(m *MoE) any { return &m.BiasBalance }},
	within(Field[MoE]{Name: "bias_update", Kind: FloatValue, Default: "0.001", Doc: "bias update speed γ of bias_balance", Ptr: func(m *MoE) any { return &m.BiasRate }}, 0, 1e3, whyCoef),
	within(Field[MoE]{Name: "aux_loss", Kind: FloatValue, Default: "0.01", Doc: "load-balancing loss coefficient", Ptr: func(m *MoE) any { return &m.AuxLoss }}, 0, 1e3, whyCoef),
	{Name: "normalize_topk", Kind: BoolValue, Default: "false", Doc: "renormalize the chosen probabilities", Ptr: func(m *MoE) any { return &m.NormalizeTopK }},
}

// PlanFields are the fields of `plan NAME { ... }`. Every plan field may be
// `auto` (the planner fills it); the references may not.
var PlanFields = []Field[Plan]{
	{Name: "model", Kind: RefValue, Ref: "model", Doc: "the model to train", Ptr: func(p *Plan) any { return &p.Model }},
	{Name: "cluster", Kind: RefValue, Ref: "cluster", Doc: "the machine", Ptr: func(p *Plan) any { return &p.Cluster }},
	within(Field[Plan]{Name: "dp", Kind: IntValue, Auto: true, Default: "1", Doc: "data-parallel degree", Ptr: func(p *Plan) any { return &p.DP }}, 1, MaxWorld, whyDegree),
	within(Field[Plan]{Name: "tp", Kind: IntValue, Auto: true, Default: "1", Doc: "tensor-parallel degree", Ptr: func(p *Plan) any { return &p.TP }}, 1, 1<<16, whyDegree),
	within(Field[Plan]{Name: "pp", Kind: IntValue, Auto: true, Default: "1", Doc: "pipeline-parallel degree", Ptr: func(p *Plan) any { return &p.PP }}, 1, 1<<14, whyDegree),
	within(Field[Plan]{Name: "ep", Kind: IntValue, Auto: true, Default: "1", Doc: "expert-parallel degree (carved out of dp·cp, or tp·dp·cp with ssmb)", Ptr: func(p *Plan) any { return &p.EP }}, 1, 1<<16, whyDegree),
	within(Field[Plan]{Name: "cp", Kind: IntValue, Auto: true, Default: "1", Doc: "context (sequence) parallel degree", Ptr: func(p *Plan) any { return &p.CP }}, 1, 1<<16, whyDegree),
	within(Field[Plan]{Name: "vpp", Kind: IntValue, Auto: true, Default: "1", Doc: "virtual pipeline stages per rank", Ptr: func(p *Plan) any { return &p.VPP }}, 1, 1<<10, whyLayers),
	{Name: "sp", Kind: BoolValue, Auto: true, Default: "false", Doc: "Megatron sequence parallelism inside tp", Ptr: func(p *Plan) any { return &p.SP }},
	{Name: "cp_mode", Kind: EnumValue, Auto: true, Enum: names(CPModes), Default: string(CPRing), Doc: "how attention is split across cp", Ptr: func(p *Plan) any { return (*string)(&p.CPMode) }},
	within(Field[Plan]{Name: "zero", Kind: IntValue, Auto: true, Default: "0", Doc: "ZeRO stage 0..3", Ptr: func(p *Plan) any { return &p.Zero }}, 0, 3, "the ZeRO stages are 0, 1, 2 and 3"),
	{Name: "schedule", Kind: EnumValue, Auto: true, Enum: names(ScheduleKinds), Default: string(Schedule1F1B), Doc: "pipeline schedule", Ptr: func(p *Plan) any { return (*string)(&p.Schedule) }},
	within(Field[Plan]{Name: "global_batch", Kind: IntValue, Auto: true, Default: "0", Doc: "sequences per step (0: dp·micro_batch)", Ptr: func(p *Plan) any { return &p.GlobalBatch }}, 0, 1<<30, whyBatch),
	within(Field[Plan]{Name: "micro_batch", Kind: IntValue, Auto: true, Default: "1", Doc: "sequences per micro-batch", Ptr: func(p *Plan) any { return &p.MicroBatch }}, 1, 1<<20, whyBatch),
	{Name: "recompute", Kind: EnumValue, Auto: true, Enum: names(RecomputeModes), Default: string(RecomputeNone), Doc: "activation recomputation", Ptr: func(p *Plan) any { return (*string)(&p.Recompute) }},
	{Name: "attention", Kind: EnumValue, Auto: true, Enum: names(AttentionKinds), Default: string(AttentionUnfused), Doc: "attention core: unfused (scores, softmax, dropout apart; s×s kept) | fused (FlashAttention: O(s) kept, scores recomputed in backward); when not written, fused on a device with fused_attention, else unfused", Ptr: func(p *Plan) any { return (*string)(&p.Attention) }},
	{Name: "precision", Kind: EnumValue, Auto: true, Enum: names(Precisions), Default: string(BF16), Doc: "training precision", Ptr: func(p *Plan) any { return (*string)(&p.Precision) }},
	{Name: "moe", Kind: BlockValue, Doc: "how MoE layers run"},
	{Name: "overlap", Kind: BlockValue, Doc: "which communication the engine overlaps with compute"},
	{Name: "train", Kind: BlockValue, Doc: "settings of a real training run"},
}

// PlanMoEFields are the fields of a plan's `moe { ... }` block.
var PlanMoEFields = []Field[MoEPlan]{
	{Name: "dispatch", Kind: EnumValue, Auto: true, Enum: names(DispatchModes), Default: string(DispatchPaddingFree), Doc: "token dispatch", Ptr: func(m *MoEPlan) any { return (*string)(&m.Dispatch) }},
	within(Field[MoEPlan]{Name: "capacity_factor", Kind: FloatValue, Auto: true, Default: "1.25", Doc: "capacity factor (capacity dispatch)", Ptr: func(m *MoEPlan) any { return &m.CapacityFactor }}, 0, 1<<16, whyFactor),
	{Name: "rbd", Kind: BoolValue, Auto: true, Default: "false", Doc: "redundancy-bypassing dispatch", Ptr: func(m *MoEPlan) any { return &m.RBD }},
	{Name: "ssmb", Kind: BoolValue, Auto: true, Default: "false", Doc: "sequence-sharded MoE blocks", Ptr: func(m *MoEPlan) any { return &m.SSMB }},
}

// PlanOverlapFields are the fields of a plan's `overlap { ... }` block:
// the engines' overlap switches (planc's defaults: the zero value); each Doc
// says what the engines do by default.
var PlanOverlapFields = []Field[OverlapPlan]{
	{Name: "grad_reduce", Kind: BoolValue, Default: "true", Doc: "reduce the gradient buckets during the backward (Megatron --overlap-grad-reduce, off unless given; DeepSpeed overlap_comm, false by default, true in its ZeRO-3 examples; PyTorch DDP and FSDP always)", Ptr: func(o *OverlapPlan) any { return &o.SerialGradReduce }},
	{Name: "param_gather", Kind: BoolValue, Default: "false", Doc: "hide ZeRO-1/2's gather of the updated parameters behind the next step's first forward (Megatron --overlap-param-gather, off unless given; ZeRO-3's per-layer gathers are always prefetched, as DeepSpeed and FSDP do)", Ptr: func(o *OverlapPlan) any { return &o.ParamGather }},
	{Name: "tp_comm", Kind: BoolValue, Default: "false", Doc: "hide the tensor-parallel all-gathers, reduce-scatters and all-reduces behind the layer's compute (Megatron --tp-comm-overlap with Transformer Engine, off unless given)", Ptr: func(o *OverlapPlan) any { return &o.TPComm }},
	{Name: "moe_dispatch", Kind: BoolValue, Default: "false", Doc: "hide the expert-parallel all-to-alls behind the layer's compute (Megatron --overlap-moe-expert-parallel-comm, off unless given)", Ptr: func(o *OverlapPlan) any { return &o.MoEDispatch }},
}

// TrainFields are the fields of a plan's `train { ... }` block.
var TrainFields = []Field[Train]{
	within(Field[Train]{Name: "steps", Kind: IntValue, Default: "200", Doc: "optimizer steps", Ptr: func(t *Train) any { return &t.Steps }}, 0, 1<<30, whySteps),
	within(Field[Train]{Name: "lr", Kind: FloatValue, Default: "0.001", Doc: "peak learning rate", Ptr: func(t *Train) any { return &t.LR }}, 0, 1e3, whyCoef),
	within(Field[Train]{Name: "min_lr", Kind: FloatValue, Default: "0.0001", Doc: "learning rate at the end of the cosine", Ptr: func(t *Train) any { return &t.MinLR }}, 0, 1e3, whyCoef),
	within(Field[Train]{Name: "warmup", Kind: IntValue, Default: "10", Doc: "linear warm-up steps", Ptr: func(t *Train) any { return &t.Warmup }}, 0, 1<<30, whySteps),
	within(Field[Train]{Name: "seed", Kind: IntValue, Default: "1", Doc: "seed of initialization and data order", Ptr: func(t *Train) any { return &t.Seed }}, -(1<<31 - 1), 1<<31-1, "seeds are 32-bit integers"),
	within(Field[Train]{Name: "clip", Kind: FloatValue, Default: "1.0", Doc: "global gradient-norm clip (0: off)", Ptr: func(t *Train) any { return &t.Clip }}, 0, 1e9, "a clip this large never clips: write 0 for off"),
	within(Field[Train]{Name: "weight_decay", Kind: FloatValue, Default: "0.1", Doc: "AdamW weight decay on matrices", Ptr: func(t *Train) any { return &t.WeightDecay }}, 0, 1e3, whyCoef),
	within(Field[Train]{Name: "checkpoint_every", Kind: IntValue, Default: "0", Doc: "steps between checkpoints (0: only at the end)", Ptr: func(t *Train) any { return &t.CheckpointEvery }}, 0, 1<<30, whySteps),
}
