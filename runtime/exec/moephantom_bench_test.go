package exec

import (
	"testing"
	"time"

	"planc/ir"
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
			if _, err := tr.Step(); err != nil { // warm-up
				b.Fatal(err)
			}
			var tokens int
			var elapsed time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := tr.Step()
				if err != nil {
					b.Fatal(err)
				}
				tokens += r.Tokens
				elapsed += r.Elapsed
			}
			b.ReportMetric(float64(tokens)/elapsed.Seconds(), "tokens/s")
			b.ReportMetric(elapsed.Seconds()*1e3/float64(b.N), "ms/step")
		})
	}
}
