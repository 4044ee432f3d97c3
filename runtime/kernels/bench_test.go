package kernels

import (
	"fmt"
	"testing"
)

// The hot kernels at the tiny model's shapes (issue 5: hidden 64, seq 64,
// 4 heads, vocab 256, batch 8, so 512 token rows).
const benchRows, benchH, benchSeq, benchHeads, benchVocab, benchBatch = 512, 64, 64, 4, 256, 8

func BenchmarkAttentionFwdBwd(b *testing.B) {
	d := benchH / benchHeads
	s := AttnShape{Batch: benchBatch, Heads: benchHeads, Tq: benchSeq, Tk: benchSeq, D: d, Causal: true}
	n := benchRows * benchH
	q, k, v, do := normal(1, n, 1), normal(2, n, 1), normal(3, n, 1), normal(4, n, 1)
	o, lse := make([]float32, n), make([]float32, benchBatch*benchHeads*benchSeq)
	dq, dk, dv := make([]float32, n), make([]float32, n), make([]float32, n)
	for b.Loop() {
		AttentionForward(o, lse, q, k, v, s)
		AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, s)
	}
	// Causal: half the T² score matrix; forward 2 GEMM-like products, backward 4.
	flops := float64(benchBatch*benchHeads) * float64(benchSeq*(benchSeq+1)/2) * float64(d) * 2 * 6
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkLayerNormFwdBwd(b *testing.B) {
	n := benchRows * benchH
	x, dy := normal(1, n, 1), normal(2, n, 1)
	gamma, beta := normal(3, benchH, 1), normal(4, benchH, 1)
	y, dx := make([]float32, n), make([]float32, n)
	mean, rstd := make([]float32, benchRows), make([]float32, benchRows)
	dg, db := make([]float32, benchH), make([]float32, benchH)
	for b.Loop() {
		LayerNormForward(y, mean, rstd, x, gamma, beta, benchRows, benchH)
		LayerNormBackward(dx, dg, db, dy, x, mean, rstd, gamma, benchRows, benchH)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
}

func BenchmarkCrossEntropyFwdBwd(b *testing.B) {
	logits := normal(1, benchRows*benchVocab, 1)
	dlogits := make([]float32, len(logits))
	targets := tokens(2, benchRows, benchVocab)
	for b.Loop() {
		CrossEntropy(dlogits, logits, targets, benchRows, benchVocab, 1.0/benchRows)
	}
	b.ReportMetric(float64(len(logits))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
}

func BenchmarkGeluFwdBwd(b *testing.B) {
	n := benchRows * 4 * benchH
	x, dy := normal(1, n, 1), normal(2, n, 1)
	y, dx := make([]float32, n), make([]float32, n)
	for b.Loop() {
		GeluForward(y, x)
		GeluBackward(dx, dy, x)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
}

// BenchmarkProductsTinyGPT runs the products of one tiny_gpt layer's
// forward and backward on a 128-row micro-batch (hidden 64, ffn 256) back
// to back, as a step does: the cost of handing small products to other
// cores shows here (compare -cpu 1,2).
func BenchmarkProductsTinyGPT(b *testing.B) {
	const rows, h, f = 128, 64, 256
	x, dy := normal(1, rows*f, 1), normal(2, rows*f, 1)
	w, dw := normal(3, f*f, 1), make([]float32, f*f)
	y, dx := make([]float32, rows*f), make([]float32, rows*f)
	shapes := [][2]int{{h, 3 * h}, {h, h}, {h, f}, {f, h}}
	for b.Loop() {
		for _, s := range shapes {
			in, out := s[0], s[1]
			MatMul(y, x, w, rows, in, out, false)
			MatMulTransB(dx, dy, w, rows, out, in, false)
			MatMulTransA(dw, x, dy, in, rows, out, true)
		}
	}
}

// BenchmarkProductsHidden256 runs the products of one layer of bench/torch's
// second shape (hidden 256, ffn 1024) forward and backward, back to back as
// a step does, on a micro-batch of 128 rows (tiny_gpt.plan's micro_batch 2)
// and of 512 (micro_batch 8, PyTorch's one product per layer), and reports
// GFLOP/s: the figure to compare with the products' share of a step.
func BenchmarkProductsHidden256(b *testing.B) {
	const h, f = 256, 1024
	shapes := [][2]int{{h, 3 * h}, {h, h}, {h, f}, {f, h}}
	// Each product has operands of its own, as in a step (where they come
	// from memory rather than the cache that the previous product warmed).
	type operands struct{ x, dy, w, dw, y, dx []float32 }
	for _, rows := range []int{128, 512} {
		var ops []operands
		var flops float64
		for i, s := range shapes {
			in, out := s[0], s[1]
			ops = append(ops, operands{normal(uint64(4*i+1), rows*in, 1), normal(uint64(4*i+2), rows*out, 1),
				normal(uint64(4*i+3), in*out, 1), make([]float32, in*out), make([]float32, rows*out), make([]float32, rows*in)})
			flops += 3 * 2 * float64(rows*in*out)
		}
		b.Run(fmt.Sprintf("rows%d", rows), func(b *testing.B) {
			for b.Loop() {
				for i, s := range shapes {
					in, out, o := s[0], s[1], ops[i]
					MatMul(o.y, o.x, o.w, rows, in, out, false)
					MatMulTransB(o.dx, o.dy, o.w, rows, out, in, false)
					MatMulTransA(o.dw, o.x, o.dy, in, rows, out, true)
				}
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
