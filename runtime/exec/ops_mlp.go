package exec

import (
	"fmt"
	"strings"

	"planc/ir"
	"planc/runtime/kernels"
)

// The kernels of mlp models and of phantom layers (in mlp models and in
// transformer FFNs), bound by op kind with the dense ones (opKernels).

func init() {
	opKernels[ir.OpLinear] = opKernel{mlpLinearForward, mlpLinearBackward}
	opKernels[ir.OpActivation] = opKernel{geluForward, geluBackward}
	opKernels[ir.OpCompress] = opKernel{phantomOpForward, phantomOpBackward}
}

// mlpStageInput is the data an mlp's first stage reads for micro-batch mb:
// the teacher's inputs, this rank's columns of them when the unit splits
// the input tensor t by tp (a phantom mlp's parts).
func (r *rank) mlpStageInput(st *stage, f *frame, mb int, t ir.Tensor) []float32 {
	x := r.mlpInputs(st, f, mb)
	if last := t.Shape[len(t.Shape)-1]; last.Parts > 1 {
		c := &call{r: r, st: st, f: f, mb: mb} // (the columns in a buffer of the frame's)
		return c.own(x, ir.AxisTP, true, r.m.Width)
	}
	return x
}

// mlpLinearForward is an mlp's dense layer, column parallel (local
// columns of W and b), row parallel (local rows of W: a partial sum whose
// all-reduce the unit gives this kernel, the bias added after it), or
// whole.
func mlpLinearForward(c *call) error {
	if len(c.in.Inner) == 0 {
		return linearForward(c)
	}
	x := c.val(0)
	k, n := weightKN(c.in.Op)
	rows := len(x) / k
	y := c.allocOut(rows * n)
	c.r.kern().MatMul(y, x, c.w(0), rows, k, n, false)
	y, err := c.r.collective(c.in.Inner[0], y)
	if err != nil {
		return err
	}
	kernels.AddBias(y, c.w(1), rows, n)
	c.save(x)
	c.set(0, y)
	return nil
}

func mlpLinearBackward(c *call) error {
	if len(c.in.Inner) == 0 {
		return linearBackward(c)
	}
	x := c.saved().([]float32)
	k, n := weightKN(c.in.Op)
	rows := len(x) / k
	dy := c.grad(0) // the adjoint of the all-reduce is the identity
	dx, acc := c.gradOut(rows * k)
	c.r.kern().MatMulTransB(dx, dy, c.w(0), rows, n, k, acc)
	c.addGrad(0, dx)
	c.wgrad(func() { c.r.kern().LinearBackward(nil, c.gw(0), c.gw(1), dy, x, nil, rows, k, n) })
	return nil
}

// phantomState is what a phantom layer keeps: its input by parts and the
// gathered ghosts.
type phantomState struct {
	x, ghosts []float32
	rows      int
}

// phantomLayer returns the layer's parameter prefix and shape: In and Out
// the whole widths of its input and output, the parts and ghost width the
// model's.
func (c *call) phantomLayer() (string, kernels.PhantomShape) {
	name := strings.TrimSuffix(c.in.Params[0], ".compress")
	in := c.in.Op.Inputs[0].Shape
	out := c.in.Fused[len(c.in.Fused)-1].Output.Shape
	f := c.r.m.FFNKind
	return name, kernels.PhantomShape{In: in[len(in)-1].Size, Out: out[len(out)-1].Size, Parts: f.Parts, K: f.K}
}

// phantomOpForward is a phantom layer (compress, each part's local block
// and the mix of the other parts' ghosts, the program's fused group) over
// the parts this rank runs; its values are rows × (its parts' columns),
// row-major. The ghosts' all-gather over tp is the unit's, inside.
func phantomOpForward(c *call) error {
	r := c.r
	name, s := c.phantomLayer()
	parts := r.parts()
	x := c.val(0)
	rows := len(x) / (len(parts) * s.InPart())
	if len(parts) < s.Parts && len(c.in.Inner) == 0 {
		return fmt.Errorf("tp = %d but the unit places no ghost exchange on the phantom layer", r.tp)
	}
	st := &phantomState{x: c.byParts(x, rows, s.InPart(), len(parts)), rows: rows}
	r.on("phantom")
	y, ghosts, err := r.phantomLayerForward(c, c.st.phantomParamsOf(name), s, st.x, rows)
	if err != nil {
		return err
	}
	st.ghosts = ghosts
	c.save(st)
	c.set(0, c.fromPartsLocal(y, rows, s.OutPart(), len(parts)))
	return nil
}

func phantomOpBackward(c *call) error {
	r := c.r
	name, s := c.phantomLayer()
	st := c.saved().(*phantomState)
	n := len(r.parts())
	dy := c.byParts(c.grad(0), st.rows, s.OutPart(), n)
	r.on("phantom")
	dx, err := r.phantomLayerBackward(c, c.st.phantomParamsOf(name), s, st.x, st.ghosts, dy, st.rows)
	if err != nil {
		return err
	}
	c.addGrad(0, c.fromPartsLocal(dx, st.rows, s.InPart(), n))
	return nil
}

// byParts lays rows × (n·w) out part-major: n blocks of rows × w (the
// layout of the phantom kernels), in a buffer of the frame's; one part is
// already so laid out.
func (c *call) byParts(x []float32, rows, w, n int) []float32 {
	if n == 1 {
		return x
	}
	out := c.allocOut(len(x))
	for i := 0; i < n; i++ {
		kernels.CopyCols(out[i*rows*w:(i+1)*rows*w], x, rows, n*w, i*w, (i+1)*w)
	}
	return out
}

// fromPartsLocal is byParts' inverse.
func (c *call) fromPartsLocal(x []float32, rows, w, n int) []float32 {
	if n == 1 {
		return x
	}
	out := c.allocOut(len(x))
	for i := 0; i < n; i++ {
		kernels.SetCols(out, x[i*rows*w:(i+1)*rows*w], rows, n*w, i*w, (i+1)*w)
	}
	return out
}

// mseForward is an mlp's loss: the mean squared error against the
// teacher's outputs, over the columns this rank holds (a phantom mlp's
// parts score their own columns, each a share of the mean).
func mseForward(c *call) error {
	r := c.r
	x := c.val(0)
	b := r.plan.MicroBatch
	tgt := teacherTargets(r.m, r.teacher, r.mlpInputs(c.st, c.f, c.mb), b, c.allocOut)
	if len(x) < len(tgt) {
		tgt = c.own(tgt, ir.AxisTP, true, r.m.Width)
	}
	share := float64(len(x)) / float64(b*r.m.Width)
	dl := c.alloc(len(x))
	loss := kernels.MSE(dl, x, tgt, float32(share/float64(r.totalMB)))
	if share < 1 || r.coord.TP == 0 { // a whole output counts once over tp
		r.lossSum += loss * share / float64(r.totalMB)
	}
	c.save(dl)
	c.set(0, nil)
	return nil
}
