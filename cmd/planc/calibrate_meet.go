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
// does: the time its ranks spend in their calls beyond the cost model's
// transfers is what a meeting costs inside a step. calib_meet_dense is
// the same at an eighth of the tokens: as many meetings with far less
// compute between them, which tells a fixed wait per meeting (sync_wait)
// from one in proportion to the compute (sync_skew). Its shapes are none
// of the example plans' (4 heads of 32, the attention microbenchmarks'
// width).
const meetProbeModel = `
model calib_meet_gpt {
  vocab  = 256
  seq    = 32
  hidden = 128
  layers = 2
  heads  = 4
  ffn    = 512
}

model calib_meet_short {
  vocab  = 256
  seq    = 8
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

plan calib_meet_dense {
  model        = calib_meet_short
  cluster      = %[1]s
  tp           = 2
  global_batch = 2
  micro_batch  = 1
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

// probeMeetings measures res.Meet (see calib.MeetProbe): the probe and
// its dense twin under tp = 2 on two processors, their ranks' time in
// their calls against the cost model's transfers.
func probeMeetings(res *calib.Result, name string) error {
	return probeMeetingsFrom(res, name, meetProbeShare)
}

// probeMeetingsFrom is probeMeetings counting the probe from a share of
// the processors minShare (a test takes any machine as unloaded).
func probeMeetingsFrom(res *calib.Result, name string, minShare float64) error {
	mp := &calib.MeetProbe{Model: "calib_meet (tp 2, 2 layers, hidden 128, 4 heads, 32 tokens, 2 micro-batches of 2)", Skew: -1}
	dense := &calib.MeetProbe{Model: "calib_meet_dense (the same at 8 tokens, 2 micro-batches of 1)", Skew: -1}
	res.Meet, mp.Dense = mp, dense
	switch {
	case res.CPUs < 2 || runtime.GOMAXPROCS(0) < 2:
		mp.Skipped = "fewer than 2 processors"
		return nil
	case res.Share < minShare:
		mp.Skipped = fmt.Sprintf("core_share %.2f < %.2f (a loaded machine)", res.Share, minShare)
		return nil
	}
	probes := []*calib.MeetProbe{mp, dense}
	plans := make([]*ir.Plan, len(probes))
	for i, name2 := range []string{"calib_meet", "calib_meet_dense"} {
		p, err := loadProbe(res, name, meetProbeModel, name2)
		if err != nil {
			return err
		}
		plans[i] = p
	}
	// interleaved rounds: both spacings meet the same minutes of the machine
	samples := make([][]calib.WallSample, len(probes))
	for r := 0; r < probeRounds; r++ {
		for i, p := range plans {
			w, err := calib.StepWallComm(p, meetProbeSteps, meetProbeWarm)
			if err != nil {
				return err
			}
			samples[i] = append(samples[i], w)
		}
	}
	for i, m := range probes {
		med := medianSample(samples[i])
		m.Measured, m.Comm, m.Share = med.Wall, med.Comm, med.Share
		if err := priceMeetProbe(m, plans[i], minShare); err != nil {
			return err
		}
	}
	switch {
	case mp.Skipped != "":
		return nil
	case dense.Skipped == "":
		mp.Wait, mp.Skew = calib.FitWaitSkew(mp, dense)
	default: // this probe alone, at the microbenchmark's skew
		mp.Wait = max(0, mp.PerMeeting()-res.InProc.SyncSkew*mp.Interval)
	}
	skew := mp.Skew
	if skew < 0 {
		skew = res.InProc.SyncSkew
	}
	for i, m := range probes {
		if m.Skipped == "" {
			e, err := estimateAt(plans[i], mp.Wait, skew, plans[i].Cluster.Node.Cores)
			if err != nil {
				return err
			}
			m.AtFit = e.StepTime
		}
	}
	return nil
}

// medianSample is each figure's median over samples.
func medianSample(samples []calib.WallSample) calib.WallSample {
	var wall, comm, share []float64
	for _, w := range samples {
		wall, comm, share = append(wall, w.Wall), append(comm, w.Comm), append(share, w.Share)
	}
	return calib.WallSample{Wall: calib.Median(wall), Comm: calib.Median(comm), Share: calib.Median(share)}
}

// priceMeetProbe sets mp's model figures (see calib.MeetProbe) for its
// plan p at sync_wait and sync_skew 0, or says why it does not count.
func priceMeetProbe(mp *calib.MeetProbe, p *ir.Plan, minShare float64) error {
	if mp.Share < minShare {
		mp.Skipped = fmt.Sprintf("its ranks held the processors %.0f%% of its steps (< %.0f%%: a loaded machine)", 100*mp.Share, 100*minShare)
		return nil
	}
	cores := p.Cluster.Node.Cores
	at0, err := estimateAt(p, 0, 0, cores)
	if err != nil {
		return err
	}
	at1, err := estimateAt(p, 1e-6, 0, cores)
	if err != nil {
		return err
	}
	mp.Zero, mp.ModelComm = at0.StepTime, at0.ExposedComm
	mp.Slope = (at1.StepTime - mp.Zero) / 1e-6
	if !(mp.Slope >= 1) {
		mp.Skipped = "the probe's step does not depend on sync_wait"
		return nil
	}
	mp.Interval = at0.Compute / mp.Slope
	return nil
}

// estimateAt is the cost model's step for p on an unloaded node with
// sync_wait wait, sync_skew skew and cores processors (0: each rank its
// own, as one rank's CPU time is measured).
func estimateAt(p *ir.Plan, wait, skew, cores float64) (passes.Estimation, error) {
	return estimateWith(p, func(n *ir.Node) {
		n.SyncWait, n.SyncSkew, n.CoreShare, n.ThreadShare, n.Cores = wait, skew, 1, 1, cores
	})
}
