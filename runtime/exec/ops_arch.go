package exec

import (
	"planc/ir"
	"planc/runtime/kernels"
)

// The kernels of today's architectures' ops: RMSNorm and the gated FFN's
// act(gate)⊙up (grouped-query attention and rotary positions are in the
// attention kernel, ops_dense.go and ops_attention.go).

func init() {
	opKernels[ir.OpRMSNorm] = opKernel{rmsNormForward, rmsNormBackward}
	opKernels[ir.OpGLU] = opKernel{gluForward, gluBackward}
}

type rmsState struct{ x, rstd []float32 }

// normEps is the model's norm epsilon (1e-5 when a model built in Go
// leaves it 0).
func (r *rank) normEps() float64 {
	if r.m.NormEps > 0 {
		return r.m.NormEps
	}
	return 1e-5
}

// rmsNormForward normalizes each row of its input by the width of its
// gain (the hidden state's, or an MLA latent's).
func rmsNormForward(c *call) error {
	x, g := c.val(0), c.w(0)
	h := len(g)
	rows := len(x) / h
	s := &rmsState{x: x, rstd: c.alloc(rows)}
	y := c.alloc(len(x))
	kernels.RMSNormForward(y, s.rstd, x, g, rows, h, c.r.normEps())
	c.save(s)
	c.set(0, y)
	return nil
}

func rmsNormBackward(c *call) error {
	s := c.saved().(*rmsState)
	g := c.w(0)
	h := len(g)
	rows := len(s.x) / h
	dy := c.grad(0)
	kernels.RMSNormBackward(c.gradBuf(0, len(s.x)), nil, dy, s.x, s.rstd, g, rows, h)
	c.wgrad(func() { kernels.RMSNormBackward(nil, c.gw(0), dy, s.x, s.rstd, g, rows, h) })
	return nil
}

// gluAct is the model's gate activation.
func (r *rank) gluAct() kernels.GLUActivation {
	if r.m.MLP == ir.MLPGeGLU {
		return kernels.GeGLU
	}
	return kernels.SwiGLU
}

// gluForward is act(gate)⊙up over fc1's local columns [gate | up] (each
// tp rank holds the same columns of both: the parameter table's parts).
func gluForward(c *call) error {
	x := c.val(0)
	out := c.in.Op.Output.Shape
	f := out[len(out)-1].Local()
	rows := len(x) / (2 * f)
	y := c.alloc(rows * f)
	kernels.GLUForward(y, x, rows, f, c.r.gluAct())
	c.save(x)
	c.set(0, y)
	return nil
}

func gluBackward(c *call) error {
	x := c.saved().([]float32)
	out := c.in.Op.Output.Shape
	f := out[len(out)-1].Local()
	rows := len(x) / (2 * f)
	dx := c.alloc(len(x))
	kernels.GLUBackward(dx, c.grad(0), x, rows, f, c.r.gluAct())
	c.addGrad(0, dx)
	return nil
}
