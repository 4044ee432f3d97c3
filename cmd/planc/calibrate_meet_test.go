package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"planc/runtime/calib"
)

// TestMeetingProbe: on a machine taken as unloaded (any share of the
// processors counts), the meeting probe
// trains its tp = 2 model and the same on one rank and prices both: the
// step depends on sync_wait (its ranks meet), its work is part of its
// step, the wait it finds is ≥ 0, and the plan file's
// sync_wait is the probe's; on a loaded one it is skipped and the plan
// file keeps the microbenchmark's.
func TestMeetingProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a probe model")
	}
	res, err := calib.Measure(calib.Options{Budget: time.Millisecond, Reps: 1, NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := probeMeetingsFrom(res, "box", 0); err != nil {
		t.Fatal(err)
	}
	mp := res.Meet
	if mp.Skipped != "" || !(mp.Share > 0 && mp.Share <= 1.2) || !(mp.Measured > 0) || !(mp.Slope > 0) || !(mp.Wait >= 0) || !(mp.One > 0) || !(mp.OneModel > 0) || !(mp.Work > 0 && mp.Work < mp.Zero) {
		t.Fatalf("probe %+v", mp)
	}
	// a tp = 2 step of 2 layers and 2 micro-batches meets dozens of times
	if mp.Slope < 20 || mp.Slope > 200 {
		t.Errorf("the step grows by %g µs per µs of sync_wait: want the probe's dozens of meetings", mp.Slope)
	}
	if text := res.PlanFile("box", "test"); !strings.Contains(text, "the meeting probe's") {
		t.Errorf("plan file's sync_wait is not the probe's:\n%s", text)
	}
	res.Share = 0.5
	if err := probeMeetingsFrom(res, "box", 0.9); err != nil {
		t.Fatal(err)
	}
	if res.Meet.Skipped == "" || strings.Contains(res.PlanFile("box", "test"), "the meeting probe's") {
		t.Errorf("loaded machine: probe %+v counted", res.Meet)
	}
}

// TestDrainProbe: on a machine taken as unloaded, the drain probe trains
// its MoE model with twice as many ranks as processors and prices it: the
// step depends on drain_wait through the expert exchanges (every one a
// meeting of all ranks: 2 layers × 2 forward and 2 backward) and the
// gradients' all-reduce, the wait it finds is ≥ 0, and the plan file's
// drain_wait is the probe's; on a loaded one it is skipped.
func TestDrainProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a probe model")
	}
	res, err := calib.Measure(calib.Options{Budget: time.Millisecond, Reps: 1, NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := probeDrainFrom(res, "box", 0); err != nil {
		t.Fatal(err)
	}
	dp := res.DrainStep
	if dp.Procs < 2 {
		t.Skipf("one processor: %s", dp.Skipped)
	}
	if dp.Skipped != "" || !(dp.Measured > 0) || !(dp.Wait >= 0) || !(dp.One > 0) || !(dp.OneModel > 0) || !(dp.Zero > 0) {
		t.Fatalf("probe %+v", dp)
	}
	t.Logf("drain probe: %+v", *dp)
	if math.Abs(dp.Slope-10) > 1e-6 {
		t.Errorf("the step grows by %g µs per µs of drain_wait: want 10 meetings of all ranks (8 exchanges, the gradients' all-reduce, the norm's)", dp.Slope)
	}
	if text := res.PlanFile("box", "test"); !strings.Contains(text, "the drain probe's") {
		t.Errorf("plan file's drain_wait is not the probe's:\n%s", text)
	}
	res.Share = 0.5
	if err := probeDrainFrom(res, "box", 0.9); err != nil {
		t.Fatal(err)
	}
	if res.DrainStep.Skipped == "" || strings.Contains(res.PlanFile("box", "test"), "the drain probe's") {
		t.Errorf("loaded machine: probe %+v counted", res.DrainStep)
	}
}
