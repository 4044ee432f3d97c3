package sched

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"planc/ir"
)

// Estimate is what a plan's schedule holds when every rank's program is
// written out (an executor's view), computed from the plan alone, before
// anything is built.
type Estimate struct {
	Ranks int64
	// ActionsPerRank bounds one rank's actions from above: per micro-batch
	// and virtual stage a forward, a backward (and a W when the backward is
	// split), four sends and recvs and, under ZeRO-3, two gathers per
	// parameter class; then the step's reductions, sums and gathers.
	ActionsPerRank int64
	// Bytes is the memory of the actions and of the rank programs.
	Bytes int64
}

// rankProgramBytes is what a rank's program costs besides its actions.
const rankProgramBytes = 64

// stepActions bounds the step-level actions of one rank: gradient
// buckets, tied and sequence sums, the norm, the optimizer and ZeRO-1/2's
// gathers (the buckets are few: one per layer unit at most).
const stepActions = 256

// EstimatePlan returns the size of plan p's whole schedule (fields
// resolved).
func EstimatePlan(p *ir.Plan) Estimate {
	m := int64(max(p.MicroBatches(), 0))
	v := int64(max(p.VPP, 1))
	perMB := int64(2 + 4) // F, B; sends and recvs
	if p.Schedule.SplitsBackward() {
		perMB++ // W
	}
	if p.Zero >= 3 {
		perMB += 4
	}
	e := Estimate{Ranks: int64(p.WorldSize()), ActionsPerRank: perMB*m*v + stepActions}
	e.Bytes = e.Ranks * (e.ActionsPerRank*ir.ActionBytes + rankProgramBytes)
	return e
}

// CheckMemory refuses a plan whose whole schedule needs more than avail
// bytes, saying how much it needs; avail <= 0 means unknown (no check).
func CheckMemory(p *ir.Plan, avail int64) error {
	e := EstimatePlan(p)
	if avail <= 0 || e.Bytes <= avail {
		return nil
	}
	return fmt.Errorf("the schedule of plan %s needs about %.3g GiB (%d ranks × up to %d actions of %d bytes), more than the %.3g GiB of memory available: reduce the micro-batches per step (global_batch) or the ranks",
		p.Name, float64(e.Bytes)/(1<<30), e.Ranks, e.ActionsPerRank, ir.ActionBytes, float64(avail)/(1<<30))
}

// AvailableMemory returns the memory the system can give this process
// (Linux's MemAvailable), or 0 when it cannot tell.
func AvailableMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// CheckExpand refuses to write out every program of schedule s (for a
// schedule file, its text or an executor) when that needs more than avail
// bytes; avail <= 0 means unknown (no check).
func CheckExpand(s *ir.Schedule, avail int64) error {
	need := int64(s.NumActions())*ir.ActionBytes + int64(len(s.Ranks))*rankProgramBytes
	if avail <= 0 || need <= avail {
		return nil
	}
	return fmt.Errorf("the schedule of plan %s has %d actions over %d ranks: written out it needs about %.3g GiB, more than the %.3g GiB of memory available (simulate and explain hold it folded)",
		s.Plan, s.NumActions(), len(s.Ranks), float64(need)/(1<<30), float64(avail)/(1<<30))
}
