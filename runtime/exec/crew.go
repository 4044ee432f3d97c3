package exec

import (
	"runtime"
	"sync/atomic"
	"time"
)

// crew runs ranks 1… of an in-process step on goroutines that live from
// one step to the next. A goroutine started for every step woke an idle
// processor to take it: a futex wake-up and, on a VM, an interrupt to the
// sleeping vCPU, which made rank 1 reach its first meeting ~60 µs after
// rank 0 in every step (phantom mlp's 1 ms step, 2 ranks). A crew member
// between steps polls for the next one as a rank polls for its peers at a
// meeting (for up to crewSpin, while the ranks are no more than the
// processors), and only then parks.
//
// The members hold the crew, never the trainer: the job of a step is
// cleared when the step ends, and a trainer nobody holds any more stops
// its crew (runtime.AddCleanup in newCrew's caller).
type crew struct {
	members int
	gen     atomic.Uint64                  // the step being handed out; a member runs each generation once
	job     atomic.Pointer[func(rank int)] // the step's work for a member (nil: stop)
	done    atomic.Int32                   // members finished with the current generation
	wake    []chan struct{}                // a token per member: its generation may have moved
	finish  chan struct{}                  // a token for the caller: every member may be done
}

// crewSpin is how long a crew member (or the caller at the end of a step)
// polls before it parks: the between-step work of planc run (the step's
// report, the next learning rate) takes well under it.
const crewSpin = 200 * time.Microsecond

// newCrew starts members goroutines, parked until the first step.
func newCrew(members int) *crew {
	c := &crew{members: members, wake: make([]chan struct{}, members), finish: make(chan struct{}, 1)}
	for i := range c.wake {
		c.wake[i] = make(chan struct{}, 1)
		go c.member(i)
	}
	return c
}

// run hands job to every member (member i runs job(i+1)), runs job(0) on
// the calling goroutine and returns when all have finished.
func (c *crew) run(job func(rank int)) {
	c.done.Store(0)
	c.job.Store(&job)
	c.gen.Add(1)
	for _, w := range c.wake {
		select {
		case w <- struct{}{}:
		default: // a token is already there
		}
	}
	job(0)
	c.await(func() bool { return int(c.done.Load()) == c.members }, c.finish)
	c.job.Store(nil) // the members keep the crew, not the step's trainer
}

// stop ends the members (the trainer is gone).
func (c *crew) stop() {
	c.job.Store(nil)
	c.gen.Add(1)
	for _, w := range c.wake {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// member is crew member i's loop: wait for a new generation, run its job,
// report.
func (c *crew) member(i int) {
	seen := uint64(0)
	for {
		c.await(func() bool { return c.gen.Load() != seen }, c.wake[i])
		seen = c.gen.Load()
		job := c.job.Load()
		if job == nil {
			return
		}
		(*job)(i + 1)
		if int(c.done.Add(1)) == c.members {
			select {
			case c.finish <- struct{}{}:
			default:
			}
		}
	}
}

// await returns once ready holds: polling for up to crewSpin while the
// crew and its caller are no more than the processors (a poller would
// otherwise keep a rank that has work from a processor), then parked on
// tokens, each of which may mean ready (a stale one costs a look).
func (c *crew) await(ready func() bool, token <-chan struct{}) {
	if c.members+1 <= runtime.GOMAXPROCS(0) {
		deadline := time.Now().Add(crewSpin)
		for time.Now().Before(deadline) {
			if ready() {
				return
			}
			runtime.Gosched()
		}
	}
	for !ready() {
		<-token
	}
}
