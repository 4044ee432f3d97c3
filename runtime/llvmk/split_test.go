package llvmk

import (
	"testing"
	"time"
)

// TestSplitChoiceFollowsTheFasterKind: after alternating, splitChoice runs
// the kind whose calls took less wall time per unit of work, retries the
// other one every splitRetry calls, and switches when the costs cross.
func TestSplitChoiceFollowsTheFasterKind(t *testing.T) {
	for _, tt := range []struct {
		name             string
		whole, splitCost time.Duration // wall time of a call of 1000 units
		wantSplit        bool
	}{
		{"split pays", 100 * time.Microsecond, 60 * time.Microsecond, true},
		{"split loses", 100 * time.Microsecond, 130 * time.Microsecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c splitChoice
			run := func(calls int) (splits int) {
				for range calls {
					s := c.pick()
					d := tt.whole
					if s {
						d, splits = tt.splitCost, splits+1
					}
					c.record(s, d, 1000)
				}
				return splits
			}
			if got := run(2 * splitExplore); got != splitExplore {
				t.Fatalf("exploring: %d of %d calls split, want %d", got, 2*splitExplore, splitExplore)
			}
			const calls = 10 * splitRetry
			got := run(calls)
			want := calls / splitRetry // the retries
			if tt.wantSplit {
				want = calls - want
			}
			if got != want {
				t.Errorf("%d of %d calls split, want %d", got, calls, want)
			}
		})
	}
	// The costs cross (another process takes the second core): the
	// choice follows within a few retries.
	var c splitChoice
	cost := map[bool]time.Duration{false: 100 * time.Microsecond, true: 60 * time.Microsecond}
	for range 4 * splitRetry {
		s := c.pick()
		c.record(s, cost[s], 1000)
	}
	cost[true] = 200 * time.Microsecond
	for range 4 * splitRetry {
		s := c.pick()
		c.record(s, cost[s], 1000)
	}
	splits := 0
	for range splitRetry - 1 {
		s := c.pick()
		if s {
			splits++
		}
		c.record(s, cost[s], 1000)
	}
	if splits > 1 {
		t.Errorf("after the split kind became slower, %d of %d calls still split", splits, splitRetry-1)
	}
}
