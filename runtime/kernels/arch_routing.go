package kernels

import (
	"fmt"
	"math"
)

// RouterScore is how a router turns logits into expert affinities.
type RouterScore uint8

const (
	// ScoreSoftmax: p = softmax(logits) over all experts (router = softmax).
	ScoreSoftmax RouterScore = iota
	// ScoreSigmoid: s = sigmoid(logits) per expert (router = sigmoid,
	// DeepSeek-V3).
	ScoreSigmoid
)

func (s RouterScore) String() string {
	switch s {
	case ScoreSoftmax:
		return "softmax"
	case ScoreSigmoid:
		return "sigmoid"
	}
	return fmt.Sprintf("RouterScore(%d)", s)
}

// RouterSpec is a router's configuration (the model's moe block).
type RouterSpec struct {
	Experts, TopK int
	Score         RouterScore
	// Normalize divides the chosen experts' weights by their sum
	// (normalize_topk).
	Normalize bool
	// Groups and TopKGroups limit each token to the experts of its
	// TopKGroups best groups of Experts/Groups consecutive experts
	// (DeepSeek's device- and node-limited routing); Groups 0: no limit.
	Groups, TopKGroups int
}

// RouteScored routes tokens by their router logits (tokens×Experts) as spec
// says, and returns the [Routing] (Probs holds the affinities: p for
// softmax, s for sigmoid). bias (length Experts, nil for none) is the
// balancing bias β of DeepSeek-V3: it is added to the affinities to choose
// experts and groups, never to the weights. Selection, for each token:
//  1. with groups, a group's score is the largest p+β of its experts
//     (softmax) or the sum of its two largest s+β (sigmoid); the token keeps
//     its TopKGroups best groups;
//  2. the TopK experts of the kept groups by affinity + β, in descending
//     order;
//  3. the weight of a chosen expert is its affinity (p or s), divided by
//     the sum over the chosen when Normalize.
//
// Ties go to the lower index (group or expert). With ScoreSoftmax, no
// groups and no bias it is [Route].
func RouteScored(logits []float32, tokens int, spec RouterSpec, bias []float32) *Routing {
	E, k := spec.Experts, spec.TopK
	if k < 1 || k > E {
		panic(fmt.Sprintf("kernels.RouteScored: top-%d of %d experts", k, E))
	}
	if spec.Groups > 0 && (E%spec.Groups != 0 || spec.TopKGroups < 1 || spec.TopKGroups > spec.Groups || spec.TopKGroups*(E/spec.Groups) < k) {
		panic(fmt.Sprintf("kernels.RouteScored: top-%d of %d experts in %d of %d groups", k, E, spec.TopKGroups, spec.Groups))
	}
	r := &Routing{Tokens: tokens, Experts: E, TopK: k, Normalize: spec.Normalize,
		Probs: make([]float32, tokens*E), Expert: make([]int32, tokens*k), Weight: make([]float32, tokens*k)}
	switch spec.Score {
	case ScoreSoftmax:
		SoftmaxRows(r.Probs, logits, tokens, E)
	case ScoreSigmoid:
		for i, v := range logits[:tokens*E] {
			r.Probs[i] = 1 / (1 + expf(-v))
		}
	default:
		panic(fmt.Sprintf("kernels.RouteScored: unknown score %d", spec.Score))
	}
	sel := make([]float32, E)
	allowed := make([]bool, E)
	for t := 0; t < tokens; t++ {
		p := r.Probs[t*E : (t+1)*E]
		copy(sel, p)
		if bias != nil {
			Add(sel, bias[:E])
		}
		allowGroups(allowed, sel, spec)
		var sum float32
		for s := 0; s < k; s++ {
			best := -1
			for e, v := range sel {
				if allowed[e] && (best < 0 || v > sel[best]) {
					best = e
				}
			}
			allowed[best] = false
			r.Expert[t*k+s] = int32(best)
			r.Weight[t*k+s] = p[best]
			sum += p[best]
		}
		if spec.Normalize {
			for s := 0; s < k; s++ {
				r.Weight[t*k+s] /= sum
			}
		}
	}
	return r
}

// allowGroups marks the experts a token may choose: all of them, or those
// of its TopKGroups best groups by the selection scores sel.
func allowGroups(allowed []bool, sel []float32, spec RouterSpec) {
	if spec.Groups == 0 {
		for e := range allowed {
			allowed[e] = true
		}
		return
	}
	clear(allowed)
	size := len(sel) / spec.Groups
	score := make([]float32, spec.Groups)
	for g := range score {
		score[g] = groupScore(sel[g*size:(g+1)*size], spec.Score)
	}
	for range spec.TopKGroups {
		best := -1
		for g, v := range score {
			if !math.IsInf(float64(v), -1) && (best < 0 || v > score[best]) {
				best = g
			}
		}
		score[best] = float32(math.Inf(-1))
		for e := best * size; e < (best+1)*size; e++ {
			allowed[e] = true
		}
	}
}

// groupScore is a group's rank: its largest selection score (softmax) or
// the sum of its two largest (sigmoid; one when the group has one expert).
func groupScore(sel []float32, score RouterScore) float32 {
	first, second := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, v := range sel {
		if v > first {
			first, second = v, first
		} else if v > second {
			second = v
		}
	}
	if score == ScoreSoftmax || len(sel) == 1 {
		return first
	}
	return first + second
}

// RouteScoredBackward adds to dlogits (tokens×Experts) the gradient that
// reaches the router logits from the combine weights (dweight, laid out as
// [Routing.Weight]; nil for none) and from an auxiliary loss (auxScale·dProb
// on every affinity; nil for none), through the score function of the
// routing r: [RouterBackward] for softmax; for sigmoid, with the same
// gradient dp reaching each affinity s (through normalize_topk when set),
// dlogits += dp·s·(1−s). The bias and the choice of experts have no
// gradient.
func RouteScoredBackward(dlogits, dweight []float32, r *Routing, score RouterScore, dProb []float32, auxScale float32) {
	switch score {
	case ScoreSoftmax:
		RouterBackward(dlogits, dweight, r, dProb, auxScale)
		return
	case ScoreSigmoid:
	default:
		panic(fmt.Sprintf("kernels.RouteScoredBackward: unknown score %d", score))
	}
	E, k := r.Experts, r.TopK
	dp := make([]float32, E)
	for t := 0; t < r.Tokens; t++ {
		s := r.Probs[t*E : (t+1)*E]
		clear(dp)
		if dProb != nil {
			for i := range dp {
				dp[i] = auxScale * dProb[i]
			}
		}
		if dweight != nil {
			selectedWeightGrad(dp, dweight[t*k:(t+1)*k], r.Expert[t*k:(t+1)*k], s, r.Normalize)
		}
		dl := dlogits[t*E : (t+1)*E]
		for e, v := range s {
			dl[e] += dp[e] * v * (1 - v)
		}
	}
}

// selectedWeightGrad adds to dp the gradient reaching the affinities a of
// the chosen experts ex from their weights' gradient dw: dw itself, or with
// normalization w_s = a_s/S, dw_s/S − Σ_u dw_u·a_u/S².
func selectedWeightGrad(dp, dw []float32, ex []int32, a []float32, normalize bool) {
	if !normalize {
		for s, e := range ex {
			dp[e] += dw[s]
		}
		return
	}
	var sum, dot float32
	for s, e := range ex {
		sum += a[e]
		dot += dw[s] * a[e]
	}
	for s, e := range ex {
		dp[e] += dw[s]/sum - dot/(sum*sum)
	}
}

// BalanceBias is DeepSeek-V3's auxiliary-loss-free balancing update, run
// after each optimizer step for each MoE layer: β_i ← β_i +
// rate·sign(mean_j n_j − n_i), where counts[i] = n_i is the number of routed
// copies expert i received over the step's global batch (the sums of
// [Routing.SlotCounts] over every micro-batch and data-parallel rank) and
// rate is the model's bias_update. An expert at the mean is left alone.
func BalanceBias(bias []float32, counts []float64, rate float64) {
	var mean float64
	for _, n := range counts {
		mean += n
	}
	mean /= float64(len(counts))
	for i, n := range counts {
		switch {
		case n < mean:
			bias[i] += float32(rate)
		case n > mean:
			bias[i] -= float32(rate)
		}
	}
}
