package calib

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"

	"planc/runtime/kernels"
)

func perCallMed(n int, flush func(), fn func()) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ts []float64
	for i := 0; i < n; i++ {
		flush()
		s, _ := threadCPU()
		fn()
		e, _ := threadCPU()
		ts = append(ts, (e - s).Seconds())
	}
	sort.Float64s(ts)
	return ts[len(ts)/2]
}

func TestZZFc1(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	ev := newEvictor()
	big := make([]float32, 32<<20/4)
	perm := rand.Perm(len(ev) / 16)
	bufs := make([][]float32, 64)
	for i := range bufs {
		bufs[i] = randVec(32 << 10) // 128 KiB each, 8 MiB
	}
	m, k, n := 128, 64, 256
	x, w, b, y := randVec(m*k), randVec(k*n), randVec(n), make([]float32, m*n)
	dx, dw, db, dy := make([]float32, m*k), make([]float32, k*n), make([]float32, n), randVec(m*n)
	seq := func() {
		kernels.LinearForward(y, x, w, b, m, k, n)
		kernels.MatMulTransB(dx, dy, w, m, n, k, false)
		kernels.LinearBackward(nil, dw, db, dy, x, nil, m, k, n)
	}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"hot", func() {}},
		{"lin8M", ev.run},
		{"lin32M", func() {
			for i := 0; i < len(big); i += 16 {
				big[i]++
			}
		}},
		{"rand8M", func() {
			for _, p := range perm {
				ev[p*16]++
			}
		}},
		{"gelu64x128K", func() {
			for i := 1; i < len(bufs); i++ {
				kernels.GeluForward(bufs[i], bufs[i-1])
			}
		}},
	} {
		s := perCallMed(101, c.f, seq)
		fmt.Printf("fc1 %-12s %.1f us/mb  %.3f ms/step\n", c.name, s*1e6, s*16e3)
	}
}
