package export

// This file maps the architecture vocabulary beyond GPT-2's (RMSNorm, gated
// MLPs, grouped-query attention, head width, RoPE, bias-free projections,
// multi-head latent attention, sigmoid and group-limited routing, fp8) onto
// each engine: the flags where the engine has them, a warning naming the
// nearest setting where it does not, never a silent GPT-2 default.

import (
	"fmt"

	"planc/ir"
)

// megatronArchitecture writes the shape flags of Megatron-LM that follow the
// model's norm, MLP, attention and position encoding at tensor-parallel
// degree tp.
func megatronArchitecture(a *args, m *ir.Model, tp int, w *warnings) {
	if m.Position == ir.PositionRoPE {
		a.set("--position-embedding-type", "rope")
		if m.RopeTheta > 0 {
			a.set("--rotary-base", fmt.Sprintf("%g", m.RopeTheta))
		}
	} else {
		a.set("--position-embedding-type", "learned_absolute")
	}
	if m.Norm == ir.NormRMS {
		a.set("--normalization", "RMSNorm")
	} else {
		a.set("--normalization", "LayerNorm")
	}
	if m.NormEps > 0 && m.NormEps != 1e-5 { // 1e-5 is both engines' default
		a.set("--norm-epsilon", fmt.Sprintf("%g", m.NormEps))
	}
	megatronMLP(a, m, w, "Megatron-LM")
	if m.MLA != nil {
		a.set("--multi-latent-attention")
		if m.MLA.QLoraRank > 0 {
			a.set("--q-lora-rank", m.MLA.QLoraRank)
		}
		a.set("--kv-lora-rank", m.MLA.KVLoraRank)
		a.set("--qk-head-dim", m.MLA.QKNopeHeadDim)
		a.set("--qk-pos-emb-head-dim", m.MLA.QKRopeHeadDim)
		a.set("--v-head-dim", m.MLA.VHeadDim)
		return
	}
	if m.KV() != m.Heads {
		a.set("--group-query-attention")
		a.set("--num-query-groups", kvHeadsSplitOverTP(m, tp, w, "Megatron-Core", "--num-query-groups"))
	}
	kvChannels(a, m)
}

// kvHeadsSplitOverTP returns the key/value heads (query groups) to give
// an engine of the Megatron family, which splits them over tp
// (Megatron-Core: divide(num_query_groups, tp) in its attention;
// Megatron-DeepSpeed: divide(num_key_value_heads, tp)): it stops at
// startup unless tp divides them. With more tp ranks than key/value heads
// planc replicates each head over tp/kv_heads ranks and sums the copies'
// gradients; the engines cannot, and the nearest setting that runs the
// same per-rank shapes is one head per tp rank, whose copies train apart.
func kvHeadsSplitOverTP(m *ir.Model, tp int, w *warnings, engine, flag string) int {
	kv := m.KV()
	if tp <= 1 || kv%tp == 0 {
		return kv
	}
	w.add("model.kv_heads", fmt.Sprintf("%s %d, one untied key/value head per tp rank: the same per-rank shapes and time, %d× the key/value parameters (emitted)", flag, tp, tp/max(kv, 1)),
		"%s splits the key/value heads over tp (%s %% tp == 0); kv_heads = %d does not split over tp = %d, and it has no replicated key/value heads", engine, flag, kv, tp)
	return tp
}

// megatronMLP writes the MLP's activation and gating and the bias switch,
// spelled alike by Megatron-LM and Megatron-DeepSpeed; neither has GeGLU.
func megatronMLP(a *args, m *ir.Model, w *warnings, engine string) {
	switch m.MLP {
	case ir.MLPSwiGLU:
		a.set("--swiglu")
	case ir.MLPGeGLU:
		a.set("--openai-gelu")
		w.add("model.mlp", "a two-matrix GELU MLP of the same width (emitted)",
			"%s's command line has no GeGLU MLP (only --swiglu gates)", engine)
	default:
		a.set("--openai-gelu")
	}
	if m.NoBias {
		a.set("--disable-bias-linear")
	}
}

// kvChannels writes a head width that is not hidden/heads.
func kvChannels(a *args, m *ir.Model) {
	if m.HeadDim > 0 && m.HeadDim*m.Heads != m.Hidden {
		a.set("--kv-channels", m.HeadDim)
	}
}

// megatronRouter writes the router's score function, group-limited routing
// and the auxiliary-loss-free expert bias.
func megatronRouter(a *args, moe *ir.MoE) {
	if moe.Router == ir.RouterSigmoid {
		a.set("--moe-router-score-function", "sigmoid")
	}
	if moe.Groups > 0 {
		a.set("--moe-router-num-groups", moe.Groups)
		a.set("--moe-router-group-topk", moe.TopKGroups)
	}
	if moe.BiasBalance {
		a.set("--moe-router-enable-expert-bias")
	}
}

// mdsArchitecture writes what Megatron-DeepSpeed has of the vocabulary and
// warns about the rest.
func mdsArchitecture(a *args, m *ir.Model, tp int, w *warnings) {
	if m.Position == ir.PositionRoPE {
		a.set("--use-rotary-position-embeddings")
		if m.RopeTheta > 0 && m.RopeTheta != 10000 {
			w.add("model.rope_theta", "RoPE at base 10000 (emitted)",
				"Megatron-DeepSpeed has no flag for the RoPE base (%g)", m.RopeTheta)
		}
	}
	if m.Norm == ir.NormRMS {
		a.set("--normalization", "rmsnorm")
	}
	if m.NormEps > 0 && m.NormEps != 1e-5 { // 1e-5 is both engines' default
		a.set("--layernorm-epsilon", fmt.Sprintf("%g", m.NormEps))
	}
	megatronMLP(a, m, w, "Megatron-DeepSpeed")
	if m.MLA != nil {
		w.add("model.mla", "multi-head attention with the same heads (emitted)",
			"Megatron-DeepSpeed has no multi-head latent attention")
	} else if m.KV() != m.Heads {
		a.set("--num-key-value-heads", kvHeadsSplitOverTP(m, tp, w, "Megatron-DeepSpeed", "--num-key-value-heads"))
	}
	kvChannels(a, m)
	if moe := m.MoE; moe != nil && (moe.Router == ir.RouterSigmoid || moe.Groups > 0 || moe.BiasBalance) {
		w.add("model.moe.router", "DeepSpeed-MoE's softmax top-k gate with its auxiliary loss (emitted)",
			"DeepSpeed-MoE has no sigmoid, group-limited or bias-balanced router")
	}
}

// titanArchitectureWarnings names what torchtitan's model flavors fix and a
// plan cannot choose through its configuration.
func titanArchitectureWarnings(m *ir.Model, w *warnings) {
	if m.MLA != nil || (m.MoE != nil && m.MoE.Router == ir.RouterSigmoid) {
		w.add("model", "torchtitan's deepseek_v3 model with a flavor of this shape",
			"torchtitan selects attention and router through its model flavor (a Python registry), not through its configuration: the plan's MLA and router are not written")
	}
}
