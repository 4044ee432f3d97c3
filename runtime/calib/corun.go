package calib

import (
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"planc/runtime/kernels"
)

// CoRun is how fast a kernel family runs on one thread while another
// thread of the job runs the same family on the node's other processor,
// as a fraction of its speed alone (both timed on their thread's CPU
// clock, so the OS taking a thread away does not count): what two ranks
// that compute at the same time cost each other. On a machine whose
// processors are SMT siblings (this VM's two vCPUs for FMA work) the
// products slow down most; element-wise kernels share the caches and the
// memory bus; small latency-bound kernels little. 0: not measured.
type CoRun struct {
	GEMM        float64 // the tiny models' linear layers' products (m×64×n, k×64)
	Elementwise float64 // residual add, GELU, layer norm at their activations' sizes
	Attention   float64 // the fused attention kernel, forward and backward
	// Alone and Paired are each family's CPU seconds per call, alone and
	// beside its twin (for the report).
	Alone, Paired [3]float64
}

// coRunFamilies are the kernels of each family, as the tiny models run
// them (rows = micro-batch 2 × sequence 64 = 128, hidden 64, ffn 256,
// 4 heads of 16): each call is one of each.
func coRunFamilies() [3]func() func() {
	gemm := func() func() {
		shapes := [][3]int{{128, 64, 256}, {128, 256, 64}, {128, 64, 192}}
		type op struct{ a, b, c []float32 }
		ops := make([]op, len(shapes))
		for i, s := range shapes {
			ops[i] = op{randVec(s[0] * s[1]), randVec(s[1] * s[2]), make([]float32, s[0]*s[2])}
		}
		return func() {
			for i, s := range shapes {
				m, k, n := s[0], s[1], s[2]
				o := ops[i]
				kernels.MatMul(o.c, o.a, o.b, m, k, n, false)
				kernels.MatMulTransB(o.c, o.a, o.b, m, k, n, true)
				kernels.MatMulTransA(o.c, o.a, o.b, m, k, n, true)
			}
		}
	}
	elem := func() func() {
		const rows, h, f = 128, 64, 256
		x, y, z := randVec(rows*f), make([]float32, rows*f), randVec(rows*f)
		mean, rstd, g, b := make([]float32, rows), make([]float32, rows), randVec(h), randVec(h)
		return func() {
			kernels.Add(z[:rows*h], x[:rows*h])
			kernels.GeluForward(y, x)
			kernels.GeluBackward(y, z, x)
			kernels.LayerNormForward(y[:rows*h], mean, rstd, x[:rows*h], g, b, rows, h)
		}
	}
	attn := func() func() {
		const b, h, t, d = 2, 4, 64, 16
		sh := kernels.AttnShape{Batch: b, Heads: h, Tq: t, Tk: t, D: d, Causal: true}
		n := b * h * t * d
		q, k, v, o, do := randVec(n), randVec(n), randVec(n), make([]float32, n), randVec(n)
		lse := make([]float32, b*h*t)
		dq, dk, dv := make([]float32, n), make([]float32, n), make([]float32, n)
		return func() {
			kernels.AttentionForward(o, lse, q, k, v, sh)
			kernels.AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, sh)
		}
	}
	return [3]func() func(){gemm, elem, attn}
}

// measureCoRun times each family alone on one thread and on two threads
// at once (each its own operands, each locked to its OS thread, GOMAXPROCS
// 2 so that both run), and returns each family's paired speed over its
// speed alone (see pairedCPU; alone is timeCPU's).
func measureCoRun(opt Options) CoRun {
	var cr CoRun
	if runtime.NumCPU() < 2 {
		return cr
	}
	if _, ok := threadCPU(); !ok {
		return cr
	}
	for i, mk := range coRunFamilies() {
		var alone float64
		oneCore(func() { alone = timeCPU(opt, mk()) })
		paired := pairedCPU(opt, alone, mk(), mk())
		cr.Alone[i], cr.Paired[i] = alone, paired
	}
	ratio := func(i int) float64 {
		if cr.Paired[i] <= 0 {
			return 0
		}
		return min(1, cr.Alone[i]/cr.Paired[i])
	}
	cr.GEMM, cr.Elementwise, cr.Attention = ratio(0), ratio(1), ratio(2)
	return cr
}

// pairedCPU runs f and g at once on two locked threads for windows of
// four budgets, and returns the CPU seconds per call of a thread while the
// other runs: the median over the windows in which both threads held a
// processor ≥ half the wall time. In a window where the other thread ran
// a share s of the time, a thread's mean call is (1−s)·alone + s·paired
// (the two are taken off their processors independently of each other),
// which gives paired; both threads' are averaged. 0 when no window had
// both.
func pairedCPU(opt Options, alone float64, f, g func()) float64 {
	prev := runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0)))
	defer runtime.GOMAXPROCS(prev)
	f()
	g()
	window := 4 * opt.budget()
	var per []float64
	for rep := 0; rep < opt.reps(); rep++ {
		var wg, ready sync.WaitGroup
		ready.Add(2)
		start := make(chan struct{})
		var cpu, wall [2]time.Duration
		var calls [2]int
		for t, fn := range []func(){f, g} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				ready.Done()
				<-start
				c0, _ := threadCPU()
				w0 := time.Now()
				n := 0
				for time.Since(w0) < window {
					fn()
					n++
				}
				c1, _ := threadCPU()
				cpu[t], calls[t], wall[t] = c1-c0, n, time.Since(w0)
			}()
		}
		ready.Wait()
		close(start)
		wg.Wait()
		var share [2]float64
		for t := range 2 {
			share[t] = min(1, cpu[t].Seconds()/wall[t].Seconds())
		}
		if share[0] < 0.5 || share[1] < 0.5 {
			continue
		}
		var sum float64
		for t := range 2 {
			mean := cpu[t].Seconds() / float64(calls[t])
			s := share[1-t]
			sum += max(alone, (mean-(1-s)*alone)/s)
		}
		per = append(per, sum/2)
	}
	if len(per) == 0 {
		return 0
	}
	sort.Float64s(per)
	return per[len(per)/2]
}

// coRunSpeed is a family's paired speed, 1 where it was not measured.
func coRunSpeed(s float64) float64 {
	if s <= 0 || math.IsNaN(s) {
		return 1
	}
	return s
}
