package collective

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"
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

	sent *counter
}

type slotKey struct {
	group string
	seq   uint64
}

// slot is one meeting of a group: the members deposit their inputs, the
// last to arrive computes every member's output, then all leave.
type slot struct {
	kind    string
	inputs  []any
	arrived int
	left    int
	done    chan struct{}
	outputs []any
	err     error
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
	return &inprocComm{w: w, rank: rank, seq: map[string]uint64{}}
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
	seq  map[string]uint64 // next sequence number per group (and per p2p pair)
}

func (c *inprocComm) Rank() int       { return c.rank }
func (c *inprocComm) Size() int       { return c.w.size }
func (c *inprocComm) Bytes() Counters { return c.w.RankBytes(c.rank) }
func (c *inprocComm) Abort(err error) { c.w.Abort(err) }

// meet deposits in as this rank's input to the next operation on g and
// waits for every member. The last member to arrive runs combine once on all
// inputs (in group order) to produce every member's output.
func (c *inprocComm) meet(g Group, kind string, in any, combine func(inputs []any) ([]any, error)) (any, error) {
	me := g.Index(c.rank)
	if me < 0 {
		return nil, fmt.Errorf("collective: rank %d calls %s on group [%s] without being a member", c.rank, kind, g.key())
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
		return nil, fmt.Errorf("collective: %s aborted: %w", kind, err)
	}
	s := w.slots[key]
	if s == nil {
		s = &slot{kind: kind, inputs: make([]any, len(g)), done: make(chan struct{})}
		w.slots[key] = s
	}
	if s.kind != kind {
		err := fmt.Errorf("collective: mismatched operations on group [%s] (call #%d): rank %d calls %s, another member called %s", gk, seq, c.rank, kind, s.kind)
		w.mu.Unlock()
		w.Abort(err)
		return nil, err
	}
	s.inputs[me] = in
	s.arrived++
	if s.arrived == len(g) {
		s.outputs, s.err = combine(s.inputs)
		close(s.done)
	}
	w.mu.Unlock()

	if !w.spin(s.done) {
		if err := c.waitMeeting(g, kind, seq, s); err != nil {
			return nil, err
		}
	}
	w.mu.Lock()
	s.left++
	if s.left == len(g) {
		delete(w.slots, key)
	}
	w.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	return s.outputs[me], nil
}

// waitMeeting parks until the meeting s is complete, the world aborts or the
// timeout passes (then it names the members that never arrived).
func (c *inprocComm) waitMeeting(g Group, kind string, seq uint64, s *slot) error {
	w, gk := c.w, g.key()
	timer := time.NewTimer(w.timeout)
	defer timer.Stop()
	select {
	case <-s.done:
	case <-w.aborted:
		select {
		case <-s.done: // finished just as another rank aborted: use it
		default:
			return fmt.Errorf("collective: rank %d: %s on group [%s] aborted: %w", c.rank, kind, gk, w.abort)
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
		sort.Ints(missing)
		err := fmt.Errorf("collective: rank %d waited %v for %s #%d on group [%s]: ranks %v never arrived", c.rank, w.timeout, kind, seq, gk, missing)
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

func (c *inprocComm) AllReduce(g Group, buf []float32, op ReduceOp) error {
	if len(g) == 1 && g[0] == c.rank {
		return nil
	}
	out, err := c.meet(g, "all-reduce("+op.String()+")", buf, func(inputs []any) ([]any, error) {
		if err := sameLengths("all-reduce", g, inputs); err != nil {
			return nil, err
		}
		r := reduce(inputs, op)
		n, p := len(r), len(g)
		c.w.sent.add(g, allReduceTransfers(n, p))
		outs := make([]any, p)
		for i := range outs {
			outs[i] = r
		}
		return outs, nil
	})
	if err != nil {
		return err
	}
	copy(buf, out.([]float32))
	return nil
}

func (c *inprocComm) ReduceScatter(g Group, in []float32, op ReduceOp) ([]float32, error) {
	if len(g) == 1 && g[0] == c.rank {
		return append([]float32(nil), in...), nil
	}
	out, err := c.meet(g, "reduce-scatter("+op.String()+")", in, func(inputs []any) ([]any, error) {
		if err := sameLengths("reduce-scatter", g, inputs); err != nil {
			return nil, err
		}
		r := reduce(inputs, op)
		n, p := len(r), len(g)
		off := ChunkOffsets(n, p)
		outs := make([]any, p)
		for i := range g {
			outs[i] = r[off[i]:off[i+1]:off[i+1]]
		}
		c.w.sent.add(g, reduceScatterTransfers(n, p))
		return outs, nil
	})
	if err != nil {
		return nil, err
	}
	return append([]float32(nil), out.([]float32)...), nil
}

func (c *inprocComm) AllGather(g Group, part []float32) ([]float32, error) {
	if len(g) == 1 && g[0] == c.rank {
		return append([]float32(nil), part...), nil
	}
	out, err := c.meet(g, "all-gather", part, func(inputs []any) ([]any, error) {
		var all []float32
		sizes := make([]int, len(inputs))
		for i, x := range inputs {
			all = append(all, x.([]float32)...)
			sizes[i] = len(x.([]float32))
		}
		p := len(g)
		c.w.sent.add(g, allGatherTransfers(sizes))
		outs := make([]any, p)
		for i := range outs {
			outs[i] = all
		}
		return outs, nil
	})
	if err != nil {
		return nil, err
	}
	return append([]float32(nil), out.([]float32)...), nil
}

func (c *inprocComm) AllToAll(g Group, send [][]float32) ([][]float32, error) {
	if len(send) != len(g) {
		return nil, fmt.Errorf("collective: all-to-all on group [%s]: rank %d gives %d chunks for %d members", g.key(), c.rank, len(send), len(g))
	}
	out, err := c.meet(g, "all-to-all", send, func(inputs []any) ([]any, error) {
		p := len(g)
		outs := make([]any, p)
		for j := range g {
			recv := make([][]float32, p)
			for i := range g {
				recv[i] = append([]float32(nil), inputs[i].([][]float32)[j]...)
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
	k := p2pKey(c.rank, to, tag) + " send"
	seq := c.seq[k]
	c.seq[k] = seq + 1
	key := slotKey{p2pKey(c.rank, to, tag), seq}
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
	s.outputs = []any{append([]float32(nil), buf...)}
	close(s.done)
	w.count(c.rank, to, len(buf))
	return nil
}

func (c *inprocComm) Recv(from int, tag int64) ([]float32, error) {
	if from < 0 || from >= c.w.size || from == c.rank {
		return nil, fmt.Errorf("collective: rank %d receives from invalid rank %d", c.rank, from)
	}
	k := p2pKey(from, c.rank, tag) + " recv"
	seq := c.seq[k]
	c.seq[k] = seq + 1
	key := slotKey{p2pKey(from, c.rank, tag), seq}
	w := c.w
	w.mu.Lock()
	s := w.slots[key]
	if s == nil {
		s = &slot{kind: "send", done: make(chan struct{})}
		w.slots[key] = s
	}
	w.mu.Unlock()
	if !w.spin(s.done) {
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

// spinWait is how long a rank polls for its peers before it parks, when
// every rank of the world has a processor of its own (size ≤ GOMAXPROCS).
// Waking a parked goroutine whose thread went to sleep costs tens of
// microseconds on a VM (the futex wake-up and the hypervisor's IPI to an
// idle vCPU: `planc calibrate`'s sync_wait measured 33 µs): tiny_gpt at
// tp = 2 waits on 68 all-reduces a step, and parking at each halved its
// speed. Polling a few wake-ups' worth catches a peer that is a kernel or
// two behind; a peer further away is waited for parked, so a rank blocked
// for long burns at most this much of its processor. With more ranks than
// processors a poller would take the processor its peer needs: those
// worlds park at once.
const spinWait = 200 * time.Microsecond

// spin polls done for up to spinWait (yielding the processor between
// polls) when the world's ranks have a processor each, and reports whether
// done closed.
func (w *World) spin(done <-chan struct{}) bool {
	if w.size > runtime.GOMAXPROCS(0) {
		return false
	}
	deadline := time.Now().Add(spinWait)
	for {
		select {
		case <-done:
			return true
		default:
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
