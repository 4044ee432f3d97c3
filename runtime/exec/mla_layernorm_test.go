package exec

import (
	"math"
	"testing"

	"planc/ir"
	"planc/runtime/ckpt"
	"planc/runtime/data"
)

// TestMLALayerNormLatents: under norm = layernorm MLA's latent norms are
// LayerNorms over the latent's own width (q_lora_rank, kv_lora_rank), with
// their gains and biases (docs/semantics.md, "Multi-head latent
// attention"). The kernel once normalized rows of the hidden size whatever
// its gain's width, mixing tokens' latents. A one-layer model at seq 1 is
// recomputed here in float64 (one key: the attention's output is the
// token's own values, so the query path drops out) and planc eval must
// agree to float32 rounding.
func TestMLALayerNormLatents(t *testing.T) {
	m := tinyMLA()
	m.Name, m.Norm, m.NoBias, m.Layers, m.Seq = "tiny_mla_ln", ir.NormLayer, false, 1, 1
	p := plan(m, "")
	tr, err := NewTrainer(Config{Plan: p, Steps: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := tr.Checkpoint()
	// gains and biases away from 1 and 0, so that each one counts
	for name, w := range c.Tensors {
		if len(w.Shape) == 1 {
			for i := range w.Data {
				w.Data[i] += float32(0.3 * math.Sin(float64(len(name)+7*i)))
			}
		}
	}
	stream := &data.Stream{Name: "two tokens", Tokens: []int32{'p', 'l', 'a'}}
	r, err := Eval(p, c, stream, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := mlaLayerNormSeq1Loss(c, m, int(stream.Tokens[0]), int(stream.Tokens[1]))
	if rel := math.Abs(r.Loss-want) / want; rel > 1e-5 {
		t.Errorf("planc eval %.8f, the document's definition %.8f (rel %.1e)", r.Loss, want, rel)
	}
}

// mlaLayerNormSeq1Loss is the loss of predicting target after token by a
// one-layer MLA model with LayerNorms and biases, in float64.
func mlaLayerNormSeq1Loss(c *ckpt.Checkpoint, m *ir.Model, token, target int) float64 {
	w := func(name string) []float64 {
		out := make([]float64, len(c.Tensors[name].Data))
		for i, v := range c.Tensors[name].Data {
			out[i] = float64(v)
		}
		return out
	}
	ln := func(x []float64, pre string) []float64 {
		g, b := w(pre+".weight"), w(pre+".bias")
		var mean, v float64
		for _, e := range x {
			mean += e / float64(len(x))
		}
		for _, e := range x {
			v += (e - mean) * (e - mean) / float64(len(x))
		}
		y := make([]float64, len(x))
		for i, e := range x {
			y[i] = (e-mean)/math.Sqrt(v+1e-5)*g[i] + b[i]
		}
		return y
	}
	lin := func(x []float64, pre string, bias bool) []float64 {
		wt := w(pre + ".weight")
		n := len(wt) / len(x)
		y := make([]float64, n)
		if bias {
			copy(y, w(pre+".bias"))
		}
		for i, e := range x {
			for j := range y {
				y[j] += e * wt[i*n+j]
			}
		}
		return y
	}
	add := func(x, y []float64) {
		for i := range x {
			x[i] += y[i]
		}
	}
	h, a, x := m.Hidden, m.Heads, m.MLA
	emb := w("wte")[token*h : (token+1)*h]
	res := append([]float64(nil), emb...)
	down := lin(ln(res, "h.0.ln1"), "h.0.attn.kv_down", false)
	kv := lin(ln(down[:x.KVLoraRank], "h.0.attn.kv_norm"), "h.0.attn.kv_up", false)
	var o []float64 // one key: softmax gives it weight 1, each head's values
	for j := 0; j < a; j++ {
		o = append(o, kv[j*(x.QKNopeHeadDim+x.VHeadDim)+x.QKNopeHeadDim:(j+1)*(x.QKNopeHeadDim+x.VHeadDim)]...)
	}
	add(res, lin(o, "h.0.attn.out", true))
	u := lin(ln(res, "h.0.ln2"), "h.0.mlp.fc1", true)
	f := len(u) / 2
	g := make([]float64, f)
	for i := range g {
		g[i] = u[i] / (1 + math.Exp(-u[i])) * u[f+i] // silu(gate)·up
	}
	add(res, lin(g, "h.0.mlp.fc2", true))
	logits := lin(ln(res, "ln_f"), "lm_head", false)
	mx := math.Inf(-1)
	for _, l := range logits {
		mx = math.Max(mx, l)
	}
	var sum float64
	for _, l := range logits {
		sum += math.Exp(l - mx)
	}
	return mx + math.Log(sum) - logits[target]
}
