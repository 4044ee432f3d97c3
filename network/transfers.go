package network

import "planc/ir"

// This file says what each member of a group sends when a transport runs a
// collective the way planc's transports run it: the convention of the
// runtime's byte counters (runtime/collective) and of the traffic
// predictions (passes.PredictedBytes), so that the two agree exactly.
//
//   - AllReduce over p members: ring reduce-scatter then ring all-gather;
//     member i sends (n − c_i) + (n − c_{i+1}) elements to member i+1 (mod
//     p), where c_j is chunk j of n ([Chunks]); 2(p−1)/p·n when p divides n.
//   - ReduceScatter: member i sends n − c_i to member i+1.
//   - AllGather: member i sends n − c_{i+1} to member i+1, n the gathered
//     size and c_j member j's part (parts may differ).
//   - AllToAll(V): member i sends its chunk for member j straight to j;
//     nothing for its own chunk.
//   - SendRecv: the payload, to the receiver.
//   - Broadcast: a chain from the root along group order; every member of
//     the chain but the last forwards n to the next.
//
// A group of one member moves nothing.

// Chunks splits n elements into p chunks as evenly as possible, the first
// n mod p chunks one larger, and returns their sizes.
func Chunks(n, p int) []int {
	c := make([]int, p)
	for i := range c {
		c[i] = n / p
		if i < n%p {
			c[i]++
		}
	}
	return c
}

// Chunk returns the size of chunk j of [Chunks](n, p) without building the
// list.
func Chunk(n int64, p, j int) int64 {
	c := n / int64(p)
	if int64(j) < n%int64(p) {
		c++
	}
	return c
}

// RingSend returns the elements member i of a group of p members sends to
// member i+1 (mod p) in one ring collective of kind over a buffer of n
// elements whose chunk j has part(j) elements (member j's part of an
// all-gather); nil part means the even split of [Chunk]. Broadcast counts
// the chain from member 0: use [ChainSend] for another root. Kinds that do
// not run on a ring (all-to-all) send nothing here.
func RingSend(kind ir.CollKind, n int64, p, i int, part func(j int) int64) int64 {
	if p < 2 {
		return 0
	}
	c := part
	if c == nil {
		c = func(j int) int64 { return Chunk(n, p, j) }
	}
	next := (i + 1) % p
	switch kind {
	case ir.AllReduce:
		return (n - c(i)) + (n - c(next))
	case ir.ReduceScatter:
		return n - c(i)
	case ir.AllGather:
		return n - c(next)
	case ir.SendRecv:
		return n
	case ir.Broadcast:
		return ChainSend(n, p, 0, i)
	}
	return 0
}

// ChainSend returns what member i forwards to member i+1 (mod p) in a chain
// broadcast of n elements from member root: n, except for the chain's last
// member.
func ChainSend(n int64, p, root, i int) int64 {
	if p < 2 || (i-root+p)%p == p-1 {
		return 0
	}
	return n
}
