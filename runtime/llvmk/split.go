package llvmk

import (
	"sync"
	"time"
)

// splitChoice learns, for one kernel, whether splitting its large calls
// over the cores pays on this machine, from the wall time of its own
// calls. A split call is not always faster: two vCPUs that are SMT
// siblings share one core's FMA units (a product split in two runs each
// half at ~0.57 of the speed it has alone), a parked helper thread takes
// 30–70 µs to wake, and other processes may hold the second core. A whole
// and a split call give the same bits (items write disjoint outputs and
// sum in the same order), so the choice is free to change at any call.
//
// The first splitExplore calls of each kind alternate; then the kind of
// the lower moving average of wall time per unit of work runs, and every
// splitRetry-th call the other kind, so that a change of load is seen.
type splitChoice struct {
	mu    sync.Mutex
	calls int
	seen  [2]int     // calls measured: whole, split
	cost  [2]float64 // moving average of wall ns per unit of work
}

const (
	splitExplore = 4
	splitRetry   = 32
)

// pick reports whether the next call splits.
func (c *splitChoice) pick() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.calls
	c.calls++
	if c.seen[0] < splitExplore || c.seen[1] < splitExplore {
		return n%2 == 1
	}
	split := c.cost[1] < c.cost[0]
	if n%splitRetry == 0 {
		return !split
	}
	return split
}

// record adds a call of work units that took d, split or whole.
func (c *splitChoice) record(split bool, d time.Duration, work int) {
	i := 0
	if split {
		i = 1
	}
	per := float64(d) / float64(max(work, 1))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[i] == 0 {
		c.cost[i] = per
	} else {
		c.cost[i] += (per - c.cost[i]) / 4
	}
	c.seen[i]++
}
