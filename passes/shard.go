package passes

import (
	"strings"

	"planc/ir"
)

// layout is where a [b, s, ...] activation lives on the mesh.
type layout int

const (
	// seqLayout: outside the tensor-parallel regions; the sequence is split
	// by cp, and by tp too under sequence parallelism.
	seqLayout layout = iota
	// repLayout: whole on every tp rank (the input of a column-parallel
	// GEMM); the sequence is split by cp only.
	repLayout
	// featLayout: the last (feature) dimension split by tp, the sequence by
	// cp: inside a column/row-parallel pair.
	featLayout
	// partialLayout: like repLayout but holding partial sums over tp (the
	// output of a row-parallel GEMM before its reduction).
	partialLayout
)

// sharder applies the sharding rules of one plan.
type sharder struct {
	p  *ir.Plan
	d  dims
	tp int
	cp int
	ep int
	sp bool
}

func newSharder(p *ir.Plan) *sharder {
	return &sharder{p: p, d: newDims(p), tp: p.TP, cp: p.CP, ep: max(p.EP, 1), sp: p.SP && p.TP > 1}
}

// compound joins axes that split one dimension together ("cp*tp").
func compound(axes ...ir.Axis) ir.Axis {
	var parts []string
	for _, a := range axes {
		parts = append(parts, string(a))
	}
	return ir.Axis(strings.Join(parts, "*"))
}

// split assigns the split of the dimension named sym (idempotent): by the
// axes whose degree exceeds one.
func (sh *sharder) split(t *ir.Tensor, sym string, axes ...ir.Axis) {
	var used []ir.Axis
	parts := 1
	for _, a := range axes {
		deg := sh.degree(a)
		if deg > 1 {
			used = append(used, a)
			parts *= deg
		}
	}
	for i := range t.Shape {
		if t.Shape[i].Sym != sym {
			continue
		}
		if parts > 1 {
			t.Shape[i].Axis, t.Shape[i].Parts = compound(used...), parts
		} else {
			t.Shape[i].Axis, t.Shape[i].Parts = "", 0
		}
		return
	}
}

func (sh *sharder) degree(a ir.Axis) int {
	switch a {
	case ir.AxisTP:
		return sh.tp
	case ir.AxisCP:
		return sh.cp
	case ir.AxisEP:
		return sh.ep
	}
	return 1
}

// lay gives a [b, s, x] activation the layout l, x being its last dim.
func (sh *sharder) lay(t *ir.Tensor, l layout) {
	t.Partial = nil
	last := t.Shape[len(t.Shape)-1].Sym
	switch l {
	case seqLayout:
		if sh.sp {
			sh.split(t, "s", ir.AxisCP, ir.AxisTP)
		} else {
			sh.split(t, "s", ir.AxisCP)
		}
		sh.split(t, last)
	case repLayout, partialLayout:
		sh.split(t, "s", ir.AxisCP)
		sh.split(t, last)
		if l == partialLayout && sh.tp > 1 {
			t.Partial = []ir.Axis{ir.AxisTP}
		}
	case featLayout:
		sh.split(t, "s", ir.AxisCP)
		sh.split(t, last, ir.AxisTP)
	}
}

// shard gives every tensor of every op its sharding (Megatron's column and
// row parallel pairs, sequence parallelism, context parallelism by cp_mode,
// expert parallelism) and derives each op's local GEMM shape, FLOPs, bytes.
func shard(st *State) {
	st.sharded = true
	sh := newSharder(st.Plan)
	for _, ops := range [][]*ir.Op{st.embed, st.head} {
		for _, o := range ops {
			sh.shardOp(o)
		}
	}
	for _, ops := range st.layers {
		for _, o := range ops {
			sh.shardOp(o)
		}
	}
}

// ownShapes gives every tensor of the op its own shape slice, so that
// sharding one (a saved copy of an input) leaves the others alone.
func ownShapes(o *ir.Op) {
	own := func(t *ir.Tensor) { t.Shape = append([]ir.Extent(nil), t.Shape...) }
	for i := range o.Inputs {
		own(&o.Inputs[i])
	}
	own(&o.Output)
	for i := range o.Saved {
		own(&o.Saved[i])
	}
	if o.Weight != nil {
		w := *o.Weight
		own(&w)
		o.Weight = &w
	}
	if o.Bias != nil {
		b := *o.Bias
		own(&b)
		o.Bias = &b
	}
}

func (sh *sharder) shardOp(o *ir.Op) {
	ownShapes(o)
	if o.Kind == ir.OpSharedFC1 || o.Kind == ir.OpSharedGeLU || o.Kind == ir.OpSharedGLU || o.Kind == ir.OpSharedFC2 {
		// MoE blocks are replicated over tp (DeepSpeed-MoE's layout, the
		// redundancy that ssmb removes): the shared experts run whole on
		// every tp rank, on all the tokens, or under ssmb on the rank's
		// slice of them
		for i := range o.Inputs {
			sh.moeTokens(&o.Inputs[i])
		}
		sh.moeTokens(&o.Output)
		for i := range o.Saved {
			sh.moeTokens(&o.Saved[i])
		}
		for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
			if w != nil {
				for _, e := range w.Shape {
					sh.split(w, e.Sym)
				}
			}
		}
		finalize(o, sh)
		return
	}
	tp := ir.AxisTP
	in0 := func() *ir.Tensor { return &o.Inputs[0] }
	saved := func(l layout) {
		for i := range o.Saved {
			sh.lay(&o.Saved[i], l)
		}
	}
	// the input of a column-parallel GEMM is kept sequence-sharded under
	// sp (Megatron re-gathers it in backward)
	colSaved := func() {
		if sh.sp {
			saved(seqLayout)
		} else {
			saved(repLayout)
		}
	}
	scoreLayout := func(t *ir.Tensor) {
		if sh.p.CPMode == ir.CPUlysses && sh.cp > 1 {
			sh.split(t, "a", ir.AxisTP, ir.AxisCP)
			sh.split(t, "s")
		} else {
			sh.split(t, "a", ir.AxisTP)
			sh.split(t, "s", ir.AxisCP)
		}
	}
	// kvLayout: the keys and values an attention op reads (local keys
	// under ring, gathered under allgather and lss, whole sequence for a
	// heads slice under ulysses).
	kvLayout := func(t *ir.Tensor, savedCopy bool) {
		t.Partial = nil
		switch {
		case sh.p.CPMode == ir.CPUlysses && sh.cp > 1:
			sh.split(t, "sk")
			sh.split(t, "h", ir.AxisTP, ir.AxisCP)
		case sh.p.CPMode == ir.CPRing && savedCopy:
			sh.split(t, "sk", ir.AxisCP)
			sh.split(t, "h", ir.AxisTP)
		default:
			sh.split(t, "sk")
			sh.split(t, "h", ir.AxisTP)
		}
	}
	qLayout := func(t *ir.Tensor) {
		if sh.p.CPMode == ir.CPUlysses && sh.cp > 1 {
			sh.split(t, "s")
			sh.split(t, "h", ir.AxisTP, ir.AxisCP)
		} else {
			sh.lay(t, featLayout)
		}
	}
	switch o.Kind.Info().Shard {
	case ir.ShardEmbedding:
		sh.split(in0(), "s", ir.AxisCP)
		sh.split(o.Weight, "V", tp)
		sh.lay(&o.Output, partialLayout)
		saved(seqLayout)
	case ir.ShardTokenLocal:
		for i := range o.Inputs {
			sh.lay(&o.Inputs[i], seqLayout)
		}
		sh.lay(&o.Output, seqLayout)
		saved(seqLayout)
	case ir.ShardColumn:
		sh.lay(in0(), repLayout)
		sh.split(o.Weight, o.Weight.Shape[1].Sym, tp)
		if o.Bias != nil {
			sh.split(o.Bias, o.Bias.Shape[0].Sym, tp)
		}
		sh.lay(&o.Output, featLayout)
		colSaved()
	case ir.ShardReplicated:
		// token-local: under sp each tp rank projects its own rows
		// (Megatron-Core's duplicated down projections), so their weight
		// gradients are partial sums over tp (tpReplicatedParam)
		sh.lay(in0(), seqLayout)
		sh.lay(&o.Output, seqLayout)
		saved(seqLayout)
	case ir.ShardFeature:
		sh.lay(in0(), featLayout)
		sh.lay(&o.Output, featLayout)
		saved(featLayout)
	case ir.ShardRow:
		sh.lay(in0(), featLayout)
		sh.split(o.Weight, o.Weight.Shape[0].Sym, tp)
		sh.lay(&o.Output, partialLayout)
		saved(featLayout)
	case ir.ShardScores:
		qLayout(&o.Inputs[0])
		kvLayout(&o.Inputs[1], false)
		scoreLayout(&o.Output)
		qLayout(&o.Saved[0])
		kvLayout(&o.Saved[1], true)
	case ir.ShardScoresElementwise:
		scoreLayout(in0())
		scoreLayout(&o.Output)
		for i := range o.Saved {
			scoreLayout(&o.Saved[i])
		}
	case ir.ShardValues:
		scoreLayout(in0())
		kvLayout(&o.Inputs[1], false)
		qLayout(&o.Output)
		scoreLayout(&o.Saved[0])
		kvLayout(&o.Saved[1], true)
	case ir.ShardRouter:
		if sh.ssmb() {
			sh.moeTokens(in0())
			sh.moeTokens(&o.Output)
			for i := range o.Saved {
				sh.moeTokens(&o.Saved[i])
			}
			break
		}
		sh.lay(in0(), repLayout)
		sh.lay(&o.Output, repLayout)
		colSaved()
	case ir.ShardDispatch:
		sh.moeTokens(in0())
		sh.routed(&o.Output, false)
		for i := range o.Saved {
			sh.moeTokens(&o.Saved[i])
		}
	case ir.ShardExperts:
		sh.routed(in0(), true)
		sh.routed(&o.Output, true)
		for i := range o.Saved {
			sh.routed(&o.Saved[i], true)
		}
		if o.Weight != nil { // each expert whole on its owner (MoE blocks are replicated over tp)
			sh.split(o.Weight, "E", ir.AxisEP)
		}
	case ir.ShardCombine:
		sh.routed(in0(), false)
		sh.moeTokens(&o.Output)
		for i := range o.Inputs[1:] { // the shared experts' output
			sh.moeTokens(&o.Inputs[1+i])
		}
		for i := range o.Saved {
			if o.Saved[i].Shape[0].Sym == "b" { // the combine weights
				sh.moeTokens(&o.Saved[i])
			} else {
				sh.routed(&o.Saved[i], false)
			}
		}
	case ir.ShardMLP:
		sh.shardMLP(o)
	case ir.ShardHead:
		sh.lay(in0(), repLayout)
		sh.split(o.Weight, "V", tp)
		sh.lay(&o.Output, featLayout)
		colSaved()
	case ir.ShardLoss:
		if sh.p.Model.Kind == ir.MLPModel && sh.p.Model.FFNKind.IsPhantom() {
			// each part's slice of the output against the same slice of
			// the target: the squared errors add up, no gather
			sh.lay(in0(), featLayout)
			saved(featLayout)
		} else if sh.p.Model.Kind == ir.MLPModel {
			sh.lay(in0(), repLayout)
			saved(repLayout)
		} else {
			sh.lay(in0(), featLayout)
			saved(featLayout)
		}
		sh.split(&o.Output, "s", ir.AxisCP)
	}
	finalize(o, sh)
}

// ssmb reports whether MoE blocks are sequence-sharded over tp.
func (sh *sharder) ssmb() bool { return sh.p.MoE.SSMB && sh.tp > 1 }

// moeTokens lays out a per-token MoE tensor ([b, s, ...]: the router's
// input, logits and probabilities, index arrays, the [T, E, C] tensors of
// capacity dispatch, the combine's output): the sequence split by cp, and
// by tp too under ssmb (each tp rank routes its 1/tp slice); its other
// dimensions whole.
func (sh *sharder) moeTokens(t *ir.Tensor) {
	t.Partial = nil
	if sh.ssmb() {
		sh.split(t, "s", ir.AxisCP, ir.AxisTP)
	} else {
		sh.split(t, "s", ir.AxisCP)
	}
	for _, e := range t.Shape {
		if e.Sym != "s" {
			sh.split(t, e.Sym)
		}
	}
}

// routed lays out an MoE dispatch buffer: before the all-to-all (and after
// the combine's) each rank holds its own tokens' slots; at the experts,
// each rank holds its E/ep experts' slots from the whole ep group.
func (sh *sharder) routed(t *ir.Tensor, atExperts bool) {
	t.Partial = nil
	sh.split(t, t.Shape[len(t.Shape)-1].Sym)
	if t.Shape[0].Sym == "E" { // capacity: [E, ep·c, w]
		if atExperts {
			sh.split(t, "E", ir.AxisEP)
			sh.split(t, "c")
		} else {
			sh.split(t, "E")
			sh.split(t, "c", ir.AxisEP)
		}
		return
	}
	sh.split(t, "r", ir.AxisEP) // padding-free: k·T rows per rank either way
}

// shardMLP shards the layers of a deep FFN and the phantom layers: dense
// linear layers alternate column- and row-parallel; phantom layers keep
// each part's slice of the width on its tp rank.
func (sh *sharder) shardMLP(o *ir.Op) {
	phantom := strings.Contains(o.Name, ".ph")
	switch {
	case phantom:
		for i := range o.Inputs {
			sh.lay(&o.Inputs[i], featLayout)
		}
		if o.Kind == ir.OpPhantomMix {
			sh.split(&o.Inputs[0], o.Inputs[0].Shape[2].Sym) // every other part's ghosts, whole
		}
		sh.lay(&o.Output, featLayout)
		for i := range o.Saved {
			sh.lay(&o.Saved[i], featLayout)
			if o.Kind == ir.OpPhantomMix {
				sh.split(&o.Saved[i], o.Saved[i].Shape[2].Sym)
			}
		}
		if o.Weight != nil {
			sh.split(o.Weight, "p", ir.AxisTP)
		}
		if o.Bias != nil {
			sh.split(o.Bias, o.Bias.Shape[0].Sym, ir.AxisTP)
		}
	case o.Kind == ir.OpLinear && o.Layer%2 == 0: // column
		sh.lay(&o.Inputs[0], repLayout)
		sh.split(o.Weight, o.Weight.Shape[1].Sym, ir.AxisTP)
		sh.split(o.Bias, o.Bias.Shape[0].Sym, ir.AxisTP)
		sh.lay(&o.Output, featLayout)
		for i := range o.Saved {
			sh.lay(&o.Saved[i], repLayout)
		}
	case o.Kind == ir.OpLinear: // row
		sh.lay(&o.Inputs[0], featLayout)
		sh.split(o.Weight, o.Weight.Shape[0].Sym, ir.AxisTP)
		sh.lay(&o.Output, partialLayout)
		for i := range o.Saved {
			sh.lay(&o.Saved[i], featLayout)
		}
	default: // activation: on its producer's layout, reduced
		l := repLayout
		if o.Layer%2 == 0 {
			l = featLayout
		}
		sh.lay(&o.Inputs[0], l)
		sh.lay(&o.Output, l)
		for i := range o.Saved {
			sh.lay(&o.Saved[i], l)
		}
	}
}

// finalize derives an op's local GEMM shape, then its FLOPs and HBM bytes
// by its registry row (ir.OpCosts), and its model FLOPs from the global
// shapes.
func finalize(o *ir.Op, sh *sharder) {
	if o.Class == ir.Matmul {
		gemmShape(o, sh)
		o.ModelFLOPs = modelFLOPs(o, sh)
	}
	c := ir.OpCosts(o, float64(sh.d.elem))
	o.FwdFLOPs, o.BwdInputFLOPs, o.BwdWeightFLOPs = c.FwdFLOPs, c.BwdInputFLOPs, c.BwdWeightFLOPs
	o.FwdBytes, o.BwdBytes = c.FwdBytes, c.BwdBytes
}

// gemmShape sets M, N, K, Batch from the local tensors.
func gemmShape(o *ir.Op, sh *sharder) {
	local := func(t ir.Tensor, sym string) int {
		for _, d := range t.Shape {
			if d.Sym == sym {
				return d.Local()
			}
		}
		return 1
	}
	in := o.Inputs[0]
	rows := 1
	for _, d := range in.Shape[:len(in.Shape)-1] {
		rows *= d.Local()
	}
	switch rule := o.Kind.Info().GEMM; rule {
	case ir.GEMMScores, ir.GEMMValues:
		sc := o.Output
		if rule == ir.GEMMValues {
			sc = o.Inputs[0]
		}
		batch := local(sc, "b") * local(sc, "a")
		sq, sk := local(sc, "s"), local(sc, "sk")
		if rule == ir.GEMMScores {
			o.M, o.N, o.K = sq, sk, sh.d.qk
		} else {
			o.M, o.N, o.K = sq, sh.d.hv, sk
		}
		o.Batch = batch
	case ir.GEMMExperts:
		w := o.Weight.Shape
		o.K, o.N = w[1].Local(), w[2].Local()
		if in.Shape[0].Sym == "E" {
			o.Batch, o.M = in.Shape[0].Local(), in.Shape[1].Local()
		} else {
			o.Batch, o.M = 1, in.Shape[0].Local()
		}
	default:
		w := o.Weight.Shape
		o.M, o.K, o.N = rows, w[len(w)-2].Local(), w[len(w)-1].Local()
		o.Batch = 1
		if len(w) == 3 && w[0].Sym == "p" {
			// phantom: one block per part on this rank (all of them at tp = 1)
			o.Batch = w[0].Local()
		}
	}
}

// modelFLOPs is the useful forward work of the op for one micro-batch of
// one model replica: the op on global shapes, routed tokens without
// capacity padding.
func modelFLOPs(o *ir.Op, sh *sharder) float64 {
	d := sh.d
	tokens := float64(d.b * d.s)
	switch o.Kind {
	case ir.OpAttnScores:
		return 2 * float64(d.b) * float64(d.s) * float64(d.s) * float64(d.a*d.qk)
	case ir.OpAttnValues:
		return 2 * float64(d.b) * float64(d.s) * float64(d.s) * float64(d.a*d.hv)
	case ir.OpExpertFC1, ir.OpExpertFC2:
		return 2 * tokens * float64(d.k) * float64(d.h) * float64(d.fe)
	case ir.OpCompress, ir.OpLinear, ir.OpPhantomMix:
		if strings.Contains(o.Name, ".ph") {
			w := o.Weight.Shape
			return 2 * tokens * float64(w[0].Size) * float64(w[1].Size) * float64(w[2].Size)
		}
	}
	w := o.Weight.Shape
	return 2 * tokens * float64(w[len(w)-2].Size) * float64(w[len(w)-1].Size)
}
