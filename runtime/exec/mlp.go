package exec

import (
	"planc/ir"
	"planc/passes"

	"planc/runtime/data"
	"planc/runtime/kernels"
	"planc/runtime/tensor"
)

// MLPInput fills x with the input of sample index of step under seed for an
// mlp model: standard normal values drawn by the ziggurat method
// (tensor.RNG.ZigguratNormal) from the generator whose state is
// Mix(Mix(Mix(seed) ^ step) ^ index) (see package data and tensor.RNG).
// The runtime makes the data inside the step, so it draws as data loaders
// do (numpy's standard_normal): Box–Muller's logarithm, square root and
// cosine per value (tensor.RNG.Normal, kept for the parameters' one-time
// initialization) took half of tiny_mlp's step.
func MLPInput(x []float32, seed int64, step, index int) {
	st := data.Mix(data.Mix(data.Mix(uint64(seed))^uint64(step)) ^ uint64(index))
	tensor.NewRNG(st).FillZigguratNormal(x, 1)
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

// teacherTargets runs the teacher on x (rows × width), in buffers from
// out (each written whole before it is read).
func teacherTargets(m *ir.Model, teacher []*tensor.Tensor, x []float32, rows int, out func(n int) []float32) []float32 {
	if m.FFNKind.IsPhantom() {
		return phantomTeacher(m, teacher, x, rows, out)
	}
	w := m.Width
	for l := 0; l < m.Depth; l++ {
		y := out(rows * w)
		// The teacher makes the data: Go kernels, whatever the run selects.
		kernels.LinearForward(y, x, teacher[2*l].Data, teacher[2*l+1].Data, rows, w, w)
		if l < m.Depth-1 {
			kernels.GeluForward(y, y)
		}
		x = y
	}
	return x
}

// mlpInputs returns the whole inputs of micro-batch mb (rows × width),
// drawn at the frame's first call into a buffer of stage st's pool: the
// first stage's layer and the teacher at the loss read the same draw.
func (r *rank) mlpInputs(st *stage, f *frame, mb int) []float32 {
	if f.mlpX != nil {
		return f.mlpX
	}
	b, w := r.plan.MicroBatch, r.m.Width
	x, _ := st.take(f, b*w) // every element drawn
	for j := 0; j < b; j++ {
		MLPInput(x[j*w:(j+1)*w], r.seed, r.step, r.globalMB(mb)*b+j)
	}
	f.mlpX = x
	return x
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

// phantomTeacher runs a phantom teacher (whole parameters, all parts) on
// whole inputs x (rows × width), in buffers taken from out once per call;
// x is not written. Between layers the activations stay part-major (part
// i's rows×w/p block after part i-1's), as each part's kernels read and
// write them: x is split into parts once and the output joined once
// (joining and splitting at every layer was a tenth of phantom mlp's
// step).
func phantomTeacher(m *ir.Model, teacher []*tensor.Tensor, x []float32, rows int, out func(n int) []float32) []float32 {
	s := kernels.PhantomShape{In: m.Width, Out: m.Width, Parts: m.FFNKind.Parts, K: m.FFNKind.K}
	wp, k, p := s.InPart(), s.K, s.Parts
	// a layer's teacher tensors, in MLPParamTable order: weight, compress,
	// decompress (with several parts), bias
	per := 3
	if p > 1 {
		per = 4
	}
	parts := out(rows * m.Width) // part-major: part i's rows×w/p block
	next := out(rows * m.Width)
	ghosts := out(p * rows * k)
	for i := 0; i < p; i++ {
		kernels.CopyCols(parts[i*rows*wp:(i+1)*rows*wp], x, rows, m.Width, i*wp, (i+1)*wp)
	}
	for l := 0; l < m.Depth; l++ {
		ts := teacher[l*per : (l+1)*per]
		w, c, b := ts[0].Data, ts[1].Data, ts[per-1].Data
		var d []float32
		if p > 1 {
			d = ts[2].Data
		}
		for i := 0; i < p; i++ {
			kernels.PhantomGhosts(ghosts[i*rows*k:(i+1)*rows*k], parts[i*rows*wp:(i+1)*rows*wp], c[i*wp*k:(i+1)*wp*k], rows, s)
		}
		for i := 0; i < p; i++ {
			var di []float32
			if p > 1 {
				di = d[i*s.DRows()*wp : (i+1)*s.DRows()*wp]
			}
			pre := next[i*rows*wp : (i+1)*rows*wp]
			kernels.PhantomPreactivation(pre, parts[i*rows*wp:(i+1)*rows*wp], ghosts, w[i*wp*wp:(i+1)*wp*wp], di, b[i*wp:(i+1)*wp], rows, i, s)
			if l < m.Depth-1 {
				kernels.ActivationForward(pre, pre, kernels.ActGELU)
			}
		}
		parts, next = next, parts
	}
	y := out(rows * m.Width)
	for i := 0; i < p; i++ {
		kernels.SetCols(y, parts[i*rows*wp:(i+1)*rows*wp], rows, m.Width, i*wp, (i+1)*wp)
	}
	return y
}
