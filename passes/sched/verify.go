package sched

import (
	"fmt"
	"sort"
	"strings"

	"planc/ir"
)

// Report is what Verify learns about a correct schedule.
type Report struct {
	// PeakInFlight[r] is the most micro-batches whose activations rank r
	// holds at once (forward done, backward not finished), counted in whole
	// micro-batches: a virtual stage's share counts 1/VPP.
	PeakInFlight []float64
	// Actions is the number of actions executed.
	Actions int
}

// VerifyError lists every problem found, each naming a rank and an action.
type VerifyError struct{ Problems []string }

func (e *VerifyError) Error() string {
	const show = 20
	var b strings.Builder
	fmt.Fprintf(&b, "schedule verification failed: %d problem(s)", len(e.Problems))
	for i, p := range e.Problems {
		if i == show {
			fmt.Fprintf(&b, "\n\t... and %d more", len(e.Problems)-show)
			break
		}
		b.WriteString("\n\t")
		b.WriteString(p)
	}
	return b.String()
}

// Describe prints action i of rank r for messages, e.g.
// "rank 3: action 7 RECV_F(stage 1, mb 2)".
func Describe(s *ir.Schedule, r, i int) string {
	return fmt.Sprintf("rank %d: action %d %s", r, i, describeAction(s.Ranks[r].Actions[i]))
}

func describeAction(a ir.Action) string {
	var parts []string
	if a.Stage >= 0 {
		parts = append(parts, fmt.Sprintf("stage %d", a.Stage))
	}
	if a.MB >= 0 {
		parts = append(parts, fmt.Sprintf("mb %d", a.MB))
	}
	if a.Bucket >= 0 {
		parts = append(parts, fmt.Sprintf("bucket %d", a.Bucket))
	}
	if a.Peer >= 0 {
		parts = append(parts, fmt.Sprintf("peer %d", a.Peer))
	}
	if a.Group >= 0 {
		parts = append(parts, fmt.Sprintf("group g%d", a.Group))
	}
	return fmt.Sprintf("%s(%s)", a.Kind, strings.Join(parts, ", "))
}

// p2pKey identifies a transfer by its sender's view.
type p2pKey struct {
	src, dst int32
	kind     ir.ActionKind // the send kind
	stage    int32         // the sender's stage
	mb       int32
}

// sendKey returns the key of a send, or of the send a recv expects.
func sendKey(r int, a ir.Action) p2pKey {
	if a.Kind.IsSend() {
		return p2pKey{int32(r), a.Peer, a.Kind, a.Stage, a.MB}
	}
	st := a.Stage - 1 // RECV_F of stage s comes from stage s-1
	if a.Kind == ir.ActRecvB {
		st = a.Stage + 1
	}
	return p2pKey{a.Peer, int32(r), a.Kind.Matching(), st, a.MB}
}

// Verify checks schedule s: every send has exactly one matching recv with the
// same bytes and vice versa; every member of a group calls that group's
// collectives in the same order with the same operation and size; Dep
// points to an earlier asynchronous action; and executing the schedule
// abstractly (recvs wait for their send, collectives for all members and,
// on each rank, for the rank's earlier collectives) finishes every rank
// without deadlock. It returns the in-flight report, and a *VerifyError
// naming the rank and action of every problem.
//
// The checks run during one abstract execution, so memory stays in
// proportion to the ranks and the transfers in flight, not to the actions.
//
// A folded schedule ([ir.Schedule.Folded]) is verified once, on its stored
// ranks: the other replica blocks run the same programs moved, so they
// issue each collective of a group that spans the blocks at the same point
// as the stored members, and a call completes when the stored members
// have made it. The report gives every rank its representative's figures.
//
// A schedule that fails [ir.Schedule.CheckStructure] (a group member or a
// peer outside the mesh, a header pp that is not the mesh's) is reported
// as such without being executed.
func Verify(s *ir.Schedule) (*Report, error) {
	if probs := s.CheckStructure(); len(probs) > 0 {
		return &Report{PeakInFlight: make([]float64, len(s.Ranks))}, &VerifyError{Problems: probs}
	}
	v := newVerifier(s)
	v.wellFormed()
	v.run()
	v.finish()
	if len(v.probs) > 0 {
		return v.report(), &VerifyError{Problems: v.probs}
	}
	return v.report(), nil
}

// members returns the stored members of group g (all of them unless the
// schedule is folded).
func (v *verifier) members(g int32) []int32 {
	if !v.s.Folded() {
		return v.s.Groups[g]
	}
	if m, ok := v.stored[g]; ok {
		return m
	}
	var m []int32
	for _, x := range v.s.Groups[g] {
		if v.s.Stored(int(x)) {
			m = append(m, x)
		}
	}
	v.stored[g] = m
	return m
}

// isMember reports whether rank r is a member of group g, with the
// group's member set built once.
func (v *verifier) isMember(g int32, r int32) bool {
	ms, ok := v.sets[g]
	if !ok {
		ms = ir.NewMemberSet(v.s.Groups[g])
		v.sets[g] = ms
	}
	return ms.Has(r)
}

// instance is one call of a collective on a group: the k-th on group g.
type instance struct {
	group     int32
	size      int
	arrived   int
	atHead    int
	done      bool
	waiters   []int
	firstRank int // the member whose call the others must equal
	firstIdx  int
}

type gk struct{ g, k int32 }

// waitReason says what a blocked rank waits for; it is formatted only
// when the rank stays blocked.
type waitReason struct {
	what int8 // 0 none, 1 Dep, 2 outstanding collectives, 3 send, 4 group
	n    int32
	key  p2pKey
}

func (w waitReason) String() string {
	switch w.what {
	case 1:
		return fmt.Sprintf("the completion of action %d", w.n)
	case 2:
		return fmt.Sprintf("its outstanding collectives (on group g%d)", w.n)
	case 3:
		return fmt.Sprintf("%s(stage %d, mb %d) from rank %d", w.key.kind, w.key.stage, w.key.mb, w.key.src)
	case 4:
		return fmt.Sprintf("the other members of group g%d", w.n)
	}
	return "nothing"
}

type sentMsg struct {
	rank, idx int
	bytes     int64
}

type verifier struct {
	s      *ir.Schedule
	probs  []string
	pc     []int
	sent   map[p2pKey]sentMsg
	waitOn map[p2pKey]int // recvs blocked on a send not yet issued
	insts  map[gk]*instance
	calls  []map[int32]int32
	stream [][]*instance
	// depTarget[r] maps the actions some later action of r waits for to
	// their instance (nil for sends, which never block a Dep).
	depTarget []map[int32]*instance
	blockedOn []*instance // the blocking collective a rank waits in
	waiting   []waitReason
	inflight  []int
	peak      []float64
	executed  int
	work      []int
	queued    []bool
	stored    map[int32][]int32 // a folded schedule's groups' stored members
	sets      map[int32]ir.MemberSet
}

func newVerifier(s *ir.Schedule) *verifier {
	n := len(s.Ranks)
	v := &verifier{s: s, pc: make([]int, n), sent: map[p2pKey]sentMsg{}, waitOn: map[p2pKey]int{}, insts: map[gk]*instance{},
		calls: make([]map[int32]int32, n), stream: make([][]*instance, n), depTarget: make([]map[int32]*instance, n),
		blockedOn: make([]*instance, n), waiting: make([]waitReason, n), inflight: make([]int, n), peak: make([]float64, n), queued: make([]bool, n),
		stored: map[int32][]int32{}, sets: map[int32]ir.MemberSet{}}
	for r := range n {
		if s.Stored(r) {
			v.calls[r] = map[int32]int32{}
		}
	}
	return v
}

func (v *verifier) add(format string, args ...any) {
	v.probs = append(v.probs, fmt.Sprintf(format, args...))
}

func (v *verifier) report() *Report {
	s := v.s
	if s.Folded() {
		for r := range v.peak {
			rep, _ := s.Rep(r)
			v.peak[r] = v.peak[rep]
		}
		return &Report{PeakInFlight: v.peak, Actions: v.executed * s.Blocks()}
	}
	return &Report{PeakInFlight: v.peak, Actions: v.executed}
}

// wellFormed checks each action on its own.
func (v *verifier) wellFormed() {
	s := v.s
	n := len(s.Ranks)
	for r := range s.Ranks {
		for i, a := range s.Ranks[r].Actions {
			switch {
			case !a.Kind.Valid():
				v.add("%s: unknown action kind", Describe(s, r, i))
			case (a.Kind == ir.ActAllReduceSeq || a.Kind == ir.ActAllReduceKV) && (a.Stage < 0 || int(a.Stage) >= len(s.Stages)):
				v.add("%s: no such stage", Describe(s, r, i))
			case a.Kind.IsP2P():
				if a.Peer < 0 || int(a.Peer) >= n || int(a.Peer) == r {
					v.add("%s: bad peer rank %d", Describe(s, r, i), a.Peer)
				}
			case a.Kind.IsCollective():
				if g := s.GroupOf(a); g == nil {
					v.add("%s: no group", Describe(s, r, i))
				} else if !v.isMember(a.Group, int32(r)) {
					v.add("%s: rank %d is not a member of its group %v", Describe(s, r, i), r, g)
				}
			}
			if a.Dep >= 0 {
				if int(a.Dep) >= i || !s.Ranks[r].Actions[a.Dep].Kind.IsAsync() {
					v.add("%s: Dep %d is not an earlier asynchronous action", Describe(s, r, i), a.Dep)
				} else {
					if v.depTarget[r] == nil {
						v.depTarget[r] = map[int32]*instance{}
					}
					v.depTarget[r][a.Dep] = nil
				}
			}
		}
	}
}

// usable reports whether an action can be executed abstractly.
func (v *verifier) usable(r int, a ir.Action) bool {
	switch {
	case !a.Kind.Valid():
		return false
	case a.Kind.IsP2P():
		return a.Peer >= 0 && int(a.Peer) < len(v.s.Ranks) && int(a.Peer) != r
	case a.Kind.IsCollective():
		g := v.s.GroupOf(a)
		return g != nil && v.isMember(a.Group, int32(r))
	}
	return true
}

func (v *verifier) push(r int) {
	if !v.queued[r] {
		v.queued[r] = true
		v.work = append(v.work, r)
	}
}

func (v *verifier) advanceHead(r int) {
	if len(v.stream[r]) == 0 {
		return
	}
	h := v.stream[r][0]
	h.atHead++
	if h.atHead == h.size {
		v.complete(h)
	}
}

func (v *verifier) complete(in *instance) {
	in.done = true
	for _, w := range in.waiters {
		v.push(w)
	}
	in.waiters = nil
	for _, m := range v.members(in.group) {
		st := v.stream[m]
		if len(st) > 0 && st[0] == in {
			v.stream[m] = st[1:]
			v.advanceHead(int(m))
		}
	}
}

func sameCall(a, b ir.Action) bool {
	return a.Kind == b.Kind && a.Coll == b.Coll && a.Stage == b.Stage && a.MB == b.MB && a.Bucket == b.Bucket && a.Bytes == b.Bytes
}

// run executes the schedule abstractly with a worklist of runnable ranks.
func (v *verifier) run() {
	s := v.s
	gradKind := ir.ActB
	if s.SplitBackward {
		gradKind = ir.ActW
	}
	vpp := float64(max(s.VPP, 1))
	for r := range s.Ranks {
		if s.Stored(r) {
			v.push(r)
		}
	}
	for len(v.work) > 0 {
		r := v.work[len(v.work)-1]
		v.work = v.work[:len(v.work)-1]
		v.queued[r] = false
		acts := s.Ranks[r].Actions
	run:
		for v.pc[r] < len(acts) {
			i := v.pc[r]
			a := acts[i]
			if !v.usable(r, a) {
				v.pc[r]++ // reported by wellFormed
				continue
			}
			if a.Dep >= 0 {
				if in := v.depTarget[r][a.Dep]; in != nil && !in.done {
					in.waiters = append(in.waiters, r)
					v.waiting[r] = waitReason{what: 1, n: a.Dep}
					break run
				}
			}
			if (a.Kind == ir.ActOptimizer || a.Kind == ir.ActGradNorm) && v.blockedOn[r] == nil {
				// Every outstanding collective issued earlier first.
				if st := v.stream[r]; len(st) > 0 {
					last := st[len(st)-1]
					last.waiters = append(last.waiters, r)
					v.waiting[r] = waitReason{what: 2, n: last.group}
					break run
				}
			}
			switch {
			case a.Kind.IsSend():
				k := sendKey(r, a)
				if prev, dup := v.sent[k]; dup {
					v.add("%s: duplicate of %s", Describe(s, r, i), Describe(s, prev.rank, prev.idx))
				}
				v.sent[k] = sentMsg{r, i, a.Bytes}
				if w, ok := v.waitOn[k]; ok {
					delete(v.waitOn, k)
					v.push(w)
				}
			case a.Kind.IsP2P():
				k := sendKey(r, a)
				snd, ok := v.sent[k]
				if !ok {
					v.waitOn[k] = r
					v.waiting[r] = waitReason{what: 3, key: k}
					break run
				}
				if snd.bytes != a.Bytes {
					v.add("%s receives %d bytes, but %s sends %d", Describe(s, r, i), a.Bytes, Describe(s, snd.rank, snd.idx), snd.bytes)
				}
				delete(v.sent, k)
			case a.Kind.IsCollective():
				in := v.blockedOn[r]
				if in == nil {
					in = v.issue(r, i, a)
				}
				if !a.Kind.IsAsync() && !in.done {
					v.blockedOn[r] = in
					in.waiters = append(in.waiters, r)
					v.waiting[r] = waitReason{what: 4, n: a.Group}
					break run
				}
				v.blockedOn[r] = nil
			case a.Kind == ir.ActF:
				v.inflight[r]++
				if f := float64(v.inflight[r]) / vpp; f > v.peak[r] {
					v.peak[r] = f
				}
			case a.Kind == gradKind:
				v.inflight[r]--
			}
			v.pc[r]++
			v.executed++
			v.waiting[r] = waitReason{}
		}
	}
}

// issue records rank r's call of collective a and checks it against the
// group's first caller.
func (v *verifier) issue(r, i int, a ir.Action) *instance {
	s := v.s
	k := v.calls[r][a.Group]
	v.calls[r][a.Group]++
	key := gk{a.Group, k}
	in := v.insts[key]
	if in == nil {
		in = &instance{group: a.Group, size: len(v.members(a.Group)), firstRank: r, firstIdx: i}
		v.insts[key] = in
	} else if first := s.Ranks[in.firstRank].Actions[in.firstIdx]; !sameCall(a, first) {
		v.add("%s is out of order in group g%d: call %d there is %s", Describe(s, r, i), a.Group, k, Describe(s, in.firstRank, in.firstIdx))
	}
	in.arrived++
	if in.arrived == in.size {
		delete(v.insts, key)
	}
	if m := v.depTarget[r]; m != nil {
		if _, ok := m[int32(i)]; ok {
			m[int32(i)] = in
		}
	}
	v.stream[r] = append(v.stream[r], in)
	if len(v.stream[r]) == 1 {
		v.advanceHead(r)
	}
	return in
}

// finish reports what the execution left: sends nobody received, recvs
// with no send, collectives some member never called, and deadlocks.
func (v *verifier) finish() {
	s := v.s
	const maxReported = 200
	// Sends left over: is there a recv for them at all?
	left := make([]sentMsg, 0, len(v.sent))
	for _, m := range v.sent {
		left = append(left, m)
	}
	sort.Slice(left, func(i, j int) bool {
		if left[i].rank != left[j].rank {
			return left[i].rank < left[j].rank
		}
		return left[i].idx < left[j].idx
	})
	for n, m := range left {
		if n == maxReported {
			break
		}
		a := s.Ranks[m.rank].Actions[m.idx]
		if !v.hasMatch(m.rank, a) {
			v.add("%s has no matching %s on rank %d", Describe(s, m.rank, m.idx), a.Kind.Matching(), a.Peer)
		}
	}
	stuck := 0
	for r := range s.Ranks {
		if v.pc[r] >= len(s.Ranks[r].Actions) {
			continue
		}
		i := v.pc[r]
		a := s.Ranks[r].Actions[i]
		if stuck++; stuck > maxReported {
			continue
		}
		if a.Kind.IsP2P() && !a.Kind.IsSend() && !v.hasMatch(r, a) {
			v.add("%s has no matching %s on rank %d", Describe(s, r, i), a.Kind.Matching(), a.Peer)
			continue
		}
		v.add("deadlock: %s waits for %s", Describe(s, r, i), v.waiting[r])
	}
	if stuck > maxReported {
		v.add("... %d more ranks blocked", stuck-maxReported)
	}
	// Collective calls a member will never make: it has no call on the
	// group left in its program. These name the cause of the deadlocks
	// above (a member that lacks an action).
	if stuck > 0 {
		keys := make([]gk, 0, len(v.insts))
		for key := range v.insts {
			keys = append(keys, key)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].g < keys[j].g || keys[i].g == keys[j].g && keys[i].k < keys[j].k })
		reported := 0
		for _, key := range keys {
			in := v.insts[key]
			for _, m := range v.members(key.g) {
				if v.calls[m][key.g] > key.k || v.callsLeft(int(m), key.g) > 0 {
					continue
				}
				if reported++; reported <= maxReported {
					v.add("group g%d: rank %d never makes call %d, %s", key.g, m, key.k, Describe(s, in.firstRank, in.firstIdx))
				}
			}
		}
	}
	// Collective calls some member never made (when every rank finished).
	if stuck == 0 {
		for key, in := range v.insts {
			v.add("group g%d: call %d is made by %d of its %d members (first by %s)", key.g, key.k, in.arrived, in.size, Describe(s, in.firstRank, in.firstIdx))
		}
	}
}

// callsLeft counts the calls on group g that rank r has not issued yet.
func (v *verifier) callsLeft(r int, g int32) int {
	n := 0
	acts := v.s.Ranks[r].Actions
	for i := v.pc[r]; i < len(acts); i++ {
		if acts[i].Kind.IsCollective() && acts[i].Group == g {
			n++
		}
	}
	if v.blockedOn[r] != nil && n > 0 {
		n-- // the blocking collective it waits in is issued already
	}
	return n
}

// hasMatch reports whether the peer of p2p action a (on rank r) has the
// matching action anywhere in its program.
func (v *verifier) hasMatch(r int, a ir.Action) bool {
	want := sendKey(r, a)
	for _, b := range v.s.Ranks[a.Peer].Actions {
		if b.Kind == a.Kind.Matching() && b.Peer == int32(r) && sendKey(int(a.Peer), b) == want {
			return true
		}
	}
	return false
}
