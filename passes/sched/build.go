// Package sched lowers a plan to its runtime schedule ([ir.Schedule]) and
// verifies schedules.
//
// [Build] produces, for every rank, the ordered actions of one training
// step: the pipeline schedule's forwards and backwards (gpipe, 1f1b,
// interleaved, zb-h1, zb-v) with the sends and recvs between virtual stages,
// the ZeRO-3 parameter gathers prefetched one compute action ahead (one
// per parameter class, over the group that shards it), the data-parallel
// gradient reduction in buckets issued as soon as a stage's gradients are
// final (so that it overlaps the rest of the backward; under ZeRO-3 as soon
// as each micro-batch's are, the tied embedding's bucket aside), the tied-embedding
// gradient sum between the first and last stage right before the
// embedding's own bucket is reduced, the global gradient-norm all-reduce
// and the optimizer step, and for ZeRO-1/2 the gather of the updated
// parameters.
//
// Under sequence parallelism (sp, tp > 1) and sequence-sharded MoE blocks
// (ssmb) the parameters that every tp rank holds whole but applies to its
// own slice of the tokens (LayerNorms, the biases added after a
// reduce-scatter, the final norm; under ssmb the router and the shared
// experts) get partial-sum gradients, which one ALLREDUCE_SEQ per stage
// sums over the tp group ([Sizes.StageSeqParams] says how many per rank).
// When tp exceeds a grouped-query model's kv_heads, the tp ranks sharing a
// key/value head (an [ir.AxisKV] group) hold copies of its qkv columns
// with partial gradients (each from its own query heads): one ALLREDUCE_KV
// per stage sums them over that group, right after the stage's
// ALLREDUCE_SEQ position ([Sizes.StageKVParams] says how many per rank).
// The ALLREDUCE_SEQ is issued after the stage's REDUCE_GRADs, and on a stage that holds
// a copy of the tied embedding after ALLREDUCE_TIED, as Megatron-LM's
// finalize_model_grads does (data-parallel reduction, then the
// layer-norm all-reduce):
//
//   - The sum is linear, so reducing over dp first and over tp second
//     gives the full sum on every element for ZeRO-0, and for ZeRO-1/2/3
//     on each rank's owned chunk of the reduce-scatter (tp peers have the
//     same dp index and the same flat layout, so they own the same chunk),
//     which is all that the norm and the optimizer read.
//   - Issuing it before the reductions would make every bucket of the
//     stage wait for the end of its backward plus the tp sum, losing the
//     overlap of the buckets with the stage's last backward (the
//     simulator issues a stage's buckets during it); after them it
//     overlaps whatever backward remains and costs only its own
//     intra-node all-reduce at the end.
//   - On the stages that hold the tied embedding the tp sum comes after
//     ALLREDUCE_TIED: a parameter that were partial over tp on both stages
//     would otherwise be counted tp times on the side that summed first.
//     The embedding is vocabulary-parallel (each tp rank holds whole rows
//     of its slice), so today only wpe and the LayerNorms are tp-partial;
//     the order keeps the contract safe whatever a stage holds.
//   - Deadlock freedom: the members of a tp group hold the same stages and
//     run the same program, so they issue their tp sums, and every other
//     collective, in the same order on their one collective stream; the
//     verifier checks it.
//
// Which parameters each gradient bucket holds is decided from the plan and
// the unit's parameter table ([BucketLayout]) and written into the schedule
// ([ir.StageInfo.Buckets]): the compiler's schedule and the one the runtime
// builds for itself cut the same buckets, and the runtime executes the
// buckets of whichever schedule it is given.
//
// [Verify] checks any schedule: matched sends and recvs, collectives called
// in one order by every member of their group, and freedom from deadlock by
// executing the schedule abstractly; it reports each rank's peak of
// in-flight micro-batches.
//
// A schedule does not depend on how long stages take: every order is the
// published construction of its schedule; the sizes of the data moved come
// from [Sizes].
package sched

import (
	"fmt"

	"planc/ir"
)

// Sizes are the byte counts a schedule carries, per rank.
type Sizes struct {
	// Boundary is the activation (and its gradient) one rank passes between
	// consecutive virtual stages for one micro-batch.
	Boundary int64
	// Layers partitions the transformer layers: Layers[s] is the count held
	// by virtual stage s. Nil: an even split (see EvenPartition).
	Layers []int
	// StageParams[s] and StageExpertParams[s] are the parameter counts one
	// rank holds of virtual stage s (after tp and ep sharding).
	StageParams       []int64
	StageExpertParams []int64
	// TiedParams is the tied embedding's parameter count per rank (0: none
	// or untied).
	TiedParams int64
	// ParamBytes and GradBytes are the bytes of one parameter as stored for
	// compute (bf16: 2) and of one gradient as reduced (Megatron reduces in
	// the parameters' dtype unless told to accumulate in fp32).
	ParamBytes, GradBytes int64
	// BucketParams is the gradient bucket size in parameters.
	BucketParams int64
	// StageUnits[s] are virtual stage s's parameter units with their
	// element counts on one rank, in the stage's parameter order (see
	// [ir.ParamUnit]); each gradient bucket's bytes are the sum of its
	// units'. Which units form a bucket is decided by [BucketLayout], from
	// BucketUnits, so that every producer of sizes (the compiler's graph,
	// the runtime's parameters) gets the same buckets. Nil: the buckets are
	// cut from StageParams by bytes alone and carry no layout (a schedule
	// only for the simulator, which no runtime executes).
	StageUnits [][]ir.ParamUnit
	// BucketUnits[s] are the units that the bucket layout is cut from:
	// those of the unit's parameter table ([ir.StageUnits]), which the
	// runtime holds. Nil: StageUnits.
	BucketUnits [][]ir.ParamUnit
	// StageCollectives[s] are virtual stage s's internal collectives.
	StageCollectives [][]ir.StageCollective
	// StageSeqParams[s] is the parameter count, per rank, of virtual stage
	// s's parameters whose gradients are partial sums over tp (see
	// [ir.ActAllReduceSeq]): each such stage gets one ALLREDUCE_SEQ of
	// StageSeqParams[s]·GradBytes bytes when tp > 1. Nil or 0: none.
	StageSeqParams []int64
	// StageKVParams[s] is the parameter count, per rank, of virtual stage
	// s's replicated key/value columns (see [ir.ActAllReduceKV]): each such
	// stage gets one ALLREDUCE_KV of StageKVParams[s]·GradBytes bytes over
	// the rank's kv group when tp exceeds kv_heads. Nil or 0: none.
	StageKVParams []int64
}

// Build lowers plan p (all fields resolved) to its schedule with the sizes
// sz, every rank's program written out. Errors are diagnostics at the plan
// field that makes the schedule impossible.
func Build(p *ir.Plan, sz Sizes) (*ir.Schedule, ir.Diagnostics) {
	s, diags := BuildFolded(p, sz)
	if s != nil {
		s = s.Expand()
		s.FoldDP, s.GroupUse = 0, nil
	}
	return s, diags
}

// BuildFolded is [Build] that writes out only the programs of the ranks
// of one block of data-parallel replicas ([FoldBlock]): the others run
// them moved ([ir.Schedule.Program]), so that its cost grows with pp·tp·cp
// and the micro-batches, not with dp.
func BuildFolded(p *ir.Plan, sz Sizes) (*ir.Schedule, ir.Diagnostics) { return build(p, sz, true) }

// build builds the schedule, folded or with every program written out.
func build(p *ir.Plan, sz Sizes, fold bool) (*ir.Schedule, ir.Diagnostics) {
	var diags ir.Diagnostics
	pp, v := p.PP, max(p.VPP, 1)
	m := p.MicroBatches()
	kind := p.Schedule
	if kind == "" {
		kind = ir.Schedule1F1B
	}
	switch kind {
	case ir.ScheduleGPipe, ir.Schedule1F1B, ir.ScheduleZBH1:
		if v != 1 {
			diags = append(diags, ir.Errorf(p.FieldSpan("vpp"), "schedule %s runs one stage per pipeline rank, but vpp = %d", kind, v))
		}
	case ir.ScheduleInterleaved:
		if v < 2 {
			diags = append(diags, ir.Errorf(p.FieldSpan("vpp"), "schedule interleaved needs vpp >= 2, got %d", v))
		}
		if m%pp != 0 {
			diags = append(diags, ir.Errorf(p.FieldSpan("schedule"), "schedule interleaved needs the micro-batches per step (%d) to be a multiple of pp (%d)", m, pp))
		}
	case ir.ScheduleZBV:
		if v != 2 {
			diags = append(diags, ir.Errorf(p.FieldSpan("vpp"), "schedule zb-v holds exactly 2 stages per pipeline rank (vpp = 2), got vpp = %d", v))
		}
	default:
		diags = append(diags, ir.Errorf(p.FieldSpan("schedule"), "unknown schedule %q", kind))
	}
	if m < 1 {
		diags = append(diags, ir.Errorf(p.FieldSpan("global_batch"), "no micro-batches: global_batch %d / (dp %d · micro_batch %d)", p.GlobalBatch, p.DP, p.MicroBatch))
	}
	if pp < 1 || p.TP < 1 || p.DP < 1 || p.CP < 1 {
		diags = append(diags, ir.Errorf(p.Span, "parallel degrees must be >= 1"))
	}
	if diags.HasErrors() {
		return nil, diags
	}
	nStages := pp * v
	layers := sz.Layers
	if layers == nil && p.Model != nil {
		layers = EvenPartition(modelLayers(p.Model), nStages)
	}
	if len(layers) != nStages {
		return nil, append(diags, ir.Errorf(p.FieldSpan("pp"), "the layer partition has %d stages, the plan %d", len(layers), nStages))
	}

	s := &ir.Schedule{Plan: p.Name, Fingerprint: ir.PlanFingerprint(p), Kind: kind, PP: pp, VPP: v, MB: m, Zero: p.Zero, Mesh: ir.NewMesh(p)}
	s.SplitBackward = kind.SplitsBackward()
	s.SerialGradReduce = !p.Overlap.GradReduce()

	// Stage placement.
	stageOf := make([]int, nStages)
	for st := range stageOf {
		stageOf[st] = kind.PipelineRank(pp, st)
	}
	var layout [][]ir.GradBucket
	if sz.StageUnits != nil && p.Model != nil {
		if len(sz.StageUnits) != nStages {
			return nil, append(diags, ir.Errorf(p.FieldSpan("pp"), "internal error: parameter units for %d stages, the plan has %d", len(sz.StageUnits), nStages))
		}
		units := sz.BucketUnits
		if units == nil {
			units = sz.StageUnits
		}
		if len(units) != nStages {
			return nil, append(diags, ir.Errorf(p.FieldSpan("pp"), "internal error: bucket units for %d stages, the plan has %d", len(units), nStages))
		}
		layout = BucketLayout(p, units, sz.BucketParams)
	}
	first := 0
	for st := 0; st < nStages; st++ {
		info := ir.StageInfo{Index: st, PP: stageOf[st], Chunk: st / pp, FirstLayer: first, EndLayer: first + layers[st],
			Embedding: st == 0, Head: st == nStages-1}
		first += layers[st]
		if st < len(sz.StageParams) {
			info.ParamBytes = sz.StageParams[st] * sz.ParamBytes
		}
		if st < len(sz.StageExpertParams) {
			info.ExpertParamBytes = sz.StageExpertParams[st] * sz.ParamBytes
		}
		if layout != nil {
			var err error
			info.Buckets = layout[st]
			info.GradBuckets, info.ExpertGradBuckets, err = bucketBytes(layout[st], sz.StageUnits[st], sz.GradBytes)
			if err != nil {
				return nil, append(diags, ir.Errorf(p.Span, "internal error: stage %d: %v", st, err))
			}
		} else {
			if st < len(sz.StageParams) {
				info.GradBuckets = buckets(sz.StageParams[st]*sz.GradBytes, sz.BucketParams*sz.GradBytes)
			}
			if st < len(sz.StageExpertParams) {
				info.ExpertGradBuckets = buckets(sz.StageExpertParams[st]*sz.GradBytes, sz.BucketParams*sz.GradBytes)
			}
		}
		if st < len(sz.StageCollectives) {
			info.Collectives = sz.StageCollectives[st]
		}
		s.Stages = append(s.Stages, info)
	}

	// Compute orders per pipeline rank.
	orders := make([][]op, pp)
	switch kind {
	case ir.ScheduleGPipe:
		for q := range orders {
			orders[q] = orderGPipe(q, m)
		}
	case ir.Schedule1F1B:
		for q := range orders {
			orders[q] = order1F1B(pp, q, m)
		}
	case ir.ScheduleInterleaved:
		for q := range orders {
			orders[q] = orderInterleaved(pp, v, q, m)
		}
	case ir.ScheduleZBH1:
		for q := range orders {
			orders[q] = orderZBH1(pp, q, m)
		}
	case ir.ScheduleZBV:
		for q := range orders {
			orders[q] = orderZBV(pp, q, m)
		}
	}

	if fold {
		s.FoldDP = FoldBlock(s.Mesh)
	}
	b := newBuilder(s, sz, stageOf)
	s.Ranks = make([]ir.RankProgram, s.Mesh.Size())
	s.GroupUse = make([][]int32, len(s.Ranks))
	for r := range s.Ranks {
		c := s.Mesh.Coord(r)
		s.Ranks[r] = ir.RankProgram{Rank: r, Coord: c}
		if s.Stored(r) {
			b.uses = b.uses[:0]
			s.Ranks[r].Actions = b.rankActions(r, c, orders[c.PP], p)
			s.GroupUse[r] = append([]int32(nil), b.uses...)
		}
	}
	return s, diags
}

// FoldBlock returns how many data-parallel indices a folded schedule of
// mesh m stores: the fewest that divide dp and hold whole expert-parallel
// groups (an ep group is ep consecutive data ranks, over tp too with
// ssmb), so that moving dp indices by a block maps every group onto a
// group of the same axis.
func FoldBlock(m ir.Mesh) int {
	per := m.CP // expert indices per dp index
	if m.SSMB {
		per *= m.TP
	}
	for k := 1; k < m.DP; k++ {
		if m.DP%k == 0 && (k*per)%max(m.EP, 1) == 0 {
			return k
		}
	}
	return m.DP
}

// modelLayers returns the number of pipeline-partitionable layers.
func modelLayers(m *ir.Model) int {
	if m.Kind == ir.MLPModel {
		return m.Depth
	}
	return m.Layers
}

// EvenPartition splits n layers over k stages as evenly as possible; the
// extra layers go to the middle stages, because the first stage also holds
// the embedding and the last the head and loss.
func EvenPartition(n, k int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = n / k
	}
	extra := n % k
	// Hand extras out from the middle outwards.
	for i := 0; extra > 0; i++ {
		mid := k / 2
		idx := mid + (i+1)/2*(1-2*(i%2))
		if idx < 0 || idx >= k {
			idx = i % k
		}
		out[idx]++
		extra--
	}
	return out
}

// bucketBytes returns the bytes of each dense and each expert bucket of a
// layout, from the units' element counts; every unit must be in exactly
// one bucket.
func bucketBytes(layout []ir.GradBucket, units []ir.ParamUnit, gradBytes int64) (dense, expert []int64, err error) {
	count := map[string]int64{}
	for _, u := range units {
		if u.Params > 0 {
			count[u.Name] += u.Params
		}
	}
	for _, b := range layout {
		var n int64
		for _, name := range b.Units {
			c, ok := count[name]
			if !ok {
				return nil, nil, fmt.Errorf("bucket unit %s is not among the stage's parameters", name)
			}
			delete(count, name)
			n += c
		}
		if b.Expert {
			expert = append(expert, n*gradBytes)
		} else {
			dense = append(dense, n*gradBytes)
		}
	}
	for name := range count {
		return nil, nil, fmt.Errorf("parameters %s are in no gradient bucket", name)
	}
	return dense, expert, nil
}

// buckets cuts total bytes into buckets of at most size bytes.
func buckets(total, size int64) []int64 {
	if total <= 0 {
		return nil
	}
	if size <= 0 {
		return []int64{total}
	}
	var out []int64
	for total > 0 {
		n := min(size, total)
		out = append(out, n)
		total -= n
	}
	return out
}

// builder expands pipeline orders into per-rank action lists.
type builder struct {
	s       *ir.Schedule
	sz      Sizes
	stageOf []int
	groups  map[groupKey]int32
	uses    []int32 // the groups the current rank asked for, in order, once each
}

type groupKey struct {
	axis  string
	first int
	n     int
}

func newBuilder(s *ir.Schedule, sz Sizes, stageOf []int) *builder {
	return &builder{s: s, sz: sz, stageOf: stageOf, groups: map[groupKey]int32{}}
}

// group interns a group: key identifies it, members lists its ranks in
// ring order (called only the first time).
func (b *builder) group(key groupKey, members func() []int) int32 {
	if id, ok := b.groups[key]; ok {
		b.use(id)
		return id
	}
	g := members()
	id := int32(len(b.s.Groups))
	g32 := make([]int32, len(g))
	for i, x := range g {
		g32[i] = int32(x)
	}
	b.s.Groups = append(b.s.Groups, g32)
	b.groups[key] = id
	b.use(id)
	return id
}

// use records that the current rank asked for group id.
func (b *builder) use(id int32) {
	for _, u := range b.uses {
		if u == id {
			return
		}
	}
	b.uses = append(b.uses, id)
}

// meshGroup interns rank r's group along a mesh axis: identified in
// constant time, listed only the first time.
func (b *builder) meshGroup(axis ir.Axis, r int) int32 {
	first, n := b.s.Mesh.GroupFirst(axis, r)
	return b.group(groupKey{string(axis), first, n}, func() []int { return b.s.Mesh.Group(axis, r) })
}

// rankBuilder holds the state of one rank's action list while it is built.
type rankBuilder struct {
	*builder
	r       int
	c       ir.Coord
	order   []op
	nStages int
	acts    []ir.Action
	// lastGrad[st] is where stage st's gradients become final: the last B
	// (or W when split) of the stage in this rank's order.
	lastGrad   map[int32]int
	gradKind   ir.ActionKind // B, or W when the backward is split
	zero3      bool
	dpGroup    int32
	edpGroup   int32
	reduceColl ir.CollKind
	// gatherIdx[i] is the index of the ZeRO-3 gather that compute op i
	// waits for: the last of its stage's gathers (one per parameter class,
	// each over its own group), which completes after the others because a
	// rank's collectives run in issue order.
	gatherIdx []int32

	nFirst, nLast         int32
	holdsFirst, holdsLast bool
	tiedSum               bool
	seqAfterTied          []int32
	lastWaits             bool
	tiedAt                int
}

func (b *builder) rankActions(r int, c ir.Coord, order []op, p *ir.Plan) []ir.Action {
	rb := b.newRankBuilder(r, c, order)
	rb.pipeline()
	rb.gradNorm()
	rb.acts = append(rb.acts, ir.NewAction(ir.ActOptimizer))
	rb.zeroGathers()
	return rb.acts
}

// newRankBuilder sets up rank r's data-parallel groups, its reduction
// collective and the placement of its tied-embedding sum.
func (b *builder) newRankBuilder(r int, c ir.Coord, order []op) *rankBuilder {
	s := b.s
	mesh := s.Mesh
	nStages := len(s.Stages)
	rb := &rankBuilder{builder: b, r: r, c: c, order: order, nStages: nStages}
	gradKind := ir.ActB
	if s.SplitBackward {
		gradKind = ir.ActW
	}
	rb.gradKind = gradKind
	rb.lastGrad = map[int32]int{}
	for i, o := range order {
		if o.kind == gradKind {
			rb.lastGrad[o.stage] = i
		}
	}
	rb.dpGroup = int32(-1)
	if mesh.DP*mesh.CP > 1 {
		rb.dpGroup = b.meshGroup(ir.AxisDPCP, r)
	}
	// ZeRO-3 shards the parameters over the data ranks dp·cp, whatever
	// their split between dp and cp
	rb.zero3 = s.Zero >= 3 && rb.dpGroup >= 0
	rb.edpGroup = int32(-1)
	if mesh.EP > 1 {
		if _, n := mesh.GroupFirst(ir.AxisEDP, r); n > 1 {
			rb.edpGroup = b.meshGroup(ir.AxisEDP, r)
		}
	} else {
		rb.edpGroup = rb.dpGroup
	}
	// ZeRO shards the optimizer over the data ranks: each rank needs only
	// its shard of the reduced gradients (reduce-scatter), and the updated
	// shards are gathered after the step (ZeRO-1/2) or before each use
	// (ZeRO-3); ZeRO-0 all-reduces.
	rb.reduceColl = ir.AllReduce
	if s.Zero >= 1 {
		rb.reduceColl = ir.ReduceScatter
	}
	rb.acts = make([]ir.Action, 0, 4*len(order)+16)
	rb.gatherIdx = make([]int32, len(order))
	rb.nFirst, rb.nLast = int32(0), int32(nStages-1)
	rb.holdsFirst, rb.holdsLast = b.stageOf[0] == c.PP, b.stageOf[nStages-1] == c.PP
	rb.tiedSum = b.sz.TiedParams > 0 && nStages > 1 && (rb.holdsFirst || rb.holdsLast)
	// Without a bucket layout the tied embedding is no bucket of its own:
	// the last stage's whole reduction waits for the tied sum.
	rb.lastWaits = rb.tiedSum && rb.holdsLast && len(s.Stages[rb.nLast].Buckets) == 0
	// tiedAt is the compute op after which the tied sum is issued (-1: at
	// the end of the rank's program).
	rb.tiedAt = -1
	if rb.tiedSum && rb.holdsFirst {
		rb.tiedAt = rb.lastGrad[rb.nFirst]
		if rb.holdsLast {
			rb.tiedAt = max(rb.tiedAt, rb.lastGrad[rb.nLast])
		}
	}
	return rb
}

// peerAt is the rank holding pipeline position q in this rank's replica.
func (rb *rankBuilder) peerAt(q int) int32 {
	cc := rb.c
	cc.PP = q
	return int32(rb.s.Mesh.Rank(cc))
}

// issueGather issues the ZeRO-3 parameter gathers of compute op i.
func (rb *rankBuilder) issueGather(i int) {
	s := rb.s
	o := rb.order[i]
	rb.gatherIdx[i] = -1
	if !rb.zero3 || o.kind == ir.ActW {
		return
	}
	st := s.Stages[o.stage]
	dense, expert := st.ParamBytes, st.ExpertParamBytes
	if rb.edpGroup == rb.dpGroup {
		dense, expert = dense+expert, 0 // experts shard over the data ranks too
	}
	for _, g := range []struct {
		group int32
		bytes int64
	}{{rb.dpGroup, dense}, {rb.edpGroup, expert}} {
		if g.group < 0 || g.bytes <= 0 {
			continue
		}
		a := ir.NewAction(ir.ActAllGatherParams)
		a.Coll = ir.AllGather
		a.Stage, a.MB, a.Group, a.Bytes = o.stage, o.mb, g.group, g.bytes
		rb.gatherIdx[i] = int32(len(rb.acts))
		rb.acts = append(rb.acts, a)
	}
}

// seqSum issues the ALLREDUCE_SEQ of stage st: the tp sum of its
// gradients that are partial over the sequence shards.
func (rb *rankBuilder) seqSum(st int32) {
	if rb.s.Mesh.TP < 2 || int(st) >= len(rb.sz.StageSeqParams) || rb.sz.StageSeqParams[st] <= 0 {
		return
	}
	a := ir.NewAction(ir.ActAllReduceSeq)
	a.Coll, a.Stage, a.Group, a.Bytes = ir.AllReduce, st, rb.meshGroup(ir.AxisTP, rb.r), rb.sz.StageSeqParams[st]*rb.sz.GradBytes
	rb.acts = append(rb.acts, a)
}

// kvSum issues the ALLREDUCE_KV of stage st: the sum of its replicated
// key/value columns' gradients over the rank's kv group.
func (rb *rankBuilder) kvSum(st int32) {
	if rb.s.Mesh.Degree(ir.AxisKV) < 2 || int(st) >= len(rb.sz.StageKVParams) || rb.sz.StageKVParams[st] <= 0 {
		return
	}
	a := ir.NewAction(ir.ActAllReduceKV)
	a.Coll, a.Stage, a.Group, a.Bytes = ir.AllReduce, st, rb.meshGroup(ir.AxisKV, rb.r), rb.sz.StageKVParams[st]*rb.sz.GradBytes
	rb.acts = append(rb.acts, a)
}

// reduce issues the REDUCE_GRAD of stage st's buckets; tied selects
// the tied embedding's bucket, or all the others.
func (rb *rankBuilder) reduce(st int32, tied bool) {
	info := rb.s.Stages[st]
	nd := len(info.GradBuckets)
	for bi, by := range append(append([]int64(nil), info.GradBuckets...), info.ExpertGradBuckets...) {
		isTied := rb.tiedSum && bi < len(info.Buckets) && IsTiedBucket(info.Buckets[bi])
		if isTied != tied {
			continue
		}
		g := rb.dpGroup
		if bi >= nd {
			g = rb.edpGroup
		}
		if g < 0 {
			continue
		}
		a := ir.NewAction(ir.ActReduceGrad)
		a.Coll, a.Stage, a.Bucket, a.Group, a.Bytes = rb.reduceColl, st, int32(bi), g, by
		rb.acts = append(rb.acts, a)
	}
}

// tied issues the ALLREDUCE_TIED and the tied buckets' reductions.
//
// The tied embedding's two copies (first and last stage) are summed by
// ALLREDUCE_TIED right before their bucket is reduced over the data
// ranks, on both sides: on the first stage once its gradients are final
// (the end of the pipeline's backward), on the last stage's rank after
// its last compute action, so that a rank that blocks on it never holds
// back a backward that the other side still waits for. The last stage's
// other buckets reduce as soon as its gradients are final. When one
// rank holds both copies (zb-v, or pp = 1) the sum is local: a
// one-member ALLREDUCE_TIED.
func (rb *rankBuilder) tied() {
	r := rb.r
	a := ir.NewAction(ir.ActAllReduceTied)
	a.Coll, a.Bytes = ir.AllReduce, rb.sz.TiedParams*rb.sz.GradBytes
	if rb.holdsFirst && rb.holdsLast {
		a.Group = rb.group(groupKey{"tied-local", r, 1}, func() []int { return []int{r} })
	} else {
		a.Group = rb.group(groupKey{"tied", int(rb.peerAt(rb.stageOf[0])), 2}, func() []int {
			return []int{int(rb.peerAt(rb.stageOf[0])), int(rb.peerAt(rb.stageOf[rb.nStages-1]))}
		})
	}
	rb.acts = append(rb.acts, a)
	if rb.holdsFirst {
		rb.reduce(rb.nFirst, true)
	}
	if rb.holdsLast {
		rb.reduce(rb.nLast, true)
	}
}

// holdsTied reports whether stage st holds a copy of the tied embedding.
// Such a stage sums its sequence partials after the tied sum (see the
// package doc): its ALLREDUCE_SEQ waits in seqAfterTied until tied() has
// been issued.
func (rb *rankBuilder) holdsTied(st int32) bool {
	return rb.tiedSum && (st == rb.nFirst || st == rb.nLast)
}

// flushSeq issues the sequence sums held back for the tied sum.
func (rb *rankBuilder) flushSeq() {
	for _, st := range rb.seqAfterTied {
		rb.seqSum(st)
		rb.kvSum(st)
	}
	rb.seqAfterTied = nil
}

// finalize reduces stage st's gradients, final at compute op i: the
// tied sum where it belongs, the buckets, the sequence partials.
func (rb *rankBuilder) finalize(i int, st int32) {
	if rb.holdsTied(st) {
		rb.seqAfterTied = append(rb.seqAfterTied, st)
	}
	if rb.tiedSum && i == rb.tiedAt {
		rb.tied()
	}
	if !(rb.lastWaits && st == rb.nLast) {
		rb.reduce(st, false)
	}
	if rb.tiedSum && i == rb.tiedAt {
		rb.flushSeq()
	}
	if !rb.holdsTied(st) {
		rb.seqSum(st)
		rb.kvSum(st)
	}
}

// p2p appends a point-to-point action of kind k for op o with the rank
// holding pipeline position q.
func (rb *rankBuilder) p2p(k ir.ActionKind, o op, q int) {
	a := ir.NewAction(k)
	a.Coll = ir.SendRecv
	a.Stage, a.MB, a.Peer, a.Bytes = o.stage, o.mb, rb.peerAt(q), rb.sz.Boundary
	rb.acts = append(rb.acts, a)
}

// pipeline issues the rank's compute ops with their receives, sends and
// ZeRO-3 gathers, the gradient reductions as each stage's gradients
// become final, and the tied and sequence sums left for the end.
func (rb *rankBuilder) pipeline() {
	order, c, stageOf, nStages := rb.order, rb.c, rb.stageOf, rb.nStages
	var serial []int
	if len(order) > 0 {
		rb.issueGather(0)
	}
	for i, o := range order {
		st := int(o.stage)
		// Blocking receive of this op's input, right before it.
		switch {
		case o.kind == ir.ActF && st > 0 && stageOf[st-1] != c.PP:
			rb.p2p(ir.ActRecvF, o, stageOf[st-1])
		case o.kind == ir.ActB && st < nStages-1 && stageOf[st+1] != c.PP:
			rb.p2p(ir.ActRecvB, o, stageOf[st+1])
		}
		// Prefetch: the next op's gather is issued before this op runs.
		if i+1 < len(order) {
			rb.issueGather(i + 1)
		}
		a := ir.NewAction(o.kind)
		a.Stage, a.MB = o.stage, o.mb
		if rb.zero3 && rb.gatherIdx[i] >= 0 {
			a.Dep = rb.gatherIdx[i]
		}
		rb.acts = append(rb.acts, a)
		switch {
		case o.kind == ir.ActF && st < nStages-1 && stageOf[st+1] != c.PP:
			rb.p2p(ir.ActSendF, o, stageOf[st+1])
		case o.kind == ir.ActB && st > 0 && stageOf[st-1] != c.PP:
			rb.p2p(ir.ActSendB, o, stageOf[st-1])
		}
		// ZeRO-3 reduce-scatters each micro-batch's gradients as soon as
		// they are complete (DeepSpeed, FSDP), so that a rank keeps only
		// its shard of the accumulated sum between micro-batches.
		if rb.microReduce(o, i) {
			rb.reduce(o.stage, false)
		}
		// Gradients of this stage are final: reduce them now, overlapping
		// the remaining backward (without overlap.grad_reduce, after the
		// rank's last compute action, in the same order).
		if li, ok := rb.lastGrad[o.stage]; ok && li == i && o.mb >= 0 {
			if rb.s.SerialGradReduce {
				serial = append(serial, i)
			} else {
				rb.finalize(i, o.stage)
			}
		}
	}
	for _, i := range serial {
		rb.finalize(i, order[i].stage)
	}
	if rb.tiedSum && !rb.holdsFirst {
		rb.tied()
		if rb.lastWaits {
			rb.reduce(rb.nLast, false)
		}
	}
	rb.flushSeq()
}

// microReduce reports whether compute op i (o) completes one micro-batch's
// gradients of its stage under ZeRO-3, before the stage's last: the
// stage's buckets are then reduce-scattered for that micro-batch (the last
// one's reduction is finalize's). The tied embedding's bucket is left to
// the end: its two copies are summed once per step (ALLREDUCE_TIED) before
// it is reduced, and a stage holding a copy without a bucket layout (no
// bucket of its own for wte) reduces only then.
func (rb *rankBuilder) microReduce(o op, i int) bool {
	if !rb.zero3 || o.mb < 0 || rb.gradKind != o.kind || rb.lastGrad[o.stage] == i {
		return false
	}
	return !rb.holdsTied(o.stage) || len(rb.s.Stages[o.stage].Buckets) > 0
}

// gradNorm issues the global gradient norm: with ZeRO or experts the
// gradients are spread over the data ranks too, so the norm is over the
// whole world; otherwise over the model-parallel ranks of one replica.
func (rb *rankBuilder) gradNorm() {
	s, c := rb.s, rb.c
	mesh := s.Mesh
	if mesh.Size() <= 1 {
		return
	}
	a := ir.NewAction(ir.ActGradNorm)
	a.Coll, a.Bytes = ir.AllReduce, 4
	if NormOverWorld(s.Zero, mesh) {
		a.Group = rb.group(groupKey{"world", 0, mesh.Size()}, func() []int { return seq(mesh.Size()) })
	} else {
		a.Group = rb.group(groupKey{"mp", c.DP, 0}, func() []int {
			// the ranks of replica c.DP, ascending
			g := make([]int, 0, mesh.PP*mesh.CP*mesh.TP)
			for q := range mesh.PP {
				for k := range mesh.CP {
					for t := range mesh.TP {
						g = append(g, mesh.Rank(ir.Coord{TP: t, CP: k, DP: c.DP, PP: q}))
					}
				}
			}
			return g
		})
	}
	if len(s.Groups[a.Group]) > 1 {
		rb.acts = append(rb.acts, a)
	}
}

// NormOverWorld reports whether the global gradient norm is an all-reduce
// over the whole world (with ZeRO or experts the gradients are spread over
// the data ranks too); else it is over the model-parallel ranks of each
// replica (tp·cp·pp of them).
func NormOverWorld(zero int, mesh ir.Mesh) bool { return zero >= 1 || mesh.EP > 1 }

// NormGroupSize is the ranks of each GRAD_NORM all-reduce (1: none).
func NormGroupSize(zero int, mesh ir.Mesh) int {
	if NormOverWorld(zero, mesh) {
		return mesh.Size()
	}
	return mesh.PP * mesh.CP * mesh.TP
}

// zeroGathers issues the ZeRO-1/2 gathers of the updated parameter shards.
func (rb *rankBuilder) zeroGathers() {
	s := rb.s
	if !(s.Zero == 1 || s.Zero == 2) || rb.dpGroup < 0 {
		return
	}
	for q := 0; q < rb.nStages; q++ {
		if rb.stageOf[q] != rb.c.PP {
			continue
		}
		info := s.Stages[q]
		bucket := int32(0)
		for _, by := range info.GradBuckets {
			a := ir.NewAction(ir.ActAllGatherParams)
			a.Coll, a.Stage, a.Bucket, a.Group = ir.AllGather, int32(q), bucket, rb.dpGroup
			a.Bytes = by / rb.sz.GradBytes * rb.sz.ParamBytes
			rb.acts = append(rb.acts, a)
			bucket++
		}
		if rb.edpGroup >= 0 {
			for _, by := range info.ExpertGradBuckets {
				a := ir.NewAction(ir.ActAllGatherParams)
				a.Coll, a.Stage, a.Bucket, a.Group = ir.AllGather, int32(q), bucket, rb.edpGroup
				a.Bytes = by / rb.sz.GradBytes * rb.sz.ParamBytes
				rb.acts = append(rb.acts, a)
				bucket++
			}
		}
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// String names an op for error messages.
func (o op) String() string { return fmt.Sprintf("%d%s%d", o.stage, o.kind, o.mb) }
