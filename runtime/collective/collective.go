// Package collective is the one interface through which the ranks of a
// training job talk to each other, and its in-process transport, in which
// ranks are goroutines of one process.
//
// # Contract
//
// Every operation takes a [Group]: the ranks that take part, in group order
// (the order of [ir.Mesh.Group], which is also the ring order). Every member
// of a group must call the same operations on that group in the same order;
// a member that calls a different operation, or a different size, gets an
// error instead of a wrong result.
//
// Results are deterministic: a reduction adds the contributions in group
// order (member 0 first), whatever order the ranks arrive in, so a plan's
// losses do not depend on goroutine scheduling.
//
// A member that never arrives makes the operation fail on every other member
// after the world's timeout with an error that names the operation, the
// group and the missing ranks; a rank that fails calls [Comm.Abort] so the
// others stop waiting at once. Nothing hangs.
//
// # Byte counters
//
// Every rank counts the bytes it sends, split by link level: a link is
// intra-node when both ends are on one node (ranks r and q share a node iff
// r/perNode == q/perNode) and inter-node otherwise. What each member sends
// is package network's convention ([network.RingSend], [network.Chunks]),
// the one the traffic predictions use, so that they predict it exactly:
//
//   - AllReduce of n elements over p ranks: ring reduce-scatter then ring
//     all-gather; member i sends (n - c_i) + (n - c_{i+1}) elements to member
//     i+1 (mod p), where c_j is the size of chunk j when n is split into p
//     chunks as evenly as possible, the first n mod p chunks one larger.
//     For p dividing n that is 2(p-1)/p·n.
//   - ReduceScatter: member i sends n - c_i elements to member i+1
//     ((p-1)/p·n).
//   - AllGather: member i sends n - c_{i+1} elements to member i+1, where n
//     is the gathered size ((p-1)/p·n).
//   - AllToAll(v): member i sends its chunk for member j straight to j
//     (pairwise exchange); nothing is counted for its own chunk.
//   - Send: the payload, to the receiver.
//   - Broadcast: a chain from the root along group order; every member but
//     the last of the chain forwards n elements to the next.
//   - Barrier: no bytes.
//
// Elements are float32 (4 bytes). A group of one member moves nothing.
package collective

import (
	"strconv"

	"planc/network"
)

// ReduceOp says how AllReduce and ReduceScatter combine contributions.
type ReduceOp int

const (
	// Sum adds the contributions in group order.
	Sum ReduceOp = iota
	// Mean adds them in group order, then divides by the group size.
	Mean
	// Max takes the element-wise maximum (the vocab-parallel
	// cross-entropy's row maxima).
	Max
)

func (o ReduceOp) String() string {
	switch o {
	case Mean:
		return "mean"
	case Max:
		return "max"
	}
	return "sum"
}

// Group is an ordered set of ranks that run a collective together.
type Group []int

// Index returns the position of rank in g, or -1.
func (g Group) Index(rank int) int {
	for i, r := range g {
		if r == rank {
			return i
		}
	}
	return -1
}

func (g Group) key() string {
	var buf [64]byte // (most groups' keys: no allocation but the string's)
	b := buf[:0]
	for i, r := range g {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(r), 10)
	}
	return string(b)
}

// Comm is one rank's handle on the job's collectives. A Comm belongs to one
// goroutine: it is not safe for concurrent use by several.
type Comm interface {
	// Rank is this rank's global number; Size the number of ranks.
	Rank() int
	Size() int

	// AllReduce replaces buf on every member with the reduction of all
	// members' buf (same length on all).
	AllReduce(g Group, buf []float32, op ReduceOp) error
	// ReduceScatter reduces in (same length n on all members) and returns
	// member i's chunk i of the result: the split of n into len(g) chunks as
	// evenly as possible, the first n mod len(g) chunks one element larger
	// (see [Chunks]). The result may be in's own chunk i, reduced in place
	// (the in-process transport's is); in's other chunks are left as they
	// were.
	ReduceScatter(g Group, in []float32, op ReduceOp) ([]float32, error)
	// AllGather concatenates every member's part in group order; parts may
	// differ in length.
	AllGather(g Group, part []float32) ([]float32, error)
	// AllGatherInto is AllGather into out, whose length must be the parts'
	// total. part may be out's own segment (exactly where this member's
	// part goes), and is then not copied; it must not overlap out
	// otherwise.
	AllGatherInto(g Group, part, out []float32) error
	// AllToAll sends send[j] to member j and returns recv, where recv[j] is
	// what member j sent to this rank. Lengths may differ (all-to-all-v).
	AllToAll(g Group, send [][]float32) ([][]float32, error)
	// Broadcast replaces buf on every member with root's buf, where root is
	// a global rank in g.
	Broadcast(g Group, root int, buf []float32) error
	// Send gives a copy of buf to rank to under tag and returns without
	// waiting for the receiver. A receive matches a send by (sender,
	// receiver, tag); messages of one tag arrive in the order sent.
	Send(to int, tag int64, buf []float32) error
	// Recv returns the next message that rank from sent to this rank under
	// tag.
	Recv(from int, tag int64) ([]float32, error)
	// Barrier returns when every member has called it.
	Barrier(g Group) error

	// Bytes returns the bytes this rank has sent so far, by link level.
	Bytes() Counters
	// Abort makes every pending and later operation of every rank fail with
	// err (the first abort wins). A rank that fails calls it so the others
	// stop waiting for it.
	Abort(err error)
}

// AllToAllLent is c.AllToAll for a caller that reads the chunks it
// receives only until its next AllToAllLent on g (and copies what it
// keeps longer): the in-process transport then copies what each member
// sends into one of two buffers it keeps per group, in turn, instead of
// allocating every chunk; the other transports' AllToAll. Every member of
// a call uses AllToAllLent, or every member AllToAll.
func AllToAllLent(c Comm, g Group, send [][]float32) ([][]float32, error) {
	if l, ok := c.(interface {
		AllToAllLent(Group, [][]float32) ([][]float32, error)
	}); ok {
		return l.AllToAllLent(g, send)
	}
	return c.AllToAll(g, send)
}

// AllToAllBuffer returns a buffer of n elements to write the chunks of
// this rank's next AllToAllLent on g into, or nil when c's transport does
// not lend (then any buffer does): chunks that are slices of it (to its
// end: not capped) are handed to the members as they are, not copied again.
// Until that call the same buffer comes back (a longer one, when n grows).
func AllToAllBuffer(c Comm, g Group, n int) []float32 {
	if l, ok := c.(interface{ AllToAllBuffer(Group, int) []float32 }); ok {
		return l.AllToAllBuffer(g, n)
	}
	return nil
}

// Counters are bytes sent, by link level.
type Counters struct {
	IntraNode int64
	InterNode int64
}

// Add returns c + d.
func (c Counters) Add(d Counters) Counters {
	return Counters{IntraNode: c.IntraNode + d.IntraNode, InterNode: c.InterNode + d.InterNode}
}

// Total returns all bytes.
func (c Counters) Total() int64 { return c.IntraNode + c.InterNode }

// Chunks splits n elements into p chunks as evenly as possible, the first
// n mod p chunks one larger, and returns their sizes: [network.Chunks], the
// split the byte counters and the traffic predictions assume.
func Chunks(n, p int) []int { return network.Chunks(n, p) }

// ChunkOffsets returns the start of each chunk of [Chunks](n, p), plus n.
func ChunkOffsets(n, p int) []int {
	off := make([]int, p+1)
	for i, c := range Chunks(n, p) {
		off[i+1] = off[i] + c
	}
	return off
}
