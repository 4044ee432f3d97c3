package tui

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// BenchmarkKeypress1T measures what a keypress costs on the trillion-
// parameter plan on 3,072 ranks (frontier_1t_3d): the key changes
// micro_batch (1 → 2 → 1 …), the session checks the edited plan, prices
// it and its memory alternatives with the analytic cost model, and the
// screen is drawn again, on each pane in turn. It prints ms/keypress; the
// goal is under 50.
func BenchmarkKeypress1T(b *testing.B) {
	s := open(b, filepath.Join("..", "examples", "frontier_1t.plan"), "frontier_1t_3d")
	m := New(s, 160, 48)
	m.pane = paneMemory
	for i, k := range m.knobs {
		if k.name == "micro_batch" {
			m.knob = i
		}
	}
	keys := []tea.KeyPressMsg{{Code: tea.KeyRight}, {Code: tea.KeyLeft}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.pane = pane(i % int(numPanes))
		m.Update(keys[i%2])
		if m.bad {
			b.Fatal(m.msg)
		}
		m.Render()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/keypress")
}

// BenchmarkOpen1T measures opening the inspector on frontier_1t_3d: load,
// check, compile (the planner fills the auto fields), the first screen,
// then the schedule, its simulation and the folded timeline. It prints
// the seconds to the first screen and to the timeline; the goal is under
// 2 s including the timeline.
func BenchmarkOpen1T(b *testing.B) {
	var first, full time.Duration
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		s := open(b, filepath.Join("..", "examples", "frontier_1t.plan"), "frontier_1t_3d")
		m := New(s, 160, 48)
		m.Render()
		first += time.Since(t0)
		runCmd(m, m.Init())
		m.pane = paneTimeline
		m.Render()
		if m.deep.current() == nil || m.deep.current().Timeline == nil {
			b.Fatal("no timeline")
		}
		full += time.Since(t0)
	}
	b.ReportMetric(first.Seconds()/float64(b.N), "s-to-first-screen")
	b.ReportMetric(full.Seconds()/float64(b.N), "s-with-timeline")
	// on a shared machine the wall time depends on the load; the CPU time
	// (all threads, the GC's included) does not
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s-with-timeline")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
