package passes_test

import (
	"math"
	"testing"

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
