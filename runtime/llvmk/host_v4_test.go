//go:build planc_llvm

package llvmk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"planc/codegen/llvm"
	"planc/runtime/kernels"
)

// hostMatMulCases are products of both bench/torch shapes (hidden 64 and
// 256, 128-row micro-batches) and ragged ones (N not a multiple of the
// vector, M not a multiple of the micro-kernel's rows, K over one block).
var hostMatMulCases = []llvm.MatMul{
	{M: 128, K: 256, N: 768}, {M: 128, K: 1024, N: 256}, {M: 128, K: 256, N: 1024, TransB: true, Acc: true},
	{M: 256, K: 128, N: 768, TransA: true, Acc: true}, {M: 128, K: 64, N: 192},
	{M: 13, K: 300, N: 40}, {M: 7, K: 33, N: 17, TransB: true}, {M: 50, K: 20, N: 48, Bias: true},
}

// TestHostV4MatMulMatchesV3Bitwise: the AVX-512 micro-kernels (x86-64-v4)
// sum every element of C in the order of the AVX2 ones, so both libraries
// must give the same bits.
func TestHostV4MatMulMatchesV3Bitwise(t *testing.T) {
	v4 := HostTarget()
	if v4.CPU != "x86-64-v4" {
		t.Skip("this CPU (or llc) has no x86-64-v4: nothing to compare")
	}
	v3, _ := llvm.LookupTarget("x86-64")
	var specs []llvm.Spec
	for _, c := range hostMatMulCases {
		specs = append(specs, c)
	}
	libs := make([]*Kernels, 2)
	for i, tg := range []llvm.Target{v3, v4} {
		lib, err := LoadTarget("v4check", specs, tg)
		if err != nil {
			t.Fatal(err)
		}
		defer lib.Close()
		libs[i] = lib
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range hostMatMulCases {
		t.Run(c.Name(), func(t *testing.T) {
			a, b, init := randVec(r, c.M*c.K, 1), randVec(r, c.K*c.N, 1), randVec(r, c.M*c.N, 1)
			bias := randVec(r, c.N, 1)
			var outs [2][]float32
			for i, lib := range libs {
				outs[i] = clone(init)
				runHostMatMul(lib, c, outs[i], a, b, bias)
			}
			if libs[0].Fallbacks()+libs[1].Fallbacks() != 0 {
				t.Fatal("a product fell back to the Go kernels")
			}
			for j := range outs[0] {
				if math.Float32bits(outs[0][j]) != math.Float32bits(outs[1][j]) {
					t.Fatalf("element %d: v3 %v, v4 %v", j, outs[0][j], outs[1][j])
				}
			}
		})
	}
}

// TestHostV4AttentionMatchesV3Bitwise: the host attention routines form
// the same sums in the same order with 8 keys per vector (x86-64-v3) and
// 16 (x86-64-v4), so both libraries give the same bits (a trainer binary
// runs v3 kernels, planc run v4 ones, and they must agree).
func TestHostV4AttentionMatchesV3Bitwise(t *testing.T) {
	v4 := HostTarget()
	if v4.CPU != "x86-64-v4" {
		t.Skip("this CPU (or llc) has no x86-64-v4: nothing to compare")
	}
	v3, _ := llvm.LookupTarget("x86-64")
	shapes := append([]llvm.Attention{{Batch: 2, Heads: 4, Tq: 64, Tk: 64, D: 16}, {Batch: 1, Heads: 2, Tq: 21, Tk: 37, D: 24, QOffset: 16}}, offsetAttention...)
	var specs []llvm.Spec
	for _, a := range shapes {
		specs = append(specs, llvm.AttentionFwd{Attention: a}, llvm.AttentionBwd{Attention: a})
	}
	libs := make([]*Kernels, 2)
	for i, tg := range []llvm.Target{v3, v4} {
		lib, err := LoadTarget("v4attn", specs, tg)
		if err != nil {
			t.Fatal(err)
		}
		defer lib.Close()
		libs[i] = lib
	}
	r := rand.New(rand.NewPCG(9, 10))
	for _, a := range shapes {
		s := kernels.AttnShape{Batch: a.Batch, Heads: a.Heads, Tq: a.Tq, Tk: a.Tk, D: a.D, QOffset: a.QOffset, KOffset: a.KOffset, Causal: true}
		nq, nk := a.Batch*a.Heads*a.Tq*a.D, a.Batch*a.Heads*a.Tk*a.D
		q, k, v, do := randVec(r, nq, 1), randVec(r, nk, 1), randVec(r, nk, 1), randVec(r, nq, 1)
		var outs [2][][]float32
		for i, lib := range libs {
			o, lse := make([]float32, nq), make([]float32, nq/a.D)
			lib.AttentionForward(o, lse, q, k, v, s)
			dq, dk, dv := make([]float32, nq), make([]float32, nk), make([]float32, nk)
			lib.AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, s)
			outs[i] = [][]float32{o, lse, dq, dk, dv}
		}
		if libs[0].Fallbacks()+libs[1].Fallbacks() != 0 {
			t.Fatal("attention fell back to the Go kernels")
		}
		for n, name := range []string{"o", "lse", "dq", "dk", "dv"} {
			for j := range outs[0][n] {
				if math.Float32bits(outs[0][n][j]) != math.Float32bits(outs[1][n][j]) {
					t.Fatalf("%+v: %s[%d]: v3 %v, v4 %v", a, name, j, outs[0][n][j], outs[1][n][j])
				}
			}
		}
	}
}

func runHostMatMul(lib *Kernels, c llvm.MatMul, out, a, b, bias []float32) {
	switch {
	case c.Bias:
		lib.LinearForward(out, a, b, bias, c.M, c.K, c.N)
	case c.TransA:
		lib.MatMulTransA(out, a, b, c.M, c.K, c.N, c.Acc)
	case c.TransB:
		lib.MatMulTransB(out, a, b, c.M, c.K, c.N, c.Acc)
	default:
		lib.MatMul(out, a, b, c.M, c.K, c.N, c.Acc)
	}
}

// BenchmarkHostMatMulTargets times the generated products of hidden 256
// for the x86-64-v3 and this machine's host target, beside the Go kernels.
func BenchmarkHostMatMulTargets(b *testing.B) {
	v3, _ := llvm.LookupTarget("x86-64")
	var specs []llvm.Spec
	for _, c := range hostMatMulCases[:4] {
		specs = append(specs, c)
	}
	r := rand.New(rand.NewPCG(9, 10))
	for _, tg := range []llvm.Target{v3, HostTarget()} {
		lib, err := LoadTarget("v4bench", specs, tg)
		if err != nil {
			b.Fatal(err)
		}
		defer lib.Close()
		for _, c := range hostMatMulCases[:4] {
			a, bb, out := randVec(r, c.M*c.K, 1), randVec(r, c.K*c.N, 1), make([]float32, c.M*c.N)
			b.Run(fmt.Sprintf("%s/%s", c.Name(), tg.CPU), func(b *testing.B) {
				for b.Loop() {
					runHostMatMul(lib, c, out, a, bb, nil)
				}
				b.ReportMetric(2*float64(c.M*c.K*c.N)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
