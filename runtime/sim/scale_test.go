package sim

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"planc/ir"
	"planc/lang"
	"planc/passes"
	"planc/passes/sched"
)

// scalePlans are the plans of issue 4's scale target: the 1T calibration
// run (512 ranks), X-MoE Super (1024) and the 1T model on 3072 Frontier
// GCDs (the planner fills its auto fields).
var scalePlans = []struct {
	name, file, plan string
	sets             []string
}{
	{"512-cal_1t", "../../examples/calibration.plan", "cal_1t_selective", nil},
	{"1024-xmoe_super", "../../examples/xmoe_super.plan", "xmoe_super_1024", nil},
	{"3072-frontier_1t", "../../examples/frontier_1t.plan", "frontier_1t_3d", nil},
}

func loadPlan(tb testing.TB, file, name string, sets []string) *ir.Plan {
	tb.Helper()
	prog, diags := lang.Load([]string{file}, lang.Options{Overrides: sets})
	if diags.HasErrors() {
		tb.Fatalf("load %s: %v", file, diags)
	}
	p := prog.Plan(name)
	if p == nil {
		tb.Fatalf("no plan %s in %s", name, file)
	}
	return p
}

// peakHeap samples the heap while f runs and returns its highest HeapInuse.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse > peak.Load() {
		peak.Store(ms.HeapInuse)
	}
	if peak.Load() < base {
		return 0
	}
	return peak.Load() - base
}

// BenchmarkScale compiles (every pass of the pass table, the schedule
// included), verifies and simulates one step at 512, 1024 and 3072 ranks
// with the cost model's stage times and the plan's network, and reports
// each phase's seconds and the peak heap. X-MoE Super compiles with a
// memory error (the cost model finds it 2.8 GiB over the device); its
// schedule is simulated all the same.
func BenchmarkScale(b *testing.B) {
	for _, sp := range scalePlans {
		b.Run(sp.name, func(b *testing.B) {
			prog, diags := lang.Load([]string{sp.file}, lang.Options{Overrides: sp.sets})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			p := prog.Plan(sp.plan)
			for range b.N {
				var s *ir.Schedule
				var tCompile, tVerify, tSim time.Duration
				var res *Result
				peak := peakHeap(func() {
					t0 := time.Now()
					u, _ := passes.Compile(prog, p, passes.Options{Skip: map[string]bool{"verify-schedule": true}})
					if u == nil || u.Schedule == nil {
						b.Fatal("no schedule")
					}
					s = u.Schedule
					t1 := time.Now()
					if _, err := sched.Verify(s); err != nil {
						b.Fatal(err)
					}
					t2 := time.Now()
					net := NetworkOf(u.Plan)
					var err error
					res, err = Run(s, net.Config(FromCostReport(u)))
					if err != nil {
						b.Fatal(err)
					}
					t3 := time.Now()
					tCompile, tVerify, tSim = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)
				})
				b.ReportMetric(float64(len(s.Ranks)), "ranks")
				b.ReportMetric(float64(s.NumActions()), "actions")
				b.ReportMetric(tCompile.Seconds(), "compile-s")
				b.ReportMetric(tVerify.Seconds(), "verify-s")
				b.ReportMetric(tSim.Seconds(), "sim-s")
				b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
				b.ReportMetric(float64(peak)/float64(len(s.Ranks))/(1<<10), "KiB/rank")
				if testing.Verbose() {
					fmt.Printf("%s: %s, step %.3f s, bubble %.3f\n", sp.name, s.Kind, res.StepTime, res.BubbleFraction)
				}
			}
		})
	}
}

// BenchmarkScaleDP is issue 19's scale target: explain and simulate the 1T
// plan (frontier_1t_3d with the planner's choices at 3,072 ranks fixed: zb-v,
// vpp 2, micro-batch 1, selective recomputation) at 3,072, 16,384, 131,072
// and 1,048,576 ranks, dp growing with 512 micro-batches per replica. It
// reports explain's seconds and peak heap (the pass table without the
// schedule passes, as `planc explain` runs it) and simulate's (compile
// with the folded schedule, verify, simulate one step), and the peak heap
// per rank.
//
//	go test ./runtime/sim -run '^$' -bench ScaleDP -benchtime 1x
func BenchmarkScaleDP(b *testing.B) {
	for _, dp := range []int{6, 32, 256, 2048} {
		world := dp * 512
		sets := []string{fmt.Sprintf("dp=%d", dp), fmt.Sprintf("cluster.nodes=%d", world/8), fmt.Sprintf("global_batch=%d", 512*dp),
			"schedule=zb-v", "vpp=2", "micro_batch=1", "recompute=selective"}
		b.Run(fmt.Sprintf("%d-ranks", world), func(b *testing.B) {
			prog, diags := lang.Load([]string{"../../examples/frontier_1t.plan"}, lang.Options{Overrides: sets})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			p := prog.Plan("frontier_1t_3d")
			for range b.N {
				var tExplain, tSim time.Duration
				explainPeak := peakHeap(func() {
					t0 := time.Now()
					u, _ := passes.Compile(prog, p, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
					if u == nil || u.Cost == nil {
						b.Fatal("no cost report")
					}
					tExplain = time.Since(t0)
				})
				var s *ir.Schedule
				var res *Result
				simPeak := peakHeap(func() {
					t0 := time.Now()
					u, _ := passes.Compile(prog, p, passes.Options{Skip: map[string]bool{"verify-schedule": true}})
					if u == nil || u.Schedule == nil {
						b.Fatal("no schedule")
					}
					s = u.Schedule
					if _, err := sched.Verify(s); err != nil {
						b.Fatal(err)
					}
					net := NetworkOf(u.Plan)
					var err error
					if res, err = Run(s, net.Config(FromCostReport(u))); err != nil {
						b.Fatal(err)
					}
					tSim = time.Since(t0)
				})
				b.ReportMetric(float64(world), "ranks")
				b.ReportMetric(float64(res.Simulated), "simulated")
				b.ReportMetric(tExplain.Seconds(), "explain-s")
				b.ReportMetric(float64(explainPeak)/(1<<20), "explain-MiB")
				b.ReportMetric(tSim.Seconds(), "simulate-s")
				b.ReportMetric(float64(simPeak)/(1<<20), "simulate-MiB")
				b.ReportMetric(float64(simPeak)/float64(world), "simulate-B/rank")
				if testing.Verbose() {
					fmt.Printf("%d ranks: step %.3f s, bubble %.4f\n", world, res.StepTime, res.BubbleFraction)
				}
			}
		})
	}
}
