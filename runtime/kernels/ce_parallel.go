package kernels

import "math"

// Vocabulary-parallel cross-entropy (Megatron's): when the logits of each
// token are split by vocabulary across ranks (rank r holds columns
// [vocabLo, vocabLo+vLocal) of every row), the loss needs only two small
// all-reduces per row instead of gathering the logits:
//
//  1. CrossEntropyShardMax on every rank, then an all-reduce (max) of rowMax;
//  2. CrossEntropyShardSums with that global max, then an all-reduce (sum)
//     of sumExp and targetLogit (each target lives in exactly one shard;
//     the others contribute 0);
//  3. CrossEntropyShardLoss for the mean loss (identical on every rank) and
//     CrossEntropyShardGrad for this shard's logit gradient.
//
// With one shard holding the whole vocabulary the result equals
// [CrossEntropy] up to float32 rounding of the sums.

// CrossEntropyShardMax writes each row's maximum local logit into rowMax.
func CrossEntropyShardMax(rowMax, logits []float32, rows, vLocal int) {
	for r := 0; r < rows; r++ {
		lr := logits[r*vLocal : (r+1)*vLocal]
		mx, j0 := maxVec(lr)
		for _, v := range lr[j0:] {
			mx = max(mx, v)
		}
		rowMax[r] = mx
	}
}

// CrossEntropyShardSums writes, per row, the local Σ exp(logit − rowMax)
// (rowMax being the GLOBAL maximum) into sumExp, and the target's logit
// minus rowMax into targetLogit when the target is in this shard (else 0).
func CrossEntropyShardSums(sumExp []float64, targetLogit []float32, logits []float32, targets []int32, rowMax []float32, rows, vLocal, vocabLo int) {
	eBuf := getBuf(vLocal)
	defer packPool.Put(eBuf)
	e := *eBuf
	for r := 0; r < rows; r++ {
		lr := logits[r*vLocal : (r+1)*vLocal]
		mx := rowMax[r]
		expfScaled(e, lr, 1, mx)
		var s float64
		for _, v := range e {
			s += float64(v)
		}
		sumExp[r] = s
		targetLogit[r] = 0
		if t := int(targets[r]) - vocabLo; t >= 0 && t < vLocal {
			targetLogit[r] = lr[t] - mx
		}
	}
}

// CrossEntropyShardLoss returns the mean over rows of
// log(sumExp) − targetLogit, from the all-reduced sums.
func CrossEntropyShardLoss(sumExp []float64, targetLogit []float32, rows int) float64 {
	var total float64
	for r := 0; r < rows; r++ {
		total += math.Log(sumExp[r]) - float64(targetLogit[r])
	}
	return total / float64(rows)
}

// CrossEntropyShardGrad ADDS gradScale·(softmax − onehot) for this shard's
// columns to dlogits, from the all-reduced rowMax and sumExp.
func CrossEntropyShardGrad(dlogits, logits []float32, targets []int32, rowMax []float32, sumExp []float64, rows, vLocal, vocabLo int, gradScale float32) {
	eBuf := getBuf(vLocal)
	defer packPool.Put(eBuf)
	e := *eBuf
	for r := 0; r < rows; r++ {
		lr, dr := logits[r*vLocal:(r+1)*vLocal], dlogits[r*vLocal:(r+1)*vLocal]
		mx, inv := rowMax[r], float32(1/sumExp[r])
		expfScaled(e, lr, 1, mx)
		for j, v := range e {
			dr[j] += gradScale * v * inv
		}
		if t := int(targets[r]) - vocabLo; t >= 0 && t < vLocal {
			dr[t] -= gradScale
		}
	}
}
