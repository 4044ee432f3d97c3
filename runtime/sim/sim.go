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
// over ranks: on uniform costs it is REFERENCE.md's bubble time over ideal
// compute time.
package sim

import (
	"container/heap"
	"fmt"
	"math"

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
	Events          []Event
}

// flow is one transfer or collective in flight.
type flow struct {
	id        int
	fixedEnd  float64 // when the fixed part ends
	remaining float64 // NIC bytes left
	rate      float64
	updated   float64 // time remaining was last brought up to date
	nics      []int32 // resources: 2·node (egress), 2·node+1 (ingress)
	version   int
	done      bool
	doneAt    float64
	start     float64
	ready     float64 // when the last participant arrived
	waiters   []int
	// collective bookkeeping
	coll *instance
	// the action that started it, for tracing
	rank   int32
	action int32
	kind   ir.ActionKind
}

// instance is the k-th collective call on a group.
type instance struct {
	group   int32
	size    int
	arrived int
	atHead  int
	lastArr float64
	action  ir.Action
	rank    int32 // the first member that issued it (whose cost is used)
	index   int32
	members []int32
	idx     map[int32]int32 // each member's action index, for tracing
	f       *flow           // nil until every member issued it and it heads their streams
	done    bool
	doneAt  float64
	waiters []int // ranks blocked on its completion
}

type event struct {
	t       float64
	seq     int
	rank    int // >= 0: resume rank
	f       *flow
	version int
}

type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].t != h[j].t {
		return h[i].t < h[j].t
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type p2pKey struct {
	src, dst int32
	kind     ir.ActionKind
	stage    int32
	mb       int32
}

func sendKey(r int, a ir.Action) p2pKey {
	if a.Kind.IsSend() {
		return p2pKey{int32(r), a.Peer, a.Kind, a.Stage, a.MB}
	}
	st := a.Stage - 1
	if a.Kind == ir.ActRecvB {
		st = a.Stage + 1
	}
	return p2pKey{a.Peer, int32(r), a.Kind.Matching(), st, a.MB}
}

type gk struct{ g, k int32 }

// simulator holds the state of one run.
type simulator struct {
	s     *ir.Schedule
	cfg   Config
	now   float64
	seq   int
	q     eventHeap
	pc    []int
	clock []float64 // when each rank may go on
	// per rank: the flow each send started and the instance each
	// collective joined (for Dep), the pending collective stream, the calls
	// per group
	issued     []map[int32]*flow
	issuedColl []map[int32]*instance
	recvWait   map[p2pKey]int
	stream     [][]*instance
	calls      []map[int32]int32
	insts      map[gk]*instance
	sends      map[p2pKey]*flow
	nicLoad    []int32
	nicFlow    [][]*flow
	nextID     int
	res        Result
	blocked    []bool
	// waitFrom[r] is when rank r started waiting (for accounting).
	waitFrom []float64
	waitOn   []*instance
}

// Run simulates one step of s.
func Run(s *ir.Schedule, cfg Config) (*Result, error) {
	n := len(s.Ranks)
	sm := &simulator{s: s, cfg: cfg, pc: make([]int, n), clock: make([]float64, n),
		issued: make([]map[int32]*flow, n), issuedColl: make([]map[int32]*instance, n), recvWait: map[p2pKey]int{}, stream: make([][]*instance, n), calls: make([]map[int32]int32, n),
		insts: map[gk]*instance{}, sends: map[p2pKey]*flow{}, blocked: make([]bool, n), waitFrom: make([]float64, n), waitOn: make([]*instance, n)}
	nodes := 1
	if cfg.RanksPerNode > 0 {
		nodes = (n + cfg.RanksPerNode - 1) / cfg.RanksPerNode
	} else {
		nodes = n
	}
	sm.nicLoad = make([]int32, 2*nodes)
	sm.nicFlow = make([][]*flow, 2*nodes)
	sm.res.Busy = make([]float64, n)
	sm.res.Exposed = make([]float64, n)
	sm.res.Idle = make([]float64, n)
	for r := range n {
		sm.issued[r] = map[int32]*flow{}
		sm.issuedColl[r] = map[int32]*instance{}
		sm.calls[r] = map[int32]int32{}
		sm.push(event{t: 0, rank: r})
	}
	for sm.q.Len() > 0 {
		ev := heap.Pop(&sm.q).(event)
		sm.now = ev.t
		if ev.f != nil {
			if ev.version != ev.f.version || ev.f.done {
				continue
			}
			sm.advanceFlow(ev.f)
			continue
		}
		sm.runRank(ev.rank)
	}
	var stuck []string
	for r := range n {
		if sm.pc[r] < len(s.Ranks[r].Actions) {
			a := s.Ranks[r].Actions[sm.pc[r]]
			stuck = append(stuck, fmt.Sprintf("rank %d: action %d %s", r, sm.pc[r], s.ActionString(a)))
			if len(stuck) == 5 {
				break
			}
		}
	}
	if len(stuck) > 0 {
		return nil, fmt.Errorf("sim: the schedule deadlocks (run the verifier): %v", stuck)
	}
	// Step time: every rank's program and every flow done.
	step := 0.0
	for r := range n {
		step = math.Max(step, sm.clock[r])
	}
	step = math.Max(step, sm.now)
	sm.res.StepTime = step
	var busy, idle, exposed float64
	for r := range n {
		sm.res.Idle[r] = step - sm.res.Busy[r] - sm.res.Exposed[r]
		if sm.res.Idle[r] < 0 && sm.res.Idle[r] > -1e-9*step {
			sm.res.Idle[r] = 0
		}
		busy += sm.res.Busy[r]
		idle += sm.res.Idle[r]
		exposed += sm.res.Exposed[r]
	}
	if busy > 0 {
		sm.res.BubbleFraction = idle / busy
	}
	if step > 0 {
		sm.res.ExposedFraction = exposed / (step * float64(n))
	}
	return &sm.res, nil
}

func (sm *simulator) push(e event) {
	e.seq = sm.seq
	sm.seq++
	heap.Push(&sm.q, e)
}

func (sm *simulator) node(r int32) int32 {
	if sm.cfg.RanksPerNode <= 0 {
		return r
	}
	return r / int32(sm.cfg.RanksPerNode)
}

func (sm *simulator) trace(r int32, stream uint8, kind ir.ActionKind, idx int32, start, dur float64) {
	if sm.cfg.Trace {
		sm.res.Events = append(sm.res.Events, Event{Rank: r, Stream: stream, Kind: kind, Action: idx, Start: start, Dur: dur})
	}
}

// wait marks rank r blocked at the current time.
func (sm *simulator) wait(r int) {
	if !sm.blocked[r] {
		sm.blocked[r] = true
		sm.waitFrom[r] = sm.clock[r]
	}
}

// resume accounts a finished wait of rank r: the part after ready (when the
// last participant arrived) is exposed communication.
func (sm *simulator) resume(r int, ready float64) {
	if sm.blocked[r] {
		sm.blocked[r] = false
		from := math.Max(sm.waitFrom[r], ready)
		if sm.now > from {
			sm.res.Exposed[r] += sm.now - from
		}
	}
	sm.clock[r] = math.Max(sm.clock[r], sm.now)
}

// runRank executes rank r's actions from its program counter at the
// current time until it blocks or starts a compute action.
func (sm *simulator) runRank(r int) {
	acts := sm.s.Ranks[r].Actions
	if sm.clock[r] > sm.now {
		return // a stale wake-up; the rank is computing
	}
	sm.clock[r] = sm.now
	for sm.pc[r] < len(acts) {
		i := sm.pc[r]
		a := acts[i]
		if a.Dep >= 0 {
			if in := sm.issuedColl[r][a.Dep]; in != nil {
				if !in.done {
					sm.wait(r)
					in.waiters = append(in.waiters, r)
					return
				}
				sm.resume(r, in.lastArr)
			} else if f := sm.issued[r][a.Dep]; f != nil {
				if !f.done {
					sm.wait(r)
					f.waiters = append(f.waiters, r)
					return
				}
				sm.resume(r, f.ready)
			}
		}
		if a.Kind == ir.ActOptimizer || (a.Kind == ir.ActGradNorm && sm.issuedColl[r][int32(i)] == nil) {
			// Every outstanding collective first; streams complete in order.
			if st := sm.stream[r]; len(st) > 0 {
				last := st[len(st)-1]
				sm.wait(r)
				last.waiters = append(last.waiters, r)
				sm.waitOn[r] = last
				return
			}
			if in := sm.waitOn[r]; in != nil {
				sm.resume(r, in.lastArr)
				sm.waitOn[r] = nil
			}
		}
		switch {
		case a.Kind.IsCompute():
			comp, comm := sm.cfg.Costs.Compute(sm.s, r, a)
			start := sm.now
			sm.res.Busy[r] += comp
			sm.res.Exposed[r] += comm
			sm.trace(int32(r), StreamCompute, a.Kind, int32(i), start, comp+comm)
			sm.clock[r] = start + comp + comm
			sm.pc[r]++
			sm.push(event{t: sm.clock[r], rank: r})
			return
		case a.Kind.IsSend():
			c := sm.cfg.Costs.Comm(sm.s, r, a)
			f := sm.newFlow(int32(r), int32(i), a.Kind, c, []int32{2 * sm.node(int32(r)), 2*sm.node(a.Peer) + 1})
			f.ready = sm.now
			sm.sends[sendKey(r, a)] = f
			sm.issued[r][int32(i)] = f
			if rr, ok := sm.recvWait[sendKey(r, a)]; ok {
				delete(sm.recvWait, sendKey(r, a))
				f.waiters = append(f.waiters, rr)
			}
		case a.Kind.IsP2P(): // recv
			k := sendKey(r, a)
			f := sm.sends[k]
			if f == nil || !f.done {
				sm.wait(r)
				if f != nil {
					f.waiters = append(f.waiters, r)
				} else {
					sm.recvWait[k] = r
				}
				return
			}
			delete(sm.sends, k)
			sm.resume(r, f.ready)
			if sm.cfg.Trace {
				sm.trace(int32(r), StreamComm, a.Kind, int32(i), f.start, f.doneAt-f.start)
			}
		case a.Kind.IsCollective():
			in := sm.issueCollective(r, i, a)
			if !a.Kind.IsAsync() {
				if !in.done {
					sm.wait(r)
					in.waiters = append(in.waiters, r)
					return
				}
				sm.resume(r, in.lastArr)
			}
		}
		sm.pc[r]++
	}
}

// issueCollective records rank r's call; the collective starts once every
// member has issued it and it heads every member's stream.
func (sm *simulator) issueCollective(r, i int, a ir.Action) *instance {
	if in := sm.issuedColl[r][int32(i)]; in != nil {
		return in
	}
	k := sm.calls[r][a.Group]
	sm.calls[r][a.Group]++
	key := gk{a.Group, k}
	in := sm.insts[key]
	if in == nil {
		in = &instance{group: a.Group, size: len(sm.s.Groups[a.Group]), action: a, rank: int32(r), index: int32(i), members: sm.s.Groups[a.Group]}
		sm.insts[key] = in
	}
	in.arrived++
	in.lastArr = sm.now
	if sm.cfg.Trace {
		if in.idx == nil {
			in.idx = make(map[int32]int32, in.size)
		}
		in.idx[int32(r)] = int32(i)
	}
	if in.arrived == in.size {
		delete(sm.insts, key)
	}
	sm.issuedColl[r][int32(i)] = in
	sm.stream[r] = append(sm.stream[r], in)
	if len(sm.stream[r]) == 1 {
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
	c := sm.cfg.Costs.Comm(sm.s, int(in.rank), in.action)
	var nics []int32
	seen := map[int32]bool{}
	for _, m := range in.members {
		nd := sm.node(m)
		if !seen[nd] {
			seen[nd] = true
			nics = append(nics, 2*nd, 2*nd+1)
		}
	}
	if len(seen) == 1 {
		nics = nil // inside one node: no NIC
	}
	f := sm.newFlow(in.rank, in.index, in.action.Kind, c, nics)
	f.coll = in
	f.ready = in.lastArr
	in.f = f
}

// newFlow starts a flow now.
func (sm *simulator) newFlow(rank, idx int32, kind ir.ActionKind, c CommCost, nics []int32) *flow {
	f := &flow{id: sm.nextID, start: sm.now, fixedEnd: sm.now + c.Fixed, remaining: c.NICBytes, updated: sm.now + c.Fixed, rank: rank, action: idx, kind: kind}
	sm.nextID++
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
	if f.rate == 0 && f.remaining > 0 {
		// The fixed part is over: join the NICs.
		f.updated = sm.now
		for _, n := range f.nics {
			sm.nicLoad[n]++
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
			if g.rate > 0 {
				g.remaining -= g.rate * (sm.now - g.updated)
				if g.remaining < 0 {
					g.remaining = 0
				}
			}
			g.updated = sm.now
			rate := math.Inf(1)
			for _, m := range g.nics {
				rate = math.Min(rate, sm.cfg.NICBandwidth/float64(sm.nicLoad[m]))
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
	if len(f.nics) > 0 && f.rate > 0 {
		for _, n := range f.nics {
			sm.nicLoad[n]--
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
		in.done, in.doneAt = true, sm.now
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
	} else if sm.cfg.Trace && f.kind.IsSend() {
		sm.trace(f.rank, StreamComm, f.kind, f.action, f.start, sm.now-f.start)
	}
	for _, w := range f.waiters {
		sm.push(event{t: sm.now, rank: w})
	}
	f.waiters = nil
}
