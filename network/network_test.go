package network

import (
	"math"
	"testing"

	"planc/ir"
)

// dgx is eight devices per node on a 300 GB/s, 2 µs switch; 200 GB/s, 4 µs
// between nodes (hw/selene).
var dgx = Machine{PerNode: 8, Intra: Link{2e-6, 300e9}, Inter: Link{4e-6, 200e9}}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12+1e-9*math.Abs(b) }

// TestCollectiveClosedForms checks every kind against the alpha-beta closed
// forms of docs/cost-model.md, inside a node and across nodes.
func TestCollectiveClosedForms(t *testing.T) {
	const n = 64e6
	ai, bi := dgx.Intra.Latency, dgx.Intra.Bandwidth
	ae, be := dgx.Inter.Latency, dgx.Inter.Bandwidth
	ringAR := func(p float64, a, bw, n float64) float64 { return 2*(p-1)*a + 2*(p-1)/p*n/bw }
	ring := func(p float64, a, bw, n float64) float64 { return (p-1)*a + (p-1)/p*n/bw }
	for _, c := range []struct {
		name  string
		kind  ir.CollKind
		pl    Placement
		share int
		alg   Algorithm
		want  float64
	}{
		{"all-reduce in a node", ir.AllReduce, Placement{8, 1, 8}, 8, Ring, ringAR(8, ai, bi, n)},
		{"reduce-scatter in a node", ir.ReduceScatter, Placement{8, 1, 8}, 8, Ring, ring(8, ai, bi, n)},
		{"all-gather in a node", ir.AllGather, Placement{4, 1, 4}, 8, Ring, ring(4, ai, bi, n)},
		{"all-to-all in a node", ir.AllToAll, Placement{8, 1, 8}, 8, Pairwise, ring(8, ai, bi, n)},
		{"broadcast in a node", ir.Broadcast, Placement{8, 1, 8}, 8, Tree, 3*ai + n/bi},
		{"send in a node", ir.SendRecv, Placement{2, 1, 2}, 8, Direct, ai + n/bi},
		{"send across nodes", ir.SendRecv, Placement{2, 2, 1}, 1, Direct, ae + n/be},
		{"all-reduce over 4 nodes, 8 each", ir.AllReduce, Placement{32, 4, 8}, 8, Hierarchical,
			ring(8, ai, bi, n) + ringAR(4, ae, be/8, n/8) + ring(8, ai, bi, n)},
		{"all-gather over 4 nodes, 2 each", ir.AllGather, Placement{8, 4, 2}, 8, Hierarchical,
			ring(2, ai, bi, n) + ring(4, ae, be/8, n/2)},
		{"all-to-all over 2 nodes", ir.AllToAllV, Placement{16, 2, 8}, 8, Pairwise,
			15*ae + math.Max(n*7/16/bi, n*8/16/(be/8))},
		{"broadcast over 2 nodes", ir.Broadcast, Placement{16, 2, 8}, 8, Hierarchical, ae + n/(be/8) + 3*ai + n/bi},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := dgx.Collective(c.kind, c.pl, n)
			if plan.Alg != c.alg {
				t.Errorf("algorithm %s, want %s", plan.Alg, c.alg)
			}
			if got := plan.Time(dgx, c.share); !near(got, c.want) {
				t.Errorf("time %.9g s, want %.9g s", got, c.want)
			}
		})
	}
}

// TestChooseInterNodeTree: the inter-node step of a hierarchical all-reduce
// is a tree for a small, latency-bound buffer and a ring for a large one,
// and the choice is the faster of the two.
func TestChooseInterNodeTree(t *testing.T) {
	pl := Placement{Ranks: 64, Nodes: 64, PerNode: 1}
	for _, c := range []struct {
		n    float64
		want Algorithm
	}{{8, Tree}, {1 << 34, Ring}} {
		plan := dgx.Collective(ir.AllReduce, pl, c.n)
		if got := plan.Steps()[1].Alg; got != c.want {
			t.Errorf("%g bytes over 64 nodes: inter-node %s, want %s", c.n, got, c.want)
		}
		ring, tree := flat(ir.AllReduce, Ring, Inter, 64, c.n), flat(ir.AllReduce, Tree, Inter, 64, c.n)
		best := math.Min(dgx.Inter.time(ring), dgx.Inter.time(tree))
		if got := plan.Time(dgx, 1); !near(got, best) {
			t.Errorf("%g bytes: time %g, want the faster %g", c.n, got, best)
		}
	}
}

// TestNodeCostMatchesTime: for a group alone on its nodes, the simulator's
// split (fixed time plus NIC bytes at the node's bandwidth) is the plan's
// time with the group's own ranks sharing the NICs.
func TestNodeCostMatchesTime(t *testing.T) {
	for _, kind := range []ir.CollKind{ir.AllReduce, ir.ReduceScatter, ir.AllGather, ir.AllToAll, ir.SendRecv, ir.Broadcast} {
		for _, pl := range []Placement{{8, 1, 8}, {16, 2, 8}, {8, 4, 2}, {4, 4, 1}} {
			plan := dgx.Collective(kind, pl, 3e6)
			fixed, nic := plan.NodeCost(dgx)
			want := plan.Time(dgx, pl.PerNode)
			if got := fixed + nic/dgx.Inter.Bandwidth; !near(got, want) {
				t.Errorf("%s over %+v: fixed %g + nic %g B = %g s, plan %g s", kind, pl, fixed, nic, got, want)
			}
		}
	}
}

func TestPlace(t *testing.T) {
	for _, c := range []struct {
		group   []int
		perNode int
		want    Placement
	}{
		{[]int{0, 1, 2, 3}, 8, Placement{4, 1, 4}},
		{[]int{0, 8, 16, 24}, 8, Placement{4, 4, 1}},
		{[]int{0, 1, 8, 9, 10}, 8, Placement{5, 2, 3}},
		{[]int{5}, 0, Placement{1, 1, 1}},
	} {
		if got := Place(c.group, c.perNode); got != c.want {
			t.Errorf("Place(%v, %d) = %+v, want %+v", c.group, c.perNode, got, c.want)
		}
	}
}

// TestRingSendBusBytes: what the members of a ring send adds up to the
// bus-bandwidth factor of the kind times the buffer, per member, when p
// divides n; uneven chunks and uneven all-gather parts are counted exactly.
func TestRingSendBusBytes(t *testing.T) {
	for _, kind := range []ir.CollKind{ir.AllReduce, ir.ReduceScatter, ir.AllGather} {
		for _, p := range []int{2, 3, 4, 8} {
			n := int64(24 * 7)
			var sum int64
			for i := 0; i < p; i++ {
				sum += RingSend(kind, n, p, i, nil)
			}
			if want := kind.BusFactor(p) * float64(n) * float64(p); !near(float64(sum), want) {
				t.Errorf("%s over %d: members send %d elements, want %g", kind, p, sum, want)
			}
		}
	}
	// all-gather of parts 3, 1, 2: member i sends all but its successor's part
	parts := []int64{3, 1, 2}
	part := func(j int) int64 { return parts[j] }
	for i, want := range []int64{5, 4, 3} {
		if got := RingSend(ir.AllGather, 6, 3, i, part); got != want {
			t.Errorf("all-gather member %d sends %d, want %d", i, got, want)
		}
	}
	// a chain broadcast from member 2 of 4: every member but member 1 (the
	// chain's last) forwards the buffer
	for i, want := range []int64{10, 0, 10, 10} {
		if got := ChainSend(10, 4, 2, i); got != want {
			t.Errorf("broadcast member %d sends %d, want %d", i, got, want)
		}
	}
	if got := Chunks(7, 3); got[0] != 3 || got[1] != 2 || got[2] != 2 {
		t.Errorf("Chunks(7, 3) = %v, want [3 2 2]", got)
	}
	for j := 0; j < 3; j++ {
		if Chunk(7, 3, j) != int64(Chunks(7, 3)[j]) {
			t.Errorf("Chunk(7, 3, %d) differs from Chunks", j)
		}
	}
}

// TestForwardInside: redundancy-bypassing dispatch moves inter-node bytes to
// the intra-node link and keeps the total.
func TestForwardInside(t *testing.T) {
	plan := dgx.Collective(ir.AllToAllV, Placement{16, 2, 8}, 1e6)
	fwd := plan.ForwardInside(0.25)
	total := func(p *Plan) (s float64) {
		for _, st := range p.Steps() {
			s += st.Bytes
		}
		return
	}
	if !near(total(&fwd), total(&plan)) {
		t.Errorf("total bytes %g, want %g", total(&fwd), total(&plan))
	}
	if !near(fwd.InterBytes(), 0.25*plan.InterBytes()) {
		t.Errorf("inter-node bytes %g, want a quarter of %g", fwd.InterBytes(), plan.InterBytes())
	}
}

// TestNothingToMove: a group of one, or an empty buffer, costs nothing.
func TestNothingToMove(t *testing.T) {
	for _, kind := range ir.CollKinds {
		plan := dgx.Collective(kind, Placement{1, 1, 1}, 1e6)
		if got := plan.Time(dgx, 1); got != 0 {
			t.Errorf("%s over one rank: %g s", kind, got)
		}
	}
	empty := dgx.Collective(ir.AllReduce, Placement{8, 1, 8}, 0)
	if got := empty.Time(dgx, 8); got != 0 {
		t.Errorf("empty all-reduce: %g s", got)
	}
}

// BenchmarkCollectiveTime prices the collectives a cost model prices per
// plan (the planner's inner loop): inside a node and across nodes.
func BenchmarkCollectiveTime(b *testing.B) {
	pls := []Placement{{8, 1, 8}, {64, 8, 8}, {16, 16, 1}}
	kinds := []ir.CollKind{ir.AllReduce, ir.ReduceScatter, ir.AllGather, ir.SendRecv}
	var sink float64
	for i := 0; i < b.N; i++ {
		pl, k := pls[i%len(pls)], kinds[i%len(kinds)]
		plan := dgx.Collective(k, pl, float64(1<<20+i))
		sink += plan.Time(dgx, 8)
	}
	_ = sink
}

// TestPricerAgreesWithPlan: the pricer's linear forms give the plan's time
// at every size, on both sides of the tree/ring cut, with an adjustment.
func TestPricerAgreesWithPlan(t *testing.T) {
	fwd := func(p Plan) Plan { return p.ForwardInside(0.3) }
	for _, kind := range ir.CollKinds {
		for _, pl := range []Placement{{1, 1, 1}, {8, 1, 8}, {16, 2, 8}, {8, 4, 2}, {64, 64, 1}, {2, 2, 1}} {
			for _, adjust := range []func(Plan) Plan{nil, fwd} {
				pr := dgx.Pricer(kind, pl, 4, adjust)
				for _, n := range []float64{0, 1, 1e3, 4e5, 3e6, 1e9, 1 << 34} {
					plan := dgx.Collective(kind, pl, n)
					if adjust != nil {
						plan = adjust(plan)
					}
					want := plan.Time(dgx, 4)
					if got := pr.Time(n); math.Abs(got-want) > 1e-12*math.Max(want, 1e-9) {
						t.Errorf("%s over %+v, %g B: pricer %.12g s, plan %.12g s", kind, pl, n, got, want)
					}
				}
			}
		}
	}
}

// TestGlobalBandwidthTapersAllToAll: on a network of groups of 2 nodes
// whose global links give each node 1/8 of its injection bandwidth, an
// all-to-all over 8 nodes sends 6 of each node's 7 partners' messages out
// of its group: its inter-node term is the larger of bytes/inter_bw and
// 6/7·bytes/global_bw, the latter here. Rings, all-to-alls inside one
// group and a flat network are not slowed; MachineOf reads the cluster.
func TestGlobalBandwidthTapersAllToAll(t *testing.T) {
	const n = 64e6
	flat := dgx
	tapered := dgx
	tapered.GroupNodes, tapered.GlobalBW = 2, dgx.Inter.Bandwidth/8
	pl := Placement{64, 8, 8}
	for _, share := range []int{1, 8} {
		pf := flat.Collective(ir.AllToAll, pl, n)
		pt := tapered.Collective(ir.AllToAll, pl, n)
		inter := n * 56 / 64 // the bytes each rank sends to other nodes
		got := pt.Time(tapered, share) - pf.Time(flat, share)
		want := inter*6/7/(tapered.GlobalBW/float64(share)) - inter/(flat.Inter.Bandwidth/float64(share))
		if !near(got, want) {
			t.Errorf("share %d: the taper adds %g s, want %g s", share, got, want)
		}
		pr := tapered.Pricer(ir.AllToAll, pl, share, nil)
		if !near(pr.Time(n), pt.Time(tapered, share)) {
			t.Errorf("share %d: pricer %g s, plan %g s", share, pr.Time(n), pt.Time(tapered, share))
		}
	}
	for _, c := range []struct {
		name string
		kind ir.CollKind
		pl   Placement
	}{
		{"ring all-reduce over 8 nodes", ir.AllReduce, pl},
		{"all-gather over 8 nodes", ir.AllGather, pl},
		{"all-to-all inside one group", ir.AllToAll, Placement{16, 2, 8}},
	} {
		a, b := flat.Collective(c.kind, c.pl, n), tapered.Collective(c.kind, c.pl, n)
		if x, y := a.Time(flat, 8), b.Time(tapered, 8); !near(x, y) {
			t.Errorf("%s: %g s tapered, %g s flat", c.name, y, x)
		}
	}
	m := MachineOf(&ir.Cluster{Node: &ir.Node{Devices: 8, IntraBW: 1, IntraLatency: 1}, InterBW: 100e9, GroupNodes: 128, GlobalBW: 25e9})
	if m.GroupNodes != 128 || m.GlobalBW != 25e9 {
		t.Errorf("MachineOf: group %d, global %g", m.GroupNodes, m.GlobalBW)
	}
}

// TestIntraKindLinks: a machine whose intra-node reduce-scatter and
// all-gather have their own ring steps prices those two kinds with them
// (latency and bandwidth each where set) and every other kind, and the
// inter-node steps, as before.
func TestIntraKindLinks(t *testing.T) {
	base := Machine{PerNode: 2, Intra: Link{0.5e-6, 10e9}, Inter: Link{4e-6, 1e9}}
	own := base
	own.IntraRS = Link{2.5e-6, 11e9}
	own.IntraAG = Link{1.8e-6, 0} // bandwidth not measured: the intra link's
	pl := Place([]int{0, 1}, 2)
	const n = 8192.0
	for _, c := range []struct {
		kind ir.CollKind
		want float64
	}{
		{ir.ReduceScatter, 2.5e-6 + n/2/11e9},
		{ir.AllGather, 1.8e-6 + n/2/10e9},
		{ir.AllReduce, 2 * (0.5e-6 + n/2/10e9)},
	} {
		p := own.Collective(c.kind, pl, n)
		if got := p.Time(own, 1); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%v: %g s, want %g", c.kind, got, c.want)
		}
		fixed, _ := p.NodeCost(own)
		if math.Abs(fixed-c.want) > 1e-15 {
			t.Errorf("%v: node cost %g s, want %g", c.kind, fixed, c.want)
		}
		b := base.Collective(c.kind, pl, n)
		if c.kind == ir.AllReduce && b.Time(base, 1) != p.Time(own, 1) {
			t.Errorf("all-reduce moved with the other kinds' links")
		}
	}
}

// TestMeetOncePerCall: a machine's wait per call (Machine.Meet, the
// in-process transport's meeting) is paid once by every kind of call,
// however many ring steps it has, in Plan.Time, the Pricer and NodeCost
// alike; nothing is paid where there is nothing to move.
func TestMeetOncePerCall(t *testing.T) {
	const meet = 10e-6
	base := Machine{PerNode: 4, Intra: Link{1e-6, 10e9}, Inter: Link{5e-6, 1e9}}
	with := base
	with.Meet = meet
	for _, kind := range []ir.CollKind{ir.AllReduce, ir.ReduceScatter, ir.AllGather, ir.AllToAll, ir.SendRecv} {
		for _, pl := range []Placement{Place([]int{0, 1}, 4), Place([]int{0, 1, 2, 3}, 4), Place([]int{0, 4}, 4)} {
			const n = 1 << 16
			p0, p1 := base.Collective(kind, pl, n), with.Collective(kind, pl, n)
			if got := p1.Time(with, 1) - p0.Time(base, 1); math.Abs(got-meet) > 1e-12 {
				t.Errorf("%v over %+v: the wait adds %g s, want %g once", kind, pl, got, meet)
			}
			pr0, pr1 := base.Pricer(kind, pl, 1, nil), with.Pricer(kind, pl, 1, nil)
			if got := pr1.Time(n) - pr0.Time(n); math.Abs(got-meet) > 1e-12 {
				t.Errorf("%v over %+v: the pricer adds %g s, want %g", kind, pl, got, meet)
			}
			f0, _ := p0.NodeCost(base)
			f1, _ := p1.NodeCost(with)
			if math.Abs(f1-f0-meet) > 1e-12 {
				t.Errorf("%v over %+v: NodeCost's fixed part adds %g s, want %g", kind, pl, f1-f0, meet)
			}
		}
	}
	one := Place([]int{3}, 4)
	if p := with.Collective(ir.AllReduce, one, 1<<10); p.Time(with, 1) != 0 {
		t.Errorf("a group of one pays %g s", p.Time(with, 1))
	}
}
