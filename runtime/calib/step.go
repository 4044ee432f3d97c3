package calib

import (
	"runtime"

	"planc/ir"
	"planc/runtime/cpuclock"
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
// corpus, in-process ranks) on one Go processor and returns the median
// step's CPU time after the first warm steps: the work of a step, which
// other processes taking the core away do not lengthen (the wall clock
// where the process's CPU clock cannot be read). planc calibrate runs it
// on a probe model whose kernels take next to no time, to measure the
// executor's cost per op; on one processor the garbage collector's work
// is the step's too.
func StepSeconds(p *ir.Plan, steps, warm int) (float64, error) {
	s, err := StepSecondsOf([]*ir.Plan{p}, steps, warm)
	if err != nil {
		return 0, err
	}
	return s[0], nil
}

// StepSecondsOf is StepSeconds for several plans whose steps alternate
// (one step of each in turn), so that a machine whose load moves meets
// them alike: each plan's median step.
func StepSecondsOf(ps []*ir.Plan, steps, warm int) ([]float64, error) {
	trs := make([]*exec.Trainer, len(ps))
	for i, p := range ps {
		tr, err := exec.NewTrainer(exec.Config{Plan: p, Steps: steps})
		if err != nil {
			return nil, err
		}
		trs[i] = tr
	}
	secs := make([][]float64, len(ps))
	err := func() error {
		prev := runtime.GOMAXPROCS(1)
		defer runtime.GOMAXPROCS(prev)
		for k := 0; k < steps; k++ {
			for i, tr := range trs {
				t0, cpu := cpuclock.Process()
				r, err := tr.Step()
				if err != nil {
					return err
				}
				t1, _ := cpuclock.Process()
				if r.Step < warm {
					continue
				}
				if cpu {
					secs[i] = append(secs[i], (t1 - t0).Seconds())
				} else {
					secs[i] = append(secs[i], r.Elapsed.Seconds())
				}
			}
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	med := make([]float64, len(ps))
	for i, s := range secs {
		med[i] = Median(s)
	}
	return med, nil
}
