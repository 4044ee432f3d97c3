package exec

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"

	"planc/ir"
	"planc/runtime/cpuclock"
)

// BenchmarkMoEPhantom measures training throughput of the plans whose MoE
// blocks and phantom layers issue 16's table under-predicted most: tiny_moe
// serially and at dp = ep = 4 (examples/tiny_moe.plan, tiny_moe_ep.plan),
// the phantom mlp and the phantom tiny_gpt at tp = 2
// (examples/phantom_cpu.plan), with their shapes and batches.
//
//	go test ./runtime/exec -run XXX -bench MoEPhantom -benchtime 20x
func BenchmarkMoEPhantom(b *testing.B) {
	for _, c := range []struct {
		name, opts string
		model      func() *ir.Model
	}{
		{"tiny_moe_serial", "", tinyMoE},
		{"tiny_moe_dp4_ep4", "dp=4 ep=4", tinyMoE},
		{"phantom_mlp_tp2", "tp=2 gb=256 mb=128", tinyPhantomMLP(2, 8)},
		{"phantom_gpt_tp2", "tp=2", tinyPhantomGPT(2, 16)},
	} {
		b.Run(c.name, func(b *testing.B) {
			tr, err := NewTrainer(Config{Plan: plan(c.model(), c.opts), Steps: b.N + 1})
			if err != nil {
				b.Fatal(err)
			}
			warmUp(b, tr)
			tokens, elapsed, _ := benchSteps(b, tr)
			b.ReportMetric(float64(tokens)/elapsed.Seconds(), "tokens/s")
			b.ReportMetric(elapsed.Seconds()*1e3/float64(b.N), "ms/step")
		})
	}
}

// BenchmarkMoEBlock times one MoE block's forward and backward (tiny_moe's
// layer 1: hidden 64, top-2, expert ffn 64, one shared expert) on one
// micro-batch of 128 tokens, the routed experts 4, 8 and 16: the slope
// over E is what each expert costs the block at a fixed number of routed
// rows (its products' call costs and the block's bookkeeping), the figure
// a microbenchmark of the cost model's per-product terms should match.
//
//	go test ./runtime/exec -run XXX -bench MoEBlock
func BenchmarkMoEBlock(b *testing.B) {
	for _, experts := range []int{4, 8, 16} {
		b.Run(fmt.Sprintf("E%d", experts), func(b *testing.B) {
			m := tinyMoE()
			m.MoE.Experts = experts
			tr, err := NewTrainer(Config{Plan: plan(m, ""), Steps: 1})
			if err != nil {
				b.Fatal(err)
			}
			rk := tr.ranks[0]
			st := rk.stages[0]
			p := rk.moeParamsOf(st, 1)
			const T = 128
			h := rk.m.Hidden
			rng := rand.New(rand.NewSource(1))
			x, dy := make([]float32, T*h), make([]float32, T*h)
			for i := range x {
				x[i], dy[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			dx := make([]float32, T*h)
			run := func() {
				c := &call{r: rk, st: st, f: st.newFrame()}
				st.frames[0] = c.f
				a := &moeActs{}
				if _, err := rk.moeForward(c, p, x, a); err != nil {
					b.Fatal(err)
				}
				clear(dx)
				if err := rk.moeBackward(c, p, x, a, dy, dx); err != nil {
					b.Fatal(err)
				}
				st.endFrame(0)
			}
			run()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0, ok := cpuclock.Thread()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run()
			}
			b.StopTimer()
			if cpu1, _ := cpuclock.Thread(); ok {
				b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N), "cpu-µs/call")
			}
		})
	}
}
