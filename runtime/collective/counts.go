package collective

import (
	"sync/atomic"

	"planc/ir"
	"planc/network"
)

// The byte convention of the package doc, as transfers: every transport
// (in-process, TCP, MPI) counts its operations through these functions, and
// they draw what each member sends from package network, whose convention
// the traffic predictions (passes.PredictedBytes) count with too; so the
// counters agree whatever wires the transports use, and with the
// predictions.

// transfer is elems float32 values that member from sends to member to
// (positions in the group).
type transfer struct{ from, to, elems int }

// ringTransfers: member i sends to member i+1 what package network says a
// ring collective of kind over n elements sends (parts: the members' chunk
// sizes, nil for the even split of n).
func ringTransfers(kind ir.CollKind, n, p int, parts []int) []transfer {
	var part func(j int) int64
	if parts != nil {
		part = func(j int) int64 { return int64(parts[j]) }
	}
	t := make([]transfer, p)
	for i := range t {
		t[i] = transfer{i, (i + 1) % p, int(network.RingSend(kind, int64(n), p, i, part))}
	}
	return t
}

// allReduceTransfers: ring reduce-scatter then ring all-gather of n
// elements over p members.
func allReduceTransfers(n, p int) []transfer { return ringTransfers(ir.AllReduce, n, p, nil) }

// reduceScatterTransfers: ring reduce-scatter of n elements.
func reduceScatterTransfers(n, p int) []transfer {
	return ringTransfers(ir.ReduceScatter, n, p, nil)
}

// allGatherTransfers: ring all-gather of parts of the given sizes.
func allGatherTransfers(sizes []int) []transfer {
	n := 0
	for _, s := range sizes {
		n += s
	}
	return ringTransfers(ir.AllGather, n, len(sizes), sizes)
}

// allToAllTransfers: member from sends sizes[j] elements straight to
// member j.
func allToAllTransfers(from int, sizes []int) []transfer {
	t := make([]transfer, 0, len(sizes))
	for j, s := range sizes {
		t = append(t, transfer{from, j, s})
	}
	return t
}

// broadcastTransfers: a chain from the root (position ri) along group
// order.
func broadcastTransfers(ri, n, p int) []transfer {
	t := make([]transfer, 0, p-1)
	for i := 0; i < p; i++ {
		if e := network.ChainSend(int64(n), p, ri, i); e > 0 {
			t = append(t, transfer{i, (i + 1) % p, int(e)})
		}
	}
	return t
}

// counter is one rank's (or a world's) byte counters by link level.
type counter struct {
	// node gives a rank's node; ranks on one node share links.
	node func(rank int) int
	// cells[r] counts rank r's sends (a single cell when only one rank's
	// sends are counted here, see cell).
	cells []counterCell
	only  int // the one rank counted, or -1 for every rank
}

type counterCell struct{ intra, inter atomic.Int64 }

func newCounter(node func(int) int, size, only int) *counter {
	n := size
	if only >= 0 {
		n = 1
	}
	return &counter{node: node, cells: make([]counterCell, n), only: only}
}

// PerNodeLayout is the node function of ranks placed perNode to a node in
// rank order (perNode <= 0: one node).
func PerNodeLayout(perNode int) func(rank int) int {
	if perNode <= 0 {
		return func(int) int { return 0 }
	}
	return func(r int) int { return r / perNode }
}

func (c *counter) cell(rank int) *counterCell {
	if c.only >= 0 {
		if rank != c.only {
			return nil
		}
		return &c.cells[0]
	}
	return &c.cells[rank]
}

// add counts the transfers of an operation on g; with only set, just that
// rank's sends.
func (c *counter) add(g Group, ts []transfer) {
	for _, t := range ts {
		c.count(g[t.from], g[t.to], t.elems)
	}
}

func (c *counter) count(from, to, elems int) {
	if elems == 0 || from == to {
		return
	}
	cell := c.cell(from)
	if cell == nil {
		return
	}
	b := int64(elems) * 4
	if c.node(from) == c.node(to) {
		cell.intra.Add(b)
	} else {
		cell.inter.Add(b)
	}
}

func (c *counter) get(rank int) Counters {
	cell := c.cell(rank)
	if cell == nil {
		return Counters{}
	}
	return Counters{IntraNode: cell.intra.Load(), InterNode: cell.inter.Load()}
}

func chunkSizes(chunks [][]float32) []int {
	s := make([]int, len(chunks))
	for i, c := range chunks {
		s[i] = len(c)
	}
	return s
}
