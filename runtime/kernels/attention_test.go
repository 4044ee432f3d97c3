package kernels

import (
	"fmt"
	"math"
	"testing"
)

func TestGradientsAttention(t *testing.T) {
	shapes := []AttnShape{
		{Batch: 2, Heads: 2, Tq: 5, Tk: 5, D: 4, Causal: true},
		{Batch: 1, Heads: 2, Tq: 3, Tk: 7, D: 4, QOffset: 4, Causal: true},
		{Batch: 1, Heads: 1, Tq: 4, Tk: 4, D: 3, QOffset: 2, KOffset: 3, Causal: true},
		{Batch: 1, Heads: 1, Tq: 4, Tk: 6, D: 4},
	}
	for i, s := range shapes {
		q := normal(uint64(3*i+1), s.Batch*s.Heads*s.Tq*s.D, 1)
		k := normal(uint64(3*i+2), s.Batch*s.Heads*s.Tk*s.D, 1)
		v := normal(uint64(3*i+3), s.Batch*s.Heads*s.Tk*s.D, 1)
		o := make([]float32, len(q))
		lse := make([]float32, s.Batch*s.Heads*s.Tq)
		fwd := func() []float32 {
			AttentionForward(o, lse, q, k, v, s)
			return append([]float32(nil), o...)
		}
		checkGradients(t, gradCase{
			name:    fmt.Sprintf("attention_%d", i),
			inputs:  map[string][]float32{"q": q, "k": k, "v": v},
			forward: fwd,
			backward: func(do []float32) map[string][]float32 {
				fwd()
				dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
				AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, s)
				return map[string][]float32{"q": dq, "k": dk, "v": dv}
			},
		})
	}
}

// TestAttentionBlocksCombineToWhole splits the keys of a causal attention
// into blocks (as a ring of 4 context-parallel ranks sees them) and checks
// that the block-wise forward, combined by log-sum-exp, and the block-wise
// backward reproduce the whole attention.
func TestAttentionBlocksCombineToWhole(t *testing.T) {
	const batch, heads, seq, d, parts = 2, 3, 16, 8, 4
	seg := seq / parts
	whole := AttnShape{Batch: batch, Heads: heads, Tq: seq, Tk: seq, D: d, Causal: true}
	q := normal(1, batch*heads*seq*d, 1)
	k := normal(2, batch*heads*seq*d, 1)
	v := normal(3, batch*heads*seq*d, 1)
	do := normal(4, batch*heads*seq*d, 1)
	o := make([]float32, len(q))
	lse := make([]float32, batch*heads*seq)
	AttentionForward(o, lse, q, k, v, whole)
	dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
	AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, whole)

	// rows copies segment r of a head-major [batch, heads, seq, w] tensor.
	rows := func(x []float32, r, w int) []float32 {
		out := make([]float32, 0, batch*heads*seg*w)
		for bh := 0; bh < batch*heads; bh++ {
			out = append(out, x[(bh*seq+r*seg)*w:(bh*seq+(r+1)*seg)*w]...)
		}
		return out
	}
	near := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("%s[%d] = %v, whole attention gives %v", what, i, got[i], want[i])
			}
		}
	}
	dkSum := make([][]float32, parts)
	dvSum := make([][]float32, parts)
	for r := range parts {
		dkSum[r] = make([]float32, batch*heads*seg*d)
		dvSum[r] = make([]float32, batch*heads*seg*d)
	}
	for r := 0; r < parts; r++ { // rank r holds query segment r
		qr := rows(q, r, d)
		acc, accL := make([]float32, len(qr)), make([]float32, batch*heads*seg)
		EmptyAttention(acc, accL)
		blk, blkL := make([]float32, len(qr)), make([]float32, batch*heads*seg)
		for src := 0; src < parts; src++ { // key block of rank src
			s := AttnShape{Batch: batch, Heads: heads, Tq: seg, Tk: seg, D: d, QOffset: r * seg, KOffset: src * seg, Causal: true}
			AttentionForward(blk, blkL, qr, rows(k, src, d), rows(v, src, d), s)
			CombineAttention(acc, accL, blk, blkL, s)
		}
		near(fmt.Sprintf("o segment %d", r), acc, rows(o, r, d))
		near(fmt.Sprintf("lse segment %d", r), accL, rows(lse, r, 1))

		dqr := make([]float32, len(qr))
		for src := 0; src < parts; src++ {
			s := AttnShape{Batch: batch, Heads: heads, Tq: seg, Tk: seg, D: d, QOffset: r * seg, KOffset: src * seg, Causal: true}
			AttentionBackward(dqr, dkSum[src], dvSum[src], rows(do, r, d), qr, rows(k, src, d), rows(v, src, d), acc, accL, s)
		}
		near(fmt.Sprintf("dq segment %d", r), dqr, rows(dq, r, d))
	}
	for src := 0; src < parts; src++ {
		near(fmt.Sprintf("dk block %d", src), dkSum[src], rows(dk, src, d))
		near(fmt.Sprintf("dv block %d", src), dvSum[src], rows(dv, src, d))
	}
}

func TestSplitQKVRoundTrip(t *testing.T) {
	const batch, seq, heads, d = 2, 3, 2, 4
	qkv := normal(1, batch*seq*3*heads*d, 1)
	n := batch * heads * seq * d
	q, k, v := make([]float32, n), make([]float32, n), make([]float32, n)
	SplitQKV(q, k, v, qkv, batch, seq, heads, d)
	back := make([]float32, len(qkv))
	JoinQKVGrad(back, q, k, v, batch, seq, heads, d)
	for i := range qkv {
		if back[i] != qkv[i] {
			t.Fatalf("qkv[%d] %v came back as %v", i, qkv[i], back[i])
		}
	}
	// Head 1's q of token (b=1, t=2) is columns d…2d of row 1·seq+2.
	if got, want := q[((1*heads+1)*seq+2)*d], qkv[(1*seq+2)*3*heads*d+d]; got != want {
		t.Errorf("q head 1 = %v, want %v", got, want)
	}
	y := make([]float32, batch*seq*heads*d)
	MergeHeads(y, q, batch, seq, heads, d)
	q2 := make([]float32, n)
	SplitHeads(q2, y, batch, seq, heads, d)
	for i := range q {
		if q[i] != q2[i] {
			t.Fatalf("merge/split heads element %d", i)
		}
	}
}

// naiveAttention is the float64 reference of one (batch, head) problem set:
// it returns o and the gradients for upstream gradient do.
func naiveAttention(q, k, v, do []float32, s AttnShape) (o, dq, dk, dv []float64) {
	d := s.D
	scale := 1 / math.Sqrt(float64(d))
	o = make([]float64, len(q))
	dq, dk, dv = make([]float64, len(q)), make([]float64, len(k)), make([]float64, len(v))
	for bh := 0; bh < s.Batch*s.Heads; bh++ {
		for i := 0; i < s.Tq; i++ {
			nk := s.visibleKeys(i)
			if nk == 0 {
				continue
			}
			qi := q[(bh*s.Tq+i)*d:]
			p := make([]float64, nk)
			mx := math.Inf(-1)
			for j := 0; j < nk; j++ {
				var sc float64
				for c := 0; c < d; c++ {
					sc += float64(qi[c]) * float64(k[(bh*s.Tk+j)*d+c])
				}
				p[j] = sc * scale
				mx = max(mx, p[j])
			}
			var sum float64
			for j := range p {
				p[j] = math.Exp(p[j] - mx)
				sum += p[j]
			}
			for j := range p {
				p[j] /= sum
				for c := 0; c < d; c++ {
					o[(bh*s.Tq+i)*d+c] += p[j] * float64(v[(bh*s.Tk+j)*d+c])
				}
			}
			doi := do[(bh*s.Tq+i)*d:]
			var delta float64
			for c := 0; c < d; c++ {
				delta += float64(doi[c]) * o[(bh*s.Tq+i)*d+c]
			}
			for j := range p {
				var dpj float64
				for c := 0; c < d; c++ {
					dpj += float64(doi[c]) * float64(v[(bh*s.Tk+j)*d+c])
					dv[(bh*s.Tk+j)*d+c] += p[j] * float64(doi[c])
				}
				ds := p[j] * (dpj - delta) * scale
				for c := 0; c < d; c++ {
					dq[(bh*s.Tq+i)*d+c] += ds * float64(k[(bh*s.Tk+j)*d+c])
					dk[(bh*s.Tk+j)*d+c] += ds * float64(qi[c])
				}
			}
		}
	}
	return o, dq, dk, dv
}

// TestAttentionAgainstFloat64 covers sequences longer than one block of
// queries, offsets, and the non-causal form.
func TestAttentionAgainstFloat64(t *testing.T) {
	for i, s := range []AttnShape{
		{Batch: 1, Heads: 2, Tq: 150, Tk: 150, D: 8, Causal: true},
		{Batch: 2, Heads: 1, Tq: 70, Tk: 200, D: 5, QOffset: 130, Causal: true},
		{Batch: 1, Heads: 1, Tq: 100, Tk: 90, D: 4, QOffset: 20, KOffset: 60, Causal: true},
		{Batch: 1, Heads: 1, Tq: 80, Tk: 65, D: 6},
	} {
		nq, nk := s.Batch*s.Heads*s.Tq*s.D, s.Batch*s.Heads*s.Tk*s.D
		q, k, v, do := normal(uint64(i+1), nq, 1), normal(uint64(i+11), nk, 1), normal(uint64(i+21), nk, 1), normal(uint64(i+31), nq, 1)
		o, lse := make([]float32, nq), make([]float32, s.Batch*s.Heads*s.Tq)
		AttentionForward(o, lse, q, k, v, s)
		dq, dk, dv := make([]float32, nq), make([]float32, nk), make([]float32, nk)
		AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, s)
		wo, wdq, wdk, wdv := naiveAttention(q, k, v, do, s)
		for _, c := range []struct {
			name string
			got  []float32
			want []float64
		}{{"o", o, wo}, {"dq", dq, wdq}, {"dk", dk, wdk}, {"dv", dv, wdv}} {
			for j := range c.want {
				if math.Abs(float64(c.got[j])-c.want[j]) > 2e-5*(1+math.Abs(c.want[j])) {
					t.Fatalf("shape %d: %s[%d] = %v, float64 reference %v", i, c.name, j, c.got[j], c.want[j])
				}
			}
		}
	}
}
