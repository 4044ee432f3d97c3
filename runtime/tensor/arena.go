package tensor

// Arena hands out the float32 buffers of one training step and takes them
// all back at once, so that a step that asks for the same sizes in the same
// order every time (as a compiled schedule does) allocates nothing after
// its first run: the i-th request of a step gets the i-th buffer of the
// previous one, grown only when asked for more. It replaces a make per
// activation and gradient (and the garbage collector's work on them).
//
// Buffers handed out are valid until the next Reset. An Arena is not safe
// for concurrent use: give each rank (goroutine) its own.
type Arena struct {
	bufs [][]float32
	next int
}

// Zeroed returns a buffer of n zeros (for outputs that are accumulated).
func (a *Arena) Zeroed(n int) []float32 {
	b := a.Uninit(n)
	clear(b)
	return b
}

// Uninit returns a buffer of n values left from an earlier step, for an
// output that is overwritten whole before it is read.
func (a *Arena) Uninit(n int) []float32 {
	if a.next == len(a.bufs) {
		a.bufs = append(a.bufs, nil)
	}
	b := a.bufs[a.next]
	if cap(b) < n {
		b = make([]float32, n)
		a.bufs[a.next] = b
	}
	a.next++
	return b[:n:n]
}

// Reset takes back every buffer handed out since the last Reset.
func (a *Arena) Reset() { a.next = 0 }

// Held returns the number of buffers and float32 values the arena keeps.
func (a *Arena) Held() (buffers, values int) {
	for _, b := range a.bufs {
		values += cap(b)
	}
	return len(a.bufs), values
}
