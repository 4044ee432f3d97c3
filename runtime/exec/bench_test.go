package exec

import (
	"testing"
	"time"

	"planc/ir"
)

// BenchmarkTinyGPT measures training throughput of tiny_gpt (global batch 8
// sequences of 64 tokens, micro-batch 2) serially and under dp2, tp2 and
// pp2, and at hidden 256 (8 heads, ffn 1024) serially, both shapes also
// in one micro-batch of 8 (bench/torch's one 512-row step), with the share of
// the ranks' time spent in communication (collectives and receives,
// waiting included).
//
//	go test ./runtime/exec -run XXX -bench TinyGPT -benchtime 20x
func BenchmarkTinyGPT(b *testing.B) {
	wide := func() *ir.Model { // bench/torch's second shape
		m := tinyGPT()
		m.Hidden, m.Heads, m.FFN = 256, 8, 1024
		return m
	}
	for _, c := range []struct {
		name, opts string
		model      func() *ir.Model
	}{
		{"serial", "", tinyGPT}, {"dp2", "dp=2", tinyGPT}, {"tp2", "tp=2", tinyGPT}, {"tp2_sp", "tp=2 sp=true", tinyGPT},
		{"pp2", "pp=2", tinyGPT}, {"pp2_gpipe", "pp=2 schedule=gpipe", tinyGPT}, {"hidden256", "", wide},
		{"serial_mb8", "mb=8", tinyGPT}, {"hidden256_mb8", "mb=8", wide},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := plan(c.model(), c.opts)
			tr, err := NewTrainer(Config{Plan: p, Steps: b.N + 1})
			if err != nil {
				b.Fatal(err)
			}
			warmUp(b, tr)
			tokens, elapsed, comm := benchSteps(b, tr)
			ranks := tr.Schedule().Mesh.Size()
			b.ReportMetric(float64(tokens)/elapsed.Seconds(), "tokens/s")
			b.ReportMetric(comm.Seconds()/(elapsed.Seconds()*float64(ranks)), "comm-share")
		})
	}
}

// warmUp runs one untimed step of tr (first allocations, page faults).
func warmUp(b *testing.B, tr *Trainer) {
	b.Helper()
	if _, err := tr.Step(); err != nil {
		b.Fatal(err)
	}
}

// benchSteps runs b.N timed steps of tr and returns their tokens, the
// steps' own times and their communication.
func benchSteps(b *testing.B, tr *Trainer) (tokens int, elapsed, comm time.Duration) {
	b.Helper()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := tr.Step()
		if err != nil {
			b.Fatal(err)
		}
		tokens += r.Tokens
		elapsed += r.Elapsed
		comm += r.CommTime
	}
	return tokens, elapsed, comm
}

// BenchmarkTinyMLP measures a step of examples/tiny_mlp.plan (4 layers of
// 64, 2 micro-batches of 32): so small a step that its fixed costs (the
// data made inside it, the executor's per-op work, the optimizer's calls)
// are most of it. On one processor it is the CPU time a step costs:
//
//	GOMAXPROCS=1 go test ./runtime/exec -run XXX -bench TinyMLP -benchtime 2000x
func BenchmarkTinyMLP(b *testing.B) {
	tr, err := NewTrainer(Config{Plan: plan(tinyMLP(), "gb=64 mb=32"), Steps: b.N + 1})
	if err != nil {
		b.Fatal(err)
	}
	warmUp(b, tr)
	_, elapsed, _ := benchSteps(b, tr)
	b.ReportMetric(elapsed.Seconds()*1e6/float64(b.N), "us/step")
}
