package kernels

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"testing"

	"planc/runtime/tensor"
)

// tinyGPT is the reference transformer of docs/semantics.md assembled from the
// kernels (tied embeddings, pre-LayerNorm blocks, dense GELU FFN). It is the
// end-to-end check that the kernels compose, and the benchmark of a whole
// training step.
type tinyGPT struct {
	vocab, seq, h, layers, heads, batch int
	p, g                                map[string][]float32
}

func newTinyGPT(vocab, seq, h, layers, heads, batch int) *tinyGPT {
	m := &tinyGPT{vocab: vocab, seq: seq, h: h, layers: layers, heads: heads, batch: batch,
		p: map[string][]float32{}, g: map[string][]float32{}}
	add := func(name string, std float64, ones bool, shape ...int) {
		t := tensor.InitNormal(1337, name, std, shape...)
		if std == 0 {
			t.Fill(0)
			if ones {
				t.Fill(1)
			}
		}
		m.p[name] = t.Data
		m.g[name] = make([]float32, len(t.Data))
	}
	add("wte", 0.02*10, false, vocab, h)
	add("wpe", 0.01*10, false, seq, h)
	for l := 0; l < layers; l++ {
		pre := fmt.Sprintf("h.%d.", l)
		add(pre+"ln1.w", 0, true, h)
		add(pre+"ln1.b", 0, false, h)
		add(pre+"qkv.w", 0.2, false, h, 3*h)
		add(pre+"qkv.b", 0, false, 3*h)
		add(pre+"proj.w", 0.2, false, h, h)
		add(pre+"proj.b", 0, false, h)
		add(pre+"ln2.w", 0, true, h)
		add(pre+"ln2.b", 0, false, h)
		add(pre+"fc.w", 0.2, false, h, 4*h)
		add(pre+"fc.b", 0, false, 4*h)
		add(pre+"fc2.w", 0.2, false, 4*h, h)
		add(pre+"fc2.b", 0, false, h)
	}
	add("lnf.w", 0, true, h)
	add("lnf.b", 0, false, h)
	return m
}

type gptActs struct {
	x                          [][]float32 // residual stream entering each layer, and after the last
	ln1, mean1, rstd1, qkv     [][]float32
	q, k, v, o, lse, y, x1     [][]float32
	ln2, mean2, rstd2, fc, gel [][]float32
	lnf, meanf, rstdf, logits  []float32
}

func (m *tinyGPT) forward(ids, targets []int32, dlogitsScale float32, dlogits []float32) (float64, *gptActs) {
	n, h, d := m.batch*m.seq, m.h, m.h/m.heads
	a := &gptActs{}
	pos := make([]int32, n)
	for i := range pos {
		pos[i] = int32(i % m.seq)
	}
	x := make([]float32, n*h)
	EmbeddingForward(x, m.p["wte"], m.p["wpe"], ids, pos, h, 0)
	att := AttnShape{Batch: m.batch, Heads: m.heads, Tq: m.seq, Tk: m.seq, D: d, Causal: true}
	for l := 0; l < m.layers; l++ {
		P := func(s string) []float32 { return m.p[fmt.Sprintf("h.%d.%s", l, s)] }
		a.x = append(a.x, x)
		ln1, mean1, rstd1 := make([]float32, n*h), make([]float32, n), make([]float32, n)
		LayerNormForward(ln1, mean1, rstd1, x, P("ln1.w"), P("ln1.b"), n, h)
		qkv := make([]float32, n*3*h)
		LinearForward(qkv, ln1, P("qkv.w"), P("qkv.b"), n, h, 3*h)
		q, k, v := make([]float32, n*h), make([]float32, n*h), make([]float32, n*h)
		SplitQKV(q, k, v, qkv, m.batch, m.seq, m.heads, d)
		o, lse := make([]float32, n*h), make([]float32, m.batch*m.heads*m.seq)
		AttentionForward(o, lse, q, k, v, att)
		y := make([]float32, n*h)
		MergeHeads(y, o, m.batch, m.seq, m.heads, d)
		x1 := make([]float32, n*h)
		LinearForward(x1, y, P("proj.w"), P("proj.b"), n, h, h)
		Add(x1, x)
		ln2, mean2, rstd2 := make([]float32, n*h), make([]float32, n), make([]float32, n)
		LayerNormForward(ln2, mean2, rstd2, x1, P("ln2.w"), P("ln2.b"), n, h)
		fc, gel := make([]float32, n*4*h), make([]float32, n*4*h)
		LinearForward(fc, ln2, P("fc.w"), P("fc.b"), n, h, 4*h)
		GeluForward(gel, fc)
		x2 := make([]float32, n*h)
		LinearForward(x2, gel, P("fc2.w"), P("fc2.b"), n, 4*h, h)
		Add(x2, x1)
		a.ln1, a.mean1, a.rstd1, a.qkv = append(a.ln1, ln1), append(a.mean1, mean1), append(a.rstd1, rstd1), append(a.qkv, qkv)
		a.q, a.k, a.v, a.o, a.lse, a.y, a.x1 = append(a.q, q), append(a.k, k), append(a.v, v), append(a.o, o), append(a.lse, lse), append(a.y, y), append(a.x1, x1)
		a.ln2, a.mean2, a.rstd2, a.fc, a.gel = append(a.ln2, ln2), append(a.mean2, mean2), append(a.rstd2, rstd2), append(a.fc, fc), append(a.gel, gel)
		x = x2
	}
	a.x = append(a.x, x)
	a.lnf, a.meanf, a.rstdf = make([]float32, n*h), make([]float32, n), make([]float32, n)
	LayerNormForward(a.lnf, a.meanf, a.rstdf, x, m.p["lnf.w"], m.p["lnf.b"], n, h)
	a.logits = make([]float32, n*m.vocab)
	MatMulTransB(a.logits, a.lnf, m.p["wte"], n, h, m.vocab, false)
	return CrossEntropy(dlogits, a.logits, targets, n, m.vocab, dlogitsScale), a
}

// step runs forward and backward, accumulating into m.g, and returns the loss.
func (m *tinyGPT) step(ids, targets []int32) float64 {
	n, h, d := m.batch*m.seq, m.h, m.h/m.heads
	dlogits := make([]float32, n*m.vocab)
	loss, a := m.forward(ids, targets, 1/float32(n), dlogits)
	G := func(l int, s string) []float32 { return m.g[fmt.Sprintf("h.%d.%s", l, s)] }
	P := func(l int, s string) []float32 { return m.p[fmt.Sprintf("h.%d.%s", l, s)] }
	dlnf := make([]float32, n*h)
	MatMul(dlnf, dlogits, m.p["wte"], n, m.vocab, h, false)
	MatMulTransA(m.g["wte"], dlogits, a.lnf, m.vocab, n, h, true)
	dx := make([]float32, n*h)
	LayerNormBackward(dx, m.g["lnf.w"], m.g["lnf.b"], dlnf, a.x[m.layers], a.meanf, a.rstdf, m.p["lnf.w"], n, h)
	att := AttnShape{Batch: m.batch, Heads: m.heads, Tq: m.seq, Tk: m.seq, D: d, Causal: true}
	for l := m.layers - 1; l >= 0; l-- {
		// x2 = x1 + fc2(gelu(fc(ln2(x1)))): dx is dL/dx2.
		dgel, dfc := make([]float32, n*4*h), make([]float32, n*4*h)
		LinearBackward(dgel, G(l, "fc2.w"), G(l, "fc2.b"), dx, a.gel[l], P(l, "fc2.w"), n, 4*h, h)
		GeluBackward(dfc, dgel, a.fc[l])
		dln2 := make([]float32, n*h)
		LinearBackward(dln2, G(l, "fc.w"), G(l, "fc.b"), dfc, a.ln2[l], P(l, "fc.w"), n, h, 4*h)
		LayerNormBackward(dx, G(l, "ln2.w"), G(l, "ln2.b"), dln2, a.x1[l], a.mean2[l], a.rstd2[l], P(l, "ln2.w"), n, h)
		// x1 = x + proj(attn(ln1(x))): dx is now dL/dx1.
		dy := make([]float32, n*h)
		LinearBackward(dy, G(l, "proj.w"), G(l, "proj.b"), dx, a.y[l], P(l, "proj.w"), n, h, h)
		do := make([]float32, n*h)
		SplitHeads(do, dy, m.batch, m.seq, m.heads, d)
		dq, dk, dv := make([]float32, n*h), make([]float32, n*h), make([]float32, n*h)
		AttentionBackward(dq, dk, dv, do, a.q[l], a.k[l], a.v[l], a.o[l], a.lse[l], att)
		dqkv := make([]float32, n*3*h)
		JoinQKVGrad(dqkv, dq, dk, dv, m.batch, m.seq, m.heads, d)
		dln1 := make([]float32, n*h)
		LinearBackward(dln1, G(l, "qkv.w"), G(l, "qkv.b"), dqkv, a.ln1[l], P(l, "qkv.w"), n, h, 3*h)
		LayerNormBackward(dx, G(l, "ln1.w"), G(l, "ln1.b"), dln1, a.x[l], a.mean1[l], a.rstd1[l], P(l, "ln1.w"), n, h)
	}
	pos := make([]int32, n)
	for i := range pos {
		pos[i] = int32(i % m.seq)
	}
	EmbeddingBackward(m.g["wte"], m.g["wpe"], dx, ids, pos, h, 0)
	return loss
}

func (m *tinyGPT) names() []string {
	var names []string
	for k := range m.p {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func tokens(seed uint64, n, vocab int) []int32 {
	r := tensor.NewRNG(seed)
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(r.Uint64() % uint64(vocab))
	}
	return ids
}

func TestGradientsTinyGPT(t *testing.T) {
	m := newTinyGPT(11, 5, 8, 2, 2, 2)
	ids, targets := tokens(1, 10, 11), tokens(2, 10, 11)
	inputs := map[string][]float32{}
	for _, name := range m.names() {
		inputs[name] = m.p[name]
	}
	checkGradients(t, gradCase{
		name:   "tiny_gpt",
		inputs: inputs,
		forward: func() []float32 {
			loss, _ := m.forward(ids, targets, 0, nil)
			return []float32{float32(loss)}
		},
		backward: func(dl []float32) map[string][]float32 {
			for _, g := range m.g {
				clear(g)
			}
			m.step(ids, targets)
			out := map[string][]float32{}
			for name, g := range m.g {
				out[name] = append([]float32(nil), g...)
				Scale(out[name], dl[0])
			}
			return out
		},
		eps: 1e-2, rtol: 3e-2,
	})
}

// TestTinyGPTLearns trains the tiny model on a repeating sequence for a few
// steps: the loss must fall well below its start.
func TestTinyGPTLearns(t *testing.T) {
	m := newTinyGPT(16, 16, 16, 2, 2, 4)
	seq := make([]int32, 4*17)
	for i := range seq {
		seq[i] = int32((i * 7) % 16)
	}
	var ids, targets []int32
	for b := 0; b < 4; b++ {
		ids = append(ids, seq[b*17:b*17+16]...)
		targets = append(targets, seq[b*17+1:b*17+17]...)
	}
	mom, vel := map[string][]float32{}, map[string][]float32{}
	for name, p := range m.p {
		mom[name], vel[name] = make([]float32, len(p)), make([]float32, len(p))
	}
	var first, last float64
	for step := 1; step <= 60; step++ {
		for _, g := range m.g {
			clear(g)
		}
		loss := m.step(ids, targets)
		if step == 1 {
			first = loss
		}
		last = loss
		var ss float64
		for _, g := range m.g {
			ss += SumSquares(g)
		}
		clip := ClipScale(math.Sqrt(ss), 1)
		for name, p := range m.p {
			ReferenceAdamW.Update(p, m.g[name], mom[name], vel[name], step, 1e-2, 0, clip)
		}
	}
	// A freshly initialised model predicts nearly uniformly over the 16
	// tokens: its cross-entropy starts near ln 16 = 2.77 nats.
	if math.Abs(first-math.Log(16)) > 0.5 {
		t.Errorf("first loss %.4f, want near ln 16 = %.4f for a fresh model", first, math.Log(16))
	}
	if !(last < first/4) {
		t.Errorf("loss went from %.4f to %.4f in 60 steps; want a 4× drop", first, last)
	}
	t.Logf("loss %.4f → %.4f", first, last)
}

// BenchmarkTinyGPTStep times one forward+backward+AdamW step of the tiny
// model of issue 5 (hidden 64, seq 64, 4 layers, 4 heads, vocab 256,
// batch 8) and reports tokens per second.
func BenchmarkTinyGPTStep(b *testing.B) {
	m := newTinyGPT(256, 64, 64, 4, 4, 8)
	n := m.batch * m.seq
	ids, targets := tokens(1, n, 256), tokens(2, n, 256)
	mom, vel := map[string][]float32{}, map[string][]float32{}
	for name, p := range m.p {
		mom[name], vel[name] = make([]float32, len(p)), make([]float32, len(p))
	}
	step := 0
	for b.Loop() {
		step++
		for _, g := range m.g {
			clear(g)
		}
		m.step(ids, targets)
		for name, p := range m.p {
			ReferenceAdamW.Update(p, m.g[name], mom[name], vel[name], step, 1e-3, 0, 1)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// TestTinyGPTStepBitwiseIndependentOfGOMAXPROCS runs a whole training step
// (every kernel, forward and backward) under 1, 2 and 3 Ps and demands the
// same loss and gradients bit for bit.
func TestTinyGPTStepBitwiseIndependentOfGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var ref map[string][]float32
	var refLoss float64
	for _, procs := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(procs)
		m := newTinyGPT(64, 32, 32, 2, 4, 8) // large enough for every kernel to go parallel
		loss := m.step(tokens(1, 256, 64), tokens(2, 256, 64))
		if ref == nil {
			ref, refLoss = m.g, loss
			continue
		}
		if math.Float64bits(loss) != math.Float64bits(refLoss) {
			t.Errorf("GOMAXPROCS %d: loss %v, with 1: %v", procs, loss, refLoss)
		}
		for name, g := range m.g {
			for i := range g {
				if math.Float32bits(g[i]) != math.Float32bits(ref[name][i]) {
					t.Fatalf("GOMAXPROCS %d: d%s[%d] = %v, with 1: %v", procs, name, i, g[i], ref[name][i])
				}
			}
		}
	}
}
