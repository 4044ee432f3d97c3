package main

import (
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
