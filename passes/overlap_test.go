package passes_test

import (
	"math"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// ringAllReduce is the α-β time of a ring all-reduce of n bytes over p
// ranks of one node: 2(p−1) steps, each a latency and 1/p of the buffer.
func ringAllReduce(p int, n, latency, bandwidth float64) float64 {
	return 2 * float64(p-1) * (latency + n/float64(p)/bandwidth)
}

// TestOverlapGradReduceClosedForm: examples/overlap.plan (a 1.3B GPT,
// dp = 8 on one DGX A100 node: NVLink ring, 2 µs a step, 300 GB/s) with
// overlap.grad_reduce true and false. Its gradients are 2P bytes in 40M-
// element buckets; its backward is far longer than their reduction, so
// overlapped only the last bucket is exposed, and serial every bucket is:
// the exposed time moves by (n−1) bucket all-reduces. The parameter count
// and the ring's time are computed here, not by planc.
func TestOverlapGradReduceClosedForm(t *testing.T) {
	const (
		v, s, h, l = 51200.0, 2048.0, 2048.0, 24.0
		dp         = 8
		latency    = 2e-6
		bandwidth  = 300e9
		bucket     = 40e6 * 2 // bytes: Megatron's 40M parameters in bf16
	)
	// Megatron GPT: 12lh² + 13lh (layers) + (V+s)h (tied embedding,
	// positions) + 2h (final LayerNorm)
	params := 12*l*h*h + 13*l*h + (v+s)*h + 2*h
	grads := 2 * params
	n := math.Ceil(grads / bucket)
	full := ringAllReduce(dp, bucket, latency, bandwidth)
	last := ringAllReduce(dp, grads-(n-1)*bucket, latency, bandwidth)

	exposed := map[string]float64{}
	for _, set := range []string{"true", "false"} {
		prog, p := loadPlan(t, "examples/overlap.plan", "overlap_dp8", "overlap.grad_reduce="+set)
		u, d := passes.Compile(prog, p, passes.Options{})
		if d.HasErrors() {
			t.Fatal(d)
		}
		est, d := passes.Estimate(p)
		if d.HasErrors() {
			t.Fatal(d)
		}
		if rel := est.ExposedComm/u.Cost.ExposedComm - 1; math.Abs(rel) > 1e-9 {
			t.Errorf("grad_reduce=%s: estimate exposes %g s, compile %g s", set, est.ExposedComm, u.Cost.ExposedComm)
		}
		exposed[set] = u.Cost.ExposedComm
	}
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"overlapped: the last bucket", exposed["true"], last},
		{"serial: every bucket", exposed["false"], (n-1)*full + last},
		{"the move", exposed["false"] - exposed["true"], (n - 1) * full},
	} {
		t.Logf("%-28s planc %10.3f us  closed form %10.3f us", c.what, 1e6*c.got, 1e6*c.want)
		if math.Abs(c.got/c.want-1) > 1e-6 {
			t.Errorf("%s: planc %g s, closed form %g s (%d buckets)", c.what, c.got, c.want, int(n))
		}
	}
}

// TestOverlapParamGatherClosedForm: under ZeRO-1 the updated parameters
// (2P bytes) are all-gathered over dp = 8 after the optimizer: a ring of 7
// steps of 1/8 of them. With overlap.param_gather the next step's first
// forward (far longer) hides all of it: the exposed time drops by exactly
// that all-gather.
func TestOverlapParamGatherClosedForm(t *testing.T) {
	const v, s, h, l = 51200.0, 2048.0, 2048.0, 24.0
	params := 12*l*h*h + 13*l*h + (v+s)*h + 2*h
	gather := 7 * (2e-6 + 2*params/8/300e9)
	exposed := map[string]float64{}
	for _, set := range []string{"true", "false"} {
		prog, p := loadPlan(t, "examples/overlap.plan", "overlap_dp8", "zero=1", "overlap.param_gather="+set)
		u, d := passes.Compile(prog, p, passes.Options{})
		if d.HasErrors() {
			t.Fatal(d)
		}
		exposed[set] = u.Cost.ExposedComm
	}
	move := exposed["false"] - exposed["true"]
	t.Logf("param_gather false − true: planc %.3f us, closed form %.3f us", 1e6*move, 1e6*gather)
	if math.Abs(move/gather-1) > 1e-6 {
		t.Errorf("param_gather moves the exposed time by %g s, the all-gather takes %g s", move, gather)
	}
}

// TestOverlapHidesLayerCollectives: overlap.tp_comm hides the tensor-
// parallel collectives of the calibration's GPT-175B behind its layers'
// compute, overlap.moe_dispatch the expert all-to-alls of X-MoE small;
// either lowers the exposed time by no more than those collectives take,
// and moves nothing else of the step but the exposed communication.
func TestOverlapHidesLayerCollectives(t *testing.T) {
	for _, c := range []struct {
		file, plan, set string
		axis            ir.Axis
	}{
		{"examples/calibration.plan", "cal_175b_selective", "overlap.tp_comm", ir.AxisTP},
		{"examples/xmoe_small.plan", "", "overlap.moe_dispatch", ir.AxisEP},
	} {
		cost := map[string]*ir.CostReport{}
		for _, set := range []string{"true", "false"} {
			prog, diags := lang.Load([]string{repoFile(c.file)}, lang.Options{Overrides: []string{c.set + "=" + set}})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			p := prog.Plans[0]
			if c.plan != "" {
				p = prog.Plan(c.plan)
			}
			u, d := passes.Compile(prog, p, passes.Options{})
			if d.HasErrors() {
				t.Fatal(d)
			}
			cost[set] = u.Cost
		}
		on, off := cost["true"], cost["false"]
		var axisTime float64
		for _, s := range off.Comm {
			if s.Axis == c.axis {
				axisTime += s.Time
			}
		}
		hidden := off.ExposedComm - on.ExposedComm
		t.Logf("%s: exposed %.3f → %.3f s (hidden %.3f s of %.3f s on %s)", c.set, off.ExposedComm, on.ExposedComm, hidden, axisTime, c.axis)
		if hidden <= 0 || hidden > axisTime*(1+1e-9) {
			t.Errorf("%s hides %g s; the %s collectives take %g s", c.set, hidden, c.axis, axisTime)
		}
		if on.Compute != off.Compute {
			t.Errorf("%s changed the compute: %g vs %g s", c.set, on.Compute, off.Compute)
		}
	}
}
