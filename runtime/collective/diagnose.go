package collective

import (
	"fmt"
	"strings"
	"time"
)

// When an operation times out, the waiting rank asks the ranks it still
// waits for what they are waiting for, and follows the chain of waits, so
// that the error names the rank at its end: one that does not answer (a
// stopped or hung process, an unreachable machine) or one that is not
// waiting in a collective (still computing, or stuck elsewhere). A rank
// answers while it waits (TCP: at any time, from its connection readers;
// MPI: while it polls a pending operation).

// waitStatus is what a rank says when asked what it waits for.
type waitStatus struct {
	What string `json:"what,omitempty"` // the operation; "" when not waiting
	From []int  `json:"from,omitempty"` // the ranks it may still wait for
}

// askTimeout bounds the wait for one answer, and diagnoseBudget all of a
// diagnosis.
const (
	askTimeout     = 2 * time.Second
	diagnoseBudget = 6 * time.Second
)

// diagnose explains why the ranks missing from the operation mine of rank
// self have not come. Ranks that answer that they wait in the same
// operation are there (MPI cannot say which member of a collective is
// missing, so its candidates are all the other members).
func diagnose(self int, mine string, missing []int, ask func(rank int) (waitStatus, bool)) string {
	deadline := time.Now().Add(diagnoseBudget)
	seen := map[int]bool{self: true}
	var explain func(r, depth int) string
	explain = func(r, depth int) string {
		if seen[r] {
			return ""
		}
		seen[r] = true
		if time.Now().After(deadline) {
			return fmt.Sprintf("rank %d (not asked: out of time)", r)
		}
		st, ok := ask(r)
		switch {
		case !ok:
			return fmt.Sprintf("rank %d does not answer (stopped or hung, or its machine is unreachable)", r)
		case st.What == "":
			return fmt.Sprintf("rank %d is not waiting for another rank (still computing, or stuck outside the collectives)", r)
		case st.What == mine:
			return "" // there, waiting with us
		case depth >= 4:
			return fmt.Sprintf("rank %d waits for %s", r, st.What)
		}
		var subs []string
		for _, q := range st.From {
			if s := explain(q, depth+1); s != "" {
				subs = append(subs, s)
			}
		}
		if len(subs) == 0 {
			return fmt.Sprintf("rank %d waits for %s", r, st.What)
		}
		return fmt.Sprintf("rank %d waits for %s, where %s", r, st.What, strings.Join(subs, "; "))
	}
	var parts []string
	for _, r := range missing {
		if s := explain(r, 0); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "every other member answers that it waits in this operation"
	}
	return strings.Join(parts, "; ")
}
