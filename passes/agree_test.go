package passes_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// variant is a plan derived from a stdlib or example plan.
type variant struct {
	file, plan string
	set        func(*ir.Plan)
}

func (v variant) String() string { return v.plan }

// agreementGrid covers dense, MoE, phantom and mlp models under tp, sp, pp
// (1f1b, interleaved, gpipe, zb-h1, zb-v), cp in every mode, ep in both
// dispatch modes, every ZeRO stage and recompute policy.
func agreementGrid() []variant {
	var out []variant
	add := func(file, plan, label string, f func(*ir.Plan)) {
		out = append(out, variant{file, plan + "/" + label, f})
	}
	for _, rc := range ir.RecomputeModes {
		for _, sp := range []bool{false, true} {
			rc, sp := rc, sp
			add(calFile, "cal_175b_full", fmt.Sprintf("%s-sp%v", rc, sp), func(p *ir.Plan) { p.Recompute, p.SP = rc, sp })
		}
	}
	add(calFile, "cal_1t_selective", "interleaved", func(p *ir.Plan) { p.Schedule, p.VPP = "interleaved", 2 })
	for _, s := range []ir.ScheduleKind{ir.ScheduleGPipe, ir.ScheduleZBH1} {
		s := s
		add(calFile, "cal_1t_selective", string(s), func(p *ir.Plan) { p.Schedule = s })
	}
	add(calFile, "cal_175b_selective", "zb-v", func(p *ir.Plan) { p.Schedule, p.VPP = "zb-v", 2 })
	// tp·pp without sp: the receivers' tp gathers of pipeline tensors,
	// none at zb-v's fold (stages pp−1 and pp, in the middle at pp = 8)
	add(calFile, "cal_175b_full", "zb-v", func(p *ir.Plan) { p.Schedule, p.VPP = "zb-v", 2 })
	add(calFile, "cal_175b_full", "interleaved", func(p *ir.Plan) { p.Schedule, p.VPP = "interleaved", 2 })
	// ZeRO-3 over pipeline stages (a tied embedding on the first and last
	// stage, reduced once per step) with each recomputation policy (its
	// gathers and reduce-scatters hide behind the recomputed forward too)
	for _, rc := range ir.RecomputeModes {
		rc := rc
		add(calFile, "cal_175b_full", "zero3-dp2-"+string(rc), func(p *ir.Plan) {
			p.Cluster = withNodes(p.Cluster, 2*p.Cluster.Nodes)
			p.DP, p.Zero, p.Recompute = 2, 3, rc
		})
	}
	for z := 0; z <= 3; z++ {
		for _, mode := range []ir.CPMode{ir.CPRing, ir.CPUlysses, ir.CPAllGather, ir.CPLSS} {
			z, mode := z, mode
			add(calFile, "cal_22b_selective", fmt.Sprintf("zero%d-cp2-%s", z, mode), func(p *ir.Plan) {
				p.Cluster = withNodes(p.Cluster, 4)
				p.DP, p.CP, p.Zero, p.CPMode, p.GlobalBatch, p.MicroBatch = 2, 2, z, mode, 8, 1
			})
		}
	}
	return out
}

func withNodes(c *ir.Cluster, n int) *ir.Cluster {
	cc := *c
	cc.Nodes = n
	return &cc
}

func compileVariant(t *testing.T, v variant) (*ir.Unit, *ir.Plan) {
	t.Helper()
	prog, p := loadPlan(t, v.file, v.plan[:indexOr(v.plan, '/')])
	if v.set != nil {
		v.set(p)
	}
	fitCPU(p)
	u, ds := passes.Compile(prog, p, passes.Options{VerifyEach: true})
	for _, d := range ds {
		// Out of memory is fine here (the times and bytes are compared);
		// any other error, or a unit without a memory report, is not.
		oom := strings.Contains(d.Message, "more than the")
		if d.Severity == ir.Error && (!oom || u == nil || u.Memory == nil) {
			t.Fatalf("%s: %v", v, ds)
		}
	}
	return u, p
}

// fitCPU resizes the cpu cluster (whose size follows the world size the
// file was loaded with) to a plan whose degrees a test changed.
func fitCPU(p *ir.Plan) {
	if p.Cluster.Name == "cpu" {
		cc := *p.Cluster
		cc.Nodes, cc.PerNode = 1, p.DP*p.TP*p.PP*p.CP
		p.Cluster = &cc
	}
}

func indexOr(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return len(s)
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))+1e-12 }

// TestEstimateAgreesWithCompile checks that the planner's analytic path
// and the full pass pipeline give the same step time, breakdown, FLOPs and
// per-rank memory over a grid of plans.
func TestEstimateAgreesWithCompile(t *testing.T) {
	grid := append(agreementGrid(), tinyGrid()...)
	for _, v := range grid {
		t.Run(v.plan, func(t *testing.T) {
			u, p := compileVariant(t, v)
			e, ds := passes.Estimate(p)
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			c, a := u.Cost, e.Cost
			checkCostBounds(t, v.plan, p, *c)
			for _, x := range []struct {
				what string
				x, y float64
			}{
				{"step time", c.StepTime, a.StepTime}, {"compute", c.Compute, a.Compute}, {"exposed comm", c.ExposedComm, a.ExposedComm},
				{"bubble", c.Bubble, a.Bubble}, {"optimizer", c.Optimizer, a.Optimizer}, {"model FLOPs", c.ModelFLOPs, a.ModelFLOPs},
				{"hardware FLOPs", c.HardwareFLOPs, a.HardwareFLOPs}, {"energy", c.EnergyPerStep, a.EnergyPerStep},
			} {
				if !near(x.x, x.y) {
					t.Errorf("%s: Compile %g, Estimate %g", x.what, x.x, x.y)
				}
			}
			for k, b := range c.CommBytes {
				if !near(b, a.CommBytes[k]) {
					t.Errorf("%s bytes: Compile %g, Estimate %g", k, b, a.CommBytes[k])
				}
			}
			lite, _ := passes.EstimateStep(p)
			if !near(lite.StepTime, c.StepTime) || !near(lite.PeakBytes, u.Memory.WorstRank().Peak) || !near(lite.MFU, c.MFU) {
				t.Errorf("EstimateStep: step %g peak %g mfu %g; Compile %g, %g, %g", lite.StepTime, lite.PeakBytes, lite.MFU, c.StepTime, u.Memory.WorstRank().Peak, c.MFU)
			}
			for r := range u.Memory.Ranks {
				x, y := u.Memory.Ranks[r], e.Memory.Ranks[r]
				if !near(x.Peak, y.Peak) || !near(x.Activations, y.Activations) || !near(x.Params, y.Params) {
					t.Errorf("pp rank %d memory: Compile %+v, Estimate %+v", r, x, y)
				}
			}
		})
	}
}
