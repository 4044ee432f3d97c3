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
// phantom loss adds each part's squared errors: an all-reduce of b values. REFERENCE.md:
// p·k values against n per layer.
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
	// plus the all-reduce of each sample's partial squared error
	wantPh := depth*M*2*(p-1)*b*k*elem*p + M*2*(p-1)/p*b*elem*p
	wantDense := 3 * M * 2 * (p - 1) / p * b * n * elem * p
	if ph != wantPh || dense != wantDense {
		t.Errorf("tp bytes per step: phantom %g (want %g), dense %g (want %g)", ph, wantPh, dense, wantDense)
	}
	t.Logf("tp bytes per step: phantom %g, dense %g; per layer and token phantom exchanges p·k = %g values, tp n = %g", ph, dense, p*k, n)
}
