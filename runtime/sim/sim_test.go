package sim

import (
	"fmt"
	"math"
	"testing"

	"planc/ir"
	"planc/passes/sched"
)

func testPlan(kind string, pp, vpp, m, dp, tp int) *ir.Plan {
	dev := &ir.Device{Name: "dev", PeakBF16: 1e15, Memory: 80e9, HBMBandwidth: 2e12}
	node := &ir.Node{Name: "n", Device: dev, Devices: 8, IntraBW: 300e9, IntraLatency: 2e-6}
	world := pp * dp * tp
	cl := &ir.Cluster{Name: "c", Node: node, Nodes: (world + 7) / 8, PerNode: min(8, world), InterBW: 100e9, InterLatency: 5e-6}
	model := &ir.Model{Name: "gpt", Kind: ir.Transformer, Vocab: 1024, Seq: 128, Hidden: 64, Layers: pp * vpp, Heads: 4, FFN: 256, TieEmbeddings: true}
	return &ir.Plan{Name: "t", Model: model, Cluster: cl, DP: dp, TP: tp, PP: pp, EP: 1, CP: 1, VPP: vpp,
		Schedule: ir.ScheduleKind(kind), GlobalBatch: m * dp, MicroBatch: 1, Precision: "bf16", Recompute: "none"}
}

func build(t testing.TB, p *ir.Plan) *ir.Schedule {
	t.Helper()
	s, diags := sched.Build(p, sched.PlanSizes(p))
	if diags.HasErrors() {
		t.Fatalf("Build: %v", diags)
	}
	if _, err := sched.Verify(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBubbleClosedForms checks the simulated bubble fraction (Σ idle / Σ
// busy) on uniform costs against docs/cost-model.md: GPipe and 1F1B (p−1)/m,
// interleaved (p−1)/(v·m), ZB-H1 (p−1)(T_F+T_B−T_W) over m(T_F+T_B+T_W).
func TestBubbleClosedForms(t *testing.T) {
	type row struct {
		kind    string
		p, v, m int
		c       Uniform
		want    float64
	}
	var rows []row
	for _, p := range []int{2, 4, 8} {
		for _, m := range []int{p, 2 * p, 4 * p, 3*p + 1} {
			f, b := 1.0, 2.0
			rows = append(rows,
				row{"gpipe", p, 1, m, Uniform{F: f, B: b}, float64(p-1) / float64(m)},
				row{"1f1b", p, 1, m, Uniform{F: f, B: b}, float64(p-1) / float64(m)})
			for _, c := range []Uniform{{F: 1, B: 1, W: 1}, {F: 2, B: 2, W: 1}, {F: 1, B: 1.5, W: 0.5}} {
				rows = append(rows, row{"zb-h1", p, 1, m, c, float64(p-1) * (c.F + c.B - c.W) / (float64(m) * (c.F + c.B + c.W))})
			}
			if m >= 2*p {
				// ZB-V (no published closed form): with T_F = T_B =
				// T_W only the ramp of the V's first chunk is idle,
				// (p−1)·T_F/2 per rank (F, B, W are whole-model times;
				// a chunk takes half).
				c := Uniform{F: 1, B: 1, W: 1}
				rows = append(rows, row{"zb-v", p, 2, m, c, float64(p-1) * c.F / 2 / (float64(m) * (c.F + c.B + c.W))})
			}
			for _, v := range []int{2, 3, 4} {
				if m%p == 0 {
					rows = append(rows, row{"interleaved", p, v, m, Uniform{F: f, B: b}, float64(p-1) / float64(v*m)})
				}
			}
		}
	}
	for _, r := range rows {
		name := fmt.Sprintf("%s/p%d/v%d/m%d/F%gB%gW%g", r.kind, r.p, r.v, r.m, r.c.F, r.c.B, r.c.W)
		t.Run(name, func(t *testing.T) {
			s := build(t, testPlan(r.kind, r.p, r.v, r.m, 1, 1))
			c := r.c
			if r.kind == "zb-v" {
				c = Uniform{F: c.F / 2, B: c.B / 2, W: c.W / 2}
			}
			res, err := Run(s, Config{Costs: c})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.BubbleFraction-r.want) > 1e-9 {
				t.Errorf("bubble %.6f, want %.6f (step %g)", res.BubbleFraction, r.want, res.StepTime)
			}
		})
	}
}

// TestZBVBeatsZBH1 pins ZB-V against ZB-H1 where docs/cost-model.md gives no
// closed form: at the same memory (peak in-flight p micro-batches) its
// bubble is at most half of ZB-H1's when m >= 2p.
func TestZBVBeatsZBH1(t *testing.T) {
	for _, c := range []Uniform{{F: 1, B: 1, W: 1}, {F: 2, B: 2, W: 1}, {F: 1, B: 1.5, W: 0.5}} {
		for _, p := range []int{2, 4, 8} {
			for _, m := range []int{2 * p, 3*p + 1, 4 * p} {
				h1 := build(t, testPlan("zb-h1", p, 1, m, 1, 1))
				rh, err := Run(h1, Config{Costs: c})
				if err != nil {
					t.Fatal(err)
				}
				v := build(t, testPlan("zb-v", p, 2, m, 1, 1))
				rv, err := Run(v, Config{Costs: Uniform{F: c.F / 2, B: c.B / 2, W: c.W / 2}})
				if err != nil {
					t.Fatal(err)
				}
				if rv.BubbleFraction > rh.BubbleFraction/2+1e-9 {
					t.Errorf("%v p=%d m=%d: zb-v bubble %.4f > half of zb-h1's %.4f", c, p, m, rv.BubbleFraction, rh.BubbleFraction)
				}
				rep, err := sched.Verify(v)
				if err != nil {
					t.Fatal(err)
				}
				for r, pk := range rep.PeakInFlight {
					if pk > float64(p) {
						t.Errorf("p=%d m=%d: zb-v rank %d holds %g micro-batches, more than 1F1B's %d", p, m, r, pk, p)
					}
				}
			}
		}
	}
}

// TestEveryShapeSimulates runs the simulator over the grid of schedules and
// checks what must hold whatever the schedule: every rank computes exactly
// its m·v forwards and backwards, and the step is at least that long.
func TestEveryShapeSimulates(t *testing.T) {
	for _, kind := range []string{"gpipe", "1f1b", "interleaved", "zb-h1", "zb-v"} {
		for p := 1; p <= 5; p++ {
			for m := 1; m <= 11; m++ {
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
				pl := testPlan(kind, p, v, m, 2, 1)
				pl.Zero = m % 4
				s := build(t, pl)
				c := Uniform{F: 1, B: 2, W: 0.5}
				res, err := Run(s, Config{Costs: c})
				if err != nil {
					t.Fatalf("%s p=%d m=%d: %v", kind, p, m, err)
				}
				want := float64(m*v) * (c.F + c.B + c.W)
				for r, b := range res.Busy {
					if math.Abs(b-want) > 1e-9 {
						t.Errorf("%s p=%d m=%d rank %d: busy %g, want %g", kind, p, m, r, b, want)
					}
				}
				if res.StepTime < want-1e-9 {
					t.Errorf("%s p=%d m=%d: step %g shorter than the compute %g", kind, p, m, res.StepTime, want)
				}
			}
		}
	}
}
