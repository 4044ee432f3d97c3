package collective

import (
	"fmt"
	"math"
)

// scenario runs every operation of the interface on rank c (of p ranks,
// groups of all ranks and of pairs, uneven lengths, values whose float32
// sums depend on the order of addition) and returns each output, so that
// a transport's outputs can be compared bit for bit with the in-process
// transport's.
func scenario(c Comm) ([][]float32, error) {
	r, p := c.Rank(), c.Size()
	g := all(p)
	var outs [][]float32
	vals := func(n int) []float32 {
		b := make([]float32, n)
		for i := range b {
			b[i] = float32(math.Pow(-1, float64(r+i))) * float32(math.Pow(10, float64((r*3+i)%9))) * (1 + float32(i)/7)
		}
		return b
	}
	for _, op := range []ReduceOp{Sum, Mean, Max} {
		for _, n := range []int{1, 7, 100, 1500} { // 1500: blocks of the in-process sum
			b := vals(n)
			if err := c.AllReduce(g, b, op); err != nil {
				return nil, err
			}
			outs = append(outs, b)
			in := vals(n)
			rs, err := c.ReduceScatter(g, in, op)
			if err != nil {
				return nil, err
			}
			if err := otherChunksKept(in, vals(n), rs, ChunkOffsets(n, p)[r]); err != nil {
				return nil, fmt.Errorf("reduce-scatter(%s) of %d: %w", op, n, err)
			}
			outs = append(outs, append([]float32(nil), rs...))
		}
	}
	ag, err := c.AllGather(g, vals(r+2))
	if err != nil {
		return nil, err
	}
	outs = append(outs, ag)
	// Into a buffer whose own segment already holds this rank's part.
	into := make([]float32, 0, 2*p+p*(p+1)/2)
	for q := 0; q < p; q++ {
		seg := make([]float32, q+2)
		if q == r {
			seg = vals(r + 2)
		}
		into = append(into, seg...)
	}
	at := 2*r + r*(r-1)/2 // parts q+2 long before it
	mine := into[at : at+r+2]
	if err := c.AllGatherInto(g, mine, into); err != nil {
		return nil, err
	}
	outs = append(outs, into)
	send := make([][]float32, p)
	for j := range send {
		send[j] = vals((r + 2*j) % 5)
	}
	a2a, err := c.AllToAll(g, send)
	if err != nil {
		return nil, err
	}
	outs = append(outs, a2a...)
	bc := vals(5)
	if err := c.Broadcast(g, p-1, bc); err != nil {
		return nil, err
	}
	outs = append(outs, bc)
	// A pair group, and point-to-point messages under two tags received in
	// the other order than sent.
	if p >= 2 && r < 2 {
		pair := Group{1, 0}
		b := vals(9)
		if err := c.AllReduce(pair, b, Sum); err != nil {
			return nil, err
		}
		outs = append(outs, b)
		other := 1 - r
		if err := c.Send(other, 1<<41|3, vals(3)); err != nil {
			return nil, err
		}
		if err := c.Send(other, -1, vals(4)); err != nil {
			return nil, err
		}
		x, err := c.Recv(other, -1)
		if err != nil {
			return nil, err
		}
		y, err := c.Recv(other, 1<<41|3)
		if err != nil {
			return nil, err
		}
		outs = append(outs, x, y)
	}
	if err := c.Barrier(g); err != nil {
		return nil, err
	}
	return outs, nil
}

// otherChunksKept reports whether a reduce-scatter left in as it was (was)
// outside the chunk it returned, out; out may be in's own chunk at off.
func otherChunksKept(in, was, out []float32, off int) error {
	inPlace := len(out) > 0 && &out[0] == &in[off]
	for i := range in {
		if inPlace && i >= off && i < off+len(out) {
			continue
		}
		if math.Float32bits(in[i]) != math.Float32bits(was[i]) {
			return fmt.Errorf("input[%d] changed from %v to %v outside the returned chunk", i, was[i], in[i])
		}
	}
	return nil
}

// sameOutputs reports the first difference between two scenario outputs.
func sameOutputs(got, want [][]float32) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d outputs, want %d", len(got), len(want))
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return fmt.Errorf("output %d: %d elements, want %d", i, len(got[i]), len(want[i]))
		}
		for j := range got[i] {
			if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
				return fmt.Errorf("output %d[%d] = %v, want %v (bit for bit)", i, j, got[i][j], want[i][j])
			}
		}
	}
	return nil
}
