package exec

import (
	"fmt"

	"planc/ir"
	"planc/runtime/collective"
	"planc/runtime/kernels"
)

// The kernels of the transformer's dense ops, bound by op kind. Each
// reads its inputs and parameters as the program names them, with the
// local shapes the unit's tensors give; the collectives of an op that
// communicates inside its kernel are the instruction's Inner ones.
// A kernel may keep its inputs and its own buffers for backward, never
// its outputs: a conversion may reduce those in place.

// opKernels binds op kinds to their kernels (each ops_*.go file adds its
// own in an init).
var opKernels = map[ir.OpKind]opKernel{}

func init() {
	opKernels[ir.OpEmbedding] = opKernel{embedForward, embedBackward}
	opKernels[ir.OpLayerNorm] = opKernel{layerNormForward, layerNormBackward}
	opKernels[ir.OpQKV] = opKernel{qkvForward, qkvBackward}
	opKernels[ir.OpAttnScores] = opKernel{attentionOpForward, attentionOpBackward}
	opKernels[ir.OpOutProj] = opKernel{linearForward, linearBackward} // row parallel: its bias is the residual's
	opKernels[ir.OpFC2] = opKernel{linearForward, linearBackward}
	opKernels[ir.OpResidual] = opKernel{residualForward, residualBackward}
	opKernels[ir.OpFC1] = opKernel{linearForward, linearBackward}
	opKernels[ir.OpGeLU] = opKernel{geluForward, geluBackward}
	opKernels[ir.OpHead] = opKernel{headForward, headBackward}
	opKernels[ir.OpLoss] = opKernel{lossForward, lossBackward}
	opKernels[ir.OpRouter] = opKernel{moeOpForward, moeOpBackward}
}

// weightKN returns the local [K, N] of the op's weight.
func weightKN(o *ir.Op) (k, n int) {
	s := o.Weight.Shape
	return s[len(s)-2].Local(), s[len(s)-1].Local()
}

// embedState is what the embedding keeps: the partial sums' conversion.
type embedState struct{ conv, adj *ir.Collective }

// embedForward looks up this rank's vocabulary shard of wte for every
// token of its cp chunks (zero rows for the others), completes the sums
// over tp by the unit's conversion (all-reduce, or reduce-scatter to this
// rank's rows under sp), and adds the learned positions to the rows it
// holds.
func embedForward(c *call) error {
	r, f := c.r, c.f
	r.loadTokens(f, c.mb, true)
	h := r.m.Hidden
	T := len(f.ids)
	x := c.alloc(T * h)
	kernels.EmbeddingForward(x, c.w(0), nil, f.ids, nil, h, r.vocabLo())
	s := &embedState{}
	for _, k := range c.in.Inner {
		if k.Phase == ir.Forward {
			s.conv = k
		} else {
			s.adj = k
		}
	}
	var err error
	if s.conv != nil {
		if x, err = r.collective(s.conv, x); err != nil {
			return err
		}
	}
	if c.has(1) {
		lo := r.rowLo(len(x)/h, T)
		wpe := c.w(1)
		for t := 0; t < len(x)/h; t++ {
			p := int(f.pos[lo+t])
			kernels.Add(x[t*h:(t+1)*h], wpe[p*h:(p+1)*h])
		}
	}
	c.save(s)
	c.set(0, x)
	return nil
}

func embedBackward(c *call) error {
	r, f, s := c.r, c.f, c.saved().(*embedState)
	h := r.m.Hidden
	T := len(f.ids)
	dy := c.grad(0)
	rows := len(dy) / h
	lo := r.rowLo(rows, T)
	dfull := dy
	if s.adj != nil {
		var err error
		if dfull, err = r.collective(s.adj, dy); err != nil {
			return err
		}
	}
	c.wgrad(func() {
		if c.has(1) {
			kernels.EmbeddingBackward(nil, c.gw(1), dy, f.ids[lo:lo+rows], f.pos[lo:lo+rows], h, 0)
		}
		kernels.EmbeddingBackward(c.gw(0), nil, dfull, f.ids, nil, h, r.vocabLo())
	})
	return nil
}

// rowLo is the first of the micro-batch's T token rows that a value of
// rows rows holds: 0 when it holds all, this rank's tp slice under sp.
func (r *rank) rowLo(rows, T int) int {
	if rows == T {
		return 0
	}
	return r.coord.TP * rows
}

// loadTokens reads micro-batch mb's tokens at this rank's positions of
// each sequence (its cp chunks): the ids and positions (withIDs) and the
// next tokens (targets).
func (r *rank) loadTokens(f *frame, mb int, withIDs bool) {
	b, sl := r.plan.MicroBatch, r.segLen()
	T := b * sl
	f.targets = make([]int32, T)
	if withIDs {
		f.ids, f.pos = make([]int32, T), make([]int32, T)
	}
	chs := r.chunks()
	for j := 0; j < b; j++ {
		toks := r.sample(r.globalMB(mb)*b + j)
		for _, ch := range chs {
			row := j*sl + ch.Local
			copy(f.targets[row:row+ch.N], toks[ch.Pos+1:ch.Pos+ch.N+1])
			if withIDs {
				copy(f.ids[row:row+ch.N], toks[ch.Pos:ch.Pos+ch.N])
				for t := 0; t < ch.N; t++ {
					f.pos[row+t] = int32(ch.Pos + t)
				}
			}
		}
	}
}

type lnState struct{ x, mean, rstd []float32 }

// layerNormForward normalizes rows of its gain's width: the hidden size,
// or an MLA latent's rank (q_norm, kv_norm under norm = layernorm).
func layerNormForward(c *call) error {
	h := len(c.w(0))
	x := c.val(0)
	rows := len(x) / h
	s := &lnState{x: x, mean: c.allocOut(rows), rstd: c.allocOut(rows)}
	y := c.allocOut(rows * h)
	c.r.kern().LayerNormForward(y, s.mean, s.rstd, x, c.w(0), c.w(1), rows, h)
	c.save(s)
	c.set(0, y)
	return nil
}

func layerNormBackward(c *call) error {
	h := len(c.w(0))
	s := c.saved().(*lnState)
	rows := len(s.x) / h
	dy := c.grad(0)
	c.r.kern().LayerNormBackward(c.gradBuf(0, len(s.x)), nil, nil, dy, s.x, s.mean, s.rstd, c.w(0), rows, h)
	c.wgrad(func() {
		c.r.kern().LayerNormBackward(nil, c.gw(0), c.gw(1), dy, s.x, s.mean, s.rstd, c.w(0), rows, h)
	})
	return nil
}

// opt returns parameter i when the instruction names it, else nil
// (a bias of a model without biases); gopt its gradient.
func (c *call) opt(i int) []float32 {
	if !c.has(i) {
		return nil
	}
	return c.w(i)
}

func (c *call) gopt(i int) []float32 {
	if !c.has(i) {
		return nil
	}
	return c.gw(i)
}

// linearForward is x·W + b: a column-parallel projection's local columns,
// or a row-parallel one's partial sum (whose bias the program gives to
// the residual, added once the sums have met).
func linearForward(c *call) error {
	x := c.val(0)
	k, n := weightKN(c.in.Op)
	rows := len(x) / k
	y := c.allocOut(rows * n)
	c.r.kern().LinearForward(y, x, c.w(0), c.opt(1), rows, k, n)
	c.save(x)
	c.set(0, y)
	return nil
}

func linearBackward(c *call) error {
	linearBackwardOf(c, c.saved().([]float32), c.grad(0))
	return nil
}

// linearBackwardOf adds the gradients of x·W + b given its input x and the
// gradient dy of its output.
func linearBackwardOf(c *call, x, dy []float32) {
	k, n := weightKN(c.in.Op)
	rows := len(x) / k
	dx, acc := c.gradOut(rows * k)
	c.r.kern().MatMulTransB(dx, dy, c.w(0), rows, n, k, acc)
	c.addGrad(0, dx)
	c.wgrad(func() { c.r.kern().LinearBackward(nil, c.gw(0), c.gopt(1), dy, x, nil, rows, k, n) })
}

// residualForward adds the branch's bias (when the program gives one) and
// the skip connection to the branch's output, in place.
func residualForward(c *call) error {
	h := c.r.m.Hidden
	y, skip := c.val(0), c.val(1)
	if len(y) != len(skip) {
		return fmt.Errorf("branch %s has %d elements, skip %s %d", c.in.In[0], len(y), c.in.In[1], len(skip))
	}
	if c.has(0) {
		kernels.AddBias(y, c.w(0), len(y)/h, h)
	}
	kernels.Add(y, skip)
	c.set(0, y)
	return nil
}

func residualBackward(c *call) error {
	h := c.r.m.Hidden
	dy := c.grad(0)
	if c.has(0) {
		c.wgrad(func() { c.r.kern().BiasBackward(c.gw(0), dy, len(dy)/h, h) })
	}
	c.addGrad(1, c.copyOf(dy))
	c.addGrad(0, dy) // the branch's output has no other reader
	return nil
}

func geluForward(c *call) error {
	x := c.val(0)
	y := c.allocOut(len(x))
	c.r.kern().GeluForward(y, x)
	c.save(x)
	c.set(0, y)
	return nil
}

func geluBackward(c *call) error {
	x := c.saved().([]float32)
	dx := c.alloc(len(x))
	c.r.kern().GeluBackward(dx, c.grad(0), x)
	c.addGrad(0, dx)
	return nil
}

// attnDims are the local attention dimensions: micro-batch sequences,
// the positions of each this rank holds (seq/cp), heads on this rank and
// the head width.
func (r *rank) attnDims() (b, s, heads, d int) {
	return r.plan.MicroBatch, r.segLen(), r.m.Heads / r.tp, r.m.HeadWidth()
}

// rope returns the rotary tables of this rank's positions of every
// sequence (its cp chunks, cplayout.go) for the whole head width, and the
// shape of heads×those positions; ok is false without RoPE.
func (r *rank) rope(heads int) (cos, sin []float32, sh kernels.RoPEShape, ok bool) {
	if r.m.Position != ir.PositionRoPE {
		return nil, nil, sh, false
	}
	b, sl, _, d := r.attnDims()
	cos, sin = kernels.RoPETable(r.segPositions(), d, r.ropeTheta())
	return cos, sin, kernels.RoPEShape{Batch: b, Heads: heads, T: sl, D: d, Rotary: d}, true
}

// ropeTheta is the model's RoPE base (10000 when a model built in Go
// leaves it 0).
func (r *rank) ropeTheta() float64 {
	if r.m.RopeTheta > 0 {
		return r.m.RopeTheta
	}
	return 10000
}

// attentionOpForward is attn_scores with the softmax, dropout (rate 0)
// and p·v fused into it: one attention kernel over q, k, v (head-major
// after the projection's split), the context merged back to token rows.
// Under cp the K/V exchange of the plan's cp_mode runs inside it, where
// the unit places it.
func attentionOpForward(c *call) error {
	r := c.r
	if r.mesh.CP > 1 && len(c.in.Inner) == 0 {
		return fmt.Errorf("cp = %d but the unit places no collective on attention", r.mesh.CP)
	}
	if r.m.MLA != nil {
		return mlaAttentionForward(c)
	}
	a := &attnActs{q: c.val(0), k: c.val(1), v: c.val(2)}
	_, _, heads, _ := r.attnDims()
	if cos, sin, sh, ok := r.rope(heads); ok {
		// rotary positions: q and k rotated in place (their only reader)
		kernels.RoPEForward(a.q, a.q, cos, sin, sh)
		sh.Heads = r.kvHeads()
		kernels.RoPEForward(a.k, a.k, cos, sin, sh)
	}
	if err := r.attentionForward(c, a); err != nil {
		return err
	}
	b, s, heads, d := r.attnDims()
	y := c.allocOut(len(a.q))
	r.mergeOut(y, a, b, s, heads, d)
	c.save(a)
	c.set(0, y)
	return nil
}

func attentionOpBackward(c *call) error {
	r := c.r
	if r.m.MLA != nil {
		return mlaAttentionBackward(c)
	}
	a := c.saved().(*attnActs)
	b, s, heads, d := r.attnDims()
	do := c.allocOut(len(a.q))
	r.splitOut(do, c.grad(0), a, b, s, heads, d)
	dq, dk, dv, err := r.attentionBackward(c, a, do)
	if err != nil {
		return err
	}
	if cos, sin, sh, ok := r.rope(heads); ok {
		rq, rk := c.alloc(len(dq)), c.alloc(len(dk))
		kernels.RoPEBackward(rq, dq, cos, sin, sh)
		sh.Heads = r.kvHeads()
		kernels.RoPEBackward(rk, dk, cos, sin, sh)
		dq, dk = rq, rk
	}
	c.addGrad(0, dq)
	c.addGrad(1, dk)
	c.addGrad(2, dv)
	return nil
}

// qkvForward is the fused q, k, v projection, its columns split into
// head-major q, k and v.
func qkvForward(c *call) error {
	if len(c.in.Out) != 3 {
		return fmt.Errorf("the program gives qkv %d outputs, not q, k and v", len(c.in.Out))
	}
	if err := linearForward(c); err != nil {
		return err
	}
	qkv := c.f.vals[c.in.Out[0]]
	b, s, heads, d := c.r.attnDims()
	kv := c.r.kvHeads()
	rows := b * s
	q, k, v := c.allocOut(rows*heads*d), c.allocOut(rows*kv*d), c.allocOut(rows*kv*d)
	if kv == heads {
		kernels.SplitQKV(q, k, v, qkv, b, s, heads, d)
	} else {
		kernels.SplitGroupedQKV(q, k, v, qkv, b, s, heads, kv, d)
	}
	c.set(0, q)
	c.set(1, k)
	c.set(2, v)
	c.release(qkv) // (the projection kept its input, not this)
	return nil
}

func qkvBackward(c *call) error {
	b, s, heads, d := c.r.attnDims()
	kv := c.r.kvHeads()
	dq, dk := c.grad(0), c.grad(1)
	dqkv := c.alloc(len(dq) + 2*len(dk))
	if kv == heads {
		kernels.JoinQKVGrad(dqkv, dq, dk, c.grad(2), b, s, heads, d)
	} else {
		kernels.JoinGroupedQKVGrad(dqkv, dq, dk, c.grad(2), b, s, heads, kv, d)
	}
	linearBackwardOf(c, c.saved().([]float32), dqkv)
	return nil
}

// headForward scores every token of the rank's rows against its
// vocabulary shard (wte's rows, tied, or lm_head's columns).
func headForward(c *call) error {
	r := c.r
	x := c.val(0)
	h := r.m.Hidden
	T := len(x) / h
	Vl := r.m.Vocab / r.tp
	logits := c.allocOut(T * Vl)
	if r.m.TieEmbeddings {
		r.kern().MatMulTransB(logits, x, c.w(0), T, h, Vl, false)
	} else {
		r.kern().MatMul(logits, x, c.w(0), T, h, Vl, false)
	}
	c.save(x)
	c.set(0, logits)
	return nil
}

func headBackward(c *call) error {
	r := c.r
	x := c.saved().([]float32)
	h := r.m.Hidden
	T := len(x) / h
	Vl := r.m.Vocab / r.tp
	dl := c.grad(0)
	dx, acc := c.gradOut(T * h)
	if r.m.TieEmbeddings {
		r.kern().MatMul(dx, dl, c.w(0), T, Vl, h, acc)
		c.wgrad(func() { r.kern().MatMulTransA(c.gw(0), dl, x, Vl, T, h, true) })
	} else {
		r.kern().MatMulTransB(dx, dl, c.w(0), T, Vl, h, acc)
		c.wgrad(func() { r.kern().MatMulTransA(c.gw(0), x, dl, h, T, Vl, true) })
	}
	c.addGrad(0, dx)
	return nil
}

// lossForward is the vocabulary-parallel cross-entropy: the row maxima,
// the sums of exponentials and the target logits meet over tp in the
// unit's three all-reduces of one float per token; the gradient of the
// logits is computed here, scaled by the micro-batch's share of the step.
func lossForward(c *call) error {
	if c.r.m.Kind == ir.MLPModel {
		return mseForward(c)
	}
	r, f := c.r, c.f
	logits := c.val(0)
	if f.targets == nil {
		r.loadTokens(f, c.mb, false) // a head stage without the embedding
	}
	T := len(f.targets)
	Vl := len(logits) / T
	vlo := r.vocabLo()
	reduce := c.in.InnerOf("max,sum,target")
	if r.tp > 1 && reduce == nil {
		return fmt.Errorf("tp = %d but the unit places no reduction on the loss", r.tp)
	}
	allReduce := func(buf []float32, op collective.ReduceOp) error {
		if reduce == nil {
			return nil
		}
		r.on(commLabel(reduce))
		return r.comm.AllReduce(toGroup(r.mesh.Group(reduce.Axis, r.id)), buf, op)
	}
	rowMax := make([]float32, T)
	kernels.CrossEntropyShardMax(rowMax, logits, T, Vl)
	if err := allReduce(rowMax, collective.Max); err != nil {
		return err
	}
	sumExp, tgtLogit := make([]float64, T), make([]float32, T)
	kernels.CrossEntropyShardSums(sumExp, tgtLogit, logits, f.targets, rowMax, T, Vl, vlo)
	sums := make([]float32, T)
	for i, v := range sumExp {
		sums[i] = float32(v)
	}
	if err := allReduce(sums, collective.Sum); err != nil {
		return err
	}
	if err := allReduce(tgtLogit, collective.Sum); err != nil {
		return err
	}
	for i, v := range sums {
		sumExp[i] = float64(v)
	}
	full := r.fullRows()
	dl := c.alloc(T * Vl)
	kernels.CrossEntropyShardGrad(dl, logits, f.targets, rowMax, sumExp, T, Vl, vlo, float32(1/float64(full*r.totalMB)))
	ce := kernels.CrossEntropyShardLoss(sumExp, tgtLogit, T)
	f.ce = ce
	if r.coord.TP == 0 { // every tp rank holds the same loss
		r.lossSum += ce * float64(T) / float64(full) / float64(r.totalMB)
	}
	c.save(dl)
	c.set(0, nil)
	return nil
}

func lossBackward(c *call) error {
	c.addGrad(0, c.saved().([]float32))
	return nil
}

// moeState is what the MoE block keeps: its input rows and the routing,
// dispatch and expert activations.
type moeState struct {
	x []float32
	a *moeActs
}

// moeOpForward is the MoE block fused into the router's kernel (the
// program's fused group): routing on the rows the program gives it (all
// of the micro-batch's rows this rank holds, or under ssmb its slice), the
// dispatch of the plan (padding-free, capacity, redundancy-bypassing)
// with its exchanges over ep, the experts, combine and the shared
// experts. Its auxiliary loss joins the micro-batch's.
func moeOpForward(c *call) error {
	r := c.r
	if r.mesh.EP > 1 && c.in.InnerOf("dispatch") == nil {
		return fmt.Errorf("ep = %d but the unit places no dispatch exchange on the MoE block", r.mesh.EP)
	}
	x := c.val(0)
	s := &moeState{x: x, a: &moeActs{}}
	out, err := r.moeForward(c, r.moeParamsOf(c.st, c.in.Op.Layer), x, s.a)
	if err != nil {
		return err
	}
	c.f.aux += s.a.aux
	c.save(s)
	c.set(0, out)
	return nil
}

func moeOpBackward(c *call) error {
	s := c.saved().(*moeState)
	dx := c.alloc(len(s.x))
	if err := c.r.moeBackward(c, c.r.moeParamsOf(c.st, c.in.Op.Layer), s.x, s.a, c.grad(0), dx); err != nil {
		return err
	}
	c.addGrad(0, dx)
	return nil
}
