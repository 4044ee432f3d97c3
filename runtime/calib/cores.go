package calib

import (
	"runtime"
	"sort"
	"sync"
	"time"

	"planc/runtime/cpuclock"
	"planc/runtime/kernels"
)

// measureCores runs the one-core GEMM on k = 1..2·NumCPU goroutines at once
// and returns the share of the cores that NumCPU busy threads get, with
// each k's speed-up: their aggregate throughput over a window (the other
// processes' load included, as a training step meets it) over the
// one-goroutine rate of the fastest short run (this machine unloaded),
// the median of three rounds.
//
// The share is the processor time the NumCPU threads got, over the
// window's wall time times NumCPU (each goroutine locked to its thread,
// timed on the thread's CPU clock): what other processes leave the job.
// It is not their throughput's speed-up over NumCPU, which also counts how
// much the job's own threads slow each other on the shared core (SMT
// siblings: what corun_* measure by kernel family, and the cost model
// charges as such); on a quiet machine of two SMT siblings the speed-up
// read 0.95 for this GEMM and 0.57 for larger products, though nothing
// else ran. Where there is no thread CPU clock, the speed-up over NumCPU.
func measureCores(opt Options) (float64, []float64) {
	// 32×256×128 (1M multiply-adds) stays under the kernels' parallel
	// threshold: each goroutine runs its own products on itself
	const m, k, n = 32, 256, 128
	flops := 2.0 * m * k * n
	a, b, c := randVec(m*k), randVec(k*n), make([]float32, m*n)
	var one float64
	oneCore(func() {
		one = flops / timeCPU(opt, func() { kernels.MatMul(c, a, b, m, k, n, false) })
	})
	// windows as long as a plan's few seconds of steps allow: a load that
	// comes and goes is averaged as a run meets it
	window := max(200*time.Millisecond, time.Duration(opt.reps())*opt.budget())
	if opt.budget() < 4*time.Millisecond {
		window = time.Duration(opt.reps()) * opt.budget() // --quick
	}
	_, clock := cpuclock.Thread()
	// rate returns g goroutines' throughput and the processor time they
	// got over the wall time (the threads' CPU clocks)
	rate := func(g int) (flopRate, cpuShare float64) {
		prev := runtime.GOMAXPROCS(max(g, runtime.NumCPU()))
		defer runtime.GOMAXPROCS(prev)
		var wg sync.WaitGroup
		var mu sync.Mutex
		calls := 0
		var cpu time.Duration
		start := time.Now()
		for w := 0; w < g; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				a, b, c := randVec(m*k), randVec(k*n), make([]float32, m*n)
				c0, _ := cpuclock.Thread()
				done := 0
				for time.Since(start) < window {
					kernels.MatMul(c, a, b, m, k, n, false)
					done++
				}
				c1, _ := cpuclock.Thread()
				mu.Lock()
				calls += done
				cpu += c1 - c0
				mu.Unlock()
			}()
		}
		wg.Wait()
		wall := time.Since(start).Seconds()
		return float64(calls) * flops / wall, cpu.Seconds() / wall
	}
	// rounds over every k, each k's median: a burst of another process
	// in one window does not decide the figure
	const rounds = 3
	ks := 2 * runtime.NumCPU()
	runs := make([][]float64, ks)
	var shares []float64
	for r := 0; r < rounds; r++ {
		for g := 1; g <= ks; g++ {
			fr, cs := rate(g)
			runs[g-1] = append(runs[g-1], fr/one)
			if g == runtime.NumCPU() {
				shares = append(shares, cs/float64(g))
			}
		}
	}
	by := make([]float64, ks)
	for i, xs := range runs {
		sort.Float64s(xs)
		by[i] = xs[len(xs)/2]
	}
	// planc run's job runs on GOMAXPROCS = NumCPU threads whatever its
	// ranks (goroutines multiplexed on them, the kernels' splits, the
	// GC): the processor time NumCPU busy threads get, over NumCPU, is
	// its share
	if !clock {
		return min(1, by[runtime.NumCPU()-1]/float64(runtime.NumCPU())), by
	}
	sort.Float64s(shares)
	return min(1, shares[len(shares)/2]), by
}
