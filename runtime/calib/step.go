package calib

import (
	"sort"

	"planc/ir"
	"planc/runtime/exec"
)

// measureInput times the CPU runtime's synthetic mlp inputs (normal
// draws, runtime/exec.MLPInput) and returns the seconds per element.
func measureInput(opt Options) float64 {
	const width, rows = 64, 32
	x := make([]float32, width)
	i := 0
	return timeCPU(opt, func() {
		for j := 0; j < rows; j++ {
			exec.MLPInput(x, 1, 0, i)
			i++
		}
	}) / (width * rows)
}

// StepSeconds trains p for steps steps with the CPU runtime (the embedded
// corpus, in-process ranks) and returns the median step time after the
// first warm steps. planc calibrate runs it on a probe model whose kernels
// take next to no time, to measure the executor's cost per op.
func StepSeconds(p *ir.Plan, steps, warm int) (float64, error) {
	tr, err := exec.NewTrainer(exec.Config{Plan: p, Steps: steps})
	if err != nil {
		return 0, err
	}
	var secs []float64
	for tr.NextStep() < tr.Steps {
		r, err := tr.Step()
		if err != nil {
			return 0, err
		}
		if r.Step >= warm {
			secs = append(secs, r.Elapsed.Seconds())
		}
	}
	sort.Float64s(secs)
	return secs[len(secs)/2], nil
}
