package main

import "testing"

// TestStepProbeModelIgnoresTheShare: the step probes are timed on the CPU
// clock, so the model they are divided by must not stretch them by the
// share of the cores other processes left the calibration (a loaded
// machine once gave node_kernel_factor 0.31: the model of the four
// replicas at core_share 0.26).
func TestStepProbeModelIgnoresTheShare(t *testing.T) {
	p, err := stepProbeOnCPU("calib_step_node")
	if err != nil {
		t.Fatal(err)
	}
	want, err := estimateOnCores(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, n := *p.Cluster, *p.Cluster.Node
	n.CoreShare, n.ThreadShare = 0.25, 0.5
	c.Node = &n
	loaded := *p
	loaded.Cluster = &c
	got, err := estimateOnCores(&loaded, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.StepTime != want.StepTime || !(want.StepTime > 0) {
		t.Errorf("at core_share 0.25 the probe's model is %g s, unloaded %g s", got.StepTime, want.StepTime)
	}
}
