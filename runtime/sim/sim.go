// Package sim is a discrete-event simulator of runtime schedules. It executes
// an [ir.Schedule] with the semantics documented in package ir (blocking
// compute and recvs, asynchronous sends and collectives, one collective
// stream per rank), taking every duration from a [Costs] model, and reports
// the step time, each rank's busy, exposed-communication and idle time, the
// pipeline bubble, and optionally the timeline.
//
// Contention: every node has one inter-node NIC resource per direction
// (egress, ingress) of Config.NICBandwidth bytes/s (all its NICs together).
// A transfer or collective that crosses nodes first spends its fixed time
// (latency, intra-node legs), then moves its NIC bytes through the NICs of
// the nodes it touches; concurrent flows share a NIC equally, so a flow's rate
// is the smallest share among its NICs, recomputed whenever a flow starts or
// ends on one of them. Alone on its NICs a flow takes exactly its cost
// model's time. Intra-node links are per device and not shared.
//
// Accounting: busy time is compute; exposed communication is time a rank
// cannot compute because of communication (a stage's internal tp/cp/ep
// collectives, and the part of a wait for a recv, a gather or a reduction
// after its last participant arrived); idle time is the rest of the step
// (pipeline bubble and imbalance). The bubble fraction is Σ idle / Σ busy
// over ranks: on uniform costs it is the closed-form bubble time (docs/cost-model.md) over ideal
// compute time.
package sim

import (
	"fmt"
	"math"
	"strings"

	"planc/ir"
)

// CommCost is the cost of a transfer or collective alone on the network.
type CommCost struct {
	// Fixed is the time not subject to NIC sharing: latencies and
	// intra-node legs.
	Fixed float64
	// NICBytes is what each node it touches moves through its NICs in each
	// direction.
	NICBytes float64
}

// Costs gives the simulator its durations.
type Costs interface {
	// Compute returns the duration of compute action a (F, B, W, OPTIMIZER)
	// on rank r: compute seconds, and the seconds of the stage's internal
	// collectives that sit on the critical path.
	Compute(s *ir.Schedule, r int, a ir.Action) (compute, comm float64)
	// Comm returns the cost of send, recv or collective action a on rank r.
	// For a send/recv pair the sender's cost is used.
	Comm(s *ir.Schedule, r int, a ir.Action) CommCost
}

// Config configures a simulation.
type Config struct {
	Costs Costs
	// RanksPerNode places rank r on node r / RanksPerNode (0: every rank
	// on its own node).
	RanksPerNode int
	// NICBandwidth is a node's inter-node bandwidth per direction, bytes/s;
	// 0 disables contention (NIC bytes then take no time).
	NICBandwidth float64
	// Trace records every action as an [Event].
	Trace bool
	// TraceSimulated keeps only the simulated ranks' events in the trace:
	// under tensor-parallel and replica symmetry each stands for the copies
	// it proves identical, whose events are then not materialized (an
	// inspector that folds identical ranks needs them once, not tp times).
	TraceSimulated bool
	// NoSymmetry simulates every rank even where tensor-parallel symmetry
	// is exact (see Run).
	NoSymmetry bool
	// MemoryLimit, when positive, refuses to expand a folded schedule that
	// cannot be simulated folded into more bytes of actions than this.
	MemoryLimit int64
}

// Event is one interval of the timeline.
type Event struct {
	Rank   int32
	Stream uint8 // 0 compute, 1 communication
	Kind   ir.ActionKind
	Action int32 // index in the rank's list
	Start  float64
	Dur    float64
}

// Stream numbers of [Event].
const (
	StreamCompute = 0
	StreamComm    = 1
)

// Result is the outcome of simulating one step.
type Result struct {
	StepTime float64
	// Per rank: compute, exposed communication and idle seconds; they add
	// up to StepTime.
	Busy, Exposed, Idle []float64
	// BubbleFraction is Σ Idle / Σ Busy.
	BubbleFraction float64
	// ExposedFraction is Σ Exposed / (StepTime · ranks).
	ExposedFraction float64
	// Simulated is the number of ranks actually simulated: fewer than the
	// schedule's when tensor-parallel or replica symmetry was exact (see
	// Run).
	Simulated int
	// Events is the timeline (Config.Trace): every rank's, or with
	// Config.TraceSimulated only the simulated ranks'. Of[r] is the
	// simulated rank whose timeline rank r has: the ranks it stands for are
	// identical to it (see [Result.EventsOf]).
	Events []Event
	Of     []int32
}

// EventsOf returns rank r's timeline: its simulated rank's events, named r.
func (res *Result) EventsOf(r int32) []Event {
	var out []Event
	of := res.Of[r]
	for _, e := range res.Events {
		if e.Rank == of {
			e.Rank = r
			out = append(out, e)
		}
	}
	return out
}

// AllEvents returns every rank's timeline, the symmetric copies written
// out: for small schedules and tests.
func (res *Result) AllEvents() []Event {
	var out []Event
	res.eachEvent(func(e Event) { out = append(out, e) })
	return out
}

// eachEvent calls f with every rank's events: the simulated ranks' as
// simulated, then each copy's in turn (the c-th copy of every simulated
// rank, c = 1, 2, ...), each in simulation order.
func (res *Result) eachEvent(f func(Event)) {
	copies := map[int32][]int32{}
	var base []Event
	for _, e := range res.Events {
		if res.Of[e.Rank] == e.Rank {
			base = append(base, e)
			f(e)
		}
	}
	for r, of := range res.Of {
		if of != int32(r) {
			copies[of] = append(copies[of], int32(r))
		}
	}
	for c := 0; ; c++ {
		more := false
		for _, e := range base {
			if cs := copies[e.Rank]; c < len(cs) {
				e.Rank = cs[c]
				f(e)
				more = true
			}
		}
		if !more {
			return
		}
	}
}

// flow is one transfer or collective in flight.
// flow is one transfer or collective in flight.
type flow struct {
	fixedEnd  float64 // when the fixed part ends
	remaining float64 // NIC bytes left
	rate      float64
	updated   float64 // time remaining was last brought up to date
	weight    int32   // identical copies of it on the same NICs (symmetry)
	nics      []int32 // resources: 2·node (egress), 2·node+1 (ingress)
	onNICs    bool
	version   int32
	done      bool
	doneAt    float64
	start     float64
	ready     float64 // when the last participant arrived
	waiters   []int32
	coll      *instance
	// the action that started it, for tracing
	rank   int32 // simulated rank index
	action int32
	kind   ir.ActionKind
}

// instance is the k-th collective call on a group.
type instance struct {
	group   int32
	size    int // simulated members
	arrived int
	atHead  int
	lastArr float64
	action  ir.Action
	rank    int32 // the first member that issued it (whose cost is used)
	index   int32
	members []int32         // simulated member indexes
	idx     map[int32]int32 // each member's action index, for tracing
	f       *flow
	done    bool
	waiters []int32 // ranks blocked on its completion
}

// event is a rank resuming (f == nil) or a flow reaching a milestone.
type event struct {
	t       float64
	seq     uint32
	rank    int32
	version int32
	issue   int32 // > 0: issue the rank's action issue-1 (a gradient bucket) now
	f       *flow
}

// eventQueue is a binary min-heap on (t, seq).
type eventQueue []event

func (q eventQueue) less(i, j int) bool {
	if q[i].t != q[j].t {
		return q[i].t < q[j].t
	}
	return q[i].seq < q[j].seq
}

func (q *eventQueue) push(e event) {
	*q = append(*q, e)
	h := *q
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *eventQueue) pop() event {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}

type p2pKey struct {
	src, dst int32
	kind     ir.ActionKind
	stage    int32
	mb       int32
}

func sendKey(r int32, a ir.Action) p2pKey {
	if a.Kind.IsSend() {
		return p2pKey{r, a.Peer, a.Kind, a.Stage, a.MB}
	}
	st := a.Stage - 1
	if a.Kind == ir.ActRecvB {
		st = a.Stage + 1
	}
	return p2pKey{a.Peer, r, a.Kind.Matching(), st, a.MB}
}

type gk struct{ g, k int32 }

// simGroup is a schedule group seen by the simulated ranks.
type simGroup struct {
	members []int32 // simulated indexes
	weight  int32   // identical copies of each of its collectives
	nics    []int32
}

// simulator holds the state of one run. It simulates the ranks real[0..n):
// all ranks, or with tensor-parallel symmetry one rank per tp group.
type simulator struct {
	s      *ir.Schedule
	cfg    Config
	now    float64
	seq    uint32
	q      eventQueue
	real   []int32 // simulated index → rank
	simOf  []int32 // rank → simulated index (-1: a symmetric copy)
	repOf  []int32 // rank → the simulated rank it is a copy of (itself if simulated)
	copies int32   // tensor-parallel copies each simulated rank's flows stand for on its NICs
	groups []*simGroup

	pc    []int
	clock []float64 // when each rank may go on
	// per rank: the send flows and collective instances that later actions
	// wait for (Dep targets only), the blocking collective being waited
	// for, the pending collective stream, the calls per group
	depFlow  []map[int32]*flow
	depColl  []map[int32]*instance
	blocking []*instance
	stream   [][]*instance
	calls    []map[int32]int32
	recvWait map[p2pKey]int32
	insts    map[gk]*instance
	sends    map[p2pKey]*flow
	nicLoad  []int32
	nicFlow  [][]*flow
	busy     []float64
	exposed  []float64
	events   []Event
	blocked  []bool
	waitFrom []float64 // when a blocked rank started waiting
	waitOn   []*instance
	// preIssued[i] holds the gradient buckets rank i issued while the
	// backward that produced them ran.
	preIssued []map[int32]bool
	// commEnd[i] is when rank i's latest transfer or collective ended.
	commEnd []float64
}

// Run simulates one step of s.
//
// A schedule that fails [ir.Schedule.CheckStructure] is refused.
func Run(s *ir.Schedule, cfg Config) (*Result, error) {
	if probs := s.CheckStructure(); len(probs) > 0 {
		return nil, fmt.Errorf("sim: malformed schedule: %s", strings.Join(probs, "; "))
	}
	sm := &simulator{s: s, cfg: cfg, recvWait: map[p2pKey]int32{}, insts: map[gk]*instance{}, sends: map[p2pKey]*flow{}}
	if err := sm.reduce(); err != nil {
		return nil, err
	}
	s = sm.s // refolded or expanded
	n := len(sm.real)
	sm.pc = make([]int, n)
	sm.clock = make([]float64, n)
	sm.depFlow = make([]map[int32]*flow, n)
	sm.depColl = make([]map[int32]*instance, n)
	sm.blocking = make([]*instance, n)
	sm.stream = make([][]*instance, n)
	sm.calls = make([]map[int32]int32, n)
	sm.busy = make([]float64, n)
	sm.exposed = make([]float64, n)
	sm.blocked = make([]bool, n)
	sm.waitFrom = make([]float64, n)
	sm.waitOn = make([]*instance, n)
	sm.preIssued = make([]map[int32]bool, n)
	sm.commEnd = make([]float64, n)
	sm.groups = make([]*simGroup, len(s.Groups))
	nodes := len(s.Ranks)
	if cfg.RanksPerNode > 0 {
		nodes = (len(s.Ranks) + cfg.RanksPerNode - 1) / cfg.RanksPerNode
	}
	sm.nicLoad = make([]int32, 2*nodes)
	sm.nicFlow = make([][]*flow, 2*nodes)
	for i := range n {
		sm.calls[i] = map[int32]int32{}
		for _, a := range sm.actions(i) {
			if a.Dep >= 0 {
				if sm.depFlow[i] == nil {
					sm.depFlow[i], sm.depColl[i] = map[int32]*flow{}, map[int32]*instance{}
				}
				sm.depFlow[i][a.Dep] = nil
			}
		}
		sm.push(event{t: 0, rank: int32(i)})
	}
	for len(sm.q) > 0 {
		ev := sm.q.pop()
		sm.now = ev.t
		if ev.f != nil {
			if ev.version != ev.f.version || ev.f.done {
				continue
			}
			sm.advanceFlow(ev.f)
			continue
		}
		if ev.issue > 0 {
			sm.preIssue(int(ev.rank), int(ev.issue-1))
			continue
		}
		sm.runRank(int(ev.rank))
	}
	var stuck []string
	for i := range n {
		if sm.pc[i] < len(sm.actions(i)) {
			a := sm.actions(i)[sm.pc[i]]
			stuck = append(stuck, fmt.Sprintf("rank %d: action %d %s", sm.real[i], sm.pc[i], s.ActionString(a)))
			if len(stuck) == 5 {
				break
			}
		}
	}
	if len(stuck) > 0 {
		return nil, fmt.Errorf("sim: the schedule deadlocks (run the verifier): %v", stuck)
	}
	return sm.result(), nil
}

// result spreads the simulated ranks' figures over all ranks.
func (sm *simulator) result() *Result {
	nr := len(sm.s.Ranks)
	res := &Result{Busy: make([]float64, nr), Exposed: make([]float64, nr), Idle: make([]float64, nr), Simulated: len(sm.real)}
	step := sm.now
	for i := range sm.real {
		step = math.Max(step, sm.clock[i])
	}
	res.StepTime = step
	var busy, idle, exposed float64
	for i := range sm.real {
		// Collectives still running when the rank's program is done (the
		// ZeRO parameter gathers after the optimizer) are exposed too.
		if tail := sm.commEnd[i] - sm.clock[i]; tail > 0 {
			sm.exposed[i] += tail
		}
	}
	for r := range nr {
		i := sm.simOf[sm.repOf[r]]
		res.Busy[r], res.Exposed[r] = sm.busy[i], sm.exposed[i]
		res.Idle[r] = step - res.Busy[r] - res.Exposed[r]
		if res.Idle[r] < 0 && res.Idle[r] > -1e-9*step {
			res.Idle[r] = 0
		}
		busy += res.Busy[r]
		idle += res.Idle[r]
		exposed += res.Exposed[r]
	}
	if busy > 0 {
		res.BubbleFraction = idle / busy
	}
	if step > 0 {
		res.ExposedFraction = exposed / (step * float64(nr))
	}
	res.Of = sm.repOf
	if sm.cfg.Trace {
		res.Events = sm.events
		if !sm.cfg.TraceSimulated {
			// Every rank's timeline written out: its simulated rank's.
			res.Events = res.AllEvents()
		}
	}
	return res
}

// reduce chooses the simulated ranks, by two symmetries that make
// timelines identical:
//
//   - Ranks that differ only in their tensor-parallel index run the same
//     program (peers and groups shifted by the tp index) and, when a tp
//     group sits inside one node, use the same NICs at the same times: one
//     stands for all, its flows counting tp times on the NICs. Applied when
//     the costs say they do not depend on the tp index and a check of every
//     program confirms the symmetry.
//   - The replica blocks of a folded schedule ([ir.Schedule.Folded]) run
//     the same programs moved by whole blocks of dp indices. When a block
//     fills whole nodes (its dp·cp·tp ranks per pipeline stage are a
//     multiple of the ranks per node), moving it maps nodes onto nodes, so
//     every node's NICs carry what the simulated block's nodes carry: only
//     the ranks of one block (of as many dp indices as that takes) are
//     simulated, and a flow over a group that spans blocks uses the NICs
//     of its members' images in the simulated block. Applied when the
//     costs say they do not depend on the dp index; a folded schedule that
//     cannot be simulated folded is expanded.
func (sm *simulator) reduce() error {
	s := sm.s
	nr := len(s.Ranks)
	m := s.Mesh
	block := m.DP // dp indices simulated
	if s.Folded() {
		if k := sm.replicaBlock(); k > 0 {
			block = k
			sm.s = s.Refold(k)
		} else if need := int64(s.NumActions()) * ir.ActionBytes; sm.cfg.MemoryLimit > 0 && need > sm.cfg.MemoryLimit {
			return fmt.Errorf("sim: the replica blocks of this schedule do not fill whole nodes, so every rank would be simulated: %d actions, about %.3g GiB, more than the %.3g GiB available", s.NumActions(), float64(need)/(1<<30), float64(sm.cfg.MemoryLimit)/(1<<30))
		} else {
			sm.s = s.Expand()
		}
		s = sm.s
	}
	tp := m.TP
	inv, ok := sm.cfg.Costs.(interface{ TPInvariant() bool })
	tpFold := !sm.cfg.NoSymmetry && tp > 1 && ok && inv.TPInvariant() && sm.cfg.RanksPerNode > 0 && sm.cfg.RanksPerNode%tp == 0 && tpSymmetric(s)
	sm.copies = 1
	if tpFold {
		sm.copies = int32(tp)
	}
	sm.simOf = make([]int32, nr)
	sm.repOf = make([]int32, nr)
	for r := range nr {
		c := m.Coord(r)
		if tpFold {
			c.TP = 0
		}
		c.DP %= block
		rep := int32(m.Rank(c))
		sm.repOf[r] = rep
		sm.simOf[r] = -1
		if rep == int32(r) {
			sm.simOf[r] = int32(len(sm.real))
			sm.real = append(sm.real, int32(r))
		}
	}
	return nil
}

// replicaBlock returns how many dp indices of a folded schedule to
// simulate: the fewest that are a multiple of its block, divide dp and
// fill whole nodes (any block does when all ranks share one node or each
// has its own); 0 when replica symmetry does not apply.
func (sm *simulator) replicaBlock() int {
	s := sm.s
	m := s.Mesh
	inv, ok := sm.cfg.Costs.(interface{ DPInvariant() bool })
	if sm.cfg.NoSymmetry || !ok || !inv.DPInvariant() {
		return 0
	}
	rpn := sm.cfg.RanksPerNode
	if rpn <= 0 || rpn >= len(s.Ranks) {
		// every rank on its own node, or all on one: moving a block
		// maps nodes onto nodes
		return s.FoldDP
	}
	per := m.CP * m.TP // ranks per dp index within a pipeline stage
	for k := s.FoldDP; k < m.DP; k += s.FoldDP {
		if m.DP%k == 0 && (k*per)%rpn == 0 {
			return k
		}
	}
	return 0
}

// tpSymmetric reports whether every rank's program is its tp-0 rank's with
// peers and groups shifted by its tp index; a kv group (the tp ranks that
// share a replicated key/value head, see ir.AxisKV) is shifted by the
// start of the rank's kv block instead: the image of the tp-0 rank's
// block.
func tpSymmetric(s *ir.Schedule) bool {
	tp := int32(s.Mesh.TP)
	kv := int32(max(s.Mesh.KV, 1))
	if s.Mesh.Size() != len(s.Ranks) {
		return false
	}
	// Only the stored programs of a folded schedule are compared: the
	// others are their moves.
	// shifted[g] caches whether group g shifted by t is group h.
	same := func(g, h int32, t int32) bool {
		if g == h {
			// A group holding all tp ranks is its own shift.
			G := s.Groups[g]
			seen := ir.NewMemberSet(G)
			for _, x := range G {
				if !seen.Has(x - x%tp + (x%tp+t)%tp) {
					return false
				}
			}
			return true
		}
		a, b := s.Groups[g], s.Groups[h]
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i]+t != b[i] || a[i]%tp != 0 {
				return false
			}
		}
		return true
	}
	// kvImage reports whether group h is group g, held within the first
	// kv block of its tp rows, moved to the kv block of tp index t.
	kvImage := func(g, h int32, t int32) bool {
		if g == h {
			return t < kv // the tp-0 rank's own block
		}
		a, b := s.Groups[g], s.Groups[h]
		if kv < 2 || len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i]+t/kv*kv != b[i] || a[i]%tp >= kv {
				return false
			}
		}
		return true
	}
	type pair struct{ g, h, t int32 }
	memo := map[pair]bool{}
	for r := range s.Ranks {
		t := int32(r) % tp
		if t == 0 || !s.Stored(r) {
			continue
		}
		ra, rb := s.Ranks[r-int(t)].Actions, s.Ranks[r].Actions
		if len(ra) != len(rb) {
			return false
		}
		for i := range ra {
			a, b := ra[i], rb[i]
			if a.Kind != b.Kind || a.Coll != b.Coll || a.Stage != b.Stage || a.MB != b.MB || a.Bucket != b.Bucket || a.Dep != b.Dep || a.Bytes != b.Bytes {
				return false
			}
			if (a.Peer < 0) != (b.Peer < 0) || (a.Peer >= 0 && (a.Peer+t != b.Peer || a.Peer%tp != 0)) {
				return false
			}
			if (a.Group < 0) != (b.Group < 0) {
				return false
			}
			if a.Group >= 0 {
				k := pair{a.Group, b.Group, t}
				v, ok := memo[k]
				if !ok {
					v = same(a.Group, b.Group, t) || kvImage(a.Group, b.Group, t)
					memo[k] = v
				}
				if !v {
					return false
				}
			}
		}
	}
	return true
}

func (sm *simulator) actions(i int) []ir.Action { return sm.s.Ranks[sm.real[i]].Actions }

func (sm *simulator) push(e event) {
	e.seq = sm.seq
	sm.seq++
	sm.q.push(e)
}

func (sm *simulator) node(r int32) int32 {
	if sm.cfg.RanksPerNode <= 0 {
		return r
	}
	return r / int32(sm.cfg.RanksPerNode)
}

// group returns group g as the simulated ranks see it.
func (sm *simulator) group(g int32) *simGroup {
	if sg := sm.groups[g]; sg != nil {
		return sg
	}
	sg := &simGroup{weight: 1}
	full := sm.s.Groups[g]
	tps := map[int32]bool{} // the tp indices among its members
	lo, hi := full[0], full[0]
	for _, r := range full {
		if i := sm.simOf[r]; i >= 0 {
			sg.members = append(sg.members, i)
		}
		tps[r%int32(sm.s.Mesh.TP)] = true
		lo, hi = min(lo, r), max(hi, r)
	}
	// Its images under the tp shifts are copies sharing its NICs: tp over
	// the tp indices it already holds (tp for a group of one tp index,
	// 1 for a group holding all of them).
	sg.weight = max(sm.copies/int32(len(tps)), 1)
	if sm.node(lo) == sm.node(hi) {
		sm.groups[g] = sg
		return sg // inside one node: no NIC
	}
	// Members in other replica blocks use the NICs of their images in the
	// simulated block, which carry the same flows.
	seen := map[int32]bool{}
	for _, r := range full {
		nd := sm.node(sm.repOf[r])
		if !seen[nd] {
			seen[nd] = true
			sg.nics = append(sg.nics, 2*nd, 2*nd+1)
		}
	}
	sm.groups[g] = sg
	return sg
}

func (sm *simulator) trace(i int32, stream uint8, kind ir.ActionKind, idx int32, start, dur float64) {
	if sm.cfg.Trace {
		sm.events = append(sm.events, Event{Rank: sm.real[i], Stream: stream, Kind: kind, Action: idx, Start: start, Dur: dur})
	}
}

// wait marks rank i blocked at the current time.
func (sm *simulator) wait(i int) {
	if !sm.blocked[i] {
		sm.blocked[i] = true
		sm.waitFrom[i] = sm.clock[i]
	}
}

// resume accounts a finished wait of rank i: the part after ready (when the
// last participant arrived) is exposed communication.
func (sm *simulator) resume(i int, ready float64) {
	if sm.blocked[i] {
		sm.blocked[i] = false
		from := math.Max(sm.waitFrom[i], ready)
		if sm.now > from {
			sm.exposed[i] += sm.now - from
		}
	}
	sm.clock[i] = math.Max(sm.clock[i], sm.now)
}

// runRank executes simulated rank i's actions from its program counter at
// the current time until it blocks or starts a compute action.
func (sm *simulator) runRank(i int) {
	acts := sm.actions(i)
	if sm.clock[i] > sm.now {
		return // a stale wake-up; the rank is computing
	}
	r := sm.real[i]
	sm.clock[i] = sm.now
	for sm.pc[i] < len(acts) {
		j := sm.pc[i]
		a := acts[j]
		if a.Dep >= 0 {
			if in := sm.depColl[i][a.Dep]; in != nil {
				if !in.done {
					sm.wait(i)
					in.waiters = append(in.waiters, int32(i))
					return
				}
				sm.resume(i, in.lastArr)
			} else if f := sm.depFlow[i][a.Dep]; f != nil {
				if !f.done {
					sm.wait(i)
					f.waiters = append(f.waiters, int32(i))
					return
				}
				sm.resume(i, f.ready)
			}
		}
		if a.Kind == ir.ActOptimizer || (a.Kind == ir.ActGradNorm && sm.blocking[i] == nil) {
			// Every outstanding collective first; streams complete in order.
			if st := sm.stream[i]; len(st) > 0 {
				last := st[len(st)-1]
				sm.wait(i)
				last.waiters = append(last.waiters, int32(i))
				sm.waitOn[i] = last
				return
			}
			if in := sm.waitOn[i]; in != nil {
				sm.resume(i, in.lastArr)
				sm.waitOn[i] = nil
			}
		}
		switch {
		case a.Kind.IsCompute():
			comp, comm := sm.cfg.Costs.Compute(sm.s, int(r), a)
			start := sm.now
			sm.busy[i] += comp
			sm.exposed[i] += comm
			sm.trace(int32(i), StreamCompute, a.Kind, int32(j), start, comp+comm)
			sm.clock[i] = start + comp + comm
			sm.pc[i]++
			sm.push(event{t: sm.clock[i], rank: int32(i)})
			sm.bucketsDuring(i, j, start, comp+comm)
			return
		case a.Kind.IsSend():
			c := sm.cfg.Costs.Comm(sm.s, int(r), a)
			f := sm.newFlow(int32(i), int32(j), a.Kind, c, []int32{2 * sm.node(r), 2*sm.node(sm.repOf[a.Peer]) + 1}, sm.copies)
			f.ready = sm.now
			k := sendKey(r, a)
			sm.sends[k] = f
			if m := sm.depFlow[i]; m != nil {
				if _, dep := m[int32(j)]; dep {
					m[int32(j)] = f
				}
			}
			if w, ok := sm.recvWait[k]; ok {
				delete(sm.recvWait, k)
				f.waiters = append(f.waiters, w)
			}
		case a.Kind.IsP2P(): // recv
			k := sendKey(r, a)
			f := sm.sends[k]
			if f == nil || !f.done {
				sm.wait(i)
				if f != nil {
					f.waiters = append(f.waiters, int32(i))
				} else {
					sm.recvWait[k] = int32(i)
				}
				return
			}
			delete(sm.sends, k)
			sm.resume(i, f.ready)
			if sm.cfg.Trace {
				sm.trace(int32(i), StreamComm, a.Kind, int32(j), f.start, f.doneAt-f.start)
			}
		case a.Kind.IsCollective():
			if sm.preIssued[i][int32(j)] {
				delete(sm.preIssued[i], int32(j))
				break // issued during the backward that produced it
			}
			in := sm.blocking[i]
			if in == nil {
				in = sm.issueCollective(i, j, a)
			}
			if !a.Kind.IsAsync() {
				if !in.done {
					sm.blocking[i] = in
					sm.wait(i)
					in.waiters = append(in.waiters, int32(i))
					return
				}
				sm.blocking[i] = nil
				sm.resume(i, in.lastArr)
			}
		}
		sm.pc[i]++
	}
}

// bucketsDuring lets the gradient buckets that the program reduces right
// after compute action j (the last backward of their stage; sends may sit
// in between) start while it runs, as Megatron's bucketed reduction does:
// bucket k of n is ready (k+1)/n of the way through, bucket order being the
// order in which the backward produces gradients. Program order, and with
// it each collective stream's order, is unchanged.
func (sm *simulator) bucketsDuring(i, j int, start, dur float64) {
	acts := sm.actions(i)
	a := acts[j]
	if (a.Kind != ir.ActB && a.Kind != ir.ActW) || dur <= 0 || sm.s.SerialGradReduce {
		return
	}
	k := j + 1
	for k < len(acts) && acts[k].Kind.IsSend() {
		k++
	}
	first := k
	for k < len(acts) && acts[k].Kind == ir.ActReduceGrad && acts[k].Stage == a.Stage && acts[k].Dep < 0 {
		k++
	}
	n := k - first
	for q := 0; q < n-1; q++ { // the last one is ready when the backward ends
		sm.push(event{t: start + dur*float64(q+1)/float64(n), rank: int32(i), issue: int32(first+q) + 1})
	}
}

// preIssue issues gradient bucket action j of rank i before the rank's
// program counter reaches it.
func (sm *simulator) preIssue(i, j int) {
	if sm.preIssued[i] == nil {
		sm.preIssued[i] = map[int32]bool{}
	}
	sm.preIssued[i][int32(j)] = true
	sm.issueCollective(i, j, sm.actions(i)[j])
}

// issueCollective records rank i's call; the collective starts once every
// member has issued it and it heads every member's stream.
func (sm *simulator) issueCollective(i, j int, a ir.Action) *instance {
	k := sm.calls[i][a.Group]
	sm.calls[i][a.Group]++
	key := gk{a.Group, k}
	in := sm.insts[key]
	if in == nil {
		sg := sm.group(a.Group)
		in = &instance{group: a.Group, size: len(sg.members), action: a, rank: int32(i), index: int32(j), members: sg.members}
		sm.insts[key] = in
	}
	in.arrived++
	in.lastArr = sm.now
	if sm.cfg.Trace {
		if in.idx == nil {
			in.idx = make(map[int32]int32, in.size)
		}
		in.idx[int32(i)] = int32(j)
	}
	if in.arrived == in.size {
		delete(sm.insts, key)
	}
	if m := sm.depColl[i]; m != nil {
		if _, dep := sm.depFlow[i][int32(j)]; dep {
			m[int32(j)] = in
		}
	}
	sm.stream[i] = append(sm.stream[i], in)
	if len(sm.stream[i]) == 1 {
		sm.headed(in)
	}
	return in
}

// headed notes that in became the oldest pending collective of one member.
func (sm *simulator) headed(in *instance) {
	in.atHead++
	if in.atHead < in.size {
		return
	}
	// Start it: its cost is the first caller's view.
	sg := sm.group(in.group)
	c := sm.cfg.Costs.Comm(sm.s, int(sm.real[in.rank]), in.action)
	f := sm.newFlow(in.rank, in.index, in.action.Kind, c, sg.nics, sg.weight)
	f.coll = in
	f.ready = in.lastArr
	in.f = f
}

// newFlow starts a flow now.
func (sm *simulator) newFlow(i, j int32, kind ir.ActionKind, c CommCost, nics []int32, weight int32) *flow {
	f := &flow{start: sm.now, fixedEnd: sm.now + c.Fixed, remaining: c.NICBytes, updated: sm.now + c.Fixed, rank: i, action: j, kind: kind, weight: weight}
	if sm.cfg.NICBandwidth <= 0 || c.NICBytes <= 0 {
		f.remaining = 0
		nics = nil
	}
	f.nics = nics
	sm.push(event{t: f.fixedEnd, rank: -1, f: f, version: f.version})
	return f
}

// advanceFlow handles a flow's event: the end of its fixed part, or of its
// NIC part.
func (sm *simulator) advanceFlow(f *flow) {
	if !f.onNICs && f.remaining > 0 {
		// The fixed part is over: join the NICs.
		f.onNICs = true
		f.updated = sm.now
		for _, n := range f.nics {
			sm.nicLoad[n] += f.weight
			sm.nicFlow[n] = append(sm.nicFlow[n], f)
		}
		sm.rerate(f.nics)
		return
	}
	sm.finish(f)
}

// rerate brings every flow on the given NICs up to date and reschedules it.
func (sm *simulator) rerate(nics []int32) {
	for _, n := range nics {
		for _, g := range sm.nicFlow[n] {
			if g.done {
				continue
			}
			rate := math.Inf(1)
			for _, m := range g.nics {
				rate = math.Min(rate, sm.cfg.NICBandwidth/float64(sm.nicLoad[m]))
			}
			if rate == g.rate && g.updated == sm.now {
				continue // already rescheduled by another of these NICs
			}
			if g.rate > 0 {
				g.remaining -= g.rate * (sm.now - g.updated)
				if g.remaining < 0 {
					g.remaining = 0
				}
			}
			g.updated = sm.now
			if rate == g.rate {
				continue // its completion event still holds
			}
			g.rate = rate
			g.version++
			sm.push(event{t: sm.now + g.remaining/rate, rank: -1, f: g, version: g.version})
		}
	}
}

func (sm *simulator) finish(f *flow) {
	f.done = true
	f.doneAt = sm.now
	if f.onNICs {
		for _, n := range f.nics {
			sm.nicLoad[n] -= f.weight
			lst := sm.nicFlow[n]
			for j, g := range lst {
				if g == f {
					lst[j] = lst[len(lst)-1]
					sm.nicFlow[n] = lst[:len(lst)-1]
					break
				}
			}
		}
		sm.rerate(f.nics)
	}
	if in := f.coll; in != nil {
		for _, m := range in.members {
			sm.commEnd[m] = sm.now
		}
		in.done = true
		for _, w := range in.waiters {
			sm.push(event{t: sm.now, rank: w})
		}
		in.waiters = nil
		if sm.cfg.Trace {
			for _, m := range in.members {
				sm.trace(m, StreamComm, in.action.Kind, in.idx[m], f.start, sm.now-f.start)
			}
		}
		for _, m := range in.members {
			st := sm.stream[m]
			if len(st) > 0 && st[0] == in {
				sm.stream[m] = st[1:]
				if len(sm.stream[m]) > 0 {
					sm.headed(sm.stream[m][0])
				}
			}
		}
	} else if f.kind.IsSend() {
		sm.commEnd[f.rank] = sm.now
		if sm.cfg.Trace {
			sm.trace(f.rank, StreamComm, f.kind, f.action, f.start, sm.now-f.start)
		}
	}
	for _, w := range f.waiters {
		sm.push(event{t: sm.now, rank: w})
	}
	f.waiters = nil
}
