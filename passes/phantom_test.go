package passes_test

import (
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestPhantomBytesAgainstTP: per step, examples/phantom_cpu.plan's phantom
// mlp (width n = 64, p = tp = 2 parts of k = 8 ghosts, depth 4) moves over
// tp one all-gather of p·k ghosts per token and layer forward and one
// reduce-scatter backward: depth·M·2·(p−1)·b·k values per rank (the ring
// convention of runtime/collective), while the dense mlp of the same width
// under tp all-reduces b·n values after each row-parallel layer forward and
// before each column-parallel layer backward (but the first, whose input
// is the data): 3 all-reduces of 2(p−1)/p·b·n per micro-batch. The
// phantom loss sends nothing (each part's squared-error gradient is
// local). docs/cost-model.md: p·k values against n per layer.
func TestPhantomBytesAgainstTP(t *testing.T) {
	tpBytes := func(plan string) (float64, *ir.Unit) {
		prog, p := loadPlan(t, "examples/phantom_cpu.plan", plan)
		u, ds := passes.Compile(prog, p, passes.Options{})
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		return passes.PredictedBytes(u).ByAxis[ir.AxisTP].Total(), u
	}
	ph, u := tpBytes("phantom_tiny_mlp")
	dense, _ := tpBytes("phantom_tiny_mlp_dense_tp2")
	m := u.Plan.Model
	p, k, n, depth := float64(m.FFNKind.Parts), float64(m.FFNKind.K), float64(m.Width), float64(m.Depth)
	b, M, elem := float64(u.Plan.MicroBatch), float64(u.Plan.MicroBatches()), 4.0
	wantPh := depth * M * 2 * (p - 1) * b * k * elem * p
	wantDense := 3 * M * 2 * (p - 1) / p * b * n * elem * p
	if ph != wantPh || dense != wantDense {
		t.Errorf("tp bytes per step: phantom %g (want %g), dense %g (want %g)", ph, wantPh, dense, wantDense)
	}
	t.Logf("tp bytes per step: phantom %g, dense %g; per layer and token phantom exchanges p·k = %g values, tp n = %g", ph, dense, p*k, n)
}

// TestPhantomTransformerFFNCollectives: a transformer block's phantom FFN
// (examples/phantom_cpu.plan's phantom_tiny_gpt, tp = parts) has, besides
// each phantom layer's ghost all-gather forward and reduce-scatter
// backward, an all-gather of the FFN's output columns forward and one of
// its input-gradient columns backward (each part gets the gradient of its
// own slice of the LayerNorm output, and the residual stream needs it
// whole), both of the whole [b, s, h] activation; and the bytes of a step
// are these collectives' ring volumes.
func TestPhantomTransformerFFNCollectives(t *testing.T) {
	prog, p := loadPlan(t, "examples/phantom_cpu.plan", "phantom_tiny_gpt")
	u, ds := passes.Compile(prog, p, passes.Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	m := u.Plan.Model
	if u.Plan.TP < 2 || !m.FFNKind.IsPhantom() {
		t.Fatalf("phantom_tiny_gpt: tp %d, ffn %v", u.Plan.TP, m.FFNKind)
	}
	kindOf := map[string]ir.OpKind{}
	for _, sg := range u.Graph.Stages {
		for _, o := range sg.Ops {
			kindOf[o.Name] = o.Kind
		}
	}
	full := float64(u.Plan.MicroBatch*m.Seq*m.Hidden) * 4
	type key struct {
		phase ir.Phase
		after ir.OpKind
	}
	perLayer := map[int]map[key]int{}
	for _, sg := range u.Graph.Stages {
		for _, c := range sg.Collectives {
			if c.Axis != ir.AxisTP || c.Kind != ir.AllGather || c.Layer < 0 {
				continue
			}
			if perLayer[c.Layer] == nil {
				perLayer[c.Layer] = map[key]int{}
			}
			k := key{c.Phase, kindOf[c.After]}
			if k.after == ir.OpPhantomMix || k.after == ir.OpCompress && c.Phase == ir.Backward {
				if c.Bytes != full {
					t.Errorf("layer %d: %s all-gather after %s of %g bytes, want the whole activation (%g)", c.Layer, c.Phase, c.After, c.Bytes, full)
				}
			}
			perLayer[c.Layer][k]++
		}
	}
	for l := 0; l < m.Layers; l++ {
		got := perLayer[l]
		// forward: the two layers' ghosts (after compress) and the output
		// columns (after the last decompress); backward: the input
		// gradient columns (at the first compress)
		want := map[key]int{{ir.Forward, ir.OpCompress}: 2, {ir.Forward, ir.OpPhantomMix}: 1, {ir.Backward, ir.OpCompress}: 1}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("layer %d: %d %s all-gathers after a %s op, want %d (all: %v)", l, got[k], k.phase, k.after, n, got)
			}
		}
	}
}
