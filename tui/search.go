package tui

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"planc/passes"
)

// searchSpace is what the Search pane searches besides the file's auto
// fields: the degrees, the micro-batch, recomputation and ZeRO, every
// legal value of each (passes.Search prunes by the checker's constraints
// and memory).
var searchSpace = []string{"tp", "pp", "dp", "micro_batch", "recompute", "zero"}

// searchLimit bounds one search's estimates; the pane says when it is hit.
const searchLimit = 200_000

// Search ranks the plans of the original plan's space by an objective
// ([passes.Search]): its auto fields and [searchSpace]. progress is
// called from another goroutine.
func (s *Session) Search(obj passes.Objective, progress func(done, total int64)) (*passes.SearchReport, error) {
	plan := s.Prog.Plan(s.opts.Plan)
	if plan == nil {
		return nil, fmt.Errorf("the plan %s is gone", s.opts.Plan)
	}
	known := map[string]bool{}
	for _, f := range passes.SearchableFields() {
		known[f] = true
	}
	space := map[string][]string{}
	for _, f := range searchSpace {
		if known[f] {
			space[f] = nil
		}
	}
	rep, diags := passes.Search(plan, passes.SearchOptions{Space: space, Objective: obj, Top: 10, Limit: searchLimit, Progress: progress})
	if diags.HasErrors() {
		return nil, diags.Err()
	}
	return rep, nil
}

// searchState is the Search pane: the running search's progress, its
// report, the selected result.
type searchState struct {
	running     bool
	done, total atomic.Int64
	rep         *passes.SearchReport
	err         error
	sel         int
	obj         passes.Objective // what the results are ranked by
}

// objectives are what o cycles through.
var objectives = []passes.Objective{passes.ObjTime, passes.ObjEnergy, passes.ObjMemory, passes.ObjCost}

type searchMsg struct {
	rep *passes.SearchReport
	err error
}

type searchTick struct{}

func tickSearch() tea.Cmd {
	return tea.Tick(100*time.Millisecond, func(time.Time) tea.Msg { return searchTick{} })
}

// startSearch runs the search off the update path; a tick redraws its
// progress.
func (m *Model) startSearch() tea.Cmd {
	st := &m.srch
	if st.running {
		return nil
	}
	st.running, st.err = true, nil
	st.done.Store(0)
	st.total.Store(0)
	s, obj := m.s, st.obj
	run := func() tea.Msg {
		rep, err := s.Search(obj, func(done, total int64) { st.done.Store(done); st.total.Store(total) })
		return searchMsg{rep, err}
	}
	return tea.Batch(run, tickSearch())
}

func (m *Model) searchDone(msg searchMsg) {
	st := &m.srch
	st.running, st.rep, st.err, st.sel = false, msg.rep, msg.err, 0
}

func (m *Model) searchKey(k string) tea.Cmd {
	st := &m.srch
	switch k {
	case "s":
		return m.startSearch()
	case "o":
		if st.running {
			return nil
		}
		for i, o := range objectives {
			if o == st.obj {
				st.obj = objectives[(i+1)%len(objectives)]
				break
			}
		}
		return m.startSearch()
	case "j":
		if st.rep != nil {
			st.sel = min(st.sel+1, max(len(st.rep.Results)-1, 0))
		}
	case "k":
		st.sel = max(st.sel-1, 0)
	case "l":
		if st.rep == nil || st.sel >= len(st.rep.Results) {
			return nil
		}
		r := st.rep.Results[st.sel]
		cur := map[string]string{}
		for _, kn := range m.knobs {
			cur[kn.name] = kn.value(m.s.Cur.Plan)
		}
		var sets []string // the fields the result changes
		for j, f := range st.rep.Fields {
			if v := r.Values[j].String(); v != cur[f] {
				sets = append(sets, f+"="+v)
			}
		}
		if len(sets) == 0 {
			m.note(fmt.Sprintf("result %d is the current plan", st.sel+1), false)
			return nil
		}
		if err := m.s.Load(sets); err != nil {
			m.note("result "+fmt.Sprint(st.sel+1)+" refused: "+err.Error(), true)
			return nil
		}
		m.note(fmt.Sprintf("loaded result %d: %s", st.sel+1, strings.Join(sets, " ")), false)
		return m.changed()
	}
	return nil
}

// search draws the ranked plans.
func (m *Model) search(w, h int) []string {
	st := &m.srch
	switch {
	case st.running:
		return []string{fmt.Sprintf(" searching… %d of %d plans accounted for", st.done.Load(), st.total.Load())}
	case st.err != nil:
		return []string{" " + m.st.bad.Render(st.err.Error())}
	case st.rep == nil:
		return []string{" s searches the plan's space: its auto fields and " + strings.Join(searchSpace, ", ")}
	}
	rep := st.rep
	out := []string{fmt.Sprintf(" %d plans in the space, %d estimated, %d fit; the best by %s", rep.Space, rep.Evaluated, rep.Fits, objectiveWords[rep.Objective])}
	if rep.HitLimit {
		out[0] += m.st.bad.Render(fmt.Sprintf(" (stopped at %d estimates)", searchLimit))
	}
	// a column per searched field, as wide as its header or widest value
	widths := make([]int, len(rep.Fields))
	heads := make([]string, len(rep.Fields))
	for j, f := range rep.Fields {
		heads[j] = shortField(f)
		widths[j] = len(heads[j])
		for _, r := range rep.Results {
			widths[j] = max(widths[j], len(r.Values[j].String()))
		}
	}
	head := fmt.Sprintf("   %-3s %11s %7s %7s", "#", "step", "GiB", "J/tok")
	for j := range rep.Fields {
		head += fmt.Sprintf(" %*s", widths[j], heads[j])
	}
	out = append(out, head)
	for i, r := range rep.Results {
		line := fmt.Sprintf("   %-3d %11s %7.2f %7.3g", i+1, seconds(r.Est.StepTime), r.Est.PeakBytes/(1<<30), r.Scores[passes.ObjEnergy])
		for j := range rep.Fields {
			line += fmt.Sprintf(" %*s", widths[j], r.Values[j].String())
		}
		if i == st.sel {
			line = m.st.sel.Render("▸" + line[1:])
		}
		out = append(out, line)
	}
	if len(rep.Results) == 0 {
		out = append(out, "   no plan of the space fits")
	}
	if st.sel < len(rep.Results) {
		if d := rep.Results[st.sel].Next; d != nil {
			var parts []string
			for _, k := range d.Knobs {
				parts = append(parts, fmt.Sprintf("%s %s → %s", k.Field, k.From, k.To))
			}
			out = append(out, "", fmt.Sprintf(" vs the next: %+.3f s; %s", d.Delta, strings.Join(parts, ", ")))
		}
	}
	return out
}

// shortField is a searched field's column header.
func shortField(f string) string {
	switch f {
	case "micro_batch":
		return "mb"
	case "global_batch":
		return "gb"
	case "recompute":
		return "recomp"
	case "schedule":
		return "sched"
	}
	return f
}

var objectiveWords = map[passes.Objective]string{passes.ObjTime: "step time", passes.ObjEnergy: "energy per token",
	passes.ObjMemory: "peak memory", passes.ObjCost: "device-hours per million tokens"}
