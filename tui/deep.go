package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"planc/ir"
	"planc/passes"
	"planc/passes/sched"
	"planc/runtime/sim"
)

// Deep is what the numeric fast path does not give: the compiled graph (for
// the costliest ops and the traffic by link level), the schedule and its
// simulated timeline. It is computed off the update path, for the current
// plan only, when a pane needs it.
type Deep struct {
	Unit     *ir.Unit
	Schedule *ir.Schedule
	Sim      *sim.Result
	Timeline *Timeline
	// Traffic is the bytes per step by link level (passes.PredictedBytes:
	// tens of ms at thousands of ranks, so not on the key path).
	Traffic passes.TrafficReport
	Took    time.Duration
	err     error
}

// deepState tracks the deep results of the current plan: gen counts the
// plan's changes; a result for an older gen is stale.
type deepState struct {
	gen     int
	running bool
	runGen  int
	have    *Deep
	haveGen int
	started time.Time
}

func (d *deepState) invalidate() { d.gen++ }

// current returns the deep result of the current plan, or nil.
func (d *deepState) current() *Deep {
	if d.have != nil && d.haveGen == d.gen {
		return d.have
	}
	return nil
}

type deepMsg struct {
	gen  int
	deep *Deep
}

// deepCmd starts computing the current plan's deep results when a pane
// needs them (the original's are computed at once) and none is running.
func (m *Model) deepCmd() tea.Cmd {
	d := &m.deep
	if d.current() != nil || d.running {
		return nil
	}
	if d.gen > 0 && m.pane != paneTime && m.pane != paneTimeline {
		return nil
	}
	d.running, d.runGen, d.started = true, d.gen, m.now()
	gen, s, e := d.gen, m.s, m.s.Cur
	return func() tea.Msg { return deepMsg{gen, s.Deep(e)} }
}

// deepDone stores a result and starts the next one if the plan changed
// meanwhile.
func (m *Model) deepDone(msg deepMsg) tea.Cmd {
	d := &m.deep
	d.running = false
	if msg.gen == d.gen {
		d.have, d.haveGen = msg.deep, msg.gen
		return nil
	}
	return m.deepCmd()
}

// Deep compiles an evaluated plan to its graph and schedule and simulates
// one step with the timeline recorded. For the original plan it reuses the
// compiled unit.
func (s *Session) Deep(e *Eval) *Deep {
	t0 := time.Now()
	var u *ir.Unit
	if e == s.Orig {
		u = s.Unit
	} else {
		var diags ir.Diagnostics
		u, diags = passes.Compile(e.Prog, e.Plan, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
		if u == nil || u.Cost == nil {
			return &Deep{err: fmt.Errorf("compile: %v", diags.Err())}
		}
	}
	d := &Deep{Unit: u, Traffic: passes.PredictedBytes(u)}
	// folded over data-parallel replica blocks: the cost grows with what
	// is distinct, and the simulator folds the blocks it proves identical
	sc, diags := sched.BuildFolded(u.Plan, sched.SizesFromUnit(u))
	if diags.HasErrors() {
		d.err = fmt.Errorf("schedule: %v", diags.Err())
		return d
	}
	d.Schedule = sc
	cfg := sim.NetworkOf(u.Plan).Config(sim.FromCostReport(u))
	cfg.Trace, cfg.TraceSimulated = true, true
	res, err := sim.Run(sc, cfg)
	if err != nil {
		d.err = fmt.Errorf("simulate: %v", err)
		return d
	}
	d.Sim = res
	d.Timeline = foldTimeline(sc, res)
	d.Took = time.Since(t0)
	return d
}
