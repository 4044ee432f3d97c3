// Package network is planc's one model of collective communication. Every
// layer that prices or counts communication draws on it: the cost model
// (package passes), the traffic predictions (passes.PredictedBytes), the
// simulator (runtime/sim) and the byte counters of the runtime's transports
// (runtime/collective).
//
// # Contract
//
// [Machine.Collective] turns (kind, placement of the group on nodes, bytes)
// into a [Plan]: the algorithm, chosen by [Choose] (the only place planc
// chooses one), and its steps on each link level with their α-β terms.
// [Plan.Time] prices a plan; [Plan.NodeCost] splits it into the part no
// other traffic slows down and the bytes every node pushes through its
// NICs, for a simulator that shares the NICs among concurrent transfers.
//
// [RingSend] and [Chunks] say what each member of a group sends when a
// transport runs a collective as planc's transports do (a ring over the
// group order, pairwise all-to-all, a chain broadcast); the runtime counts
// its bytes with them and the traffic predictions predict with them, so
// the two agree exactly.
//
// Byte counts follow nccl-tests: n is the whole buffer of an all-reduce or
// broadcast, the gathered (full) buffer of an all-gather or reduce-scatter,
// each rank's send buffer of an all-to-all or send/recv.
//
// The package imports only ir.
package network

import (
	"fmt"
	"math"
	"math/bits"

	"planc/ir"
)

// Link is one level of the machine's network.
type Link struct {
	Latency   float64 // seconds per message (α)
	Bandwidth float64 // bytes/s per direction (1/β)
}

// Machine is the links collectives run on: a node's devices share an
// intra-node link (per device), the nodes an inter-node network (per node,
// all NICs together).
type Machine struct {
	PerNode int // ranks per node: ranks r and q share a node iff r/PerNode == q/PerNode
	Intra   Link
	// IntraRS and IntraAG: the intra-node reduce-scatter's and
	// all-gather's own ring steps where they were measured apart (a zero
	// field: Intra's).
	IntraRS, IntraAG Link
	Inter            Link
	// GroupNodes and GlobalBW: a tapered network (ir.Cluster's
	// group_nodes, global_bw); 0 for a flat one.
	GroupNodes int
	GlobalBW   float64
	// Meet is what every call waits once for its group to meet, whatever
	// its kind and steps: the in-process transport's ranks meet once per
	// collective (ir.Node's sync_wait); 0: nothing.
	Meet float64
}

// MachineOf returns the machine of a resolved cluster.
func MachineOf(c *ir.Cluster) Machine {
	per := c.PerNode
	if per <= 0 && c.Node != nil {
		per = c.Node.Devices
	}
	m := Machine{PerNode: max(per, 1), Inter: Link{c.InterLatency, c.InterBW}, GroupNodes: c.GroupNodes, GlobalBW: c.GlobalBW}
	if n := c.Node; n != nil {
		m.Intra = Link{n.IntraLatency, n.IntraBW}
		m.IntraRS = Link{n.IntraRSLatency, n.IntraRSBW}
		m.IntraAG = Link{n.IntraAGLatency, n.IntraAGBW}
	}
	return m
}

// intra returns the intra-node link a step of kind runs on: the kind's
// own where it was measured (field by field), else Intra.
func (m Machine) intra(kind ir.CollKind) Link {
	l := m.Intra
	var own Link
	switch kind {
	case ir.ReduceScatter:
		own = m.IntraRS
	case ir.AllGather:
		own = m.IntraAG
	}
	if own.Latency > 0 {
		l.Latency = own.Latency
	}
	if own.Bandwidth > 0 {
		l.Bandwidth = own.Bandwidth
	}
	return l
}

// Node returns the node of rank r.
func (m Machine) Node(r int) int { return r / max(m.PerNode, 1) }

// Placement is how one group sits on the nodes.
type Placement struct {
	Ranks   int // members of the group
	Nodes   int // nodes it spans
	PerNode int // its members on one node (the most on any node)
}

// Place returns the placement of group (global ranks, any order) on nodes
// of perNode ranks.
func Place[R ~int | ~int32](group []R, perNode int) Placement {
	perNode = max(perNode, 1)
	count := make(map[int]int, 4)
	pl := Placement{Ranks: len(group)}
	for _, r := range group {
		n := int(r) / perNode
		count[n]++
		pl.PerNode = max(pl.PerNode, count[n])
	}
	pl.Nodes = len(count)
	return pl
}

// Algorithm is how a collective runs.
type Algorithm uint8

const (
	// Direct is one point-to-point transfer (send/recv).
	Direct Algorithm = iota
	// Ring passes chunks around the group in group order: p−1 steps for
	// reduce-scatter and all-gather, 2(p−1) for all-reduce.
	Ring
	// Tree is a pipelined (double) binary tree: ⌈log₂ p⌉ steps each way;
	// latency-bound collectives across nodes (and broadcasts) use it.
	Tree
	// Hierarchical runs inside each node, then across nodes on 1/k of the
	// buffer, then inside each node again (NCCL's multi-node all-reduce,
	// reduce-scatter and all-gather); its inter-node step is a ring or a
	// tree, whichever [Choose] finds faster.
	Hierarchical
	// Pairwise sends every member its chunk straight (all-to-all).
	Pairwise
	numAlgorithms
)

var algorithmNames = [...]string{Direct: "direct", Ring: "ring", Tree: "tree", Hierarchical: "hierarchical", Pairwise: "pairwise"}

func (a Algorithm) String() string {
	if a < numAlgorithms {
		return algorithmNames[a]
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(a))
}

// Level is a link level.
type Level uint8

const (
	Intra Level = iota // the intra-node link
	Inter              // the inter-node network
)

func (l Level) String() string {
	if l == Inter {
		return "inter-node"
	}
	return "intra-node"
}

// Step is one phase of a collective on one link level: Hops messages of
// latency α in sequence, and Bytes that each taking part rank puts on its
// link.
type Step struct {
	Level Level
	Alg   Algorithm
	Kind  ir.CollKind // what the step does (a hierarchical all-reduce has three)
	Ranks int         // members of the step's (sub)group
	Hops  float64
	Bytes float64
	// WithPrevious says the step's bandwidth term overlaps the previous
	// step's (an all-to-all's intra- and inter-node chunks go out at once):
	// the two take the longer of their times, their latencies still add.
	WithPrevious bool
}

// Plan is a collective as the machine runs it. It holds its steps in place
// (at most three) so that pricing a collective allocates nothing: the
// planner prices hundreds of thousands of plans a second.
type Plan struct {
	Kind  ir.CollKind
	Alg   Algorithm
	Place Placement
	steps [maxSteps]Step
	n     int
}

const maxSteps = 3

// Steps returns the plan's steps in order.
func (p *Plan) Steps() []Step { return p.steps[:p.n] }

// Collective returns the plan of one call of kind over a group placed as pl
// moving n bytes (the n of the package doc). A group of one member, or a
// kind that moves nothing, has no steps. It allocates nothing.
func (m Machine) Collective(kind ir.CollKind, pl Placement, n float64) Plan {
	alg, inter := Choose(m, kind, pl, n)
	return m.collective(kind, pl, n, alg, inter)
}

// collective is [Machine.Collective] with the algorithm and that of a
// hierarchical collective's inter-node step given.
func (m Machine) collective(kind ir.CollKind, pl Placement, n float64, alg, inter Algorithm) (plan Plan) {
	plan.Kind, plan.Alg, plan.Place = kind, alg, pl
	p := pl.Ranks
	if p < 2 || n <= 0 && kind != ir.SendRecv {
		return plan
	}
	k, N := max(pl.PerNode, 1), max(pl.Nodes, 1)
	lvl := Intra
	if N > 1 {
		lvl = Inter
	}
	st := &plan.steps
	switch alg {
	case Direct:
		st[0], plan.n = Step{Level: lvl, Alg: Direct, Kind: kind, Ranks: p, Hops: 1, Bytes: n}, 1
	case Ring, Tree:
		st[0], plan.n = flat(kind, alg, lvl, p, n), 1
	case Hierarchical:
		switch kind {
		case ir.AllReduce:
			st[0] = flat(ir.ReduceScatter, Ring, Intra, k, n)
			st[1] = flat(ir.AllReduce, inter, Inter, N, n/float64(k))
			st[2] = flat(ir.AllGather, Ring, Intra, k, n)
			plan.n = 3
		case ir.Broadcast:
			st[0], st[1], plan.n = flat(kind, inter, Inter, N, n), flat(kind, Tree, Intra, k, n), 2
		default: // reduce-scatter, all-gather
			st[0], st[1], plan.n = flat(kind, Ring, Intra, k, n), flat(kind, inter, Inter, N, n/float64(k)), 2
		}
	case Pairwise:
		// p−1 messages; the chunks for the members of the own node go over
		// the intra-node link while those for other nodes cross the
		// network, at the same time
		intra := n * float64(k-1) / float64(p)
		if N == 1 {
			st[0], plan.n = Step{Level: Intra, Alg: Pairwise, Kind: kind, Ranks: p, Hops: float64(p - 1), Bytes: intra}, 1
			break
		}
		st[0] = Step{Level: Intra, Alg: Pairwise, Kind: kind, Ranks: k, Bytes: intra}
		st[1] = Step{Level: Inter, Alg: Pairwise, Kind: kind, Ranks: p, Hops: float64(p - 1), Bytes: n * float64(p-k) / float64(p), WithPrevious: true}
		plan.n = 2
	}
	return plan
}

// flat is one step of kind run by alg over p ranks on one link level.
func flat(kind ir.CollKind, alg Algorithm, lvl Level, p int, n float64) Step {
	s := Step{Level: lvl, Alg: alg, Kind: kind, Ranks: p}
	if p < 2 {
		return s
	}
	if alg == Tree {
		d := float64(bits.Len(uint(p - 1))) // ⌈log₂ p⌉
		s.Hops, s.Bytes = d, n
		if kind == ir.AllReduce { // reduce up the tree, broadcast down
			s.Hops, s.Bytes = 2*d, 2*n
		}
		return s
	}
	s.Hops = float64(p - 1)
	if kind == ir.AllReduce {
		s.Hops *= 2
	}
	s.Bytes = kind.BusFactor(p) * n
	return s
}

// Choose returns the algorithm of one call of kind over a group placed as pl
// moving n bytes, and for a hierarchical one the algorithm of its
// inter-node step. It is the one place where planc chooses:
//
//   - send/recv is direct; all-to-all(v) is pairwise;
//   - inside one node, all-reduce, reduce-scatter and all-gather run a ring
//     (a tree inside a node is a chain: no fewer steps), a broadcast a tree;
//   - across nodes they are hierarchical, with the inter-node step a ring or
//     a tree by the lower α-β time (NCCL's tuner does the same): the tree's
//     ⌈log₂ N⌉ steps win for small, latency-bound buffers, the ring's
//     2(N−1)/N·n bytes for large ones.
func Choose(m Machine, kind ir.CollKind, pl Placement, n float64) (alg, inter Algorithm) {
	switch kind {
	case ir.SendRecv:
		return Direct, Direct
	case ir.AllToAll, ir.AllToAllV:
		return Pairwise, Pairwise
	}
	if pl.Nodes > 1 {
		if kind == ir.Broadcast {
			return Hierarchical, Tree
		}
		if kind == ir.AllReduce && n < treeCut(m, pl) {
			return Hierarchical, Tree
		}
		return Hierarchical, Ring
	}
	if kind == ir.Broadcast {
		return Tree, Tree
	}
	return Ring, Ring
}

// treeCut returns the buffer size below which a hierarchical all-reduce's
// inter-node step is a tree rather than a ring: where the tree's time
// 2⌈log₂ N⌉·α + 2·n/bw falls below the ring's 2(N−1)·α + 2(N−1)/N·n/bw,
// each of the group's k ranks on a node running it on n/k bytes at 1/k of
// the node's NICs (NCCL's tuner makes the same comparison). Only
// all-reduce has a tree: NCCL's trees serve no other collective.
func treeCut(m Machine, pl Placement) float64 {
	N := float64(pl.Nodes)
	d := float64(bits.Len(uint(pl.Nodes - 1)))
	saved := 2 * (N - 1 - d) * m.Inter.Latency // latency the tree saves
	if saved <= 0 {
		return 0
	}
	if m.Inter.Bandwidth <= 0 {
		return math.Inf(1)
	}
	// the tree moves 2·n/N more bytes per rank than the ring
	return saved * m.Inter.Bandwidth * N / 2
}

func (l Link) time(s Step) float64 { return s.Hops*l.Latency + safeDiv(s.Bytes, l.Bandwidth) }

// Time returns the plan's α-β time on m when share ranks of each node use
// the inter-node network at once (each then gets 1/share of a node's
// bandwidth; concurrent groups along one mesh axis share it so).
func (p *Plan) Time(m Machine, share int) float64 {
	return p.latency(m) + p.bandwidth(m, share)
}

// bandwidth returns the plan's bandwidth terms at share: the sum over its
// steps, a step that overlaps the previous one counting only by how much
// it exceeds it.
func (p *Plan) bandwidth(m Machine, share int) float64 {
	interBW := m.Inter.Bandwidth / float64(max(share, 1))
	globalBW := m.GlobalBW / float64(max(share, 1))
	leaving := p.leavingGroup(m)
	var t, prev float64
	for _, s := range p.steps[:p.n] {
		bw := m.intra(s.Kind).Bandwidth
		if s.Level == Inter {
			bw = interBW
		}
		x := safeDiv(s.Bytes, bw)
		if s.Level == Inter && s.Alg == Pairwise && leaving > 0 {
			// the share of every node's messages bound for other groups
			// crosses the global links, which the group's nodes share
			x = math.Max(x, safeDiv(s.Bytes*leaving, globalBW))
		}
		if s.WithPrevious {
			t += math.Max(x, prev) - prev
			x = math.Max(x, prev)
		} else {
			t += x
		}
		prev = x
	}
	return t
}

// leavingGroup returns the share of a pairwise exchange's inter-node
// messages that leave their node's group on a tapered network: the group's
// nodes lie contiguously, so each node has min(N, G) − 1 partners in its
// own group and N − min(N, G) elsewhere. Rings and trees cross a group
// boundary once per group, which the group's global links carry at far
// more than one node's bandwidth: they are not slowed. 0 on a flat network.
func (p *Plan) leavingGroup(m Machine) float64 {
	N, G := p.Place.Nodes, m.GroupNodes
	if G <= 0 || m.GlobalBW <= 0 || N <= G || N < 2 {
		return 0
	}
	return float64(N-G) / float64(N-1)
}

// NodeCost splits the plan for a simulator that shares each node's NICs
// among concurrent transfers: fixed is the time no other transfer slows
// (latencies and the intra-node bandwidth terms), nicBytes what each node
// the group touches pushes through its NICs (the group's PerNode members
// each put an inter-node step's Bytes on them). An intra-node term that
// overlaps an inter-node one counts only by how much it exceeds the
// inter-node term at the node's full bandwidth.
func (p *Plan) NodeCost(m Machine) (fixed, nicBytes float64) {
	k := float64(max(p.Place.PerNode, 1))
	steps := p.steps[:p.n]
	if len(steps) > 0 {
		fixed += m.Meet
	}
	for i, s := range steps {
		if s.Level == Inter {
			fixed += s.Hops * m.Inter.Latency
			nicBytes += s.Bytes * k
			continue
		}
		l := m.intra(s.Kind)
		fixed += s.Hops * l.Latency
		bw := safeDiv(s.Bytes, l.Bandwidth)
		if i+1 < len(steps) && steps[i+1].WithPrevious && steps[i+1].Level == Inter {
			bw = math.Max(0, bw-safeDiv(steps[i+1].Bytes*k, m.Inter.Bandwidth))
		}
		fixed += bw
	}
	return fixed, nicBytes
}

// InterBytes returns the bytes one member puts on the inter-node network.
func (p *Plan) InterBytes() float64 {
	var b float64
	for _, s := range p.steps[:p.n] {
		if s.Level == Inter {
			b += s.Bytes
		}
	}
	return b
}

// ForwardInside returns the plan of an all-to-all in which only the
// fraction keep of the inter-node bytes crosses the nodes and the rest is
// forwarded from its first receiver to the other members of the
// destination node over the intra-node link (redundancy-bypassing
// dispatch: one pilot copy per node).
func (p Plan) ForwardInside(keep float64) Plan {
	if keep >= 1 || p.Alg != Pairwise {
		return p
	}
	steps := p.steps[:p.n]
	for i := range steps {
		if steps[i].Level != Inter {
			continue
		}
		moved := steps[i].Bytes * (1 - keep)
		steps[i].Bytes -= moved
		for j := range steps {
			if steps[j].Level == Intra {
				steps[j].Bytes += moved
				break
			}
		}
	}
	return p
}

func safeDiv(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// Pricer prices the calls of one kind over one placed group when share
// ranks of a node use the NICs at once: the time of [Machine.Collective]
// then [Plan.Time], as a + b·n on each side of the size where the
// algorithm changes. It is what a cost model that prices hundreds of
// thousands of plans a second keeps per group: a comparison and a
// multiply-add per call.
type Pricer struct {
	zero         bool    // nothing to move (a group of one)
	sendRecv     bool    // an empty send still pays its latency
	cut          float64 // below cut the small form, else the large one
	small, large linear
}

type linear struct{ a, b float64 }

// Pricer returns the pricer of kind over pl at share. adjust, if not nil,
// rewrites each plan before it is priced (see [Plan.ForwardInside]).
func (m Machine) Pricer(kind ir.CollKind, pl Placement, share int, adjust func(Plan) Plan) Pricer {
	pr := Pricer{zero: pl.Ranks < 2, sendRecv: kind == ir.SendRecv}
	// Choose's algorithms for the largest and the smallest buffers: the
	// inter-node step of an all-reduce changes at treeCut, nothing else
	// depends on the size
	lin := func(n float64) linear {
		alg, inter := Choose(m, kind, pl, n)
		p := m.collective(kind, pl, 1, alg, inter)
		if adjust != nil {
			p = adjust(p)
		}
		return linear{p.latency(m), p.bandwidth(m, share)}
	}
	pr.large = lin(math.Inf(1))
	if kind == ir.AllReduce && pl.Nodes > 1 {
		pr.cut = treeCut(m, pl)
		pr.small = lin(0)
	}
	return pr
}

// Time returns the time of one call moving n bytes.
func (p *Pricer) Time(n float64) float64 {
	if p.zero || n <= 0 && !p.sendRecv {
		return 0
	}
	if n < p.cut {
		return p.small.a + p.small.b*n
	}
	return p.large.a + p.large.b*n
}

// latency returns the plan's latency terms alone.
func (p *Plan) latency(m Machine) float64 {
	var t float64
	if p.n > 0 {
		t = m.Meet
	}
	for _, s := range p.steps[:p.n] {
		if s.Level == Inter {
			t += s.Hops * m.Inter.Latency
		} else {
			t += s.Hops * m.intra(s.Kind).Latency
		}
	}
	return t
}
