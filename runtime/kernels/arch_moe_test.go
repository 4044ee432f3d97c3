package kernels

import "testing"

// TestDeepSeekMoEBlockGradients composes a DeepSeek-V3 MoE block from the
// kernels — sigmoid routing with normalize_topk, group-limited choice and a
// balancing bias (RouteScored), padding-free dispatch, SwiGLU experts, the
// combine, plus a shared SwiGLU expert — and checks its gradients with
// respect to the input, the router and the experts by finite differences:
// RouteScored's routing plugs into the dispatch kernels unchanged.
func TestDeepSeekMoEBlockGradients(t *testing.T) {
	const T, h, E, fe = 10, 6, 8, 4
	spec := RouterSpec{Experts: E, TopK: 3, Score: ScoreSigmoid, Normalize: true, Groups: 4, TopKGroups: 2}
	x, wr := normal(401, T*h, 1), normal(402, h*E, 0.8)
	we1, we2 := normal(403, E*h*2*fe, 0.5), normal(404, E*fe*h, 0.5)
	ws1, ws2 := normal(405, h*2*fe, 0.5), normal(406, fe*h, 0.5)
	bias := normal(407, E, 0.2)
	type result struct {
		y                         []float32
		dx, dwr, dwe1, dwe2, dws1 []float32
	}
	run := func(dy []float32) result {
		logits := make([]float32, T*E)
		LinearForward(logits, x, wr, nil, T, h, E)
		r := RouteScored(logits, T, spec, bias)
		d := PaddingFree(r)
		buf, obuf := make([]float32, d.Rows*h), make([]float32, d.Rows*h)
		d.Permute(buf, x, h)
		type expert struct{ u, a []float32 }
		ex := make([]expert, E)
		for e := range E {
			lo, hi := d.ExpertRows(e)
			n := hi - lo
			ex[e] = expert{make([]float32, n*2*fe), make([]float32, n*fe)}
			LinearForward(ex[e].u, buf[lo*h:hi*h], we1[e*h*2*fe:(e+1)*h*2*fe], nil, n, h, 2*fe)
			GLUForward(ex[e].a, ex[e].u, n, fe, SwiGLU)
			LinearForward(obuf[lo*h:hi*h], ex[e].a, we2[e*fe*h:(e+1)*fe*h], nil, n, fe, h)
		}
		y := make([]float32, T*h)
		d.Combine(y, obuf, h)
		su, sa, so := make([]float32, T*2*fe), make([]float32, T*fe), make([]float32, T*h)
		LinearForward(su, x, ws1, nil, T, h, 2*fe)
		GLUForward(sa, su, T, fe, SwiGLU)
		LinearForward(so, sa, ws2, nil, T, fe, h)
		Add(y, so)
		res := result{y: y}
		if dy == nil {
			return res
		}
		res.dx, res.dwr = make([]float32, len(x)), make([]float32, len(wr))
		res.dwe1, res.dwe2, res.dws1 = make([]float32, len(we1)), make([]float32, len(we2)), make([]float32, len(ws1))
		dobuf, dweight := make([]float32, len(obuf)), make([]float32, T*spec.TopK)
		d.CombineBackward(dobuf, dweight, dy, obuf, h)
		dbuf := make([]float32, len(buf))
		for e := range E {
			lo, hi := d.ExpertRows(e)
			n := hi - lo
			da, du := make([]float32, n*fe), make([]float32, n*2*fe)
			LinearBackward(da, res.dwe2[e*fe*h:(e+1)*fe*h], nil, dobuf[lo*h:hi*h], ex[e].a, we2[e*fe*h:(e+1)*fe*h], n, fe, h)
			GLUBackward(du, da, ex[e].u, n, fe, SwiGLU)
			LinearBackward(dbuf[lo*h:hi*h], res.dwe1[e*h*2*fe:(e+1)*h*2*fe], nil, du, buf[lo*h:hi*h], we1[e*h*2*fe:(e+1)*h*2*fe], n, h, 2*fe)
		}
		d.PermuteBackward(res.dx, dbuf, h)
		dlogits := make([]float32, len(logits))
		RouteScoredBackward(dlogits, dweight, r, spec.Score, nil, 0)
		LinearBackward(res.dx, res.dwr, nil, dlogits, x, wr, T, h, E)
		dsa, dsu := make([]float32, len(sa)), make([]float32, len(su))
		LinearBackward(dsa, nil, nil, dy, sa, ws2, T, fe, h)
		GLUBackward(dsu, dsa, su, T, fe, SwiGLU)
		LinearBackward(res.dx, res.dws1, nil, dsu, x, ws1, T, h, 2*fe)
		return res
	}
	checkGradients(t, gradCase{
		name:    "deepseek_moe_block",
		inputs:  map[string][]float32{"x": x, "router": wr, "experts_fc1": we1, "experts_fc2": we2, "shared_fc1": ws1},
		forward: func() []float32 { return run(nil).y },
		backward: func(dy []float32) map[string][]float32 {
			g := run(dy)
			return map[string][]float32{"x": g.dx, "router": g.dwr, "experts_fc1": g.dwe1, "experts_fc2": g.dwe2, "shared_fc1": g.dws1}
		},
	})
}
