package ir

import (
	"fmt"
)

// This file holds what follows from a transformer's architecture alone:
// its parameter counts and the architecture settings beyond the GPT layout
// (which the CPU runtime does not execute yet).

// ParamCount is a model's parameter count. Total counts every trained
// parameter once (a tied head is the embedding); Active counts those one
// token's forward pass uses: all of them but the routed experts it is not
// sent to (topk of the experts of each MoE layer). Embedding counts the
// vocabulary and position tables: the input embedding, a learned position
// table and an untied output head.
type ParamCount struct {
	Total, Active, Embedding float64
	// InputEmbedding is the input embedding table alone (a row lookup per
	// token, no FLOPs), which some publications leave out of "activated".
	InputEmbedding float64
}

// NonEmbedding is Total less the embedding tables.
func (c ParamCount) NonEmbedding() float64 { return c.Total - c.Embedding }

// ActiveNonEmbedding is Active less the embedding tables.
func (c ParamCount) ActiveNonEmbedding() float64 { return c.Active - c.Embedding }

// Params returns the model's parameter counts. They are the parameters of
// the graph that package passes expands (a test there checks the two
// agree for every stdlib model).
func (m *Model) Params() ParamCount {
	if m.Kind == MLPModel {
		return m.mlpParams()
	}
	h, V := float64(m.Hidden), float64(m.Vocab)
	var c ParamCount
	c.InputEmbedding = V * h
	c.Embedding = V * h
	if m.Position != PositionRoPE {
		c.Embedding += float64(m.Seq) * h
	}
	if !m.TieEmbeddings {
		c.Embedding += V * h
	}
	norm := m.normParams(m.Hidden)
	c.Total, c.Active = c.Embedding+norm, c.Embedding+norm // the final norm
	for i := 0; i < m.Layers; i++ {
		attn := m.attentionParams() + 2*norm
		total, active := attn, attn
		switch {
		case m.IsMoELayer(i):
			e := m.MoE
			one := m.ffnParams(e.ExpertFFN, !m.NoBias)
			shared := float64(e.Shared) * m.ffnParams(e.ExpertFFN, !m.NoBias)
			router := h * float64(e.Experts)
			total += float64(e.Experts)*one + shared + router
			active += float64(e.TopK)*one + shared + router
		case m.FFNKind.IsPhantom():
			p := m.phantomFFNParams()
			total, active = total+p, active+p
		default:
			f := m.ffnParams(m.FFN, !m.NoBias)
			total, active = total+f, active+f
		}
		c.Total += total
		c.Active += active
	}
	return c
}

// normParams is one normalization layer over width features.
func (m *Model) normParams(width int) float64 {
	if m.Norm == NormRMS {
		return float64(width)
	}
	return 2 * float64(width)
}

// attentionParams is one layer's attention projections.
func (m *Model) attentionParams() float64 {
	h, a := float64(m.Hidden), float64(m.Heads)
	if l := m.MLA; l != nil {
		qk := float64(l.QKNopeHeadDim + l.QKRopeHeadDim)
		var q float64
		if l.QLoraRank > 0 {
			r := float64(l.QLoraRank)
			q = h*r + m.normParams(l.QLoraRank) + r*a*qk
		} else {
			q = h * a * qk
		}
		kvr := float64(l.KVLoraRank)
		kv := h*(kvr+float64(l.QKRopeHeadDim)) + m.normParams(l.KVLoraRank) + kvr*a*float64(l.QKNopeHeadDim+l.VHeadDim)
		out := a * float64(l.VHeadDim) * h
		if !m.NoBias {
			out += h
		}
		return q + kv + out
	}
	hd, kv := float64(m.HeadWidth()), float64(m.KV())
	qkv := h * (a + 2*kv) * hd
	out := a * hd * h
	if !m.NoBias {
		qkv += (a + 2*kv) * hd
		out += h
	}
	return qkv + out
}

// ffnParams is one FFN of width f (its biases when bias is set).
func (m *Model) ffnParams(f int, bias bool) float64 {
	h, w := float64(m.Hidden), float64(f)
	p := float64(m.MLP.Matrices()) * h * w
	if bias {
		p += float64(m.MLP.Matrices()-1)*w + h
	}
	return p
}

// phantomFFNParams is a transformer's phantom FFN as the runtime trains
// it: phantom layers hidden→ffn and ffn→hidden.
func (m *Model) phantomFFNParams() float64 {
	f := m.FFN
	if f == 0 {
		f = 4 * m.Hidden
	}
	return phantomLayerParams(m.Hidden, f, m.FFNKind) + phantomLayerParams(f, m.Hidden, m.FFNKind)
}

// phantomLayerParams is one phantom layer in→out in P parts with K ghosts
// each: the parts' blocks, compressions, decompressions and the bias.
func phantomLayerParams(in, out int, k FFNKind) float64 {
	P := max(k.Parts, 1)
	ib, ob := float64(in/P), float64(out/P)
	p := float64(P) * (ib*ob + ib*float64(k.K))
	if P > 1 {
		p += float64(P) * float64((P-1)*k.K) * ob
	}
	return p + float64(out)
}

func (m *Model) mlpParams() ParamCount {
	w := float64(m.Width)
	var c ParamCount
	for i := 0; i < m.Depth; i++ {
		if m.FFNKind.IsPhantom() {
			c.Total += phantomLayerParams(m.Width, m.Width, m.FFNKind)
		} else {
			c.Total += w*w + w
		}
	}
	c.Active = c.Total
	return c
}

// ArchSetting is one architecture setting of a model, as written.
type ArchSetting struct {
	Field string // the field's name in the plan language ("norm", "mla", "moe.router")
	Value string
}

// BeyondGPT lists the model's architecture settings that differ from the
// GPT layout planc's CPU runtime executes (LayerNorm, GeLU FFN, multi-head
// attention with biases, learned positions, softmax routing).
func (m *Model) BeyondGPT() []ArchSetting {
	var out []ArchSetting
	add := func(f string, v any) { out = append(out, ArchSetting{f, fmt.Sprint(v)}) }
	if m.Norm == NormRMS {
		add("norm", m.Norm)
	}
	if m.NormEps != 0 && m.NormEps != 1e-5 {
		add("norm_eps", m.NormEps)
	}
	if m.MLP.Gated() {
		add("mlp", m.MLP)
	}
	if m.KVHeads != 0 && m.KVHeads != m.Heads {
		add("kv_heads", m.KVHeads)
	}
	if m.HeadDim != 0 && m.Heads > 0 && m.HeadDim*m.Heads != m.Hidden {
		add("head_dim", m.HeadDim)
	}
	if m.Position == PositionRoPE {
		add("position", m.Position)
	}
	if m.NoBias {
		add("no_bias", true)
	}
	if m.MLA != nil {
		add("mla", "multi-head latent attention")
	}
	if e := m.MoE; e != nil {
		if e.Router == RouterSigmoid {
			add("moe.router", e.Router)
		}
		if e.TopKGroups > 0 {
			add("moe.topk_groups", e.TopKGroups)
		}
		if e.BiasBalance {
			add("moe.bias_balance", true)
		}
	}
	return out
}

// NotExecuted lists the architecture settings the CPU runtime does not
// execute yet: none today. RMSNorm, gated FFNs (dense, routed and shared
// experts), no_bias, grouped-query and multi-head latent attention,
// RoPE, head_dim, untied embeddings, softmax and sigmoid routers with
// normalize_topk, group-limited routing and bias balancing it executes;
// a setting added to the vocabulary before the runtime runs it is listed
// here.
func (m *Model) NotExecuted() []ArchSetting { return nil }

// FormatCount writes a parameter count with an SI suffix: 8.03B, 12.9M.
func FormatCount(n float64) string {
	for _, u := range []struct {
		s string
		v float64
	}{{"T", 1e12}, {"B", 1e9}, {"M", 1e6}, {"K", 1e3}} {
		if n >= u.v {
			return fmt.Sprintf("%.4g%s", n/u.v, u.s)
		}
	}
	return fmt.Sprintf("%.0f", n)
}

// String writes the counts as explain prints them.
func (c ParamCount) String() string {
	if c.Embedding == 0 {
		if c.Active != c.Total {
			return fmt.Sprintf("%s total, %s active per token", FormatCount(c.Total), FormatCount(c.Active))
		}
		return FormatCount(c.Total) + " total"
	}
	return fmt.Sprintf("%s total (%s embedding, %s non-embedding), %s active per token (%s non-embedding)",
		FormatCount(c.Total), FormatCount(c.Embedding), FormatCount(c.NonEmbedding()), FormatCount(c.Active), FormatCount(c.ActiveNonEmbedding()))
}
