package passes

import (
	"fmt"
	"strings"

	"planc/ir"
)

// hasAxis reports whether the extent is split by axis a (alone or in a
// compound).
func hasAxis(e ir.Extent, a ir.Axis) bool {
	if e.Parts <= 1 {
		return false
	}
	for _, x := range strings.Split(string(e.Axis), "*") {
		if ir.Axis(x) == a {
			return true
		}
	}
	return false
}

func splitBy(t ir.Tensor, a ir.Axis) bool {
	for _, e := range t.Shape {
		if hasAxis(e, a) {
			return true
		}
	}
	return false
}

func isPartial(t ir.Tensor, a ir.Axis) bool {
	for _, x := range t.Partial {
		if x == a {
			return true
		}
	}
	return false
}

// colTPGEMM reports whether an op is a GEMM whose weight is split by tp
// while its input is whole over tp: its input gradient is then a partial
// sum over tp that backward must reduce (Megatron's "f" operator).
func colTPGEMM(o *ir.Op) bool {
	if o.Class != ir.Matmul || o.Weight == nil {
		return false
	}
	return splitBy(*o.Weight, ir.AxisTP) && !splitBy(o.Inputs[0], ir.AxisTP) && o.Kind != ir.OpPhantomMix && o.Kind != ir.OpCompress
}

// phantomSlice reports whether o is a phantom layer's op of a transformer
// block (its compress or local GEMM), which reads its part's slice of a
// tensor that the block holds whole.
func phantomSlice(p *ir.Plan, o *ir.Op) bool {
	return p.Model.Kind == ir.Transformer && p.Model.FFNKind.IsPhantom() &&
		(o.Kind == ir.OpCompress || o.Kind == ir.OpLinear) && strings.Contains(o.Name, ".ph")
}

// The Tensor of the collectives MLA's attention kernel issues on the
// shared rotary key under tp: the gather of its rows under sp (forward),
// and the reduction of its gradient (backward: an all-reduce, under sp a
// reduce-scatter to the rank's rows).
const (
	MLARotaryKey     = "k_rope"
	MLARotaryKeyGrad = "dk_rope"
)

type collBuilder struct {
	p     *ir.Plan
	mesh  ir.Mesh
	names map[string]int
	// converted records forward conversions already inserted, so that a
	// tensor read by several consumers is gathered or reduced once.
	converted map[string]bool
}

func (cb *collBuilder) add(list *[]*ir.Collective, kind ir.CollKind, axis ir.Axis, bytes float64, phase ir.Phase, after string, layer int, overlap ir.Overlap, tensor string) *ir.Collective {
	size := cb.mesh.Degree(axis)
	if size < 2 || bytes <= 0 {
		return nil
	}
	short := map[ir.CollKind]string{ir.AllReduce: "ar", ir.ReduceScatter: "rs", ir.AllGather: "ag", ir.AllToAll: "a2a", ir.AllToAllV: "a2av", ir.SendRecv: "p2p", ir.Broadcast: "bc"}[kind]
	name := fmt.Sprintf("%s.%s.%s", after, short, axis)
	if phase != ir.Forward {
		name += "." + string(phase)
	}
	cb.names[name]++
	if n := cb.names[name]; n > 1 {
		name = fmt.Sprintf("%s%d", name, n)
	}
	if phase != ir.StepPhase && (axis == ir.AxisTP && cb.p.Overlap.TPComm || axis == ir.AxisEP && cb.p.Overlap.MoEDispatch) {
		overlap = ir.WithCompute // the engine hides it behind the layer's compute (overlap.tp_comm, overlap.moe_dispatch)
	}
	c := &ir.Collective{Name: name, Kind: kind, Axis: axis, GroupSize: size, Bytes: bytes, Phase: phase, After: after, Layer: layer, Overlap: overlap, Tensor: tensor}
	*list = append(*list, c)
	return c
}

// insertCollectives compares, along every producer-to-consumer edge, the
// sharding the producer leaves with the one the consumer needs, and inserts
// the collective that converts it (forward) and its adjoint (backward):
// partial→whole is an all-reduce, partial→sequence-split a reduce-scatter,
// split→whole an all-gather; a tp-split GEMM reading a whole input reduces
// its input gradient in backward. Attention under cp, MoE dispatch and
// combine, phantom ghosts and the vocab-parallel loss add their own.
func insertCollectives(st *State) {
	producers := map[string]*ir.Op{}
	for _, ops := range append(append([][]*ir.Op{st.embed}, st.layers...), st.head) {
		for _, o := range ops {
			producers[o.Output.Name] = o
			if o.Kind == ir.OpMLADown && o.Output.Name == layerTensor(o.Layer, mlaKVDown) {
				// the latent kv_norm reads is the first columns of
				// the key/value down projection's output (the program
				// pass splits it off), in that output's layout
				producers[layerTensor(o.Layer, mlaKVLatent)] = o
			}
		}
	}
	if st.only != nil && len(st.layers) > 0 {
		// templates: the head reads the last layer's output; alias it to
		// the template of that layer's kind, whose output has the same
		// layout
		m := st.Plan.Model
		kind := layerKind(m, m.NumLayers()-1)
		for j, i := range st.only {
			if layerKind(m, i) == kind {
				last := st.layers[j]
				producers[st.head[0].Inputs[0].Name] = last[len(last)-1]
			}
		}
	}
	st.embedColls, st.layerColls, st.headColls = collectivesOf(st.Plan, st.Unit.Mesh, st.embed, st.layers, st.head, producers)
}

// collectivesOf inserts the collectives of the embedding, the layers and
// the head. An edge's collectives belong to its consumer's list, except
// those of the embedding's output, which stay with the embedding.
func collectivesOf(p *ir.Plan, mesh ir.Mesh, embed []*ir.Op, layers [][]*ir.Op, head []*ir.Op, producers map[string]*ir.Op) (embedColls []*ir.Collective, layerColls [][]*ir.Collective, headColls []*ir.Collective) {
	cb := &collBuilder{p: p, mesh: mesh, names: map[string]int{}, converted: map[string]bool{}}
	layerColls = make([][]*ir.Collective, len(layers))
	isEmbed := map[*ir.Op]bool{}
	for _, o := range embed {
		isEmbed[o] = true
	}
	run := func(ops []*ir.Op, list *[]*ir.Collective) {
		for _, o := range ops {
			cb.edges(o, producers, list, &embedColls, isEmbed)
			cb.explicit(o, list)
		}
	}
	run(embed, &embedColls)
	for i := range layers {
		run(layers[i], &layerColls[i])
	}
	run(head, &headColls)
	return
}

// edges inserts the layout conversions on o's inputs.
func (cb *collBuilder) edges(o *ir.Op, producers map[string]*ir.Op, consumerList, embedList *[]*ir.Collective, isEmbed map[*ir.Op]bool) {
	tp := ir.AxisTP
	for _, in := range o.Inputs {
		src, ok := producers[in.Name]
		if !ok || src == o {
			continue
		}
		list, layer := consumerList, o.Layer
		if isEmbed[src] {
			list, layer = embedList, src.Layer
		}
		out := src.Output
		reduceBwd := colTPGEMM(o)
		// readers in one layout share one conversion, but for its
		// backward half: a reader whose input gradient is a partial sum
		// over tp (a column-parallel GEMM) needs it reduced, a
		// replicated reader's gradient is complete and must not be
		// reduced again (MLA's key/value down projection beside a full
		// query projection, both reading ln1)
		key := src.Name + "/" + in.Name + fmt.Sprint(splitBy(in, tp), isPartial(in, tp), reduceBwd)
		if cb.converted[key] {
			continue
		}
		cb.converted[key] = true
		// the bytes and name of the tensor read: a producer may write
		// more than it (MLA's latent is part of kv_down's output)
		full := bytesFull(in, tp, cb.mesh)
		// conv adds a layout conversion of o's input: its forward
		// collective (fk) and backward one (bk), either may be none.
		conv := func(fk, bk ir.CollKind) {
			var f, b *ir.Collective
			if fk != ir.CollNone {
				f = cb.add(list, fk, tp, full, ir.Forward, src.Name, layer, ir.Critical, in.Name)
			}
			if bk != ir.CollNone {
				b = cb.add(list, bk, tp, full, ir.Backward, o.Name, layer, ir.Critical, in.Name)
			}
			for _, c := range []*ir.Collective{f, b} {
				if c != nil {
					c.Reader = o.Name
				}
			}
			if f != nil && b != nil {
				f.Adjoint, b.Adjoint = b.Name, f.Name
			}
		}
		none := ir.CollNone
		switch {
		case isPartial(out, tp) && !isPartial(in, tp):
			if splitBy(in, tp) { // to a sequence (or feature) split: reduce-scatter, adjoint all-gather
				conv(ir.ReduceScatter, ir.AllGather)
			} else if reduceBwd {
				conv(ir.AllReduce, ir.AllReduce)
			} else {
				conv(ir.AllReduce, none)
			}
		case splitBy(out, tp) && splitBy(in, tp) && featureSplit(out) != featureSplit(in):
			// tokens split to features split or back (under sp, a
			// phantom FFN's columns): gather the producer's split
			// forward, the consumer's backward, each rank then reading
			// its own part
			conv(ir.AllGather, ir.AllGather)
		case splitBy(out, tp) && !splitBy(in, tp):
			if reduceBwd {
				conv(ir.AllGather, ir.ReduceScatter)
				if !featureSplit(out) {
					cb.regather(list, o, src, layer, full, out.Name)
				}
			} else {
				conv(ir.AllGather, none)
			}
		case reduceBwd && !splitBy(out, tp):
			conv(none, ir.AllReduce)
		case !splitBy(out, tp) && !isPartial(out, tp) && splitBy(in, tp):
			// o reads its slice of a tensor replicated over tp (a
			// phantom FFN its part of the LayerNorm output, an MoE block
			// under ssmb its tokens, under sp the residual its rows of
			// an MoE block's output): forward needs nothing, but each
			// rank's backward gives the gradient of its own slice only,
			// and the whole tensor needs all of it (the adjoint of
			// slicing a replicated tensor is an all-gather)
			conv(none, ir.AllGather)
		}
	}
}

// regather adds the backward all-gather of a sequence-parallel GEMM's
// input: the activation memory counts the input as this rank's rows only
// (Korthikanti et al. 2022, section 4.2.2: the all-gathered input is not
// stored), so the GEMM's backward gathers it again for its weight
// gradient; Megatron-LM issues it before the input gradient's GEMM.
func (cb *collBuilder) regather(list *[]*ir.Collective, o, src *ir.Op, layer int, bytes float64, tensor string) {
	if c := cb.add(list, ir.AllGather, ir.AxisTP, bytes, ir.Backward, o.Name, layer, ir.Critical, tensor); c != nil {
		c.Reader, c.Regather = o.Name, true
	}
}

// featureSplit reports whether t's last (feature) dimension is split by tp.
func featureSplit(t ir.Tensor) bool {
	return len(t.Shape) > 0 && hasAxis(t.Shape[len(t.Shape)-1], ir.AxisTP)
}

// bytesFull is a tensor's bytes with the split by axis a undone.
func bytesFull(t ir.Tensor, a ir.Axis, m ir.Mesh) float64 {
	n := float64(t.Elem)
	for _, e := range t.Shape {
		local := float64(e.Local())
		if hasAxis(e, a) {
			local *= float64(m.Degree(a))
		}
		n *= local
	}
	return n
}

// explicit adds the collectives o's kernel issues itself (their Issuer).
func (cb *collBuilder) explicit(o *ir.Op, list *[]*ir.Collective) {
	n := len(*list)
	defer func() {
		for _, c := range (*list)[n:] {
			c.Issuer = o.Name
		}
	}()
	p := cb.p
	m := cb.mesh
	switch o.Kind {
	case ir.OpAttnScores:
		if x := p.Model.MLA; x != nil && p.TP > 1 {
			// MLA's shared rotary key k_r (the last columns of the
			// replicated kv_down) is read by every tp rank's heads: its
			// gradient is a partial sum over tp, completed before it
			// reaches kv_down (the latents' are by their conversions).
			// Under sp kv_down projects the rank's own rows: attention
			// gathers k_r's rows over tp, and its gradient is
			// reduce-scattered back to them.
			b := float64(p.MicroBatch*(p.Model.Seq/p.CP)*x.QKRopeHeadDim) * float64(o.Inputs[0].Elem)
			if p.SP {
				cb.add(list, ir.AllGather, ir.AxisTP, b, ir.Forward, o.Name, o.Layer, ir.Critical, MLARotaryKey)
				cb.add(list, ir.ReduceScatter, ir.AxisTP, b, ir.Backward, o.Name, o.Layer, ir.Critical, MLARotaryKeyGrad)
			} else {
				cb.add(list, ir.AllReduce, ir.AxisTP, b, ir.Backward, o.Name, o.Layer, ir.Critical, MLARotaryKeyGrad)
			}
		}
		if p.CP < 2 {
			return
		}
		q, k := o.Inputs[0], o.Inputs[1]
		// one key and one value on this rank (fewer heads than q under
		// grouped-query attention; under MLA the value is narrower than
		// the key: v_head_dim against qk_nope+qk_rope columns)
		// of this rank's sequence segment (the attention op may read them
		// whole: under ring the blocks travel, one segment each)
		kFull := bytesFull(k, ir.AxisCP, m)
		vFull := kFull
		if qk, v := p.Model.QKWidth(), p.Model.VWidth(); v != qk {
			vFull = kFull / float64(qk) * float64(v)
		}
		local := (kFull + vFull) / 2 / float64(p.CP) // the mean of a key's and a value's
		qkv := (bytesFull(q, ir.AxisCP, m) + kFull + vFull) / float64(p.CP)
		after := strings.Replace(o.Name, "attn_scores", "qkv", 1)
		switch p.CPMode {
		case ir.CPRing:
			c := cb.add(list, ir.SendRecv, ir.AxisCP, 2*local, ir.Forward, after, o.Layer, ir.WithCompute, "kv")
			c.Steps = p.CP - 1
			c = cb.add(list, ir.SendRecv, ir.AxisCP, 4*local, ir.Backward, o.Name, o.Layer, ir.WithCompute, "kv+dkv")
			c.Steps = p.CP - 1
			// after the last hop each block's dK|dV goes home
			cb.add(list, ir.SendRecv, ir.AxisCP, 2*local, ir.Backward, o.Name, o.Layer, ir.WithCompute, "dkv")
		case ir.CPUlysses:
			cb.add(list, ir.AllToAll, ir.AxisCP, qkv, ir.Forward, after, o.Layer, ir.Critical, "qkv")
			cb.add(list, ir.AllToAll, ir.AxisCP, qkv, ir.Backward, o.Name, o.Layer, ir.Critical, "dqkv")
		case ir.CPAllGather:
			cb.add(list, ir.AllGather, ir.AxisCP, kFull, ir.Forward, after, o.Layer, ir.Critical, "k")
			cb.add(list, ir.AllGather, ir.AxisCP, vFull, ir.Forward, after, o.Layer, ir.Critical, "v")
			cb.add(list, ir.ReduceScatter, ir.AxisCP, kFull, ir.Backward, o.Name, o.Layer, ir.Critical, "dk")
			cb.add(list, ir.ReduceScatter, ir.AxisCP, vFull, ir.Backward, o.Name, o.Layer, ir.Critical, "dv")
		case ir.CPLSS:
			cb.add(list, ir.AllGather, ir.AxisCP, kFull+vFull, ir.Forward, after, o.Layer, ir.Critical, "k+v")
			cb.add(list, ir.ReduceScatter, ir.AxisCP, kFull+vFull, ir.Backward, o.Name, o.Layer, ir.Critical, "dk+dv")
		}
	case ir.OpAttnValues:
		if p.CP > 1 && p.CPMode == ir.CPUlysses {
			b := o.Output.Bytes()
			cb.add(list, ir.AllToAll, ir.AxisCP, b, ir.Forward, o.Name, o.Layer, ir.Critical, "ctx")
			cb.add(list, ir.AllToAll, ir.AxisCP, b, ir.Backward, o.Name, o.Layer, ir.Critical, "dctx")
		}
	case ir.OpRouter:
		// When several ranks route one micro-batch's tokens (its cp
		// chunks, or under ssmb the tp ranks' slices), they all-gather
		// each run's routed copies per expert and the affinity sums (one
		// run per sequence and cp chunk under cp, ir.CPChunks; else one),
		// so that the auxiliary loss
		// and capacity positions are the micro-batch's (the runtime's
		// route). Under both at once the group spans cp×tp, an axis the
		// mesh does not name: not counted.
		ssmb := p.MoE.SSMB && p.TP > 1
		if (p.CP > 1) == ssmb {
			return
		}
		axis, members, runs := ir.AxisCP, p.CP, p.MicroBatch*len(ir.CPChunks(p.Model.Seq, p.CP, 0))
		if ssmb {
			axis, members, runs = ir.AxisTP, p.TP, 1
		}
		e := p.Model.MoE.Experts
		cb.add(list, ir.AllGather, axis, float64(members*(runs+1)*e)*float64(o.Output.Elem), ir.Forward, o.Name, o.Layer, ir.Critical, "route-counts")
	case ir.OpDispatch, ir.OpExpertFC2:
		kind := ir.AllToAllV
		if p.MoE.Dispatch == ir.DispatchCapacity {
			kind = ir.AllToAll
		}
		b := o.Output.Bytes()
		what := "dispatch"
		if o.Kind == ir.OpExpertFC2 {
			what = "combine"
		}
		cb.add(list, kind, ir.AxisEP, b, ir.Forward, o.Name, o.Layer, ir.Critical, what)
		cb.add(list, kind, ir.AxisEP, b, ir.Backward, o.Name, o.Layer, ir.Critical, what)
	case ir.OpCompress:
		if p.TP > 1 {
			full := bytesFull(o.Output, ir.AxisTP, m)
			cb.add(list, ir.AllGather, ir.AxisTP, full, ir.Forward, o.Name, o.Layer, ir.Critical, o.Output.Name)
			cb.add(list, ir.ReduceScatter, ir.AxisTP, full, ir.Backward, o.Name, o.Layer, ir.Critical, o.Output.Name)
		}
	case ir.OpLoss:
		if p.TP > 1 && p.Model.Kind != ir.MLPModel {
			c := cb.add(list, ir.AllReduce, ir.AxisTP, o.Output.Bytes(), ir.Forward, o.Name, o.Layer, ir.Critical, "max,sum,target")
			c.Steps = 3
		}
		// A phantom mlp's loss needs no collective: each part's slice of
		// the output is compared with the same slice of the target, so
		// the gradient of the mean squared error is local, and the loss
		// value is one scalar per part (reported, not trained on).
	}
}
