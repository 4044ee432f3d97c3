package tui

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"planc/ir"
	"planc/passes/sched"
	"planc/runtime/sim"
)

// Timeline is a simulated step as rows of the Gantt chart: one row per
// distinct rank timeline. The simulator runs one rank for each set of
// ranks it proves identical (tp copies, data-parallel replica blocks:
// sim.Result.Of); simulated ranks whose every event (kind, stream, start,
// duration) is the same fold into one row as well, so a row stands for
// Count ranks.
type Timeline struct {
	Rows  []TimelineRow
	End   float64 // the step time
	Ranks int     // ranks in the schedule
}

// TimelineRow is one folded rank timeline.
type TimelineRow struct {
	PP, Rank int // its pipeline rank, and the first rank it stands for
	Count    int
	Compute  []sim.Event // by start
	Comm     []sim.Event
}

// foldTimeline groups a simulation's events by rank and folds identical
// ranks of each pipeline rank.
func foldTimeline(s *ir.Schedule, res *sim.Result) *Timeline {
	// the events of each rank, in one array ordered by rank
	counts := make([]int, len(s.Ranks)+1)
	for _, e := range res.Events {
		counts[e.Rank+1]++
	}
	var ranks []int32
	for r := range s.Ranks {
		if counts[r+1] > 0 {
			ranks = append(ranks, int32(r))
		}
		counts[r+1] += counts[r]
	}
	all := make([]sim.Event, len(res.Events))
	fill := append([]int(nil), counts...)
	for _, e := range res.Events {
		all[fill[e.Rank]] = e
		fill[e.Rank]++
	}
	// each simulated rank stands for the ranks the simulator proved
	// identical to it (tp copies, data-parallel replica blocks)
	stands := make([]int, len(s.Ranks))
	for r := range s.Ranks {
		of := r
		if r < len(res.Of) {
			of = int(res.Of[r])
		}
		stands[of]++
	}
	tl := &Timeline{End: res.StepTime, Ranks: len(s.Ranks)}
	byPP := map[int][]int{} // pipeline rank → its rows
	byStart := func(a, b sim.Event) int {
		if c := cmp.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.Action, b.Action)
	}
	kept := map[int][]sim.Event{} // row → its rank's events, for comparison
	for _, r := range ranks {
		// compared in the simulator's order: two ranks whose events came
		// out in a different order do not fold (a conservative answer)
		evs := all[counts[r]:counts[r+1]]
		pp := s.Ranks[r].Coord.PP
		folded := false
		for _, i := range byPP[pp] {
			if sameEvents(kept[i], evs) {
				tl.Rows[i].Count += stands[r]
				folded = true
				break
			}
		}
		if folded {
			continue
		}
		byPP[pp] = append(byPP[pp], len(tl.Rows))
		kept[len(tl.Rows)] = evs
		row := newRow(pp, int(r), stands[r], evs)
		for _, l := range [][]sim.Event{row.Compute, row.Comm} {
			if !slices.IsSortedFunc(l, byStart) {
				slices.SortFunc(l, byStart)
			}
		}
		tl.Rows = append(tl.Rows, row)
	}
	sort.SliceStable(tl.Rows, func(i, j int) bool { return tl.Rows[i].PP < tl.Rows[j].PP })
	return tl
}

// newRow splits a rank's events by stream.
func newRow(pp, rank, count int, evs []sim.Event) TimelineRow {
	nc := 0
	for _, e := range evs {
		if e.Stream == sim.StreamCompute {
			nc++
		}
	}
	row := TimelineRow{PP: pp, Rank: rank, Count: count, Compute: make([]sim.Event, 0, nc), Comm: make([]sim.Event, 0, len(evs)-nc)}
	for _, e := range evs {
		if e.Stream == sim.StreamCompute {
			row.Compute = append(row.Compute, e)
		} else {
			row.Comm = append(row.Comm, e)
		}
	}
	return row
}

// sameEvents compares two ranks' timelines up to the rank itself.
func sameEvents(a, b []sim.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Kind != y.Kind || x.Stream != y.Stream || x.Start != y.Start || x.Dur != y.Dur {
			return false
		}
	}
	return true
}

// at returns the event of evs (sorted by start) covering time t, or -1.
func at(evs []sim.Event, t float64) int {
	i := sort.Search(len(evs), func(i int) bool { return evs[i].Start > t }) - 1
	if i >= 0 && t < evs[i].Start+evs[i].Dur {
		return i
	}
	return -1
}

// within returns an event of evs that starts in [from, to), or -1.
func within(evs []sim.Event, from, to float64) int {
	i := sort.Search(len(evs), func(i int) bool { return evs[i].Start >= from })
	if i < len(evs) && evs[i].Start < to {
		return i
	}
	return -1
}

// kindLetter is the Gantt letter of a compute action.
func kindLetter(k ir.ActionKind) byte {
	switch k {
	case ir.ActF:
		return 'F'
	case ir.ActB:
		return 'B'
	case ir.ActW:
		return 'w'
	case ir.ActOptimizer:
		return 'o'
	}
	return '#'
}

// timelineState is the view of the chart: the zoom (1: the whole step),
// the view's start in seconds, the cursor's column and row.
type timelineState struct {
	zoom  float64
	start float64
	col   int
	row   int
	cols  int // the chart's width when last drawn
}

const labelWidth = 16

func (m *Model) timelineKey(k string) {
	t := &m.tl
	switch k {
	case "h":
		t.col--
	case "l":
		t.col++
	case "H":
		t.col -= 10
	case "L":
		t.col += 10
	case "z", "x":
		// zoom about the cursor: the time under it stays under it
		d := m.deep.current()
		if d == nil || d.Timeline == nil || t.cols == 0 {
			return
		}
		dt := d.Timeline.End / t.zoom / float64(t.cols)
		at := t.start + (float64(t.col)+0.5)*dt
		if k == "z" {
			t.zoom *= 2
		} else {
			t.zoom = max(t.zoom/2, 1)
		}
		t.start = at - (float64(t.col)+0.5)*d.Timeline.End/t.zoom/float64(t.cols)
	case "0":
		t.zoom, t.start, t.col = 1, 0, 0
	case "n", "p":
		d := m.deep.current()
		if d == nil || d.Timeline == nil {
			return
		}
		t.row = nextStageRow(d.Timeline.Rows, t.row, k == "n")
	}
}

// nextStageRow returns the first row of the next (or previous) pipeline
// rank.
func nextStageRow(rows []TimelineRow, cur int, forward bool) int {
	if len(rows) == 0 {
		return 0
	}
	cur = min(max(cur, 0), len(rows)-1)
	pp := rows[cur].PP
	if forward {
		for i := cur + 1; i < len(rows); i++ {
			if rows[i].PP != pp {
				return i
			}
		}
		return cur
	}
	for i := cur - 1; i >= 0; i-- {
		if rows[i].PP != pp {
			for i > 0 && rows[i-1].PP == rows[i].PP {
				i--
			}
			return i
		}
	}
	return 0
}

// timeline draws the Gantt chart of the current plan's simulated step.
func (m *Model) timeline(w, h int) []string {
	d := m.deep.current()
	switch {
	case d == nil:
		return []string{" simulating the step… (the schedule is built and simulated off the key path)"}
	case d.err != nil:
		return []string{" " + m.st.bad.Render(d.err.Error())}
	}
	tl, t := d.Timeline, &m.tl
	cols := max(w-labelWidth, 8)
	t.cols = cols
	span := tl.End / t.zoom
	dt := span / float64(cols)
	// keep the cursor on screen, scrolling the view
	if t.col < 0 {
		t.start -= float64(-t.col) * dt
		t.col = 0
	}
	if t.col >= cols {
		t.start += float64(t.col-cols+1) * dt
		t.col = cols - 1
	}
	t.start = min(max(t.start, 0), max(tl.End-span, 0))
	t.row = min(max(t.row, 0), len(tl.Rows)-1)
	rowsH := max(h-4, 1)
	lines := 1 // lines per row: compute, and communication when there is room
	if 2*len(tl.Rows) <= rowsH {
		lines = 2
	}
	shown := rowsH / lines
	first := min(max(t.row-shown/2, 0), max(len(tl.Rows)-shown, 0))

	out := []string{fmt.Sprintf(" %d ranks as %d rows (identical folded) · %s–%s of %s · %s/col",
		tl.Ranks, len(tl.Rows), short(t.start), short(t.start+span), short(tl.End), short(dt))}
	for i := first; i < min(first+shown, len(tl.Rows)); i++ {
		r := &tl.Rows[i]
		label := fmt.Sprintf(" pp %-3d ×%-5d", r.PP, r.Count)
		var b, comm strings.Builder
		for c := 0; c < cols; c++ {
			t0 := t.start + float64(c)*dt
			ch := cellLetter(r, t0, dt)
			s := m.st.paint(ch, string(ch))
			if i == t.row && c == t.col {
				s = m.st.sel.Render(string(ch))
			}
			b.WriteString(s)
			if lines == 2 {
				cc := byte(' ')
				if at(r.Comm, t0+dt/2) >= 0 || within(r.Comm, t0, t0+dt) >= 0 {
					cc = '~'
				}
				comm.WriteString(m.st.paint(cc, string(cc)))
			}
		}
		if i == t.row {
			label = m.st.sel.Render(label)
		}
		out = append(out, fit(label, labelWidth)+b.String())
		if lines == 2 {
			out = append(out, fit("   comm", labelWidth)+comm.String())
		}
	}
	for len(out) < 1+rowsH {
		out = append(out, "")
	}
	out = append(out, " F forward  B backward  w weight grad  o optimizer  ~ communication  (time →)")
	return append(out, m.describe(d, tl, t.start+(float64(t.col)+0.5)*dt, dt)...)
}

// cellLetter is what a row's compute stream does during [t0, t0+dt): the
// action at the cell's middle, else one starting in it, else '~' when only
// communication runs, else blank (idle).
func cellLetter(r *TimelineRow, t0, dt float64) byte {
	mid := t0 + dt/2
	if i := at(r.Compute, mid); i >= 0 {
		return kindLetter(r.Compute[i].Kind)
	}
	if i := within(r.Compute, t0, t0+dt); i >= 0 {
		return kindLetter(r.Compute[i].Kind)
	}
	if at(r.Comm, mid) >= 0 || within(r.Comm, t0, t0+dt) >= 0 {
		return '~'
	}
	return ' '
}

// short prints seconds with three significant digits.
func short(s float64) string {
	switch {
	case s == 0:
		return "0"
	case s >= 1:
		return fmt.Sprintf("%.3g s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3g ms", s*1e3)
	}
	return fmt.Sprintf("%.3g us", s*1e6)
}

// describe says, on two lines, what the cursor's row does at time t.
func (m *Model) describe(d *Deep, tl *Timeline, t, dt float64) []string {
	if len(tl.Rows) == 0 {
		return nil
	}
	r := &tl.Rows[m.tl.row]
	pick := func(evs []sim.Event) int {
		if i := at(evs, t); i >= 0 {
			return i
		}
		return within(evs, t-dt/2, t+dt/2)
	}
	out := []string{fmt.Sprintf(" cursor %s, rank %d (pp %d, ×%d):", short(t), r.Rank, r.PP, r.Count), "   idle"}
	for k, evs := range [][]sim.Event{r.Compute, r.Comm} {
		i := pick(evs)
		if i < 0 {
			continue
		}
		e := evs[i]
		desc := sched.Describe(d.Schedule, int(e.Rank), int(e.Action))
		if _, after, ok := strings.Cut(desc, ": "); ok {
			desc = after // drop the "rank R" the line already says
		}
		line := fmt.Sprintf("%s %s–%s", desc, short(e.Start), short(e.Start+e.Dur))
		if k == 0 {
			out[0] += " " + line
			out[1] = ""
		} else {
			out[1] = "   comm: " + line
		}
	}
	return out
}
