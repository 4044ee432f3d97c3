package kernels

import (
	"math"
	"testing"

	"planc/runtime/tensor"
)

// gradCase is one row of the finite-difference table: a function of some
// float32 inputs, its analytic backward, and the tolerance it must meet.
type gradCase struct {
	name   string
	inputs map[string][]float32
	// forward computes the output from the current values of inputs.
	forward func() []float32
	// backward returns the gradient of Σ dout·output with respect to each
	// input (fresh, zeroed buffers filled by the kernels under test).
	backward func(dout []float32) map[string][]float32
	// skip names inputs whose gradient is not checked (integer-like or
	// constants of the op).
	eps, rtol float64
}

// checkGradients compares analytic gradients against central differences of
// L = Σ r·forward() for a fixed random r, at up to 24 positions per input.
func checkGradients(t *testing.T, c gradCase) {
	t.Helper()
	eps, rtol := c.eps, c.rtol
	if eps == 0 {
		eps = 3e-3
	}
	if rtol == 0 {
		rtol = 2e-2
	}
	rng := tensor.NewParamRNG(11, c.name)
	out := c.forward()
	r := make([]float32, len(out))
	rng.FillNormal(r, 1)
	loss := func() float64 {
		o := c.forward()
		var s float64
		for i, v := range o {
			s += float64(r[i]) * float64(v)
		}
		return s
	}
	grads := c.backward(append([]float32(nil), r...))
	for name, x := range c.inputs {
		g, ok := grads[name]
		if !ok {
			t.Fatalf("%s: backward returned no gradient for %s", c.name, name)
		}
		var scale float64
		for _, v := range g {
			scale = max(scale, math.Abs(float64(v)))
		}
		step := max(1, len(x)/24)
		checked := 0
		for i := 0; i < len(x); i += step {
			orig := x[i]
			x[i] = orig + float32(eps)
			lp := loss()
			x[i] = orig - float32(eps)
			lm := loss()
			x[i] = orig
			h := float64(orig+float32(eps)) - float64(orig-float32(eps))
			num := (lp - lm) / h
			ana := float64(g[i])
			if d := math.Abs(num - ana); d > rtol*max(math.Abs(num), math.Abs(ana))+rtol*0.05*scale+1e-6 {
				t.Errorf("%s: d%s[%d] analytic %.6g numeric %.6g", c.name, name, i, ana, num)
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%s: nothing checked for %s", c.name, name)
		}
	}
}

func normal(seed uint64, n int, std float64) []float32 {
	x := make([]float32, n)
	tensor.NewRNG(seed).FillNormal(x, std)
	return x
}

func TestGradientsBasicOps(t *testing.T) {
	const rows, in, out, h, vocab = 6, 5, 7, 8, 11
	x := normal(1, rows*in, 1)
	w := normal(2, in*out, 0.5)
	b := normal(3, out, 0.5)
	lnx := normal(4, rows*h, 2)
	gamma := normal(5, h, 1)
	beta := normal(6, h, 1)
	gx := normal(7, rows*h, 1.5)
	wte := normal(8, vocab*h, 1)
	wpe := normal(9, 4*h, 1)
	ids := []int32{3, 10, 3, 0, 7, 5}
	pos := []int32{0, 1, 2, 3, 0, 1}
	logits := normal(10, rows*vocab, 2)
	targets := []int32{1, 0, 10, 4, 4, 9}
	pred := normal(11, rows*out, 1)
	target := normal(12, rows*out, 1)
	sx := normal(13, rows*out, 1.5)
	mean, rstd := make([]float32, rows), make([]float32, rows)

	cases := []gradCase{
		{
			name:   "linear",
			inputs: map[string][]float32{"x": x, "w": w, "b": b},
			forward: func() []float32 {
				y := make([]float32, rows*out)
				LinearForward(y, x, w, b, rows, in, out)
				return y
			},
			backward: func(dy []float32) map[string][]float32 {
				dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, len(b))
				LinearBackward(dx, dw, db, dy, x, w, rows, in, out)
				return map[string][]float32{"x": dx, "w": dw, "b": db}
			},
		},
		{
			name:   "layernorm",
			inputs: map[string][]float32{"x": lnx, "gamma": gamma, "beta": beta},
			forward: func() []float32 {
				y := make([]float32, rows*h)
				LayerNormForward(y, mean, rstd, lnx, gamma, beta, rows, h)
				return y
			},
			backward: func(dy []float32) map[string][]float32 {
				y := make([]float32, rows*h)
				LayerNormForward(y, mean, rstd, lnx, gamma, beta, rows, h)
				dx, dg, db := make([]float32, len(lnx)), make([]float32, h), make([]float32, h)
				LayerNormBackward(dx, dg, db, dy, lnx, mean, rstd, gamma, rows, h)
				return map[string][]float32{"x": dx, "gamma": dg, "beta": db}
			},
		},
		{
			name:   "gelu_tanh",
			inputs: map[string][]float32{"x": gx},
			forward: func() []float32 {
				y := make([]float32, len(gx))
				GeluForward(y, gx)
				return y
			},
			backward: func(dy []float32) map[string][]float32 {
				dx := make([]float32, len(gx))
				GeluBackward(dx, dy, gx)
				return map[string][]float32{"x": dx}
			},
		},
		{
			name:   "silu",
			inputs: map[string][]float32{"x": gx},
			forward: func() []float32 {
				y := make([]float32, len(gx))
				SiluForward(y, gx)
				return y
			},
			backward: func(dy []float32) map[string][]float32 {
				dx := make([]float32, len(gx))
				SiluBackward(dx, dy, gx)
				return map[string][]float32{"x": dx}
			},
		},
		{
			name:   "relu",
			inputs: map[string][]float32{"x": gx},
			forward: func() []float32 {
				y := make([]float32, len(gx))
				ReluForward(y, gx)
				return y
			},
			backward: func(dy []float32) map[string][]float32 {
				dx := make([]float32, len(gx))
				ReluBackward(dx, dy, gx)
				return map[string][]float32{"x": dx}
			},
		},
		{
			name:   "embedding",
			inputs: map[string][]float32{"wte": wte, "wpe": wpe},
			forward: func() []float32 {
				y := make([]float32, rows*h)
				EmbeddingForward(y, wte, wpe, ids, pos, h, 0)
				return y
			},
			backward: func(dy []float32) map[string][]float32 {
				dwte, dwpe := make([]float32, len(wte)), make([]float32, len(wpe))
				EmbeddingBackward(dwte, dwpe, dy, ids, pos, h, 0)
				return map[string][]float32{"wte": dwte, "wpe": dwpe}
			},
		},
		{
			name:   "softmax_rows",
			inputs: map[string][]float32{"x": sx},
			forward: func() []float32 {
				p := make([]float32, len(sx))
				SoftmaxRows(p, sx, rows, out)
				return p
			},
			backward: func(dp []float32) map[string][]float32 {
				p := make([]float32, len(sx))
				SoftmaxRows(p, sx, rows, out)
				dx := make([]float32, len(sx))
				SoftmaxRowsBackward(dx, dp, p, rows, out)
				return map[string][]float32{"x": dx}
			},
		},
		{
			name:   "cross_entropy",
			inputs: map[string][]float32{"logits": logits},
			forward: func() []float32 {
				return []float32{float32(CrossEntropy(nil, logits, targets, rows, vocab, 0))}
			},
			backward: func(dl []float32) map[string][]float32 {
				d := make([]float32, len(logits))
				CrossEntropy(d, logits, targets, rows, vocab, dl[0]/rows)
				return map[string][]float32{"logits": d}
			},
		},
		{
			name:   "mse",
			inputs: map[string][]float32{"pred": pred},
			forward: func() []float32 {
				return []float32{float32(MSE(nil, pred, target, 0))}
			},
			backward: func(dl []float32) map[string][]float32 {
				d := make([]float32, len(pred))
				MSE(d, pred, target, dl[0])
				return map[string][]float32{"pred": d}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
}

func TestCrossEntropyValue(t *testing.T) {
	// Uniform logits give ln(vocab) whatever the target.
	logits := make([]float32, 2*256)
	got := CrossEntropy(nil, logits, []int32{5, 200}, 2, 256, 0)
	if math.Abs(got-math.Log(256)) > 1e-6 {
		t.Errorf("uniform loss %v, want ln 256 = %v", got, math.Log(256))
	}
}

func TestEmbeddingVocabShardsSumToWhole(t *testing.T) {
	const h, vocab = 4, 10
	wte, wpe := normal(1, vocab*h, 1), normal(2, 3*h, 1)
	ids, pos := []int32{0, 9, 4, 5}, []int32{0, 1, 2, 0}
	whole := make([]float32, len(ids)*h)
	EmbeddingForward(whole, wte, wpe, ids, pos, h, 0)
	sum := make([]float32, len(ids)*h)
	part := make([]float32, len(ids)*h)
	EmbeddingForward(part, wte[:5*h], wpe, ids, pos, h, 0)
	Add(sum, part)
	EmbeddingForward(part, wte[5*h:], nil, ids, pos, h, 5)
	Add(sum, part)
	for i := range whole {
		if whole[i] != sum[i] {
			t.Fatalf("element %d: whole %v, shards %v", i, whole[i], sum[i])
		}
	}
}
