package passes_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestPhantomEnergyTable prints planc's predicted energy of a phantom FFN
// against tensor parallelism at the same width, depth, parts (tp = 8 in a
// Frontier node) and device count, for a few widths, ghost counts and
// device counts (examples/phantom.plan's plans with the model and machine
// changed), next to the phantom-parallelism study's ~50% saving. Run with
// -v for the table. It checks what the model must show: per token and
// layer, phantom's FLOPs and values exchanged fall with k, so its energy
// per token is below tensor parallelism's whenever p·k < n, and rises
// with k. Each row is also held to counts made by hand from docs/cost-model.md
// (model FLOPs, bytes over tp) and to physical bounds (checkCostBounds:
// no faster than peak FLOP/s, energy between idle and busy power).
func TestPhantomEnergyTable(t *testing.T) {
	prog, dense := loadPlan(t, "examples/phantom.plan", "phantom_dense_16k_tp8")
	_, phantom := loadPlan(t, "examples/phantom.plan", "phantom_mlp_16k_tp8")
	var b strings.Builder
	fmt.Fprintf(&b, "\nphantom (ph) against tensor parallelism (tp), same width, depth 8, p = tp = 8, devices; the study reports ph/tp ≈ 0.5\n")
	fmt.Fprintf(&b, "%8s %5s %4s %7s | %12s %12s %7s | %10s %10s\n", "width", "k", "p", "devices", "tp J/token", "ph J/token", "ph/tp", "tp step", "ph step")
	for _, n := range []int{4096, 16384, 32768} {
		for _, devices := range []int{8, 64, 256} {
			prev := 0.0
			for _, frac := range []int{32, 8, 2} { // k = (n/p)/frac
				parts := 8
				k := n / parts / frac
				nodes := devices / 8
				mk := func(base *ir.Plan, phantomFFN bool) *ir.Plan {
					q := *base
					m := *base.Model
					m.Width = n
					if phantomFFN {
						m.FFNKind = ir.FFNKind{Kind: "phantom", K: k, Parts: parts}
					}
					q.Model = &m
					c := *base.Cluster
					c.Nodes = nodes
					q.Cluster = &c
					q.DP, q.TP = nodes, parts
					q.GlobalBatch = q.MicroBatch * 4 * nodes // 4 micro-batches per replica
					return &q
				}
				est := func(p *ir.Plan) ir.CostReport {
					u, ds := passes.Compile(prog, p, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
					if u == nil || u.Cost == nil {
						t.Fatalf("%s: %v", p.Name, ds)
					}
					return *u.Cost
				}
				tdPlan, phPlan := mk(dense, false), mk(phantom, true)
				td, ph := est(tdPlan), est(phPlan)
				// FLOPs counted by hand from docs/cost-model.md's per-part,
				// per-token closed forms (forward, and twice that backward),
				// independently of the cost model's op graph.
				np := float64(n / parts)
				perTokenLayer := map[*ir.Plan]float64{
					tdPlan: 2 * float64(n) * np * float64(parts),
					phPlan: (2*np*np + 2*float64(k)*np + 2*float64(parts-1)*float64(k)*np) * float64(parts),
				}
				// Bytes over tp in a step, all ranks, by hand (bf16
				// activations, M micro-batches of b samples per replica,
				// dp replicas, ring volumes): phantom all-gathers p·k
				// ghosts per sample and layer forward and reduce-scatters
				// them backward, 2(p−1)·b·k values per rank and layer;
				// the dense network all-reduces b·n values after each of
				// its depth/2 row-parallel layers forward and before each
				// column-parallel layer but the first backward (depth−1
				// all-reduces of 2(p−1)/p·b·n per rank).
				mb, M, pf, depth := float64(tdPlan.MicroBatch), float64(tdPlan.MicroBatches()), float64(parts), float64(tdPlan.Model.Depth)
				ranks := float64(tdPlan.WorldSize())
				wantTP := map[*ir.Plan]float64{
					tdPlan: (depth - 1) * M * 2 * (pf - 1) / pf * mb * float64(n) * 2 * ranks,
					phPlan: depth * M * 2 * (pf - 1) * mb * float64(k) * 2 * ranks,
				}
				for p, want := range wantTP {
					if got := tpBytesOf(t, prog, p); !nearRel(got, want, 1e-9) {
						t.Errorf("n=%d k=%d devices=%d %s: %g bytes over tp per step, hand count %g", n, k, devices, p.Model.FFNKind.Kind, got, want)
					}
				}
				for p, c := range map[*ir.Plan]ir.CostReport{tdPlan: td, phPlan: ph} {
					checkEnergyBounds(t, fmt.Sprintf("n=%d k=%d devices=%d %s", n, k, devices, p.Model.FFNKind.Kind), p, c,
						3*perTokenLayer[p]*float64(p.Model.Depth))
				}
				ratio := ph.EnergyPerToken / td.EnergyPerToken
				fmt.Fprintf(&b, "%8d %5d %4d %7d | %12.4g %12.4g %7.3f | %10s %10s\n", n, k, parts, devices, td.EnergyPerToken, ph.EnergyPerToken, ratio,
					fmt.Sprintf("%.3g s", td.StepTime), fmt.Sprintf("%.3g s", ph.StepTime))
				if parts*k < n && ratio >= 1 {
					t.Errorf("n=%d k=%d devices=%d: phantom uses %.3f× tp's energy per token, though p·k < n", n, k, devices, ratio)
				}
				if prev > 0 && ratio < prev*(1-1e-9) {
					t.Errorf("n=%d devices=%d: energy ratio fell from %.4f to %.4f as k grew to %d", n, devices, prev, ratio, k)
				}
				prev = ratio
				if math.IsNaN(ratio) {
					t.Errorf("n=%d k=%d: NaN", n, k)
				}
			}
		}
	}
	t.Log(b.String())
}

// checkEnergyBounds checks c's model FLOPs against flopsPerToken (counted
// by hand) per token of the global batch, then everything
// checkCostBounds checks.
func checkEnergyBounds(t *testing.T, what string, p *ir.Plan, c ir.CostReport, flopsPerToken float64) {
	t.Helper()
	if c.TokensPerStep != float64(p.GlobalBatch) {
		t.Errorf("%s: %g tokens per step, want the global batch %d (one token per sample)", what, c.TokensPerStep, p.GlobalBatch)
	}
	if want := flopsPerToken * c.TokensPerStep; !nearRel(c.ModelFLOPs, want, 1e-9) {
		t.Errorf("%s: model FLOPs %g per step, hand count %g", what, c.ModelFLOPs, want)
	}
	checkCostBounds(t, what, p, c)
}

func nearRel(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b)) }

// checkCostBounds holds a cost report to what physics and the definitions
// of docs/cost-model.md allow: executed FLOPs are at least the model's; no device
// computes faster than its peak, so the step takes at least the hardware
// FLOPs over the job's peak, and MFU ≤ HFU ≤ 1; every device draws between
// its idle and busy power for the whole step, so the step's energy lies
// between idle·devices·step and busy·devices·step; energy per token is
// the step's energy over its tokens, and average power the step's energy
// over devices·step.
func checkCostBounds(t *testing.T, what string, p *ir.Plan, c ir.CostReport) {
	t.Helper()
	dev := p.Cluster.Node.Device
	world := float64(p.WorldSize())
	peak := dev.Peak(p.Precision)
	if !(c.StepTime > 0) || !(c.ModelFLOPs > 0) || !(c.TokensPerStep > 0) {
		t.Fatalf("%s: step %g s, model FLOPs %g, tokens %g: all must be positive", what, c.StepTime, c.ModelFLOPs, c.TokensPerStep)
	}
	if c.HardwareFLOPs < c.ModelFLOPs*(1-1e-12) {
		t.Errorf("%s: hardware FLOPs %g below model FLOPs %g", what, c.HardwareFLOPs, c.ModelFLOPs)
	}
	if floor := c.HardwareFLOPs / (world * peak); c.StepTime < floor {
		t.Errorf("%s: step %g s is faster than peak FLOP/s allows (%g s)", what, c.StepTime, floor)
	}
	if want := c.ModelFLOPs / (c.StepTime * world * peak); !nearRel(c.MFU, want, 1e-9) || c.MFU > c.HFU*(1+1e-12) || c.HFU > 1 {
		t.Errorf("%s: MFU %g (model FLOPs/(step·devices·peak) = %g), HFU %g: want MFU = that ≤ HFU ≤ 1", what, c.MFU, want, c.HFU)
	}
	lo, hi := dev.IdlePower*world*c.StepTime, dev.BusyPower*world*c.StepTime
	if c.EnergyPerStep < lo*(1-1e-9) || c.EnergyPerStep > hi*(1+1e-9) {
		t.Errorf("%s: %g J per step outside [idle, busy] power × devices × step = [%g, %g] J", what, c.EnergyPerStep, lo, hi)
	}
	if !nearRel(c.EnergyPerToken*c.TokensPerStep, c.EnergyPerStep, 1e-9) || !nearRel(c.AvgPower*world*c.StepTime, c.EnergyPerStep, 1e-9) {
		t.Errorf("%s: %g J/token × %g tokens and %g W × %g devices × %g s should both be the step's %g J", what,
			c.EnergyPerToken, c.TokensPerStep, c.AvgPower, world, c.StepTime, c.EnergyPerStep)
	}
}

// tpBytesOf compiles p (without the schedule) and returns the bytes its
// step moves over tp, all ranks together.
func tpBytesOf(t *testing.T, prog *ir.Program, p *ir.Plan) float64 {
	t.Helper()
	u, ds := passes.Compile(prog, p, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
	if u == nil || ds.HasErrors() {
		t.Fatalf("%s: %v", p.Name, ds)
	}
	return passes.PredictedBytes(u).ByAxis[ir.AxisTP].Total()
}
