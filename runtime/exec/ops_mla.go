package exec

import (
	"fmt"

	"planc/ir"
	"planc/passes"
	"planc/runtime/kernels"
)

// Multi-head latent attention (docs/semantics.md, DeepSeek-V2/V3): the
// down projections (the query's, and the key/value one whose output the
// program splits into the latent the norm reads and the shared rotary
// key), the latent norms (rmsnorm), the up projections (linear, split by
// heads over tp), and attention over q [nope | rope] and k [k_nope | k_r]
// with RoPE on the rope parts, assembled inside the attention kernel.

func init() {
	opKernels[ir.OpMLADown] = opKernel{mlaDownForward, mlaDownBackward}
	opKernels[ir.OpMLAUp] = opKernel{linearForward, linearBackward}
}

// mlaDownForward is x·W; the key/value projection's output (two values in
// the program) is split into its first kv_lora_rank columns (the latent)
// and its last qk_rope_head_dim (the rotary key).
func mlaDownForward(c *call) error {
	if len(c.in.Out) == 1 {
		return linearForward(c)
	}
	x := c.val(0)
	k, n := weightKN(c.in.Op)
	rows := len(x) / k
	y := make([]float32, rows*n)
	c.r.kern().LinearForward(y, x, c.w(0), nil, rows, k, n)
	rope := c.r.m.MLA.QKRopeHeadDim
	lat, kr := make([]float32, rows*(n-rope)), make([]float32, rows*rope)
	kernels.SplitColumns(lat, kr, y, rows, n-rope, rope)
	c.save(x)
	c.set(0, lat)
	c.set(1, kr)
	return nil
}

func mlaDownBackward(c *call) error {
	if len(c.in.Out) == 1 {
		return linearBackward(c)
	}
	x := c.saved().([]float32)
	k, n := weightKN(c.in.Op)
	rows := len(x) / k
	rope := c.r.m.MLA.QKRopeHeadDim
	dy := make([]float32, rows*n)
	kernels.JoinColumnsGrad(dy, c.grad(0), c.grad(1), rows, n-rope, rope)
	linearBackwardOf(c, x, dy)
	return nil
}

// mlaShape is this rank's MLA widths over its positions.
func (r *rank) mlaShape() kernels.MLAShape {
	b, s, heads, _ := r.attnDims()
	x := r.m.MLA
	return kernels.MLAShape{Batch: b, Seq: s, Heads: heads, Nope: x.QKNopeHeadDim, Rope: x.QKRopeHeadDim, V: x.VHeadDim}
}

// mlaState is what MLA's attention keeps besides attention's own: the
// rotary tables of this rank's positions.
type mlaState struct {
	a        *attnActs
	cos, sin []float32
}

// mlaAttentionForward assembles head-major q from the query projection
// (its rope columns rotated), k from the key/value projection's k_nope
// and the rotated shared key, v from its v columns, runs attention (every
// cp mode's exchange inside) and merges the context back to token rows.
func mlaAttentionForward(c *call) error {
	r := c.r
	ms := r.mlaShape()
	qk := ms.Nope + ms.Rope
	cos, sin := kernels.RoPETable(r.segPositions(), ms.Rope, r.ropeTheta())
	q := make([]float32, len(c.val(0)))
	kernels.MLAQueries(q, c.val(0), ms)
	kernels.RoPEForward(q, q, cos, sin, kernels.RoPEShape{Batch: ms.Batch, Heads: ms.Heads, T: ms.Seq, D: qk, Rotary: ms.Rope})
	krIn := c.val(2)
	if g := c.in.InnerOf(passes.MLARotaryKey); g != nil { // sp: every tp rank's rows
		var err error
		if krIn, err = r.collective(g, krIn); err != nil {
			return err
		}
	}
	if want := ms.Batch * ms.Seq * ms.Rope; len(krIn) != want {
		return fmt.Errorf("the shared rotary key has %d elements, attention over this rank's positions reads %d (under sp the unit must gather its rows)", len(krIn), want)
	}
	kr := make([]float32, len(krIn))
	kernels.RoPEForward(kr, krIn, cos, sin, kernels.RoPEShape{Batch: ms.Batch, Heads: 1, T: ms.Seq, D: ms.Rope, Rotary: ms.Rope})
	rows := ms.Batch * ms.Seq
	k, v := make([]float32, rows*ms.Heads*qk), make([]float32, rows*ms.Heads*ms.V)
	kernels.MLAKeysValues(k, v, c.val(1), kr, ms)
	a := &attnActs{q: q, k: k, v: v}
	if err := r.attentionForward(c, a); err != nil {
		return err
	}
	y := make([]float32, rows*ms.Heads*ms.V)
	r.mergeOut(y, a, ms.Batch, ms.Seq, ms.Heads, ms.V)
	c.save(&mlaState{a: a, cos: cos, sin: sin})
	c.set(0, y)
	return nil
}

func mlaAttentionBackward(c *call) error {
	r := c.r
	s := c.saved().(*mlaState)
	ms := r.mlaShape()
	qk := ms.Nope + ms.Rope
	rows := ms.Batch * ms.Seq
	do := make([]float32, rows*ms.Heads*ms.V)
	r.splitOut(do, c.grad(0), s.a, ms.Batch, ms.Seq, ms.Heads, ms.V)
	dq, dk, dv, err := r.attentionBackward(c, s.a, do)
	if err != nil {
		return err
	}
	dkv, dkrr := make([]float32, rows*ms.Heads*(ms.Nope+ms.V)), make([]float32, rows*ms.Rope)
	kernels.MLAKeysValuesGrad(dkv, dkrr, dk, dv, ms)
	dkr := make([]float32, len(dkrr))
	kernels.RoPEBackward(dkr, dkrr, s.cos, s.sin, kernels.RoPEShape{Batch: ms.Batch, Heads: 1, T: ms.Seq, D: ms.Rope, Rotary: ms.Rope})
	if red := c.in.InnerOf(passes.MLARotaryKeyGrad); red != nil { // each tp rank's heads' share
		// an all-reduce, or under sp a reduce-scatter to the rank's rows
		if dkr, err = r.collective(red, dkr); err != nil {
			return err
		}
	} else if r.tp > 1 {
		return fmt.Errorf("tp = %d but the unit places no reduction of the shared rotary key's gradient", r.tp)
	}
	dqr := make([]float32, len(dq))
	kernels.RoPEBackward(dqr, dq, s.cos, s.sin, kernels.RoPEShape{Batch: ms.Batch, Heads: ms.Heads, T: ms.Seq, D: qk, Rotary: ms.Rope})
	dqp := make([]float32, len(dq))
	kernels.MLAQueriesGrad(dqp, dqr, ms)
	c.addGrad(0, dqp)
	c.addGrad(1, dkv)
	c.addGrad(2, dkr)
	return nil
}
