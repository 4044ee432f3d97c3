package exec

import (
	"planc/ir"
	"planc/runtime/collective"
	"planc/runtime/data"
	"planc/runtime/llvmk"
	"planc/runtime/tensor"
)

// stage is one virtual stage as held by one rank: the local shards of its
// parameters in one flat buffer (in modelSpecs order), their gradients, and
// the activations of the micro-batches in flight.
type stage struct {
	info  ir.StageInfo
	specs []*paramSpec
	p, g  []float32
	off   map[string]int
	// index[i] maps the local shard of specs[i] to whole-tensor indices.
	index [][]int32
	// prog is the unit's program for the stage, run by the interpreter
	// (nil: the stage still runs on the hand-written layers); frames
	// holds its micro-batches in flight.
	prog   *ir.StageProgram
	frames map[int]*frame
	pool   bufferPool // the frames' buffers, recycled
	spare  []*frame   // ended frames, emptied, for the next micro-batches
	arena  []float32  // the rest of the chunk the pool's new buffers come from (carve)
	// deferred holds the weight-gradient work of a split backward (zb-h1,
	// zb-v), run by W, per micro-batch.
	deferred map[int][]func()
	// owned lists the [lo, hi) ranges of the flat buffer this rank updates
	// (all of it without ZeRO; its chunk of every bucket with ZeRO).
	owned [][2]int
	// normRuns are the [lo, hi) ranges of the flat buffer whose squares
	// this rank adds to the global gradient norm (each element of the
	// model exactly once over the ranks).
	normRuns [][2]int
	decay    []bool
	updates  []updateRun // the optimizer's calls (updateRuns), taken at its first step
	m, v     []float32   // AdamW moments of the owned ranges, in order
	buckets  [][2]int    // REDUCE_GRAD buckets as flat ranges
	// gathered is ZeRO-3's parameter all-gather buffer (gatherBuckets).
	gathered []float32
	// expertBucket marks the buckets of routed experts (under ep), which
	// reduce over the expert-data-parallel group; nDense is where the
	// expert parameters start in the flat buffer (len(p) when none).
	expertBucket []bool
	nDense       int
	// bias and counts are the balancing bias of each MoE layer the stage
	// holds and its routed copies this step (moe.bias_balance; balance.go).
	bias   map[string][]float32
	counts map[string][]float64
	// moe holds the MoE blocks' parameters by layer, resolved at each
	// block's first call (ops_expert.go).
	moe map[int]*moeParams
	// phantom holds the phantom layers' parameters by name, resolved at
	// each layer's first call (ops_phantom.go).
	phantom map[string]*phantomLayerParams
}

// momentIndex maps each flat element to its place in the owned moments,
// or -1 when another rank owns it.
func (s *stage) momentIndex() []int {
	idx := make([]int, len(s.p))
	for i := range idx {
		idx[i] = -1
	}
	k := 0
	for _, o := range s.owned {
		for i := o[0]; i < o[1]; i++ {
			idx[i] = k
			k++
		}
	}
	return idx
}

func (s *stage) w(name string) []float32 {
	o, ok := s.off[name]
	if !ok {
		panic("exec: stage has no parameter " + name)
	}
	return s.p[o : o+s.size(name)]
}

func (s *stage) gr(name string) []float32 {
	o := s.off[name]
	return s.g[o : o+s.size(name)]
}

func (s *stage) size(name string) int {
	for i, sp := range s.specs {
		if sp.Name == name {
			return len(s.index[i])
		}
	}
	panic("exec: no parameter " + name)
}

// rank is one rank's share of the model and its view of the job.
type rank struct {
	id     int
	coord  ir.Coord
	plan   *ir.Plan
	m      *ir.Model
	params ir.ParamTable // the compiled unit's
	comm   collective.Comm
	tc     *timedComm // comm, when it is measured
	// action is the schedule action being executed, so that a failure can
	// say what the rank was doing (actionText).
	action ir.Action
	mesh   ir.Mesh
	tp     int
	tpG    collective.Group
	seed   int64
	data   *data.Stream
	// totalMB is the micro-batches of the global batch (the divisor of the
	// step's mean loss); localMB those of this rank's pipeline.
	totalMB, localMB int
	split            bool // split backward (W actions)
	sp               bool // Megatron sequence parallelism inside tp
	ssmb             bool // sequence-sharded MoE blocks
	rbd              bool // redundancy-bypassing dispatch (with ep)
	perNode          int  // ranks per node (rbd's pilots)
	stages           map[int]*stage
	teacher          []*tensor.Tensor // mlp teacher weights, whole: w0, b0, w1, b1, ...
	step             int
	// lossSum is this rank's contribution to the step's loss (counted on
	// tp index 0 only); drops counts capacity-dropped token copies.
	lossSum float64
	drops   int64
	// scored counts the query-key pairs this rank's attention kernels
	// scored in forward (what the cp layout balances; see cplayout.go).
	scored int64
	// normSq is the global squared gradient norm after GRAD_NORM.
	normSq float64
	// evalWindows makes sample index w the evaluation window w.
	evalWindows bool
	// ops runs the hot kernels: the Go kernels or the generated ones
	// (nil: the Go kernels; see kern).
	ops llvmk.Ops
	// prof, when set, times the rank's instructions and actions.
	prof *InstrProfile
}

// kern returns the kernels this rank runs its hot ops on.
func (r *rank) kern() llvmk.Ops {
	if r.ops == nil {
		return llvmk.GoOps{}
	}
	return r.ops
}

// on names the kind of communication that follows, for the byte and time
// breakdown (StepResult.ByKind).
func (r *rank) on(kind string) {
	if r.tc != nil {
		r.tc.kind = kind
	}
}

// wgrad runs weight-gradient work now, or defers it to W under a split
// backward.
func (r *rank) wgrad(st *stage, mb int, fn func()) {
	if r.split {
		st.deferred[mb] = append(st.deferred[mb], fn)
		return
	}
	fn()
}

// sample returns the seq+1 tokens of sample index of the current step: the
// seed's sample order in training, consecutive windows in evaluation.
func (r *rank) sample(index int) []int32 {
	if r.evalWindows {
		return r.data.Window(index, r.m.Seq)
	}
	return r.data.Sample(r.seed, r.step, index, r.m.Seq)
}

// rows returns the token rows this rank holds of a micro-batch: b
// sequences of seq/cp positions each (its cp chunks, cplayout.go).
func (r *rank) rows() int { return r.plan.MicroBatch * r.segLen() }

// segLen is the positions of each sequence this rank holds: seq/cp, its
// cp chunks (cplayout.go).
func (r *rank) segLen() int { return r.m.Seq / r.mesh.CP }

// fullRows is the token count of a whole micro-batch (the divisor of its
// mean loss).
func (r *rank) fullRows() int { return r.plan.MicroBatch * r.m.Seq }

// globalMB returns the index in the global batch of this rank's local
// micro-batch mb: dp rank d takes micro-batches [d·localMB, (d+1)·localMB).
func (r *rank) globalMB(mb int) int { return r.coord.DP*r.localMB + mb }

// forward runs stage st's program for micro-batch mb (see interp.go).
func (r *rank) forward(st *stage, mb int, x []float32) ([]float32, error) {
	return r.runForward(st, mb, x)
}

// vocabLo is the first vocabulary row of this rank's shard of wte (and
// column of lm_head): tp index · V/tp.
func (r *rank) vocabLo() int { return r.coord.TP * (r.m.Vocab / max(r.tp, 1)) }

// backward runs the backward of stage st's program for micro-batch mb.
func (r *rank) backward(st *stage, mb int, dy []float32) ([]float32, error) {
	return r.runBackward(st, mb, dy)
}

// runDeferred runs the weight gradients of a split backward (W).
func (r *rank) runDeferred(st *stage, mb int) {
	for _, fn := range st.deferred[mb] {
		fn()
	}
	delete(st.deferred, mb)
	st.endFrame(mb)
}
