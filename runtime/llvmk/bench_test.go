//go:build planc_llvm

package llvmk

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"planc/codegen/llvm"
	"planc/runtime/cpuclock"
	"planc/runtime/kernels"
	"planc/runtime/optim"
)

// BenchmarkTrainingMatMuls times the generated and the Go kernels on the
// products of a tiny_gpt training step (micro-batch 8: 512 tokens), one
// sub-benchmark per product and implementation.
func BenchmarkTrainingMatMuls(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	type mm struct {
		name           string
		m, k, n        int
		transA, transB bool
	}
	var cases []mm
	for _, T := range []int{128, 512} { // micro-batch 2 (examples/tiny_gpt.plan) and 8
		cases = append(cases,
			mm{"qkv fwd", T, 64, 192, false, false},
			mm{"fc1 fwd", T, 64, 256, false, false},
			mm{"fc1 dx", T, 256, 64, false, true},
			mm{"qkv dW", 64, T, 192, true, false},
			mm{"fc1 dW", 64, T, 256, true, false},
			mm{"fc2 dW", 256, T, 64, true, false})
	}
	// hidden 256 (bench/torch's second shape), micro-batch 2.
	cases = append(cases, mm{"h256 qkv fwd", 128, 256, 768, false, false}, mm{"h256 fc2 fwd", 128, 1024, 256, false, false},
		mm{"h256 fc1 fwd", 128, 256, 1024, false, false}, mm{"h256 fc1 dx", 128, 1024, 256, false, true},
		mm{"h256 qkv dW", 256, 128, 768, true, false}, mm{"h256 fc2 dW", 1024, 128, 256, true, false})
	var specs []llvm.Spec
	for _, c := range cases {
		specs = append(specs, llvm.MatMul{M: c.m, K: c.k, N: c.n, TransA: c.transA, TransB: c.transB, Acc: c.transA || c.transB})
	}
	lib, err := Load("bench", specs)
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	for _, c := range cases {
		a, bb, cc := randVec(r, c.m*c.k, 1), randVec(r, c.k*c.n, 1), make([]float32, c.m*c.n)
		for _, impl := range []struct {
			name string
			ops  Ops
		}{{"go", GoOps{}}, {"generated", lib}} {
			b.Run(fmt.Sprintf("%s %dx%dx%d/%s", c.name, c.m, c.k, c.n, impl.name), func(b *testing.B) {
				f0 := lib.Fallbacks()
				c0 := cpuTime()
				for b.Loop() {
					switch {
					case c.transA:
						impl.ops.MatMulTransA(cc, a, bb, c.m, c.k, c.n, true)
					case c.transB:
						impl.ops.MatMulTransB(cc, a, bb, c.m, c.k, c.n, true)
					default:
						impl.ops.MatMul(cc, a, bb, c.m, c.k, c.n, false)
					}
				}
				if lib.Fallbacks() != f0 {
					b.Fatal("fell back to a Go kernel")
				}
				b.ReportMetric(2*float64(c.m*c.k*c.n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkTrainingOps times the generated and the Go kernels on the other
// hot ops of a tiny_gpt step at examples/tiny_gpt.plan's micro-batch (2
// sequences of 64 tokens): layernorm, gelu, attention (also at hidden 256,
// 8 heads), AdamW.
func BenchmarkTrainingOps(b *testing.B) {
	const B, S, H, NH, D, F = 2, 64, 64, 4, 16, 256
	T := B * S
	r := rand.New(rand.NewPCG(1, 2))
	as := kernels.AttnShape{Batch: B, Heads: NH, Tq: S, Tk: S, D: D, Causal: true}
	at := llvm.Attention{Batch: B, Heads: NH, Tq: S, Tk: S, D: D}
	as256 := kernels.AttnShape{Batch: B, Heads: 8, Tq: S, Tk: S, D: 32, Causal: true}
	at256 := llvm.Attention{Batch: B, Heads: 8, Tq: S, Tk: S, D: 32}
	adam := llvm.AdamW{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8}
	lib, err := Load("bench", []llvm.Spec{llvm.LayerNormFwd{Rows: T, Width: H}, llvm.LayerNormBwdData{Rows: T, Width: H},
		llvm.LayerNormBwdParams{Rows: T, Width: H}, llvm.GeluFwd{N: T * F}, llvm.GeluBwd{N: T * F},
		llvm.AttentionFwd{Attention: at}, llvm.AttentionBwd{Attention: at},
		llvm.AttentionFwd{Attention: at256}, llvm.AttentionBwd{Attention: at256}, adam})
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	x, g, be, y := randVec(r, T*H, 1), randVec(r, H, 1), randVec(r, H, 1), make([]float32, T*H)
	mean, rstd, dx, dg, db := make([]float32, T), make([]float32, T), make([]float32, T*H), make([]float32, H), make([]float32, H)
	u, gu, du := randVec(r, T*F, 1), make([]float32, T*F), make([]float32, T*F)
	q, k, v, o, lse := randVec(r, T*H, 1), randVec(r, T*H, 1), randVec(r, T*H, 1), make([]float32, T*H), make([]float32, T*NH)
	dq, dk, dv := make([]float32, T*H), make([]float32, T*H), make([]float32, T*H)
	GoOps{}.LayerNormForward(y, mean, rstd, x, g, be, T, H)
	GoOps{}.AttentionForward(o, lse, q, k, v, as)
	n256 := B * 8 * S * 32
	q2, k2, v2, do2 := randVec(r, n256, 1), randVec(r, n256, 1), randVec(r, n256, 1), randVec(r, n256, 1)
	o2, lse2, dq2, dk2, dv2 := make([]float32, n256), make([]float32, B*8*S), make([]float32, n256), make([]float32, n256), make([]float32, n256)
	GoOps{}.AttentionForward(o2, lse2, q2, k2, v2, as256)
	const nParams = 200_000
	opt := optim.Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1}
	st := optim.NewState(randVec(r, nParams, 1), randVec(r, nParams, 1), true)
	ops := []struct {
		name string
		run  func(Ops)
	}{
		{"layernorm fwd", func(o Ops) { o.LayerNormForward(y, mean, rstd, x, g, be, T, H) }},
		{"layernorm bwd", func(o Ops) { o.LayerNormBackward(dx, dg, db, x, x, mean, rstd, g, T, H) }},
		{"gelu fwd", func(o Ops) { o.GeluForward(gu, u) }},
		{"gelu bwd", func(o Ops) { o.GeluBackward(du, u, u) }},
		{"attention fwd", func(ops Ops) { ops.AttentionForward(o, lse, q, k, v, as) }},
		{"attention bwd", func(ops Ops) { ops.AttentionBackward(dq, dk, dv, x, q, k, v, o, lse, as) }},
		{"attention fwd h256", func(ops Ops) { ops.AttentionForward(o2, lse2, q2, k2, v2, as256) }},
		{"attention bwd h256", func(ops Ops) { ops.AttentionBackward(dq2, dk2, dv2, do2, q2, k2, v2, o2, lse2, as256) }},
		{"adamw 200k", func(ops Ops) { ops.AdamWStep(opt, st, 3, 1e-4, 1) }},
	}
	for _, op := range ops {
		for _, impl := range []struct {
			name string
			ops  Ops
		}{{"go", GoOps{}}, {"generated", lib}} {
			b.Run(op.name+"/"+impl.name, func(b *testing.B) {
				f0 := lib.Fallbacks()
				c0 := cpuTime()
				for b.Loop() {
					op.run(impl.ops)
				}
				// CPU time (this process, all threads) per op: on a
				// loaded machine far steadier than the wall clock.
				b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
				if lib.Fallbacks() != f0 {
					b.Fatal("fell back to a Go kernel")
				}
			})
		}
	}
}

// cpuTime returns the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	d, _ := cpuclock.Process()
	return d
}

// BenchmarkHidden256MatMuls times the generated and the Go kernels on every
// product of a hidden-256 step (bench/torch's second shape: hidden 256, ffn
// 1024) at micro-batch 2 and 8 (128 and 512 rows): per layer the forward
// x·W, the input gradient dy·Wᵀ and the weight gradient xᵀ·dy of qkv,
// out_proj, fc1 and fc2, as exec calls them on --kernels=llvm. GFLOP/s
// per CPU second (cpu-GFLOP/s) is steadier than the wall clock under load.
func BenchmarkHidden256MatMuls(b *testing.B) {
	const h, f = 256, 1024
	type mm struct {
		name           string
		m, k, n        int
		transA, transB bool
	}
	var cases []mm
	for _, rows := range []int{128, 512} {
		for _, s := range []struct {
			name    string
			in, out int
		}{{"qkv", h, 3 * h}, {"proj", h, h}, {"fc1", h, f}, {"fc2", f, h}} {
			cases = append(cases, mm{s.name + " fwd", rows, s.in, s.out, false, false},
				mm{s.name + " dx", rows, s.out, s.in, false, true},
				mm{s.name + " dW", s.in, rows, s.out, true, false})
		}
	}
	var specs []llvm.Spec
	for _, c := range cases {
		specs = append(specs, llvm.MatMul{M: c.m, K: c.k, N: c.n, TransA: c.transA, TransB: c.transB, Acc: c.transA})
	}
	lib, err := Load("bench", specs)
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		a, bb, cc := randVec(r, c.m*c.k, 1), randVec(r, c.k*c.n, 1), make([]float32, c.m*c.n)
		for _, impl := range []struct {
			name string
			ops  Ops
		}{{"go", GoOps{}}, {"generated", lib}} {
			b.Run(fmt.Sprintf("%s %dx%dx%d/%s", c.name, c.m, c.k, c.n, impl.name), func(b *testing.B) {
				f0 := lib.Fallbacks()
				c0 := cpuTime()
				for b.Loop() {
					switch {
					case c.transA:
						impl.ops.MatMulTransA(cc, a, bb, c.m, c.k, c.n, true)
					case c.transB:
						impl.ops.MatMulTransB(cc, a, bb, c.m, c.k, c.n, false)
					default:
						impl.ops.MatMul(cc, a, bb, c.m, c.k, c.n, false)
					}
				}
				if lib.Fallbacks() != f0 {
					b.Fatal("fell back to a Go kernel")
				}
				cpu := float64(cpuTime() - c0)
				b.ReportMetric(2*float64(c.m*c.k*c.n)*float64(b.N)/cpu, "cpu-GFLOP/s")
				b.ReportMetric(cpu/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
