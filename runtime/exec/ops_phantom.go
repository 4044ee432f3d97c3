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

// phantomLayerForward runs a phantom layer over this rank's parts; x and
// the results are part-major blocks of rows × In/p (Out/p).
func (r *rank) phantomLayerForward(get func(string) []float32, name string, s kernels.PhantomShape, x []float32, rows int, act kernels.Activation) (pre, y, ghosts []float32, err error) {
	parts := r.parts()
	inP, outP, k := s.InPart(), s.OutPart(), s.K
	ghosts = make([]float32, s.Parts*rows*k)
	for lp, i := range parts {
		c := get(name + ".compress")[lp*inP*k : (lp+1)*inP*k]
		kernels.PhantomGhosts(ghosts[i*rows*k:(i+1)*rows*k], x[lp*rows*inP:(lp+1)*rows*inP], c, rows, s)
	}
	if len(parts) < s.Parts {
		if ghosts, err = r.comm.AllGather(r.tpG, ghosts[parts[0]*rows*k:(parts[0]+1)*rows*k]); err != nil {
			return nil, nil, nil, err
		}
	}
	pre, y = make([]float32, len(parts)*rows*outP), make([]float32, len(parts)*rows*outP)
	for lp, i := range parts {
		w := get(name + ".weight")[lp*inP*outP : (lp+1)*inP*outP]
		var d []float32
		if s.Parts > 1 {
			d = get(name + ".decompress")[lp*s.DRows()*outP : (lp+1)*s.DRows()*outP]
		}
		b := get(name + ".bias")[lp*outP : (lp+1)*outP]
		o := func(v []float32) []float32 { return v[lp*rows*outP : (lp+1)*rows*outP] }
		kernels.PhantomForward(o(pre), o(y), x[lp*rows*inP:(lp+1)*rows*inP], ghosts, w, d, b, rows, i, s, act)
	}
	return pre, y, ghosts, nil
}

// phantomLayerBackward returns the input gradient (part-major) and adds the
// weight gradients, given the output gradient dy (part-major).
func (r *rank) phantomLayerBackward(st *stage, name string, s kernels.PhantomShape, x, pre, ghosts, dy []float32, rows int, act kernels.Activation) ([]float32, error) {
	parts := r.parts()
	inP, outP, k := s.InPart(), s.OutPart(), s.K
	dx := make([]float32, len(parts)*rows*inP)
	dghosts := make([]float32, s.Parts*rows*k)
	for lp, i := range parts {
		w := st.w(name + ".weight")[lp*inP*outP : (lp+1)*inP*outP]
		dw := st.gr(name + ".weight")[lp*inP*outP : (lp+1)*inP*outP]
		var d, dd []float32
		if s.Parts > 1 {
			d = st.w(name + ".decompress")[lp*s.DRows()*outP : (lp+1)*s.DRows()*outP]
			dd = st.gr(name + ".decompress")[lp*s.DRows()*outP : (lp+1)*s.DRows()*outP]
		}
		db := st.gr(name + ".bias")[lp*outP : (lp+1)*outP]
		o := func(v []float32) []float32 { return v[lp*rows*outP : (lp+1)*rows*outP] }
		kernels.PhantomBackward(dx[lp*rows*inP:(lp+1)*rows*inP], dw, dd, db, dghosts, o(dy), x[lp*rows*inP:(lp+1)*rows*inP], ghosts, o(pre), w, d, rows, i, s, act)
	}
	if len(parts) < s.Parts {
		mine, err := r.comm.ReduceScatter(r.tpG, dghosts, collective.Sum)
		if err != nil {
			return nil, err
		}
		copy(dghosts[parts[0]*rows*k:], mine)
	}
	for lp, i := range parts {
		c := st.w(name + ".compress")[lp*inP*k : (lp+1)*inP*k]
		dc := st.gr(name + ".compress")[lp*inP*k : (lp+1)*inP*k]
		kernels.PhantomGhostsBackward(dx[lp*rows*inP:(lp+1)*rows*inP], dc, dghosts[i*rows*k:(i+1)*rows*k], x[lp*rows*inP:(lp+1)*rows*inP], c, rows, s)
	}
	return dx, nil
}
