package collective

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"planc/runtime/kernels"
)

// DefaultTimeout is how long a member waits for the others before an
// operation fails.
const DefaultTimeout = 60 * time.Second

// World is the in-process transport: ranks are goroutines that share it.
// Build one with [NewWorld], give each goroutine its [World.Comm].
type World struct {
	size, perNode int
	timeout       time.Duration

	mu      sync.Mutex
	slots   map[slotKey]*slot
	aborted chan struct{}
	abort   error

	// waiting counts the ranks blocked on a meeting or a message not yet
	// complete: a member that must wait counts itself in before the last
	// one can arrive (under mu, or before its finish is counted), and the
	// one that completes the meeting counts them all out at once, so a
	// rank deciding whether to poll (spin) also sees the ranks that are
	// runnable again but not running yet.
	waiting atomic.Int32

	sent *counter
}

type slotKey struct {
	group string
	seq   uint64
}

// slot is one meeting of a group. In a combined meeting ([inprocComm.meet])
// the last member to arrive computes every member's output; in a shared one
// ([inprocComm.meetEach]) every member computes its own from all inputs,
// then waits for the others to finish reading its input (or, for a small
// meeting or with more ranks than processors, the last member runs every
// member's part, as in a combined one).
type slot struct {
	kind    string
	seq     uint64
	inputs  []any
	arrived int
	done    chan struct{} // closed when the outputs (combined, or all by the last) or the inputs (shared) are ready
	outputs []any
	err     error
	waiters int32 // a message's: its receiver waits (counted in World.waiting)

	works     []func(inputs []any, me int) // shared: each member's part
	allByLast bool                         // shared: the last member ran every part
	finished  []atomic.Bool                // shared: the members done with their part
	nDone     atomic.Int32
	allDone   chan struct{} // shared: closed when every member has finished
}

// NewWorld returns a world of size ranks, perNode ranks to a node (for the
// byte counters; perNode <= 0 means one node), whose operations fail after
// timeout (0: [DefaultTimeout]).
func NewWorld(size, perNode int, timeout time.Duration) *World {
	if perNode <= 0 {
		perNode = size
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &World{
		size: size, perNode: perNode, timeout: timeout,
		slots:   map[slotKey]*slot{},
		aborted: make(chan struct{}),
		sent:    newCounter(PerNodeLayout(perNode), size, -1),
	}
}

// Comm returns rank's handle. Each rank's handle must be used by one
// goroutine at a time.
func (w *World) Comm(rank int) Comm {
	return &inprocComm{w: w, rank: rank, seq: map[string]uint64{}, lent: map[string]*lentBuffers{}}
}

// Bytes returns the bytes sent by all ranks together.
func (w *World) Bytes() Counters {
	var c Counters
	for r := 0; r < w.size; r++ {
		c = c.Add(w.sent.get(r))
	}
	return c
}

// RankBytes returns the bytes sent by one rank.
func (w *World) RankBytes(rank int) Counters {
	return w.sent.get(rank)
}

// SameNode reports whether ranks r and q share a node.
func (w *World) SameNode(r, q int) bool { return r/w.perNode == q/w.perNode }

func (w *World) count(from, to int, elems int) { w.sent.count(from, to, elems) }

// Abort fails every pending and later operation with err.
func (w *World) Abort(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.abort == nil {
		w.abort = err
		close(w.aborted)
	}
}

type inprocComm struct {
	w    *World
	rank int
	seq  map[string]uint64       // next sequence number per group (and per p2p pair)
	lent map[string]*lentBuffers // AllToAllLent's buffers per group
}

func (c *inprocComm) Rank() int       { return c.rank }
func (c *inprocComm) Size() int       { return c.w.size }
func (c *inprocComm) Bytes() Counters { return c.w.RankBytes(c.rank) }
func (c *inprocComm) Abort(err error) { c.w.Abort(err) }

// meet deposits in as this rank's input to the next operation on g and
// waits for every member. The last member to arrive runs combine once on all
// inputs (in group order) to produce every member's output.
func (c *inprocComm) meet(g Group, kind string, in any, combine func(inputs []any) ([]any, error)) (any, error) {
	s, me, last, err := c.arrive(g, kind, in, nil)
	if err != nil {
		return nil, err
	}
	if last {
		// Outside the world's lock: the inputs are complete and no
		// other member touches the slot until done closes.
		s.outputs, s.err = combine(s.inputs)
		close(s.done)
		c.w.waiting.Add(-int32(len(g) - 1))
	} else if err := c.await(g, s, s.done); err != nil {
		return nil, err
	}
	if s.err != nil {
		return nil, s.err
	}
	return s.outputs[me], nil
}

// meetEach deposits in as this rank's input to the next operation on g and
// waits for every member; the last to arrive runs check on all inputs
// (it returns the elements of all members' outputs together). Then every
// member runs its work on all inputs (in group order) for its own output,
// at once with the others, and waits until all have finished, because the
// others read its input. A member's work writes only its own output. The
// last member runs every member's work instead, and nobody waits twice,
// where ranks outnumber the processors (the others wait parked, and each
// would need a processor back for its part and then park again) and for
// a small meeting, whose parts take less than a second wait.
func (c *inprocComm) meetEach(g Group, kind string, in any, check func(inputs []any) (int, error), work func(inputs []any, me int)) error {
	s, me, last, err := c.arrive(g, kind, in, work)
	if err != nil {
		return err
	}
	if last {
		var n int
		n, s.err = check(s.inputs)
		if s.err == nil && (c.w.crowded() || n < sharedFrom) {
			for m, wk := range s.works {
				wk(s.inputs, m)
			}
			s.allByLast = true
		}
		close(s.done)
		c.w.waiting.Add(-int32(len(g) - 1))
	} else if err := c.await(g, s, s.done); err != nil {
		return err
	}
	if s.err != nil || s.allByLast {
		return s.err
	}
	work(s.inputs, me)
	s.finished[me].Store(true)
	c.w.waiting.Add(1) // before the last to finish can count it out
	if int(s.nDone.Add(1)) == len(g) {
		close(s.allDone)
		c.w.waiting.Add(-int32(len(g))) // the others and itself
		return nil
	}
	return c.await(g, s, s.allDone)
}

// sharedFrom is the outputs' elements from which the members of a shared
// meeting each do their own part: below, one member's copies take about
// what the members' second wait does. BenchmarkSharedOrSerial, 2 ranks on
// this repository's 2-vCPU machine (SMT siblings) at load 4–6: the two
// ways within noise (2–5 µs) at 1 Ki and 4 Ki elements; shared faster
// from 16 Ki (a reduce-scatter 5.3 against 10.6 µs; 64 Ki: 12 against 29).
var sharedFrom = 16 << 10

// crowded reports whether the world's ranks outnumber the processors.
func (w *World) crowded() bool { return w.size > runtime.GOMAXPROCS(0) }

// arrive deposits in as member me's input to the next meeting of g and
// reports whether this rank arrived last. The last member takes the slot
// out of the world's map: every member already holds it.
func (c *inprocComm) arrive(g Group, kind string, in any, work func(inputs []any, me int)) (s *slot, me int, last bool, err error) {
	me = g.Index(c.rank)
	if me < 0 {
		return nil, me, false, fmt.Errorf("collective: rank %d calls %s on group [%s] without being a member", c.rank, kind, g.key())
	}
	gk := g.key()
	seq := c.seq[gk]
	c.seq[gk] = seq + 1
	key := slotKey{gk, seq}
	w := c.w

	w.mu.Lock()
	if w.abort != nil {
		err := w.abort
		w.mu.Unlock()
		return nil, me, false, fmt.Errorf("collective: %s aborted: %w", kind, err)
	}
	s = w.slots[key]
	if s == nil {
		s = &slot{kind: kind, seq: seq, inputs: make([]any, len(g)), done: make(chan struct{})}
		if work != nil {
			s.works = make([]func([]any, int), len(g))
			s.finished = make([]atomic.Bool, len(g))
			s.allDone = make(chan struct{})
		}
		w.slots[key] = s
	}
	if s.kind != kind {
		err := fmt.Errorf("collective: mismatched operations on group [%s] (call #%d): rank %d calls %s, another member called %s", gk, seq, c.rank, kind, s.kind)
		w.mu.Unlock()
		w.Abort(err)
		return nil, me, false, err
	}
	s.inputs[me] = in
	if work != nil {
		s.works[me] = work
	}
	s.arrived++
	last = s.arrived == len(g)
	if last {
		delete(w.slots, key)
	} else {
		w.waiting.Add(1) // counted out by the last, which arrives after
	}
	w.mu.Unlock()
	return s, me, last, nil
}

// await waits for ch, a channel of the meeting s, to close: polling, then
// parked.
func (c *inprocComm) await(g Group, s *slot, ch <-chan struct{}) error {
	if c.w.spin(ch, spinWait) {
		return nil
	}
	return c.waitMeeting(g, s, ch)
}

// waitMeeting parks until ch (a channel of the meeting s) closes, the world
// aborts or the timeout passes (then it names the members that never
// arrived, or that never finished their part).
func (c *inprocComm) waitMeeting(g Group, s *slot, ch <-chan struct{}) error {
	w, gk := c.w, g.key()
	timer := time.NewTimer(w.timeout)
	defer timer.Stop()
	select {
	case <-ch:
	case <-w.aborted:
		select {
		case <-ch: // finished just as another rank aborted: use it
		default:
			return fmt.Errorf("collective: rank %d: %s on group [%s] aborted: %w", c.rank, s.kind, gk, w.abort)
		}
	case <-timer.C:
		w.mu.Lock()
		var missing []int
		for i, x := range s.inputs {
			if x == nil {
				missing = append(missing, g[i])
			}
		}
		w.mu.Unlock()
		what := "never arrived"
		if len(missing) == 0 {
			for i := range s.finished {
				if !s.finished[i].Load() {
					missing = append(missing, g[i])
				}
			}
			what = "never finished their part"
		}
		sort.Ints(missing)
		err := fmt.Errorf("collective: rank %d waited %v for %s #%d on group [%s]: ranks %v %s", c.rank, w.timeout, s.kind, s.seq, gk, missing, what)
		w.Abort(err)
		return err
	}
	return nil
}

func sameLengths(kind string, g Group, inputs []any) error {
	n := len(inputs[0].([]float32))
	for i, x := range inputs {
		if m := len(x.([]float32)); m != n {
			return fmt.Errorf("collective: %s on group [%s]: rank %d gives %d elements, rank %d gives %d", kind, g.key(), g[0], n, g[i], m)
		}
	}
	return nil
}

// reduce adds the inputs in group order (or takes their maximum).
func reduce(inputs []any, op ReduceOp) []float32 {
	first := inputs[0].([]float32)
	out := make([]float32, len(first))
	copy(out, first)
	for _, x := range inputs[1:] {
		for i, v := range x.([]float32) {
			if op == Max {
				out[i] = max(out[i], v)
			} else {
				out[i] += v
			}
		}
	}
	if op == Mean {
		inv := float32(len(inputs))
		for i := range out {
			out[i] /= inv
		}
	}
	return out
}

var allReduceKind = [...]string{Sum: "all-reduce(sum)", Mean: "all-reduce(mean)", Max: "all-reduce(max)"}

// AllReduce: the last member to arrive reduces the members' buffers, a
// block at a time, and writes each block of the result into every
// member's buffer (they wait meanwhile: nothing else touches them).
func (c *inprocComm) AllReduce(g Group, buf []float32, op ReduceOp) error {
	if len(g) == 1 && g[0] == c.rank {
		return nil
	}
	_, err := c.meet(g, allReduceKind[op], buf, func(inputs []any) ([]any, error) {
		if err := sameLengths("all-reduce", g, inputs); err != nil {
			return nil, err
		}
		reduceAll(inputs, op)
		c.w.sent.add(g, allReduceTransfers(len(buf), len(g)))
		return make([]any, len(g)), nil
	})
	return err
}

// reduceAll replaces every input with the reduction of all (in group
// order).
func reduceAll(inputs []any, op ReduceOp) {
	var acc [512]float32
	n := len(inputs[0].([]float32))
	for b := 0; b < n; b += len(acc) {
		a := acc[:min(len(acc), n-b)]
		reduceBlock(a, inputs, b, op)
		for _, x := range inputs {
			copy(x.([]float32)[b:], a)
		}
	}
}

// ReduceScatter reduces member i's chunk i in place: each member sums (in
// group order) its own chunk of every member's input, at once with the
// others, into its own input's chunk, and returns that chunk.
func (c *inprocComm) ReduceScatter(g Group, in []float32, op ReduceOp) ([]float32, error) {
	if len(g) == 1 && g[0] == c.rank {
		return in[:len(in):len(in)], nil
	}
	var out []float32
	err := c.meetEach(g, reduceScatterKind[op], in, func(inputs []any) (int, error) {
		if err := sameLengths("reduce-scatter", g, inputs); err != nil {
			return 0, err
		}
		c.w.sent.add(g, reduceScatterTransfers(len(in), len(g)))
		return len(in), nil
	}, func(inputs []any, me int) {
		off := ChunkOffsets(len(in), len(g))
		out = in[off[me]:off[me+1]:off[me+1]]
		reduceChunk(out, inputs, off[me], op)
	})
	return out, err
}

var reduceScatterKind = [...]string{Sum: "reduce-scatter(sum)", Mean: "reduce-scatter(mean)", Max: "reduce-scatter(max)"}

// reduceChunk writes to dst the reduction of inputs[k][lo:lo+len(dst)] over
// k in group order (dst may be one of them: each block is reduced in a
// buffer before it is stored).
func reduceChunk(dst []float32, inputs []any, lo int, op ReduceOp) {
	var acc [512]float32
	for b := 0; b < len(dst); b += len(acc) {
		a := acc[:min(len(acc), len(dst)-b)]
		reduceBlock(a, inputs, lo+b, op)
		copy(dst[b:], a)
	}
}

// reduceBlock sets a to the reduction of inputs[k][lo:lo+len(a)] over k in
// group order: member 0's, plus member 1's, ... (then divided by the
// members for a mean).
func reduceBlock(a []float32, inputs []any, lo int, op ReduceOp) {
	copy(a, inputs[0].([]float32)[lo:])
	for _, x := range inputs[1:] {
		xs := x.([]float32)[lo : lo+len(a)]
		if op == Max {
			for i, v := range xs {
				a[i] = max(a[i], v)
			}
		} else {
			kernels.Add(a, xs) // vector adds: each element rounds as a scalar add does
		}
	}
	if op == Mean {
		inv := float32(len(inputs))
		for i := range a {
			a[i] /= inv
		}
	}
}

func (c *inprocComm) AllGather(g Group, part []float32) ([]float32, error) {
	if len(g) == 1 && g[0] == c.rank {
		return append([]float32(nil), part...), nil
	}
	var out []float32
	err := c.meetEach(g, "all-gather", gatherArgs{part: part}, c.countGather(g), func(inputs []any, me int) {
		n := 0
		for _, x := range inputs {
			n += len(x.(gatherArgs).part)
		}
		out = make([]float32, n)
		gatherParts(out, inputs)
	})
	return out, err
}

// AllGatherInto gathers straight into out: each member copies the others'
// parts into its own out at once with the others (a part that already
// lies in its place in out is not copied).
func (c *inprocComm) AllGatherInto(g Group, part, out []float32) error {
	if len(g) == 1 && g[0] == c.rank {
		if len(out) != len(part) {
			return fmt.Errorf("collective: all-gather on group [%s]: rank %d gathers %d elements into %d", g.key(), c.rank, len(part), len(out))
		}
		copyUnlessSame(out, part)
		return nil
	}
	return c.meetEach(g, "all-gather", gatherArgs{part: part, out: out, into: true}, c.countGather(g), func(inputs []any, me int) {
		gatherParts(out, inputs)
	})
}

// gatherArgs is a member's input to an all-gather: its part and, gathering
// into a buffer, that buffer.
type gatherArgs struct {
	part, out []float32
	into      bool
}

// countGather checks that every member gathering into a buffer gave one
// the size of all parts, and counts the gather's bytes.
func (c *inprocComm) countGather(g Group) func(inputs []any) (int, error) {
	return func(inputs []any) (int, error) {
		sizes := make([]int, len(inputs))
		n := 0
		for i, x := range inputs {
			sizes[i] = len(x.(gatherArgs).part)
			n += sizes[i]
		}
		for i, x := range inputs {
			if a := x.(gatherArgs); a.into && len(a.out) != n {
				return 0, fmt.Errorf("collective: all-gather on group [%s]: rank %d gathers %d elements into %d", g.key(), g[i], n, len(a.out))
			}
		}
		c.w.sent.add(g, allGatherTransfers(sizes))
		return n * len(g), nil
	}
}

// gatherParts copies every member's part, in group order, into out.
func gatherParts(out []float32, inputs []any) {
	pos := 0
	for _, x := range inputs {
		p := x.(gatherArgs).part
		copyUnlessSame(out[pos:pos+len(p)], p)
		pos += len(p)
	}
}

// copyUnlessSame copies src to dst unless they are the same elements.
func copyUnlessSame(dst, src []float32) {
	if len(src) > 0 && &dst[0] == &src[0] {
		return
	}
	copy(dst, src)
}

func (c *inprocComm) AllToAll(g Group, send [][]float32) ([][]float32, error) {
	if len(send) != len(g) {
		return nil, fmt.Errorf("collective: all-to-all on group [%s]: rank %d gives %d chunks for %d members", g.key(), c.rank, len(send), len(g))
	}
	// Each member copies what it sends before it arrives (the others may
	// still be computing): the last to arrive then only hands the copies
	// out, while the members that wait for it have nothing to run.
	mine := make([][]float32, len(send))
	for j, chunk := range send {
		mine[j] = append([]float32(nil), chunk...)
	}
	return c.allToAll(g, "all-to-all", mine)
}

// AllToAllLent is AllToAll into one of two buffers this rank keeps per
// group, in turn ([AllToAllLent]): a rank's copies of call k are written
// over at its call k+2 (or after AllToAllBuffer for it, which comes after
// call k+1), which starts after every member has arrived at call k+1, so
// after every member is done with them. AllToAll allocates every chunk (a
// tiny_moe exchange: four 16 KiB allocations a call and rank, more than
// its copies cost). Chunks already in the buffer AllToAllBuffer returned
// are not copied.
func (c *inprocComm) AllToAllLent(g Group, send [][]float32) ([][]float32, error) {
	if len(send) != len(g) {
		return nil, fmt.Errorf("collective: all-to-all on group [%s]: rank %d gives %d chunks for %d members", g.key(), c.rank, len(send), len(g))
	}
	lb := c.lentOn(g)
	mine := make([][]float32, len(send))
	if lb.holds(send) {
		for j, chunk := range send {
			mine[j] = chunk[:len(chunk):len(chunk)]
		}
	} else {
		n := 0
		for _, chunk := range send {
			n += len(chunk)
		}
		if lb.handed != nil {
			// this turn's buffer was handed out but the chunks are
			// elsewhere (and may overlap it): this turn in new memory
			lb.next ^= 1
			lb.buf[lb.next] = nil
		}
		buf := lb.take(n)
		pos := 0
		for j, chunk := range send {
			// capped: a receiver that appends gets new memory, not the next chunk
			mine[j] = buf[pos : pos+len(chunk) : pos+len(chunk)]
			copy(mine[j], chunk)
			pos += len(chunk)
		}
	}
	lb.handed = nil
	return c.allToAll(g, "all-to-all (lent)", mine)
}

// AllToAllBuffer hands out the buffer of this rank's next AllToAllLent on
// g ([AllToAllBuffer]).
func (c *inprocComm) AllToAllBuffer(g Group, n int) []float32 {
	lb := c.lentOn(g)
	if cap(lb.handed) < n {
		if lb.handed != nil {
			lb.next ^= 1 // the same turn's buffer again, grown
		}
		lb.handed = lb.take(n)
	}
	return lb.handed[:n]
}

// lentOn returns this rank's lent buffers on g.
func (c *inprocComm) lentOn(g Group) *lentBuffers {
	gk := g.key()
	lb := c.lent[gk]
	if lb == nil {
		lb = &lentBuffers{}
		c.lent[gk] = lb
	}
	return lb
}

// lentBuffers are the two buffers one rank's AllToAllLent copies its
// chunks into on one group, in turn, and the one AllToAllBuffer handed out
// for the next call.
type lentBuffers struct {
	buf    [2][]float32
	next   int
	handed []float32
}

// take returns the next buffer, of n elements (grown when shorter: the old
// one stays with whoever still reads it).
func (lb *lentBuffers) take(n int) []float32 {
	b := lb.buf[lb.next]
	if cap(b) < n {
		b = make([]float32, n)
		lb.buf[lb.next] = b
	}
	lb.next ^= 1
	return b[:n]
}

// holds reports whether every chunk of send that has elements is a slice
// of the handed-out buffer running to its end (uncapped).
func (lb *lentBuffers) holds(send [][]float32) bool {
	if cap(lb.handed) == 0 {
		return false
	}
	end := &lb.handed[:cap(lb.handed)][cap(lb.handed)-1]
	for _, chunk := range send {
		if len(chunk) > 0 && &chunk[:cap(chunk)][cap(chunk)-1] != end {
			return false
		}
	}
	return true
}

// allToAll hands each member's chunks (mine, already copied) out at a
// meeting of kind.
func (c *inprocComm) allToAll(g Group, kind string, mine [][]float32) ([][]float32, error) {
	out, err := c.meet(g, kind, mine, func(inputs []any) ([]any, error) {
		p := len(g)
		outs := make([]any, p)
		for j := range g {
			recv := make([][]float32, p)
			for i := range g {
				recv[i] = inputs[i].([][]float32)[j]
			}
			outs[j] = recv
		}
		for i := range g {
			c.w.sent.add(g, allToAllTransfers(i, chunkSizes(inputs[i].([][]float32))))
		}
		return outs, nil
	})
	if err != nil {
		return nil, err
	}
	return out.([][]float32), nil
}

func (c *inprocComm) Broadcast(g Group, root int, buf []float32) error {
	ri := g.Index(root)
	if ri < 0 {
		return fmt.Errorf("collective: broadcast on group [%s]: root %d is not a member", g.key(), root)
	}
	if len(g) == 1 {
		return nil
	}
	out, err := c.meet(g, fmt.Sprintf("broadcast(root %d)", root), buf, func(inputs []any) ([]any, error) {
		if err := sameLengths("broadcast", g, inputs); err != nil {
			return nil, err
		}
		src := append([]float32(nil), inputs[ri].([]float32)...)
		p := len(g)
		c.w.sent.add(g, broadcastTransfers(ri, len(src), p))
		outs := make([]any, p)
		for i := range outs {
			outs[i] = src
		}
		return outs, nil
	})
	if err != nil {
		return err
	}
	copy(buf, out.([]float32))
	return nil
}

func (c *inprocComm) Barrier(g Group) error {
	if len(g) == 1 {
		return nil
	}
	_, err := c.meet(g, "barrier", struct{}{}, func(inputs []any) ([]any, error) {
		return make([]any, len(g)), nil
	})
	return err
}

// Point-to-point messages use a slot per (sender, receiver, sequence) that
// the sender fills and the receiver empties; the sender does not wait.
func p2pKey(from, to int, tag int64) string { return fmt.Sprintf("p2p %d->%d tag %d", from, to, tag) }

func (c *inprocComm) Send(to int, tag int64, buf []float32) error {
	if to < 0 || to >= c.w.size || to == c.rank {
		return fmt.Errorf("collective: rank %d sends to invalid rank %d", c.rank, to)
	}
	pk := p2pKey(c.rank, to, tag)
	k := pk + " send"
	seq := c.seq[k]
	c.seq[k] = seq + 1
	key := slotKey{pk, seq}
	msg := []any{append([]float32(nil), buf...)} // copied before the world's lock
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.abort != nil {
		return fmt.Errorf("collective: send %d->%d aborted: %w", c.rank, to, w.abort)
	}
	s := w.slots[key]
	if s == nil {
		s = &slot{kind: "send", done: make(chan struct{})}
		w.slots[key] = s
	}
	s.outputs = msg
	close(s.done)
	w.waiting.Add(-s.waiters)
	w.count(c.rank, to, len(buf))
	return nil
}

func (c *inprocComm) Recv(from int, tag int64) ([]float32, error) {
	if from < 0 || from >= c.w.size || from == c.rank {
		return nil, fmt.Errorf("collective: rank %d receives from invalid rank %d", c.rank, from)
	}
	pk := p2pKey(from, c.rank, tag)
	k := pk + " recv"
	seq := c.seq[k]
	c.seq[k] = seq + 1
	key := slotKey{pk, seq}
	w := c.w
	w.mu.Lock()
	s := w.slots[key]
	if s == nil {
		s = &slot{kind: "send", done: make(chan struct{})}
		w.slots[key] = s
	}
	if s.outputs == nil { // not sent yet: counted out by the send
		s.waiters = 1
		w.waiting.Add(1)
	}
	w.mu.Unlock()
	if !w.spin(s.done, recvSpinWait) {
		if err := c.waitMessage(from, tag, seq, s); err != nil {
			return nil, err
		}
	}
	w.mu.Lock()
	delete(w.slots, key)
	w.mu.Unlock()
	return s.outputs[0].([]float32), nil
}

// waitMessage parks until the message s is sent, the world aborts or the
// timeout passes.
func (c *inprocComm) waitMessage(from int, tag int64, seq uint64, s *slot) error {
	w := c.w
	timer := time.NewTimer(w.timeout)
	defer timer.Stop()
	select {
	case <-s.done:
	case <-w.aborted:
		select {
		case <-s.done:
		default:
			return fmt.Errorf("collective: rank %d: receive #%d from rank %d aborted: %w", c.rank, seq, from, w.abort)
		}
	case <-timer.C:
		err := fmt.Errorf("collective: rank %d waited %v for message #%d (tag %d) from rank %d, which never sent it", c.rank, w.timeout, seq, tag, from)
		w.Abort(err)
		return err
	}
	return nil
}

// spinWait is how long a rank polls for its peers before it parks.
// Waking a parked goroutine whose thread went to sleep costs tens of
// microseconds on a VM (the futex wake-up and the hypervisor's IPI to an
// idle vCPU: `planc calibrate`'s sync_wait measured 33 µs): tiny_gpt at
// tp = 2 waits on 68 all-reduces a step, and parking at each halved its
// speed. Polling a few wake-ups' worth catches a peer that is a kernel or
// two behind; a peer further away is waited for parked, so a rank blocked
// for long burns at most this much of its processor.
const spinWait = 200 * time.Microsecond

// recvSpinWait is spinWait for a point-to-point receive: a pipeline's
// ranks wait for a neighbour's whole forward or backward (0.2-2.5 ms at
// tiny_gpt pp=2), and the wake-up lands on the step's critical path, which
// crosses ranks twice per micro-batch. On a quiet VM a parked rank's vCPU
// halts and its wake-up costs far more than under load: at 200 µs a third
// of tiny_gpt pp=2's runs took 11-15 ms a step instead of 8.5 (gpipe and
// 1f1b, load 2); polling 2 ms, none did.
const recvSpinWait = 2 * time.Millisecond

// spin polls done for up to wait (yielding the processor between polls)
// and reports whether done closed; the caller parks if not. With
// more ranks than processors a poller must not hold a processor that a
// runnable rank needs: it polls only while fewer ranks are active (not
// waiting) than there are processors, that is while its processor would
// otherwise go idle, its thread to sleep, and be woken (tens of
// microseconds on a VM) when the meeting completes. At an all-to-all of 4
// ranks on 2 processors the third to arrive polls while the fourth
// computes, and the meeting's end finds both processors awake.
func (w *World) spin(done <-chan struct{}, wait time.Duration) bool {
	procs := int32(runtime.GOMAXPROCS(0))
	shared := int32(w.size) > procs
	deadline := time.Now().Add(wait)
	for {
		select {
		case <-done:
			return true
		default:
		}
		if shared && int32(w.size)-w.waiting.Load() >= procs {
			return false // a runnable rank for every processor
		}
		if !time.Now().Before(deadline) {
			return false
		}
		runtime.Gosched()
	}
}

// Run starts fn on every rank of a new world in its own goroutine and waits
// for all. The first error aborts the world (so no rank waits for a failed
// one) and is returned, with the rank that failed.
func Run(size, perNode int, timeout time.Duration, fn func(c Comm) error) (*World, error) {
	w := NewWorld(size, perNode, timeout)
	errs := make([]error, size)
	var wg sync.WaitGroup
	for r := 0; r < size; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[r] = fmt.Errorf("rank %d panicked: %v", r, p)
					w.Abort(errs[r])
				}
			}()
			if err := fn(w.Comm(r)); err != nil {
				errs[r] = fmt.Errorf("rank %d: %w", r, err)
				w.Abort(errs[r])
			}
		}(r)
	}
	wg.Wait()
	// Report the root cause: the first abort, not the echoes it caused.
	w.mu.Lock()
	first := w.abort
	w.mu.Unlock()
	if first != nil {
		return w, first
	}
	return w, nil
}
