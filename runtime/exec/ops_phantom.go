package exec

import (
	"planc/runtime/collective"
	"planc/runtime/kernels"
)

// Phantom layers (of a phantom mlp, or a transformer's phantom FFN: fc1
// hidden → ffn, fc2 ffn → hidden). With tp = parts, tp rank i runs part
// i on its columns of the layer's input and all-gathers the ghosts of
// every part forward (reduce-scatters their gradients backward); with
// tp = 1 one rank runs all parts. The program's conversions give a layer
// its columns and gather its output's (ops_mlp.go).
//
// The program's phantom layer has no activation of its own (the
// activation is the next op): its output is the pre-activation, which
// its backward does not read. A layer's parameters are resolved once per
// stage (phantomParams) and its buffers come from the frame's pool.

// phantomLayerParams are a phantom layer's parameters on a stage (this rank's
// parts, part-major) and their gradients (nil on a stage that keeps none).
type phantomLayerParams struct {
	w, c, d, b     []float32 // d nil with one part
	gw, gc, gd, gb []float32
}

// phantomParamsOf returns the parameters of the phantom layer named name
// ("layers.L" or "h.L.mlp.fc1"), resolved at its first call and kept
// with the stage.
func (st *stage) phantomParamsOf(name string) *phantomLayerParams {
	if p := st.phantom[name]; p != nil {
		return p
	}
	p := &phantomLayerParams{w: st.w(name + ".weight"), c: st.w(name + ".compress"), b: st.w(name + ".bias"), d: st.opt(name + ".decompress"),
		gw: st.gopt(name + ".weight"), gc: st.gopt(name + ".compress"), gb: st.gopt(name + ".bias"), gd: st.gopt(name + ".decompress")}
	if st.phantom == nil {
		st.phantom = map[string]*phantomLayerParams{}
	}
	st.phantom[name] = p
	return p
}

// phantomLayerForward runs a phantom layer over this rank's parts; x and
// the results are part-major blocks of rows × In/p (Out/p). It returns the
// layer's output (its pre-activation) and the gathered ghosts of every
// part.
func (r *rank) phantomLayerForward(c *call, p *phantomLayerParams, s kernels.PhantomShape, x []float32, rows int) (y, ghosts []float32, err error) {
	parts := r.parts()
	inP, outP, k := s.InPart(), s.OutPart(), s.K
	// Every part's ghosts, part-major: this rank's parts' computed in
	// their places; holding one part, it gathers the others' around it.
	ghosts = c.allocOut(s.Parts * rows * k)
	for lp, i := range parts {
		kernels.PhantomGhosts(ghosts[i*rows*k:(i+1)*rows*k], x[lp*rows*inP:(lp+1)*rows*inP], p.c[lp*inP*k:(lp+1)*inP*k], rows, s)
	}
	if len(parts) < s.Parts {
		mine := ghosts[parts[0]*rows*k : (parts[0]+1)*rows*k]
		if err := r.comm.AllGatherInto(r.tpG, mine, ghosts); err != nil {
			return nil, nil, err
		}
	}
	y = c.allocOut(len(parts) * rows * outP)
	for lp, i := range parts {
		var d []float32
		if s.Parts > 1 {
			d = p.d[lp*s.DRows()*outP : (lp+1)*s.DRows()*outP]
		}
		kernels.PhantomPreactivation(y[lp*rows*outP:(lp+1)*rows*outP], x[lp*rows*inP:(lp+1)*rows*inP], ghosts,
			p.w[lp*inP*outP:(lp+1)*inP*outP], d, p.b[lp*outP:(lp+1)*outP], rows, i, s)
	}
	return y, ghosts, nil
}

// phantomLayerBackward returns the input gradient (part-major) and adds the
// weight gradients, given the output gradient dy (part-major).
func (r *rank) phantomLayerBackward(c *call, p *phantomLayerParams, s kernels.PhantomShape, x, ghosts, dy []float32, rows int) ([]float32, error) {
	parts := r.parts()
	inP, outP, k := s.InPart(), s.OutPart(), s.K
	dx := c.alloc(len(parts) * rows * inP)
	dghosts := c.alloc(s.Parts * rows * k)
	for lp, i := range parts {
		var d, dd []float32
		if s.Parts > 1 {
			d = p.d[lp*s.DRows()*outP : (lp+1)*s.DRows()*outP]
			dd = p.gd[lp*s.DRows()*outP : (lp+1)*s.DRows()*outP]
		}
		kernels.PhantomPreactivationBackward(dx[lp*rows*inP:(lp+1)*rows*inP], p.gw[lp*inP*outP:(lp+1)*inP*outP], dd, p.gb[lp*outP:(lp+1)*outP],
			dghosts, dy[lp*rows*outP:(lp+1)*rows*outP], x[lp*rows*inP:(lp+1)*rows*inP], ghosts, p.w[lp*inP*outP:(lp+1)*inP*outP], d, rows, i, s)
	}
	if len(parts) < s.Parts {
		mine, err := r.comm.ReduceScatter(r.tpG, dghosts, collective.Sum)
		if err != nil {
			return nil, err
		}
		copyUnlessSame(dghosts[parts[0]*rows*k:(parts[0]+1)*rows*k], mine)
	}
	for lp, i := range parts {
		kernels.PhantomGhostsBackward(dx[lp*rows*inP:(lp+1)*rows*inP], p.gc[lp*inP*k:(lp+1)*inP*k], dghosts[i*rows*k:(i+1)*rows*k],
			x[lp*rows*inP:(lp+1)*rows*inP], p.c[lp*inP*k:(lp+1)*inP*k], rows, s)
	}
	return dx, nil
}
