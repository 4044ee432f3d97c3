package exec_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"planc/ir"
	"planc/runtime/exec"
)

// These tests pin the facts of docs/semantics.md from the outside: each
// recomputes what the document states with its own code, never the
// runtime's, and compares.

// untiedMoE is tiny_moe with a separate head: it has every kind of
// parameter the document's initialization table lists.
func untiedMoE() *ir.Model {
	return &ir.Model{Name: "tiny_moe_untied", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 256,
		FFNKind: ir.FFNKind{Kind: "dense"},
		MoE:     &ir.MoE{Experts: 8, Shared: 1, TopK: 2, ExpertFFN: 64, Every: 1, FirstDense: 1, Router: "softmax", AuxLoss: 0.01}}
}

// docPlan is a plan of m on dp·tp·ep CPU ranks.
func docPlan(m *ir.Model, dp, tp, ep, steps int) *ir.Plan {
	p := &ir.Plan{Name: "doc", Model: m, DP: dp, TP: tp, PP: 1, EP: ep, CP: 1, VPP: 1, Schedule: "1f1b",
		GlobalBatch: 8, MicroBatch: 2, CPMode: "ring", Recompute: "none", Precision: "fp32",
		MoE:   ir.MoEPlan{Dispatch: "padding_free", CapacityFactor: 1.25},
		Train: ir.Train{Steps: steps, LR: 3e-3, MinLR: 1e-4, Warmup: 3, Seed: 1, Clip: 1, WeightDecay: 0.1}}
	p.Cluster = docCluster(p.WorldSize())
	return p
}

// docNormal is the document's generator, written from its text:
// SplitMix64 keyed by FNV-1a of the name XOR the seed, Box–Muller on
// two draws, the cosine half, float32(std·z).
func docNormal(seed uint64, name string, std float64, n int) []float32 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 0x100000001b3
	}
	state := h ^ seed
	next := func() uint64 {
		state += 0x9E3779B97F4A7C15
		z := state
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		return z ^ (z >> 31)
	}
	out := make([]float32, n)
	for i := range out {
		u1 := (float64(next()>>11) + 1) / (1 << 53)
		u2 := float64(next()>>11) / (1 << 53)
		out[i] = float32(std * math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2))
	}
	return out
}

// docInit returns the document's initial value of a parameter: a constant
// (ok false) or the std of its normal draw.
func docInit(name string, layers int) (std float64, constant float32, normal bool) {
	switch {
	case strings.HasSuffix(name, ".bias"):
		return 0, 0, false
	case strings.HasPrefix(name, "ln_f.") || strings.Contains(name, ".ln1.") || strings.Contains(name, ".ln2."):
		return 0, 1, false
	case strings.HasSuffix(name, "attn.out.weight") || strings.HasSuffix(name, "fc2.weight"):
		return 0.02 / math.Sqrt(2*float64(layers)), 0, true
	}
	return 0.02, 0, true // wte, wpe, qkv, fc1, router, lm_head
}

// TestInitCheckpointIsDocumented: the step-0 checkpoint (what `planc run
// --init-only` writes) holds exactly the initialization of the document's
// table, bit for bit, with zero moments and step 0, whatever the plan.
func TestInitCheckpointIsDocumented(t *testing.T) {
	m := untiedMoE()
	for _, c := range []struct{ dp, tp, ep int }{{1, 1, 1}, {2, 2, 2}} {
		tr, err := exec.NewTrainer(exec.Config{Plan: docPlan(m, c.dp, c.tp, c.ep, 1), Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ck := tr.Checkpoint()
		if ck.Meta["step"] != "0" {
			t.Errorf("dp%d tp%d ep%d: step %q, want 0", c.dp, c.tp, c.ep, ck.Meta["step"])
		}
		params := 0
		for name, w := range ck.Tensors {
			if strings.HasPrefix(name, "optim.") {
				for i, v := range w.Data {
					if v != 0 {
						t.Fatalf("%s[%d] = %g at step 0, want 0", name, i, v)
					}
				}
				continue
			}
			params++
			std, constant, normal := docInit(name, m.Layers)
			want := make([]float32, len(w.Data))
			if normal {
				want = docNormal(1, name, std, len(w.Data))
			} else {
				for i := range want {
					want[i] = constant
				}
			}
			for i := range want {
				if math.Float32bits(w.Data[i]) != math.Float32bits(want[i]) {
					t.Fatalf("dp%d tp%d ep%d: %s[%d] = %g, the document gives %g", c.dp, c.tp, c.ep, name, i, w.Data[i], want[i])
				}
			}
		}
		if ck.Tensors["lm_head.weight"] == nil || params < 50 {
			t.Fatalf("the checkpoint holds %d parameters (lm_head %v)", params, ck.Tensors["lm_head.weight"] != nil)
		}
	}
}

// TestUntiedHeadInit: an untied lm_head starts normal(0, 0.02), like wte.
func TestUntiedHeadInit(t *testing.T) {
	tr, err := exec.NewTrainer(exec.Config{Plan: docPlan(untiedMoE(), 1, 1, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	w := tr.Checkpoint().Tensors["lm_head.weight"]
	if w == nil || len(w.Shape) != 2 || w.Shape[0] != 64 || w.Shape[1] != 256 {
		t.Fatalf("lm_head.weight: %v, want shape [h, V] = [64 256]", w)
	}
	var sum, sq float64
	for _, v := range w.Data {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	n := float64(len(w.Data))
	mean := sum / n
	std := math.Sqrt(sq/n - mean*mean)
	// 16,384 draws: the sample std is within 2% (3.6 standard errors) and
	// the mean within 4 standard errors of 0.
	if math.Abs(std/0.02-1) > 0.02 || math.Abs(mean) > 4*0.02/math.Sqrt(n) {
		t.Errorf("lm_head.weight: mean %.3g std %.5g, documented 0 and 0.02", mean, std)
	}
}

// TestUnroutedExpertUpdate: AdamW updates an expert that received no token
// (zero gradient): its moments decay by β1 and β2, its weights take weight
// decay and the Adam term of the decayed moments, its biases only the Adam
// term — exactly the document's update with g = 0.
func TestUnroutedExpertUpdate(t *testing.T) {
	const (
		steps, layer, expert = 4, 1, 3
		h                    = 64
	)
	p := docPlan(untiedMoE(), 1, 1, 1, steps)
	a, err := exec.NewTrainer(exec.Config{Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := a.Step(); err != nil {
			t.Fatal(err)
		}
	}
	before := a.Checkpoint()
	// Starve the expert: ln2's bias lifts the first coordinate of every
	// token's router input to about 100 (LayerNorm output is within
	// ±sqrt(h) = ±8), and the router's first row gives the expert −1 and
	// every other expert 0 there, so its logit trails by about 100.
	bias := before.Tensors["h.1.ln2.bias"].Data
	bias[0] = 100
	wr := before.Tensors["h.1.moe.router.weight"].Data
	for e := 0; e < 8; e++ {
		wr[e] = 0
	}
	wr[expert] = -1
	b, err := exec.NewTrainer(exec.Config{Plan: p, Resume: before})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Step(); err != nil {
		t.Fatal(err)
	}
	after := b.Checkpoint()

	// The document's schedule and update at step t = 2 (k = 3): warm-up.
	tStep, k := 2, 3.0
	lr := p.Train.LR * float64(tStep+1) / float64(p.Train.Warmup)
	bc1, bc2 := 1-math.Pow(0.9, k), 1-math.Pow(0.95, k)
	checked := 0
	for _, part := range []string{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"} {
		name := "h.1.moe.experts.3." + part
		decay := 1.0
		if strings.HasSuffix(part, ".weight") {
			decay = 1 - lr*p.Train.WeightDecay
		}
		p0, m0, v0 := before.Tensors[name].Data, before.Tensors["optim.m."+name].Data, before.Tensors["optim.v."+name].Data
		p1, m1, v1 := after.Tensors[name].Data, after.Tensors["optim.m."+name].Data, after.Tensors["optim.v."+name].Data
		moved := 0
		for i := range p0 {
			m := 0.9 * float64(m0[i])
			v := 0.95 * float64(v0[i])
			want := float64(p0[i]) * decay
			want -= lr * (m / bc1) / (math.Sqrt(v/bc2) + 1e-8)
			if m1[i] != float32(m) || v1[i] != float32(v) || p1[i] != float32(want) {
				t.Fatalf("%s[%d]: p %g m %g v %g after the step; the document's zero-gradient update gives %g %g %g (before: %g %g %g)",
					name, i, p1[i], m1[i], v1[i], float32(want), float32(m), float32(v), p0[i], m0[i], v0[i])
			}
			if p1[i] != p0[i] {
				moved++
			}
		}
		if moved == 0 {
			t.Errorf("%s did not move: an unrouted expert must still be updated", name)
		}
		checked++
	}
	if checked != 4 {
		t.Fatal("not every tensor of the expert was checked")
	}

}

// docCluster is stdlib/hw/cpu.plan's cluster with perNode ranks on one
// node: the device whose costs the pipeline pass balances stages by.
func docCluster(perNode int) *ir.Cluster {
	d := &ir.Device{Name: "cpu_core", PeakBF16: 50e9, PeakFP16: 50e9, PeakFP32: 50e9, Memory: 4 << 30, HBMBandwidth: 20e9,
		MatmulEfficiency: ir.DefaultMatmulEfficiency, KernelOverhead: ir.DefaultKernelOverhead, MemoryEfficiency: ir.DefaultMemoryEfficiency}
	n := &ir.Node{Name: "cpu_node", Device: d, Devices: 1024, IntraBW: 10e9, IntraLatency: 1e-6}
	return &ir.Cluster{Name: "cpu", Node: n, Nodes: 1, PerNode: perNode, InterBW: 10e9, InterLatency: 1e-6}
}

// docZiggurat is the document's mlp input of sample i of step t under
// seed S, written from its text (section 1): the ziggurat's tables built
// by its recurrence, then one value after another.
func docZiggurat(seed, step, index uint64, n int) []float32 {
	mix := func(x uint64) uint64 {
		x += 0x9E3779B97F4A7C15
		x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
		x = (x ^ (x >> 27)) * 0x94D049BB133111EB
		return x ^ (x >> 31)
	}
	const r, v = 3.6541528853610088, 4.92867323399e-3
	var x, f [256]float64
	var k [256]uint64
	x[255] = r
	for i := 255; i >= 2; i-- {
		x[i-1] = math.Sqrt(-2 * math.Log(v/x[i]+math.Exp(-x[i]*x[i]/2)))
	}
	x[0] = v / math.Exp(-r*r/2)
	for i := 2; i < 256; i++ {
		k[i] = uint64(x[i-1] / x[i] * (1 << 53))
	}
	k[0] = uint64(r / x[0] * (1 << 53))
	f[0] = 1
	for i := 1; i < 256; i++ {
		f[i] = math.Exp(-x[i] * x[i] / 2)
	}
	state := mix(mix(mix(seed)^step) ^ index)
	next := func() uint64 { // section 2's: the state advances by the increment, the output is finalized
		out := mix(state)
		state += 0x9E3779B97F4A7C15
		return out
	}
	unit := func() float64 { return (float64(next()>>11) + 1) / (1 << 53) }
	draw := func() float64 {
		for {
			u := next()
			i, j := u&255, u>>11
			sign := 1.0
			if u&(1<<8) != 0 {
				sign = -1
			}
			z := float64(j) * (x[i] / (1 << 53))
			if j < k[i] {
				return sign * z
			}
			if i == 0 {
				for {
					t := -math.Log(unit()) / r
					if s := -math.Log(unit()); 2*s >= t*t {
						return sign * (r + t)
					}
				}
			}
			if f[i]+(f[i-1]-f[i])*float64(next()>>11)/(1<<53) < math.Exp(-z*z/2) {
				return sign * z
			}
		}
	}
	out := make([]float32, n)
	for j := range out {
		out[j] = float32(draw())
	}
	return out
}

// TestMLPInputsDocumented: the mlp inputs are the document's ziggurat
// draws, bit for bit, over enough samples (64,000 values) that the wedge
// and tail branches run too.
func TestMLPInputsDocumented(t *testing.T) {
	const width = 64
	got := make([]float32, width)
	for step := 0; step < 2; step++ {
		for i := 0; i < 500; i++ {
			exec.MLPInput(got, 3, step, i)
			want := docZiggurat(3, uint64(step), uint64(i), width)
			for j := range got {
				if got[j] != want[j] {
					t.Fatalf("step %d sample %d element %d: %g, want %g", step, i, j, got[j], want[j])
				}
			}
		}
	}
}
