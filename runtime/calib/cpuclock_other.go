//go:build !linux

package calib

import "time"

// threadCPU is not available here: timeCPU falls back to the wall clock.
func threadCPU() (time.Duration, bool) { return 0, false }

// processCPU is not available here: the park cost is not measured, and
// StepSeconds falls back to the wall clock.
func processCPU() (time.Duration, bool) { return 0, false }
