package exec

import (
	"fmt"
	"slices"

	"planc/ir"
	"planc/runtime/collective"
	"planc/runtime/kernels"
)

// The interpreter: a stage's forward runs the compiled unit's program for
// the stage (ir.StageProgram, built by the passes' program pass) one
// instruction at a time, an op by the kernel bound to its kind (opKernels)
// and a layout conversion by its collective; backward runs the program in
// reverse, each op's backward kernel and each conversion's adjoint.
// Nothing here knows what a layer is: the program says which ops run, in
// which order, on which values, and where the collectives are.

// frame holds one micro-batch's values on one stage: activations and
// gradients by value name, and what each instruction kept for backward.
type frame struct {
	vals, grads map[string][]float32
	state       map[*ir.Instr]any
	// ids and targets are the micro-batch's tokens at this rank's cp
	// chunks (read by the embedding, the loss), pos their positions.
	ids, targets, pos []int32
	aux               float64 // MoE auxiliary losses of the micro-batch
	ce                float64 // the micro-batch's mean cross-entropy (the loss's)
	// owned are the buffers the frame's kernels took from the stage's
	// pool (call.alloc); they go back when the frame ends (what leaves
	// the frame, the value sent to the next stage and the gradient sent
	// to the previous one, leaves as a copy: handOff).
	owned [][]float32
	// bwdFrom is len(owned) when backward began: the buffers after it
	// were taken by backward (releaseDead); live is releaseDead's scratch.
	bwdFrom int
	live    []*float32
	// regather holds the gathered values whose reader's backward gathers
	// them again (Instr.Regather), by value name, until it has.
	regather map[string]*ir.Instr
	// mlpX is an mlp model's inputs of the micro-batch, whole, drawn once
	// for the first layer and the teacher (mlp.go).
	mlpX []float32
}

// bufferPool recycles a stage's activation and gradient buffers across
// micro-batches: the same program allocates the same sizes every time,
// so a step after the first allocates (and the garbage collector scans)
// almost nothing.
type bufferPool map[int][][]float32

// The pool's new buffers are carved from chunks of arenaChunk floats
// (stage.carve) backed by 2 MiB pages (bigFloats): a pipeline stage's
// micro-batches in flight hold megabytes of activations (tiny_gpt's gpipe
// stage: 6 MiB, 1,600 pages of 4 KiB), more than a core's TLB covers.
// Measured side by side, tiny_gpt pp=2 gpipe's step went from 10% slower
// than 1f1b's to even; carved on 4 KiB pages, 3d's 8 ranks ran 5% slower
// than on the heap (no counters on this VM to tell TLB from cache misses).
// Buffers above arenaLargest floats get a chunk of their own.
const (
	arenaChunk   = 2 << 20 // 8 MiB: three or four whole 2 MiB pages
	arenaLargest = arenaChunk / 4
)

// alloc returns a zeroed buffer of n elements from the stage's pool, owned
// by the frame: for kernels that add into their output.
func (c *call) alloc(n int) []float32 {
	b, recycled := c.take(n)
	if recycled {
		clear(b)
	}
	return b
}

// allocOut is alloc for a kernel that writes every element of the buffer
// (a product that overwrites, a copy, a row-wise transform): a recycled
// buffer keeps an earlier micro-batch's values, since clearing it would be
// wasted (a tenth of a hidden-256 step's CPU time).
func (c *call) allocOut(n int) []float32 {
	b, _ := c.take(n)
	return b
}

// gradOut returns a buffer of n elements for an input gradient that a
// product computes, and whether the product must add into it: never, as
// both the Go kernels and the generated ones (codegen/llvm's dense linear
// and head specs) overwrite, so the buffer is not cleared.
func (c *call) gradOut(n int) (b []float32, accumulate bool) {
	return c.allocOut(n), false
}

// take hands out a buffer of n elements, a recycled one when the pool has
// one (recycled true: its contents are stale), owned by the frame.
func (c *call) take(n int) (b []float32, recycled bool) { return c.st.take(c.f, n) }

// take hands out a buffer of n elements from st's pool, or a new one,
// owned by frame f (back to the pool when f ends).
func (st *stage) take(f *frame, n int) (b []float32, recycled bool) {
	free := st.pool[n]
	if k := len(free); k > 0 {
		b, st.pool[n] = free[k-1], free[:k-1]
		recycled = true
	} else {
		b = st.carve(n)
	}
	f.owned = append(f.owned, b)
	return b, recycled
}

// carve returns n zeroed floats: the next of the stage's arena chunk,
// 64-byte aligned (a new chunk when the rest is too short), or a chunk of
// their own above arenaLargest. Never freed one by one: the pool keeps
// what it is given.
func (st *stage) carve(n int) []float32 {
	if n > arenaLargest {
		return bigFloats(n)
	}
	step := (n + 15) &^ 15
	if len(st.arena) < step {
		st.arena = bigFloats(arenaChunk)
	}
	b := st.arena[:n:n]
	st.arena = st.arena[step:]
	return b
}

// release gives buffer b, taken by this frame and read no more, back to
// the stage's pool before the frame ends (a forward's scratch: the frames
// of a pipeline's micro-batches in flight would each hold it).
func (c *call) release(b []float32) {
	f, k := c.f, backing(b)
	for i := len(f.owned) - 1; i >= 0; i-- {
		if backing(f.owned[i]) == k {
			c.st.give(f.owned[i])
			f.owned = slices.Delete(f.owned, i, i+1)
			return
		}
	}
}

// give puts buffer b (as taken: its whole length) in the stage's pool.
func (st *stage) give(b []float32) {
	if st.pool == nil {
		st.pool = bufferPool{}
	}
	st.pool[len(b)] = append(st.pool[len(b)], b)
}

// copyOf returns a copy of x in a buffer of the frame's.
func (c *call) copyOf(x []float32) []float32 {
	b := c.allocOut(len(x))
	copy(b, x)
	return b
}

// backing identifies the array under a slice: the address of its last
// element (a sub-slice such as a rank's own rows shares it).
func backing(b []float32) *float32 { return &b[:cap(b)][cap(b)-1] }

// handOff returns what leaves the frame (its output for the next stage,
// its input gradient for the previous one) as a copy on the heap: the
// frame's buffer stays the frame's, back to the pool at its end (a buffer
// of the arena handed away would never come back to it). The transports
// copy what they send besides; the value is a boundary's, a few
// micro-batch rows.
func handOff(b []float32) []float32 { return slices.Clone(b) }

// endFrame drops micro-batch mb's frame, its buffers back to the pool and
// the frame, emptied, to the spares.
func (st *stage) endFrame(mb int) {
	f := st.frames[mb]
	if f == nil {
		return
	}
	delete(st.frames, mb)
	for _, b := range f.owned {
		if cap(b) > 0 {
			st.give(b)
		}
	}
	f.reset()
	st.spare = append(st.spare, f)
}

// releaseDead ends instruction in's backward on frame f: the gradients of
// its outputs are dead (a value has one producer, whose backward runs
// after every reader's), and so is every buffer backward has taken that
// no live gradient holds (a kernel's scratch, a gradient added into
// another). They go back to the stage's pool at once, so that the next
// instructions' backwards take them while they are still in cache: held
// to the frame's end, a backward's buffers were as many bytes as its
// activations, each touched once (the frames of a gpipe stage, all in
// flight, pushed each other out of the caches). Only under a backward
// whose weight gradients run now: a split backward's W reads them later.
func (st *stage) releaseDead(f *frame, in *ir.Instr) {
	for _, o := range in.Out {
		delete(f.grads, o)
	}
	live := f.live[:0]
	for _, g := range f.grads {
		if cap(g) > 0 {
			live = append(live, backing(g))
		}
	}
	f.live = live
	keep := f.owned[:f.bwdFrom]
	for _, b := range f.owned[f.bwdFrom:] {
		if slices.Contains(live, backing(b)) {
			keep = append(keep, b)
			continue
		}
		st.give(b)
	}
	clear(f.owned[len(keep):])
	f.owned = keep
}

// newFrame returns an empty frame: an ended one where there is one, whose
// maps keep the room the same program filled (a new frame's maps grew and
// rehashed as every micro-batch named its values again).
func (st *stage) newFrame() *frame {
	if k := len(st.spare); k > 0 {
		f := st.spare[k-1]
		st.spare = st.spare[:k-1]
		return f
	}
	return &frame{vals: map[string][]float32{}, grads: map[string][]float32{}, state: map[*ir.Instr]any{}, regather: map[string]*ir.Instr{}}
}

// reset empties f (its maps keep their room).
func (f *frame) reset() {
	clear(f.vals)
	clear(f.grads)
	clear(f.state)
	clear(f.regather)
	clear(f.owned) // (drop the references: the pool holds what it keeps)
	f.owned = f.owned[:0]
	f.bwdFrom = 0
	f.ids, f.targets, f.pos, f.mlpX = nil, nil, nil, nil
	f.aux, f.ce = 0, 0
}

// call is one instruction's execution context.
type call struct {
	r  *rank
	st *stage
	f  *frame
	in *ir.Instr
	mb int
}

func (c *call) val(i int) []float32 { return c.f.vals[c.in.In[i]] }
func (c *call) set(i int, v []float32) {
	c.f.vals[c.in.Out[i]] = v
}

// grad returns the gradient of output i (nil when nothing downstream
// needs it).
func (c *call) grad(i int) []float32 { return c.f.grads[c.in.Out[i]] }

// addGrad adds g to the gradient of input i. The frame takes g over when
// it is the first: a kernel passes buffers it allocated, or (the residual)
// one whose only other reader has finished with it.
func (c *call) addGrad(i int, g []float32) {
	name := c.in.In[i]
	if have, ok := c.f.grads[name]; ok {
		kernels.Add(have, g)
		return
	}
	c.f.grads[name] = g
}

// gradBuf returns the gradient buffer of input i (n elements, zero when
// new), for kernels that accumulate into it.
func (c *call) gradBuf(i, n int) []float32 {
	name := c.in.In[i]
	if have, ok := c.f.grads[name]; ok {
		return have
	}
	g := c.alloc(n)
	c.f.grads[name] = g
	return g
}

// w and gw return parameter i of the instruction and its gradient; has
// says whether the instruction names it.
func (c *call) w(i int) []float32  { return c.st.w(c.in.Params[i]) }
func (c *call) gw(i int) []float32 { return c.st.gr(c.in.Params[i]) }
func (c *call) has(i int) bool     { return i < len(c.in.Params) }

func (c *call) save(v any) { c.f.state[c.in] = v }
func (c *call) saved() any { return c.f.state[c.in] }

// wgrad runs weight-gradient work now, or under a split backward (zb
// schedules) when the schedule's W action comes.
func (c *call) wgrad(fn func()) { c.r.wgrad(c.st, c.mb, fn) }

// opKernel runs one op kind forward and backward.
type opKernel struct {
	fwd, bwd func(*call) error
}

// kernelOf returns op kind k's kernel: the one bound in opKernels, or,
// for an elementwise kind whose Go kernels (kernels.ByKind, as the
// registry names them) are y = f(x) and dx = f′(x)·dy, the generic one: a
// new activation needs no code here.
func kernelOf(k ir.OpKind) (opKernel, bool) {
	if kn, ok := opKernels[k]; ok {
		return kn, true
	}
	fns := kernels.ByKind[k]
	if len(fns) != 2 {
		return opKernel{}, false
	}
	fwd, ok1 := fns[0].(func(y, x []float32))
	bwd, ok2 := fns[1].(func(dx, dy, x []float32))
	if !ok1 || !ok2 {
		return opKernel{}, false
	}
	return opKernel{
		fwd: func(c *call) error {
			x := c.val(0)
			y := c.allocOut(len(x)) // y = f(x): every element written
			fwd(y, x)
			c.save(x)
			c.set(0, y)
			return nil
		},
		bwd: func(c *call) error {
			x := c.saved().([]float32)
			dx := c.alloc(len(x))
			bwd(dx, c.grad(0), x)
			c.addGrad(0, dx)
			return nil
		},
	}, true
}

// runForward runs stage st's program for micro-batch mb on input x (nil on
// the first stage) and returns the value it sends on (nil on the last).
func (r *rank) runForward(st *stage, mb int, x []float32) ([]float32, error) {
	f := st.newFrame()
	st.frames[mb] = f
	p := st.prog
	if p.Input != "" {
		f.vals[p.Input] = x
	}
	if p.Data != "" && r.m.Kind == ir.MLPModel { // (the embedding reads the tokens itself)
		f.vals[p.Data] = r.mlpStageInput(st, f, mb, p.Instrs[0].Op.Inputs[0])
	}
	for _, in := range p.Instrs {
		c := &call{r: r, st: st, f: f, in: in, mb: mb}
		t0 := r.clock()
		if err := c.forward(); err != nil {
			return nil, fmt.Errorf("%s: %w", in.Name(), err)
		}
		if r.prof != nil { // (a conversion's label is built: not when nobody reads it)
			r.record(instrLabel(in, false), "forward", t0)
		}
	}
	// The auxiliary loss is the micro-batch's, the same on every tp and
	// cp rank: it counts once.
	if r.coord.TP == 0 && r.coord.CP == 0 {
		r.lossSum += f.aux / float64(r.totalMB)
	}
	if p.Output == "" {
		return nil, nil
	}
	return handOff(f.vals[p.Output]), nil
}

// runBackward runs the backward of stage st for micro-batch mb given the
// gradient of its output (nil on the last stage) and returns the gradient
// of its input (nil on the first).
func (r *rank) runBackward(st *stage, mb int, dy []float32) ([]float32, error) {
	f := st.frames[mb]
	if f == nil {
		return nil, fmt.Errorf("backward of stage %d micro-batch %d before its forward", st.info.Index, mb)
	}
	p := st.prog
	f.bwdFrom = len(f.owned)
	if p.Output != "" {
		f.grads[p.Output] = dy
	} else if n := len(p.Instrs); n > 0 {
		// the loss is where backward starts: its kernel kept the
		// gradient of its input; its own output's is the unit seed
		f.grads[p.Instrs[n-1].Out[0]] = []float32{1}
	}
	for i := len(p.Instrs) - 1; i >= 0; i-- {
		c := &call{r: r, st: st, f: f, in: p.Instrs[i], mb: mb}
		t0 := r.clock()
		if err := c.backward(); err != nil {
			return nil, fmt.Errorf("%s backward: %w", c.in.Name(), err)
		}
		if !r.split { // (a split backward's W still reads them)
			st.releaseDead(f, c.in)
		}
		if r.prof != nil {
			r.record(instrLabel(c.in, true), "backward", t0)
		}
	}
	var dx []float32
	if p.Input != "" {
		dx = f.grads[p.Input]
		if dx == nil {
			return nil, fmt.Errorf("stage %d: no gradient reached its input %s", st.info.Index, p.Input)
		}
		dx = handOff(dx)
	}
	if !r.split {
		st.endFrame(mb)
	}
	return dx, nil
}

func (c *call) forward() error {
	if c.in.Kind == ir.InstrConvert {
		return c.convertForward()
	}
	kn, _ := kernelOf(c.in.Op.Kind)
	return kn.fwd(c)
}

func (c *call) backward() error {
	if c.in.Kind == ir.InstrConvert {
		return c.convertBackward()
	}
	for i := range c.in.Out {
		if c.grad(i) == nil {
			return fmt.Errorf("no gradient reached %s", c.in.Out[i])
		}
	}
	for _, v := range c.in.In {
		if err := c.regather(v); err != nil {
			return err
		}
	}
	kn, _ := kernelOf(c.in.Op.Kind)
	return kn.bwd(c)
}

// regather gathers value v again from this rank's rows before the first
// backward that reads it, when its conversion says the reader keeps only
// those rows (a sequence-parallel GEMM's input): the communication of the
// unit's re-gather collective. The gathered rows are written into the
// buffer the reader's kernel kept (this runtime does not yet free it
// between forward and backward).
func (c *call) regather(v string) error {
	conv := c.f.regather[v]
	if conv == nil {
		return nil
	}
	delete(c.f.regather, v)
	whole, err := c.r.collective(conv.Regather, c.f.vals[conv.In[0]])
	if err != nil {
		return fmt.Errorf("re-gather %s: %w", v, err)
	}
	copy(c.f.vals[v], whole)
	return nil
}

// A layout conversion's halves, by the collectives the unit placed: an
// all-reduce completes partial sums (its adjoint is the identity), a
// reduce-scatter completes them to this rank's rows and an all-gather
// collects every rank's rows (each the other's adjoint); a forward
// all-gather without a backward half feeds a consumer replicated over the
// axis, whose gradient (the same on every rank) is cut back to this rank's
// rows; a backward all-gather without a forward half answers a consumer
// that reads this rank's rows of a replicated value.
func (c *call) convertForward() error {
	x := c.val(0)
	var err error
	switch {
	case c.in.Fwd != nil && c.in.Cols && c.in.Fwd.Kind == ir.AllGather:
		x, err = c.gatherCols(c.in.Fwd, x, c.in.Width)
	case c.in.Fwd != nil:
		x, err = c.r.collective(c.in.Fwd, x)
	case c.in.Bwd != nil && c.in.Bwd.Kind == ir.AllGather:
		x = c.own(x, c.in.Bwd.Axis, c.in.Cols, c.in.Width)
	}
	c.set(0, x)
	if c.in.Regather != nil {
		c.f.regather[c.in.Out[0]] = c.in
	}
	return err
}

func (c *call) convertBackward() error {
	g := c.grad(0)
	if g == nil {
		return nil
	}
	var err error
	switch {
	case c.in.Bwd != nil && c.in.Cols && c.in.Bwd.Kind == ir.AllGather:
		g, err = c.gatherCols(c.in.Bwd, g, c.in.Width)
	case c.in.Bwd != nil:
		g, err = c.r.collective(c.in.Bwd, g)
	case c.in.Fwd != nil && c.in.Fwd.Kind == ir.AllGather:
		if g = c.own(g, c.in.Fwd.Axis, c.in.Cols, c.in.Width); !c.in.Cols {
			g = c.copyOf(g) // rows: a part of the gradient, which stays its value's
		}
	}
	if err != nil {
		return err
	}
	c.addGrad(0, g)
	return nil
}

// own returns this rank's part of x along axis: its contiguous 1/degree
// of the rows, or (cols) of the columns of a rows × width matrix.
func (r *rank) own(x []float32, axis ir.Axis, cols bool, width int) []float32 {
	p, i := r.mesh.Degree(axis), r.mesh.Index(axis, r.id)
	if !cols {
		n := len(x) / p
		return x[i*n : (i+1)*n]
	}
	rows, wl := len(x)/width, width/p
	out := make([]float32, rows*wl)
	kernels.CopyCols(out, x, rows, width, i*wl, (i+1)*wl)
	return out
}

// own is rank.own for a conversion: this rank's columns are copied into
// a buffer of the frame's (its rows are a part of x, as there).
func (c *call) own(x []float32, axis ir.Axis, cols bool, width int) []float32 {
	if !cols {
		return c.r.own(x, axis, false, width)
	}
	p, i := c.r.mesh.Degree(axis), c.r.mesh.Index(axis, c.r.id)
	rows, wl := len(x)/width, width/p
	out := c.allocOut(rows * wl)
	kernels.CopyCols(out, x, rows, width, i*wl, (i+1)*wl)
	return out
}

// gatherCols all-gathers every rank's columns of a rows × width matrix
// (x: this rank's rows × width/degree) into the whole matrix, a buffer of
// the frame's.
func (c *call) gatherCols(coll *ir.Collective, x []float32, width int) ([]float32, error) {
	// the byte breakdown counts a phantom layer's column exchanges with
	// its ghosts (columns are split only around phantom layers)
	parts, err := c.r.collectiveAs(coll, x, "phantom")
	if err != nil {
		return nil, err
	}
	p := c.r.mesh.Degree(coll.Axis)
	wl := width / p
	rows := len(x) / wl
	out := c.allocOut(rows * width)
	for i := 0; i < p; i++ {
		kernels.SetCols(out, parts[i*rows*wl:(i+1)*rows*wl], rows, width, i*wl, (i+1)*wl)
	}
	return out, nil
}

// ownRows returns this rank's contiguous 1/degree of x's rows along axis.
func (r *rank) ownRows(x []float32, axis ir.Axis) []float32 {
	n := len(x) / r.mesh.Degree(axis)
	i := r.mesh.Index(axis, r.id)
	return x[i*n : (i+1)*n]
}

// collective runs c on buf over this rank's group of c's axis and returns
// the result (an all-reduce works in place).
func (r *rank) collective(c *ir.Collective, buf []float32) ([]float32, error) {
	return r.collectiveAs(c, buf, commLabel(c))
}

// collectiveAs is collective with the byte breakdown's label given.
func (r *rank) collectiveAs(c *ir.Collective, buf []float32, label string) ([]float32, error) {
	r.on(label)
	g := toGroup(r.mesh.Group(c.Axis, r.id))
	if len(g) < 2 {
		return buf, nil
	}
	switch c.Kind {
	case ir.AllReduce:
		return buf, r.comm.AllReduce(g, buf, collective.Sum)
	case ir.ReduceScatter:
		return r.comm.ReduceScatter(g, buf, collective.Sum)
	case ir.AllGather:
		return r.comm.AllGather(g, buf)
	}
	return nil, fmt.Errorf("collective %s: %s is not a layout conversion", c.Name, c.Kind)
}

// commLabel is the byte-breakdown label of a collective (StepResult.ByKind):
// its axis.
func commLabel(c *ir.Collective) string { return string(c.Axis) }
