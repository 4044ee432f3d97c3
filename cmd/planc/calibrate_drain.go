package main

import (
	"fmt"
	"runtime"

	"planc/ir"
	"planc/passes"
	"planc/runtime/calib"
)

// drainProbeModel is a small MoE transformer trained with twice as many
// ranks as processors, data- and expert-parallel over all of them, so that
// every expert exchange is a meeting of every rank (as the ep all-to-alls
// of a plan with more ranks than cores are): its wall-clock step against
// the cost model's, per such meeting, is what the meetings cost a training
// step beyond its work (drain_wait). Its shapes are none of the example
// plans' (hidden 96, 3 heads, 32 tokens, one expert per rank, top-1).
// Formatted with the cluster (left as %[1]s for loadProbe), the ranks
// and the global batch.
const drainProbeModel = `
model calib_drain_moe {
  vocab  = 256
  seq    = 32
  hidden = 96
  layers = 2
  heads  = 3
  ffn    = 384
  moe {
    experts    = %[2]d
    topk       = 1
    expert_ffn = 96
  }
}

plan calib_drain {
  model        = calib_drain_moe
  cluster      = %[1]s
  dp           = %[2]d
  ep           = %[2]d
  global_batch = %[3]d
  micro_batch  = 2
  precision    = fp32
  moe {
    dispatch = padding_free
  }
}
`

// drainProbeSteps and drainProbeWarm: the drain probe's steps, and those
// left out of the median.
const drainProbeSteps, drainProbeWarm = 45, 5

// probeDrain measures res.DrainStep (see calib.DrainStepProbe): the probe
// on the processors the process has, against the cost model with every
// figure so far and drain_wait 0, then 1 µs, less what the model misses of
// the same probe's work on one processor.
func probeDrain(res *calib.Result, name string) error {
	return probeDrainFrom(res, name, meetProbeShare)
}

// probeDrainFrom is probeDrain counting the probe from a share of the
// processors minShare (a test takes any machine as unloaded).
func probeDrainFrom(res *calib.Result, name string, minShare float64) error {
	procs := runtime.GOMAXPROCS(0)
	ranks := 2 * procs
	dp := &calib.DrainStepProbe{Model: fmt.Sprintf("calib_drain (MoE, dp = ep = %d, 2 layers, hidden 96, 3 heads, 32 tokens, %d experts top-1, a micro-batch of 2 a rank)", ranks, ranks), Ranks: ranks, Procs: procs}
	res.DrainStep = dp
	switch {
	case procs < 2:
		dp.Skipped = "fewer than 2 processors"
		return nil
	case res.Share < minShare:
		dp.Skipped = fmt.Sprintf("core_share %.2f < %.2f (a loaded machine)", res.Share, minShare)
		return nil
	}
	p, err := loadProbe(res, name, fmt.Sprintf(drainProbeModel, "%[1]s", ranks, 2*ranks), "calib_drain")
	if err != nil {
		return err
	}
	got, err := interleavedMedians(probeRounds,
		func() (float64, error) {
			wall, _, err := calib.StepWall(p, drainProbeSteps, drainProbeWarm)
			return wall, err
		},
		func() (float64, error) { return calib.StepSeconds(p, drainProbeSteps, drainProbeWarm) })
	if err != nil {
		return err
	}
	dp.Measured, dp.One = got[0], got[1]
	// the load just after: a wall-clock step on a loaded machine is longer
	// for reasons that are no meeting's
	if dp.Share, _ = calib.Share(calib.Options{}); dp.Share < minShare {
		dp.Skipped = fmt.Sprintf("core_share %.2f just after it (< %.2f: a loaded machine)", dp.Share, minShare)
		return nil
	}
	one, err := estimateDrain(p, 0, 1)
	if err != nil {
		return err
	}
	dp.OneModel = one.StepTime
	at0, err := estimateDrain(p, 0, float64(procs))
	if err != nil {
		return err
	}
	at1, err := estimateDrain(p, 1e-6, float64(procs))
	if err != nil {
		return err
	}
	dp.Zero, dp.Slope = at0.StepTime, (at1.StepTime-at0.StepTime)/1e-6
	if !(dp.Slope > 0) || !(dp.OneModel > 0) {
		dp.Skipped = "the probe's step does not depend on drain_wait"
		return nil
	}
	// the model's miss of the probe's work, shared by the processors
	miss := (dp.One - dp.OneModel) / float64(procs)
	dp.Wait = max(0, (dp.Measured-dp.Zero-miss)/dp.Slope)
	return nil
}

// estimateDrain is the cost model's step for p on an unloaded node of
// cores processors with drain_wait drain.
func estimateDrain(p *ir.Plan, drain, cores float64) (passes.Estimation, error) {
	return estimateWith(p, func(n *ir.Node) { n.DrainWait, n.CoreShare, n.ThreadShare, n.Cores = drain, 1, 1, cores })
}
