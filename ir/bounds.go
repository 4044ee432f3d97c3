package ir

// This file holds the bounds of sizes derived from several fields (each
// field's own bound is in the schema): what keeps every product the
// compiler forms inside an int64 and inside what a phase can hold.

import (
	"fmt"
	"math"
)

// Bounds of derived sizes, checked once every field is resolved (package
// lang for the plans it checks, package passes again for the planner's
// choices): each keeps a quantity that some phase materializes, loops over
// or multiplies into an integer below what that phase can hold.
const (
	// MaxWorld is the largest world size dp·tp·pp·cp: 2,097,152 ranks,
	// twice the million that planc is benchmarked at and far beyond
	// today's largest clusters (every phase holds a few words per rank).
	MaxWorld = 1 << 21
	// MaxMicroBatches is the most micro-batches per step and pipeline:
	// a schedule holds a few actions per micro-batch and stage on every
	// rank, and published runs use at most a few thousand.
	MaxMicroBatches = 1 << 16
	// MaxTokensPerMicroBatch bounds micro_batch·seq, the tokens of one
	// micro-batch (activations and MoE routing scale with it).
	MaxTokensPerMicroBatch = 1 << 32
	// MaxStageRuns bounds pp·vpp·tp·cp·micro-batches, the forward and
	// backward runs of one replica's ranks that a schedule lists: what
	// planc builds, verifies and simulates once (replicas are folded),
	// about 7 actions each.
	MaxStageRuns = 1 << 23
	// MaxLayers bounds layers (and an mlp's depth): every phase expands
	// and costs them one by one, and the largest published models have a
	// few hundred.
	MaxLayers = 1024
	// MaxExpertLayers bounds routed experts × layers: each layer's experts
	// are parameter units of their own, about 8 µs each to compile
	// (DeepSeek-V3 has 256 × 58 = 14,848).
	MaxExpertLayers = 1 << 18
	// MaxTensorElems bounds the elements of any one tensor of the model
	// (an activation, the attention scores, a parameter), so that its bytes
	// and every sum of them stay far inside an int64.
	MaxTensorElems = 1 << 56
)

// Reasons the schema's bounds give.
const (
	whyDegree  = "a parallel degree beyond today's largest clusters by far"
	whyShape   = "a model dimension no device could hold"
	whyLayers  = "layers are expanded one by one, and the largest published models have a few hundred"
	whyRate    = "a device or link that fast does not exist"
	whySize    = "a device memory that large does not exist"
	whyTime    = "a latency or overhead of more than a second per call"
	whyPower   = "a device power of more than a megawatt"
	whyFactor  = "a factor beyond experts/topk keeps every token and only pads"
	whyCoef    = "a coefficient this large makes training diverge at once"
	whySteps   = "more steps than any run could take"
	whyBatch   = "more sequences per step than any run uses"
	whyDevices = "more devices per node than any machine has"
	whyNodes   = "more nodes than any machine has"
)

// SizeProblem is a derived size of a plan beyond its bound: Field is the
// plan field to report it at ("dp", "micro_batch", "moe.capacity_factor").
type SizeProblem struct {
	Field   string
	Message string
}

// SizeProblems returns every derived size of plan p (fields resolved; an
// unset or auto field counts as 1) beyond its bound. The products are
// formed in float64, so they cannot overflow themselves.
func (p *Plan) SizeProblems() []SizeProblem {
	var out []SizeProblem
	bad := func(field, format string, args ...any) {
		out = append(out, SizeProblem{field, fmt.Sprintf(format, args...)})
	}
	f := func(n int) float64 { return float64(max(n, 1)) }
	if w := f(p.DP) * f(p.TP) * f(p.PP) * f(p.CP); w > MaxWorld {
		bad("dp", "the world size dp·tp·pp·cp = %d·%d·%d·%d = %.4g ranks is too large: at most %d", p.DP, p.TP, p.PP, p.CP, w, MaxWorld)
	}
	per := f(p.DP) * f(p.MicroBatch)
	mbs := math.Max(float64(p.GlobalBatch)/per, 1)
	if mbs > MaxMicroBatches {
		bad("global_batch", "global_batch / (dp·micro_batch) = %d / (%d·%d) = %.4g micro-batches per step is too many: at most %d (a schedule holds actions for every micro-batch on every rank)",
			p.GlobalBatch, p.DP, p.MicroBatch, mbs, MaxMicroBatches)
	} else if runs := f(p.PP) * f(p.VPP) * f(p.TP) * f(p.CP) * mbs; runs > MaxStageRuns {
		bad("global_batch", "pp·vpp·tp·cp × %.4g micro-batches = %.4g stage runs per replica is too many: at most %d (each is a forward and a backward in the schedule planc builds, verifies and simulates)",
			mbs, runs, MaxStageRuns)
	}
	m := p.Model
	if m == nil {
		return out
	}
	b := f(p.MicroBatch)
	seq, h, ffn := f(m.Seq), f(m.Hidden), f(m.FFN)
	if m.Kind == MLPModel {
		seq, h, ffn = 1, f(m.Width), f(m.Width)
	} else if m.FFN == 0 {
		ffn = 4 * h
	}
	tokens := b * seq
	if tokens > MaxTokensPerMicroBatch {
		bad("micro_batch", "micro_batch·seq = %d·%d = %.4g tokens per micro-batch is too many: at most %d", p.MicroBatch, m.Seq, tokens, int64(MaxTokensPerMicroBatch))
	}
	type tensor struct {
		field, name string
		elems       float64
	}
	largest := []tensor{
		{"micro_batch", "activation (micro_batch·seq·width)", tokens * math.Max(math.Max(h, ffn), f(m.Vocab))},
		{"micro_batch", "attention scores (micro_batch·heads·seq²)", b * f(m.Heads) * seq * seq},
		{"model", "embedding (vocab·hidden)", f(m.Vocab) * h},
		{"model", "FFN weight (hidden·ffn)", h * ffn},
	}
	if e := m.MoE; e != nil {
		if n := f(e.Experts) * f(m.Layers); n > MaxExpertLayers {
			bad("model", "experts × layers = %d × %d = %.4g routed expert layers is too many: at most %d", e.Experts, m.Layers, n, MaxExpertLayers)
		}
		largest = append(largest,
			tensor{"model", "experts' weights (experts·hidden·expert_ffn)", f(e.Experts) * h * f(e.ExpertFFN)},
			tensor{"micro_batch", "routed copies (micro_batch·seq·topk·hidden)", tokens * f(e.TopK) * h})
		if p.MoE.Dispatch == "capacity" {
			// capacity dispatch pads every expert to ceil(k·T·cf/E) slots
			T := tokens / f(p.CP)
			slots := f(e.TopK) * T * p.MoE.CapacityFactor / f(e.Experts)
			if slots > MaxTokensPerMicroBatch {
				bad("moe.capacity_factor", "capacity_factor = %g gives %.4g slots per expert and micro-batch (topk·tokens·capacity_factor/experts): at most %d; a factor of experts/topk = %g already keeps every token",
					p.MoE.CapacityFactor, slots, int64(MaxTokensPerMicroBatch), f(e.Experts)/f(e.TopK))
			}
			largest = append(largest, tensor{"moe.capacity_factor", "expert slabs (experts·capacity·hidden)", f(e.Experts) * slots * h})
		}
	}
	for _, t := range largest {
		if t.elems > MaxTensorElems {
			bad(t.field, "the %s tensor would have %.4g elements: at most %.4g", t.name, t.elems, float64(MaxTensorElems))
		}
	}
	return out
}
