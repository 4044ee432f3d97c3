package ir

import (
	"math"
	"testing"
)

// TestHotFor: a device with a hot GEMM fit hands a rank that fits its
// private cache a copy whose products take the hot figures (the rate over
// the precision's peak as the efficiency) and which has no hot fit itself;
// a rank beyond the cache, a device without the fit or without a cache
// size, keep the device itself.
func TestHotFor(t *testing.T) {
	d := &Device{PeakFP32: 100e9, PeakBF16: 100e9, MatmulEfficiency: 0.8, GEMMCallCost: 1.5e-6, GEMMElementCost: 0.07e-9,
		HotGEMMRate: 120e9, HotGEMMCallCost: 0.2e-6, HotGEMMElementCost: 0.05e-9, PrivateCache: 2 << 20}
	h := d.HotFor(1<<20, FP32)
	if h == d {
		t.Fatal("a rank within the private cache got the cold device")
	}
	if h.MatmulEfficiency != 1.2 || h.GEMMCallCost != 0.2e-6 || h.GEMMElementCost != 0.05e-9 {
		t.Errorf("hot copy: efficiency %g, call %g s, element %g s; want 1.2, 2e-7, 5e-11", h.MatmulEfficiency, h.GEMMCallCost, h.GEMMElementCost)
	}
	if h.HotGEMMRate != 0 || h.HotFor(1<<20, FP32) != h {
		t.Error("the hot copy has a hot fit of its own")
	}
	if d.MatmulEfficiency != 0.8 || d.GEMMCallCost != 1.5e-6 {
		t.Error("HotFor changed the device")
	}
	for _, c := range []struct {
		name string
		dev  func(Device) Device
		peak float64
	}{
		{"beyond the cache", func(d Device) Device { return d }, 3 << 20},
		{"no hot fit", func(d Device) Device { d.HotGEMMRate = 0; return d }, 1 << 20},
		{"no cache size", func(d Device) Device { d.PrivateCache = 0; return d }, 1 << 20},
	} {
		e := c.dev(*d)
		if got := e.HotFor(c.peak, FP32); got != &e {
			t.Errorf("%s: got a hot copy", c.name)
		}
	}
}

// TestKernelFactorGrowsWithTheNode: with a node factor, the step factor
// goes from step_kernel_factor at step_kernel_bytes to node_kernel_factor
// at node_kernel_bytes with the logarithm of the node's bytes, and stays
// at the nearer end outside them; a rank within the private cache takes
// none, and a device without a node factor the step factor everywhere.
func TestKernelFactorGrowsWithTheNode(t *testing.T) {
	const mib = 1 << 20
	d := Device{StepKernelFactor: 1.2, StepKernelBytes: 8 * mib, NodeKernelFactor: 1.5, NodeKernelBytes: 32 * mib, PrivateCache: 2 * mib}
	for _, c := range []struct {
		name       string
		dev        func(Device) Device
		peak, node float64
		want       float64
	}{
		{"within the private cache", func(d Device) Device { return d }, 1 * mib, 64 * mib, 1},
		{"below the probe", func(d Device) Device { return d }, 4 * mib, 4 * mib, 1.2},
		{"at the probe", func(d Device) Device { return d }, 8 * mib, 8 * mib, 1.2},
		{"halfway in the logarithm", func(d Device) Device { return d }, 8 * mib, 16 * mib, 1.35},
		{"at the replicas", func(d Device) Device { return d }, 8 * mib, 32 * mib, 1.5},
		{"beyond the replicas", func(d Device) Device { return d }, 8 * mib, 256 * mib, 1.5},
		{"no node factor", func(d Device) Device { d.NodeKernelFactor = 0; return d }, 8 * mib, 256 * mib, 1.2},
		{"no step factor", func(d Device) Device { d.StepKernelFactor = 0; return d }, 8 * mib, 16 * mib, 1},
		{"a node factor below the step's", func(d Device) Device { d.NodeKernelFactor = 1.0; return d }, 8 * mib, 16 * mib, 1.1},
	} {
		e := c.dev(d)
		if got := e.KernelFactor(c.peak, c.node); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: factor %g, want %g", c.name, got, c.want)
		}
	}
}
