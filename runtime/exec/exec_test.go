package exec

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"planc/ir"
	"planc/passes"
	"planc/runtime/ckpt"
	"planc/runtime/data"
)

// The models of stdlib/models/tiny.plan, built by hand.
func tinyGPT() *ir.Model {
	return &ir.Model{Name: "tiny_gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 256, TieEmbeddings: true, FFNKind: ir.FFNKind{Kind: "dense"}}
}

func tinyMoE() *ir.Model {
	m := tinyGPT()
	m.Name = "tiny_moe"
	m.MoE = &ir.MoE{Experts: 8, Shared: 1, TopK: 2, ExpertFFN: 64, Every: 1, FirstDense: 1, Router: "softmax", AuxLoss: 0.01}
	return m
}

// tinyMLA is stdlib's tiny_deepseek without its MoE block: multi-head
// latent attention (a query bottleneck, a 16-wide key/value latent, 16
// no-position and 8 rotary query/key columns, 16 value columns per head)
// over dense SwiGLU layers.
func tinyMLA() *ir.Model {
	return &ir.Model{Name: "tiny_mla", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 172,
		Norm: ir.NormRMS, NormEps: 1e-5, MLP: ir.MLPSwiGLU, Position: ir.PositionRoPE, RopeTheta: 10000, NoBias: true, FFNKind: ir.FFNKind{Kind: "dense"},
		MLA: &ir.MLA{QLoraRank: 32, KVLoraRank: 16, QKNopeHeadDim: 16, QKRopeHeadDim: 8, VHeadDim: 16}}
}

// tinyMLAFullQ is tinyMLA without the query bottleneck (DeepSeek-V2-Lite's
// layout): the full query projection, split by heads over tp, and the
// replicated key/value down projection read the same ln1.
func tinyMLAFullQ() *ir.Model {
	m := tinyMLA()
	m.Name = "tiny_mla_fullq"
	m.MLA.QLoraRank = 0
	return m
}

// tinyDeepSeek is stdlib's tiny_deepseek: MLA, one dense first layer,
// then 1 shared + 8 routed SwiGLU experts without biases, top-2 of the
// best 2 of 4 groups by sigmoid affinities, normalized, with bias
// balancing.
func tinyDeepSeek() *ir.Model {
	m := tinyMLA()
	m.Name = "tiny_deepseek"
	m.MoE = &ir.MoE{Experts: 8, Shared: 1, TopK: 2, ExpertFFN: 32, Every: 1, FirstDense: 1, Router: ir.RouterSigmoid,
		NormalizeTopK: true, Groups: 4, TopKGroups: 2, BiasBalance: true, BiasRate: 0.001, AuxLoss: 0.0001}
	return m
}

// tinyRoutedGLU is tiny_moe with tiny_deepseek's routing and experts
// (sigmoid, 2 of 4 groups, normalized top-2, SwiGLU without biases) over
// multi-head attention, which tp splits (tiny_deepseek's MLA it does not).
func tinyRoutedGLU() *ir.Model {
	m := tinyMoE()
	m.Name = "tiny_routed_glu"
	m.MLP, m.NoBias = ir.MLPSwiGLU, true
	m.MoE.Router, m.MoE.NormalizeTopK, m.MoE.Groups, m.MoE.TopKGroups = ir.RouterSigmoid, true, 4, 2
	return m
}

// tinyLlama is stdlib's tiny_llama: RMSNorm, SwiGLU, grouped-query
// attention (8 query heads, 2 key/value heads), RoPE, no biases, untied.
func tinyLlama() *ir.Model {
	return &ir.Model{Name: "tiny_llama", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 8, KVHeads: 2, FFN: 172,
		Norm: ir.NormRMS, NormEps: 1e-5, MLP: ir.MLPSwiGLU, Position: ir.PositionRoPE, RopeTheta: 10000, NoBias: true, FFNKind: ir.FFNKind{Kind: "dense"}}
}

func tinyMLP() *ir.Model {
	return &ir.Model{Name: "tiny_mlp", Kind: ir.MLPModel, Width: 64, Depth: 4, FFNKind: ir.FFNKind{Kind: "dense"}}
}

func tinyPhantomMLP(parts, k int) func() *ir.Model {
	return func() *ir.Model {
		m := tinyMLP()
		m.Name = fmt.Sprintf("tiny_phantom_mlp_p%d_k%d", parts, k)
		m.FFNKind = ir.FFNKind{Kind: "phantom", K: k, Parts: parts}
		return m
	}
}

func tinyPhantomGPT(parts, k int) func() *ir.Model {
	return func() *ir.Model {
		m := tinyGPT()
		m.Name = fmt.Sprintf("tiny_phantom_gpt_p%d_k%d", parts, k)
		m.FFNKind = ir.FFNKind{Kind: "phantom", K: k, Parts: parts}
		return m
	}
}

// cpuNode is stdlib/hw/cpu.plan's node: the device whose costs the
// pipeline pass balances stages by.
func cpuNode() *ir.Node {
	d := &ir.Device{Name: "cpu_core", PeakBF16: 50e9, PeakFP16: 50e9, PeakFP32: 50e9, Memory: 4 << 30, HBMBandwidth: 20e9, IdlePower: 5, BusyPower: 15,
		MatmulEfficiency: ir.DefaultMatmulEfficiency, KernelOverhead: ir.DefaultKernelOverhead, MemoryEfficiency: ir.DefaultMemoryEfficiency}
	return &ir.Node{Name: "cpu_node", Device: d, Devices: 1024, IntraBW: 10e9, IntraLatency: 1e-6}
}

func cpuCluster(perNode int) *ir.Cluster {
	return &ir.Cluster{Name: "cpu", Node: cpuNode(), Nodes: 1, PerNode: perNode, InterBW: 10e9, InterLatency: 1e-6}
}

// plan returns a plan of model m with the options "dp=2 tp=2 ..." applied.
func plan(m *ir.Model, opts string) *ir.Plan {
	p := &ir.Plan{Name: "test", Model: m, DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, VPP: 1, Schedule: "1f1b",
		GlobalBatch: 8, MicroBatch: 2, CPMode: "ring", Recompute: "none", Precision: "fp32",
		MoE:   ir.MoEPlan{Dispatch: ir.DispatchPaddingFree, CapacityFactor: 1.25},
		Train: ir.Train{Steps: 10, LR: 3e-3, MinLR: 1e-4, Warmup: 3, Seed: 1, Clip: 1, WeightDecay: 0.1}}
	if m.Kind == ir.MLPModel {
		p.GlobalBatch, p.MicroBatch = 16, 4
	}
	perNode := 0
	for _, kv := range strings.Fields(opts) {
		k, v, _ := strings.Cut(kv, "=")
		var n int
		fmt.Sscan(v, &n)
		switch k {
		case "dp":
			p.DP = n
		case "tp":
			p.TP = n
		case "pp":
			p.PP = n
		case "vpp":
			p.VPP = n
		case "zero":
			p.Zero = n
		case "cp":
			p.CP = n
		case "cp_mode":
			p.CPMode = ir.CPMode(v)
		case "sp":
			p.SP = v == "true"
		case "schedule":
			p.Schedule = ir.ScheduleKind(v)
		case "gb":
			p.GlobalBatch = n
		case "mb":
			p.MicroBatch = n
		case "per_node":
			perNode = n
		case "ep":
			p.EP = n
		case "rbd":
			p.MoE.RBD = v == "true"
		case "ssmb":
			p.MoE.SSMB = v == "true"
		case "dispatch":
			p.MoE.Dispatch = ir.DispatchMode(v)
		case "cf":
			fmt.Sscan(v, &p.MoE.CapacityFactor)
		default:
			panic("unknown option " + k)
		}
	}
	if perNode == 0 {
		perNode = p.WorldSize()
	}
	p.Cluster = cpuCluster(perNode)
	p.Cluster.Nodes = (p.WorldSize() + perNode - 1) / perNode
	return p
}

func train(t *testing.T, p *ir.Plan, steps int) ([]float64, *Trainer) {
	t.Helper()
	tr, err := NewTrainer(Config{Plan: p, Steps: steps, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	var losses []float64
	for i := 0; i < steps; i++ {
		r, err := tr.Step()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		losses = append(losses, r.Loss)
	}
	return losses, tr
}

func relDiff(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1e-12) }

// TestParallelPlansMatchSerial is issue 5's table: every parallel plan
// reproduces its serial run's first-step loss within 1e-6 relative and the
// losses of 10 steps within 1e-4.
func TestParallelPlansMatchSerial(t *testing.T) {
	type tc struct {
		model func() *ir.Model
		base  string // options shared with the serial run (batching, dispatch)
		opts  string
	}
	cases := []tc{
		{tinyGPT, "", "dp=2"},
		{tinyGPT, "", "dp=4"},
		{tinyGPT, "", "dp=2 zero=1"},
		{tinyGPT, "", "dp=2 zero=2"},
		{tinyGPT, "", "dp=2 zero=3"},
		{tinyGPT, "", "tp=2"},
		{tinyGPT, "", "tp=4"},
		{tinyGPT, "", "tp=2 sp=true"},
		{tinyGPT, "", "tp=4 sp=true dp=2 zero=2"},
		{tinyGPT, "", "tp=2 sp=true pp=2 schedule=zb-h1"},
		{tinyGPT, "", "pp=2"},
		{tinyGPT, "", "pp=2 schedule=gpipe"},
		{tinyGPT, "", "pp=4"},
		{tinyGPT, "", "pp=2 vpp=2 schedule=interleaved"},
		{tinyGPT, "", "pp=2 schedule=zb-h1"},
		{tinyGPT, "", "pp=2 vpp=2 schedule=zb-v"},
		{tinyGPT, "", "cp=2 cp_mode=allgather"},
		{tinyGPT, "", "cp=2 cp_mode=lss"},
		{tinyGPT, "", "cp=4 cp_mode=lss"},
		{tinyGPT, "", "cp=2 cp_mode=ring"},
		{tinyGPT, "", "cp=4 cp_mode=ring"},
		{tinyGPT, "", "cp=2 cp_mode=ulysses"},
		{tinyGPT, "", "cp=2 cp_mode=ulysses tp=2 sp=true dp=2 zero=1"},
		{tinyGPT, "", "cp=2 cp_mode=ring pp=2 dp=2"},
		{tinyGPT, "gb=16", "dp=2 tp=2 pp=2 per_node=4"},
		{tinyGPT, "gb=16", "dp=2 tp=2 pp=2 zero=2 per_node=4"},
		// tp·pp without sp: pipeline tensors sent in 1/tp chunks and
		// all-gathered over tp (zb-v's fold passes one boundary whole)
		{tinyGPT, "", "tp=2 pp=2 vpp=2 schedule=zb-v"},
		{tinyGPT, "", "tp=2 pp=2 vpp=2 schedule=interleaved"},
		{tinyMoE, "", "dp=2"},
		{tinyMoE, "", "tp=2"},
		{tinyMoE, "", "tp=2 sp=true"},
		{tinyMoE, "", "dp=2 ep=2"},
		{tinyMoE, "", "dp=4 ep=4 per_node=2"},
		{tinyMoE, "", "dp=4 ep=2 zero=2"},
		{tinyMoE, "", "dp=4 ep=2 zero=3"},
		{tinyMoE, "dispatch=capacity cf=1.0", "dp=2 ep=2"},
		{tinyMoE, "", "tp=2 ep=2 pp=2 dp=2"},
		{tinyMoE, "", "tp=2 ep=2 pp=2 ssmb=true"},
		{tinyMoE, "", "dp=4 ep=4 per_node=2 rbd=true"},
		{tinyMoE, "gb=16", "dp=8 ep=8 per_node=2 rbd=true zero=1"},
		{tinyMoE, "dispatch=capacity cf=1.0", "dp=4 ep=4 per_node=1"},
		{tinyMoE, "", "tp=2 dp=2 ep=4 per_node=2 rbd=true ssmb=true"},
		{tinyMoE, "", "tp=2 ep=2 ssmb=true"},
		{tinyMoE, "", "tp=2 dp=2 ep=4 ssmb=true zero=2"},
		{tinyMoE, "", "tp=2 sp=true ep=2 ssmb=true"},
		{tinyMoE, "dispatch=capacity cf=1.0", "tp=2 dp=2 ep=4 ssmb=true"},
		{tinyMoE, "", "pp=2"},
		{tinyMoE, "dispatch=capacity cf=1.0", "dp=2 pp=2"},
		{tinyMoE, "", "cp=2 cp_mode=allgather"},
		{tinyMoE, "", "cp=2 cp_mode=ring"},
		{tinyMoE, "", "cp=2 cp_mode=lss"},
		{tinyMoE, "", "cp=2 cp_mode=ulysses"},
		{tinyMoE, "", "cp=2 cp_mode=allgather ep=2"},
		{tinyMoE, "", "cp=2 cp_mode=ring dp=2 ep=4"},
		{tinyMoE, "dispatch=capacity cf=1.0", "cp=2 cp_mode=allgather"},
		{tinyMoE, "dispatch=capacity cf=1.0", "cp=2 cp_mode=ring dp=2 ep=4"},
		{tinyMoE, "dispatch=capacity cf=1.0", "cp=2 cp_mode=allgather tp=2 ep=4 ssmb=true"},
		{tinyMoE, "", "cp=2 cp_mode=ring dp=2 ep=4 per_node=2 rbd=true"},
		{tinyMoE, "dispatch=capacity cf=1.0", "cp=4 cp_mode=ring ep=4"},
		{tinyMoE, "", "cp=2 cp_mode=allgather pp=2 dp=2 ep=2"},
		{tinyLlama, "", "dp=2"},
		{tinyLlama, "", "dp=2 zero=1"},
		{tinyLlama, "", "dp=2 zero=2"},
		{tinyLlama, "", "dp=2 zero=3"},
		{tinyLlama, "", "tp=2"},
		// tp 4 > kv_heads 2: each kv head replicated on two tp ranks
		{tinyLlama, "", "tp=4"},
		{tinyLlama, "", "tp=4 sp=true"},
		{tinyLlama, "", "tp=4 dp=2 zero=1"},
		{tinyLlama, "gb=16", "tp=4 pp=2 cp=2 cp_mode=ring zero=2"},
		{tinyLlama, "", "tp=2 sp=true"},
		{tinyLlama, "", "pp=2"},
		{tinyLlama, "", "pp=2 vpp=2 schedule=zb-v"},
		{tinyLlama, "", "tp=2 pp=2"},
		{tinyLlama, "", "tp=4 pp=2 vpp=2 schedule=zb-v"},
		{tinyLlama, "", "cp=2 cp_mode=ring"},
		{tinyLlama, "", "cp=4 cp_mode=ring"},
		{tinyLlama, "", "cp=2 cp_mode=allgather"},
		{tinyLlama, "", "cp=2 cp_mode=lss"},
		{tinyLlama, "", "cp=2 cp_mode=ulysses"},
		{tinyLlama, "gb=16", "tp=2 sp=true cp=2 cp_mode=ring dp=2 zero=1 per_node=8"},
		{tinyMLA, "", "dp=2"},
		{tinyMLA, "", "dp=2 zero=1"},
		{tinyMLA, "", "dp=2 zero=2"},
		{tinyMLA, "", "dp=2 zero=3"},
		{tinyMLA, "", "tp=2"},
		{tinyMLA, "", "tp=4"},
		{tinyMLA, "", "tp=2 cp=2 cp_mode=ring"},
		{tinyMLA, "", "tp=2 sp=true"},
		{tinyMLA, "", "tp=4 sp=true"},
		{tinyMLA, "", "tp=2 sp=true cp=2 cp_mode=ring"},
		{tinyMLA, "", "tp=2 sp=true cp=2 cp_mode=ulysses"},
		{tinyMLA, "gb=16", "tp=2 sp=true pp=2 dp=2 zero=1 per_node=8"},
		{tinyMLA, "", "tp=2 sp=true dp=2 zero=3"},
		{tinyMLAFullQ, "", "tp=2"},
		{tinyMLAFullQ, "", "tp=2 sp=true"},
		{tinyMLA, "", "pp=2"},
		{tinyMLA, "", "pp=2 vpp=2 schedule=zb-v"},
		{tinyMLA, "", "cp=2 cp_mode=ring"},
		{tinyMLA, "", "cp=4 cp_mode=ring"},
		{tinyMLA, "", "cp=2 cp_mode=allgather"},
		{tinyMLA, "", "cp=2 cp_mode=lss"},
		{tinyMLA, "", "cp=2 cp_mode=ulysses"},
		{tinyMLA, "gb=16", "cp=2 cp_mode=ring dp=2 pp=2 zero=1 per_node=8"},
		{tinyDeepSeek, "", "dp=2"},
		{tinyDeepSeek, "", "dp=2 zero=1"},
		{tinyDeepSeek, "", "dp=2 zero=2"},
		{tinyDeepSeek, "", "dp=2 zero=3"},
		{tinyDeepSeek, "", "tp=2"},
		{tinyDeepSeek, "", "tp=2 dp=2 ep=2"},
		{tinyDeepSeek, "", "tp=2 ep=2 ssmb=true"},
		{tinyDeepSeek, "", "tp=2 sp=true"},
		{tinyDeepSeek, "", "tp=2 sp=true cp=2 cp_mode=allgather"},
		{tinyDeepSeek, "", "tp=2 sp=true dp=2 ep=2"},
		{tinyDeepSeek, "", "tp=2 sp=true dp=2 ep=2 zero=2"},
		{tinyDeepSeek, "", "tp=2 sp=true ep=2 ssmb=true"},
		{tinyDeepSeek, "", "pp=2"},
		{tinyDeepSeek, "", "pp=2 vpp=2 schedule=zb-v"},
		{tinyDeepSeek, "", "cp=2 cp_mode=ring"},
		{tinyDeepSeek, "", "cp=2 cp_mode=allgather"},
		{tinyDeepSeek, "", "cp=2 cp_mode=lss"},
		{tinyDeepSeek, "", "cp=2 cp_mode=ulysses"},
		{tinyDeepSeek, "", "dp=2 ep=2"},
		{tinyDeepSeek, "", "dp=4 ep=4 per_node=2 rbd=true"},
		{tinyDeepSeek, "dispatch=capacity cf=1.0", "dp=2 ep=2"},
		{tinyDeepSeek, "gb=16", "cp=2 cp_mode=ring dp=2 ep=2 pp=2 zero=1 per_node=8"},
		{tinyRoutedGLU, "", "tp=2"},
		{tinyRoutedGLU, "", "tp=2 sp=true"},
		{tinyRoutedGLU, "", "tp=2 ep=2 ssmb=true"},
		{tinyRoutedGLU, "", "tp=2 dp=2 ep=4 per_node=2 rbd=true ssmb=true"},
		{tinyMLP, "", "dp=2"},
		{tinyMLP, "", "tp=2"},
		{tinyMLP, "", "pp=2"},
		{tinyMLP, "", "dp=2 tp=2 zero=1"},
		{tinyPhantomGPT(2, 16), "", "tp=2"},
		{tinyPhantomGPT(2, 16), "", "tp=2 sp=true dp=2 zero=2"},
		{tinyPhantomGPT(2, 16), "gb=16", "tp=2 dp=2 pp=2 per_node=4"},
		{tinyPhantomMLP(2, 8), "", "tp=2"},
		{tinyPhantomMLP(2, 8), "", "tp=2 dp=2 pp=2"},
		{tinyPhantomMLP(4, 4), "", "tp=4"},
	}
	if testing.Short() {
		cases = cases[:3]
	}
	const steps = 10
	serial := map[string][]float64{}
	for _, c := range cases {
		m := c.model()
		key := m.Name + " " + c.base
		t.Run(key+" "+c.opts, func(t *testing.T) {
			want, ok := serial[key]
			if !ok {
				want, _ = train(t, plan(m, c.base), steps)
				serial[key] = want
			}
			got, _ := train(t, plan(m, c.base+" "+c.opts), steps)
			if d := relDiff(got[0], want[0]); d > 1e-6 {
				t.Errorf("first-step loss %.9g, serial %.9g (rel %.2g > 1e-6)", got[0], want[0], d)
			}
			worst := 0.0
			for i := range got {
				d := relDiff(got[i], want[i])
				worst = max(worst, d)
				if d > 1e-4 {
					t.Errorf("step %d loss %.9g, serial %.9g (rel %.2g > 1e-4)", i, got[i], want[i], d)
				}
			}
			t.Logf("losses %.6f ... %.6f (serial %.6f ... %.6f); first step rel %.1e, worst of 10 steps rel %.1e", got[0], got[steps-1], want[0], want[steps-1], relDiff(got[0], want[0]), worst)
		})
	}
}

func TestResumeEqualsStraightThrough(t *testing.T) {
	for _, tc := range []struct {
		m    *ir.Model
		opts string
	}{{tinyGPT(), ""}, {tinyMoE(), "dp=2 zero=2"}, {tinyMLP(), "tp=2"}, {tinyDeepSeek(), "dp=2 ep=2"}} {
		t.Run(tc.m.Name, func(t *testing.T) {
			p := plan(tc.m, tc.opts)
			straight, _ := train(t, p, 6)
			_, first := train(t, p, 3)
			// Train 3 steps of the same 6-step run, save, resume, train 3 more.
			tr, err := NewTrainer(Config{Plan: p, Steps: 6})
			if err != nil {
				t.Fatal(err)
			}
			_ = first
			for i := 0; i < 3; i++ {
				if _, err := tr.Step(); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(t.TempDir(), "c.safetensors")
			if err := ckpt.Write(path, tr.Checkpoint()); err != nil {
				t.Fatal(err)
			}
			c, err := ckpt.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			tr2, err := NewTrainer(Config{Plan: p, Steps: 6, Resume: c})
			if err != nil {
				t.Fatal(err)
			}
			for i := 3; i < 6; i++ {
				r, err := tr2.Step()
				if err != nil {
					t.Fatal(err)
				}
				if r.Step != i || r.Loss != straight[i] {
					t.Errorf("resumed step %d loss %.9g, straight through step %d %.9g", r.Step, r.Loss, i, straight[i])
				}
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	p := plan(tinyGPT(), "")
	_, tr := train(t, p, 1)
	good := filepath.Join(dir, "good.safetensors")
	if err := ckpt.Write(good, tr.Checkpoint()); err != nil {
		t.Fatal(err)
	}
	mlpCkpt := func() *ckpt.Checkpoint {
		_, tr := train(t, plan(tinyMLP(), ""), 1)
		return tr.Checkpoint()
	}()
	short := &data.Stream{Name: "short.txt", Tokens: make([]int32, 20)}
	bigPlan := plan(tinyGPT(), "dp=4")
	bigPlan.Cluster = cpuCluster(2)
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"data too short", func() error { _, err := NewTrainer(Config{Plan: p, Data: short}); return err }, "needs at least"},
		{"checkpoint of another model", func() error { _, err := NewTrainer(Config{Plan: p, Resume: mlpCkpt}); return err }, "not of model tiny_gpt"},
		{"eval of another model", func() error { _, err := Eval(plan(tinyGPT(), ""), mlpCkpt, nil, 1); return err }, "not of model tiny_gpt"},
		{"plan larger than the cluster", func() error { _, err := NewTrainer(Config{Plan: bigPlan}); return err }, "= 4 ranks, but cluster"},
		{"tp does not divide heads", func() error { _, err := NewTrainer(Config{Plan: plan(tinyGPT(), "tp=3")}); return err }, "tp = 3 does not divide the 4 attention heads"},
		{"tp does not divide the vocabulary", func() error {
			m := tinyGPT()
			m.Vocab = 250
			_, err := NewTrainer(Config{Plan: plan(m, "tp=4")})
			return err
		}, "tp = 4 does not divide the vocabulary 250"},
	}
	for _, tc := range tests {
		err := tc.err()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	// A truncated checkpoint is refused on read, and the good one survives
	// a failed overwrite.
	b, _ := os.ReadFile(good)
	trunc := filepath.Join(dir, "trunc.safetensors")
	os.WriteFile(trunc, b[:len(b)/2], 0o644)
	if _, err := ckpt.Read(trunc); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated checkpoint: %v", err)
	}
}

func TestEval(t *testing.T) {
	p := plan(tinyGPT(), "")
	_, tr := train(t, p, 2)
	c := tr.Checkpoint()
	r, err := Eval(p, c, nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	if r.Loss < 3 || r.Loss > 7 || r.Tokens != 4*64 {
		t.Errorf("eval after 2 steps: %+v", r)
	}
	// Eval is deterministic and uses the windows from the start of the data.
	r2, _ := Eval(p, c, nil, 4)
	if r2.Loss != r.Loss {
		t.Errorf("eval not deterministic: %v vs %v", r.Loss, r2.Loss)
	}
	if _, err := Eval(p, c, &data.Stream{Name: "tiny", Tokens: make([]int32, 100)}, 4); err == nil || !strings.Contains(err.Error(), "fewer than") {
		t.Errorf("too few windows: %v", err)
	}
}

// TestCapacityDispatch: capacity dispatch equals padding-free dispatch when
// the capacity is large enough that nothing drops, and differs, with its
// drops counted, when it is not.
func TestCapacityDispatch(t *testing.T) {
	run := func(opts string) ([]float64, int64) {
		tr, err := NewTrainer(Config{Plan: plan(tinyMoE(), opts), Steps: 3})
		if err != nil {
			t.Fatal(err)
		}
		var losses []float64
		var drops int64
		for i := 0; i < 3; i++ {
			r, err := tr.Step()
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, r.Loss)
			drops += r.Drops
		}
		return losses, drops
	}
	free, freeDrops := run("dispatch=padding_free")
	big, bigDrops := run("dispatch=capacity cf=8")
	small, smallDrops := run("dispatch=capacity cf=0.5")
	if freeDrops != 0 || bigDrops != 0 {
		t.Errorf("drops: padding-free %d, capacity factor 8 %d; want none", freeDrops, bigDrops)
	}
	for i := range free {
		if free[i] != big[i] {
			t.Errorf("step %d: capacity factor 8 loss %.9g differs from padding-free %.9g", i, big[i], free[i])
		}
	}
	if smallDrops == 0 || small[0] == free[0] {
		t.Errorf("capacity factor 0.5: %d drops, loss %.9g vs padding-free %.9g; want drops and a different loss", smallDrops, small[0], free[0])
	}
	t.Logf("capacity factor 0.5 dropped %d token copies in 3 steps; losses %.6f vs padding-free %.6f", smallDrops, small[0], free[0])
}

// TestPhantomMLP: a one-part phantom mlp is the dense mlp, and the phantom
// mlp learns its teacher (the loss falls at least tenfold).
func TestPhantomMLP(t *testing.T) {
	dense, _ := train(t, plan(tinyMLP(), ""), 5)
	one, _ := train(t, plan(tinyPhantomMLP(1, 8)(), ""), 5)
	for i := range dense {
		if one[i] != dense[i] {
			t.Errorf("step %d: one-part phantom loss %.9g, dense %.9g", i, one[i], dense[i])
		}
	}
	gpt, _ := train(t, plan(tinyGPT(), ""), 3)
	gpt1, _ := train(t, plan(tinyPhantomGPT(1, 16)(), ""), 3)
	for i := range gpt {
		if gpt1[i] != gpt[i] {
			t.Errorf("step %d: one-part phantom gpt loss %.9g, dense %.9g", i, gpt1[i], gpt[i])
		}
	}
	if testing.Short() {
		return
	}
	p := plan(tinyPhantomMLP(2, 8)(), "tp=2 gb=256 mb=128")
	const steps = 400
	p.Train.Steps, p.Train.LR, p.Train.Warmup = steps, 1e-2, 10
	losses, _ := train(t, p, steps)
	var last float64
	for _, l := range losses[steps-10:] {
		last += l / 10
	}
	first := losses[0]
	t.Logf("phantom mlp (2 parts, k 8, tp 2, 256 samples a step): loss %.5f at step 0, %.5f at 100, %.5f at 200, mean of the last 10 steps %.5f (÷%.1f)", first, losses[100], losses[200], last, first/last)
	if last > first/10 {
		t.Errorf("loss fell from %.5f to %.5f, less than tenfold", first, last)
	}
}

// TestRBDSavesInterNodeBytes: with tiny_moe's 8 experts over an ep group of
// 8 ranks spread over 2 and 4 nodes, redundancy-bypassing dispatch moves
// fewer bytes between nodes (and gives the same losses, checked in the
// table above). Over 8 nodes each node holds one expert, so there is no
// redundancy to bypass: rbd then costs only its record headers (expert ids
// and weights, 1+2n floats per pilot copy of 64), under 5%.
func TestRBDSavesInterNodeBytes(t *testing.T) {
	for _, perNode := range []int{4, 2, 1} {
		bytes := func(rbd string) (inter, intra, epInter, epIntra int64) {
			p := plan(tinyMoE(), fmt.Sprintf("gb=16 dp=8 ep=8 per_node=%d rbd=%s", perNode, rbd))
			tr, err := NewTrainer(Config{Plan: p, Steps: 1})
			if err != nil {
				t.Fatal(err)
			}
			r, err := tr.Step()
			if err != nil {
				t.Fatal(err)
			}
			b, ep := tr.Bytes(), r.ByKind["ep"]
			return b.InterNode, b.IntraNode, ep.InterNode, ep.IntraNode
		}
		offInter, offIntra, offEP, offEPIntra := bytes("false")
		onInter, onIntra, onEP, onEPIntra := bytes("true")
		t.Logf("%d nodes: MoE dispatch+combine inter-node bytes per step %d without rbd, %d with (%+.1f%%), intra-node %d → %d; all inter-node bytes %d → %d, intra %d → %d",
			8/perNode, offEP, onEP, 100*(float64(onEP)/float64(offEP)-1), offEPIntra, onEPIntra, offInter, onInter, offIntra, onIntra)
		if perNode > 1 && onInter >= offInter {
			t.Errorf("%d nodes: rbd moved %d inter-node bytes, not fewer than %d without", 8/perNode, onInter, offInter)
		}
		if perNode == 1 && float64(onInter) > 1.05*float64(offInter) {
			t.Errorf("one expert per node: rbd moved %d inter-node bytes, more than 5%% over %d", onInter, offInter)
		}
	}
}

// TestBytesMatchAnalyticVolumes pins the measured bytes per step to the
// closed forms that a cost model predicts (the ring convention of package
// collective: an all-reduce of n elements over p ranks sends 2(p−1)/p·n per
// rank).
func TestBytesMatchAnalyticVolumes(t *testing.T) {
	step := func(m *ir.Model, opts string) int64 {
		_, tr := train(t, plan(m, opts), 1)
		return tr.Bytes().Total()
	}
	// tp = 2 on tiny_gpt: 4 all-reduces of b·s·h per layer and micro-batch
	// (Korthikanti et al.); per micro-batch, the vocab-parallel embedding's
	// all-reduce of its partial sums and the head's input-gradient
	// all-reduce (b·s·h each), and the loss's three all-reduces of b·s
	// floats (row maxima, sums of exponentials, target logits); plus the
	// 2-float gradient-norm all-reduce.
	const L, M, T, h = 4, 4, 2 * 64, 64
	p := 2.0
	allReduce := func(n float64) float64 { return 2 * (p - 1) / p * n * 4 * p } // bytes, all ranks
	wantTP := int64(L*M*4*allReduce(T*h)+M*(2*allReduce(T*h)+3*allReduce(T))) + 2*2*4
	if got := step(tinyGPT(), "tp=2"); got != wantTP {
		t.Errorf("tp=2: %d bytes per step, want %d", got, wantTP)
	}
	// dp = 2: one all-reduce of every gradient (2(p−1)/p·Ψ per rank).
	var psi int64
	for _, sp := range passes.ParamTableOf(tinyGPT()) {
		psi += int64(sp.Numel())
	}
	wantDP := int64(2*(p-1)/p*float64(psi)) * 4 * 2
	if got := step(tinyGPT(), "dp=2"); got != wantDP {
		t.Errorf("dp=2: %d bytes per step, want %d (Ψ = %d)", got, wantDP, psi)
	}
	// Phantom against tp at the same width: per layer and micro-batch the
	// phantom mlp all-gathers and reduce-scatters (p−1)·b·k ghosts per
	// rank, tp all-reduces b·w once per layer (forward after each row
	// layer, backward after each column layer but the first, whose input
	// is the data): per layer, ratio p·k/w (docs/cost-model.md: p·k against n
	// values).
	const w, k, depth, mlpM, b = 64, 8, 4, 4, 4
	phantom := step(tinyPhantomMLP(2, k)(), "tp=2")
	dense := step(tinyMLP(), "tp=2")
	norm := int64(2 * 2 * 4)
	wantPhantom := int64(depth*mlpM*2*(p-1)*b*k*4*p) + norm
	denseAllReduces := depth/2 + depth/2 - 1
	wantDense := int64(float64(denseAllReduces*mlpM)*(2*(p-1)/p*b*w)*4*p) + norm
	if phantom != wantPhantom || dense != wantDense {
		t.Errorf("phantom %d bytes (want %d), dense tp %d (want %d)", phantom, wantPhantom, dense, wantDense)
	}
	perLayerPhantom := float64(phantom-norm) / float64(depth*mlpM)
	perAllReduceDense := float64(dense-norm) / float64(denseAllReduces*mlpM)
	ratio := perLayerPhantom / perAllReduceDense
	if want := p * k / w; math.Abs(ratio-want) > 1e-12 {
		t.Errorf("phantom/tp bytes ratio %.4f, closed form p·k/w = %.4f", ratio, want)
	}
	t.Logf("bytes per step: tp2 %d, dp2 %d (Ψ %d), phantom mlp tp2 %d, dense mlp tp2 %d (ratio %.3f = p·k/w)", wantTP, wantDP, psi, phantom, dense, ratio)
}

// TestResumeUnderAnotherPlan: checkpoints hold whole tensors, so a run
// saved under one plan resumes under another and goes on as the serial run
// does: dp=2 ZeRO-2 → tp=2 pp=2, and tp=2 with sp (wte and lm_head sharded
// by vocabulary, gathered whole into the checkpoint) → serial, tied and
// untied.
func TestResumeUnderAnotherPlan(t *testing.T) {
	untied := tinyGPT()
	untied.Name, untied.TieEmbeddings = "tiny_gpt_untied", false
	for _, c := range []struct {
		m             *ir.Model
		before, after string
	}{
		{tinyGPT(), "dp=2 zero=2", "tp=2 pp=2"},
		{tinyGPT(), "tp=2 sp=true", ""},
		{untied, "tp=2 sp=true", ""},
	} {
		serial, _ := train(t, plan(c.m, ""), 6)
		a, err := NewTrainer(Config{Plan: plan(c.m, c.before), Steps: 6})
		if err != nil {
			t.Fatal(err)
		}
		stepsMatchSerial(t, a, serial, 0, 3, fmt.Sprintf("%s under %q", c.m.Name, c.before))
		b, err := NewTrainer(Config{Plan: plan(c.m, c.after), Steps: 6, Resume: a.Checkpoint()})
		if err != nil {
			t.Fatal(err)
		}
		stepsMatchSerial(t, b, serial, 3, 6, fmt.Sprintf("%s resumed under %q from %q", c.m.Name, c.after, c.before))
	}
}

// stepsMatchSerial runs steps [from, to) of tr and checks each loss against
// the serial run's within 1e-4 relative.
func stepsMatchSerial(t *testing.T, tr *Trainer, serial []float64, from, to int, what string) {
	t.Helper()
	for i := from; i < to; i++ {
		r, err := tr.Step()
		if err != nil {
			t.Fatalf("%s: step %d: %v", what, i, err)
		}
		if d := relDiff(r.Loss, serial[i]); d > 1e-4 {
			t.Errorf("%s: step %d loss %.9g, serial %.9g", what, i, r.Loss, serial[i])
		}
	}
}

// TestCPMoECapacityDropsMatchSerial checks that under cp the capacity of
// each expert is counted over the whole micro-batch in its token order
// (sequence, position): every step drops exactly the serial run's token
// copies, and some are dropped (cf = 1.0), so the positions are exercised.
func TestCPMoECapacityDropsMatchSerial(t *testing.T) {
	const steps = 3
	drops := func(opts string) []int64 {
		tr, err := NewTrainer(Config{Plan: plan(tinyMoE(), "dispatch=capacity cf=1.0 "+opts), Steps: steps, Timeout: 30 * time.Second})
		if err != nil {
			t.Fatalf("%s: %v", opts, err)
		}
		var out []int64
		for i := 0; i < steps; i++ {
			r, err := tr.Step()
			if err != nil {
				t.Fatalf("%s: step %d: %v", opts, i, err)
			}
			out = append(out, r.Drops)
		}
		return out
	}
	want := drops("")
	if want[0] == 0 {
		t.Fatalf("serial run drops nothing at cf 1.0; the test needs drops")
	}
	for _, opts := range []string{
		"cp=2 cp_mode=allgather",
		"cp=2 cp_mode=ring dp=2 ep=4",
		"cp=2 cp_mode=ulysses ep=2",
		"cp=2 cp_mode=allgather tp=2 ep=4 ssmb=true",
	} {
		if got := drops(opts); !slices.Equal(got, want) {
			t.Errorf("%s: drops per step %v, serial %v", opts, got, want)
		} else {
			t.Logf("%s: drops per step %v (serial %v)", opts, got, want)
		}
	}
}
