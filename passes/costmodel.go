package passes

import (
	"math"
	"sync"

	"planc/ir"
	"planc/network"
)

// costModel times ops and collectives on one plan's machine.
//
// Ops: a GEMM takes FLOPs / (peak · matmul_efficiency) plus kernel_overhead
// per kernel; the fixed overhead is what makes small GEMMs reach a lower
// fraction of peak than large ones. A memory-bound op takes bytes /
// (hbm_bw · memory_efficiency) plus kernel_overhead.
//
// Collectives: package network's alpha-beta model (docs/cost-model.md; the
// algorithm is chosen there: rings inside a node, hierarchical across
// nodes), with the inter-node bandwidth shared by the node's ranks that
// communicate at once.
type costModel struct {
	dev     *ir.Device
	machine network.Machine
	mesh    ir.Mesh
	peak    float64
	fp8     bool // linear GEMMs at the fp8 peak, attention at bf16
	perNode int
	axes    [nAxes]*axisPrices // by axisIndex; nil until looked up
	// rbdInter is the share of the ep all-to-all's inter-node volume that
	// redundancy-bypassing dispatch still sends: its expected inter-node
	// bytes over those without rbd for one source, in the runtime's wire
	// format (pilot copies with their masks, weights and probability
	// gradients against copies with their row counts; 1 −
	// [RBDSaving].BytesSaving); 1 without rbd.
	rbdInter float64
	// mlpData is the seconds per micro-batch a device that makes an mlp
	// model's data inside the step spends on it (input_element_cost):
	// the inputs drawn once (the frame keeps the draw for the teacher at
	// the loss) and the teacher's forward GEMMs; 0 otherwise. The cost
	// model charges it to the loss op, which is exact without pipeline
	// parallelism (with it the first stage draws the inputs again for
	// its own frame, not charged).
	mlpData float64
	mlp     bool // the model is a deep feed-forward network (its loss: MSE)
	// spare is the cores a rank's products of at least
	// dev.ParallelFLOPs run on: cores/ranks on a node with more cores
	// than ranks (ir.Node.Cores), else 1.
	spare float64
	// nodeRanks is the ranks on one node (the node's devices, or the
	// world where it is smaller).
	nodeRanks int
	// corun stretches each kernel family where ranks share a node's
	// cores (coRunOf).
	corun coRun
	// cpFwd, cpBwd are the bytes one fused attention's layout copies
	// under context parallelism read and write, forward and backward
	// (cpLayoutBytes; 0 without cp), charged at layout_bw.
	cpFwd, cpBwd float64
	// epCopies: the ep exchange's own copies are charged at layout_bw
	// on each dispatch (epExchangeBytes).
	epCopies bool
}

// placement is how one group along an axis sits on the machine, and how
// many ranks of a node use the inter-node link at once.
type placement struct {
	network.Placement
	share int
}

// axisPrices is the placement of an axis's groups and the price of every
// collective kind over them: what the cost model keeps per (mesh, machine,
// axis), shared by every plan with that mesh on that machine, so that
// pricing a collective is a lookup and a multiply-add (the planner prices
// hundreds of thousands of plans a second).
type axisPrices struct {
	placement
	pricers [numCollKinds]network.Pricer
}

// numCollKinds bounds ir.CollKind's values.
const numCollKinds = 8

func newCostModel(p *ir.Plan, mesh ir.Mesh) *costModel {
	cm := makeCostModel(p, mesh)
	return &cm
}

func makeCostModel(p *ir.Plan, mesh ir.Mesh) costModel {
	c := p.Cluster
	mach := network.MachineOf(c)
	if n := c.Node; n.SyncWait > 0 && n.Cores > 0 && float64(min(max(mach.PerNode, 1), mesh.Size())) <= n.Cores {
		// ranks that meet at a collective wake a parked thread, once a
		// call: the in-process transport meets once whatever the kind
		mach.Meet = n.SyncWait
	}
	cm := costModel{dev: c.Node.Device, machine: mach, mesh: mesh, peak: c.Node.Device.Peak(p.Precision), fp8: p.Precision == ir.FP8, perNode: mach.PerNode, rbdInter: 1}
	cm.spare = 1
	ranks := min(max(mach.PerNode, 1), mesh.Size()) // on one node
	cm.nodeRanks = ranks
	cm.corun = coRunOf(p, c.Node, ranks)
	cm.mlp = p.Model != nil && p.Model.Kind == ir.MLPModel
	cm.cpFwd, cm.cpBwd = cpLayoutBytes(p)
	cm.epCopies = epCopiesOf(p)
	if cores := c.Node.Cores; cores > 0 && cm.dev.ParallelFLOPs > 0 {
		// a spare core is only as free as the node's load leaves it
		cm.spare = max(1, cores*coreShare(c.Node)/float64(ranks))
	}
	if d := cm.dev; d.InputElementCost > 0 && p.Model != nil && p.Model.Kind == ir.MLPModel {
		cm.mlpData = float64(p.MicroBatch*p.Model.Width)*d.InputElementCost + cm.teacherTime(p.Model, p.MicroBatch)
	}
	if p.MoE.RBD && p.EP > 1 && p.Model.MoE != nil && p.MoE.Dispatch != ir.DispatchCapacity {
		tc := newTrafficCounter(&ir.Unit{Plan: p, Mesh: mesh})
		if with, without := tc.rbdInterBytes(); without > 0 {
			cm.rbdInter = math.Min(with/without, 1)
		}
	}
	return cm
}

// teacherTime is the forward of an mlp model's teacher on b rows (the
// same architecture, whole on every rank): per layer a width² product,
// or a phantom layer's per part (its block, its ghosts and the mix of
// the other parts' ghosts), each priced as the cost model prices a
// product; the GELU after every layer but the last, as the cost model
// prices an mlp's activation; and a phantom teacher's split of its
// input into parts and join of its output (at layout_bw: each element
// read and written), where the device has it.
func (cm *costModel) teacherTime(m *ir.Model, b int) float64 {
	w := m.Width
	d := cm.dev
	elems := float64(b) * float64(w)
	act := memoryRate(d, ir.OpActivation)
	var t float64
	for l := 0; l < m.Depth; l++ {
		if l < m.Depth-1 && act > 0 {
			t += 2 * elems * 4 / act
		}
		if !m.FFNKind.IsPhantom() {
			t += cm.productTime(b, w, w, 1)
			continue
		}
		p, k := m.FFNKind.Parts, m.FFNKind.K
		wp := w / max(p, 1)
		t += cm.productTime(b, wp, wp, p) + cm.productTime(b, wp, k, p)
		if p > 1 {
			t += cm.productTime(b, k, wp, p*(p-1))
		}
	}
	if m.FFNKind.IsPhantom() && m.FFNKind.Parts > 1 && d.LayoutBW > 0 {
		t += 2 * elems * 8 / d.LayoutBW
	}
	return t
}

// productTime is the time of batch m×k×n products as the cost model
// prices a matmul op's forward (FLOPs at the GEMM rate, micro tiles, each
// product's call and operands).
func (cm *costModel) productTime(m, k, n, batch int) float64 {
	d := cm.dev
	flops := 2 * float64(m) * float64(k) * float64(n) * float64(batch)
	o := &ir.Op{M: m, K: k, N: n, Batch: batch}
	return flops/(cm.peak*d.MatmulEfficiency*tileEfficiency(d, m, n)) + productExtra(d, o)
}

// axisKey identifies an axis's prices: the mesh, the machine (by value: a
// test may change a cluster in place) and the axis.
type axisKey struct {
	mesh    ir.Mesh
	machine network.Machine
	axis    int
}

var (
	axisMu   sync.Mutex
	axisMemo = map[axisKey]*axisPrices{}
)

// axisOf returns the placement and prices of rank 0's group along axis
// (groups along one axis are congruent in Megatron order), memoized per
// mesh and machine.
func (cm *costModel) axisOf(axis ir.Axis) *axisPrices {
	ai := axisIndex(axis)
	if ap := cm.axes[ai]; ap != nil {
		return ap
	}
	key := axisKey{cm.mesh, cm.machine, ai}
	axisMu.Lock()
	ap, ok := axisMemo[key]
	axisMu.Unlock()
	if !ok {
		ap = cm.computeAxis(axis)
		axisMu.Lock()
		if len(axisMemo) >= cacheBound {
			axisMemo = map[axisKey]*axisPrices{}
		}
		axisMemo[key] = ap
		axisMu.Unlock()
	}
	cm.axes[ai] = ap
	return ap
}

// placementOf returns the placement of rank 0's group along axis.
func (cm *costModel) placementOf(axis ir.Axis) placement { return cm.axisOf(axis).placement }

func (cm *costModel) computeAxis(axis ir.Axis) *axisPrices {
	m := cm.mesh
	var g []int
	switch axis {
	case ir.AxisPP: // one stage boundary
		g = []int{0, m.TP * m.CP * m.DP}
	case ir.AxisEmbed:
		g = []int{0, (m.PP - 1) * m.TP * m.CP * m.DP}
	default:
		g = m.Group(axis, 0)
	}
	ap := &axisPrices{placement: placement{Placement: network.Place(g, cm.perNode), share: min(cm.perNode, m.Size())}}
	for _, k := range ir.CollKinds {
		ap.pricers[k] = cm.machine.Pricer(k, ap.Placement, ap.shareOf(k, cm.perNode), nil)
	}
	return ap
}

// shareOf returns how many ranks of a node use the inter-node link at once
// in collectives of kind over the axis.
func (pl placement) shareOf(kind ir.CollKind, perNode int) int {
	if kind == ir.SendRecv {
		// send/recv between neighbours of a ring laid out node by node:
		// each group crosses a node boundary once, so a node carries one
		// transfer per group it holds (perNode/k of them), and a pipeline
		// group (one rank per node) one per rank
		return max(perNode/max(pl.PerNode, 1), 1)
	}
	return pl.share
}

// opTimes returns an op's forward, backward-input and backward-weight
// times per micro-batch, on a node whose ranks share cores as slow as the
// others' work makes it (coRun).
func (cm *costModel) opTimes(o *ir.Op) (fwd, bwdB, bwdW float64) {
	fwd, bwdB, bwdW = cm.opTimesAlone(o)
	if cm.corun != (coRun{}) {
		s := cm.corun.of(o)
		fwd, bwdB, bwdW = fwd*s, bwdB*s, bwdW*s
	}
	return fwd, bwdB, bwdW
}

// opTimesAlone is opTimes with the op's device to itself.
func (cm *costModel) opTimesAlone(o *ir.Op) (fwd, bwdB, bwdW float64) {
	d := cm.dev
	ko := d.KernelOverhead
	if o.Class == ir.Matmul {
		eff := d.MatmulEfficiency
		r := o.Kind.Info().GEMM
		attention := r == ir.GEMMScores || r == ir.GEMMValues
		if attention && d.AttentionEfficiency > 0 {
			eff = d.AttentionEfficiency
		}
		rate := cm.peak * eff
		if cm.fp8 && attention {
			// Transformer Engine's fp8 covers the linear layers;
			// attention runs in bf16
			rate = d.PeakBF16 * eff
		}
		// the three products' outputs: M×N forward, M×K the input's
		// gradient, K×N the weights'
		// beyond the FLOPs: each product's calls and operands (the
		// three products of an op touch the same three matrices) and
		// the micro-kernel's tiles; attention's products have their own
		// fit (its kernel is not the GEMM's)
		var extra float64
		tile := func(m, n int) float64 { return 1 }
		if !attention {
			extra = productExtra(d, o)
			tile = func(m, n int) float64 { return tileEfficiency(d, m, n) }
		}
		fwd = o.FwdFLOPs/(rate*waveEfficiency(d, o.M, o.N, o.Batch)*tile(o.M, o.N)*cm.spareFor(o.FwdFLOPs)) + ko + extra
		bwdB = o.BwdInputFLOPs/(rate*waveEfficiency(d, o.M, o.K, o.Batch)*tile(o.M, o.K)*cm.spareFor(o.BwdInputFLOPs)) + ko + extra
		if o.BwdWeightFLOPs > 0 {
			bwdW = o.BwdWeightFLOPs/(rate*waveEfficiency(d, o.K, o.N, o.Batch)*tile(o.K, o.N)*cm.spareFor(o.BwdWeightFLOPs)) + ko + extra
		}
		if o.Bias != nil && d.ActivationBW > 0 {
			b := biasPassBytes(o) / d.ActivationBW
			fwd += 2 * b // the bias added over the output: read, write
			if o.BwdWeightFLOPs > 0 {
				bwdW += b // its gradient, the output gradient's column sums
			} else {
				bwdB += b
			}
		}
		if d.LayoutBW > 0 {
			l := layoutBytes(o) / d.LayoutBW
			fwd += l
			bwdB += l
			if o.Kind == ir.OpAttnScores && o.Output.Elem == 0 {
				fwd += cm.cpFwd / d.LayoutBW
				bwdB += cm.cpBwd / d.LayoutBW
			}
		}
		if o.Kind == ir.OpAttnScores && o.Output.Elem == 0 && (d.AttentionScoreCost > 0 || d.AttentionRowCost > 0) {
			// a fused kernel's softmax: one pass over the scores
			// forward, two backward (recomputed, then their gradient);
			// and per query row its maximum, sum and log-sum-exp
			// forward, its rescaling and dot product backward
			scores := float64(o.M) * float64(o.N) * float64(max(o.Batch, 1))
			rows := float64(o.M) * float64(max(o.Batch, 1))
			fwd += scores*d.AttentionScoreCost + rows*d.AttentionRowCost
			bwdB += 2 * (scores*d.AttentionScoreCost + rows*d.AttentionRowCost)
		}
		return
	}
	bw := memoryRate(d, o.Kind)
	if o.Kind == ir.OpLoss && cm.mlp {
		// an mlp's loss is a mean squared error, no softmax
		bw = d.HBMBandwidth * d.MemoryEfficiency
	}
	fwd, bwdB = o.FwdBytes/bw+ko, o.BwdBytes/bw+ko
	if o.Kind == ir.OpLoss {
		fwd += cm.mlpData
	}
	if o.Kind == ir.OpDispatch && cm.epCopies && d.LayoutBW > 0 {
		f, b := epExchangeBytes(o)
		fwd += f / d.LayoutBW
		bwdB += b / d.LayoutBW
	}
	return fwd, bwdB, 0
}

// biasPassBytes is one pass over a matmul op's output (fp32: the CPU
// runtime's, the one device that measures activation_bw): the runtime adds
// the bias after the product (AddBias) and sums the output gradient's
// columns for the bias gradient (BiasBackward), element-wise kernels at
// the activation kernels' rate.
func biasPassBytes(o *ir.Op) float64 {
	return float64(o.M) * float64(o.N) * float64(max(o.Batch, 1)) * 4
}

// epCopiesOf reports whether p's dispatches pay the runtime's ep exchange
// copies (epExchangeBytes): under ep with padding-free dispatch (capacity
// dispatch and rbd exchange their own ways).
func epCopiesOf(p *ir.Plan) bool {
	return p.EP > 1 && p.MoE.Dispatch == ir.DispatchPaddingFree && !p.MoE.RBD
}

// epExchangeBytes is what the CPU runtime's ep exchanges of one MoE
// layer and micro-batch read and write (fp32) beyond the all-to-alls'
// own copies (priced as the all-to-allv) and the dispatch's gather,
// forward and backward, with n the elements of the rank's routed rows
// (the dispatch's output; runtime/exec, ops_moe.go): forward the rows
// received copied into the local experts' blocks and their results,
// back from the experts' owners, copied out of the transport's lent
// buffer into the ones kept for the backward; backward the output
// gradients received copied into the experts' blocks (the input
// gradients coming back are read where they arrive). Each element
// copied is read and written: 8 bytes.
func epExchangeBytes(o *ir.Op) (fwd, bwd float64) {
	n := o.Output.Elements()
	return 2 * 8 * n, 8 * n
}

// layoutBytes is what one direction of an op's head layout copies reads
// and writes (fp32, the CPU runtime's): qkv splits its rows × 3h output
// into q, k and v by head (its backward joins their gradients); fused
// attention merges its output's heads (its backward splits their
// gradient). 0 for other ops.
func layoutBytes(o *ir.Op) float64 {
	switch {
	case o.Kind == ir.OpQKV:
		return 8 * float64(o.M) * float64(o.N) * float64(max(o.Batch, 1))
	case o.Kind == ir.OpAttnScores && o.Output.Elem == 0:
		return 8 * float64(o.M) * float64(o.K) * float64(max(o.Batch, 1))
	}
	return 0
}

// cpLayoutBytes is what one micro-batch's fused attention on a context-
// parallel rank reads and writes (fp32, the CPU runtime's) in layout
// copies beyond those it makes without cp, forward and backward; 0 at
// cp = 1. Each element copied is read and written (8 bytes), a buffer
// cleared is written (4). With q, o the rank's query heads' and k|v its
// key/value heads' elements over its seq/cp positions (runtime/exec,
// ops_attention.go and cplayout.go):
//   - allgather, lss: forward its k|v into the all-gather's buffer, the
//     gathered k|v of all cp ranks into whole-sequence order, and q
//     chunk-major where the rank holds two chunks (the output is merged
//     into token rows from chunk-major: no copy); backward the whole
//     sequence's dK|dV cleared (the local dk|dv without cp) and cut into
//     the ranks' parts for the reduce-scatter, its own part copied out
//     and dq back from chunk-major;
//   - ring: forward its k|v block (a new buffer: cleared) chunk-major,
//     q chunk-major and the output cleared for the first block's
//     merge; backward the block again with its dK|dV accumulators (all
//     cleared), dk|dv back from chunk-major, dq likewise;
//   - ulysses: q, k, v packed by head for the all-to-all and unpacked
//     into whole sequences, the output packed and unpacked back; the
//     reverse backward.
func cpLayoutBytes(p *ir.Plan) (fwd, bwd float64) {
	m := p.Model
	if p.CP < 2 || m == nil || m.Kind == ir.MLPModel || m.Heads == 0 {
		return 0, 0
	}
	tp := max(p.TP, 1)
	b, sl := float64(p.MicroBatch), float64(m.Seq/p.CP)
	hq, hk := float64(m.Heads/tp), float64(max(m.KV()/tp, 1))
	qk, hv := float64(m.QKWidth()), float64(m.VWidth())
	q, o, kv := b*hq*sl*qk, b*hq*sl*hv, b*hk*sl*(qk+hv)
	cp := float64(p.CP)
	chunked := 0.0
	if len(ir.CPChunks(m.Seq, p.CP, 0)) > 1 {
		chunked = 1
	}
	const copied, cleared = 8, 4
	switch p.CPMode {
	case ir.CPAllGather, ir.CPLSS:
		fwd = copied * ((1+cp)*kv + chunked*q)
		bwd = cleared*(cp-1)*kv + copied*((cp+1)*kv+chunked*q)
	case ir.CPRing:
		fwd = cleared*(kv+o) + copied*(kv+chunked*q)
		bwd = cleared*2*kv + copied*(2*kv+chunked*q)
	case ir.CPUlysses:
		fwd = copied * 2 * (q + kv + o)
		bwd = fwd
	}
	return fwd, bwd
}

// tileEfficiency is the share of a core's micro-kernel work that an m×n
// output uses: the kernel computes whole MicroTileM × MicroTileN tiles,
// so a thin product (8 phantom ghosts against 32-column tiles) runs at a
// fraction of the rate. 1 on a device without a micro tile, or for an
// op without a shape.
func tileEfficiency(d *ir.Device, m, n int) float64 {
	tm, tn := d.MicroTileM, d.MicroTileN
	if tm <= 0 || tn <= 0 || m <= 0 || n <= 0 {
		return 1
	}
	pm, pn := (m+tm-1)/tm*tm, (n+tn-1)/tn*tn
	return float64(m) / float64(pm) * float64(n) / float64(pn)
}

// productExtra is what one of a matmul op's products costs beyond its
// FLOPs on a device with gemm_call_cost or gemm_element_cost: a call per
// batch entry (expert, phantom part; each expert of a padding-free op)
// and the elements of the three operands, M×K, K×N and M×N per entry (0
// elsewhere).
func productExtra(d *ir.Device, o *ir.Op) float64 {
	if d.GEMMCallCost == 0 && d.GEMMElementCost == 0 {
		return 0
	}
	m, k, n := float64(o.M), float64(o.K), float64(o.N)
	b := float64(max(o.Batch, 1))
	if e := packedExperts(o); e > 1 {
		// padding-free rows of e experts in one M: the CPU runtime
		// runs one product per expert over its own rows, so e calls
		// and e weights, the rows' elements once
		return e*d.GEMMCallCost + d.GEMMElementCost*(m*k+e*k*n+m*n)
	}
	return b * (d.GEMMCallCost + d.GEMMElementCost*(m*k+k*n+m*n))
}

// packedExperts is the number of experts whose routed rows an expert op
// holds end to end in one M (padding-free dispatch: Batch 1, the weight
// E×K×N); 0 for other ops, and for a capacity layout (Batch = E already).
func packedExperts(o *ir.Op) float64 {
	info := o.Kind.Info()
	if info == nil || info.GEMM != ir.GEMMExperts || o.Batch > 1 || o.Weight == nil || len(o.Weight.Shape) != 3 {
		return 0
	}
	return float64(o.Weight.Shape[0].Local())
}

// memoryRate is the bytes per second a memory-bound op of kind moves: its
// family's rate where the device has one, else the bandwidth memory-bound
// kernels reach.
func memoryRate(d *ir.Device, kind ir.OpKind) float64 {
	var r float64
	switch kind {
	case ir.OpLayerNorm, ir.OpRMSNorm:
		r = d.NormBW
	case ir.OpSoftmax:
		r = d.SoftmaxBW
	case ir.OpLoss:
		r = d.LossBW
		if r == 0 {
			r = d.SoftmaxBW
		}
	case ir.OpGeLU, ir.OpSiLU, ir.OpExpertGeLU, ir.OpSharedGeLU, ir.OpActivation, ir.OpGLU, ir.OpExpertGLU, ir.OpSharedGLU:
		r = d.ActivationBW
	}
	if r > 0 {
		return r
	}
	return d.HBMBandwidth * d.MemoryEfficiency
}

// optimizerRate is the bytes per second of the optimizer update.
func optimizerRate(d *ir.Device) float64 {
	if d.OptimizerBW > 0 {
		return d.OptimizerBW
	}
	return d.HBMBandwidth * d.MemoryEfficiency
}

// spareFor is the cores a product of flops FLOPs runs on (cm.spare when it
// reaches the device's parallel_flops, else 1). A backward product that
// fuses several (the fused attention's) is judged by its total.
func (cm *costModel) spareFor(flops float64) float64 {
	if cm.spare > 1 && flops >= cm.dev.ParallelFLOPs {
		return cm.spare
	}
	return 1
}

// waveEfficiency is the share of a device's compute units a GEMM keeps
// busy: its output (m×n per batch entry) is cut into GEMMTile² tiles, the
// units run them in waves, and the last wave leaves units idle. 1 on a
// device without compute_units, or for an op without a shape.
func waveEfficiency(d *ir.Device, m, n, batch int) float64 {
	if d.ComputeUnits <= 0 || d.GEMMTile <= 0 || m <= 0 || n <= 0 {
		return 1
	}
	t := d.GEMMTile
	tiles := ((m + t - 1) / t) * ((n + t - 1) / t) * max(batch, 1)
	waves := (tiles + d.ComputeUnits - 1) / d.ComputeUnits
	return float64(tiles) / float64(waves*d.ComputeUnits)
}

// collTime returns one call's time.
func (cm *costModel) collTime(c *ir.Collective) float64 {
	return cm.commTime(c.Kind, c.Axis, c.Bytes) * float64(c.Calls())
}

// commTime returns the time of one call of kind moving n bytes over the
// group along axis: package network's plan of the call, priced through the
// axis's [network.Pricer].
func (cm *costModel) commTime(kind ir.CollKind, axis ir.Axis, n float64) float64 {
	ap := cm.axisOf(axis)
	if kind == ir.AllToAllV && axis == ir.AxisEP && cm.rbdInter < 1 {
		// rbd: pilots cross the nodes, the other copies are replicated
		// inside the destination node
		plan := cm.machine.Collective(kind, ap.Placement, n).ForwardInside(cm.rbdInter)
		return plan.Time(cm.machine, ap.shareOf(kind, cm.perNode))
	}
	if int(kind) >= numCollKinds {
		return 0
	}
	return ap.pricers[kind].Time(n)
}

// linkRate is the bytes per second a collective moves over its slowest
// link (for the power drawn while communicating).
func (cm *costModel) linkRate(axis ir.Axis) float64 {
	pl := cm.placementOf(axis)
	if pl.Nodes <= 1 {
		return cm.machine.Intra.Bandwidth
	}
	return cm.machine.Inter.Bandwidth / float64(max(pl.share, 1))
}

// nodeBytes is the memory a node's ranks hold together in a step, each
// rank taken at meanPeak (its pipeline ranks' mean): what they push
// through the node's shared caches (ir.Device.KernelFactor).
func (cm *costModel) nodeBytes(meanPeak float64) float64 {
	return meanPeak * float64(max(cm.nodeRanks, 1))
}
