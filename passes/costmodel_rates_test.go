package passes

import (
	"math"
	"testing"

	"planc/ir"
)

// TestWaveEfficiency: a GEMM's output cut into tile² tiles runs in waves
// over the compute units; the last wave's idle units are lost.
func TestWaveEfficiency(t *testing.T) {
	a100 := &ir.Device{ComputeUnits: 108, GEMMTile: 128}
	for _, c := range []struct {
		dev         *ir.Device
		m, n, batch int
		want        float64
	}{
		{a100, 1024, 1024, 1, 64.0 / 108},                          // 64 tiles, one wave
		{a100, 4096, 4096, 1, 1024.0 / 1080},                       // 1024 tiles, 10 waves
		{a100, 1000, 1000, 1, 64.0 / 108},                          // partial tiles count whole
		{a100, 2048, 128, 40, 640.0 / 648},                         // 16 tiles × 40 products, 6 waves
		{a100, 128, 128, 108, 1},                                   // exactly one full wave
		{&ir.Device{}, 1024, 1024, 1, 1},                           // no compute units: no quantization
		{&ir.Device{ComputeUnits: 2, GEMMTile: 32}, 128, 64, 1, 1}, // 8 tiles on 2 units
	} {
		if got := waveEfficiency(c.dev, c.m, c.n, c.batch); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%d units, tile %d: %d×%d ×%d: %g, want %g", c.dev.ComputeUnits, c.dev.GEMMTile, c.m, c.n, c.batch, got, c.want)
		}
	}
}

// TestMemoryRateFamilies: norms, softmax and the loss, activations and
// the optimizer move at their own rates where the device has them, every
// other memory-bound op (and every family without one) at hbm_bw ·
// memory_efficiency.
func TestMemoryRateFamilies(t *testing.T) {
	d := &ir.Device{HBMBandwidth: 100, MemoryEfficiency: 0.5, NormBW: 3, SoftmaxBW: 1, ActivationBW: 7, OptimizerBW: 4, LossBW: 9}
	for _, c := range []struct {
		kind ir.OpKind
		want float64
	}{
		{ir.OpLayerNorm, 3}, {ir.OpRMSNorm, 3}, {ir.OpSoftmax, 1}, {ir.OpLoss, 9},
		{ir.OpGeLU, 7}, {ir.OpSiLU, 7}, {ir.OpGLU, 7}, {ir.OpExpertGeLU, 7}, {ir.OpActivation, 7},
		{ir.OpResidual, 50}, {ir.OpEmbedding, 50}, {ir.OpDispatch, 50},
	} {
		if got := memoryRate(d, c.kind); got != c.want {
			t.Errorf("%s: %g B/s, want %g", c.kind, got, c.want)
		}
	}
	if got := optimizerRate(d); got != 4 {
		t.Errorf("optimizer: %g B/s, want 4", got)
	}
	if got := memoryRate(&ir.Device{SoftmaxBW: 1}, ir.OpLoss); got != 1 {
		t.Errorf("loss without loss_bw: %g B/s, want softmax_bw's 1", got)
	}
	plain := &ir.Device{HBMBandwidth: 100, MemoryEfficiency: 0.5}
	if memoryRate(plain, ir.OpLayerNorm) != 50 || optimizerRate(plain) != 50 {
		t.Errorf("a device without family rates: every family at hbm_bw·memory_efficiency")
	}
}

// TestGEMMCallAndElementCosts: with gemm_call_cost and gemm_element_cost
// each product of a matmul op costs, beyond its FLOPs at the rate, one
// call per product of the batch (an expert, a phantom part) and its
// operands' elements (A, B and C); with a micro tile its FLOPs count its
// output in whole tiles; attention's products keep their own fit; a
// device without them (the A100) is unchanged.
func TestGEMMCallAndElementCosts(t *testing.T) {
	const peak, call, elem = 1e12, 2e-6, 1e-9
	d := &ir.Device{MatmulEfficiency: 0.5, GEMMCallCost: call, GEMMElementCost: elem}
	cm := &costModel{dev: d, peak: peak, spare: 1}
	o := &ir.Op{Kind: ir.OpExpertFC1, Class: ir.Matmul, M: 32, K: 64, N: 16, Batch: 8}
	flops := 2.0 * 32 * 64 * 16 * 8
	o.FwdFLOPs, o.BwdInputFLOPs, o.BwdWeightFLOPs = flops, flops, flops
	per := flops/(peak*0.5) + 8*(call+elem*(32*64+64*16+32*16))
	f, b, w := cm.opTimes(o)
	for i, got := range []float64{f, b, w} {
		if math.Abs(got-per) > 1e-12*per {
			t.Errorf("product %d: %g s, want %g s", i, got, per)
		}
	}
	plain := &costModel{dev: &ir.Device{MatmulEfficiency: 0.5}, peak: peak, spare: 1}
	if f, _, _ := plain.opTimes(o); math.Abs(f-flops/(peak*0.5)) > 1e-18 {
		t.Errorf("without the costs: %g s, want the FLOPs' %g s", f, flops/(peak*0.5))
	}
	tiled := *d
	tiled.MicroTileM, tiled.MicroTileN = 8, 32
	ct := &costModel{dev: &tiled, peak: peak, spare: 1}
	f, b, w = ct.opTimes(o)
	// fwd 32×16 output: 16 of 32 columns; bwd-input 32×64: whole tiles;
	// bwd-weight 64×16: half
	for i, c := range []struct{ got, eff float64 }{{f, 0.5}, {b, 1}, {w, 0.5}} {
		want := flops/(peak*0.5*c.eff) + 8*(call+elem*(32*64+64*16+32*16))
		if math.Abs(c.got-want) > 1e-12*want {
			t.Errorf("8×32 tiles, product %d: %g s, want %g s", i, c.got, want)
		}
	}
	// padding-free dispatch: 8 experts' 32 rows each end to end in one
	// M of 256 (Batch 1, the weight 8×64×16): still a call and a weight
	// per expert, the rows' elements once
	packed := &ir.Op{Kind: ir.OpExpertFC1, Class: ir.Matmul, M: 256, K: 64, N: 16, Batch: 1,
		Weight:   &ir.Tensor{Shape: []ir.Extent{{Sym: "E", Size: 16, Axis: ir.AxisEP, Parts: 2}, {Sym: "h", Size: 64}, {Sym: "fe", Size: 16}}},
		FwdFLOPs: flops, BwdInputFLOPs: flops, BwdWeightFLOPs: flops}
	f, b, w = cm.opTimes(packed)
	for i, got := range []float64{f, b, w} {
		if math.Abs(got-per) > 1e-12*per {
			t.Errorf("packed experts, product %d: %g s, want %g s (as 8 products of 32 rows)", i, got, per)
		}
	}
	scores := &ir.Op{Kind: ir.OpAttnScores, Class: ir.Matmul, M: 64, K: 16, N: 64, Batch: 8, FwdFLOPs: flops}
	got, _, _ := ct.opTimes(scores)
	if want, _, _ := plain.opTimes(scores); got != want {
		t.Errorf("attention's products: %g s, want %g s (their own fit: no calls, operands or tiles)", got, want)
	}
}

// TestMLPDataTimesTheTeacher: with input_element_cost an mlp model's
// micro-batch costs its inputs drawn once and its teacher's forward:
// width² products per layer for a dense teacher, and for a phantom one
// per layer each part's block, its ghosts and the mix of the other
// parts' ghosts, priced as products are (here at 8×32 micro tiles and a
// cost per call); a GELU after every layer but the last, at the
// activation rate; and a phantom teacher's split into parts and join at
// layout_bw.
func TestMLPDataTimesTheTeacher(t *testing.T) {
	const peak, call, perElem, actBW, layoutBW = 1e11, 1e-6, 30e-9, 2e10, 1e10
	d := &ir.Device{MatmulEfficiency: 1, InputElementCost: perElem, GEMMCallCost: call, MicroTileM: 8, MicroTileN: 32, ActivationBW: actBW, LayoutBW: layoutBW}
	cm := &costModel{dev: d, peak: peak, spare: 1}
	b := 128
	gelus := 3 * 2 * 128 * 64 * 4 / actBW
	dense := &ir.Model{Kind: ir.MLPModel, Width: 64, Depth: 4, FFNKind: ir.FFNKind{Kind: "dense"}}
	want := 4*(2*128*64*64/peak+call) + gelus
	if got := cm.teacherTime(dense, b); math.Abs(got-want) > 1e-12*want {
		t.Errorf("dense teacher: %g s, want %g s", got, want)
	}
	ph := &ir.Model{Kind: ir.MLPModel, Width: 64, Depth: 4, FFNKind: ir.FFNKind{Kind: "phantom", K: 8, Parts: 2}}
	// per layer and part: 128×32×32 (whole tiles), 128×32×8 (8 of 32
	// columns: 4× the FLOPs' time), and one 128×8×32 mix
	block, ghosts, mix := 2*128*32*32/peak, 4*2*128*32*8/peak, 2*128*8*32/peak
	want = 4*2*(block+ghosts+mix+3*call) + gelus + 2*128*64*8/layoutBW
	if got := cm.teacherTime(ph, b); math.Abs(got-want) > 1e-12*want {
		t.Errorf("phantom teacher: %g s, want %g s", got, want)
	}
	dv := *d
	dv.PeakFP32 = peak
	q := &ir.Plan{MicroBatch: b, Precision: ir.FP32, Model: dense, Cluster: &ir.Cluster{Nodes: 1, PerNode: 1, Node: &ir.Node{Device: &dv, Devices: 1}}}
	full := makeCostModel(q, ir.Mesh{TP: 1, CP: 1, DP: 1, PP: 1, EP: 1})
	if want := float64(b*64)*perElem + full.teacherTime(dense, b); math.Abs(full.mlpData-want) > 1e-12*want {
		t.Errorf("mlp data: %g s, want the inputs once and the teacher, %g s", full.mlpData, want)
	}
}

// TestAttentionRowCost: a fused attention kernel pays attention_row_cost
// per query row (batch·heads·queries) once forward and twice backward,
// beside attention_score_cost per score.
func TestAttentionRowCost(t *testing.T) {
	const peak, perScore, perRow = 1e12, 1e-9, 20e-9
	o := &ir.Op{Kind: ir.OpAttnScores, Class: ir.Matmul, M: 64, K: 16, N: 64, Batch: 8, FwdFLOPs: 1e6, BwdInputFLOPs: 2e6}
	base := &costModel{dev: &ir.Device{MatmulEfficiency: 1, AttentionScoreCost: perScore}, peak: peak, spare: 1}
	rows := &costModel{dev: &ir.Device{MatmulEfficiency: 1, AttentionScoreCost: perScore, AttentionRowCost: perRow}, peak: peak, spare: 1}
	f0, b0, _ := base.opTimes(o)
	f1, b1, _ := rows.opTimes(o)
	r := 64.0 * 8
	if math.Abs(f1-f0-r*perRow) > 1e-15 || math.Abs(b1-b0-2*r*perRow) > 1e-15 {
		t.Errorf("row cost: forward +%g s backward +%g s, want +%g and +%g", f1-f0, b1-b0, r*perRow, 2*r*perRow)
	}
}

// TestLayoutCopies: with layout_bw qkv pays its output's split into heads
// forward and the join of their gradients backward (8 bytes per element
// each: fp32 read and written), fused attention its output's merge and
// its gradient's split; other ops nothing.
func TestLayoutCopies(t *testing.T) {
	const bw = 1e9
	plain := &costModel{dev: &ir.Device{MatmulEfficiency: 1}, peak: 1e12, spare: 1}
	cm := &costModel{dev: &ir.Device{MatmulEfficiency: 1, LayoutBW: bw}, peak: 1e12, spare: 1}
	for _, c := range []struct {
		o    *ir.Op
		want float64
	}{
		{&ir.Op{Kind: ir.OpQKV, Class: ir.Matmul, M: 128, K: 64, N: 192, Batch: 1, FwdFLOPs: 1e6, BwdInputFLOPs: 1e6}, 8 * 128 * 192 / bw},
		{&ir.Op{Kind: ir.OpAttnScores, Class: ir.Matmul, M: 64, K: 16, N: 64, Batch: 8, FwdFLOPs: 1e6, BwdInputFLOPs: 1e6}, 8 * 64 * 16 * 8 / bw},
		{&ir.Op{Kind: ir.OpFC1, Class: ir.Matmul, M: 128, K: 64, N: 256, Batch: 1, FwdFLOPs: 1e6, BwdInputFLOPs: 1e6}, 0},
	} {
		f0, b0, _ := plain.opTimes(c.o)
		f1, b1, _ := cm.opTimes(c.o)
		if math.Abs(f1-f0-c.want) > 1e-15 || math.Abs(b1-b0-c.want) > 1e-15 {
			t.Errorf("%s: forward +%g s, backward +%g s, want +%g each", c.o.Kind, f1-f0, b1-b0, c.want)
		}
	}
}

// TestCPLayoutBytes: a cp rank's fused attention pays the runtime's
// layout copies beyond cp = 1's (cpLayoutBytes), counted here by hand for
// tiny_long_gpt's shapes (4 heads of 16, seq 256, micro-batch 2): per
// rank q = o = 2·4·128·16 = 16384 elements and k|v 32768; charged at
// layout_bw on attn_scores only, nothing at cp = 1.
func TestCPLayoutBytes(t *testing.T) {
	m := &ir.Model{Kind: ir.Transformer, Seq: 256, Hidden: 64, Heads: 4, Layers: 2, FFN: 256, Vocab: 256}
	const q, kv = 16384, 32768
	for _, c := range []struct {
		cp       int
		mode     ir.CPMode
		fwd, bwd float64
	}{
		{1, ir.CPLSS, 0, 0},
		{2, ir.CPLSS, 8 * (3*kv + q), 4*kv + 8*(3*kv+q)},
		{2, ir.CPAllGather, 8 * (3*kv + q), 4*kv + 8*(3*kv+q)},
		{2, ir.CPRing, 4*(kv+q) + 8*(kv+q), 4*2*kv + 8*(2*kv+q)},
		{2, ir.CPUlysses, 8 * 2 * (2*q + kv), 8 * 2 * (2*q + kv)},
		// cp = 4: each rank's share halves, the gathered sequence does not
		{4, ir.CPLSS, 8 * (5*kv/2 + q/2), 4*3*kv/2 + 8*(5*kv/2+q/2)},
	} {
		p := &ir.Plan{Model: m, TP: 1, CP: c.cp, CPMode: c.mode, MicroBatch: 2}
		fwd, bwd := cpLayoutBytes(p)
		if fwd != c.fwd || bwd != c.bwd {
			t.Errorf("cp=%d %s: %g bytes forward, %g backward; want %g, %g", c.cp, c.mode, fwd, bwd, c.fwd, c.bwd)
		}
	}
	const bw = 1e9
	cm := &costModel{dev: &ir.Device{MatmulEfficiency: 1, LayoutBW: bw}, peak: 1e12, spare: 1, cpFwd: 3e3, cpBwd: 5e3}
	plain := *cm
	plain.cpFwd, plain.cpBwd = 0, 0
	for _, o := range []*ir.Op{
		{Kind: ir.OpAttnScores, Class: ir.Matmul, M: 64, K: 16, N: 256, Batch: 8, FwdFLOPs: 1e6, BwdInputFLOPs: 1e6},
		{Kind: ir.OpQKV, Class: ir.Matmul, M: 128, K: 64, N: 192, Batch: 1, FwdFLOPs: 1e6, BwdInputFLOPs: 1e6},
	} {
		f0, b0, _ := plain.opTimes(o)
		f1, b1, _ := cm.opTimes(o)
		wf, wb := 0.0, 0.0
		if o.Kind == ir.OpAttnScores {
			wf, wb = 3e3/bw, 5e3/bw
		}
		if math.Abs(f1-f0-wf) > 1e-15 || math.Abs(b1-b0-wb) > 1e-15 {
			t.Errorf("%s: forward +%g s, backward +%g s, want +%g, +%g", o.Kind, f1-f0, b1-b0, wf, wb)
		}
	}
}

// TestEPExchangeCopies: under ep with padding-free dispatch, a dispatch
// pays the runtime's exchange copies at layout_bw (two passes over its
// routed rows forward, one backward); not without ep, without layout_bw,
// or under capacity dispatch or rbd (their own exchanges).
func TestEPExchangeCopies(t *testing.T) {
	m := &ir.Model{Kind: ir.Transformer, Seq: 64, Hidden: 64, Heads: 4, Layers: 2, FFN: 256, Vocab: 256,
		MoE: &ir.MoE{Experts: 8, TopK: 2, ExpertFFN: 64}}
	const bw, elems = 1e9, 128 * 2 * 64 // 128 tokens, top-2, hidden 64
	o := &ir.Op{Kind: ir.OpDispatch, Class: ir.MemoryBound, FwdBytes: 1e5, BwdBytes: 1e5,
		Output: ir.Tensor{Shape: []ir.Extent{{Size: 128 * 2}, {Size: 64}}, Elem: 4}}
	for _, c := range []struct {
		name     string
		ep       int
		dispatch ir.DispatchMode
		rbd      bool
		layoutBW float64
		fwd, bwd float64
	}{
		{"ep 4", 4, ir.DispatchPaddingFree, false, bw, 16 * elems / bw, 8 * elems / bw},
		{"ep 1", 1, ir.DispatchPaddingFree, false, bw, 0, 0},
		{"no layout_bw", 4, ir.DispatchPaddingFree, false, 0, 0, 0},
		{"capacity", 4, ir.DispatchCapacity, false, bw, 0, 0},
		{"rbd", 4, ir.DispatchPaddingFree, true, bw, 0, 0},
	} {
		p := &ir.Plan{Model: m, TP: 1, CP: 1, EP: c.ep, MicroBatch: 2, MoE: ir.MoEPlan{Dispatch: c.dispatch, RBD: c.rbd}}
		dev := &ir.Device{HBMBandwidth: 1e11, MemoryEfficiency: 1, LayoutBW: c.layoutBW}
		cm := &costModel{dev: dev, peak: 1e12, spare: 1, epCopies: epCopiesOf(p)}
		plain := &costModel{dev: dev, peak: 1e12, spare: 1}
		f0, b0, _ := plain.opTimes(o)
		f1, b1, _ := cm.opTimes(o)
		if math.Abs(f1-f0-c.fwd) > 1e-15 || math.Abs(b1-b0-c.bwd) > 1e-15 {
			t.Errorf("%s: forward +%g s, backward +%g s, want +%g, +%g", c.name, f1-f0, b1-b0, c.fwd, c.bwd)
		}
	}
}

// TestBiasPasses: on a device with activation_bw a matmul op with a bias
// also pays the bias added over its output (read and written) forward
// and the output gradient's column sums for the bias gradient backward;
// an op without a bias, or a device without the rate, pays nothing more.
func TestBiasPasses(t *testing.T) {
	const peak, bw = 1e11, 2e10
	bias := ir.Tensor{Name: "b"}
	mk := func(withBias bool) *ir.Op {
		o := &ir.Op{Kind: ir.OpLinear, Class: ir.Matmul, M: 128, K: 64, N: 96, FwdFLOPs: 2 * 128 * 64 * 96, BwdInputFLOPs: 2 * 128 * 64 * 96, BwdWeightFLOPs: 2 * 128 * 64 * 96}
		if withBias {
			o.Bias = &bias
		}
		return o
	}
	plain := &costModel{dev: &ir.Device{MatmulEfficiency: 1}, peak: peak, spare: 1}
	rated := &costModel{dev: &ir.Device{MatmulEfficiency: 1, ActivationBW: bw}, peak: peak, spare: 1}
	f0, b0, w0 := plain.opTimes(mk(true))
	f1, b1, w1 := rated.opTimes(mk(true))
	pass := 128.0 * 96 * 4 / bw
	if math.Abs(f1-f0-2*pass) > 1e-15 || b1 != b0 || math.Abs(w1-w0-pass) > 1e-15 {
		t.Errorf("with a bias: forward +%g, input grad +%g, weight grad +%g s; want +%g, 0, +%g", f1-f0, b1-b0, w1-w0, 2*pass, pass)
	}
	f2, b2, w2 := rated.opTimes(mk(false))
	if f2 != f0 || b2 != b0 || w2 != w0 {
		t.Errorf("without a bias the op pays %g/%g/%g s, want %g/%g/%g", f2, b2, w2, f0, b0, w0)
	}
}
