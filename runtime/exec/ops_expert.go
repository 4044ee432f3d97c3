package exec

import (
	"fmt"
	"math/bits"

	"planc/runtime/kernels"
)

// An MoE layer's experts (routed and shared) are FFNs of the model's kind:
// fc1, gelu or act(gate)⊙up (mlp = swiglu | geglu: fc1 holds the gate's
// columns, then the up projection's), fc2; with biases unless no_bias.
//
// The block's parameters are resolved once per stage (moeParams), not by
// name per call, and its activations live in buffers of the frame's pool
// (call.takeClass): one buffer per kind of activation for all experts,
// cut into the experts' row blocks, so a block call allocates nothing
// per expert.

// expertWidth is the width of an expert's fc1 output: ExpertFFN, or twice
// it for a gated FFN.
func (r *rank) expertWidth() int {
	if r.m.MLP.Gated() {
		return 2 * r.m.MoE.ExpertFFN
	}
	return r.m.MoE.ExpertFFN
}

// opt returns parameter name, or nil when the stage has none of that name
// (the biases of a model without biases).
func (s *stage) opt(name string) []float32 {
	if _, ok := s.off[name]; !ok {
		return nil
	}
	return s.w(name)
}

// gopt is opt's gradient (nil also on a stage that keeps no gradients:
// evaluation's).
func (s *stage) gopt(name string) []float32 {
	if _, ok := s.off[name]; !ok || len(s.g) == 0 {
		return nil
	}
	return s.gr(name)
}

// ffnParams are one expert's parameters on a stage and their gradients:
// fc1 and fc2, weights and biases (nil without biases; the gradients nil
// on a stage that keeps none).
type ffnParams struct {
	w1, b1, w2, b2     []float32
	gw1, gb1, gw2, gb2 []float32
}

// ffnParamsOf resolves the expert whose parameters are named pre+"fc1.…"
// and pre+"fc2.…", or returns nil when the stage does not hold it (a
// routed expert of another ep rank).
func (s *stage) ffnParamsOf(pre string) *ffnParams {
	if _, ok := s.off[pre+"fc1.weight"]; !ok {
		return nil
	}
	return &ffnParams{
		w1: s.w(pre + "fc1.weight"), b1: s.opt(pre + "fc1.bias"), w2: s.w(pre + "fc2.weight"), b2: s.opt(pre + "fc2.bias"),
		gw1: s.gopt(pre + "fc1.weight"), gb1: s.gopt(pre + "fc1.bias"), gw2: s.gopt(pre + "fc2.weight"), gb2: s.gopt(pre + "fc2.bias"),
	}
}

// moeParams are one MoE block's parameters on a stage: the router's
// weight (and gradient), the routed experts by global index (nil where
// another ep rank holds the expert) and the shared experts.
type moeParams struct {
	pre              string // the block's parameter-table prefix, "h.L.moe."
	router, grouter  []float32
	experts, shareds []*ffnParams
}

// moeParamsOf returns the parameters of the MoE block of layer l on stage
// st, resolved at the block's first call and kept with the stage.
func (r *rank) moeParamsOf(st *stage, l int) *moeParams {
	if p := st.moe[l]; p != nil {
		return p
	}
	e := r.m.MoE
	pre := fmt.Sprintf("h.%d.moe.", l)
	p := &moeParams{pre: pre, router: st.w(pre + "router.weight"), grouter: st.gopt(pre + "router.weight"),
		experts: make([]*ffnParams, e.Experts), shareds: make([]*ffnParams, e.Shared)}
	for i := range p.experts {
		p.experts[i] = st.ffnParamsOf(fmt.Sprintf("%sexperts.%d.", pre, i))
	}
	for s := range p.shareds {
		p.shareds[s] = st.ffnParamsOf(fmt.Sprintf("%sshared.%d.", pre, s))
	}
	if st.moe == nil {
		st.moe = map[int]*moeParams{}
	}
	st.moe[l] = p
	return p
}

// expertForward runs expert f on n rows x, writing fc1's output into u,
// the activation's into g and the output into y.
func (r *rank) expertForward(f *ffnParams, x, u, g, y []float32, n int) {
	h, fe, w1 := r.m.Hidden, r.m.MoE.ExpertFFN, r.expertWidth()
	r.kern().LinearForward(u, x, f.w1, f.b1, n, h, w1)
	if r.m.MLP.Gated() {
		kernels.GLUForward(g, u, n, fe, r.gluAct())
	} else {
		r.kern().GeluForward(g, u)
	}
	r.kern().LinearForward(y, g, f.w2, f.b2, n, fe, h)
}

// expertBackward is expertForward's backward given the output gradient
// dy: it writes the input gradient into dx (adds it when acc is set) and
// adds the weight gradients (now or at the schedule's W action). dg (n·fe,
// zeroed when acc is set) and du (n·width, zeroed) are scratch of the
// frame's: the deferred weight gradients read du.
func (r *rank) expertBackward(c *call, f *ffnParams, x, u, g, dy, dx, dg, du []float32, n int, acc bool) {
	h, fe, w1 := r.m.Hidden, r.m.MoE.ExpertFFN, r.expertWidth()
	r.kern().MatMulTransB(dg, dy, f.w2, n, h, fe, acc)
	c.wgrad(func() {
		r.kern().LinearBackward(nil, f.gw2, f.gb2, dy, g, nil, n, fe, h)
	})
	if r.m.MLP.Gated() {
		kernels.GLUBackward(du, dg, u, n, fe, r.gluAct())
	} else {
		r.kern().GeluBackward(du, dg, u)
	}
	r.kern().MatMulTransB(dx, du, f.w1, n, w1, h, acc)
	c.wgrad(func() {
		r.kern().LinearBackward(nil, f.gw1, f.gb1, du, x, nil, n, h, w1)
	})
}

// takeClass returns a buffer of n elements (zeroed when zero is set) from
// the stage's pool by size class, owned by the frame: for the MoE block's
// buffers, whose sizes move with the routing from one micro-batch to the
// next (an exact-size pool would rarely hit). A class is n rounded up to
// an eighth of its power of two, so at most an eighth is unused; a free
// buffer of a larger class, up to twice n's, serves when n's has none
// (else every class the routing ever reached would keep its own buffers:
// tiny_moe dp4 ep4's pool grew from 13 to 20 MiB a rank between steps 10
// and 40, in 17 then 29 classes, against its 7.4 MiB peak).
func (c *call) takeClass(n int, zero bool) []float32 {
	if n == 0 {
		return nil
	}
	k := sizeClass(n)
	for m := k; m <= 2*k; m = sizeClass(m + 1) {
		if len(c.st.pool[m]) > 0 {
			k = m
			break
		}
	}
	b, recycled := c.take(k)
	b = b[:n]
	if zero && recycled {
		clear(b)
	}
	return b
}

// sizeClass rounds n up to a multiple of an eighth of its power of two
// (n ≥ 1; at least 256).
func sizeClass(n int) int {
	if n <= 256 {
		return 256
	}
	step := 1 << (bits.Len(uint(n-1)) - 3)
	return (n + step - 1) / step * step
}

// cutRows cuts buf into consecutive blocks of rows[k]·w elements.
func cutRows(buf []float32, rows []int, w int) [][]float32 {
	out := make([][]float32, len(rows))
	off := 0
	for k, n := range rows {
		out[k] = buf[off : off+n*w : off+n*w]
		off += n * w
	}
	return out
}
