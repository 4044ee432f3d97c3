package kernels

import (
	"fmt"
	"math"
	"testing"
)

// cpAttention is x·Wqkv → RoPE → grouped-query attention → ·Wo over the
// tokens of a sequence held in chunks (context-parallel segments; a rank
// may hold several, as the load-balanced layout does). Each chunk's queries
// and keys are rotated with their positions in the whole sequence, the
// rotated keys and the values are gathered (the all-gather mode), and each
// chunk's queries attend to them at their own offset. It returns the
// output and, for dout, dx and dWqkv (the chunks' key/value gradients
// summed over the queries of every chunk: the reduce-scatter).
func cpAttention(x, wqkv, wo []float32, s llamaShape, chunks [][2]int, dout []float32) (out, dx, dwqkv []float32) {
	S, h, a, g, d := s.seq, s.h, s.a, s.g, s.d
	width := (a + 2*g) * d
	kAll, vAll := make([]float32, g*S*d), make([]float32, g*S*d)
	type chunk struct {
		lo, n                int
		rows, qkv, q, qr, kr []float32
		cos, sin             []float32
		o, lse               []float32
	}
	cs := make([]*chunk, len(chunks))
	for ci, c := range chunks {
		lo, n := c[0], c[1]-c[0]
		ch := &chunk{lo: lo, n: n, rows: x[lo*h : (lo+n)*h], qkv: make([]float32, n*width)}
		pos := make([]int32, n)
		for i := range pos {
			pos[i] = int32(lo + i)
		}
		ch.cos, ch.sin = RoPETable(pos, d, s.theta)
		LinearForward(ch.qkv, ch.rows, wqkv, nil, n, h, width)
		k, v := make([]float32, g*n*d), make([]float32, g*n*d)
		ch.q = make([]float32, a*n*d)
		SplitGroupedQKV(ch.q, k, v, ch.qkv, 1, n, a, g, d)
		ch.qr, ch.kr = make([]float32, len(ch.q)), make([]float32, len(k))
		RoPEForward(ch.qr, ch.q, ch.cos, ch.sin, RoPEShape{Batch: 1, Heads: a, T: n, D: d, Rotary: d})
		RoPEForward(ch.kr, k, ch.cos, ch.sin, RoPEShape{Batch: 1, Heads: g, T: n, D: d, Rotary: d})
		for hh := 0; hh < g; hh++ { // the all-gather into sequence order
			copy(kAll[(hh*S+lo)*d:(hh*S+lo+n)*d], ch.kr[hh*n*d:(hh+1)*n*d])
			copy(vAll[(hh*S+lo)*d:(hh*S+lo+n)*d], v[hh*n*d:(hh+1)*n*d])
		}
		cs[ci] = ch
	}
	out = make([]float32, S*h)
	shape := func(ch *chunk) GroupedAttnShape {
		return GroupedAttnShape{AttnShape: AttnShape{Batch: 1, Heads: a, Tq: ch.n, Tk: S, D: d, QOffset: ch.lo, Causal: true}, KVHeads: g}
	}
	ctxs := make([][]float32, len(cs))
	for ci, ch := range cs {
		ch.o, ch.lse = make([]float32, a*ch.n*d), make([]float32, a*ch.n)
		GroupedAttentionForward(ch.o, ch.lse, ch.qr, kAll, vAll, shape(ch))
		ctxs[ci] = make([]float32, ch.n*a*d)
		MergeHeads(ctxs[ci], ch.o, 1, ch.n, a, d)
		LinearForward(out[ch.lo*h:(ch.lo+ch.n)*h], ctxs[ci], wo, nil, ch.n, a*d, h)
	}
	dx, dwqkv = make([]float32, len(x)), make([]float32, len(wqkv))
	dkAll, dvAll := make([]float32, len(kAll)), make([]float32, len(vAll))
	dqs := make([][]float32, len(cs))
	for ci, ch := range cs {
		dctx := make([]float32, len(ctxs[ci]))
		LinearBackward(dctx, nil, nil, dout[ch.lo*h:(ch.lo+ch.n)*h], ctxs[ci], wo, ch.n, a*d, h)
		do := make([]float32, len(ch.o))
		SplitHeads(do, dctx, 1, ch.n, a, d)
		dqs[ci] = make([]float32, len(ch.q))
		GroupedAttentionBackward(dqs[ci], dkAll, dvAll, do, ch.qr, kAll, vAll, ch.o, ch.lse, shape(ch))
	}
	for ci, ch := range cs {
		n, lo := ch.n, ch.lo
		dkr, dv := make([]float32, g*n*d), make([]float32, g*n*d)
		for hh := 0; hh < g; hh++ { // the reduce-scatter back to the chunk
			copy(dkr[hh*n*d:(hh+1)*n*d], dkAll[(hh*S+lo)*d:(hh*S+lo+n)*d])
			copy(dv[hh*n*d:(hh+1)*n*d], dvAll[(hh*S+lo)*d:(hh*S+lo+n)*d])
		}
		dq, dk := make([]float32, len(ch.q)), make([]float32, len(dkr))
		RoPEBackward(dq, dqs[ci], ch.cos, ch.sin, RoPEShape{Batch: 1, Heads: a, T: n, D: d, Rotary: d})
		RoPEBackward(dk, dkr, ch.cos, ch.sin, RoPEShape{Batch: 1, Heads: g, T: n, D: d, Rotary: d})
		dqkv := make([]float32, len(ch.qkv))
		JoinGroupedQKVGrad(dqkv, dq, dk, dv, 1, n, a, g, d)
		LinearBackward(dx[lo*h:(lo+n)*h], dwqkv, nil, dqkv, ch.rows, wqkv, n, h, width)
	}
	return out, dx, dwqkv
}

// TestRoPEAttentionSplitsOverContextParallelSegments: attention with RoPE
// over segments rotated at their global positions equals the whole
// sequence's, for contiguous segments and for the load-balanced layout
// (rank 0 holding the first and last quarter).
func TestRoPEAttentionSplitsOverContextParallelSegments(t *testing.T) {
	s := llamaShape{seq: 12, h: 8, a: 4, g: 2, d: 4, theta: 10000}
	wqkv, wo := normal(501, s.h*(s.a+2*s.g)*s.d, 0.4), normal(502, s.a*s.d*s.h, 0.4)
	x, dout := normal(503, s.seq*s.h, 1), normal(504, s.seq*s.h, 1)
	y1, dx1, dw1 := cpAttention(x, wqkv, wo, s, [][2]int{{0, 12}}, dout)
	for _, layout := range [][][2]int{
		{{0, 6}, {6, 12}},                 // two contiguous segments
		{{0, 3}, {9, 12}, {3, 6}, {6, 9}}, // load-balanced: rank 0 holds chunks 0 and 3
		{{6, 12}, {0, 6}},                 // the order the chunks are processed in does not matter
	} {
		t.Run(fmt.Sprint(layout), func(t *testing.T) {
			y, dx, dw := cpAttention(x, wqkv, wo, s, layout, dout)
			for _, c := range []struct {
				name       string
				got, whole []float32
			}{{"output", y, y1}, {"dx", dx, dx1}, {"dwqkv", dw, dw1}} {
				for i := range c.whole {
					if d := math.Abs(float64(c.got[i] - c.whole[i])); d > 1e-5*(1+math.Abs(float64(c.whole[i]))) {
						t.Fatalf("%s[%d]: segments give %v, whole %v", c.name, i, c.got[i], c.whole[i])
					}
				}
			}
		})
	}
}
