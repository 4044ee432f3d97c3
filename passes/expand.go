package passes

import (
	"fmt"
	"math"

	"planc/ir"
)

// dims is the plan's shape vocabulary, shared by expansion, sharding and
// the analytic estimate.
type dims struct {
	b, s, h, a, f, V int // micro-batch, sequence, hidden, heads, ffn, vocab
	kv               int // key/value heads each tp rank's share is cut from (kv_heads, or tp when tp exceeds them: replicated)
	qk, hv           int // one head's query/key and value widths
	E, k, fe, S      int // experts, top-k, expert ffn, shared experts
	elem             int // bytes per activation element
	tokensPerExpert  int // capacity dispatch: tokens kept per expert per source rank
	moeT             int // tokens one rank routes per micro-batch (b·s/cp, and /tp with ssmb)
	ssmb             bool
	ghost, parts     int // phantom: ghost neurons per part, parts
}

func newDims(p *ir.Plan) dims {
	m := p.Model
	d := dims{b: p.MicroBatch, s: m.Seq, h: m.Hidden, a: m.Heads, f: m.FFN, V: m.Vocab, elem: elemBytes(p.Precision)}
	if m.Kind == ir.MLPModel {
		d.h = m.Width
		d.s = 1
	}
	if d.f == 0 {
		d.f = 4 * d.h
	}
	if m.Kind == ir.Transformer && m.Heads > 0 {
		d.qk, d.hv, d.kv = m.QKWidth(), m.VWidth(), m.KV()
		if p.TP > d.kv {
			// Megatron's layout when tp exceeds the key/value heads: each
			// tp rank holds one, replicated tp/kv_heads times
			d.kv = p.TP
		}
	}
	if m.MoE != nil {
		d.E, d.k, d.fe, d.S = m.MoE.Experts, m.MoE.TopK, m.MoE.ExpertFFN, m.MoE.Shared
		// tokens one rank routes per micro-batch: the cp shard of the
		// sequence, and with sequence-sharded MoE blocks its 1/tp slice.
		T := d.b * d.s / max(p.CP, 1)
		// Capacity is a property of the micro-batch (docs/semantics.md: at most
		// ceil(k·T·cf/E) copies per expert per micro-batch, in token
		// order), so that ssmb computes the same model as no ssmb: one tp
		// rank may hold all of an expert's kept copies, and its padded
		// slab must have room for them.
		d.tokensPerExpert = ceilDiv(float64(d.k*T)*p.MoE.CapacityFactor, float64(d.E))
		if p.MoE.SSMB && p.TP > 1 {
			T /= p.TP
			d.ssmb = true
		}
		d.moeT = T
	}
	if m.FFNKind.IsPhantom() {
		d.ghost, d.parts = m.FFNKind.K, m.FFNKind.Parts
	}
	return d
}

// ceilDiv is ⌈x/y⌉ for x, y > 0. A quotient beyond what an int can hold
// (a plan the size bounds let through would not produce one) saturates at
// math.MaxInt32 instead of wrapping to a negative size.
func ceilDiv(x, y float64) int {
	q := math.Ceil(x / y)
	if !(q < math.MaxInt32) { // NaN too
		return math.MaxInt32
	}
	return max(int(q), 0)
}

func elemBytes(precision ir.Precision) int { return precision.ElemBytes() }

func ext(sym string, size int) ir.Extent { return ir.Extent{Sym: sym, Size: size} }

func tensor(name string, elem int, shape ...ir.Extent) ir.Tensor {
	return ir.Tensor{Name: name, Elem: elem, Shape: shape}
}

func param(name string, elem int, shape ...ir.Extent) *ir.Tensor {
	t := tensor(name, elem, shape...)
	return &t
}

// expand builds the logical (unsharded) op lists of the model: the
// embedding, every layer, and the head with its loss.
func expand(st *State) {
	p := st.Plan
	d := newDims(p)
	m := p.Model
	if m.Kind == ir.MLPModel {
		st.embed = nil
		for _, i := range st.layerIndices() {
			st.layers = append(st.layers, mlpLayer(d, m, i))
		}
		st.head = []*ir.Op{mseLoss(d, m.Depth)}
		return
	}
	st.embed = []*ir.Op{embedding(d, m)}
	for _, i := range st.layerIndices() {
		st.layers = append(st.layers, transformerLayer(d, p, i))
	}
	st.head = headOps(d, m)
}

// layerIndices returns the layers expansion builds: every layer, or for the
// analytic estimate's templates (only set) one representative of each
// kind.
func (st *State) layerIndices() []int {
	if st.only != nil {
		return st.only
	}
	idx := make([]int, st.Plan.Model.NumLayers())
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func act(d dims, name string) ir.Tensor {
	return tensor(name, d.elem, ext("b", d.b), ext("s", d.s), ext("h", d.h))
}

func embedding(d dims, m *ir.Model) *ir.Op {
	o := &ir.Op{Name: "embed", Kind: ir.OpEmbedding, Class: ir.MemoryBound, Layer: -1,
		Inputs: []ir.Tensor{tensor("ids", 4, ext("b", d.b), ext("s", d.s))},
		Output: act(d, "l0.x"),
		Weight: param("wte", d.elem, ext("V", d.V), ext("h", d.h)),
	}
	if m.Position != ir.PositionRoPE {
		o.Bias = param("wpe", d.elem, ext("s", d.s), ext("h", d.h)) // the learned positions
	}
	o.Saved = []ir.Tensor{mask(d, "embed.mask")}
	return o
}

// mask is a dropout mask (one byte per element) of a [b, s, h]-like tensor.
func mask(d dims, name string) ir.Tensor {
	t := act(d, name)
	t.Elem = 1
	return t
}

func transformerLayer(d dims, p *ir.Plan, i int) []*ir.Op {
	n := func(s string) string { return fmt.Sprintf("l%d.%s", i, s) }
	x := act(d, n("x"))
	m := p.Model
	ln := func(name string, in ir.Tensor) *ir.Op { return norm(d, m, i, n(name), in, d.h) }
	// q, k, v and the context carry the symbol h (the sharder splits
	// their heads by it) at their own widths: a·qk, kv·qk, kv·hv, a·hv
	heads := func(name string, count, width int, sym string) ir.Tensor {
		t := tensor(name, d.elem, ext("b", d.b), ext(sym, d.s), ext("h", count*width))
		return t
	}
	kvHeads := d.kv
	if m.MLA != nil {
		kvHeads = d.a // MLA's keys and values are per head, from the latent
	}
	q, k, v := heads(n("q"), d.a, d.qk, "s"), heads(n("k"), kvHeads, d.qk, "sk"), heads(n("v"), kvHeads, d.hv, "sk")
	ctx := heads(n("ctx"), d.a, d.hv, "s")
	ops := []*ir.Op{ln("ln1", x)}
	ops = append(ops, projections(d, m, i, n)...)
	ops = append(ops, attentionCore(d, p, i, n, q, k, v, ctx)...)
	ops = append(ops,
		&ir.Op{Name: n("out_proj"), Kind: ir.OpOutProj, Class: ir.Matmul, Layer: i,
			Inputs: []ir.Tensor{ctx}, Output: act(d, n("attn_out")),
			Weight: param(n("out_proj.w"), d.elem, ext("h", d.a*d.hv), ext("h", d.h)), Bias: maybeBias(m, n("out_proj.b"), d.elem, ext("h", d.h)),
			Saved: []ir.Tensor{ctx}},
		residual(d, n("residual1"), i, act(d, n("attn_out")), x, act(d, n("x1"))),
		ln("ln2", act(d, n("x1"))),
	)
	next := act(d, fmt.Sprintf("l%d.x", i+1))
	switch {
	case p.Model.IsMoELayer(i):
		ops = append(ops, moeFFN(d, p, i, n)...)
		ops = append(ops, residual(d, n("residual2"), i, act(d, n("moe_out")), act(d, n("x1")), next))
		if d.S > 0 {
			// the shared experts' output joins the routed output in the
			// combine, on the tokens the block holds (all of them on every
			// tp rank, or under ssmb the rank's slice, so that one
			// all-gather restores the block's output)
			for _, o := range ops {
				if o.Kind == ir.OpCombine {
					o.Inputs = append(o.Inputs, act(d, n("shared_out")))
				}
			}
		}
	case p.Model.FFNKind.IsPhantom():
		ops = append(ops, phantomFFN(d, i, n)...)
		ops = append(ops, residual(d, n("residual2"), i, act(d, n("mlp_out")), act(d, n("x1")), next))
	default:
		nonlin := ir.OpGeLU
		if m.MLP.Gated() {
			nonlin = ir.OpGLU
		}
		ops = append(ops, denseFFN(d, m, i, n, "fc1", "gelu", "fc2", ir.OpFC1, nonlin, ir.OpFC2, d.f, n("ln2"), n("mlp_out"))...)
		ops = append(ops, residual(d, n("residual2"), i, act(d, n("mlp_out")), act(d, n("x1")), next))
	}
	return ops
}

// attentionCore is q·kᵀ, softmax, dropout and p·v. Unfused (Megatron's
// kernels) each is an op and the s×s probabilities and dropout mask are
// kept for backward. Fused (FlashAttention) the scores live in on-chip
// tiles (Elem 0: never in HBM, no working memory), softmax and dropout
// are no kernels of their own, p·v keeps only v and one fp32 log-sum-exp
// per query row, and backward recomputes the scores (shard.go adds their
// FLOPs to attn_scores' backward).
func attentionCore(d dims, p *ir.Plan, i int, n func(string) string, q, k, v, ctx ir.Tensor) []*ir.Op {
	scores := func(name string) ir.Tensor {
		return tensor(name, d.elem, ext("b", d.b), ext("a", d.a), ext("s", d.s), ext("sk", d.s))
	}
	if p.Attention == ir.AttentionFused {
		tile := scores(n("scores"))
		tile.Elem = 0
		lse := tensor(n("lse"), 4, ext("b", d.b), ext("a", d.a), ext("s", d.s))
		return []*ir.Op{
			{Name: n("attn_scores"), Kind: ir.OpAttnScores, Class: ir.Matmul, Layer: i,
				Inputs: []ir.Tensor{q, k}, Output: tile, Saved: []ir.Tensor{q, k}},
			{Name: n("attn_values"), Kind: ir.OpAttnValues, Class: ir.Matmul, Layer: i,
				Inputs: []ir.Tensor{tile, v}, Output: ctx, Saved: []ir.Tensor{lse, v}},
		}
	}
	return []*ir.Op{
		{Name: n("attn_scores"), Kind: ir.OpAttnScores, Class: ir.Matmul, Layer: i,
			Inputs: []ir.Tensor{q, k}, Output: scores(n("scores")), Saved: []ir.Tensor{q, k}},
		{Name: n("softmax"), Kind: ir.OpSoftmax, Class: ir.MemoryBound, Layer: i,
			Inputs: []ir.Tensor{scores(n("scores"))}, Output: scores(n("probs")), Saved: []ir.Tensor{scores(n("probs"))}},
		{Name: n("attn_dropout"), Kind: ir.OpAttnDropout, Class: ir.MemoryBound, Layer: i,
			Inputs: []ir.Tensor{scores(n("probs"))}, Output: scores(n("probs_d")),
			Saved: []ir.Tensor{func() ir.Tensor { t := scores(n("probs.mask")); t.Elem = 1; return t }()}},
		{Name: n("attn_values"), Kind: ir.OpAttnValues, Class: ir.Matmul, Layer: i,
			Inputs: []ir.Tensor{scores(n("probs_d")), v}, Output: ctx, Saved: []ir.Tensor{scores(n("probs_d")), v}},
	}
}

// residual is the fused bias, dropout and residual add after attention or
// the FFN: the branch's output in plus the skip connection; it keeps the
// dropout mask.
func residual(d dims, name string, layer int, in, skip, out ir.Tensor) *ir.Op {
	return &ir.Op{Name: name, Kind: ir.OpResidual, Class: ir.MemoryBound, Layer: layer,
		Inputs: []ir.Tensor{in, skip}, Output: out, Saved: []ir.Tensor{mask(d, name+".mask")}}
}

func ffnAct(d dims, name string, width int) ir.Tensor {
	return tensor(name, d.elem, ext("b", d.b), ext("s", d.s), ext("f", width))
}

// denseFFN is fc1, gelu, fc2 of width f reading input and writing output
// (a gated FFN: fc1 of width 2f, gate then up, and kg its act(gate)⊙up).
func denseFFN(d dims, m *ir.Model, layer int, n func(string) string, fc1, gelu, fc2 string, k1, kg, k2 ir.OpKind, f int, input, output string) []*ir.Op {
	in := act(d, input)
	f1 := f
	if m.MLP.Gated() {
		f1 = 2 * f
	}
	return []*ir.Op{
		{Name: n(fc1), Kind: k1, Class: ir.Matmul, Layer: layer, Inputs: []ir.Tensor{in}, Output: ffnAct(d, n(fc1), f1),
			Weight: param(n(fc1)+".w", d.elem, ext("h", d.h), ext("f", f1)), Bias: maybeBias(m, n(fc1)+".b", d.elem, ext("f", f1)),
			Saved: []ir.Tensor{in}},
		{Name: n(gelu), Kind: kg, Class: ir.MemoryBound, Layer: layer, Inputs: []ir.Tensor{ffnAct(d, n(fc1), f1)}, Output: ffnAct(d, n(gelu), f),
			Saved: []ir.Tensor{ffnAct(d, n(fc1), f1)}},
		{Name: n(fc2), Kind: k2, Class: ir.Matmul, Layer: layer, Inputs: []ir.Tensor{ffnAct(d, n(gelu), f)}, Output: act(d, output),
			Weight: param(n(fc2)+".w", d.elem, ext("f", f), ext("h", d.h)), Bias: maybeBias(m, n(fc2)+".b", d.elem, ext("h", d.h)),
			Saved: []ir.Tensor{ffnAct(d, n(gelu), f)}},
	}
}

// maybeBias is a projection's bias, nil for a model without biases.
func maybeBias(m *ir.Model, name string, elem int, shape ...ir.Extent) *ir.Tensor {
	if m.NoBias {
		return nil
	}
	return param(name, elem, shape...)
}

// norm is a LayerNorm (gain and bias) or an RMSNorm (gain) over width
// features of in.
func norm(d dims, m *ir.Model, layer int, name string, in ir.Tensor, width int) *ir.Op {
	out := in
	out.Name = name
	out.Shape = append([]ir.Extent(nil), in.Shape...)
	sym := in.Shape[len(in.Shape)-1].Sym
	o := &ir.Op{Name: name, Kind: ir.OpLayerNorm, Class: ir.MemoryBound, Layer: layer,
		Inputs: []ir.Tensor{in}, Output: out,
		Weight: param(name+".g", d.elem, ext(sym, width)), Saved: []ir.Tensor{in}}
	if m.Norm == ir.NormRMS {
		o.Kind = ir.OpRMSNorm
	} else {
		o.Bias = param(name+".b", d.elem, ext(sym, width))
	}
	return o
}

// The names of MLA's tensors in layer i (layerTensor(i, …)): the program
// pass makes their dataflow explicit (the down projection's two parts, the
// attention's three inputs).
const (
	mlaQUp      = "q_up"
	mlaKVDown   = "kv_down"
	mlaKVLatent = "kv_latent"
	mlaKRope    = "k_rope"
	mlaKVUp     = "kv_up"
)

// layerTensor is the name of layer i's tensor s.
func layerTensor(i int, s string) string { return fmt.Sprintf("l%d.%s", i, s) }

// projections are a layer's attention input projections: the fused q, k,
// v GEMM of (heads + 2·kv)·head_dim columns, or MLA's down projections,
// latent norms and up projections (docs/semantics.md).
func projections(d dims, m *ir.Model, i int, n func(string) string) []*ir.Op {
	in := act(d, n("ln1"))
	if m.MLA == nil {
		w := (d.a + 2*d.kv) * d.qk
		return []*ir.Op{{Name: n("qkv"), Kind: ir.OpQKV, Class: ir.Matmul, Layer: i,
			Inputs: []ir.Tensor{in}, Output: tensor(n("qkv"), d.elem, ext("b", d.b), ext("s", d.s), ext("3h", w)),
			Weight: param(n("qkv.w"), d.elem, ext("h", d.h), ext("3h", w)), Bias: maybeBias(m, n("qkv.b"), d.elem, ext("3h", w)),
			Saved: []ir.Tensor{in}}}
	}
	x := m.MLA
	lat := func(name string, w int, sym string) ir.Tensor {
		return tensor(name, d.elem, ext("b", d.b), ext("s", d.s), ext(sym, w))
	}
	down := func(name string, w int, sym string, keep bool) *ir.Op {
		o := &ir.Op{Name: n(name), Kind: ir.OpMLADown, Class: ir.Matmul, Layer: i, Inputs: []ir.Tensor{in}, Output: lat(n(name), w, sym),
			Weight: param(n(name)+".w", d.elem, ext("h", d.h), ext(sym, w))}
		if keep {
			o.Saved = []ir.Tensor{in}
		}
		return o
	}
	up := func(name string, from ir.Tensor, w int) *ir.Op {
		return &ir.Op{Name: n(name), Kind: ir.OpMLAUp, Class: ir.Matmul, Layer: i, Inputs: []ir.Tensor{from}, Output: lat(n(name), w, "3h"),
			Weight: param(n(name)+".w", d.elem, ext(from.Shape[2].Sym, from.Shape[2].Size), ext("3h", w)), Saved: []ir.Tensor{from}}
	}
	var ops []*ir.Op
	qw := d.a * d.qk
	if x.QLoraRank > 0 {
		ops = append(ops, down("q_down", x.QLoraRank, "rq", true),
			norm(d, m, i, n("q_norm"), lat(n("q_down"), x.QLoraRank, "rq"), x.QLoraRank))
		ops = append(ops, up(mlaQUp, lat(n("q_norm"), x.QLoraRank, "rq"), qw))
	} else {
		ops = append(ops, up("q", in, qw))
	}
	// the key/value latent and the rotary key shared by all heads
	ops = append(ops, down(mlaKVDown, x.KVLoraRank+x.QKRopeHeadDim, "rkv", x.QLoraRank == 0),
		norm(d, m, i, n("kv_norm"), lat(n(mlaKVLatent), x.KVLoraRank, "rkv"), x.KVLoraRank),
		up(mlaKVUp, lat(n("kv_norm"), x.KVLoraRank, "rkv"), d.a*(x.QKNopeHeadDim+x.VHeadDim)))
	return ops
}

// routedRows is the token dimension of the dispatch buffers on one rank
// before the all-to-all: k·T routed copies (padding-free) or E·capacity
// (capacity dispatch).
func routedShape(d dims, p *ir.Plan, name string, width int, wsym string) ir.Tensor {
	if p.MoE.Dispatch == ir.DispatchCapacity {
		// [E, ep·c, width]: every expert's slots from every rank of the ep group.
		return tensor(name, d.elem, ext("E", d.E), ext("c", d.tokensPerExpert*max(p.EP, 1)), ext(wsym, width))
	}
	return tensor(name, d.elem, ext("r", d.k*d.moeT*max(p.EP, 1)), ext(wsym, width))
}

func moeFFN(d dims, p *ir.Plan, i int, n func(string) string) []*ir.Op {
	ln2 := act(d, n("ln2"))
	probs := tensor(n("router_probs"), 4, ext("b", d.b), ext("s", d.s), ext("E", d.E))
	routed := func(name string, w int, sym string) ir.Tensor { return routedShape(d, p, name, w, sym) }
	expertW := func(name string, in, out int, si, so string) *ir.Tensor {
		return param(name, d.elem, ext("E", d.E), ext(si, in), ext(so, out))
	}
	// a gated expert's fc1 holds gate and up: 2·fe columns
	fe1, nonlin := d.fe, ir.OpExpertGeLU
	if p.Model.MLP.Gated() {
		fe1, nonlin = 2*d.fe, ir.OpExpertGLU
	}
	ops := []*ir.Op{
		{Name: n("router"), Kind: ir.OpRouter, Class: ir.Matmul, Layer: i, Inputs: []ir.Tensor{ln2},
			Output: tensor(n("router_logits"), d.elem, ext("b", d.b), ext("s", d.s), ext("E", d.E)),
			Weight: param(n("router.w"), d.elem, ext("h", d.h), ext("E", d.E)), Saved: []ir.Tensor{ln2}},
		{Name: n("dispatch"), Kind: ir.OpDispatch, Class: ir.MemoryBound, Layer: i, Inputs: []ir.Tensor{ln2},
			Output: routed(n("dispatched"), d.h, "h"), Saved: dispatchSaved(d, p, n, probs)},
		{Name: n("expert_fc1"), Kind: ir.OpExpertFC1, Class: ir.Matmul, Layer: i, Inputs: []ir.Tensor{routed(n("expert_in"), d.h, "h")},
			Output: routed(n("expert_fc1"), fe1, "fe"), Weight: expertW(n("expert_fc1.w"), d.h, fe1, "h", "fe"),
			Saved: []ir.Tensor{routed(n("expert_in"), d.h, "h")}},
		{Name: n("expert_gelu"), Kind: nonlin, Class: ir.MemoryBound, Layer: i, Inputs: []ir.Tensor{routed(n("expert_fc1"), fe1, "fe")},
			Output: routed(n("expert_gelu"), d.fe, "fe"), Saved: []ir.Tensor{routed(n("expert_fc1"), fe1, "fe")}},
		{Name: n("expert_fc2"), Kind: ir.OpExpertFC2, Class: ir.Matmul, Layer: i, Inputs: []ir.Tensor{routed(n("expert_gelu"), d.fe, "fe")},
			Output: routed(n("expert_out"), d.h, "h"), Weight: expertW(n("expert_fc2.w"), d.fe, d.h, "fe", "h"),
			Saved: []ir.Tensor{routed(n("expert_gelu"), d.fe, "fe")}},
		{Name: n("combine"), Kind: ir.OpCombine, Class: ir.MemoryBound, Layer: i, Inputs: []ir.Tensor{routed(n("combine_in"), d.h, "h")},
			Output: act(d, n("moe_out")), Saved: combineSaved(d, p, n, routed(n("combine_in"), d.h, "h"))},
	}
	if d.S > 0 {
		nonlin := ir.OpSharedGeLU
		if p.Model.MLP.Gated() {
			nonlin = ir.OpSharedGLU
		}
		sh := denseFFN(d, p.Model, i, n, "shared_fc1", "shared_gelu", "shared_fc2", ir.OpSharedFC1, nonlin, ir.OpSharedFC2, d.S*d.fe, n("ln2"), n("shared_out"))
		sh[0].Saved = nil // ln2 is kept once, by the router
		ops = append(ops, sh...)
	}
	return ops
}

// The activations an MoE layer keeps for its backward pass, per rank and
// micro-batch, T tokens routed (b·s/cp, /tp under ssmb), k copies each:
//
// Both dispatch modes keep the router's probabilities [T, E] (fp32), the
// experts' input [rows, h] (saved by fc1), fc1's output and the GeLU's
// output [rows, f_e] (saved by the GeLU and fc2), and the combine's input
// [rows, h] (the expert outputs after the return all-to-all, which the
// gradient of the combine weights needs). rows is k·T routed copies
// padding-free, E·C slots under capacity (C = ceil(k·T·cf/E) per expert and
// source rank, so E·C ≈ cf·k·T).
//
// Capacity dispatch as DeepSpeed-MoE implements it (GShard's einsum form)
// also materializes two dense [T, E, C] tensors: the dispatch mask, cast to
// the activation dtype for einsum("sec,sm->ecm") and kept for the gradient
// of the tokens, and the combine weights, kept by einsum("sec,ecm->sm")
// for the gradient of the expert outputs. These grow as k·T²·cf and
// dominate at X-MoE's sizes.
//
// Padding-free dispatch (X-MoE) keeps instead small index arrays: per routed
// copy its token id and expert id (int32) and its combine weight (fp32).
//
// How X-MoE's figures map (Small: T = 4·2048 = 8192, E = 64, k = 6, h =
// 2048, f_e = 1408, cf = 1.25, C = 960, bf16): capacity 2·T·E·C·2 B = 2.01 GB
// of [T, E, C] tensors + 2·E·C·h·2 B = 0.50 GB of dispatch and combine
// buffers + 2·E·C·f_e·2 B = 0.35 GB of expert FFN activations = 2.86 GB
// (X-MoE: 2.81 GB padded); padding-free 2·k·T·h·2 B = 0.40 GB + 2·k·T·f_e·2 B
// = 0.28 GB + index arrays and probabilities (2.7 MB) = 0.68 GB kept for
// backward, 1.08 GB with the two routed exchange buffers that live through
// the layer (the dispatched copies before the all-to-all and the expert
// outputs before the return; the "MoE buffers" of the memory report).
// X-MoE reports 1.21 GB padding-free; it does not say which buffers it
// counts, and planc does not adjust either figure to it.
func dispatchSaved(d dims, p *ir.Plan, n func(string) string, probs ir.Tensor) []ir.Tensor {
	if p.MoE.Dispatch == ir.DispatchCapacity {
		return []ir.Tensor{probs, tensor(n("dispatch_mask"), d.elem, ext("b", d.b), ext("s", d.s), ext("E", d.E), ext("C", d.tokensPerExpert))}
	}
	return []ir.Tensor{probs, tensor(n("route_index"), 4, ext("b", d.b), ext("s", d.s), ext("2k", 2*d.k))}
}

func combineSaved(d dims, p *ir.Plan, n func(string) string, in ir.Tensor) []ir.Tensor {
	if p.MoE.Dispatch == ir.DispatchCapacity {
		return []ir.Tensor{in, tensor(n("combine_weights"), d.elem, ext("b", d.b), ext("s", d.s), ext("E", d.E), ext("C", d.tokensPerExpert))}
	}
	return []ir.Tensor{in, tensor(n("combine_weight"), 4, ext("b", d.b), ext("s", d.s), ext("k", d.k))}
}

// phantomFFN is a transformer FFN made of two phantom layers of width h
// (planc's formulation, docs/cost-model.md): each part compresses its slice into
// k ghosts, the ghosts are all-gathered, and each part mixes its local block
// with the decompressed ghosts of the others.
func phantomFFN(d dims, i int, n func(string) string) []*ir.Op {
	var ops []*ir.Op
	// fc1 widens the hidden state to the FFN's width, fc2 narrows it back
	// (the parameter table's shapes)
	in, inW := act(d, n("ln2")), d.h
	for j, actKind := range []ir.OpKind{ir.OpGeLU, ""} {
		name := fmt.Sprintf("ph%d", j+1)
		out := ffnAct(d, n(name+"_out"), d.f)
		if j == 1 {
			out = act(d, n("mlp_out"))
		}
		ops = append(ops, phantomLayer(d, i, n(name), in, out, inW, actKind)...)
		in, inW = out, d.f
	}
	return ops
}

// phantomLayer is one phantom layer from x (whole width inW) to out, its
// parts' local blocks, ghosts and mix, then actKind ("" for none).
func phantomLayer(d dims, layer int, name string, x, out ir.Tensor, inW int, actKind ir.OpKind) []*ir.Op {
	P := max(d.parts, 1)
	outSym := out.Shape[len(out.Shape)-1].Sym
	outW := out.Shape[len(out.Shape)-1].Size
	ib, ob := inW/P, outW/P
	ghosts := tensor(name+".ghosts", d.elem, ext("b", d.b), ext("s", d.s), ext("pk", P*d.ghost))
	others := tensor(name+".ghosts_in", d.elem, ext("b", d.b), ext("s", d.s), ext("k(p-1)", (P-1)*d.ghost))
	mixOut := tensor(name+".mix", d.elem, ext("b", d.b), ext("s", d.s), ext(outSym, outW))
	if actKind == "" {
		mixOut = out
	}
	ops := []*ir.Op{
		{Name: name + ".compress", Kind: ir.OpCompress, Class: ir.Matmul, Layer: layer, Inputs: []ir.Tensor{x}, Output: ghosts,
			Weight: param(name+".C", d.elem, ext("p", P), ext("in/p", ib), ext("k", d.ghost)), Saved: []ir.Tensor{x}},
		{Name: name + ".local", Kind: ir.OpLinear, Class: ir.Matmul, Layer: layer, Inputs: []ir.Tensor{x}, Output: mixOut,
			Weight: param(name+".W", d.elem, ext("p", P), ext("in/p", ib), ext("out/p", ob)), Bias: param(name+".b", d.elem, ext(outSym, outW))},
	}
	if P > 1 {
		ops = append(ops, &ir.Op{Name: name + ".decompress", Kind: ir.OpPhantomMix, Class: ir.Matmul, Layer: layer, Inputs: []ir.Tensor{others}, Output: mixOut,
			Weight: param(name+".D", d.elem, ext("p", P), ext("k(p-1)", (P-1)*d.ghost), ext("out/p", ob)), Saved: []ir.Tensor{others}})
	}
	if actKind != "" {
		ops = append(ops, &ir.Op{Name: name + ".act", Kind: actKind, Class: ir.MemoryBound, Layer: layer,
			Inputs: []ir.Tensor{mixOut}, Output: out, Saved: []ir.Tensor{mixOut}})
	}
	return ops
}

func headOps(d dims, m *ir.Model) []*ir.Op {
	L := m.Layers
	xL := act(d, fmt.Sprintf("l%d.x", L))
	w := "head.w"
	if m.TieEmbeddings {
		w = "wte"
	}
	logits := tensor("logits", d.elem, ext("b", d.b), ext("s", d.s), ext("V", d.V))
	return []*ir.Op{
		norm(d, m, -1, "ln_f", xL, d.h),
		{Name: "head", Kind: ir.OpHead, Class: ir.Matmul, Layer: -1, Inputs: []ir.Tensor{act(d, "ln_f")}, Output: logits,
			Weight: param(w, d.elem, ext("h", d.h), ext("V", d.V)), Saved: []ir.Tensor{act(d, "ln_f")}},
		{Name: "loss", Kind: ir.OpLoss, Class: ir.MemoryBound, Layer: -1, Inputs: []ir.Tensor{logits},
			Output: tensor("loss", 4, ext("b", d.b), ext("s", d.s)),
			// the vocab-parallel cross-entropy keeps the softmax in fp32
			Saved: []ir.Tensor{func() ir.Tensor {
				t := logits
				t.Name = "softmax"
				t.Elem = 4
				t.Shape = append([]ir.Extent(nil), logits.Shape...)
				return t
			}()}},
	}
}

// mlpLayer is one layer of a deep feed-forward network: a linear map of
// width w (dense or phantom) and its nonlinearity (none after the last).
func mlpLayer(d dims, m *ir.Model, i int) []*ir.Op {
	n := func(s string) string { return fmt.Sprintf("l%d.%s", i, s) }
	in, out := fmt.Sprintf("l%d.x", i), fmt.Sprintf("l%d.x", i+1)
	actKind := ir.OpActivation
	if i == m.Depth-1 {
		actKind = ""
	}
	if m.FFNKind.IsPhantom() {
		return phantomLayer(d, i, n("ph"), act(d, in), act(d, out), d.h, actKind)
	}
	mid := out
	if actKind != "" {
		mid = n("y")
	}
	x := act(d, in)
	ops := []*ir.Op{{Name: n("linear"), Kind: ir.OpLinear, Class: ir.Matmul, Layer: i, Inputs: []ir.Tensor{x}, Output: act(d, mid),
		Weight: param(n("linear.w"), d.elem, ext("in", d.h), ext("out", d.h)), Bias: param(n("linear.b"), d.elem, ext("out", d.h)),
		Saved: []ir.Tensor{x}}}
	if actKind != "" {
		ops = append(ops, &ir.Op{Name: n("act"), Kind: actKind, Class: ir.MemoryBound, Layer: i,
			Inputs: []ir.Tensor{act(d, mid)}, Output: act(d, out), Saved: []ir.Tensor{act(d, mid)}})
	}
	return ops
}

func mseLoss(d dims, depth int) *ir.Op {
	y := act(d, fmt.Sprintf("l%d.x", depth))
	return &ir.Op{Name: "loss", Kind: ir.OpLoss, Class: ir.MemoryBound, Layer: -1, Inputs: []ir.Tensor{y},
		Output: tensor("loss", 4, ext("b", d.b), ext("s", d.s)), Saved: []ir.Tensor{y}}
}
