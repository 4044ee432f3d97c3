package exec

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestCrewRunsEveryRankOncePerStep: over many steps, with the members
// polling (processors for all) and parked (one processor), every rank's
// job runs exactly once per step and the step returns only after all of
// them, including a member slower than the caller.
func TestCrewRunsEveryRankOncePerStep(t *testing.T) {
	for _, procs := range []int{1, 4} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			const members, steps = 3, 300
			c := newCrew(members)
			defer c.stop()
			var ran [members + 1]atomic.Int32
			for s := 0; s < steps; s++ {
				c.run(func(rank int) {
					if rank == members && s%50 == 0 {
						time.Sleep(time.Millisecond) // past crewSpin: the caller parks
					}
					ran[rank].Add(1)
				})
				for r := range ran {
					if got := int(ran[r].Load()); got != s+1 {
						t.Fatalf("after step %d rank %d ran %d times", s, r, got)
					}
				}
			}
		})
	}
}

// TestCrewStopsWithTheTrainer: a multi-rank trainer that nobody holds any
// more ends its crew's goroutines when it is collected.
func TestCrewStopsWithTheTrainer(t *testing.T) {
	before := settledGoroutines()
	func() {
		tr, err := NewTrainer(Config{Plan: plan(tinyMLP(), "dp=4"), Steps: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if _, err := tr.Step(); err != nil {
				t.Fatal(err)
			}
		}
		if tr.crew == nil || tr.crew.members != 3 {
			t.Fatalf("a 4-rank trainer's crew: %+v", tr.crew)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines 10 s after the trainer was dropped, %d before it", runtime.NumGoroutine(), before)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// settledGoroutines is the goroutine count once goroutines that were
// ending (other tests' crews) have ended.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			break
		}
		n = m
	}
	return n
}
