package passes

import (
	"math"
	"sync"

	"planc/ir"
)

// costModel times ops and collectives on one plan's machine.
//
// Ops: a GEMM takes FLOPs / (peak · matmul_efficiency) plus kernel_overhead
// per kernel; the fixed overhead is what makes small GEMMs reach a lower
// fraction of peak than large ones. A memory-bound op takes bytes /
// (hbm_bw · memory_efficiency) plus kernel_overhead.
//
// Collectives: the alpha-beta model of NCCL/RCCL rings (docs/cost-model.md) with
// nccl-tests' bus-bandwidth factors. A group inside one node uses the
// intra-node link; a group that spans nodes is hierarchical (reduce-scatter
// inside the node, the reduction of n/k across nodes, all-gather inside the
// node), and its inter-node part runs at the node's inter-node bandwidth
// shared by the node's ranks that communicate at once.
type costModel struct {
	dev     *ir.Device
	node    *ir.Node
	cluster *ir.Cluster
	mesh    ir.Mesh
	peak    float64
	perNode int
	place   [nAxes]placement // by axisIndex; p == 0 until computed
	// rbdInter is the share of the ep all-to-all's inter-node volume that
	// redundancy-bypassing dispatch still sends: its expected inter-node
	// bytes over those without rbd for one source, in the runtime's wire
	// format (pilot copies with their masks, weights and probability
	// gradients against copies with their row counts; 1 −
	// [RBDSaving].BytesSaving); 1 without rbd.
	rbdInter float64
}

// placement is how one group along an axis sits on the machine.
type placement struct {
	p       int // ranks in the group
	nodes   int // nodes it spans
	perNode int // its ranks on one node (the most on any node)
	share   int // ranks of a node that use the inter-node link at once
}

func newCostModel(p *ir.Plan, mesh ir.Mesh) *costModel {
	cm := makeCostModel(p, mesh)
	return &cm
}

func makeCostModel(p *ir.Plan, mesh ir.Mesh) costModel {
	c := p.Cluster
	per := c.PerNode
	if per <= 0 {
		per = c.Node.Devices
	}
	if per <= 0 {
		per = 1
	}
	cm := costModel{dev: c.Node.Device, node: c.Node, cluster: c, mesh: mesh, peak: c.Node.Device.Peak(p.Precision), perNode: per, rbdInter: 1}
	if p.MoE.RBD && p.EP > 1 && p.Model.MoE != nil && p.MoE.Dispatch != ir.DispatchCapacity {
		tc := newTrafficCounter(&ir.Unit{Plan: p, Mesh: mesh})
		if with, without := tc.rbdInterBytes(); without > 0 {
			cm.rbdInter = math.Min(with/without, 1)
		}
	}
	return cm
}

func (cm *costModel) nodeOf(r int) int { return r / cm.perNode }

type placementKey struct {
	mesh    ir.Mesh
	perNode int
	axis    int
}

var (
	placementMu   sync.Mutex
	placementMemo = map[placementKey]placement{}
)

// placementOf returns the placement of rank 0's group along axis (groups
// along one axis are congruent in Megatron order), memoized per mesh and
// node size.
func (cm *costModel) placementOf(axis ir.Axis) placement {
	ai := axisIndex(axis)
	if pl := cm.place[ai]; pl.p > 0 {
		return pl
	}
	key := placementKey{cm.mesh, cm.perNode, ai}
	placementMu.Lock()
	pl, ok := placementMemo[key]
	placementMu.Unlock()
	if ok {
		cm.place[ai] = pl
		return pl
	}
	pl = cm.computePlacement(axis)
	placementMu.Lock()
	if len(placementMemo) >= cacheBound {
		placementMemo = map[placementKey]placement{}
	}
	placementMemo[key] = pl
	placementMu.Unlock()
	cm.place[ai] = pl
	return pl
}

func (cm *costModel) computePlacement(axis ir.Axis) placement {
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
	// ranks of a group are in ascending order: count runs of one node
	pl := placement{p: len(g)}
	run, prev := 0, -1
	for _, r := range g {
		if n := cm.nodeOf(r); n != prev {
			pl.nodes++
			run, prev = 0, n
		}
		run++
		pl.perNode = max(pl.perNode, run)
	}
	pl.share = min(cm.perNode, m.Size())
	return pl
}

// opTimes returns an op's forward, backward-input and backward-weight
// times per micro-batch.
func (cm *costModel) opTimes(o *ir.Op) (fwd, bwdB, bwdW float64) {
	d := cm.dev
	ko := d.KernelOverhead
	if o.Class == ir.Matmul {
		rate := cm.peak * d.MatmulEfficiency
		fwd = o.FwdFLOPs/rate + ko
		bwdB = o.BwdInputFLOPs/rate + ko
		if o.BwdWeightFLOPs > 0 {
			bwdW = o.BwdWeightFLOPs/rate + ko
		}
		return
	}
	bw := d.HBMBandwidth * d.MemoryEfficiency
	return o.FwdBytes/bw + ko, o.BwdBytes/bw + ko, 0
}

// ring returns the alpha-beta time of a ring collective of n bytes over p
// ranks on one link (latency a, bandwidth bw).
func ring(kind ir.CollKind, n float64, p int, a, bw float64) float64 {
	if p < 2 {
		return 0
	}
	f := kind.BusFactor(p)
	switch kind {
	case ir.AllReduce:
		lat := 2 * float64(p-1) * a
		tree := 2 * math.Log2(float64(p)) * a
		return math.Min(lat, tree) + f*n/bw
	case ir.SendRecv:
		return a + n/bw
	case ir.Broadcast:
		return math.Ceil(math.Log2(float64(p)))*a + n/bw
	default:
		return float64(p-1)*a + f*n/bw
	}
}

// collTime returns one call's time.
func (cm *costModel) collTime(c *ir.Collective) float64 {
	return cm.commTime(c.Kind, c.Axis, c.Bytes) * float64(c.Calls())
}

func (cm *costModel) commTime(kind ir.CollKind, axis ir.Axis, n float64) float64 {
	pl := cm.placementOf(axis)
	ai, bi := cm.node.IntraLatency, cm.node.IntraBW
	if pl.nodes <= 1 {
		return ring(kind, n, pl.p, ai, bi)
	}
	ae := cm.cluster.InterLatency
	be := cm.cluster.InterBW / float64(max(pl.share, 1))
	k, N := pl.perNode, pl.nodes
	switch kind {
	case ir.AllReduce:
		return ring(ir.ReduceScatter, n, k, ai, bi) + ring(ir.AllReduce, n/float64(k), N, ae, be) + ring(ir.AllGather, n, k, ai, bi)
	case ir.AllGather, ir.ReduceScatter:
		return ring(kind, n, k, ai, bi) + ring(kind, n/float64(k), N, ae, be)
	case ir.AllToAll, ir.AllToAllV:
		p := float64(pl.p)
		intra := n * float64(k-1) / p / bi
		inter := n * (p - float64(k)) / p / be
		if kind == ir.AllToAllV && axis == ir.AxisEP && cm.rbdInter < 1 {
			// rbd: pilots cross the nodes, the other copies are
			// replicated inside the destination node
			intra += n * (p - float64(k)) / p * (1 - cm.rbdInter) / bi
			inter *= cm.rbdInter
		}
		return float64(pl.p-1)*ae + math.Max(intra, inter)
	case ir.Broadcast:
		return ring(kind, n, N, ae, be) + ring(kind, n, k, ai, bi)
	default:
		// send/recv between neighbours of a ring laid out node by node:
		// each group crosses a node boundary once, so a node carries one
		// transfer per group it holds (perNode/k of them), and a pipeline
		// group (one rank per node) one per rank
		groups := max(cm.perNode/max(k, 1), 1)
		return ae + n/(cm.cluster.InterBW/float64(groups))
	}
}

// linkRate is the bytes per second a collective moves over its slowest
// link (for the power drawn while communicating).
func (cm *costModel) linkRate(axis ir.Axis) float64 {
	pl := cm.placementOf(axis)
	if pl.nodes <= 1 {
		return cm.node.IntraBW
	}
	return cm.cluster.InterBW / float64(max(pl.share, 1))
}
