package sim

import (
	"testing"

	"planc/passes/sched"
)

func TestProf512(t *testing.T) {
	sp := scalePlans[0]
	p := loadPlan(t, sp.file, sp.plan, sp.sets)
	s, _ := sched.Build(p, sched.PlanSizes(p))
	n := s.NumStages()
	net := NetworkOf(p)
	tab := &StageTable{F: fill(n, 1e-2), B: fill(n, 2e-2), W: fill(n, 0), Net: net}
	if _, err := Run(s, net.Config(tab)); err != nil {
		t.Fatal(err)
	}
}
