package passes

import (
	"planc/ir"
	"planc/passes/sched"
)

// schedulePass lowers the compiled unit to its runtime schedule (sizes and
// the stage partition from the unit's graph). Folded: what repeats over
// data-parallel replicas is built, verified and simulated once (readers
// that need every program expand it).
func schedulePass(st *State) {
	if st.Unit == nil || len(st.Unit.Graph.Stages) == 0 {
		return
	}
	s, diags := sched.BuildFolded(st.Plan, sched.SizesFromUnit(st.Unit))
	st.Diags = append(st.Diags, diags...)
	st.Unit.Schedule = s
}

// verifySchedulePass checks the schedule against the executors' contract
// (package passes/sched's verifier).
func verifySchedulePass(st *State) {
	if st.Unit == nil || st.Unit.Schedule == nil {
		return
	}
	if _, err := sched.Verify(st.Unit.Schedule); err != nil {
		st.Diags = append(st.Diags, ir.Errorf(st.Plan.Span, "internal error: the generated schedule is wrong: %v", err))
	}
}
