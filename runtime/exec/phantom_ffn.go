package exec

import (
	"fmt"

	"planc/runtime/collective"
	"planc/runtime/kernels"
)

// Phantom FFNs in transformer blocks: fc1 (hidden → ffn, gelu) and fc2
// (ffn → hidden) are phantom layers. With tp = parts, tp rank i runs part
// i: it takes its columns of the FFN input, all-gathers the ghosts of each
// layer forward (reduce-scatters their gradients backward), and one
// all-gather of the output columns restores the hidden vector for the
// residual stream (its input gradient likewise in backward). With tp = 1
// one rank runs all parts.

// phantomFFNActs are one block's phantom FFN activations.
type phantomFFNActs struct {
	x1, pre1, y1, pre2 []float32 // local parts, part-major (rows × width/p each)
	g1, g2             []float32 // gathered ghosts of fc1, fc2
}

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

// toParts cuts whole rows × width into this rank's part-major column blocks.
func (r *rank) toParts(x []float32, rows, width, parts int) []float32 {
	wp := width / parts
	mine := r.parts()
	out := make([]float32, len(mine)*rows*wp)
	for lp, i := range mine {
		kernels.CopyCols(out[lp*rows*wp:(lp+1)*rows*wp], x, rows, width, i*wp, (i+1)*wp)
	}
	return out
}

// fromParts assembles whole rows × width from the parts: all-gathered over
// tp when each rank holds one.
func (r *rank) fromParts(x []float32, rows, width, parts int) ([]float32, error) {
	wp := width / parts
	mine := r.parts()
	if len(mine) < parts {
		var err error
		if x, err = r.comm.AllGather(r.tpG, x); err != nil {
			return nil, err
		}
	}
	out := make([]float32, rows*width)
	for i := 0; i < parts; i++ {
		kernels.SetCols(out, x[i*rows*wp:(i+1)*rows*wp], rows, width, i*wp, (i+1)*wp)
	}
	return out, nil
}

func (r *rank) phantomShapes() (kernels.PhantomShape, kernels.PhantomShape) {
	f := r.m.FFNKind
	return kernels.PhantomShape{In: r.m.Hidden, Out: ffnWidth(r.m), Parts: f.Parts, K: f.K},
		kernels.PhantomShape{In: ffnWidth(r.m), Out: r.m.Hidden, Parts: f.Parts, K: f.K}
}

// phantomFFNForward returns the FFN output (rows × hidden, whole) of x.
func (r *rank) phantomFFNForward(st *stage, l int, x []float32, a *phantomFFNActs) ([]float32, error) {
	r.on("phantom")
	T := len(x) / r.m.Hidden
	s1, s2 := r.phantomShapes()
	pre := fmt.Sprintf("h.%d.mlp.", l)
	a.x1 = r.toParts(x, T, r.m.Hidden, s1.Parts)
	var err error
	if a.pre1, a.y1, a.g1, err = r.phantomLayerForward(st.w, pre+"fc1", s1, a.x1, T, kernels.ActGELU); err != nil {
		return nil, err
	}
	var y2 []float32
	if a.pre2, y2, a.g2, err = r.phantomLayerForward(st.w, pre+"fc2", s2, a.y1, T, kernels.ActIdentity); err != nil {
		return nil, err
	}
	return r.fromParts(y2, T, r.m.Hidden, s2.Parts)
}

// phantomFFNBackward returns the gradient of the FFN input (whole) given
// the gradient of its output (whole).
func (r *rank) phantomFFNBackward(st *stage, l int, a *phantomFFNActs, dout []float32) ([]float32, error) {
	r.on("phantom")
	T := len(dout) / r.m.Hidden
	s1, s2 := r.phantomShapes()
	pre := fmt.Sprintf("h.%d.mlp.", l)
	dy2 := r.toParts(dout, T, r.m.Hidden, s2.Parts)
	dy1, err := r.phantomLayerBackward(st, pre+"fc2", s2, a.y1, a.pre2, a.g2, dy2, T, kernels.ActIdentity)
	if err != nil {
		return nil, err
	}
	dx1, err := r.phantomLayerBackward(st, pre+"fc1", s1, a.x1, a.pre1, a.g1, dy1, T, kernels.ActGELU)
	if err != nil {
		return nil, err
	}
	return r.fromParts(dx1, T, r.m.Hidden, s1.Parts)
}
