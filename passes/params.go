package passes

import (
	"fmt"
	"math"
	"strings"

	"planc/ir"
)

// This file builds the unit's parameter table (ir.ParamTable): every
// parameter of the model under its checkpoint name, with its whole shape,
// its split over tp, its layer (which, with the pipeline partition, says
// which stages hold it) and its initialization. Every parameter is generated
// whole by tensor.InitNormal(seed, name, std, shape) and then sharded, so
// every plan starts from the same weights: std 0.02 for embeddings, qkv,
// fc1 and the router; 0.02/sqrt(2·layers) for the residual projections
// (attn.out, fc2); LayerNorm gains 1, biases 0. mlp models use std
// sqrt(2/width) and zero biases.

// paramsPass fills the unit's parameter table and points every op of the
// graph at the table entries its weight and bias stand for.
func paramsPass(st *State) {
	m := st.Plan.Model
	st.Unit.Params = ParamTableOf(m)
	for _, sg := range st.Unit.Graph.Stages {
		for _, o := range sg.Ops {
			o.Params = opParams(m, o)
		}
	}
}

// opParams returns the checkpoint names of the parameters op o reads, in
// table order (see expand.go for the graph's op names).
func opParams(m *ir.Model, o *ir.Op) []string {
	if o.Weight == nil && o.Bias == nil {
		return nil
	}
	wb := func(pre string) []string {
		if o.Bias == nil {
			return []string{pre + ".weight"}
		}
		return []string{pre + ".weight", pre + ".bias"}
	}
	l := o.Layer
	h := fmt.Sprintf("h.%d.", l)
	local := o.Name[strings.IndexByte(o.Name, '.')+1:] // "qkv", "ph1.compress", ...
	if m.Kind == ir.MLPModel {
		pre := fmt.Sprintf("layers.%d", l)
		switch o.Kind {
		case ir.OpCompress:
			return []string{pre + ".compress"}
		case ir.OpPhantomMix:
			return []string{pre + ".decompress"}
		}
		return wb(pre)
	}
	switch o.Kind {
	case ir.OpEmbedding:
		if o.Bias == nil { // rotary positions: no table
			return []string{"wte"}
		}
		return []string{"wte", "wpe"}
	case ir.OpHead:
		if m.TieEmbeddings {
			return []string{"wte"}
		}
		return []string{"lm_head.weight"}
	case ir.OpLayerNorm, ir.OpRMSNorm:
		switch {
		case l < 0:
			return wb("ln_f")
		case local == "q_norm" || local == "kv_norm":
			return wb(h + "attn." + local)
		}
		return wb(h + local)
	case ir.OpMLADown, ir.OpMLAUp:
		return wb(h + "attn." + local)
	case ir.OpQKV:
		return wb(h + "attn.qkv")
	case ir.OpOutProj:
		return wb(h + "attn.out")
	case ir.OpFC1, ir.OpFC2:
		return wb(h + "mlp." + local)
	case ir.OpRouter:
		return []string{h + "moe.router.weight"}
	case ir.OpExpertFC1, ir.OpExpertFC2, ir.OpSharedFC1, ir.OpSharedFC2:
		fc, group, n := "fc1", "experts", m.MoE.Experts
		if o.Kind == ir.OpExpertFC2 || o.Kind == ir.OpSharedFC2 {
			fc = "fc2"
		}
		if o.Kind == ir.OpSharedFC1 || o.Kind == ir.OpSharedFC2 {
			group, n = "shared", m.MoE.Shared
		}
		var out []string
		for e := range n {
			// the graph stacks the experts' weights without their biases;
			// the table holds each expert's own (none without biases)
			pre := fmt.Sprintf("%smoe.%s.%d.%s", h, group, e, fc)
			out = append(out, pre+".weight")
			if !m.NoBias {
				out = append(out, pre+".bias")
			}
		}
		return out
	case ir.OpCompress, ir.OpLinear, ir.OpPhantomMix: // a transformer's phantom FFN: ph1 is fc1, ph2 fc2
		fc := "fc1"
		if strings.HasPrefix(local, "ph2.") {
			fc = "fc2"
		}
		pre := h + "mlp." + fc
		switch o.Kind {
		case ir.OpCompress:
			return []string{pre + ".compress"}
		case ir.OpPhantomMix:
			return []string{pre + ".decompress"}
		}
		return wb(pre)
	}
	return nil
}

// ParamTableOf returns the parameter table of model m.
func ParamTableOf(m *ir.Model) ir.ParamTable {
	if m.Kind == ir.MLPModel {
		return MLPParamTable(m, "")
	}
	h, V, L := m.Hidden, m.Vocab, m.Layers
	const std = 0.02
	projStd := std / math.Sqrt(2*float64(L)) // GPT-2's scaled init of residual projections
	var out ir.ParamTable
	add := func(p *ir.Param) { out = append(out, p) }
	// wte and lm_head are split by vocabulary over tp (Megatron's
	// vocab-parallel embedding and head): rank i holds rows (columns of
	// lm_head) [i·V/tp, (i+1)·V/tp). wpe stays whole on every rank.
	add(&ir.Param{Name: "wte", Shape: []int{V, h}, Std: std, Decay: true, Shard: ir.ShardRows, Layer: ir.EmbeddingLayer, Tied: m.TieEmbeddings})
	if m.Position != ir.PositionRoPE {
		add(&ir.Param{Name: "wpe", Shape: []int{m.Seq, h}, Std: std, Decay: true, Layer: ir.EmbeddingLayer})
	}
	bias := !m.NoBias
	for l := 0; l < L; l++ {
		pre := fmt.Sprintf("h.%d.", l)
		ln := func(n string, width int) {
			add(&ir.Param{Name: pre + n + ".weight", Shape: []int{width}, Init: ir.InitOnes, Layer: l})
			if m.Norm != ir.NormRMS {
				add(&ir.Param{Name: pre + n + ".bias", Shape: []int{width}, Init: ir.InitZeros, Layer: l})
			}
		}
		ln("ln1", h)
		attentionParams(m, l, pre, add, ln)
		ln("ln2", h)
		ffn := func(pre string, width int, shard bool, expert bool, idx, of int) {
			c, r := ir.ShardCols, ir.ShardRows
			if !shard {
				c, r = ir.ShardNone, ir.ShardNone
			}
			// a gated FFN's fc1 holds the gate's columns, then the up
			// projection's (docs/semantics.md)
			// (docs/semantics.md); under tp each rank holds its columns
			// of both (ShardParts), which the gated activation pairs up
			w1 := width
			var parts []ir.ParamPart
			if m.MLP.Gated() {
				w1 = 2 * width
				if shard {
					c, parts = ir.ShardParts, []ir.ParamPart{{Heads: width, Width: 1}, {Heads: width, Width: 1}}
				}
			}
			add(&ir.Param{Name: pre + "fc1.weight", Shape: []int{h, w1}, Std: std, Decay: true, Shard: c, Parts: parts, Layer: l, Expert: expert, ExpertIndex: idx, Experts: of})
			if bias {
				add(&ir.Param{Name: pre + "fc1.bias", Shape: []int{w1}, Init: ir.InitZeros, Shard: c, Parts: parts, Layer: l, Expert: expert, ExpertIndex: idx, Experts: of})
			}
			add(&ir.Param{Name: pre + "fc2.weight", Shape: []int{width, h}, Std: projStd, Decay: true, Shard: r, Layer: l, Expert: expert, ExpertIndex: idx, Experts: of})
			if bias {
				add(&ir.Param{Name: pre + "fc2.bias", Shape: []int{h}, Init: ir.InitZeros, Layer: l, Expert: expert, ExpertIndex: idx, Experts: of})
			}
		}
		switch {
		case m.IsMoELayer(l):
			e := m.MoE
			add(&ir.Param{Name: pre + "moe.router.weight", Shape: []int{h, e.Experts}, Std: std, Decay: true, Layer: l})
			for s := 0; s < e.Shared; s++ {
				ffn(fmt.Sprintf("%smoe.shared.%d.", pre, s), e.ExpertFFN, false, false, 0, 0)
			}
			for x := 0; x < e.Experts; x++ {
				ffn(fmt.Sprintf("%smoe.experts.%d.", pre, x), e.ExpertFFN, false, true, x, e.Experts)
			}
		case m.FFNKind.IsPhantom():
			out = append(out, phantomFFNParams(pre+"mlp.", m, l, std, projStd)...)
		default:
			ffn(pre+"mlp.", FFNWidth(m), true, false, 0, 0)
		}
	}
	add(&ir.Param{Name: "ln_f.weight", Shape: []int{h}, Init: ir.InitOnes, Layer: ir.HeadLayer})
	if m.Norm != ir.NormRMS {
		add(&ir.Param{Name: "ln_f.bias", Shape: []int{h}, Init: ir.InitZeros, Layer: ir.HeadLayer})
	}
	if !m.TieEmbeddings {
		add(&ir.Param{Name: "lm_head.weight", Shape: []int{h, V}, Std: std, Decay: true, Shard: ir.ShardCols, Layer: ir.HeadLayer})
	}
	return out
}

// attentionParams adds layer l's attention projections: one fused q, k, v
// projection of (heads + 2·kv_heads)·head_dim columns (grouped-query
// attention), or MLA's down and up projections and their latent norms.
func attentionParams(m *ir.Model, l int, pre string, add func(*ir.Param), ln func(string, int)) {
	h, a := m.Hidden, m.Heads
	const std = 0.02
	projStd := std / math.Sqrt(2*float64(m.Layers))
	w := func(name string, in, out int, shard ir.ParamShard) {
		add(&ir.Param{Name: pre + name + ".weight", Shape: []int{in, out}, Std: std, Decay: true, Shard: shard, Layer: l})
	}
	if x := m.MLA; x != nil {
		qk := x.QKNopeHeadDim + x.QKRopeHeadDim
		if x.QLoraRank > 0 {
			w("attn.q_down", h, x.QLoraRank, ir.ShardNone)
			ln("attn.q_norm", x.QLoraRank)
			w("attn.q_up", x.QLoraRank, a*qk, ir.ShardCols)
		} else {
			w("attn.q", h, a*qk, ir.ShardCols)
		}
		w("attn.kv_down", h, x.KVLoraRank+x.QKRopeHeadDim, ir.ShardNone)
		ln("attn.kv_norm", x.KVLoraRank)
		w("attn.kv_up", x.KVLoraRank, a*(x.QKNopeHeadDim+x.VHeadDim), ir.ShardCols)
		add(&ir.Param{Name: pre + "attn.out.weight", Shape: []int{a * x.VHeadDim, h}, Std: projStd, Decay: true, Shard: ir.ShardRows, Layer: l})
		if !m.NoBias {
			add(&ir.Param{Name: pre + "attn.out.bias", Shape: []int{h}, Init: ir.InitZeros, Layer: l})
		}
		return
	}
	// Grouped-query attention's [q | k | v] has parts of a, g, g heads:
	// each rank holds its query heads and its (possibly replicated)
	// key/value heads (ShardParts); with g = a it is the thirds of ShardQKV.
	g, d := m.KV(), m.HeadWidth()
	qkv := (a + 2*g) * d
	shard, parts := ir.ShardQKV, []ir.ParamPart(nil)
	if g != a {
		shard, parts = ir.ShardParts, []ir.ParamPart{{Heads: a, Width: d}, {Heads: g, Width: d}, {Heads: g, Width: d}}
	}
	add(&ir.Param{Name: pre + "attn.qkv.weight", Shape: []int{h, qkv}, Std: std, Decay: true, Shard: shard, Parts: parts, Layer: l})
	if !m.NoBias {
		add(&ir.Param{Name: pre + "attn.qkv.bias", Shape: []int{qkv}, Init: ir.InitZeros, Shard: shard, Parts: parts, Layer: l})
	}
	add(&ir.Param{Name: pre + "attn.out.weight", Shape: []int{a * m.HeadWidth(), h}, Std: projStd, Decay: true, Shard: ir.ShardRows, Layer: l})
	if !m.NoBias {
		add(&ir.Param{Name: pre + "attn.out.bias", Shape: []int{h}, Init: ir.InitZeros, Layer: l})
	}
}

// MLPParamTable lists an mlp model's layers, each name prefixed by prefix:
// Depth linear layers of Width, with He-style std sqrt(2/width) weights.
// Under tp, layers pair up as column-parallel then row-parallel; an odd
// last layer is replicated.
func MLPParamTable(m *ir.Model, prefix string) ir.ParamTable {
	if m.FFNKind.IsPhantom() {
		return phantomParams(m, prefix)
	}
	var out ir.ParamTable
	w := m.Width
	std := math.Sqrt(2 / float64(w))
	for l := 0; l < m.Depth; l++ {
		wk, bk := ir.ShardCols, ir.ShardCols
		if l%2 == 1 {
			wk, bk = ir.ShardRows, ir.ShardNone
		} else if l == m.Depth-1 {
			wk, bk = ir.ShardNone, ir.ShardNone
		}
		out = append(out,
			&ir.Param{Name: fmt.Sprintf("%slayers.%d.weight", prefix, l), Shape: []int{w, w}, Std: std, Decay: true, Shard: wk, Layer: l},
			&ir.Param{Name: fmt.Sprintf("%slayers.%d.bias", prefix, l), Shape: []int{w}, Init: ir.InitZeros, Shard: bk, Layer: l})
	}
	return out
}

// phantomParams lists a phantom mlp's layers (docs/cost-model.md, "Phantom
// parallelism"; kernels.PhantomShape for the layouts). Each layer of width
// w in p parts with k ghosts per part stores its parts stacked along the
// first dimension, so that tp = p gives part i to tp rank i:
//
//	layers.N.weight      [p, w/p, w/p]       W_iiᵀ, std sqrt(2/fan_in)
//	layers.N.compress    [p, w/p, k]         C_iᵀ, std sqrt(1/(w/p))
//	layers.N.decompress  [p, (p−1)k, w/p]    D_ijᵀ for j ≠ i in increasing j (absent when p = 1)
//	layers.N.bias        [w]                 b_i at [i·w/p, (i+1)·w/p)
//
// where fan_in = w/p + (p−1)·k. With p = 1 the weight has the dense
// layer's elements in the dense layer's order and std, so a one-part
// phantom mlp is the dense mlp, weight for weight.
func phantomParams(m *ir.Model, prefix string) ir.ParamTable {
	var out ir.ParamTable
	w, p, k := m.Width, m.FFNKind.Parts, m.FFNKind.K
	wp := w / p
	fanIn := float64(wp + (p-1)*k)
	for l := 0; l < m.Depth; l++ {
		name := func(s string) string { return fmt.Sprintf("%slayers.%d.%s", prefix, l, s) }
		out = append(out,
			&ir.Param{Name: name("weight"), Shape: []int{p, wp, wp}, Std: math.Sqrt(2 / fanIn), Decay: true, Shard: ir.ShardRows, Layer: l},
			&ir.Param{Name: name("compress"), Shape: []int{p, wp, k}, Std: math.Sqrt(1 / float64(wp)), Decay: true, Shard: ir.ShardRows, Layer: l})
		if p > 1 {
			out = append(out, &ir.Param{Name: name("decompress"), Shape: []int{p, (p - 1) * k, wp}, Std: math.Sqrt(2 / fanIn), Decay: true, Shard: ir.ShardRows, Layer: l})
		}
		out = append(out, &ir.Param{Name: name("bias"), Shape: []int{w}, Init: ir.InitZeros, Shard: ir.ShardCols, Layer: l})
	}
	return out
}

// phantomFFNParams lists a transformer block's phantom FFN: fc1 (hidden →
// ffn, gelu) and fc2 (ffn → hidden) as phantom layers of p parts and k
// ghosts, laid out as phantomParams does (weight, compress, decompress
// stacked by part; bias whole). With p = 1 the weights and biases are the
// dense FFN's, element for element.
func phantomFFNParams(pre string, m *ir.Model, l int, std, projStd float64) ir.ParamTable {
	p, k := m.FFNKind.Parts, m.FFNKind.K
	var out ir.ParamTable
	layer := func(name string, in, outW int, sd float64) {
		out = append(out,
			&ir.Param{Name: pre + name + ".weight", Shape: []int{p, in / p, outW / p}, Std: sd, Decay: true, Shard: ir.ShardRows, Layer: l},
			&ir.Param{Name: pre + name + ".compress", Shape: []int{p, in / p, k}, Std: sd, Decay: true, Shard: ir.ShardRows, Layer: l})
		if p > 1 {
			out = append(out, &ir.Param{Name: pre + name + ".decompress", Shape: []int{p, (p - 1) * k, outW / p}, Std: sd, Decay: true, Shard: ir.ShardRows, Layer: l})
		}
		out = append(out, &ir.Param{Name: pre + name + ".bias", Shape: []int{outW}, Init: ir.InitZeros, Shard: ir.ShardCols, Layer: l})
	}
	layer("fc1", m.Hidden, FFNWidth(m), std)
	layer("fc2", FFNWidth(m), m.Hidden, projStd)
	return out
}

// FFNWidth is a transformer's dense FFN width (0 in the model means
// 4·hidden).
func FFNWidth(m *ir.Model) int {
	if m.FFN > 0 {
		return m.FFN
	}
	return 4 * m.Hidden
}
