package kernels

import (
	"math"
	"testing"
)

// TestVocabParallelCrossEntropyMatchesWhole splits the vocabulary into
// uneven shards, plays the all-reduces by hand, and compares loss and
// gradient with the whole-vocabulary kernel.
func TestVocabParallelCrossEntropyMatchesWhole(t *testing.T) {
	const rows, vocab = 7, 20
	logits := normal(1, rows*vocab, 3)
	targets := []int32{0, 19, 5, 6, 13, 12, 4}
	want := make([]float32, rows*vocab)
	wantLoss := CrossEntropy(want, logits, targets, rows, vocab, 0.25)

	bounds := []int{0, 6, 13, 20}
	shards := make([][]float32, 3)
	for s := range shards {
		lo, hi := bounds[s], bounds[s+1]
		shards[s] = make([]float32, rows*(hi-lo))
		CopyCols(shards[s], logits, rows, vocab, lo, hi)
	}
	gmax := make([]float32, rows)
	for r := range gmax {
		gmax[r] = float32(math.Inf(-1))
	}
	for s, sh := range shards {
		m := make([]float32, rows)
		CrossEntropyShardMax(m, sh, rows, bounds[s+1]-bounds[s])
		for r := range m {
			gmax[r] = max(gmax[r], m[r])
		}
	}
	sumExp, tgt := make([]float64, rows), make([]float32, rows)
	for s, sh := range shards {
		se, tl := make([]float64, rows), make([]float32, rows)
		CrossEntropyShardSums(se, tl, sh, targets, gmax, rows, bounds[s+1]-bounds[s], bounds[s])
		for r := range se {
			sumExp[r] += se[r]
			tgt[r] += tl[r]
		}
	}
	loss := CrossEntropyShardLoss(sumExp, tgt, rows)
	if math.Abs(loss-wantLoss) > 1e-6*wantLoss {
		t.Errorf("loss %v, whole %v", loss, wantLoss)
	}
	got := make([]float32, rows*vocab)
	for s, sh := range shards {
		lo, hi := bounds[s], bounds[s+1]
		d := make([]float32, rows*(hi-lo))
		CrossEntropyShardGrad(d, sh, targets, gmax, sumExp, rows, hi-lo, lo, 0.25)
		SetCols(got, d, rows, vocab, lo, hi)
	}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-7 {
			t.Fatalf("dlogits[%d] = %v, whole %v", i, got[i], want[i])
		}
	}
}
