package kernels

import (
	"fmt"
	"math"
)

// Routing is a softmax router's decision for a micro-batch of tokens:
// p = softmax(x·Wr) over all experts, then the top-k experts of each token
// by p, in descending p with ties to the lower expert index.
type Routing struct {
	Tokens, Experts, TopK int
	Normalize             bool      // weights renormalized over the chosen k
	Probs                 []float32 // Tokens×Experts router probabilities
	Expert                []int32   // Tokens×TopK chosen experts, slot order
	Weight                []float32 // Tokens×TopK combine weights
}

// Route turns router logits (tokens×experts) into a [Routing]. The combine
// weight of slot s is p[t, Expert[t,s]], or that divided by the sum over the
// token's chosen experts when normalize is set (normalize_topk).
func Route(logits []float32, tokens, experts, topk int, normalize bool) *Routing {
	if topk < 1 || topk > experts {
		panic(fmt.Sprintf("kernels.Route: top-%d of %d experts", topk, experts))
	}
	r := &Routing{
		Tokens: tokens, Experts: experts, TopK: topk, Normalize: normalize,
		Probs:  make([]float32, tokens*experts),
		Expert: make([]int32, tokens*topk),
		Weight: make([]float32, tokens*topk),
	}
	SoftmaxRows(r.Probs, logits, tokens, experts)
	taken := make([]bool, experts)
	for t := 0; t < tokens; t++ {
		p := r.Probs[t*experts : (t+1)*experts]
		clear(taken)
		var sum float32
		for s := 0; s < topk; s++ {
			best := -1
			for e, v := range p {
				if !taken[e] && (best < 0 || v > p[best]) {
					best = e
				}
			}
			taken[best] = true
			r.Expert[t*topk+s] = int32(best)
			r.Weight[t*topk+s] = p[best]
			sum += p[best]
		}
		if normalize {
			for s := 0; s < topk; s++ {
				r.Weight[t*topk+s] /= sum
			}
		}
	}
	return r
}

// SlotCounts returns, per expert, how many routed slots chose it (before
// any capacity drop): T·k·f_i in the auxiliary loss.
func (r *Routing) SlotCounts() []float64 {
	c := make([]float64, r.Experts)
	for _, e := range r.Expert {
		c[e]++
	}
	return c
}

// ProbSums returns, per expert, Σ_t p[t, i] summed over tokens in order:
// T·P_i in the auxiliary loss.
func (r *Routing) ProbSums() []float64 {
	s := make([]float64, r.Experts)
	for t := 0; t < r.Tokens; t++ {
		for e, v := range r.Probs[t*r.Experts : (t+1)*r.Experts] {
			s[e] += float64(v)
		}
	}
	return s
}

// AuxLoss returns the load-balancing loss coef·E·Σ_i f_i·P_i with
// f_i = slotCounts_i/(tokens·topk) and P_i = probSums_i/tokens, and its
// gradient with respect to each router probability: ∂/∂p[t,i] =
// coef·E·f_i/tokens, the same for every token (f is a constant). The
// counts and sums are those of [Routing.SlotCounts] and [Routing.ProbSums],
// possibly summed over the ranks that share a micro-batch.
func AuxLoss(slotCounts, probSums []float64, tokens, topk int, coef float64) (loss float64, dProb []float32) {
	e := len(slotCounts)
	dProb = make([]float32, e)
	for i := range e {
		f := slotCounts[i] / float64(tokens*topk)
		loss += f * probSums[i] / float64(tokens)
		dProb[i] = float32(coef * float64(e) * f / float64(tokens))
	}
	return coef * float64(e) * loss, dProb
}

// RouterBackward adds to dlogits (tokens×experts) the gradient that reaches
// the router logits from the combine weights (dweight, tokens×topk, as laid
// out in [Routing.Weight]; nil for none) and from the auxiliary loss
// (auxScale·dProb[i] on every p[t,i], with dProb from [AuxLoss]; nil for
// none). With normalize_topk, w_s = p_s/S and
// ∂L/∂p_s = dw_s/S − Σ_u dw_u·p_u/S².
func RouterBackward(dlogits, dweight []float32, r *Routing, dProb []float32, auxScale float32) {
	E, k := r.Experts, r.TopK
	dp := make([]float32, E)
	for t := 0; t < r.Tokens; t++ {
		p := r.Probs[t*E : (t+1)*E]
		clear(dp)
		if dProb != nil {
			for i := range dp {
				dp[i] = auxScale * dProb[i]
			}
		}
		if dweight != nil {
			ex, dw := r.Expert[t*k:(t+1)*k], dweight[t*k:(t+1)*k]
			if r.Normalize {
				var sum, dot float32
				for s, e := range ex {
					sum += p[e]
					dot += dw[s] * p[e]
				}
				for s, e := range ex {
					dp[e] += dw[s]/sum - dot/(sum*sum)
				}
			} else {
				for s, e := range ex {
					dp[e] += dw[s]
				}
			}
		}
		SoftmaxRowsBackward(dlogits[t*E:(t+1)*E], dp, p, 1, E)
	}
}

// Dispatch places routed token copies into an expert buffer of Rows rows,
// expert by expert, and records how to bring them back. It serves both
// dispatch modes:
//   - padding-free ([PaddingFree]): every copy is kept; copies are stably
//     sorted by expert, so expert e's rows are Offsets[e]…Offsets[e+1] and
//     Rows = T·k. Per-expert GEMMs run on these variable-length slices.
//   - capacity ([CapacityDispatch]): expert e owns rows e·C…(e+1)·C of an
//     [E, C, h] buffer; its first C copies in token order are kept, the rest
//     dropped (they contribute zero); unused rows stay zero (padding).
//
// The arrays Token, Expert, Slot, Weight and Row describe the kept copies
// in buffer order (by expert, then token).
type Dispatch struct {
	Tokens, Experts, TopK int
	Capacity              int // rows per expert under capacity dispatch; 0 when padding-free
	Rows                  int // rows of the expert buffer

	Token  []int32   // source token of each kept copy
	Expert []int32   // expert of each kept copy
	Slot   []int32   // which of the token's k slots it fills
	Weight []float32 // its combine weight
	Row    []int32   // its row in the expert buffer

	Counts  []int32 // kept copies per expert (tokens per expert)
	Offsets []int32 // first buffer row of each expert; Offsets[E] = Rows
	Dropped int     // copies dropped for lack of capacity

	// copyOf maps token·k+slot to its kept copy index, or −1 when dropped.
	copyOf []int32
}

// CapacityFor returns ceil(k·T·cf/E), the per-expert capacity of
// capacity dispatch (at least 1).
func CapacityFor(tokens, topk, experts int, capacityFactor float64) int {
	return max(1, int(math.Ceil(float64(topk*tokens)*capacityFactor/float64(experts))))
}

// PaddingFree builds the padding-free dispatch of r.
func PaddingFree(r *Routing) *Dispatch { return buildDispatch(r, 0) }

// CapacityDispatch builds the capacity dispatch of r with capacity
// CapacityFor(r.Tokens, r.TopK, r.Experts, capacityFactor).
func CapacityDispatch(r *Routing, capacityFactor float64) *Dispatch {
	return buildDispatch(r, CapacityFor(r.Tokens, r.TopK, r.Experts, capacityFactor))
}

func buildDispatch(r *Routing, capacity int) *Dispatch {
	E, k, T := r.Experts, r.TopK, r.Tokens
	d := &Dispatch{Tokens: T, Experts: E, TopK: k, Capacity: capacity,
		Counts: make([]int32, E), Offsets: make([]int32, E+1), copyOf: make([]int32, T*k)}
	routed := make([]int32, E)
	for _, e := range r.Expert {
		routed[e]++
	}
	for e := 0; e < E; e++ {
		d.Counts[e] = routed[e]
		if capacity > 0 {
			d.Counts[e] = min(routed[e], int32(capacity))
			d.Dropped += int(routed[e] - d.Counts[e])
		}
	}
	// Stable counting sort of (token, slot) copies by expert.
	first := make([]int32, E+1) // first kept-copy index per expert
	for e := 0; e < E; e++ {
		first[e+1] = first[e] + d.Counts[e]
		if capacity > 0 {
			d.Offsets[e+1] = int32((e + 1) * capacity)
		} else {
			d.Offsets[e+1] = first[e+1]
		}
	}
	kept := int(first[E])
	d.Rows = int(d.Offsets[E])
	d.Token, d.Expert, d.Slot = make([]int32, kept), make([]int32, kept), make([]int32, kept)
	d.Weight, d.Row = make([]float32, kept), make([]int32, kept)
	fill := make([]int32, E)
	for t := 0; t < T; t++ {
		for s := 0; s < k; s++ {
			e := r.Expert[t*k+s]
			if fill[e] >= d.Counts[e] {
				d.copyOf[t*k+s] = -1
				continue
			}
			c := first[e] + fill[e]
			d.Token[c], d.Expert[c], d.Slot[c] = int32(t), e, int32(s)
			d.Weight[c] = r.Weight[t*k+s]
			d.Row[c] = d.Offsets[e] + fill[e]
			d.copyOf[t*k+s] = c
			fill[e]++
		}
	}
	return d
}

// ExpertRows returns the buffer rows [lo, hi) that hold expert e's kept
// copies (under capacity dispatch, the rest of its C rows are padding).
func (d *Dispatch) ExpertRows(e int) (lo, hi int) {
	return int(d.Offsets[e]), int(d.Offsets[e]) + int(d.Counts[e])
}

// Permute gathers the token rows of x (tokens×h) into the expert buffer buf
// (Rows×h): buf[Row[c]] = x[Token[c]]; padding rows are zeroed.
func (d *Dispatch) Permute(buf, x []float32, h int) {
	if d.Capacity > 0 {
		clear(buf[:d.Rows*h])
	}
	for c, t := range d.Token {
		row := int(d.Row[c])
		copy(buf[row*h:(row+1)*h], x[int(t)*h:int(t+1)*h])
	}
}

// PermuteBackward scatter-adds the buffer gradient back to the tokens:
// dx[t] += dbuf[row(t, s)] over the kept slots s of each token, in slot
// order (so the sum's order does not depend on the dispatch mode).
func (d *Dispatch) PermuteBackward(dx, dbuf []float32, h int) {
	k := d.TopK
	for t := 0; t < d.Tokens; t++ {
		for s := 0; s < k; s++ {
			c := d.copyOf[t*k+s]
			if c < 0 {
				continue
			}
			row := int(d.Row[c])
			Add(dx[t*h:(t+1)*h], dbuf[row*h:(row+1)*h])
		}
	}
}

// Combine writes y[t] = Σ_s Weight(t,s)·buf[row(t,s)] over the token's kept
// slots in slot order (tokens×h, overwritten; a token whose copies were all
// dropped gets zero).
func (d *Dispatch) Combine(y, buf []float32, h int) {
	k := d.TopK
	for t := 0; t < d.Tokens; t++ {
		yt := y[t*h : (t+1)*h]
		clear(yt)
		for s := 0; s < k; s++ {
			c := d.copyOf[t*k+s]
			if c < 0 {
				continue
			}
			row := int(d.Row[c])
			Axpy(yt, d.Weight[c], buf[row*h:(row+1)*h])
		}
	}
}

// CombineBackward adds the gradients of [Dispatch.Combine]:
// dbuf[row(t,s)] += Weight(t,s)·dy[t] and dweight[t·k+s] += dy[t]·buf[row]
// (dweight is laid out as [Routing.Weight]; dropped slots get nothing).
// Either output may be nil.
func (d *Dispatch) CombineBackward(dbuf, dweight, dy, buf []float32, h int) {
	k := d.TopK
	for t := 0; t < d.Tokens; t++ {
		dyt := dy[t*h : (t+1)*h]
		for s := 0; s < k; s++ {
			c := d.copyOf[t*k+s]
			if c < 0 {
				continue
			}
			row := int(d.Row[c])
			if dbuf != nil {
				Axpy(dbuf[row*h:(row+1)*h], d.Weight[c], dyt)
			}
			if dweight != nil {
				dweight[t*k+s] += dot(dyt, buf[row*h:(row+1)*h])
			}
		}
	}
}

// CopyIndex returns the kept copy index of (token, slot), or −1 when the
// copy was dropped.
func (d *Dispatch) CopyIndex(token, slot int) int { return int(d.copyOf[token*d.TopK+slot]) }
