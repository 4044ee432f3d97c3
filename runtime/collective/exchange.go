package collective

import (
	"fmt"
	"math"
)

// The collectives of a transport whose ranks are processes, built on two
// primitives: post (send one message of an operation's phase to a rank)
// and await (receive one message of that phase from each of some ranks).
// Every reduction happens at the member that owns a chunk, adding the
// members' contributions in group order, as reduce does in-process.

func float32bits(f float32) uint32     { return math.Float32bits(f) }
func float32frombits(b uint32) float32 { return math.Float32frombits(b) }

// exchanger is what a transport provides to run the collectives below.
type exchanger interface {
	post(to int, ch string, seq uint64, phase uint8, op string, data []float32) error
	await(from []int, ch string, seq uint64, phase uint8, op, what string) ([][]float32, error)
}

// call is one collective operation of one member.
type call struct {
	x    exchanger
	rank int
	g    Group
	me   int
	ch   string
	seq  uint64
	op   string
	what string
}

// begin numbers the next operation on g (per-group sequence numbers, as
// in-process) and checks membership.
func begin(x exchanger, seqs map[string]uint64, rank int, g Group, op string) (*call, error) {
	me := g.Index(rank)
	if me < 0 {
		return nil, fmt.Errorf("collective: rank %d calls %s on group [%s] without being a member", rank, op, g.key())
	}
	ch := "g" + g.key()
	seq := seqs[ch]
	seqs[ch] = seq + 1
	return &call{x: x, rank: rank, g: g, me: me, ch: ch, seq: seq, op: op,
		what: fmt.Sprintf("%s #%d on group [%s]", op, seq, g.key())}, nil
}

// others are the members but this one, in group order.
func (c *call) others() []int {
	var o []int
	for i, r := range c.g {
		if i != c.me {
			o = append(o, r)
		}
	}
	return o
}

// exchange sends parts[j] to member j (its own part is kept) and returns
// what every member sent this one, in group order. sized says whether the
// op string carries the part's length, so that a mismatch of lengths is an
// error rather than a wrong result.
func (c *call) exchange(phase uint8, parts func(j int) []float32, mine []float32) ([][]float32, error) {
	for j, r := range c.g {
		if j != c.me {
			if err := c.x.post(r, c.ch, c.seq, phase, c.op, parts(j)); err != nil {
				return nil, err
			}
		}
	}
	got, err := c.x.await(c.others(), c.ch, c.seq, phase, c.op, c.what)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, 0, len(c.g))
	k := 0
	for j := range c.g {
		if j == c.me {
			out = append(out, mine)
		} else {
			out = append(out, got[k])
			k++
		}
	}
	return out, nil
}

// reduceChunk reduces this member's chunk [lo, hi) of everyone's buf.
func (c *call) reduceChunk(buf []float32, op ReduceOp) ([]float32, error) {
	n, p := len(buf), len(c.g)
	off := ChunkOffsets(n, p)
	parts, err := c.exchange(0, func(j int) []float32 { return buf[off[j]:off[j+1]] }, buf[off[c.me]:off[c.me+1]])
	if err != nil {
		return nil, err
	}
	inputs := make([]any, p)
	for i, x := range parts {
		if len(x) != off[c.me+1]-off[c.me] {
			return nil, fmt.Errorf("collective: %s: rank %d sent %d elements of chunk %d, want %d", c.what, c.g[i], len(x), c.me, off[c.me+1]-off[c.me])
		}
		inputs[i] = x
	}
	return reduce(inputs, op), nil
}

func exAllReduce(x exchanger, seqs map[string]uint64, cnt *counter, rank int, g Group, buf []float32, op ReduceOp) error {
	if len(g) == 1 && g[0] == rank {
		return nil
	}
	c, err := begin(x, seqs, rank, g, fmt.Sprintf("all-reduce(%s) of %d elements", op, len(buf)))
	if err != nil {
		return err
	}
	mine, err := c.reduceChunk(buf, op)
	if err != nil {
		return err
	}
	chunks, err := c.exchange(1, func(int) []float32 { return mine }, mine)
	if err != nil {
		return err
	}
	off := ChunkOffsets(len(buf), len(g))
	for j, ch := range chunks {
		if len(ch) != off[j+1]-off[j] {
			return fmt.Errorf("collective: %s: rank %d returned %d elements of chunk %d", c.what, g[j], len(ch), j)
		}
		copy(buf[off[j]:], ch)
	}
	cnt.add(g, allReduceTransfers(len(buf), len(g)))
	return nil
}

func exReduceScatter(x exchanger, seqs map[string]uint64, cnt *counter, rank int, g Group, in []float32, op ReduceOp) ([]float32, error) {
	if len(g) == 1 && g[0] == rank {
		return append([]float32(nil), in...), nil
	}
	c, err := begin(x, seqs, rank, g, fmt.Sprintf("reduce-scatter(%s) of %d elements", op, len(in)))
	if err != nil {
		return nil, err
	}
	out, err := c.reduceChunk(in, op)
	if err != nil {
		return nil, err
	}
	cnt.add(g, reduceScatterTransfers(len(in), len(g)))
	return out, nil
}

func exAllGather(x exchanger, seqs map[string]uint64, cnt *counter, rank int, g Group, part []float32) ([]float32, error) {
	if len(g) == 1 && g[0] == rank {
		return append([]float32(nil), part...), nil
	}
	c, err := begin(x, seqs, rank, g, "all-gather")
	if err != nil {
		return nil, err
	}
	parts, err := c.exchange(0, func(int) []float32 { return part }, part)
	if err != nil {
		return nil, err
	}
	var all []float32
	for _, p := range parts {
		all = append(all, p...)
	}
	cnt.add(g, allGatherTransfers(chunkSizes(parts)))
	return all, nil
}

func exAllToAll(x exchanger, seqs map[string]uint64, cnt *counter, rank int, g Group, send [][]float32) ([][]float32, error) {
	if len(send) != len(g) {
		return nil, fmt.Errorf("collective: all-to-all on group [%s]: rank %d gives %d chunks for %d members", g.key(), rank, len(send), len(g))
	}
	c, err := begin(x, seqs, rank, g, "all-to-all")
	if err != nil {
		return nil, err
	}
	recv, err := c.exchange(0, func(j int) []float32 { return send[j] }, append([]float32(nil), send[c.me]...))
	if err != nil {
		return nil, err
	}
	cnt.add(g, allToAllTransfers(c.me, chunkSizes(send)))
	return recv, nil
}

func exBroadcast(x exchanger, seqs map[string]uint64, cnt *counter, rank int, g Group, root int, buf []float32) error {
	ri := g.Index(root)
	if ri < 0 {
		return fmt.Errorf("collective: broadcast on group [%s]: root %d is not a member", g.key(), root)
	}
	if len(g) == 1 {
		return nil
	}
	c, err := begin(x, seqs, rank, g, fmt.Sprintf("broadcast(root %d) of %d elements", root, len(buf)))
	if err != nil {
		return err
	}
	if c.me == ri {
		for j, r := range g {
			if j != ri {
				if err := x.post(r, c.ch, c.seq, 0, c.op, buf); err != nil {
					return err
				}
			}
		}
	} else {
		got, err := x.await([]int{root}, c.ch, c.seq, 0, c.op, c.what)
		if err != nil {
			return err
		}
		copy(buf, got[0])
	}
	cnt.add(g, broadcastTransfers(ri, len(buf), len(g)))
	return nil
}

func exBarrier(x exchanger, seqs map[string]uint64, rank int, g Group) error {
	if len(g) == 1 {
		return nil
	}
	c, err := begin(x, seqs, rank, g, "barrier")
	if err != nil {
		return err
	}
	_, err = c.exchange(0, func(int) []float32 { return nil }, nil)
	return err
}

// p2pChannel is the channel of messages under tag between two ranks; the
// sequence numbers count them per direction.
func p2pChannel(tag int64) string { return fmt.Sprintf("t%d", tag) }

func exSend(x exchanger, seqs map[string]uint64, cnt *counter, rank, size, to int, tag int64, buf []float32) error {
	if to < 0 || to >= size || to == rank {
		return fmt.Errorf("collective: rank %d sends to invalid rank %d", rank, to)
	}
	ch := p2pChannel(tag)
	k := fmt.Sprintf("%s>%d", ch, to)
	seq := seqs[k]
	seqs[k] = seq + 1
	if err := x.post(to, ch, seq, 0, "send", buf); err != nil {
		return err
	}
	cnt.count(rank, to, len(buf))
	return nil
}

func exRecv(x exchanger, seqs map[string]uint64, rank, size, from int, tag int64) ([]float32, error) {
	if from < 0 || from >= size || from == rank {
		return nil, fmt.Errorf("collective: rank %d receives from invalid rank %d", rank, from)
	}
	ch := p2pChannel(tag)
	k := fmt.Sprintf("%s<%d", ch, from)
	seq := seqs[k]
	seqs[k] = seq + 1
	got, err := x.await([]int{from}, ch, seq, 0, "send", fmt.Sprintf("message #%d (tag %d) from rank %d", seq, tag, from))
	if err != nil {
		return nil, err
	}
	return got[0], nil
}

// The TCP transport's collectives.

func (c *TCPComm) AllReduce(g Group, buf []float32, op ReduceOp) error {
	return exAllReduce(c, c.seq, c.sent, c.cfg.Rank, g, buf, op)
}
func (c *TCPComm) ReduceScatter(g Group, in []float32, op ReduceOp) ([]float32, error) {
	return exReduceScatter(c, c.seq, c.sent, c.cfg.Rank, g, in, op)
}
func (c *TCPComm) AllGather(g Group, part []float32) ([]float32, error) {
	return exAllGather(c, c.seq, c.sent, c.cfg.Rank, g, part)
}
func (c *TCPComm) AllGatherInto(g Group, part, out []float32) error {
	return gatherThenCopy(c, g, part, out)
}
func (c *TCPComm) AllToAll(g Group, send [][]float32) ([][]float32, error) {
	return exAllToAll(c, c.seq, c.sent, c.cfg.Rank, g, send)
}
func (c *TCPComm) Broadcast(g Group, root int, buf []float32) error {
	return exBroadcast(c, c.seq, c.sent, c.cfg.Rank, g, root, buf)
}
func (c *TCPComm) Barrier(g Group) error { return exBarrier(c, c.seq, c.cfg.Rank, g) }
func (c *TCPComm) Send(to int, tag int64, buf []float32) error {
	return exSend(c, c.seq, c.sent, c.cfg.Rank, c.cfg.Size, to, tag, buf)
}
func (c *TCPComm) Recv(from int, tag int64) ([]float32, error) {
	return exRecv(c, c.seq, c.cfg.Rank, c.cfg.Size, from, tag)
}

// gatherThenCopy is AllGatherInto for a transport whose AllGather returns a
// fresh buffer.
func gatherThenCopy(c Comm, g Group, part, out []float32) error {
	all, err := c.AllGather(g, part)
	if err != nil {
		return err
	}
	if len(all) != len(out) {
		return fmt.Errorf("collective: all-gather on group [%s]: rank %d gathers %d elements into %d", g.key(), c.Rank(), len(all), len(out))
	}
	copy(out, all)
	return nil
}
