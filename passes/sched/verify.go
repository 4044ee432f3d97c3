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
// points to an earlier asynchronous collective; and executing the schedule
// abstractly (recvs wait for their send, collectives for all members and,
// on each rank, for the rank's earlier collectives) finishes every rank
// without deadlock. It returns the in-flight report, and a *VerifyError
// naming the rank and action of every problem.
func Verify(s *ir.Schedule) (*Report, error) {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	n := len(s.Ranks)

	// 1. Static checks: well-formed actions and send/recv matching.
	type end struct {
		rank, idx int
		bytes     int64
	}
	sends := map[p2pKey]end{}
	for r := range s.Ranks {
		for i, a := range s.Ranks[r].Actions {
			switch {
			case a.Kind == ir.ActNone || a.Kind >= ir.ActOptimizer+1:
				add("%s: unknown action kind", Describe(s, r, i))
			case a.Kind.IsP2P():
				if a.Peer < 0 || int(a.Peer) >= n || int(a.Peer) == r {
					add("%s: bad peer rank %d", Describe(s, r, i), a.Peer)
				}
			case a.Kind.IsCollective():
				if g := s.GroupOf(a); g == nil {
					add("%s: no group", Describe(s, r, i))
				} else if !contains(g, int32(r)) {
					add("%s: rank %d is not a member of its group %v", Describe(s, r, i), r, g)
				}
			}
			if a.Dep >= 0 && (int(a.Dep) >= i || !s.Ranks[r].Actions[a.Dep].Kind.IsAsync()) {
				add("%s: Dep %d is not an earlier asynchronous action", Describe(s, r, i), a.Dep)
			}
			if a.Kind.IsSend() {
				k := sendKey(r, a)
				if prev, dup := sends[k]; dup {
					add("%s: duplicate of %s", Describe(s, r, i), Describe(s, prev.rank, prev.idx))
				}
				sends[k] = end{r, i, a.Bytes}
			}
		}
	}
	for r := range s.Ranks {
		for i, a := range s.Ranks[r].Actions {
			if !a.Kind.IsP2P() || a.Kind.IsSend() || a.Peer < 0 || int(a.Peer) >= n {
				continue
			}
			k := sendKey(r, a)
			snd, ok := sends[k]
			if !ok {
				add("%s has no matching %s on rank %d", Describe(s, r, i), a.Kind.Matching(), a.Peer)
				continue
			}
			if snd.bytes != a.Bytes {
				add("%s receives %d bytes, but %s sends %d", Describe(s, r, i), a.Bytes, Describe(s, snd.rank, snd.idx), snd.bytes)
			}
			delete(sends, k)
		}
	}
	unmatched := make([]end, 0, len(sends))
	for _, e := range sends {
		unmatched = append(unmatched, e)
	}
	sort.Slice(unmatched, func(i, j int) bool {
		if unmatched[i].rank != unmatched[j].rank {
			return unmatched[i].rank < unmatched[j].rank
		}
		return unmatched[i].idx < unmatched[j].idx
	})
	for _, e := range unmatched {
		a := s.Ranks[e.rank].Actions[e.idx]
		add("%s has no matching %s on rank %d", Describe(s, e.rank, e.idx), a.Kind.Matching(), a.Peer)
	}

	// 2. Collective order: each member's sequence of calls on a group must
	// equal the group's first member's.
	type call struct {
		rank, idx int
	}
	ref := make([][]call, len(s.Groups)) // the calls of each group's reference member
	for g, members := range s.Groups {
		if len(members) == 0 {
			add("group g%d is empty", g)
			continue
		}
		r0 := int(members[0])
		if r0 >= n {
			continue
		}
		for i, a := range s.Ranks[r0].Actions {
			if a.Kind.IsCollective() && int(a.Group) == g {
				ref[g] = append(ref[g], call{r0, i})
			}
		}
	}
	sameCall := func(a, b ir.Action) bool {
		return a.Kind == b.Kind && a.Coll == b.Coll && a.Stage == b.Stage && a.MB == b.MB && a.Bucket == b.Bucket && a.Bytes == b.Bytes
	}
	for r := range s.Ranks {
		count := map[int32]int{}
		for i, a := range s.Ranks[r].Actions {
			if !a.Kind.IsCollective() || s.GroupOf(a) == nil {
				continue
			}
			k := count[a.Group]
			count[a.Group]++
			calls := ref[a.Group]
			if k >= len(calls) {
				add("%s is call %d on group g%d, but rank %d makes only %d", Describe(s, r, i), k, a.Group, s.Groups[a.Group][0], len(calls))
				continue
			}
			c := calls[k]
			if c.rank != r && !sameCall(a, s.Ranks[c.rank].Actions[c.idx]) {
				add("%s is out of order in group g%d: call %d there is %s", Describe(s, r, i), a.Group, k, Describe(s, c.rank, c.idx))
			}
		}
		for g, k := range count {
			if k < len(ref[g]) {
				add("rank %d makes %d calls on group g%d, but rank %d makes %d", r, k, g, s.Groups[g][0], len(ref[g]))
			}
		}
	}
	if len(probs) > 0 {
		return nil, &VerifyError{Problems: probs}
	}

	// 3. Abstract execution.
	rep, deadlock := execute(s)
	if len(deadlock) > 0 {
		return rep, &VerifyError{Problems: deadlock}
	}
	return rep, nil
}

func contains(g []int32, r int32) bool {
	for _, x := range g {
		if x == r {
			return true
		}
	}
	return false
}

// instance is one call of a collective on a group: the k-th on group g.
type instance struct {
	group   int32
	size    int
	atHead  int // members on whose collective stream it is the oldest pending call
	done    bool
	waiters []int
}

// execute runs the schedule abstractly with a worklist of runnable ranks.
func execute(s *ir.Schedule) (*Report, []string) {
	n := len(s.Ranks)
	pc := make([]int, n)
	sent := map[p2pKey]bool{}
	recvWaiter := map[p2pKey]int{}
	type gk struct{ g, k int32 }
	insts := map[gk]*instance{}
	calls := make([]map[int32]int32, n) // per rank, calls made per group
	stream := make([][]*instance, n)    // per rank, pending collectives in issue order
	issued := make([][]*instance, n)    // per rank, the instance of each action (nil if none)
	blocked := make([]string, n)        // what a blocked rank waits for
	inflight := make([]map[[2]int32]bool, n)
	peak := make([]float64, n)
	v := float64(max(s.VPP, 1))
	gradKind := ir.ActB
	if s.SplitBackward {
		gradKind = ir.ActW
	}
	for r := range n {
		calls[r] = map[int32]int32{}
		issued[r] = make([]*instance, len(s.Ranks[r].Actions))
		inflight[r] = map[[2]int32]bool{}
	}
	work := make([]int, 0, n)
	queued := make([]bool, n)
	push := func(r int) {
		if !queued[r] {
			queued[r] = true
			work = append(work, r)
		}
	}
	for r := range n {
		push(r)
	}
	var complete func(in *instance)
	advanceHead := func(r int) {
		for len(stream[r]) > 0 {
			h := stream[r][0]
			h.atHead++
			if h.atHead < h.size {
				return
			}
			complete(h)
			return
		}
	}
	complete = func(in *instance) {
		in.done = true
		for _, w := range in.waiters {
			push(w)
		}
		in.waiters = nil
		for _, m := range s.Groups[in.group] {
			st := stream[m]
			if len(st) > 0 && st[0] == in {
				stream[m] = st[1:]
				advanceHead(int(m))
			}
		}
	}
	executed := 0
	for len(work) > 0 {
		r := work[len(work)-1]
		work = work[:len(work)-1]
		queued[r] = false
		acts := s.Ranks[r].Actions
	run:
		for pc[r] < len(acts) {
			i := pc[r]
			a := acts[i]
			if a.Dep >= 0 {
				if in := issued[r][a.Dep]; in != nil && !in.done {
					in.waiters = append(in.waiters, r)
					blocked[r] = fmt.Sprintf("the completion of action %d", a.Dep)
					break run
				}
			}
			if a.Kind == ir.ActOptimizer || a.Kind == ir.ActGradNorm {
				// Wait for every outstanding collective issued earlier.
				if len(stream[r]) > 0 {
					last := stream[r][len(stream[r])-1]
					if a.Kind == ir.ActGradNorm && issued[r][i] != nil {
						// Already issued: wait for itself (handled below).
					} else if !last.done {
						last.waiters = append(last.waiters, r)
						blocked[r] = fmt.Sprintf("its outstanding collectives (on group g%d)", last.group)
						break run
					}
				}
			}
			switch {
			case a.Kind.IsSend():
				k := sendKey(r, a)
				sent[k] = true
				if w, ok := recvWaiter[k]; ok {
					delete(recvWaiter, k)
					push(w)
				}
			case a.Kind.IsP2P():
				k := sendKey(r, a)
				if !sent[k] {
					recvWaiter[k] = r
					blocked[r] = fmt.Sprintf("%s(stage %d, mb %d) from rank %d", k.kind, k.stage, k.mb, k.src)
					break run
				}
				delete(sent, k)
			case a.Kind.IsCollective():
				in := issued[r][i]
				if in == nil {
					k := calls[r][a.Group]
					calls[r][a.Group]++
					key := gk{a.Group, k}
					in = insts[key]
					if in == nil {
						in = &instance{group: a.Group, size: len(s.Groups[a.Group])}
						insts[key] = in
					}
					issued[r][i] = in
					stream[r] = append(stream[r], in)
					if len(stream[r]) == 1 {
						advanceHead(r)
					}
				}
				if !a.Kind.IsAsync() && !in.done {
					in.waiters = append(in.waiters, r)
					blocked[r] = fmt.Sprintf("the other members of group g%d", a.Group)
					break run
				}
				if in.done {
					delete(insts, gk{a.Group, calls[r][a.Group] - 1})
				}
			case a.Kind == ir.ActF:
				inflight[r][[2]int32{a.Stage, a.MB}] = true
				if f := float64(len(inflight[r])) / v; f > peak[r] {
					peak[r] = f
				}
			case a.Kind == gradKind:
				delete(inflight[r], [2]int32{a.Stage, a.MB})
			}
			pc[r]++
			executed++
			blocked[r] = ""
		}
	}
	rep := &Report{PeakInFlight: peak, Actions: executed}
	var probs []string
	for r := range n {
		if pc[r] < len(s.Ranks[r].Actions) {
			probs = append(probs, fmt.Sprintf("deadlock: %s waits for %s", Describe(s, r, pc[r]), blocked[r]))
		}
	}
	return rep, probs
}
