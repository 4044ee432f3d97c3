package kernels

import (
	"fmt"
	"math"
)

// GroupedAttnShape generalizes [AttnShape] to grouped-query attention and to
// multi-head latent attention:
//   - KVHeads key/value heads serve the Heads query heads (GQA, MQA):
//     query head i reads key/value head i/(Heads/KVHeads); 0 means Heads.
//   - D is the width of query and key heads and DV that of value and output
//     heads (MLA: D = qk_nope_head_dim + qk_rope_head_dim, DV =
//     v_head_dim); DV 0 means D.
//
// Layouts are head-major: q [Batch, Heads, Tq, D], k [Batch, KVHeads, Tk,
// D], v [Batch, KVHeads, Tk, DV], o [Batch, Heads, Tq, DV] and lse
// [Batch, Heads, Tq]. Scores are scaled by 1/sqrt(D). Positions, the causal
// mask and the meaning of a key block are those of AttnShape, so ring
// blocks combine with [CombineAttention] (given AttnShape{Batch, Heads, Tq,
// D: DV}).
type GroupedAttnShape struct {
	AttnShape
	KVHeads, DV int
}

func (s GroupedAttnShape) kvHeads() int {
	if s.KVHeads == 0 {
		return s.Heads
	}
	return s.KVHeads
}

func (s GroupedAttnShape) dv() int {
	if s.DV == 0 {
		return s.D
	}
	return s.DV
}

// group returns how many query heads share one key/value head.
func (s GroupedAttnShape) group() int {
	g := s.kvHeads()
	if g <= 0 || s.Heads%g != 0 {
		panic(fmt.Sprintf("kernels: %d key/value heads do not divide %d query heads", g, s.Heads))
	}
	return s.Heads / g
}

// GroupedAttentionForward computes, for every batch and query head i,
// o_i = softmax(q_i·k_gᵀ/sqrt(D) + mask)·v_g with g = i/(Heads/KVHeads),
// and the natural log-sum-exp of each query's masked, scaled scores in lse,
// with the conventions of [AttentionForward] (a query that sees no key:
// o = 0, lse = −Inf). With KVHeads = Heads and DV = D it computes what
// AttentionForward computes.
func GroupedAttentionForward(o, lse, q, k, v []float32, s GroupedAttnShape) {
	scale := float32(1 / math.Sqrt(float64(s.D)))
	d, dv, tq, tk, grp := s.D, s.dv(), s.Tq, s.Tk, s.group()
	parallelFor(s.problems(), s.problems()*tq*tk*(d+dv), func(bh int) {
		kvh := bh / grp // batch·KVHeads + kv head: the heads of a batch are consecutive
		qb := q[bh*tq*d : (bh+1)*tq*d]
		kb := k[kvh*tk*d : (kvh+1)*tk*d]
		vb := v[kvh*tk*dv : (kvh+1)*tk*dv]
		ob := o[bh*tq*dv : (bh+1)*tq*dv]
		lb := lse[bh*tq : (bh+1)*tq]
		pBuf := getBuf(min(attnRowBlock, tq) * tk)
		defer packPool.Put(pBuf)
		for i0 := 0; i0 < tq; i0 += attnRowBlock {
			rows := min(attnRowBlock, tq-i0)
			nkMax := s.visibleKeys(i0 + rows - 1)
			if nkMax == 0 {
				clear(ob[i0*dv : (i0+rows)*dv])
				for i := i0; i < i0+rows; i++ {
					lb[i] = float32(math.Inf(-1))
				}
				continue
			}
			p := (*pBuf)[:rows*nkMax]
			gemm(p, qb[i0*d:], d, 1, kb, 1, d, rows, d, nkMax, false, false) // q·kᵀ
			for r := 0; r < rows; r++ {
				lb[i0+r] = softmaxVisible(p[r*nkMax:(r+1)*nkMax], s.visibleKeys(i0+r), scale)
			}
			gemm(ob[i0*dv:(i0+rows)*dv], p, nkMax, 1, vb, dv, 1, rows, nkMax, dv, false, false) // P·v
		}
	})
}

// softmaxVisible turns a row of raw scores into probabilities over its
// first nk entries (scaled by scale; the rest set to 0) and returns the
// log-sum-exp of the scaled scores (−Inf when nk is 0).
func softmaxVisible(row []float32, nk int, scale float32) float32 {
	if nk == 0 {
		clear(row)
		return float32(math.Inf(-1))
	}
	mx := float32(math.Inf(-1))
	for _, v := range row[:nk] {
		mx = max(mx, v)
	}
	mx *= scale // rounding is monotone: the largest scaled score
	expfScaled(row[:nk], row[:nk], scale, mx)
	var sum float64
	for _, e := range row[:nk] {
		sum += float64(e)
	}
	inv := float32(1 / sum)
	for j := range row[:nk] {
		row[j] *= inv
	}
	clear(row[nk:])
	return mx + float32(math.Log(sum))
}

// GroupedAttentionBackward adds the gradients of GroupedAttentionForward
// with respect to q, k and v, given do and the FINAL o and lse of each
// query, exactly as [AttentionBackward] (so one key block's call gives that
// block's share, as ring attention needs). A key/value head's gradient sums
// the contributions of its query heads in increasing head order. Any of
// dq, dk, dv may be nil.
func GroupedAttentionBackward(dq, dk, dv, do, q, k, v, o, lse []float32, s GroupedAttnShape) {
	scale := float32(1 / math.Sqrt(float64(s.D)))
	d, dvw, tq, tk, grp := s.D, s.dv(), s.Tq, s.Tk, s.group()
	kvProblems := s.Batch * s.kvHeads()
	// One task per key/value head: its query heads run in order, so the
	// sums into dk and dv have a fixed order and no two tasks share them.
	parallelFor(kvProblems, s.problems()*tq*tk*(2*d+2*dvw), func(kvh int) {
		kb := k[kvh*tk*d : (kvh+1)*tk*d]
		vb := v[kvh*tk*dvw : (kvh+1)*tk*dvw]
		var dkb, dvb []float32
		if dk != nil {
			dkb = dk[kvh*tk*d : (kvh+1)*tk*d]
		}
		if dv != nil {
			dvb = dv[kvh*tk*dvw : (kvh+1)*tk*dvw]
		}
		pBuf, dpBuf := getBuf(min(attnRowBlock, tq)*tk), getBuf(min(attnRowBlock, tq)*tk)
		defer packPool.Put(pBuf)
		defer packPool.Put(dpBuf)
		for bh := kvh * grp; bh < (kvh+1)*grp; bh++ {
			qb := q[bh*tq*d : (bh+1)*tq*d]
			ob := o[bh*tq*dvw : (bh+1)*tq*dvw]
			dob := do[bh*tq*dvw : (bh+1)*tq*dvw]
			lb := lse[bh*tq : (bh+1)*tq]
			var dqb []float32
			if dq != nil {
				dqb = dq[bh*tq*d : (bh+1)*tq*d]
			}
			for i0 := 0; i0 < tq; i0 += attnRowBlock {
				rows := min(attnRowBlock, tq-i0)
				nkMax := s.visibleKeys(i0 + rows - 1)
				if nkMax == 0 {
					continue
				}
				p, dp := (*pBuf)[:rows*nkMax], (*dpBuf)[:rows*nkMax]
				qi, doi := qb[i0*d:(i0+rows)*d], dob[i0*dvw:(i0+rows)*dvw]
				gemm(p, qi, d, 1, kb, 1, d, rows, d, nkMax, false, false) // q·kᵀ
				for r := 0; r < rows; r++ {
					row, nk := p[r*nkMax:(r+1)*nkMax], s.visibleKeys(i0+r)
					expfScaled(row[:nk], row[:nk], scale, lb[i0+r])
					clear(row[nk:])
				}
				if dvb != nil { // dv += Pᵀ·do
					gemm(dvb[:nkMax*dvw], p, 1, nkMax, doi, dvw, 1, nkMax, rows, dvw, true, false)
				}
				if dqb == nil && dkb == nil {
					continue
				}
				gemm(dp, doi, dvw, 1, vb, 1, dvw, rows, dvw, nkMax, false, false) // do·vᵀ
				for r := 0; r < rows; r++ {
					pr, dr := p[r*nkMax:(r+1)*nkMax], dp[r*nkMax:(r+1)*nkMax]
					delta := dot(doi[r*dvw:(r+1)*dvw], ob[(i0+r)*dvw:(i0+r+1)*dvw])
					for j, pv := range pr {
						dr[j] = pv * (dr[j] - delta) * scale
					}
				}
				if dqb != nil { // dq += dS·k
					gemm(dqb[i0*d:(i0+rows)*d], dp, nkMax, 1, kb, d, 1, rows, nkMax, d, true, false)
				}
				if dkb != nil { // dk += dSᵀ·q
					gemm(dkb[:nkMax*d], dp, 1, nkMax, qi, d, 1, nkMax, rows, d, true, false)
				}
			}
		}
	})
}

// SplitGroupedQKV splits the fused projection of grouped-query attention,
// qkv [batch·seq, (heads + 2·kvHeads)·d] with columns q | k | v (heads
// query heads, then kvHeads key heads, then kvHeads value heads, d
// consecutive columns each; docs/semantics.md), into head-major q
// [batch, heads, seq, d], k and v [batch, kvHeads, seq, d] (overwritten).
// With kvHeads = heads it is [SplitQKV]. A tensor-parallel rank's shard has
// the same layout with its local head counts.
func SplitGroupedQKV(q, k, v, qkv []float32, batch, seq, heads, kvHeads, d int) {
	groupedQKV(qkv, q, k, v, batch, seq, heads, kvHeads, d, false)
}

// JoinGroupedQKVGrad is the adjoint of [SplitGroupedQKV]: it adds dq, dk
// and dv (head-major) into dqkv.
func JoinGroupedQKVGrad(dqkv, dq, dk, dv []float32, batch, seq, heads, kvHeads, d int) {
	groupedQKV(dqkv, dq, dk, dv, batch, seq, heads, kvHeads, d, true)
}

func groupedQKV(fused, q, k, v []float32, batch, seq, heads, kvHeads, d int, join bool) {
	width := (heads + 2*kvHeads) * d
	move := func(fusedCols, headMajor []float32) {
		if join {
			Add(fusedCols, headMajor)
		} else {
			copy(headMajor, fusedCols)
		}
	}
	for b := 0; b < batch; b++ {
		for t := 0; t < seq; t++ {
			row := fused[(b*seq+t)*width : (b*seq+t+1)*width]
			for h := 0; h < heads; h++ {
				dst := ((b*heads+h)*seq + t) * d
				move(row[h*d:(h+1)*d], q[dst:dst+d])
			}
			for h := 0; h < kvHeads; h++ {
				dst := ((b*kvHeads+h)*seq + t) * d
				move(row[(heads+h)*d:(heads+h+1)*d], k[dst:dst+d])
				move(row[(heads+kvHeads+h)*d:(heads+kvHeads+h+1)*d], v[dst:dst+d])
			}
		}
	}
}

// MLAShape gives the widths of multi-head latent attention
// (docs/semantics.md): Heads heads of Nope no-position and Rope rotary
// query/key columns and V value columns.
type MLAShape struct {
	Batch, Seq, Heads int
	Nope, Rope, V     int
}

// MLAQueries writes the query projection's output, qp [batch·seq,
// heads·(nope+rope)] (each head its nope then its rope columns), as
// head-major q [batch, heads, seq, nope+rope]: the layout
// [GroupedAttentionForward] reads, whose rotary part [RoPEForward] then
// rotates in place (RoPEShape{…, D: nope+rope, Rotary: rope}).
func MLAQueries(q, qp []float32, s MLAShape) {
	SplitHeads(q, qp, s.Batch, s.Seq, s.Heads, s.Nope+s.Rope)
}

// MLAQueriesGrad is the adjoint of [MLAQueries]: dqp += the token rows of
// dq.
func MLAQueriesGrad(dqp, dq []float32, s MLAShape) {
	w := s.Nope + s.Rope
	tmp := make([]float32, s.Batch*s.Seq*s.Heads*w)
	MergeHeads(tmp, dq, s.Batch, s.Seq, s.Heads, w)
	Add(dqp, tmp)
}

// MLAKeysValues assembles MLA's keys and values. kv is the key/value up
// projection's output [batch·seq, heads·(nope+v)] (each head its nope key
// columns then its v value columns); kr is the ALREADY ROTATED shared
// rotary key, [batch·seq, rope] (the last rope columns of the down
// projection, after RoPE). It writes head-major k [batch, heads, seq,
// nope+rope], head j's key being [k_nope,j | kr], and v [batch, heads, seq,
// v] (overwritten).
func MLAKeysValues(k, v, kv, kr []float32, s MLAShape) {
	dk, w := s.Nope+s.Rope, s.Nope+s.V
	for b := 0; b < s.Batch; b++ {
		for t := 0; t < s.Seq; t++ {
			tok := b*s.Seq + t
			row, rot := kv[tok*s.Heads*w:(tok+1)*s.Heads*w], kr[tok*s.Rope:(tok+1)*s.Rope]
			for h := 0; h < s.Heads; h++ {
				hk := ((b*s.Heads+h)*s.Seq + t) * dk
				copy(k[hk:hk+s.Nope], row[h*w:h*w+s.Nope])
				copy(k[hk+s.Nope:hk+dk], rot)
				hv := ((b*s.Heads+h)*s.Seq + t) * s.V
				copy(v[hv:hv+s.V], row[h*w+s.Nope:(h+1)*w])
			}
		}
	}
}

// MLAKeysValuesGrad is the adjoint of [MLAKeysValues]: it adds dk's no-rope
// parts and dv into dkv, and dk's rotary parts, summed over the heads in
// increasing order, into dkr (the gradient of the rotated shared key; run
// [RoPEBackward] on it next). dkr may be nil.
func MLAKeysValuesGrad(dkv, dkr, dk, dv []float32, s MLAShape) {
	dkw, w := s.Nope+s.Rope, s.Nope+s.V
	for b := 0; b < s.Batch; b++ {
		for t := 0; t < s.Seq; t++ {
			tok := b*s.Seq + t
			row := dkv[tok*s.Heads*w : (tok+1)*s.Heads*w]
			for h := 0; h < s.Heads; h++ {
				hk := ((b*s.Heads+h)*s.Seq + t) * dkw
				Add(row[h*w:h*w+s.Nope], dk[hk:hk+s.Nope])
				if dkr != nil {
					Add(dkr[tok*s.Rope:(tok+1)*s.Rope], dk[hk+s.Nope:hk+dkw])
				}
				hv := ((b*s.Heads+h)*s.Seq + t) * s.V
				Add(row[h*w+s.Nope:(h+1)*w], dv[hv:hv+s.V])
			}
		}
	}
}

// SplitColumns splits each row of x (rows×(wa+wb)) into its first wa
// columns, written to a (rows×wa), and its last wb, written to b (rows×wb):
// MLA's key/value down projection into the latent c_kv and the shared
// rotary key.
func SplitColumns(a, b, x []float32, rows, wa, wb int) {
	w := wa + wb
	for r := 0; r < rows; r++ {
		copy(a[r*wa:(r+1)*wa], x[r*w:r*w+wa])
		copy(b[r*wb:(r+1)*wb], x[r*w+wa:(r+1)*w])
	}
}

// JoinColumnsGrad is the adjoint of [SplitColumns]: it adds da and db into
// the columns of dx they came from. Either may be nil.
func JoinColumnsGrad(dx, da, db []float32, rows, wa, wb int) {
	w := wa + wb
	for r := 0; r < rows; r++ {
		if da != nil {
			Add(dx[r*w:r*w+wa], da[r*wa:(r+1)*wa])
		}
		if db != nil {
			Add(dx[r*w+wa:(r+1)*w], db[r*wb:(r+1)*wb])
		}
	}
}
