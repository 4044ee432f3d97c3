package exec

import (
	"fmt"
	"strings"

	"planc/ir"
	"planc/passes"

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

func (r *rank) mlpInputs(mb int) []float32 {
	b, w := r.plan.MicroBatch, r.m.Width
	x := make([]float32, b*w)
	for j := 0; j < b; j++ {
		MLPInput(x[j*w:(j+1)*w], r.seed, r.step, r.globalMB(mb)*b+j)
	}
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
