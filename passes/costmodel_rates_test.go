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
