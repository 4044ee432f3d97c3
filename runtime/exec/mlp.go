package exec

import (
	"fmt"
	"strings"

	"planc/ir"
	"planc/passes"
	"planc/runtime/collective"
	"planc/runtime/data"
	"planc/runtime/kernels"
	"planc/runtime/tensor"
)

// MLPInput fills x with the input of sample index of step under seed for an
// mlp model: standard normal values from the generator whose state is
// Mix(Mix(Mix(seed) ^ step) ^ index) (see package data and tensor.RNG).
func MLPInput(x []float32, seed int64, step, index int) {
	st := data.Mix(data.Mix(data.Mix(uint64(seed))^uint64(step)) ^ uint64(index))
	tensor.NewRNG(st).FillNormal(x, 1)
}

// teacherWeights returns the fixed random teacher of an mlp model: the same
// architecture, weights normal(0, sqrt(2/width)) and biases normal(0, 0.1),
// generated whole under the names "teacher.layers.N.weight|bias".
func teacherWeights(m *ir.Model, seed uint64) []*tensor.Tensor {
	var out []*tensor.Tensor
	for _, sp := range passes.MLPParamTable(m, "teacher.") {
		std := sp.Std
		if sp.Init == ir.InitZeros {
			std = 0.1
		}
		out = append(out, tensor.InitNormal(seed, sp.Name, std, sp.Shape...))
	}
	return out
}

// teacherTargets runs the teacher on x (rows × width).
func teacherTargets(m *ir.Model, teacher []*tensor.Tensor, x []float32, rows int) []float32 {
	if m.FFNKind.IsPhantom() {
		return phantomTeacher(m, teacher, x, rows)
	}
	w := m.Width
	for l := 0; l < m.Depth; l++ {
		y := make([]float32, rows*w)
		// The teacher makes the data: Go kernels, whatever the run selects.
		kernels.LinearForward(y, x, teacher[2*l].Data, teacher[2*l+1].Data, rows, w, w)
		if l < m.Depth-1 {
			kernels.GeluForward(y, y)
		}
		x = y
	}
	return x
}

func (r *rank) mlpLayerKind(l int) ir.ParamShard {
	if r.tp == 1 {
		return ir.ShardNone
	}
	if sp := r.params.Lookup(fmt.Sprintf("layers.%d.weight", l)); sp != nil {
		return sp.Shard
	}
	return ir.ShardNone
}

func (r *rank) mlpInputs(mb int) []float32 {
	b, w := r.plan.MicroBatch, r.m.Width
	x := make([]float32, b*w)
	for j := 0; j < b; j++ {
		MLPInput(x[j*w:(j+1)*w], r.seed, r.step, r.globalMB(mb)*b+j)
	}
	return x
}

func (r *rank) mlpForward(st *stage, mb int, a *stageActs, x []float32) ([]float32, error) {
	if r.m.FFNKind.IsPhantom() {
		return r.phantomForward(st, mb, a, x)
	}
	b, w, D := r.plan.MicroBatch, r.m.Width, r.m.Depth
	if st.info.Embedding {
		x = r.mlpInputs(mb)
	}
	a.mlpIn = x
	for l := st.info.FirstLayer; l < st.info.EndLayer; l++ {
		W, B := st.w(fmt.Sprintf("layers.%d.weight", l)), st.w(fmt.Sprintf("layers.%d.bias", l))
		var y []float32
		switch r.mlpLayerKind(l) {
		case ir.ShardCols:
			y = make([]float32, b*w/r.tp)
			r.kern().LinearForward(y, x, W, B, b, w, w/r.tp)
		case ir.ShardRows:
			y = make([]float32, b*w)
			r.kern().MatMul(y, x, W, b, w/r.tp, w, false)
			if err := r.allReduceTP(y); err != nil {
				return nil, err
			}
			kernels.AddBias(y, B, b, w)
		default:
			y = make([]float32, b*w)
			r.kern().LinearForward(y, x, W, B, b, w, w)
		}
		a.mlpPre = append(a.mlpPre, y)
		if l < D-1 {
			g := make([]float32, len(y))
			r.kern().GeluForward(g, y)
			y = g
		}
		a.mlpOut = append(a.mlpOut, y)
		x = y
	}
	if !st.info.Head {
		return x, nil
	}
	a.mlpTgt = teacherTargets(r.m, r.teacher, r.mlpInputs(mb), b)
	a.dlogits = make([]float32, len(x))
	loss := kernels.MSE(a.dlogits, x, a.mlpTgt, float32(1/float64(r.totalMB)))
	if r.coord.TP == 0 {
		r.lossSum += loss / float64(r.totalMB)
	}
	return nil, nil
}

func (r *rank) mlpBackward(st *stage, mb int, a *stageActs, dy []float32) ([]float32, error) {
	if r.m.FFNKind.IsPhantom() {
		return r.phantomBackward(st, mb, a, dy)
	}
	b, w, D := r.plan.MicroBatch, r.m.Width, r.m.Depth
	if st.info.Head {
		dy = a.dlogits
	}
	for i := len(a.mlpPre) - 1; i >= 0; i-- {
		l := st.info.FirstLayer + i
		x := a.mlpIn
		if i > 0 {
			x = a.mlpOut[i-1]
		}
		pre := a.mlpPre[i]
		dpre := dy
		if l < D-1 {
			dpre = make([]float32, len(pre))
			r.kern().GeluBackward(dpre, dy, pre)
		}
		wn, bn := fmt.Sprintf("layers.%d.weight", l), fmt.Sprintf("layers.%d.bias", l)
		W := st.w(wn)
		if l == 0 && st.info.Embedding {
			// The first layer's input is the data: it needs no gradient, so
			// neither its product nor (column-parallel) its all-reduce.
			in, out := w, w
			switch r.mlpLayerKind(l) {
			case ir.ShardCols:
				out = w / r.tp
			case ir.ShardRows:
				in = w / r.tp
			}
			r.wgrad(st, mb, func() { r.kern().LinearBackward(nil, st.gr(wn), st.gr(bn), dpre, x, nil, b, in, out) })
			dy = nil
			continue
		}
		switch r.mlpLayerKind(l) {
		case ir.ShardCols:
			n := w / r.tp
			dx := make([]float32, b*w)
			r.kern().MatMulTransB(dx, dpre, W, b, n, w, true)
			r.wgrad(st, mb, func() { r.kern().LinearBackward(nil, st.gr(wn), st.gr(bn), dpre, x, nil, b, w, n) })
			if err := r.allReduceTP(dx); err != nil {
				return nil, err
			}
			dy = dx
		case ir.ShardRows:
			n := w / r.tp
			dx := make([]float32, b*n)
			r.kern().MatMulTransB(dx, dpre, W, b, w, n, true)
			r.wgrad(st, mb, func() { r.kern().LinearBackward(nil, st.gr(wn), st.gr(bn), dpre, x, nil, b, n, w) })
			dy = dx
		default:
			dx := make([]float32, b*w)
			r.kern().MatMulTransB(dx, dpre, W, b, w, w, true)
			r.wgrad(st, mb, func() { r.kern().LinearBackward(nil, st.gr(wn), st.gr(bn), dpre, x, nil, b, w, w) })
			dy = dx
		}
	}
	if !r.split {
		delete(st.acts, mb)
	}
	if st.info.Embedding {
		return nil, nil
	}
	return dy, nil
}

// Phantom mlp layers. With tp = p, tp rank i runs part i: it keeps its
// slice x_i of every activation (columns [i·w/p, (i+1)·w/p)), all-gathers
// the ghosts of all parts once per layer forward and reduce-scatters their
// gradients once per layer backward. With tp = 1 one rank runs every part
// in turn, with the same arithmetic. The loss is the MSE over all outputs;
// under tp each rank scores its own output columns.

func (r *rank) phantomShape() kernels.PhantomShape {
	return kernels.PhantomShape{In: r.m.Width, Out: r.m.Width, Parts: r.m.FFNKind.Parts, K: r.m.FFNKind.K}
}

// parts returns the parts this rank runs: all of them, or its tp index's.
func (r *rank) parts() []int {
	p := r.m.FFNKind.Parts
	if r.tp == p && p > 1 {
		return []int{r.coord.TP}
	}
	out := make([]int, p)
	for i := range out {
		out[i] = i
	}
	return out
}

// phantomParams returns part's W, C, D and b from a stage (local part
// index lp within the rank's shard).
func phantomParams(get func(string) []float32, l, lp int, s kernels.PhantomShape) (w, c, d, b []float32) {
	wp, k := s.InPart(), s.K
	name := func(x string) string { return fmt.Sprintf("layers.%d.%s", l, x) }
	w = get(name("weight"))[lp*wp*wp : (lp+1)*wp*wp]
	c = get(name("compress"))[lp*wp*k : (lp+1)*wp*k]
	if s.Parts > 1 {
		d = get(name("decompress"))[lp*s.DRows()*wp : (lp+1)*s.DRows()*wp]
	}
	b = get(name("bias"))[lp*wp : (lp+1)*wp]
	return
}

func (r *rank) phantomForward(st *stage, mb int, a *stageActs, x []float32) ([]float32, error) {
	r.on("phantom")
	b, D := r.plan.MicroBatch, r.m.Depth
	s := r.phantomShape()
	wp, k := s.InPart(), s.K
	parts := r.parts()
	if st.info.Embedding {
		whole := r.mlpInputs(mb)
		x = make([]float32, b*wp*len(parts))
		for lp, i := range parts {
			kernels.CopyCols(x[lp*b*wp:(lp+1)*b*wp], whole, b, r.m.Width, i*wp, (i+1)*wp)
		}
	}
	// x holds the rank's parts one after another, each rows×w/p.
	a.mlpIn = x
	for l := st.info.FirstLayer; l < st.info.EndLayer; l++ {
		ghosts := make([]float32, s.Parts*b*k)
		for lp, i := range parts {
			_, c, _, _ := phantomParams(st.w, l, lp, s)
			kernels.PhantomGhosts(ghosts[i*b*k:(i+1)*b*k], x[lp*b*wp:(lp+1)*b*wp], c, b, s)
		}
		if len(parts) < s.Parts {
			var err error
			if ghosts, err = r.comm.AllGather(r.tpG, ghosts[parts[0]*b*k:(parts[0]+1)*b*k]); err != nil {
				return nil, err
			}
		}
		act := kernels.ActGELU
		if l == D-1 {
			act = kernels.ActIdentity
		}
		pre, y := make([]float32, len(x)), make([]float32, len(x))
		for lp, i := range parts {
			w, _, d, bias := phantomParams(st.w, l, lp, s)
			sl := func(v []float32) []float32 { return v[lp*b*wp : (lp+1)*b*wp] }
			kernels.PhantomForward(sl(pre), sl(y), sl(x), ghosts, w, d, bias, b, i, s, act)
		}
		a.mlpPre = append(a.mlpPre, pre)
		a.mlpOut = append(a.mlpOut, y)
		a.ghosts = append(a.ghosts, ghosts)
		x = y
	}
	if !st.info.Head {
		return x, nil
	}
	whole := teacherTargets(r.m, r.teacher, r.mlpInputs(mb), b)
	a.mlpTgt = make([]float32, len(x))
	for lp, i := range parts {
		kernels.CopyCols(a.mlpTgt[lp*b*wp:(lp+1)*b*wp], whole, b, r.m.Width, i*wp, (i+1)*wp)
	}
	a.dlogits = make([]float32, len(x))
	share := float64(len(parts)) / float64(s.Parts) // of the outputs scored here
	loss := kernels.MSE(a.dlogits, x, a.mlpTgt, float32(share/float64(r.totalMB)))
	r.lossSum += loss * share / float64(r.totalMB)
	return nil, nil
}

func (r *rank) phantomBackward(st *stage, mb int, a *stageActs, dy []float32) ([]float32, error) {
	r.on("phantom")
	b, D := r.plan.MicroBatch, r.m.Depth
	s := r.phantomShape()
	wp, k := s.InPart(), s.K
	parts := r.parts()
	if st.info.Head {
		dy = a.dlogits
	}
	for li := len(a.mlpPre) - 1; li >= 0; li-- {
		l := st.info.FirstLayer + li
		x := a.mlpIn
		if li > 0 {
			x = a.mlpOut[li-1]
		}
		pre, ghosts := a.mlpPre[li], a.ghosts[li]
		act := kernels.ActGELU
		if l == D-1 {
			act = kernels.ActIdentity
		}
		dx := make([]float32, len(x))
		dghosts := make([]float32, s.Parts*b*k)
		for lp, i := range parts {
			w, _, d, _ := phantomParams(st.w, l, lp, s)
			sl := func(v []float32) []float32 { return v[lp*b*wp : (lp+1)*b*wp] }
			// The weight gradients of W, D and b come with the input and
			// ghost gradients in one kernel; under a split backward W
			// reruns them (not deferred separately).
			dW, _, dD, db := phantomParams(st.gr, l, lp, s)
			kernels.PhantomBackward(sl(dx), dW, dD, db, dghosts, sl(dy), sl(x), ghosts, sl(pre), w, d, b, i, s, act)
		}
		if len(parts) < s.Parts {
			mine, err := r.comm.ReduceScatter(r.tpG, dghosts, collective.Sum)
			if err != nil {
				return nil, err
			}
			copy(dghosts[parts[0]*b*k:], mine)
		}
		for lp, i := range parts {
			_, c, _, _ := phantomParams(st.w, l, lp, s)
			_, dC, _, _ := phantomParams(st.gr, l, lp, s)
			sl := func(v []float32) []float32 { return v[lp*b*wp : (lp+1)*b*wp] }
			kernels.PhantomGhostsBackward(sl(dx), dC, dghosts[i*b*k:(i+1)*b*k], sl(x), c, b, s)
		}
		dy = dx
	}
	if !r.split {
		delete(st.acts, mb)
	}
	if st.info.Embedding {
		return nil, nil
	}
	return dy, nil
}

// phantomTeacher runs a phantom teacher (whole parameters, all parts) on
// whole inputs x (rows × width).
func phantomTeacher(m *ir.Model, teacher []*tensor.Tensor, x []float32, rows int) []float32 {
	s := kernels.PhantomShape{In: m.Width, Out: m.Width, Parts: m.FFNKind.Parts, K: m.FFNKind.K}
	wp, k, p := s.InPart(), s.K, s.Parts
	per := 3
	if p > 1 {
		per = 4
	}
	for l := 0; l < m.Depth; l++ {
		ts := teacher[l*per : (l+1)*per]
		get := func(name string) []float32 {
			switch {
			case strings.HasSuffix(name, ".weight"):
				return ts[0].Data
			case strings.HasSuffix(name, ".compress"):
				return ts[1].Data
			case strings.HasSuffix(name, ".decompress"):
				return ts[2].Data
			}
			return ts[per-1].Data
		}
		parts := make([]float32, rows*m.Width) // part-major: part i's rows×w/p block
		for i := 0; i < p; i++ {
			kernels.CopyCols(parts[i*rows*wp:(i+1)*rows*wp], x, rows, m.Width, i*wp, (i+1)*wp)
		}
		ghosts := make([]float32, p*rows*k)
		for i := 0; i < p; i++ {
			_, c, _, _ := phantomParams(get, l, i, s)
			kernels.PhantomGhosts(ghosts[i*rows*k:(i+1)*rows*k], parts[i*rows*wp:(i+1)*rows*wp], c, rows, s)
		}
		act := kernels.ActGELU
		if l == m.Depth-1 {
			act = kernels.ActIdentity
		}
		y := make([]float32, rows*m.Width)
		for i := 0; i < p; i++ {
			w, _, d, b := phantomParams(get, l, i, s)
			pre, out := make([]float32, rows*wp), make([]float32, rows*wp)
			kernels.PhantomForward(pre, out, parts[i*rows*wp:(i+1)*rows*wp], ghosts, w, d, b, rows, i, s, act)
			kernels.SetCols(y, out, rows, m.Width, i*wp, (i+1)*wp)
		}
		x = y
	}
	return x
}
