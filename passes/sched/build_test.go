package sched

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"planc/ir"
)

// testPlan builds a plan by hand (no parser): a small GPT on a cluster of
// 8-device nodes.
func testPlan(kind string, pp, vpp, m, dp, tp, zero int) *ir.Plan {
	dev := &ir.Device{Name: "dev", PeakBF16: 1e15, Memory: 80e9, HBMBandwidth: 2e12}
	node := &ir.Node{Name: "n", Device: dev, Devices: 8, IntraBW: 300e9, IntraLatency: 2e-6}
	world := pp * dp * tp
	cl := &ir.Cluster{Name: "c", Node: node, Nodes: (world + 7) / 8, PerNode: min(8, world), InterBW: 100e9, InterLatency: 5e-6}
	model := &ir.Model{Name: "gpt", Kind: ir.Transformer, Vocab: 1024, Seq: 128, Hidden: 64, Layers: 2 * pp * vpp, Heads: 4, FFN: 256, TieEmbeddings: true}
	return &ir.Plan{Name: "t", Model: model, Cluster: cl, DP: dp, TP: tp, PP: pp, EP: 1, CP: 1, VPP: vpp,
		Zero: zero, Schedule: ir.ScheduleKind(kind), GlobalBatch: m * dp, MicroBatch: 1, Precision: "bf16", Recompute: "none"}
}

func mustBuild(t testing.TB, p *ir.Plan) *ir.Schedule {
	t.Helper()
	s, diags := Build(p, PlanSizes(p))
	if diags.HasErrors() {
		t.Fatalf("Build: %v", diags)
	}
	return s
}

func TestBuildVerifiesEverySchedule(t *testing.T) {
	for _, c := range []struct {
		kind                  string
		pp, vpp, m, dp, tp, z int
	}{
		{"gpipe", 4, 1, 8, 1, 1, 0},
		{"1f1b", 4, 1, 8, 2, 2, 1},
		{"1f1b", 1, 1, 4, 4, 1, 2},
		{"interleaved", 4, 2, 8, 2, 1, 0},
		{"interleaved", 4, 3, 12, 1, 2, 1},
		{"zb-h1", 4, 1, 8, 2, 1, 0},
		{"zb-v", 4, 2, 8, 2, 1, 3},
		{"1f1b", 8, 1, 16, 2, 1, 3},
		{"gpipe", 2, 1, 3, 3, 1, 2},
		{"interleaved", 2, 2, 4, 2, 4, 3}, // tied all-reduce vs ZeRO-3 gathers
		{"zb-h1", 4, 1, 4, 2, 2, 3},
	} {
		name := fmt.Sprintf("%s/pp%d/v%d/m%d/dp%d/tp%d/z%d", c.kind, c.pp, c.vpp, c.m, c.dp, c.tp, c.z)
		t.Run(name, func(t *testing.T) {
			s := mustBuild(t, testPlan(c.kind, c.pp, c.vpp, c.m, c.dp, c.tp, c.z))
			rep, err := Verify(s)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Actions != s.NumActions() {
				t.Errorf("executed %d of %d actions", rep.Actions, s.NumActions())
			}
			// Every (stage, mb) runs F and B exactly once (and W when split).
			count := map[string]int{}
			for _, rp := range s.Ranks {
				if rp.Coord.DP != 0 || rp.Coord.TP != 0 {
					continue
				}
				for _, a := range rp.Actions {
					if a.Kind == ir.ActF || a.Kind == ir.ActB || a.Kind == ir.ActW {
						count[s.ActionString(a)]++
					}
				}
			}
			want := 2
			if s.SplitBackward {
				want = 3
			}
			if len(count) != want*c.pp*c.vpp*c.m {
				t.Errorf("%d distinct compute actions, want %d", len(count), want*c.pp*c.vpp*c.m)
			}
			for k, n := range count {
				if n != 1 {
					t.Errorf("%s runs %d times", k, n)
				}
			}
		})
	}
}

func TestPeakInFlight(t *testing.T) {
	// docs/cost-model.md: 1F1B's peak in-flight micro-batches on rank r is p − r;
	// interleaving multiplies rank 0's by 1 + (p−1)/(p·v).
	const p, m = 4, 8
	s := mustBuild(t, testPlan("1f1b", p, 1, m, 1, 1, 0))
	rep, err := Verify(s)
	if err != nil {
		t.Fatal(err)
	}
	for r, got := range rep.PeakInFlight {
		if got != float64(p-r) {
			t.Errorf("1f1b rank %d: peak in-flight %g, want %d", r, got, p-r)
		}
	}
	const v = 2
	s = mustBuild(t, testPlan("interleaved", p, v, m, 1, 1, 0))
	rep, err = Verify(s)
	if err != nil {
		t.Fatal(err)
	}
	want := float64(p) * (1 + float64(p-1)/float64(p*v))
	if got := rep.PeakInFlight[0]; got != want {
		t.Errorf("interleaved rank 0: peak in-flight %g, want %g", got, want)
	}
	s = mustBuild(t, testPlan("gpipe", p, 1, m, 1, 1, 0))
	rep, _ = Verify(s)
	if got := rep.PeakInFlight[0]; got != m {
		t.Errorf("gpipe rank 0: peak in-flight %g, want %d", got, m)
	}
}

func TestTextForm(t *testing.T) {
	s := mustBuild(t, testPlan("1f1b", 2, 1, 3, 1, 1, 0))
	text := s.String()
	for _, want := range []string{"rank 0 (tp=0 cp=0 dp=0 pp=0): 0F0 0SEND_F0>1 0F1 0SEND_F1>1 0RECV_B0<1 0B0", "rank 1 (tp=0 cp=0 dp=0 pp=1): 1RECV_F0<0 1F0 1B0 1SEND_B0>0"} {
		if !strings.Contains(text, want) {
			t.Errorf("text form lacks %q:\n%s", want, text)
		}
	}
}

// TestEveryShapeVerifies builds and verifies every schedule over a grid of
// pipeline sizes, micro-batch counts, data parallelism and ZeRO stages,
// including the few-micro-batch corners (m < p, zb-v's m < 2p−1).
func TestEveryShapeVerifies(t *testing.T) {
	n := 0
	for _, kind := range []string{"gpipe", "1f1b", "interleaved", "zb-h1", "zb-v"} {
		for p := 1; p <= 5; p++ {
			for m := 1; m <= 11; m++ {
				for _, dz := range [][2]int{{1, 0}, {2, 0}, {2, 1}, {2, 3}} {
					v := 1
					switch kind {
					case "interleaved":
						v = 2 + m%2
						if m%p != 0 {
							continue
						}
					case "zb-v":
						v = 2
					}
					pl := testPlan(kind, p, v, m, dz[0], 1, dz[1])
					s, diags := Build(pl, PlanSizes(pl))
					if diags.HasErrors() {
						t.Errorf("%s p=%d v=%d m=%d dp=%d zero=%d: %v", kind, p, v, m, dz[0], dz[1], diags)
						continue
					}
					if _, err := Verify(s); err != nil {
						t.Errorf("%s p=%d v=%d m=%d dp=%d zero=%d: %v", kind, p, v, m, dz[0], dz[1], err)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d schedules built and verified", n)
}

// TestFoldedExpandsToUnfolded: a folded schedule, expanded, is exactly the
// schedule built with every program written out (programs, groups and
// their numbering), on meshes with dp replicas, ep groups inside a block
// or spanning tp (ssmb), cp, ZeRO-3 gathers and the tied embedding.
func TestFoldedExpandsToUnfolded(t *testing.T) {
	for _, c := range []struct {
		kind                  string
		pp, vpp, m, dp, tp, z int
		ep, cp                int
		ssmb                  bool
	}{
		{"1f1b", 4, 1, 8, 4, 2, 1, 1, 1, false},
		{"zb-v", 2, 2, 4, 6, 1, 3, 1, 1, false},
		{"interleaved", 2, 2, 4, 4, 2, 0, 1, 2, false},
		{"1f1b", 2, 1, 4, 8, 1, 1, 4, 1, false},
		{"1f1b", 2, 1, 4, 4, 2, 2, 4, 1, true},
		{"gpipe", 1, 1, 2, 8, 1, 3, 2, 2, false},
	} {
		p := testPlan(c.kind, c.pp, c.vpp, c.m, c.dp, c.tp, c.z)
		p.EP, p.CP, p.MoE.SSMB = c.ep, c.cp, c.ssmb
		p.Cluster.Nodes = (p.WorldSize() + 7) / 8
		folded, diags := BuildFolded(p, PlanSizes(p))
		if diags.HasErrors() {
			t.Fatalf("%+v: %v", c, diags)
		}
		whole, _ := build(p, PlanSizes(p), false)
		if !folded.Folded() && c.dp > 1 && c.ep <= c.cp {
			t.Errorf("%+v: not folded (block %d)", c, folded.FoldDP)
		}
		if folded.NumActions() != whole.NumActions() {
			t.Errorf("%+v: %d actions folded, %d whole", c, folded.NumActions(), whole.NumActions())
		}
		if got, want := folded.String(), whole.String(); got != want {
			t.Errorf("%+v: the expanded folded schedule differs from the whole one", c)
		}
		if _, err := Verify(whole); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestVerifyFolded: a folded schedule verifies as its expansion does, and
// a fault in a stored program is found as it is in the whole schedule.
func TestVerifyFolded(t *testing.T) {
	p := testPlan("1f1b", 4, 1, 8, 8, 2, 1)
	folded, _ := BuildFolded(p, PlanSizes(p))
	if !folded.Folded() {
		t.Fatal("not folded")
	}
	fr, err := Verify(folded)
	if err != nil {
		t.Fatal(err)
	}
	whole := folded.Expand()
	wr, err := Verify(whole)
	if err != nil {
		t.Fatal(err)
	}
	if fr.Actions != wr.Actions || !reflect.DeepEqual(fr.PeakInFlight, wr.PeakInFlight) {
		t.Errorf("folded report %d actions %v, whole %d %v", fr.Actions, fr.PeakInFlight, wr.Actions, wr.PeakInFlight)
	}
	// drop rank 0's first send: rank 16 waits for it (in every block)
	acts := folded.Ranks[0].Actions
	for i, a := range acts {
		if a.Kind == ir.ActSendF {
			folded.Ranks[0].Actions = append(acts[:i:i], acts[i+1:]...)
			break
		}
	}
	if _, err := Verify(folded); err == nil {
		t.Error("a folded schedule missing a send verified")
	}
	if _, err := Verify(folded.Expand()); err == nil {
		t.Error("its expansion verified")
	}
}

// TestEstimatePlan: the estimate bounds the actions of built schedules
// from above, and CheckMemory refuses what does not fit with the need.
func TestEstimatePlan(t *testing.T) {
	for _, p := range []*ir.Plan{
		testPlan("1f1b", 4, 1, 8, 2, 2, 1),
		testPlan("zb-v", 2, 2, 4, 2, 1, 3),
		testPlan("interleaved", 2, 2, 4, 4, 2, 0),
		testPlan("gpipe", 1, 1, 16, 2, 1, 0),
	} {
		e := EstimatePlan(p)
		s := mustBuild(t, p)
		for _, rp := range s.Ranks {
			if n := int64(len(rp.Actions)); n > e.ActionsPerRank {
				t.Errorf("%s: rank %d has %d actions, the estimate %d", p.Schedule, rp.Rank, n, e.ActionsPerRank)
			}
		}
		if e.Ranks != int64(len(s.Ranks)) {
			t.Errorf("%s: %d ranks estimated, %d built", p.Schedule, e.Ranks, len(s.Ranks))
		}
	}
	big := testPlan("1f1b", 4, 1, 65536, 4096, 1, 0)
	err := CheckMemory(big, 64<<30)
	if err == nil || !strings.Contains(err.Error(), "GiB") || !strings.Contains(err.Error(), "16384 ranks") {
		t.Errorf("CheckMemory of 16384 ranks × 65536 micro-batches: %v", err)
	}
	if err := CheckMemory(testPlan("1f1b", 4, 1, 8, 2, 2, 1), 64<<30); err != nil {
		t.Error(err)
	}
}
