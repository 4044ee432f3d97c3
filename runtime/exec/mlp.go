package exec

import (
	"fmt"

	"planc/ir"
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
	for _, sp := range mlpSpecs(m, "teacher.") {
		std := sp.std
		if sp.init == initZeros {
			std = 0.1
		}
		out = append(out, tensor.InitNormal(seed, sp.name, std, sp.shape...))
	}
	return out
}

// teacherTargets runs the teacher on x (rows × width).
func teacherTargets(m *ir.Model, teacher []*tensor.Tensor, x []float32, rows int) []float32 {
	w := m.Width
	for l := 0; l < m.Depth; l++ {
		y := make([]float32, rows*w)
		kernels.LinearForward(y, x, teacher[2*l].Data, teacher[2*l+1].Data, rows, w, w)
		if l < m.Depth-1 {
			kernels.GeluForward(y, y)
		}
		x = y
	}
	return x
}

func (r *rank) mlpLayerKind(l int) shardKind {
	if r.tp == 1 {
		return replicated
	}
	for _, sp := range mlpSpecs(r.m, "") {
		if sp.name == fmt.Sprintf("layers.%d.weight", l) {
			return sp.shard
		}
	}
	return replicated
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
	b, w, D := r.plan.MicroBatch, r.m.Width, r.m.Depth
	if st.info.Embedding {
		x = r.mlpInputs(mb)
	}
	a.mlpIn = x
	for l := st.info.FirstLayer; l < st.info.EndLayer; l++ {
		W, B := st.w(fmt.Sprintf("layers.%d.weight", l)), st.w(fmt.Sprintf("layers.%d.bias", l))
		var y []float32
		switch r.mlpLayerKind(l) {
		case colShard:
			y = make([]float32, b*w/r.tp)
			kernels.LinearForward(y, x, W, B, b, w, w/r.tp)
		case rowShard:
			y = make([]float32, b*w)
			kernels.MatMul(y, x, W, b, w/r.tp, w, false)
			if err := r.allReduceTP(y); err != nil {
				return nil, err
			}
			kernels.AddBias(y, B, b, w)
		default:
			y = make([]float32, b*w)
			kernels.LinearForward(y, x, W, B, b, w, w)
		}
		a.mlpPre = append(a.mlpPre, y)
		if l < D-1 {
			g := make([]float32, len(y))
			kernels.GeluForward(g, y)
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
			kernels.GeluBackward(dpre, dy, pre)
		}
		wn, bn := fmt.Sprintf("layers.%d.weight", l), fmt.Sprintf("layers.%d.bias", l)
		W := st.w(wn)
		switch r.mlpLayerKind(l) {
		case colShard:
			n := w / r.tp
			dx := make([]float32, b*w)
			kernels.MatMulTransB(dx, dpre, W, b, n, w, true)
			r.wgrad(st, mb, func() { kernels.LinearBackward(nil, st.gr(wn), st.gr(bn), dpre, x, nil, b, w, n) })
			if err := r.allReduceTP(dx); err != nil {
				return nil, err
			}
			dy = dx
		case rowShard:
			n := w / r.tp
			dx := make([]float32, b*n)
			kernels.MatMulTransB(dx, dpre, W, b, w, n, true)
			r.wgrad(st, mb, func() { kernels.LinearBackward(nil, st.gr(wn), st.gr(bn), dpre, x, nil, b, n, w) })
			dy = dx
		default:
			dx := make([]float32, b*w)
			kernels.MatMulTransB(dx, dpre, W, b, w, w, true)
			r.wgrad(st, mb, func() { kernels.LinearBackward(nil, st.gr(wn), st.gr(bn), dpre, x, nil, b, w, w) })
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
