package kernels

import (
	"math"
)

// AttnShape describes a batch of scaled dot-product attention problems, one
// per (batch, head). Queries, keys, values and outputs are laid out
// head-major: q and o are [Batch, Heads, Tq, D], k and v are
// [Batch, Heads, Tk, D], and the per-query log-sum-exp is [Batch, Heads, Tq].
//
// Positions are global: query i sits at position QOffset+i and key j at
// KOffset+j. With Causal, query i attends to key j only when
// KOffset+j ≤ QOffset+i. This expresses every context-parallel layout:
//   - whole causal attention: QOffset = KOffset = 0, Tq = Tk = seq;
//   - one segment's queries against the keys of all segments up to it
//     (all-gather and LSS modes): QOffset = segment start, KOffset = 0;
//   - one block of a ring: the queries of this rank against the keys of
//     another rank's block, at their own offsets.
type AttnShape struct {
	Batch, Heads     int
	Tq, Tk           int
	D                int
	QOffset, KOffset int
	Causal           bool
}

func (s AttnShape) problems() int { return s.Batch * s.Heads }

// visibleKeys returns how many leading keys query i may attend to.
func (s AttnShape) visibleKeys(i int) int {
	if !s.Causal {
		return s.Tk
	}
	return min(max(s.QOffset+i-s.KOffset+1, 0), s.Tk)
}

// attnRowBlock is the number of queries whose scores are formed at once;
// under a causal mask each block multiplies only by the keys its last query
// can see, which skips about half the work of long sequences.
const attnRowBlock = 64

// AttentionForward computes o = softmax(q·kᵀ/sqrt(D) + mask)·v for every
// (batch, head) and stores the natural log-sum-exp of each query's masked,
// scaled scores in lse. A query that sees no key (possible for a key block
// entirely in its future) gets o = 0 and lse = −Inf, which
// [CombineAttention] treats as an empty block.
//
// Each (batch, head) is one task: the scores q·kᵀ and the product P·v are
// packed matrix products on the task's goroutine, and every score depends on
// its query and key only, so a key block gives the same scores as the same
// keys inside a whole sequence.
func AttentionForward(o, lse, q, k, v []float32, s AttnShape) {
	scale := float32(1 / math.Sqrt(float64(s.D)))
	d, tq, tk := s.D, s.Tq, s.Tk
	parallelFor(s.problems(), s.problems()*tq*tk*d*2, func(bh int) {
		qb := q[bh*tq*d : (bh+1)*tq*d]
		kb := k[bh*tk*d : (bh+1)*tk*d]
		vb := v[bh*tk*d : (bh+1)*tk*d]
		ob := o[bh*tq*d : (bh+1)*tq*d]
		lb := lse[bh*tq : (bh+1)*tq]
		pBuf := getBuf(min(attnRowBlock, tq) * tk)
		for i0 := 0; i0 < tq; i0 += attnRowBlock {
			rows := min(attnRowBlock, tq-i0)
			nkMax := s.visibleKeys(i0 + rows - 1)
			if nkMax == 0 {
				clear(ob[i0*d : (i0+rows)*d])
				for i := i0; i < i0+rows; i++ {
					lb[i] = float32(math.Inf(-1))
				}
				continue
			}
			p := (*pBuf)[:rows*nkMax]
			gemm(p, qb[i0*d:], d, 1, kb, 1, d, rows, d, nkMax, false, false) // q·kᵀ
			for r := 0; r < rows; r++ {
				row := p[r*nkMax : (r+1)*nkMax]
				nk := s.visibleKeys(i0 + r)
				if nk == 0 {
					clear(row)
					lb[i0+r] = float32(math.Inf(-1))
					continue
				}
				// Rounding is monotone, so the largest scaled score is
				// the scaled largest score.
				mx, j0 := maxVec(row[:nk])
				for _, v := range row[j0:nk] {
					mx = max(mx, v)
				}
				mx *= scale
				expfScaled(row[:nk], row[:nk], scale, mx)
				sum := sum64(row[:nk])
				inv := float32(1 / sum)
				for j := scaleVec(row[:nk], inv); j < nk; j++ {
					row[j] *= inv
				}
				clear(row[nk:])
				lb[i0+r] = mx + float32(math.Log(sum))
			}
			gemm(ob[i0*d:(i0+rows)*d], p, nkMax, 1, vb, d, 1, rows, nkMax, d, false, false) // P·v
		}
		packPool.Put(pBuf)
	})
}

// AttentionBackward adds the gradients of attention with respect to q, k
// and v, given the upstream gradient do and the FINAL output o and
// log-sum-exp lse of each query (see below). With P_ij = exp(s_ij − lse_i),
// s_ij = q_i·k_j/sqrt(D) and Δ_i = do_i·o_i:
//
//	dv_j += Σ_i P_ij·do_i
//	dS_ij = P_ij·(do_i·v_j − Δ_i)
//	dq_i += Σ_j dS_ij·k_j/sqrt(D),  dk_j += Σ_i dS_ij·q_i/sqrt(D)
//
// Because P_ij and Δ_i use the output and log-sum-exp over ALL keys, the
// same call over one key block (with the block's k, v and offsets, and the
// combined o and lse) yields exactly that block's share: the dq of all
// blocks sum to the whole dq, and the block's dk and dv are complete. That
// is the backward of ring attention. Any of dq, dk, dv may be nil.
func AttentionBackward(dq, dk, dv, do, q, k, v, o, lse []float32, s AttnShape) {
	scale := float32(1 / math.Sqrt(float64(s.D)))
	d, tq, tk := s.D, s.Tq, s.Tk
	parallelFor(s.problems(), s.problems()*tq*tk*d*4, func(bh int) {
		qb := q[bh*tq*d : (bh+1)*tq*d]
		kb := k[bh*tk*d : (bh+1)*tk*d]
		vb := v[bh*tk*d : (bh+1)*tk*d]
		ob := o[bh*tq*d : (bh+1)*tq*d]
		dob := do[bh*tq*d : (bh+1)*tq*d]
		lb := lse[bh*tq : (bh+1)*tq]
		pBuf, dpBuf := getBuf(min(attnRowBlock, tq)*tk), getBuf(min(attnRowBlock, tq)*tk)
		for i0 := 0; i0 < tq; i0 += attnRowBlock {
			rows := min(attnRowBlock, tq-i0)
			nkMax := s.visibleKeys(i0 + rows - 1)
			if nkMax == 0 {
				continue
			}
			p, dp := (*pBuf)[:rows*nkMax], (*dpBuf)[:rows*nkMax]
			qi, doi := qb[i0*d:(i0+rows)*d], dob[i0*d:(i0+rows)*d]
			gemm(p, qi, d, 1, kb, 1, d, rows, d, nkMax, false, false) // q·kᵀ
			for r := 0; r < rows; r++ {
				row := p[r*nkMax : (r+1)*nkMax]
				nk := s.visibleKeys(i0 + r)
				l := lb[i0+r]
				expfScaled(row[:nk], row[:nk], scale, l)
				clear(row[nk:])
			}
			if dv != nil { // dv += Pᵀ·do
				gemm(dv[bh*tk*d:(bh*tk+nkMax)*d], p, 1, nkMax, doi, d, 1, nkMax, rows, d, true, false)
			}
			if dq == nil && dk == nil {
				continue
			}
			gemm(dp, doi, d, 1, vb, 1, d, rows, d, nkMax, false, false) // do·vᵀ
			for r := 0; r < rows; r++ {
				pr, dr := p[r*nkMax:(r+1)*nkMax], dp[r*nkMax:(r+1)*nkMax]
				delta := dot(doi[r*d:(r+1)*d], ob[(i0+r)*d:(i0+r+1)*d])
				for j := attnDSVec(dr, pr, delta, scale); j < len(pr); j++ {
					dr[j] = pr[j] * (dr[j] - delta) * scale
				}
			}
			if dq != nil { // dq += dS·k
				gemm(dq[(bh*tq+i0)*d:(bh*tq+i0+rows)*d], dp, nkMax, 1, kb, d, 1, rows, nkMax, d, true, false)
			}
			if dk != nil { // dk += dSᵀ·q
				gemm(dk[bh*tk*d:(bh*tk+nkMax)*d], dp, 1, nkMax, qi, d, 1, nkMax, rows, d, true, false)
			}
		}
		packPool.Put(pBuf)
		packPool.Put(dpBuf)
	})
}

// CombineAttention merges the attention of the same queries over another
// block of keys into a running result, exactly as if both key sets had been
// one softmax: with L = log(e^lse + e^lseBlk),
//
//	o ← o·e^(lse−L) + oBlk·e^(lseBlk−L),   lse ← L.
//
// Block results with lse = −Inf (no visible key) leave o unchanged, so a
// ring may start from o = 0, lse = −Inf. o, lse, oBlk, lseBlk are laid out
// as in [AttnShape] (only Batch, Heads, Tq and D are used). Merging blocks in
// a fixed order gives a fixed result; it equals the one-shot softmax up to
// float32 rounding.
func CombineAttention(o, lse, oBlk, lseBlk []float32, s AttnShape) {
	d := s.D
	n := s.problems() * s.Tq
	for r := 0; r < n; r++ {
		lb := lseBlk[r]
		if math.IsInf(float64(lb), -1) {
			continue
		}
		la := lse[r]
		oa, ob := o[r*d:(r+1)*d], oBlk[r*d:(r+1)*d]
		if math.IsInf(float64(la), -1) {
			copy(oa, ob)
			lse[r] = lb
			continue
		}
		mx := max(la, lb)
		l := float64(mx) + math.Log(math.Exp(float64(la-mx))+math.Exp(float64(lb-mx)))
		wa := float32(math.Exp(float64(la) - l))
		wb := float32(math.Exp(float64(lb) - l))
		for j := range oa {
			oa[j] = oa[j]*wa + ob[j]*wb
		}
		lse[r] = float32(l)
	}
}

// EmptyAttention sets o to 0 and lse to −Inf: the identity of
// [CombineAttention].
func EmptyAttention(o, lse []float32) {
	clear(o)
	inf := float32(math.Inf(-1))
	for i := range lse {
		lse[i] = inf
	}
}

// sum64 returns Σ x in float64, in four interleaved partial sums (element
// j into sum j mod 4, then the four added in order) so that the additions
// do not form one chain of dependent steps.
func sum64(x []float32) float64 {
	var s [4]float64
	n := len(x) &^ 3
	for j := 0; j < n; j += 4 {
		q := x[j : j+4 : j+4]
		s[0] += float64(q[0])
		s[1] += float64(q[1])
		s[2] += float64(q[2])
		s[3] += float64(q[3])
	}
	for j := n; j < len(x); j++ {
		s[j-n] += float64(x[j])
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// SplitQKV splits the fused projection qkv, [batch·seq, 3·heads·d] with
// columns [q | k | v] and head h at columns h·d…(h+1)·d of each third, into
// head-major q, k, v of [batch, heads, seq, d] each (overwritten). A
// tensor-parallel shard of the fused weight that keeps its heads' columns of
// each third has the same layout with its local head count.
func SplitQKV(q, k, v, qkv []float32, batch, seq, heads, d int) {
	hd := heads * d
	for b := 0; b < batch; b++ {
		for t := 0; t < seq; t++ {
			row := qkv[(b*seq+t)*3*hd : (b*seq+t+1)*3*hd]
			for h := 0; h < heads; h++ {
				dst := ((b*heads+h)*seq + t) * d
				copy(q[dst:dst+d], row[h*d:(h+1)*d])
				copy(k[dst:dst+d], row[hd+h*d:hd+(h+1)*d])
				copy(v[dst:dst+d], row[2*hd+h*d:2*hd+(h+1)*d])
			}
		}
	}
}

// JoinQKVGrad is the adjoint of [SplitQKV]: it adds dq, dk, dv (head-major)
// into the fused gradient dqkv ([batch·seq, 3·heads·d]).
func JoinQKVGrad(dqkv, dq, dk, dv []float32, batch, seq, heads, d int) {
	hd := heads * d
	for b := 0; b < batch; b++ {
		for t := 0; t < seq; t++ {
			row := dqkv[(b*seq+t)*3*hd : (b*seq+t+1)*3*hd]
			for h := 0; h < heads; h++ {
				src := ((b*heads+h)*seq + t) * d
				Add(row[h*d:(h+1)*d], dq[src:src+d])
				Add(row[hd+h*d:hd+(h+1)*d], dk[src:src+d])
				Add(row[2*hd+h*d:2*hd+(h+1)*d], dv[src:src+d])
			}
		}
	}
}

// MergeHeads writes head-major o ([batch, heads, seq, d]) as token rows
// y ([batch·seq, heads·d]), the input of the output projection.
func MergeHeads(y, o []float32, batch, seq, heads, d int) {
	hd := heads * d
	for b := 0; b < batch; b++ {
		for h := 0; h < heads; h++ {
			for t := 0; t < seq; t++ {
				src := ((b*heads+h)*seq + t) * d
				copy(y[(b*seq+t)*hd+h*d:(b*seq+t)*hd+(h+1)*d], o[src:src+d])
			}
		}
	}
}

// SplitHeads is the inverse of [MergeHeads]: it writes token rows y
// ([batch·seq, heads·d]) as head-major o. It carries the gradient of the
// output projection's input back to the attention output.
func SplitHeads(o, y []float32, batch, seq, heads, d int) {
	hd := heads * d
	for b := 0; b < batch; b++ {
		for h := 0; h < heads; h++ {
			for t := 0; t < seq; t++ {
				dst := ((b*heads+h)*seq + t) * d
				copy(o[dst:dst+d], y[(b*seq+t)*hd+h*d:(b*seq+t)*hd+(h+1)*d])
			}
		}
	}
}
