package sim

import (
	"math"

	"planc/ir"
	"planc/network"
)

// Network prices a schedule's own communication (pipeline sends and recvs,
// gradient reductions, parameter gathers, the tied-embedding and norm
// all-reduces) with package network's collective model: the algorithm it
// chooses (a ring inside a node; across nodes a reduce-scatter inside each
// node, the inter-node ring or tree on the node's NICs, an all-gather inside
// the node) and its alpha-beta terms. The inter-node bytes are returned as
// NIC bytes so that the simulator shares the NICs among concurrent
// transfers.
type Network struct {
	RanksPerNode int
	IntraBW      float64 // bytes/s per device per direction
	IntraLatency float64
	// IntraRS and IntraAG: the intra-node reduce-scatter's and
	// all-gather's own ring steps (network.Machine's; zero: the intra
	// link's).
	IntraRS, IntraAG network.Link
	InterBW          float64 // bytes/s per node per direction (all NICs)
	InterLatency     float64
}

// NetworkOf returns the network of plan p's cluster.
func NetworkOf(p *ir.Plan) Network {
	m := network.MachineOf(p.Cluster)
	return Network{RanksPerNode: m.PerNode, IntraBW: m.Intra.Bandwidth, IntraLatency: m.Intra.Latency,
		IntraRS: m.IntraRS, IntraAG: m.IntraAG, InterBW: m.Inter.Bandwidth, InterLatency: m.Inter.Latency}
}

func (n Network) machine() network.Machine {
	return network.Machine{PerNode: max(n.RanksPerNode, 1), Intra: network.Link{Latency: n.IntraLatency, Bandwidth: n.IntraBW},
		IntraRS: n.IntraRS, IntraAG: n.IntraAG, Inter: network.Link{Latency: n.InterLatency, Bandwidth: n.InterBW}}
}

// Config returns a simulation configuration on this network with costs c.
func (n Network) Config(c Costs) Config {
	return Config{Costs: c, RanksPerNode: n.RanksPerNode, NICBandwidth: n.InterBW}
}

// P2P returns the cost of sending bytes from rank src to rank dst.
func (n Network) P2P(src, dst int32, bytes float64) CommCost {
	return n.Collective(ir.SendRecv, []int32{src, dst}, bytes)
}

// Collective returns the cost of collective c of bytes (per rank, see
// [ir.Action]) over group.
func (n Network) Collective(c ir.CollKind, group []int32, bytes float64) CommCost {
	if len(group) <= 1 {
		return CommCost{}
	}
	m := n.machine()
	plan := m.Collective(c, network.Place(group, m.PerNode), bytes)
	fixed, nic := plan.NodeCost(m)
	return CommCost{Fixed: fixed, NICBytes: nic}
}

// Time returns the uncontended duration of c on a network with NIC
// bandwidth bw.
func (c CommCost) Time(bw float64) float64 { return c.Fixed + safeDiv(c.NICBytes, bw) }

func safeDiv(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// StageTable is a [Costs] built from per-stage times per micro-batch: the
// compute of F, B (input gradient, with any recomputation) and W (weight
// gradient), and the stage's internal collectives on the critical path of
// each; the schedule's own communication is priced by Net. When a schedule
// does not split the backward, its B costs B + W.
type StageTable struct {
	F, B, W             []float64
	FComm, BComm, WComm []float64
	Optimizer           float64
	Net                 Network
}

// Compute implements Costs.
func (t *StageTable) Compute(s *ir.Schedule, _ int, a ir.Action) (float64, float64) {
	st := int(a.Stage)
	at := func(x []float64) float64 {
		if st >= 0 && st < len(x) {
			return x[st]
		}
		return 0
	}
	switch a.Kind {
	case ir.ActF:
		return at(t.F), at(t.FComm)
	case ir.ActB:
		if s.SplitBackward {
			return at(t.B), at(t.BComm)
		}
		return at(t.B) + at(t.W), at(t.BComm) + at(t.WComm)
	case ir.ActW:
		return at(t.W), at(t.WComm)
	case ir.ActOptimizer:
		return t.Optimizer, 0
	}
	return 0, 0
}

// TPInvariant reports that a StageTable's costs do not depend on a rank's
// tensor-parallel index (the simulator may then use tp symmetry).
func (t *StageTable) TPInvariant() bool { return true }

// DPInvariant reports that a StageTable's costs do not depend on a rank's
// data-parallel index beyond the nodes its groups touch (the simulator
// may then simulate one replica block of a folded schedule).
func (t *StageTable) DPInvariant() bool { return true }

// Comm implements Costs.
func (t *StageTable) Comm(s *ir.Schedule, r int, a ir.Action) CommCost {
	if a.Kind.IsP2P() {
		src, dst := int32(r), a.Peer
		if !a.Kind.IsSend() {
			src, dst = dst, src
		}
		return t.Net.P2P(src, dst, float64(a.Bytes))
	}
	return t.Net.Collective(a.Coll, s.GroupOf(a), float64(a.Bytes))
}

// FromCostReport builds the stage table of a compiled unit from its cost
// analysis (one [ir.StageTime] per virtual stage): F is the forward, B the
// input-gradient backward plus recomputation, W the weight gradient; the
// critical communication the report counts inside a stage is split between
// F and B in proportion to their times, because the report gives one sum.
// The optimizer takes the report's optimizer time.
func FromCostReport(u *ir.Unit) *StageTable {
	rep := u.Cost
	n := len(rep.Stages)
	t := &StageTable{F: make([]float64, n), B: make([]float64, n), W: make([]float64, n),
		FComm: make([]float64, n), BComm: make([]float64, n), WComm: make([]float64, n), Net: NetworkOf(u.Plan)}
	for _, st := range rep.Stages {
		i := st.Stage
		if i < 0 || i >= n {
			continue
		}
		fwd, bwd := st.Fwd, st.BwdInput+st.Recompute
		comm := math.Min(st.Comm, fwd+bwd)
		fc := 0.0
		if fwd+bwd > 0 {
			fc = comm * fwd / (fwd + bwd)
		}
		t.F[i], t.FComm[i] = fwd-fc, fc
		t.B[i], t.BComm[i] = bwd-(comm-fc), comm-fc
		t.W[i] = st.BwdWeight
	}
	t.Optimizer = rep.Optimizer
	return t
}
