package sched

import (
	"planc/ir"
	"planc/passes"
)

// The schedule passes join the pass table of package passes: "schedule"
// lowers the compiled unit to its runtime schedule (sizes and the stage
// partition from the unit's graph), "verify-schedule" verifies it. Both are
// optional (Options.Skip) so that analyses that need no schedule can skip
// their cost at thousands of ranks.
func init() {
	must(passes.Register(passes.Pass{Name: "schedule", Fn: schedulePass, Stops: true}, "cost",
		[2]string{"pipeline", "schedule"}, [2]string{"zero", "schedule"}))
	must(passes.Register(passes.Pass{Name: "verify-schedule", Fn: verifySchedulePass}, "schedule",
		[2]string{"schedule", "verify-schedule"}))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func schedulePass(st *passes.State) {
	if st.Unit == nil || len(st.Unit.Graph.Stages) == 0 {
		return
	}
	// Folded: what repeats over data-parallel replicas is built, verified
	// and simulated once (readers that need every program expand it).
	s, diags := BuildFolded(st.Plan, SizesFromUnit(st.Unit))
	st.Diags = append(st.Diags, diags...)
	st.Unit.Schedule = s
}

func verifySchedulePass(st *passes.State) {
	if st.Unit == nil || st.Unit.Schedule == nil {
		return
	}
	if _, err := Verify(st.Unit.Schedule); err != nil {
		st.Diags = append(st.Diags, ir.Errorf(st.Plan.Span, "internal error: the generated schedule is wrong: %v", err))
	}
}
