package exec

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// This file closes the loop between the runtime and the cost model: each
// test compiles a plan with package passes, trains the same plan for real,
// and compares the bytes the ranks sent (counted by package collective)
// with the bytes the cost model predicts for the compiled unit
// (passes.PredictedBytes, or passes.PredictedBytesRouted with the routes
// a run recorded; both count rbd's pilot copies in the runtime's wire
// format).

// compiled loads plan name of src (a plan file's text) with the overrides
// sets, and compiles it. It returns the plan to train and its unit.
func compiled(t *testing.T, src, name string, sets ...string) (*ir.Plan, *ir.Unit) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.plan")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, diags := lang.Load([]string{path}, lang.Options{Overrides: sets})
	if diags.HasErrors() {
		t.Fatalf("%s %v: %v", name, sets, diags)
	}
	p := prog.Plan(name)
	if p == nil {
		t.Fatalf("no plan %s", name)
	}
	u, diags := passes.Compile(prog, p, passes.Options{DumpTo: io.Discard})
	if diags.HasErrors() {
		t.Fatalf("compile %s %v: %v", name, sets, diags)
	}
	return p, u
}

// oneStep trains one step of p and returns it with the trainer (routes
// recorded when record).
func oneStep(t *testing.T, p *ir.Plan, record bool) (StepResult, *Trainer) {
	t.Helper()
	tr, err := NewTrainer(Config{Plan: p, Steps: 1, Timeout: 60 * time.Second})
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	if record {
		tr.RecordRoutes()
	}
	r, err := tr.Step()
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	return r, tr
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Max(math.Abs(want), 1) }

const moeNodesPlan = `
import "hw/cpu"
import "models/tiny"

plan moe_nodes {
  model        = tiny_moe
  cluster      = cpu
  dp           = 8
  ep           = 8
  global_batch = 16
  micro_batch  = 2
  precision    = fp32
  moe { dispatch = padding_free }
}
`

// TestRBDBytesMatchCostModel: tiny_moe spread over 2, 4 and 8 nodes of the
// cpu cluster, with and without redundancy-bypassing dispatch.
//
// rbd saves only when several of a token's top-k experts live on one
// remote node: its one pilot copy then replaces several copies. With
// tiny_moe's 8 experts over ep = 8 ranks on 8 nodes every node holds one
// expert, so there is nothing to bypass and the pilot's header (the mask
// and combine weight forward, the probability gradient back) only adds
// bytes (TestRBDSavesInterNodeBytes bounds that). So these cases give each
// node several experts: 32 experts over ep = 8 (16, 8, 4 per node on 2, 4,
// 8 nodes) and 16 experts over ep = 16 on 8 nodes of 2 ranks (2 per node,
// the hardest case: a top-2 token's experts share a node with probability
// 1/15).
//
// tiny_moe as it is (8 experts, one per node on 8 nodes) is the last case:
// every pilot copy then carries one expert, which is combined at its
// source as without rbd, so rbd sends the same payload (and no per-message
// row counts): not more, and below only by those counts.
//
// The prediction uses the routing the rbd run observed (routes recorded
// by the runtime, counted by passes.PredictedBytesRouted); the run
// without rbd computes the same first step, so it routes the same way. The
// expectation under uniform routing is checked too (within 5% of the
// measured MoE inter-node bytes): at the first step the router's
// probabilities are nearly uniform, though its top-k choices are not
// exactly uniform draws.
func TestRBDBytesMatchCostModel(t *testing.T) {
	cases := []struct {
		experts, ep, perNode int
	}{
		{32, 8, 4}, {32, 8, 2}, {32, 8, 1}, {16, 16, 2},
		{8, 8, 1}, // one expert per node: nothing to bypass
	}
	if testing.Short() {
		cases = cases[:1]
	}
	for _, c := range cases {
		nodes := c.ep / c.perNode
		t.Run(fmt.Sprintf("%dnodes_E%d_ep%d", nodes, c.experts, c.ep), func(t *testing.T) {
			type result struct {
				epMeas, allMeas     Counters2
				epRouted, allRouted passes.Traffic
				epUniform           passes.Traffic
			}
			var res [2]result
			var routes []passes.Routing
			for i, rbd := range []bool{true, false} {
				p, u := compiled(t, moeNodesPlan, "moe_nodes",
					fmt.Sprintf("model.moe.experts=%d", c.experts), fmt.Sprintf("dp=%d", c.ep), fmt.Sprintf("ep=%d", c.ep),
					fmt.Sprintf("global_batch=%d", 2*c.ep), fmt.Sprintf("cluster.per_node=%d", c.perNode), fmt.Sprintf("moe.rbd=%v", rbd))
				r, tr := oneStep(t, p, rbd)
				if rbd {
					for _, rt := range tr.Routes() {
						routes = append(routes, passes.Routing{Rank: rt.Rank, Experts: rt.Experts})
					}
					if len(routes) == 0 {
						t.Fatal("the rbd run recorded no routes")
					}
				}
				b := tr.Bytes()
				ep := r.ByKind["ep"]
				routed := passes.PredictedBytesRouted(u, routes)
				uniform := passes.PredictedBytes(u)
				if rbd {
					s := passes.ExpectedRBDSaving(u)
					t.Logf("rbd=true: planc explain's expected saving of inter-node MoE bytes (runtime wire format, uniform routing) %.1f%%", 100*s.BytesSaving)
				}
				res[i] = result{
					epMeas:    Counters2{float64(ep.InterNode), float64(ep.IntraNode)},
					allMeas:   Counters2{float64(b.InterNode), float64(b.IntraNode)},
					epRouted:  routed.MoE,
					allRouted: routed.Total,
					epUniform: uniform.MoE,
				}
				x := res[i]
				t.Logf("rbd=%-5v MoE inter-node: measured %9.0f, predicted from routes %9.0f (%+.2f%%), uniform %9.0f (%+.2f%%); MoE intra %9.0f vs %9.0f; step inter-node %9.0f vs %9.0f (%+.2f%%), intra %9.0f vs %9.0f",
					rbd, x.epMeas.Inter, x.epRouted.InterNode, 100*(x.epRouted.InterNode/x.epMeas.Inter-1), x.epUniform.InterNode, 100*(x.epUniform.InterNode/x.epMeas.Inter-1),
					x.epMeas.Intra, x.epRouted.IntraNode, x.allMeas.Inter, x.allRouted.InterNode, 100*(x.allRouted.InterNode/x.allMeas.Inter-1), x.allMeas.Intra, x.allRouted.IntraNode)
				for _, chk := range []struct {
					what      string
					got, want float64
				}{
					{"MoE inter-node", x.epRouted.InterNode, x.epMeas.Inter},
					{"MoE intra-node", x.epRouted.IntraNode, x.epMeas.Intra},
					{"step inter-node", x.allRouted.InterNode, x.allMeas.Inter},
					{"step intra-node", x.allRouted.IntraNode, x.allMeas.Intra},
					{"MoE inter-node (uniform routing)", x.epUniform.InterNode, x.epMeas.Inter},
				} {
					if e := relErr(chk.got, chk.want); e > 0.05 {
						t.Errorf("rbd=%v: %s bytes predicted %.0f, measured %.0f (%.1f%% off, more than 5%%)", rbd, chk.what, chk.got, chk.want, 100*e)
					}
				}
			}
			on, off := res[0], res[1]
			t.Logf("rbd cuts MoE inter-node bytes by %.1f%% measured, %.1f%% predicted from routes, %.1f%% expected under uniform routing; step inter-node bytes by %.1f%%",
				100*(1-on.epMeas.Inter/off.epMeas.Inter), 100*(1-on.epRouted.InterNode/off.epRouted.InterNode), 100*(1-on.epUniform.InterNode/off.epUniform.InterNode), 100*(1-on.allMeas.Inter/off.allMeas.Inter))
			if on.epMeas.Inter >= off.epMeas.Inter || on.allMeas.Inter >= off.allMeas.Inter {
				t.Errorf("rbd moved %.0f MoE (%.0f in all) inter-node bytes, not fewer than %.0f (%.0f) without", on.epMeas.Inter, on.allMeas.Inter, off.epMeas.Inter, off.allMeas.Inter)
			}
		})
	}
}

// Counters2 is a measured pair of byte counts.
type Counters2 struct{ Inter, Intra float64 }

// compiledFile is compiled for a plan file of the repository.
func compiledFile(t *testing.T, path, name string, sets ...string) (*ir.Plan, *ir.Unit) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return compiled(t, string(src), name, sets...)
}

// measuredVsPredicted trains one step of p and compares the bytes every
// rank sent with the cost model's prediction for u: all bytes, and by
// kind (the runtime's kinds against the cost model's axes).
func measuredVsPredicted(t *testing.T, p *ir.Plan, u *ir.Unit) (StepResult, passes.TrafficReport) {
	t.Helper()
	r, tr := oneStep(t, p, false)
	pred := passes.PredictedBytes(u)
	got, want := float64(tr.Bytes().Total()), pred.Total.Total()
	t.Logf("%s: measured %.0f bytes per step, predicted %.0f (%+.2f%%)", p.Name, got, want, 100*(want/got-1))
	if e := relErr(want, got); e > 0.05 {
		t.Errorf("%s: predicted %.0f bytes per step, measured %.0f (%.1f%% off, more than 5%%)", p.Name, want, got, 100*e)
	}
	return r, pred
}

// TestPhantomAndTPBytesMatchCostModel: a phantom mlp with tp = parts and
// the dense mlp with tp at the same width and device count
// (examples/phantom_cpu.plan), and the transformer with phantom FFNs
// against tiny_gpt with tp = 2: the measured bytes per step match the cost
// model's prediction for the compiled unit (passes.PredictedBytes)
// within 5%, and the ratio of the FFN traffic is the p·k
// against n values per layer.
//
// The first layer's input is the data: neither side computes or
// all-reduces its input gradient.
func TestPhantomAndTPBytesMatchCostModel(t *testing.T) {
	pp, pu := compiledFile(t, "examples/phantom_cpu.plan", "phantom_tiny_mlp")
	dp, du := compiledFile(t, "examples/phantom_cpu.plan", "phantom_tiny_mlp_dense_tp2")
	pr, ppred := measuredVsPredicted(t, pp, pu)
	dr, dtr := oneStep(t, dp, false)
	dpred := passes.PredictedBytes(du)
	f := pp.Model.FFNKind
	n, depth := pp.Model.Width, pp.Model.Depth
	b, mbs := dp.MicroBatch, dp.MicroBatches()
	phantomMeas := float64(pr.ByKind["phantom"].Total())
	phantomPred := ppred.ByOp[ir.OpCompress].Total()
	tpMeas := float64(dr.ByKind["tp"].Total())
	tpPred := dpred.ByOp[ir.OpLinear].Total()
	// Bytes of one all-reduce of b·n float32 over tp = 2, all ranks, per step.
	oneAllReduce := float64(2 * n * b * 4 * mbs)
	t.Logf("phantom mlp (width %d, %d parts, k %d, tp %d): ghost bytes per step measured %.0f, predicted %.0f (%+.2f%%); the cost model's loss collectives %.0f bytes (each part's squared-error gradient is local)",
		n, f.Parts, f.K, pp.TP, phantomMeas, phantomPred, 100*(phantomPred/phantomMeas-1), ppred.ByOp[ir.OpLoss].Total())
	t.Logf("dense mlp tp 2: all-reduce bytes per step measured %.0f (step %d), predicted %.0f (%+.2f%%)",
		tpMeas, dtr.Bytes().Total(), tpPred, 100*(tpPred/tpMeas-1))
	if e := relErr(phantomPred, phantomMeas); e > 0.05 {
		t.Errorf("phantom ghost bytes predicted %.0f, measured %.0f (%.1f%% off)", phantomPred, phantomMeas, 100*e)
	}
	if e := relErr(tpPred, tpMeas); e > 0.05 {
		t.Errorf("dense tp mlp: measured %.0f bytes, predicted %.0f (%.1f%% off)", tpMeas, tpPred, 100*e)
	}
	// Per layer: phantom sends 2·(p−1)·b·k per rank (all-gather forward,
	// reduce-scatter backward), tp 2·(p−1)/p·b·n per layer pair each way,
	// one all-reduce per layer in steady state: p·k/n. The tp side is
	// taken per all-reduce (all are of b·n): the first layer sends none
	// backward, so the dense mlp has 2·depth−1 per micro-batch.
	closed := float64(f.Parts*f.K) / float64(n)
	perAllReduce := func(total float64) float64 { return total / math.Round(total/oneAllReduce) }
	measRatio := (phantomMeas / float64(depth)) / perAllReduce(tpMeas)
	predRatio := (phantomPred / float64(depth)) / perAllReduce(tpPred)
	t.Logf("phantom/tp bytes per layer: measured %.4f, predicted %.4f, closed form p·k/n = %.4f", measRatio, predRatio, closed)
	if relErr(measRatio, closed) > 0.05 || relErr(predRatio, closed) > 0.05 {
		t.Errorf("phantom/tp ratio measured %.4f, predicted %.4f, closed form %.4f", measRatio, predRatio, closed)
	}

	// The transformers, embedding, head and loss included: both shard them
	// by vocabulary over tp (one all-reduce of the embedding's partial
	// sums, the head's input-gradient all-reduce, the loss's three
	// all-reduces of one float per token).
	gp, gu := compiledFile(t, "examples/phantom_cpu.plan", "phantom_tiny_gpt")
	tp, tu := compiledFile(t, "examples/tiny_gpt.plan", planName(t, "examples/tiny_gpt.plan"), "tp=2")
	var measTP, measPhantom [2]float64
	var preds [2]passes.TrafficReport
	for i, c := range []struct {
		p *ir.Plan
		u *ir.Unit
	}{{gp, gu}, {tp, tu}} {
		r, tr := oneStep(t, c.p, false)
		pred := passes.PredictedBytes(c.u)
		got := float64(tr.Bytes().Total() - r.ByKind["norm"].Total())
		want := pred.Total.Total() - pred.ByAxis["norm"].Total()
		t.Logf("%s tp=%d: bytes per step measured %.0f, predicted %.0f (%+.2f%%); measured by kind%s",
			c.p.Model.Name, c.p.TP, got, want, 100*(want/got-1), kinds(r.ByKind))
		if e := relErr(want, got); e > 0.05 {
			t.Errorf("%s: bytes predicted %.0f, measured %.0f (%.1f%% off)", c.p.Model.Name, want, got, 100*e)
		}
		measTP[i], measPhantom[i], preds[i] = float64(r.ByKind["tp"].Total()), float64(r.ByKind["phantom"].Total()), pred
	}
	// Under sp the embedding's partial sums are reduce-scattered (all-gather
	// backward), the head all-gathers its input (reduce-scatter backward),
	// and ALLREDUCE_SEQ sums the tp-partial gradients, wpe's among them
	// (it is added to each rank's token slice): runtime and cost model
	// count the same bytes.
	spP, spU := compiledFile(t, "examples/tiny_gpt.plan", planName(t, "examples/tiny_gpt.plan"), "tp=2", "sp=true")
	spR, spTr := oneStep(t, spP, false)
	spPred := passes.PredictedBytes(spU)
	spGot := float64(spTr.Bytes().Total() - spR.ByKind["norm"].Total())
	spWant := spPred.Total.Total() - spPred.ByAxis["norm"].Total()
	t.Logf("tiny_gpt tp=2 sp: bytes per step measured %.0f, predicted %.0f (%+.2f%%); measured by kind%s",
		spGot, spWant, 100*(spWant/spGot-1), kinds(spR.ByKind))
	if spGot != spWant {
		t.Errorf("tiny_gpt tp=2 sp: bytes predicted %.0f, measured %.0f (%.2f%% off)", spWant, spGot, 100*relErr(spWant, spGot))
	}
	// FFN traffic: the attention is the same tp in both, so tiny_gpt's FFN
	// all-reduces are its tp bytes less the phantom model's. Per layer and
	// token a phantom FFN sends 4·(p−1)·k ghosts per rank (two phantom
	// layers, all-gather forward and reduce-scatter backward) and
	// all-gathers the output columns forward and the input-gradient
	// columns backward (2·(p−1)/p·h); tp all-reduces h twice (2·2(p−1)/p·h).
	gm := gp.Model
	pk, hh := float64(gm.FFNKind.Parts), float64(gm.Hidden)
	kk := float64(gm.FFNKind.K)
	closedT := (4*(pk-1)*kk + 2*(pk-1)/pk*hh) / (4 * (pk - 1) / pk * hh)
	measR := measPhantom[0] / (measTP[1] - measTP[0])
	predR := (preds[0].ByOp[ir.OpCompress].Total() + preds[0].ByOp[ir.OpPhantomMix].Total()) / (preds[1].ByOp["fc1"].Total() + preds[1].ByOp["fc2"].Total())
	t.Logf("transformer FFN bytes phantom/tp: measured %.4f, predicted %.4f, closed form (4(p−1)k + 2(p−1)/p·h)/(4(p−1)/p·h) = %.4f", measR, predR, closedT)
	if relErr(measR, closedT) > 0.05 || relErr(predR, closedT) > 0.05 {
		t.Errorf("transformer FFN phantom/tp ratio measured %.4f, predicted %.4f, closed form %.4f", measR, predR, closedT)
	}
}

// planName returns the name of the only plan of a repository plan file.
func planName(t *testing.T, path string) string {
	t.Helper()
	prog, diags := lang.Load([]string{filepath.Join("..", "..", path)}, lang.Options{})
	if diags.HasErrors() || len(prog.Plans) == 0 {
		t.Fatalf("%s: %v", path, diags)
	}
	return prog.Plans[0].Name
}

func kinds(m map[string]KindStats) string {
	s := ""
	for _, k := range []string{"tp", "kv", "phantom", "cp", "dp", "ep", "ssmb", "pp", "tied", "norm"} {
		if v, ok := m[k]; ok && v.Total() > 0 {
			s += fmt.Sprintf(" %s=%d", k, v.Total())
		}
	}
	return s
}

func axes(m map[ir.Axis]passes.Traffic) string {
	s := ""
	for _, k := range []ir.Axis{ir.AxisTP, ir.AxisCP, ir.AxisDP, ir.AxisDPCP, ir.AxisEP, ir.AxisEDP, ir.AxisPP, ir.AxisEmbed, ir.AxisKV, "norm"} {
		if v, ok := m[k]; ok && v.Total() > 0 {
			s += fmt.Sprintf(" %s=%.0f", k, v.Total())
		}
	}
	return s
}

// TestLSSBytesMatchCostModel: LSS sequence parallelism (one fused K/V
// all-gather per attention layer forward, its reduce-scatter backward, one
// gradient all-reduce over dp×cp) on tiny_gpt with cp = 2 and 4 and on
// examples/lss_cpu.plan: the measured bytes per step match the cost
// model's within 5%. (Their losses equal the serial ones: see
// TestParallelPlansMatchSerial's cp_mode=lss rows.)
func TestLSSBytesMatchCostModel(t *testing.T) {
	gpt := planName(t, "examples/tiny_gpt.plan")
	cases := []struct {
		file, plan string
		sets       []string
	}{
		{"examples/tiny_gpt.plan", gpt, []string{"cp=2", "cp_mode=lss"}},
		{"examples/tiny_gpt.plan", gpt, []string{"cp=4", "cp_mode=lss"}},
		{"examples/lss_cpu.plan", "lss_tiny_cp2", nil},
		{"examples/lss_cpu.plan", "lss_tiny_dp2_cp2", nil},
	}
	for _, c := range cases {
		t.Run(c.plan+"_"+fmt.Sprint(c.sets), func(t *testing.T) {
			p, u := compiledFile(t, c.file, c.plan, c.sets...)
			r, pred := measuredVsPredicted(t, p, u)
			t.Logf("measured by kind%s; predicted by axis%s", kinds(r.ByKind), axes(pred.ByAxis))
		})
	}
}

// TestRBDLossesEqualWithout: the configurations of TestRBDBytesMatchCostModel
// train to the same losses with and without rbd (10 steps, 1e-4 relative):
// pilot copies for several experts (partial sums on the destination node)
// and for one (combined at the source).
func TestRBDLossesEqualWithout(t *testing.T) {
	if testing.Short() {
		t.Skip("10-step runs of 8 ranks")
	}
	// (tiny_moe's own 8 experts with rbd, one or two per node, are rows of
	// TestParallelPlansMatchSerial.)
	for _, c := range []struct{ experts, perNode int }{{32, 2}} {
		t.Run(fmt.Sprintf("E%d_per_node%d", c.experts, c.perNode), func(t *testing.T) {
			var losses [2][]float64
			for i, rbd := range []bool{false, true} {
				p, _ := compiled(t, moeNodesPlan, "moe_nodes", fmt.Sprintf("model.moe.experts=%d", c.experts),
					fmt.Sprintf("cluster.per_node=%d", c.perNode), fmt.Sprintf("moe.rbd=%v", rbd))
				losses[i], _ = train(t, p, 10)
			}
			worst := 0.0
			for i := range losses[0] {
				d := relDiff(losses[1][i], losses[0][i])
				worst = max(worst, d)
				if d > 1e-4 {
					t.Errorf("step %d: loss with rbd %.9g, without %.9g (rel %.2g)", i, losses[1][i], losses[0][i], d)
				}
			}
			t.Logf("losses %.6f ... %.6f with rbd, %.6f ... %.6f without; worst relative difference %.1e", losses[1][0], losses[1][9], losses[0][0], losses[0][9], worst)
		})
	}
}

// TestCapacityBytesMatchCostModel: tiny_moe under capacity dispatch
// (capacity factor 1.25, which drops, and 8, which does not) with ep = 2
// and 4 on one node and on two: the runtime sends DeepSpeed-MoE's padded
// [E/ep, C, h] slabs, so its MoE bytes equal the cost model's all-to-all
// of the graph's [E, C, h] buffers (passes.PredictedBytes; the routes
// change nothing under capacity, so PredictedBytesRouted is the same) and
// the closed form 4 exchanges · (ep−1) · E/ep · C · h · 4 bytes per rank,
// MoE layer and micro-batch, C = ceil(k·T·cf/E). Padding-free rows of the
// same plans check the routes that route() records without rbd: their
// MoE bytes equal PredictedBytesRouted. The step's bytes match within 5%.
func TestCapacityBytesMatchCostModel(t *testing.T) {
	type mode struct {
		name string
		sets []string
	}
	modes := []mode{
		{"capacity_cf1.25", []string{"moe.dispatch=capacity", "moe.capacity_factor=1.25"}},
		{"capacity_cf8", []string{"moe.dispatch=capacity", "moe.capacity_factor=8"}},
		{"padding_free", []string{"moe.dispatch=padding_free"}},
	}
	for _, ep := range []int{2, 4} {
		for _, nodes := range []int{1, 2} {
			for _, md := range modes {
				t.Run(fmt.Sprintf("ep%d_%dnodes_%s", ep, nodes, md.name), func(t *testing.T) {
					p, u := compiled(t, moeNodesPlan, "moe_nodes", append([]string{fmt.Sprintf("dp=%d", ep), fmt.Sprintf("ep=%d", ep),
						fmt.Sprintf("global_batch=%d", 4*ep), fmt.Sprintf("cluster.per_node=%d", ep/nodes)}, md.sets...)...)
					r, tr := oneStep(t, p, true)
					var routes []passes.Routing
					for _, rt := range tr.Routes() {
						routes = append(routes, passes.Routing{Rank: rt.Rank, Experts: rt.Experts})
					}
					m := p.Model
					moeLayers := 0
					for l := 0; l < m.Layers; l++ {
						if m.IsMoELayer(l) {
							moeLayers++
						}
					}
					mbs := p.MicroBatches()
					if want := p.DP * mbs * moeLayers; len(routes) != want {
						t.Fatalf("%d routes recorded, want one per rank, micro-batch and MoE layer: %d", len(routes), want)
					}
					uniform, routed := passes.PredictedBytes(u), passes.PredictedBytesRouted(u, routes)
					ep0 := r.ByKind["ep"]
					meas := passes.Traffic{IntraNode: float64(ep0.IntraNode), InterNode: float64(ep0.InterNode)}
					pred := routed.ByAxis[ir.AxisEP]
					if pred != routed.MoE && p.MoE.Dispatch != ir.DispatchCapacity {
						t.Errorf("routed MoE bytes %+v differ from the ep axis's %+v", routed.MoE, pred)
					}
					t.Logf("MoE bytes measured inter %.0f intra %.0f; predicted from routes inter %.0f (%+.2f%%) intra %.0f (%+.2f%%); uniform routing inter %.0f intra %.0f; %d copies dropped",
						meas.InterNode, meas.IntraNode, pred.InterNode, 100*relSigned(pred.InterNode, meas.InterNode), pred.IntraNode, 100*relSigned(pred.IntraNode, meas.IntraNode),
						uniform.ByAxis[ir.AxisEP].InterNode, uniform.ByAxis[ir.AxisEP].IntraNode, r.Drops)
					got, want := float64(tr.Bytes().Total()), routed.Total.Total()
					t.Logf("step bytes measured %.0f, predicted %.0f (%+.2f%%)", got, want, 100*relSigned(want, got))
					checks := []struct {
						what      string
						got, want float64
					}{
						{"MoE inter-node", pred.InterNode, meas.InterNode},
						{"MoE intra-node", pred.IntraNode, meas.IntraNode},
						{"step", want, got},
					}
					if p.MoE.Dispatch == ir.DispatchCapacity {
						e := m.MoE
						tokens := p.MicroBatch * m.Seq
						C := int(math.Ceil(float64(e.TopK*tokens) * p.MoE.CapacityFactor / float64(e.Experts)))
						closed := float64(p.DP*mbs*moeLayers) * 4 * float64((ep-1)*e.Experts/ep*C*m.Hidden) * 4
						t.Logf("closed form 4·(ep−1)·E/ep·C·h·4 B per rank, layer and micro-batch (C = %d): %.0f", C, closed)
						checks = append(checks,
							struct {
								what      string
								got, want float64
							}{"MoE closed form", closed, meas.Total()},
							struct {
								what      string
								got, want float64
							}{"MoE uniform", uniform.ByAxis[ir.AxisEP].Total(), meas.Total()})
					}
					for _, c := range checks {
						if e := relErr(c.got, c.want); e > 0.05 || (c.what != "step" && c.got != c.want) {
							t.Errorf("%s bytes: predicted %.0f, measured %.0f (%.2f%% off)", c.what, c.got, c.want, 100*e)
						}
					}
					if nodes == 1 && meas.InterNode != 0 || nodes == 2 && meas.InterNode == 0 {
						t.Errorf("%d node(s): %.0f inter-node MoE bytes", nodes, meas.InterNode)
					}
				})
			}
		}
	}
}

// relSigned is (got − want)/want, 0 when both are 0.
func relSigned(got, want float64) float64 {
	if want == 0 {
		if got == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return got/want - 1
}

// TestSSMBCapacityBytesMatchCostModel: under ssmb each tp rank routes its
// 1/tp slice of the tokens, but capacity stays a property of the whole
// micro-batch (so ssmb computes the same model as no ssmb), and each rank's
// padded slab holds the micro-batch capacity. The cost model must count
// those slabs: measured MoE bytes equal the prediction from the routes.
func TestSSMBCapacityBytesMatchCostModel(t *testing.T) {
	for _, cf := range []string{"1.25", "8"} {
		t.Run("cf"+cf, func(t *testing.T) {
			p, u := compiled(t, moeNodesPlan, "moe_nodes", "dp=2", "tp=2", "ep=4", "moe.ssmb=true",
				"global_batch=8", "cluster.per_node=2", "moe.dispatch=capacity", "moe.capacity_factor="+cf)
			r, tr := oneStep(t, p, true)
			var routes []passes.Routing
			for _, rt := range tr.Routes() {
				routes = append(routes, passes.Routing{Rank: rt.Rank, Experts: rt.Experts})
			}
			pred := passes.PredictedBytesRouted(u, routes).ByAxis[ir.AxisEP]
			meas := r.ByKind["ep"]
			t.Logf("ssmb capacity cf %s: MoE bytes measured inter %d intra %d, predicted inter %.0f intra %.0f", cf, meas.InterNode, meas.IntraNode, pred.InterNode, pred.IntraNode)
			if pred.InterNode != float64(meas.InterNode) || pred.IntraNode != float64(meas.IntraNode) {
				t.Errorf("measured inter %d intra %d, predicted inter %.0f intra %.0f", meas.InterNode, meas.IntraNode, pred.InterNode, pred.IntraNode)
			}
		})
	}
}

const moeTPPlan = `
import "hw/cpu"
import "models/tiny"

plan moe_tp {
  model        = tiny_moe
  cluster      = cpu
  tp           = 2
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}
`

// TestMoETPBytesMatchCostModel: MoE layers under tp without ssmb. Runtime
// and cost model agree that MoE blocks are replicated over tp (DeepSpeed-
// MoE's layout, whose redundant work ssmb removes): every tp rank routes
// and runs every expert on all the micro-batch's tokens, so the blocks add
// no tp collective but, under sp, the all-gather of their input (forward)
// and of their output's gradient (backward). The bytes of a step, all
// collectives but the gradient norm's, are equal, with dp, ep and zero
// around them too.
// exactBytes trains one step of plan name of src with sets and requires
// the runtime's bytes (the gradient norm's aside) to equal the cost
// model's prediction for the compiled unit and the step's routes.
// exactBytes trains one step of plan name (src, with sets) and checks that
// the runtime's bytes equal the cost model's prediction, in total and for
// the kv groups; it returns the run and the prediction for further checks.
func exactBytes(t *testing.T, src, name string, sets []string) (StepResult, passes.TrafficReport) {
	t.Helper()
	p, u := compiled(t, src, name, sets...)
	r, tr := oneStep(t, p, true)
	var routes []passes.Routing
	for _, rt := range tr.Routes() {
		routes = append(routes, passes.Routing{Rank: rt.Rank, Experts: rt.Experts})
	}
	pred := passes.PredictedBytesRouted(u, routes)
	got := float64(tr.Bytes().Total() - r.ByKind["norm"].Total())
	want := pred.Total.Total() - pred.ByAxis["norm"].Total()
	t.Logf("bytes per step measured %.0f, predicted %.0f (%+.3f%%); measured by kind%s; predicted by axis%s", got, want, 100*(want/got-1), kinds(r.ByKind), axes(pred.ByAxis))
	if got != want {
		t.Errorf("bytes predicted %.0f, measured %.0f (%.3f%% off); tp measured %d, predicted %.0f", want, got, 100*relErr(want, got), r.ByKind["tp"].Total(), pred.ByAxis[ir.AxisTP].Total())
	}
	// the sums of replicated key/value heads' gradients (ALLREDUCE_KV)
	if kv, pkv := r.ByKind["kv"].Total(), pred.ByAxis[ir.AxisKV].Total(); float64(kv) != pkv {
		t.Errorf("kv group bytes measured %d, predicted %.0f", kv, pkv)
	}
	return r, pred
}

func TestMoETPBytesMatchCostModel(t *testing.T) {
	for _, sets := range [][]string{
		nil,
		{"sp=true"},
		{"dp=2", "ep=2", "global_batch=16"},
		{"dp=2", "ep=2", "sp=true", "zero=1", "global_batch=16"},
		{"dp=2", "ep=2", "moe.dispatch=capacity", "global_batch=16"},
		// ssmb: the tp ranks all-gather their slices' routing counts
		{"ep=2", "moe.ssmb=true", "global_batch=16"},
		// with pp: the pipeline tensors in 1/tp chunks, gathered over tp
		{"pp=2", "dp=2", "ep=2", "global_batch=16"},
		{"pp=2", "ep=2", "moe.ssmb=true", "global_batch=16"},
	} {
		t.Run(fmt.Sprint(sets), func(t *testing.T) { exactBytes(t, moeTPPlan, "moe_tp", sets) })
	}
}

const llamaPlan = `
import "hw/cpu"
import "models/tiny_arch"

plan llama {
  model        = tiny_llama
  cluster      = cpu
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}
`

// TestLlamaBytesMatchCostModel: tiny_llama (grouped-query attention with
// its fewer key/value heads, RoPE, SwiGLU, RMSNorm, untied head) under
// tp, sp, zero, pp and every cp mode: the runtime's bytes per step equal
// the cost model's prediction for the compiled unit.
func TestLlamaBytesMatchCostModel(t *testing.T) {
	for _, sets := range [][]string{
		{"tp=2"},
		{"tp=2", "sp=true"},
		{"dp=2", "zero=1"},
		{"pp=2"},
		{"cp=2", "cp_mode=ring"},
		{"cp=2", "cp_mode=allgather"},
		{"cp=2", "cp_mode=lss"},
		{"cp=2", "cp_mode=ulysses"},
		// tp 4 > kv_heads 2: the replicated kv columns' gradients are
		// all-reduced over each pair of tp ranks sharing a head
		{"tp=4"},
		{"tp=4", "sp=true", "dp=2", "zero=1"},
		{"tp=4", "dp=2", "zero=3"},
		{"tp=4", "cp=2", "cp_mode=ring"},
	} {
		t.Run(fmt.Sprint(sets), func(t *testing.T) { exactBytes(t, llamaPlan, "llama", sets) })
	}
}

// pipeTPPlans trains tiny_gpt and tiny_llama with tp and pp together.
const pipeTPPlans = `
import "hw/cpu"
import "models/tiny"
import "models/tiny_arch"

plan gpt_pipe {
  model        = tiny_gpt
  cluster      = cpu
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}

plan llama_pipe {
  model        = tiny_llama
  cluster      = cpu
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}
`

// TestPipelineTPBytesMatchCostModel: tp and pp together, with and without
// sp, under 1f1b, interleaved and zb-v. Without sp each tp rank sends its
// 1/tp of the boundary activation (and of its gradient) and the receiving
// stage all-gathers the chunks over tp (Megatron-LM's scatter/gather of
// pipeline tensors); under sp the tensor is already split by sequence. The
// runtime's bytes per step equal the cost model's prediction, the
// pipeline's and tp's each, and zb-v's fold (two stages on one rank)
// passes its boundary whole and gathers nothing.
func TestPipelineTPBytesMatchCostModel(t *testing.T) {
	for _, name := range []string{"gpt_pipe", "llama_pipe"} {
		for _, sets := range [][]string{
			{"tp=2", "pp=2"},
			{"tp=2", "pp=2", "sp=true"},
			{"tp=2", "pp=2", "schedule=interleaved", "vpp=2"},
			{"tp=2", "pp=2", "schedule=zb-v", "vpp=2"},
			{"tp=2", "pp=2", "sp=true", "schedule=zb-v", "vpp=2"},
			{"tp=2", "pp=2", "dp=2", "zero=1", "global_batch=16"},
		} {
			t.Run(fmt.Sprint(name, sets), func(t *testing.T) {
				r, pred := exactBytes(t, pipeTPPlans, name, sets)
				for _, ax := range []ir.Axis{ir.AxisPP, ir.AxisTP} {
					if got, want := float64(r.ByKind[string(ax)].Total()), pred.ByAxis[ax].Total(); got != want {
						t.Errorf("%s bytes measured %.0f, predicted %.0f", ax, got, want)
					}
				}
			})
		}
	}
}

// mlaPlan trains exec_test.go's tinyMLA: tiny_deepseek's attention over
// dense layers.
const mlaPlan = `
import "hw/cpu"

model tiny_mla {
  vocab          = 256
  seq            = 64
  hidden         = 64
  layers         = 4
  heads          = 4
  ffn            = 172
  norm           = rmsnorm
  mlp            = swiglu
  position       = rope
  no_bias        = true
  tie_embeddings = false
  mla {
    q_lora_rank      = 32
    kv_lora_rank     = 16
    qk_nope_head_dim = 16
    qk_rope_head_dim = 8
    v_head_dim       = 16
  }
}

plan mla {
  model        = tiny_mla
  cluster      = cpu
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}

// without the query bottleneck: a full query projection (split by heads)
// and kv_down (replicated) read one ln1
model tiny_mla_fullq {
  vocab          = 256
  seq            = 64
  hidden         = 64
  layers         = 4
  heads          = 4
  ffn            = 172
  norm           = rmsnorm
  mlp            = swiglu
  position       = rope
  no_bias        = true
  tie_embeddings = false
  mla {
    kv_lora_rank     = 16
    qk_nope_head_dim = 16
    qk_rope_head_dim = 8
    v_head_dim       = 16
  }
}

plan mla_fullq {
  model        = tiny_mla_fullq
  cluster      = cpu
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}
`

// TestMLABytesMatchCostModel: multi-head latent attention (keys of
// qk_nope+qk_rope columns, narrower values; under tp the all-reduces of
// the latents' and the shared rotary key's gradients) under tp, zero, pp
// and every cp mode: the runtime's bytes per step equal the cost model's prediction
// for the compiled unit.
func TestMLABytesMatchCostModel(t *testing.T) {
	for _, sets := range [][]string{
		{"tp=2"},
		{"tp=2", "cp=2", "cp_mode=ring"},
		{"tp=2", "sp=true"},
		{"tp=2", "sp=true", "cp=2", "cp_mode=ulysses"},
		{"dp=2", "zero=1"},
		{"pp=2"},
		{"cp=2", "cp_mode=ring"},
		{"cp=2", "cp_mode=allgather"},
		{"cp=2", "cp_mode=lss"},
		{"cp=2", "cp_mode=ulysses"},
	} {
		t.Run(fmt.Sprint(sets), func(t *testing.T) { exactBytes(t, mlaPlan, "mla", sets) })
	}
	for _, sets := range [][]string{{"tp=2"}, {"tp=2", "sp=true"}} {
		t.Run(fmt.Sprint("fullq", sets), func(t *testing.T) { exactBytes(t, mlaPlan, "mla_fullq", sets) })
	}
}

// deepseekPlan trains stdlib's tiny_deepseek.
const deepseekPlan = `
import "hw/cpu"
import "models/tiny_arch"

plan deepseek {
  model        = tiny_deepseek
  cluster      = cpu
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}
`

// TestDeepSeekBytesMatchCostModel: tiny_deepseek (MLA; sigmoid,
// group-limited routing to SwiGLU experts without biases; bias balancing's
// all-reduce of the routed-copy counts over dp) under dp with
// zero, pp, cp and ep (padding-free and capacity dispatch): the runtime's
// bytes per step equal the cost model's prediction for the compiled unit
// and the step's routes.
func TestDeepSeekBytesMatchCostModel(t *testing.T) {
	for _, sets := range [][]string{
		{"dp=2", "zero=1"},
		{"pp=2"},
		{"cp=2", "cp_mode=ring"},
		{"cp=2", "cp_mode=allgather"},
		{"cp=2", "cp_mode=ulysses"},
		{"dp=2", "ep=2"},
		{"dp=2", "ep=2", "moe.dispatch=capacity"},
		{"dp=4", "ep=4", "cp=2", "cp_mode=ring", "global_batch=16"},
		{"tp=2", "dp=2", "ep=2"},
		{"tp=2", "ep=2", "moe.ssmb=true"},
		{"tp=2", "sp=true"},
		{"tp=2", "sp=true", "dp=2", "ep=2"},
		{"tp=2", "sp=true", "cp=2", "cp_mode=allgather"},
	} {
		t.Run(fmt.Sprint(sets), func(t *testing.T) { exactBytes(t, deepseekPlan, "deepseek", sets) })
	}
}
