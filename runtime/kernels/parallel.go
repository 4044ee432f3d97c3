package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor runs fn(t) for every task t in [0, tasks) on up to GOMAXPROCS
// goroutines. Tasks must write disjoint outputs; since which goroutine runs
// a task never changes what the task computes, results do not depend on the
// number of goroutines. Work under minWork (an estimate in multiply-adds for
// all tasks together) stays on the calling goroutine.
func parallelFor(tasks int, work int, fn func(t int)) {
	workers := min(runtime.GOMAXPROCS(0), tasks)
	if workers <= 1 || work < parallelMinFlops/2 {
		for t := 0; t < tasks; t++ {
			fn(t)
		}
		return
	}
	var next atomic.Int64
	loop := func() {
		for {
			t := int(next.Add(1) - 1)
			if t >= tasks {
				return
			}
			fn(t)
		}
	}
	// The caller is one of the workers: one goroutine fewer to start and
	// to wake it up again.
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop()
		}()
	}
	loop()
	wg.Wait()
}
