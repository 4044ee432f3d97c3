package exec

import (
	"fmt"
	"hash/fnv"
	"math"

	"planc/ir"
	"planc/runtime/tensor"
)

// shardKind says how a parameter is split over the tensor-parallel ranks.
type shardKind uint8

const (
	replicated shardKind = iota // every tp rank holds it whole
	colShard                    // last dimension split into tp contiguous parts
	rowShard                    // first dimension split into tp contiguous parts
	qkvShard                    // last dimension is [q | k | v]; each of the three split into tp parts (heads)
)

// initKind is how a parameter starts.
type initKind uint8

const (
	initNormal initKind = iota
	initZeros
	initOnes
)

// paramSpec is one whole parameter of the model.
type paramSpec struct {
	name   string
	shape  []int // whole shape
	init   initKind
	std    float64
	decay  bool // weight decay applies (matrices)
	shard  shardKind
	layer  int  // transformer/mlp layer, or -1 (embedding: -1, head: -2)
	tied   bool // wte when the head reuses it
	expert bool // routed expert weight (reduced over edp under ep)
	// expertIndex and experts locate a routed expert's parameter: expert
	// expertIndex of experts.
	expertIndex, experts int
}

func (p *paramSpec) numel() int { return tensor.Numel(p.shape...) }

// localIndex returns, for tp rank i of tp, the whole-tensor index of each
// element of the local shard in local row-major order.
func (p *paramSpec) localIndex(i, tp int) []int32 {
	n := p.numel()
	if p.shard == replicated || tp == 1 {
		idx := make([]int32, n)
		for j := range idx {
			idx[j] = int32(j)
		}
		return idx
	}
	cols := p.shape[len(p.shape)-1]
	rows := n / cols
	var idx []int32
	switch p.shard {
	case rowShard:
		per := rows / tp
		for r := i * per; r < (i+1)*per; r++ {
			for c := 0; c < cols; c++ {
				idx = append(idx, int32(r*cols+c))
			}
		}
	case colShard:
		per := cols / tp
		for r := 0; r < rows; r++ {
			for c := i * per; c < (i+1)*per; c++ {
				idx = append(idx, int32(r*cols+c))
			}
		}
	case qkvShard:
		third := cols / 3
		per := third / tp
		for r := 0; r < rows; r++ {
			for part := 0; part < 3; part++ {
				for c := part*third + i*per; c < part*third+(i+1)*per; c++ {
					idx = append(idx, int32(r*cols+c))
				}
			}
		}
	}
	return idx
}

// localShape returns the shape of tp rank's shard.
func (p *paramSpec) localShape(tp int) []int {
	s := append([]int(nil), p.shape...)
	switch {
	case p.shard == replicated || tp == 1:
	case p.shard == rowShard:
		s[0] /= tp
	default:
		s[len(s)-1] /= tp
	}
	return s
}

// wholeInit returns the parameter generated whole from the run's seed.
func (p *paramSpec) wholeInit(seed uint64) *tensor.Tensor {
	switch p.init {
	case initZeros:
		return tensor.New(p.shape...)
	case initOnes:
		t := tensor.New(p.shape...)
		t.Fill(1)
		return t
	}
	return tensor.InitNormal(seed, p.name, p.std, p.shape...)
}

// modelSpecs lists every parameter of a model in a fixed order (the order of
// the flat buffers): embedding, layers in order, head. See package ckpt for
// the names.
func modelSpecs(m *ir.Model) []*paramSpec {
	if m.Kind == ir.MLPModel {
		return mlpSpecs(m, "")
	}
	h, V, L := m.Hidden, m.Vocab, m.Layers
	const std = 0.02
	projStd := std / math.Sqrt(2*float64(L)) // GPT-2's scaled init of residual projections
	var out []*paramSpec
	add := func(p *paramSpec) { out = append(out, p) }
	// wte and lm_head are split by vocabulary over tp (Megatron's
	// vocab-parallel embedding and head): rank i holds rows (columns of
	// lm_head) [i·V/tp, (i+1)·V/tp). wpe stays whole on every rank.
	add(&paramSpec{name: "wte", shape: []int{V, h}, std: std, decay: true, shard: rowShard, layer: -1, tied: m.TieEmbeddings})
	add(&paramSpec{name: "wpe", shape: []int{m.Seq, h}, std: std, decay: true, layer: -1})
	for l := 0; l < L; l++ {
		pre := fmt.Sprintf("h.%d.", l)
		ln := func(n string) {
			add(&paramSpec{name: pre + n + ".weight", shape: []int{h}, init: initOnes, layer: l})
			add(&paramSpec{name: pre + n + ".bias", shape: []int{h}, init: initZeros, layer: l})
		}
		ln("ln1")
		add(&paramSpec{name: pre + "attn.qkv.weight", shape: []int{h, 3 * h}, std: std, decay: true, shard: qkvShard, layer: l})
		add(&paramSpec{name: pre + "attn.qkv.bias", shape: []int{3 * h}, init: initZeros, shard: qkvShard, layer: l})
		add(&paramSpec{name: pre + "attn.out.weight", shape: []int{h, h}, std: projStd, decay: true, shard: rowShard, layer: l})
		add(&paramSpec{name: pre + "attn.out.bias", shape: []int{h}, init: initZeros, layer: l})
		ln("ln2")
		ffn := func(pre string, width int, shard bool, expert bool, idx, of int) {
			c, r := colShard, rowShard
			if !shard {
				c, r = replicated, replicated
			}
			add(&paramSpec{name: pre + "fc1.weight", shape: []int{h, width}, std: std, decay: true, shard: c, layer: l, expert: expert, expertIndex: idx, experts: of})
			add(&paramSpec{name: pre + "fc1.bias", shape: []int{width}, init: initZeros, shard: c, layer: l, expert: expert, expertIndex: idx, experts: of})
			add(&paramSpec{name: pre + "fc2.weight", shape: []int{width, h}, std: projStd, decay: true, shard: r, layer: l, expert: expert, expertIndex: idx, experts: of})
			add(&paramSpec{name: pre + "fc2.bias", shape: []int{h}, init: initZeros, layer: l, expert: expert, expertIndex: idx, experts: of})
		}
		if m.IsMoELayer(l) {
			e := m.MoE
			add(&paramSpec{name: pre + "moe.router.weight", shape: []int{h, e.Experts}, std: std, decay: true, layer: l})
			for s := 0; s < e.Shared; s++ {
				ffn(fmt.Sprintf("%smoe.shared.%d.", pre, s), e.ExpertFFN, false, false, 0, 0)
			}
			for x := 0; x < e.Experts; x++ {
				ffn(fmt.Sprintf("%smoe.experts.%d.", pre, x), e.ExpertFFN, false, true, x, e.Experts)
			}
		} else if m.FFNKind.IsPhantom() {
			out = append(out, phantomFFNSpecs(pre+"mlp.", m, l, std, projStd)...)
		} else {
			ffn(pre+"mlp.", ffnWidth(m), true, false, 0, 0)
		}
	}
	add(&paramSpec{name: "ln_f.weight", shape: []int{h}, init: initOnes, layer: -2})
	add(&paramSpec{name: "ln_f.bias", shape: []int{h}, init: initZeros, layer: -2})
	if !m.TieEmbeddings {
		add(&paramSpec{name: "lm_head.weight", shape: []int{h, V}, std: std, decay: true, shard: colShard, layer: -2})
	}
	return out
}

// mlpSpecs lists an mlp model's layers: Depth linear layers of Width, with
// He-style std sqrt(2/width) weights. Under tp, layers pair up as
// column-parallel then row-parallel; an odd last layer is replicated.
func mlpSpecs(m *ir.Model, prefix string) []*paramSpec {
	if m.FFNKind.IsPhantom() {
		return phantomSpecs(m, prefix)
	}
	var out []*paramSpec
	w := m.Width
	std := math.Sqrt(2 / float64(w))
	for l := 0; l < m.Depth; l++ {
		wk, bk := colShard, colShard
		if l%2 == 1 {
			wk, bk = rowShard, replicated
		} else if l == m.Depth-1 {
			wk, bk = replicated, replicated
		}
		out = append(out,
			&paramSpec{name: fmt.Sprintf("%slayers.%d.weight", prefix, l), shape: []int{w, w}, std: std, decay: true, shard: wk, layer: l},
			&paramSpec{name: fmt.Sprintf("%slayers.%d.bias", prefix, l), shape: []int{w}, init: initZeros, shard: bk, layer: l})
	}
	return out
}

// phantomSpecs lists a phantom mlp's layers (docs/cost-model.md, "Phantom
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
func phantomSpecs(m *ir.Model, prefix string) []*paramSpec {
	var out []*paramSpec
	w, p, k := m.Width, m.FFNKind.Parts, m.FFNKind.K
	wp := w / p
	fanIn := float64(wp + (p-1)*k)
	for l := 0; l < m.Depth; l++ {
		name := func(s string) string { return fmt.Sprintf("%slayers.%d.%s", prefix, l, s) }
		out = append(out,
			&paramSpec{name: name("weight"), shape: []int{p, wp, wp}, std: math.Sqrt(2 / fanIn), decay: true, shard: rowShard, layer: l},
			&paramSpec{name: name("compress"), shape: []int{p, wp, k}, std: math.Sqrt(1 / float64(wp)), decay: true, shard: rowShard, layer: l})
		if p > 1 {
			out = append(out, &paramSpec{name: name("decompress"), shape: []int{p, (p - 1) * k, wp}, std: math.Sqrt(2 / fanIn), decay: true, shard: rowShard, layer: l})
		}
		out = append(out, &paramSpec{name: name("bias"), shape: []int{w}, init: initZeros, shard: colShard, layer: l})
	}
	return out
}

// phantomFFNSpecs lists a transformer block's phantom FFN: fc1 (hidden →
// ffn, gelu) and fc2 (ffn → hidden) as phantom layers of p parts and k
// ghosts, laid out as phantomSpecs does (weight, compress, decompress
// stacked by part; bias whole). With p = 1 the weights and biases are the
// dense FFN's, element for element.
func phantomFFNSpecs(pre string, m *ir.Model, l int, std, projStd float64) []*paramSpec {
	p, k := m.FFNKind.Parts, m.FFNKind.K
	var out []*paramSpec
	layer := func(name string, in, outW int, sd float64) {
		out = append(out,
			&paramSpec{name: pre + name + ".weight", shape: []int{p, in / p, outW / p}, std: sd, decay: true, shard: rowShard, layer: l},
			&paramSpec{name: pre + name + ".compress", shape: []int{p, in / p, k}, std: sd, decay: true, shard: rowShard, layer: l})
		if p > 1 {
			out = append(out, &paramSpec{name: pre + name + ".decompress", shape: []int{p, (p - 1) * k, outW / p}, std: sd, decay: true, shard: rowShard, layer: l})
		}
		out = append(out, &paramSpec{name: pre + name + ".bias", shape: []int{outW}, init: initZeros, shard: colShard, layer: l})
	}
	layer("fc1", m.Hidden, ffnWidth(m), std)
	layer("fc2", ffnWidth(m), m.Hidden, projStd)
	return out
}

// Fingerprint is a hash of a model's architecture (every field that shapes
// its parameters or its function), stored in checkpoints so that a
// checkpoint of another model is refused.
func Fingerprint(m *ir.Model) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s v%d s%d h%d l%d a%d f%d tie%v w%d d%d ffn%+v", m.Kind, m.Vocab, m.Seq, m.Hidden, m.Layers, m.Heads, ffnWidth(m), m.TieEmbeddings, m.Width, m.Depth, m.FFNKind)
	if m.MoE != nil {
		fmt.Fprintf(h, " moe%+v", *m.MoE)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// ffnWidth is the dense FFN width (0 in the model means 4·hidden).
func ffnWidth(m *ir.Model) int {
	if m.FFN > 0 {
		return m.FFN
	}
	return 4 * m.Hidden
}
