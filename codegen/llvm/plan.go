package llvm

import (
	"fmt"

	"planc/ir"
)

// Shapes are the per-rank dimensions of a plan's kernels.
type Shapes struct {
	MicroBatch int // sequences per micro-batch
	Seq        int // tokens per sequence on this rank (seq/cp)
	Tokens     int // MicroBatch·Seq
	Hidden     int
	Heads      int // heads on this rank (heads/tp)
	HeadDim    int
	FFN        int // dense FFN width on this rank (ffn/tp)
	Vocab      int // vocabulary columns on this rank (vocab/tp: the head is vocabulary-parallel)
	Tied       bool

	MoE       bool
	Experts   int // routed experts on this rank (experts/ep)
	AllExp    int // routed experts in all (the router's width)
	TopK      int
	ExpertFFN int // expert FFN width on this rank (expert_ffn/tp)
	Shared    int
	Normalize bool
}

// PlanShapes derives the per-rank shapes of plan p's transformer kernels
// from the plan alone. It fails when a degree does not divide its
// dimension or the model is not a transformer.
func PlanShapes(p *ir.Plan) (Shapes, error) {
	m := p.Model
	if m == nil || m.Kind == ir.MLPModel {
		return Shapes{}, fmt.Errorf("plan %s: kernels are generated for transformer models only", p.Name)
	}
	tp, cp, ep := max(p.TP, 1), max(p.CP, 1), max(p.EP, 1)
	div := func(what string, a, b int) (int, error) {
		if b == 0 || a%b != 0 {
			return 0, fmt.Errorf("plan %s: %s = %d is not divisible by %d", p.Name, what, a, b)
		}
		return a / b, nil
	}
	s := Shapes{MicroBatch: p.MicroBatch, Hidden: m.Hidden, Vocab: m.Vocab, Tied: m.TieEmbeddings}
	var err error
	if s.MicroBatch <= 0 {
		return Shapes{}, fmt.Errorf("plan %s: micro_batch is not set", p.Name)
	}
	if s.Seq, err = div("seq", m.Seq, cp); err != nil {
		return Shapes{}, err
	}
	s.Tokens = s.MicroBatch * s.Seq
	if s.Heads, err = div("heads", m.Heads, tp); err != nil {
		return Shapes{}, err
	}
	// The embedding and the head are vocabulary-parallel over tp, as in
	// planc's runtime and Megatron: each rank's logits cover V/tp columns.
	if s.Vocab, err = div("vocab", m.Vocab, tp); err != nil {
		return Shapes{}, err
	}
	if s.HeadDim, err = div("hidden", m.Hidden, m.Heads); err != nil {
		return Shapes{}, err
	}
	if s.FFN, err = div("ffn", m.FFN, tp); err != nil {
		return Shapes{}, err
	}
	if moe := m.MoE; moe != nil {
		s.MoE, s.AllExp, s.TopK, s.Shared, s.Normalize = true, moe.Experts, moe.TopK, moe.Shared, moe.NormalizeTopK
		if s.Experts, err = div("moe.experts", moe.Experts, ep); err != nil {
			return Shapes{}, err
		}
		if s.ExpertFFN, err = div("moe.expert_ffn", moe.ExpertFFN, tp); err != nil {
			return Shapes{}, err
		}
	}
	return s, nil
}

// dxMode says how a layer's input gradient dy·Wᵀ meets its buffer.
type dxMode bool

const (
	// dxOverwrite: the product writes a fresh buffer (runtime/exec's dense
	// linears and the head: no zeroing before it).
	dxOverwrite dxMode = false
	// dxAdd: the product adds into a buffer holding other terms (the MoE
	// experts and router, whose gradients meet in one buffer).
	dxAdd dxMode = true
)

// linearSpecs returns the forward (with and without the bias),
// input-gradient, weight-gradient and bias-gradient kernels of
// y[M,N] = x[M,K]·W[K,N] (+ b); rows zero means a runtime row count.
func linearSpecs(rows, k, n int, bias bool, dx dxMode) []Spec {
	specs := []Spec{
		MatMul{M: rows, K: k, N: n, Bias: bias},
		MatMul{M: rows, K: k, N: n}, // row-parallel layers add the bias after their all-reduce
		MatMul{M: rows, K: n, N: k, TransB: true, Acc: bool(dx)},
		MatMul{M: k, K: rows, N: n, TransA: true, Acc: true},
	}
	if bias {
		specs = append(specs, BiasGrad{Rows: rows, Width: n})
	}
	return specs
}

// ForPlan returns the kernel specs of plan p's transformer stage programs,
// forward and backward, at the plan's per-rank shapes.
func ForPlan(p *ir.Plan) ([]Spec, error) {
	if p.Model != nil && p.Model.Kind == ir.MLPModel {
		return forMLP(p)
	}
	s, err := PlanShapes(p)
	if err != nil {
		return nil, err
	}
	T, H := s.Tokens, s.Hidden
	hl := s.Heads * s.HeadDim // attention width on this rank
	var specs []Spec
	specs = append(specs, LayerNormFwd{T, H}, LayerNormBwdData{T, H}, LayerNormBwdParams{T, H})
	specs = append(specs, linearSpecs(T, H, 3*hl, true, dxOverwrite)...) // qkv
	sp := p.SP && p.TP > 1 && T%p.TP == 0
	if sp {
		// Sequence parallelism: the norms run on this rank's 1/tp of the tokens.
		specs = append(specs, LayerNormFwd{T / p.TP, H}, LayerNormBwdData{T / p.TP, H}, LayerNormBwdParams{T / p.TP, H})
	}
	for _, at := range attentionShapes(p, s) {
		specs = append(specs, AttentionFwd{at}, AttentionBwd{at}, AttentionBwdQ{at}, AttentionBwdKV{at})
	}
	specs = append(specs, linearSpecs(T, hl, H, true, dxOverwrite)...) // out projection
	if s.FFN > 0 {
		specs = append(specs, linearSpecs(T, H, s.FFN, true, dxOverwrite)...)
		specs = append(specs, GeluFwd{T * s.FFN}, GeluBwd{T * s.FFN})
		specs = append(specs, linearSpecs(T, s.FFN, H, true, dxOverwrite)...)
	}
	if s.MoE {
		// The MoE block's tokens: all of the micro-batch's, or under ssmb
		// this rank's 1/tp of them.
		moeT := []int{T}
		if p.MoE.SSMB && p.TP > 1 && T%p.TP == 0 {
			moeT = append(moeT, T/p.TP)
		}
		// Expert widths: expert_ffn/tp (experts split like a dense FFN)
		// and, with tp > 1, the whole expert_ffn, as planc's runtime
		// keeps each expert whole on its owner.
		widths := []int{s.ExpertFFN}
		if p.TP > 1 {
			widths = append(widths, p.Model.MoE.ExpertFFN)
		}
		for _, mt := range moeT {
			specs = append(specs, linearSpecs(mt, H, s.AllExp, false, dxAdd)...) // router
			rt := RouterTopK{Tokens: mt, Experts: s.AllExp, K: s.TopK, Normalize: s.Normalize}
			specs = append(specs, rt, RouterTopKBwd{rt})
			specs = append(specs, Permute{mt, s.TopK, H}, PermuteBwd{mt, s.TopK, H}, Unpermute{mt, s.TopK, H}, UnpermuteBwd{mt, s.TopK, H})
		}
		for _, fe := range widths {
			// Expert FFNs on variable-length slices of the permuted rows.
			specs = append(specs, linearSpecs(0, H, fe, true, dxAdd)...)
			specs = append(specs, linearSpecs(0, fe, H, true, dxAdd)...)
			for _, mt := range moeT {
				if s.Shared > 0 {
					specs = append(specs, linearSpecs(mt, H, fe, true, dxAdd)...)
					specs = append(specs, GeluFwd{mt * fe}, GeluBwd{mt * fe})
					specs = append(specs, linearSpecs(mt, fe, H, true, dxAdd)...)
				}
			}
		}
		specs = append(specs, GeluFwd{0}, GeluBwd{0})
	}
	head := []int{T}
	if sp {
		// Under sp the head and the row-parallel layers' bias gradients
		// see only this rank's tokens.
		head = append(head, T/p.TP)
		specs = append(specs, BiasGrad{Rows: T / p.TP, Width: H})
	}
	for _, rows := range head {
		if s.Tied {
			specs = append(specs,
				MatMul{M: rows, K: H, N: s.Vocab, TransB: true},            // logits = x·wteᵀ
				MatMul{M: rows, K: s.Vocab, N: H},                          // dx = dlogits·wte
				MatMul{M: s.Vocab, K: rows, N: H, TransA: true, Acc: true}) // dwte += dlogitsᵀ·x
		} else {
			specs = append(specs, linearSpecs(rows, H, s.Vocab, false, dxOverwrite)...)
		}
	}
	specs = append(specs, AdamW{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8})
	return specs, nil
}

// forMLP returns the kernel specs of a deep feed-forward network (model
// kind mlp): every layer is y = x·W + b on micro_batch rows, whole or,
// with tp > 1, column-parallel (width/tp outputs) and row-parallel
// (width/tp inputs, the bias added after the all-reduce), with GELU
// between layers. Phantom layers run their own kernels (not generated);
// their plans get the optimizer only.
func forMLP(p *ir.Plan) ([]Spec, error) {
	m := p.Model
	b, w, tp := p.MicroBatch, m.Width, max(p.TP, 1)
	if b <= 0 {
		return nil, fmt.Errorf("plan %s: micro_batch is not set", p.Name)
	}
	if w%tp != 0 {
		return nil, fmt.Errorf("plan %s: width = %d is not divisible by %d", p.Name, w, tp)
	}
	var specs []Spec
	if !m.FFNKind.IsPhantom() {
		layers := [][2]int{{w, w}}
		if tp > 1 {
			layers = append(layers, [2]int{w, w / tp}, [2]int{w / tp, w})
		}
		for _, l := range layers {
			specs = append(specs, linearSpecs(b, l[0], l[1], true, dxOverwrite)...)
			specs = append(specs, GeluFwd{b * l[1]}, GeluBwd{b * l[1]})
		}
	}
	specs = append(specs, AdamW{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8})
	return specs, nil
}

// attentionShapes returns the attention problems a rank of plan p solves.
// Without context parallelism: causal attention over the whole sequence.
// With cp > 1 rank r holds the chunks ir.CPChunks gives (r and 2·cp−1−r of
// 2·cp, each Seq/2 tokens of the rank's Seq, or one segment of Seq):
// all-gather and LSS attend each chunk's queries to the gathered keys of
// the whole sequence (Tk = cp·Seq, the later keys masked; QOffset the
// chunk's position); ring attention attends each query chunk to each key
// chunk of every rank's block not wholly in its future (offsets their
// positions); Ulysses exchanges heads for tokens, so each rank solves
// whole-sequence attention for heads/cp of its heads. The offsets differ
// per rank, so all ranks' variants are emitted.
func attentionShapes(p *ir.Plan, s Shapes) []Attention {
	cp := max(p.CP, 1)
	base := Attention{Batch: s.MicroBatch, Heads: s.Heads, Tq: s.Seq, Tk: s.Seq, D: s.HeadDim}
	if cp == 1 {
		return []Attention{base}
	}
	seq := s.Seq * cp
	var out []Attention
	switch p.CPMode {
	case ir.CPUlysses:
		if s.Heads%cp == 0 {
			u := base
			u.Heads, u.Tq, u.Tk = s.Heads/cp, seq, seq
			out = append(out, u)
		}
	case ir.CPAllGather, ir.CPLSS:
		for r := 0; r < cp; r++ {
			for _, q := range ir.CPChunks(seq, cp, r) {
				a := base
				a.Tq, a.Tk, a.QOffset = q.N, seq, q.Pos
				out = append(out, a)
			}
		}
	default: // ring
		for r := 0; r < cp; r++ {
			for src := 0; src < cp; src++ {
				for _, q := range ir.CPChunks(seq, cp, r) {
					for _, k := range ir.CPChunks(seq, cp, src) {
						if k.Pos <= q.Pos+q.N-1 {
							a := base
							a.Tq, a.Tk, a.QOffset, a.KOffset = q.N, k.N, q.Pos, k.Pos
							out = append(out, a)
						}
					}
				}
			}
		}
	}
	return out
}
