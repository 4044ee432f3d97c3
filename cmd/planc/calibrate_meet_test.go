package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"planc/runtime/calib"
)

// TestMeetingProbe: on a machine taken as unloaded (any share of the
// processors counts), the meeting probes train their tp = 2 models at two
// spacings and price them: each step depends on sync_wait through its
// meetings (as many at both spacings), the dense probe has far less
// compute between meetings, each rank's time in its calls is measured,
// the fitted pair is ≥ 0 and the plan file's sync_wait and sync_skew are
// the probes'; on a loaded one they are skipped and the plan file keeps
// the microbenchmark's.
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
	mp, dense := res.Meet, res.Meet.Dense
	for _, p := range []*calib.MeetProbe{mp, dense} {
		if p.Skipped != "" || !(p.Share > 0 && p.Share <= 1.2) || !(p.Measured > 0) || !(p.Comm > 0) || !(p.ModelComm > 0) || !(p.Interval > 0) || !(p.AtFit > 0) {
			t.Fatalf("probe %+v", p)
		}
		// a tp = 2 step of 2 layers and 2 micro-batches meets dozens of times
		if p.Slope < 20 || p.Slope > 200 {
			t.Errorf("%s: the step grows by %g µs per µs of sync_wait: want the probe's dozens of meetings", p.Model, p.Slope)
		}
	}
	if math.Abs(mp.Slope-dense.Slope) > 1e-6*mp.Slope || !(dense.Interval < mp.Interval/3) {
		t.Errorf("the dense probe meets %g times %g s apart, the probe %g times %g s apart: want as many meetings, far closer", dense.Slope, dense.Interval, mp.Slope, mp.Interval)
	}
	if !(mp.Wait >= 0) || !(mp.Skew >= 0) {
		t.Errorf("fitted sync_wait %g, sync_skew %g", mp.Wait, mp.Skew)
	}
	if text := res.PlanFile("box", "test"); !strings.Contains(text, "the meeting probes'") {
		t.Errorf("plan file's sync_wait is not the probes':\n%s", text)
	}
	res.Share = 0.5
	if err := probeMeetingsFrom(res, "box", 0.9); err != nil {
		t.Fatal(err)
	}
	if res.Meet.Skipped == "" || strings.Contains(res.PlanFile("box", "test"), "the meeting probes'") {
		t.Errorf("loaded machine: probe %+v counted", res.Meet)
	}
}

// TestFitWaitSkew: the line through the two probes' waits per meeting,
// each part ≥ 0.
func TestFitWaitSkew(t *testing.T) {
	probe := func(interval, perMeeting float64) *calib.MeetProbe {
		// 10 meetings, 5 µs of transfers a step
		return &calib.MeetProbe{Slope: 10, Interval: interval, ModelComm: 5e-6, Comm: 5e-6 + 10*perMeeting}
	}
	for _, c := range []struct {
		name             string
		a, b             *calib.MeetProbe
		wantWait, wantSk float64
	}{
		{"a line", probe(100e-6, 7e-6), probe(20e-6, 3e-6), 2e-6, 0.05},
		{"falling: all fixed", probe(100e-6, 3e-6), probe(20e-6, 5e-6), 4e-6, 0},
		{"one spacing", probe(50e-6, 4e-6), probe(50e-6, 6e-6), 5e-6, 0},
		{"no wait", probe(100e-6, -1e-6), probe(20e-6, -2e-6), 0, 0},
	} {
		w, s := calib.FitWaitSkew(c.a, c.b)
		if math.Abs(w-c.wantWait) > 1e-12 || math.Abs(s-c.wantSk) > 1e-9 {
			t.Errorf("%s: wait %g, skew %g; want %g, %g", c.name, w, s, c.wantWait, c.wantSk)
		}
	}
	// a line through the points would cross below the origin: no fixed
	// wait, and the skew that misses both points least, between the two
	// points' own ratios (10 µs at 100 µs: 0.1; 1 µs at 20 µs: 0.05)
	a, b := probe(100e-6, 10e-6), probe(20e-6, 1e-6)
	w, s := calib.FitWaitSkew(a, b)
	miss := func(s float64) float64 {
		return math.Pow(a.PerMeeting()-s*a.Interval, 2) + math.Pow(b.PerMeeting()-s*b.Interval, 2)
	}
	if w != 0 || !(s > 0.05 && s < 0.1) || miss(s) > miss(s+1e-4) || miss(s) > miss(s-1e-4) {
		t.Errorf("steep: wait %g, skew %g (misses %g; at ±1e-4: %g, %g)", w, s, miss(s), miss(s+1e-4), miss(s-1e-4))
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
