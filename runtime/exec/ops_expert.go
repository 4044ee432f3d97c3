package exec

import "planc/runtime/kernels"

// An MoE layer's experts (routed and shared) are FFNs of the model's kind:
// fc1, gelu or act(gate)⊙up (mlp = swiglu | geglu: fc1 holds the gate's
// columns, then the up projection's), fc2; with biases unless no_bias.

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

// gopt is opt's gradient.
func (s *stage) gopt(name string) []float32 {
	if _, ok := s.off[name]; !ok {
		return nil
	}
	return s.gr(name)
}

// expertForward runs the FFN whose parameters are named pre+"fc1.…" and
// pre+"fc2.…" on n rows x, writing fc1's output into u, the activation's
// into g and the output into y.
func (r *rank) expertForward(st *stage, pre string, x, u, g, y []float32, n int) {
	h, fe, w1 := r.m.Hidden, r.m.MoE.ExpertFFN, r.expertWidth()
	r.kern().LinearForward(u, x, st.w(pre+"fc1.weight"), st.opt(pre+"fc1.bias"), n, h, w1)
	if r.m.MLP.Gated() {
		kernels.GLUForward(g, u, n, fe, r.gluAct())
	} else {
		r.kern().GeluForward(g, u)
	}
	r.kern().LinearForward(y, g, st.w(pre+"fc2.weight"), st.opt(pre+"fc2.bias"), n, fe, h)
}

// expertBackward is expertForward's backward given the output gradient dy:
// it adds the input gradient into dx and (now or at the schedule's W
// action) the weight gradients.
func (r *rank) expertBackward(st *stage, mb int, pre string, x, u, g, dy, dx []float32, n int) {
	h, fe, w1 := r.m.Hidden, r.m.MoE.ExpertFFN, r.expertWidth()
	dg := make([]float32, n*fe)
	r.kern().MatMulTransB(dg, dy, st.w(pre+"fc2.weight"), n, h, fe, true)
	r.wgrad(st, mb, func() {
		r.kern().LinearBackward(nil, st.gr(pre+"fc2.weight"), st.gopt(pre+"fc2.bias"), dy, g, nil, n, fe, h)
	})
	du := make([]float32, n*w1)
	if r.m.MLP.Gated() {
		kernels.GLUBackward(du, dg, u, n, fe, r.gluAct())
	} else {
		r.kern().GeluBackward(du, dg, u)
	}
	r.kern().MatMulTransB(dx, du, st.w(pre+"fc1.weight"), n, w1, h, true)
	r.wgrad(st, mb, func() {
		r.kern().LinearBackward(nil, st.gr(pre+"fc1.weight"), st.gopt(pre+"fc1.bias"), du, x, nil, n, h, w1)
	})
}
