package calib

import (
	"runtime"
	"sort"

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
	tr, err := exec.NewTrainer(exec.Config{Plan: p, Steps: steps})
	if err != nil {
		return 0, err
	}
	var secs []float64
	err = func() error {
		prev := runtime.GOMAXPROCS(1)
		defer runtime.GOMAXPROCS(prev)
		for tr.NextStep() < tr.Steps {
			t0, cpu := cpuclock.Process()
			r, err := tr.Step()
			if err != nil {
				return err
			}
			t1, _ := cpuclock.Process()
			if r.Step >= warm {
				if cpu {
					secs = append(secs, (t1 - t0).Seconds())
				} else {
					secs = append(secs, r.Elapsed.Seconds())
				}
			}
		}
		return nil
	}()
	if err != nil {
		return 0, err
	}
	sort.Float64s(secs)
	return secs[len(secs)/2], nil
}
