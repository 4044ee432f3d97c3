package main

import (
	"fmt"
	"runtime"

	"planc/ir"
	"planc/passes"
	"planc/runtime/calib"
)

// meetProbeModel is a small transformer trained under tp = 2, whose ranks
// meet at every layer forward and backward as a tensor-parallel step
// does: its wall-clock step against the cost model's is what a meeting
// costs inside a step (sync_wait). Its shapes are none of the example
// plans' (4 heads of 32, the attention microbenchmarks' width).
const meetProbeModel = `
model calib_meet_gpt {
  vocab  = 256
  seq    = 32
  hidden = 128
  layers = 2
  heads  = 4
  ffn    = 512
}

plan calib_meet {
  model        = calib_meet_gpt
  cluster      = %[1]s
  tp           = 2
  global_batch = 4
  micro_batch  = 2
  precision    = fp32
}

plan calib_meet_one {
  model        = calib_meet_gpt
  cluster      = %[1]s
  global_batch = 4
  micro_batch  = 2
  precision    = fp32
}
`

// meetProbeSteps and meetProbeWarm: the meeting probe's steps, and those
// left out of the median.
const meetProbeSteps, meetProbeWarm = 45, 5

// meetProbeShare is the core_share from which the machine counts as
// unloaded for the meeting probe, and the share of the processors its
// ranks must hold while it runs: a wall-clock step on a loaded machine
// is longer for reasons that are no meeting's.
const meetProbeShare = 0.9

// probeMeetings measures res.Meet (see calib.MeetProbe): the probe under
// tp = 2 on two processors, against the cost model with every figure so
// far and sync_wait 0, then 1 µs, less what the model misses of the same
// probe's work on one rank.
func probeMeetings(res *calib.Result, name string) error {
	return probeMeetingsFrom(res, name, meetProbeShare)
}

// probeMeetingsFrom is probeMeetings counting the probe from a share of
// the processors minShare (a test takes any machine as unloaded).
func probeMeetingsFrom(res *calib.Result, name string, minShare float64) error {
	mp := &calib.MeetProbe{Model: "calib_meet (tp 2, 2 layers, hidden 128, 4 heads, 32 tokens, 2 micro-batches of 2)"}
	res.Meet = mp
	switch {
	case res.CPUs < 2 || runtime.GOMAXPROCS(0) < 2:
		mp.Skipped = "fewer than 2 processors"
		return nil
	case res.Share < minShare:
		mp.Skipped = fmt.Sprintf("core_share %.2f < %.2f (a loaded machine)", res.Share, minShare)
		return nil
	}
	p, err := loadProbe(res, name, meetProbeModel, "calib_meet")
	if err != nil {
		return err
	}
	single, err := loadProbe(res, name, meetProbeModel, "calib_meet_one")
	if err != nil {
		return err
	}
	var shares []float64
	got, err := interleavedMedians(probeRounds,
		func() (float64, error) {
			wall, share, err := calib.StepWall(p, meetProbeSteps, meetProbeWarm)
			shares = append(shares, share)
			return wall, err
		},
		func() (float64, error) { return calib.StepSeconds(single, meetProbeSteps, meetProbeWarm) })
	if err != nil {
		return err
	}
	mp.Measured, mp.One, mp.Share = got[0], got[1], calib.Median(shares)
	if mp.Share < minShare {
		mp.Skipped = fmt.Sprintf("its ranks held the processors %.0f%% of its steps (< %.0f%%: a loaded machine)", 100*mp.Share, 100*minShare)
		return nil
	}
	one, err := estimateAt(single, 0, 0)
	if err != nil {
		return err
	}
	mp.OneModel = one.StepTime
	at1, err := estimateAt(p, 1e-6, p.Cluster.Node.Cores)
	if err != nil {
		return err
	}
	at0, err := estimateAt(p, 0, p.Cluster.Node.Cores)
	if err != nil {
		return err
	}
	mp.Zero, mp.Work = at0.StepTime, at0.Compute+at0.Optimizer
	mp.Slope = (at1.StepTime - mp.Zero) / 1e-6
	if !(mp.Slope > 0) || !(mp.OneModel > 0) {
		mp.Skipped = "the probe's step does not depend on sync_wait"
		return nil
	}
	miss := mp.Work * (mp.One/mp.OneModel - 1)
	mp.Wait = max(0, (mp.Measured-mp.Zero-miss)/mp.Slope)
	return nil
}

// estimateAt is the cost model's step for p on an unloaded node with
// sync_wait wait and cores processors (0: each rank its own, as one
// rank's CPU time is measured).
func estimateAt(p *ir.Plan, wait, cores float64) (passes.Estimation, error) {
	return estimateWith(p, func(n *ir.Node) { n.SyncWait, n.CoreShare, n.ThreadShare, n.Cores = wait, 1, 1, cores })
}
