package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// pane is one view of the plan.
type pane int

const (
	paneOverview pane = iota
	paneMemory
	paneTime
	paneTimeline
	paneSearch
	numPanes
)

var paneNames = [numPanes]string{"Overview", "Memory", "Time", "Timeline", "Search"}

func (p pane) String() string { return paneNames[p] }

// keyMap holds every binding; the help line is drawn from it.
type keyMap struct {
	Pane, Knob, Value, Type, Undo, Write, Quit key.Binding
	Scroll, Time, Zoom, Stage, Replan          key.Binding
	Pick, Load, Run, Objective                 key.Binding
	hasAuto                                    bool
	pane                                       pane
}

func newKeyMap() keyMap {
	b := func(keys []string, h, d string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(h, d))
	}
	return keyMap{
		Pane:      b([]string{"tab", "shift+tab", "1", "2", "3", "4", "5"}, "tab/1-5", "pane"),
		Knob:      b([]string{"up", "down"}, "↑↓", "knob"),
		Value:     b([]string{"left", "right"}, "←→", "value"),
		Type:      b([]string{"e", "enter"}, "e", "type"),
		Undo:      b([]string{"u"}, "u", "undo"),
		Write:     b([]string{"w"}, "w", "write"),
		Quit:      b([]string{"q", "ctrl+c"}, "q", "quit"),
		Scroll:    b([]string{"pgup", "pgdown"}, "pgup/dn", "scroll"),
		Time:      b([]string{"h", "l", "H", "L"}, "h/l H/L", "time"),
		Zoom:      b([]string{"z", "x", "0"}, "z/x/0", "zoom in/out/all"),
		Stage:     b([]string{"n", "p"}, "n/p", "stage"),
		Replan:    b([]string{"r"}, "r", "re-plan autos"),
		Pick:      b([]string{"j", "k"}, "j/k", "pick"),
		Load:      b([]string{"l"}, "l", "load it"),
		Run:       b([]string{"s"}, "s", "search again"),
		Objective: b([]string{"o"}, "o", "objective"),
	}
}

// ShortHelp is the first help line: the keys of every pane.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Pane, k.Knob, k.Value, k.Type, k.Undo, k.Write, k.Quit}
}

// paneHelp is the second help line: the pane's own keys.
func (k keyMap) paneHelp() []key.Binding {
	var out []key.Binding
	switch k.pane {
	case paneTimeline:
		out = []key.Binding{k.Time, k.Zoom, k.Stage}
	case paneSearch:
		out = []key.Binding{k.Pick, k.Load, k.Run, k.Objective}
	default:
		out = []key.Binding{k.Scroll}
	}
	if k.hasAuto {
		out = append(out, k.Replan)
	}
	return out
}

func (k keyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp(), k.paneHelp()} }

// Model is the inspector: a bubbletea model over a [Session].
type Model struct {
	s      *Session
	width  int
	height int
	pane   pane
	knobs  []knob
	knob   int // the selected knob
	keys   keyMap
	help   help.Model
	input  textinput.Model
	typing bool
	msg    string // the last note, refusal or write
	bad    bool   // msg is a refusal
	scroll [numPanes]int
	st     styles

	tl   timelineState
	deep deepState // the compiled unit and simulation of the current plan
	srch searchState
	// now returns the time (tests pin it).
	now func() time.Time
}

// New returns the inspector of a session, sized to width×height until the
// terminal says otherwise.
func New(s *Session, width, height int) *Model {
	m := &Model{s: s, width: width, height: height, knobs: knobs(), keys: newKeyMap(), help: help.New(), input: textinput.New(), st: newStyles(), now: time.Now}
	m.help.Styles = m.st.help
	m.input.Prompt = ""
	m.input.CharLimit = 64
	m.tl.zoom = 1
	return m
}

// Init starts evaluating the original plan's schedule and timeline.
func (m *Model) Init() tea.Cmd { return m.deepCmd() }

// Update handles keys, resizes and the background results.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case deepMsg:
		return m, m.deepDone(msg)
	case searchMsg:
		m.searchDone(msg)
		return m, nil
	case searchTick:
		if m.srch.running {
			return m, tickSearch()
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.typing {
			return m, m.typeKey(msg)
		}
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := msg.String()
	switch k {
	case "q", "ctrl+c":
		return tea.Quit
	case "tab":
		return m.setPane((m.pane + 1) % numPanes)
	case "shift+tab":
		return m.setPane((m.pane + numPanes - 1) % numPanes)
	case "1", "2", "3", "4", "5":
		return m.setPane(pane(k[0] - '1'))
	case "up":
		m.knob = (m.knob + len(m.knobs) - 1) % len(m.knobs)
	case "down":
		m.knob = (m.knob + 1) % len(m.knobs)
	case "left", "right":
		dir := 1
		if k == "left" {
			dir = -1
		}
		kn := m.knobs[m.knob]
		v := kn.step(kn.value(m.s.Cur.Plan), dir)
		if v == "" {
			m.note(fmt.Sprintf("%s has no %s value", kn.name, map[int]string{1: "larger", -1: "smaller"}[dir]), true)
			return nil
		}
		return m.set(kn.name + "=" + v)
	case "e", "enter":
		kn := m.knobs[m.knob]
		m.typing = true
		m.input.SetValue(kn.value(m.s.Cur.Plan))
		m.input.CursorEnd()
		return m.input.Focus()
	case "r":
		changed, err := m.s.Replan()
		switch {
		case err != nil:
			m.note("re-plan refused: "+err.Error(), true)
		case len(m.s.Auto) == 0:
			m.note("the plan has no auto field to re-plan", true)
		case len(changed) == 0:
			m.note("the planner keeps its choices", false)
		default:
			m.note("re-planned: "+strings.Join(changed, " "), false)
			return m.changed()
		}
	case "u":
		if m.s.Undo() {
			m.note("undone", false)
			return m.changed()
		}
		m.note("nothing to undo", true)
	case "w":
		path, err := m.s.Write()
		if err != nil {
			m.note("write: "+err.Error(), true)
			return nil
		}
		m.note("wrote "+path+m.autoNote(), false)
	case "pgdown":
		m.scroll[m.pane] += max(m.bodyHeight()-2, 1)
	case "pgup":
		m.scroll[m.pane] = max(m.scroll[m.pane]-max(m.bodyHeight()-2, 1), 0)
	default:
		switch m.pane {
		case paneTimeline:
			m.timelineKey(k)
		case paneSearch:
			return m.searchKey(k)
		}
	}
	return nil
}

// autoNote says which fields stay auto in the written file.
func (m *Model) autoNote() string {
	var left []string
	edited := map[string]bool{}
	for _, e := range m.s.Edits() {
		edited[setKey(e)] = true
	}
	for _, kn := range m.knobs {
		if m.s.Auto[kn.name] && !edited[kn.name] {
			left = append(left, kn.name)
		}
	}
	if len(left) == 0 {
		return ""
	}
	return " (" + strings.Join(left, ", ") + " left auto: explain re-plans them; r shows its choice)"
}

func (m *Model) typeKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.typing = false
		m.input.Blur()
		return nil
	case "enter":
		m.typing = false
		m.input.Blur()
		return m.set(m.knobs[m.knob].name + "=" + strings.TrimSpace(m.input.Value()))
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

// set applies one edit and reports the checker's refusal if any.
func (m *Model) set(set string) tea.Cmd {
	note, err := m.s.Set(set)
	if err != nil {
		m.note(set+" refused: "+err.Error(), true)
		return nil
	}
	if note == "" {
		note = set
	} else {
		note = set + "; " + note
	}
	m.note(note, false)
	return m.changed()
}

func (m *Model) note(s string, bad bool) { m.msg, m.bad = s, bad }

func (m *Model) setPane(p pane) tea.Cmd {
	m.pane = p
	if p == paneSearch && m.srch.rep == nil && m.srch.err == nil {
		return m.startSearch() // the first visit searches
	}
	return m.deepCmd()
}

// changed is called when the current plan changed: the deep results are
// stale and recomputed lazily.
func (m *Model) changed() tea.Cmd {
	m.deep.invalidate()
	return m.deepCmd()
}

// View draws the screen: a header, the pane tabs, the summary line, the
// pane (with the knob list beside it when the terminal is wide), the knob
// line, the message line and the key help.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	return v
}

// Render is View's content.
func (m *Model) Render() string {
	w, h := max(m.width, 20), max(m.height, 9)
	m.keys.pane = m.pane
	m.keys.hasAuto = len(m.s.Auto) > 0
	lines := []string{m.header(w), m.tabs(w), m.summary(w)}
	bh := m.bodyHeight()
	body := m.body(w, bh)
	lines = append(lines, body...)
	lines = append(lines, m.knobLine(w), m.msgLine(w))
	m.help.SetWidth(w)
	lines = append(lines, m.help.ShortHelpView(m.keys.ShortHelp()), m.help.ShortHelpView(m.keys.paneHelp()))
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

// bodyHeight is the rows left for the pane.
func (m *Model) bodyHeight() int { return max(m.height, 9) - 7 }

// wide reports whether the knob list fits beside the pane.
func (m *Model) wide() bool { return m.width >= 120 }

const knobColumn = 36

func (m *Model) body(w, h int) []string {
	pw := w
	if m.wide() {
		pw = w - knobColumn - 1
	}
	var lines []string
	switch m.pane {
	case paneOverview:
		lines = m.overview(pw)
	case paneMemory:
		lines = m.memory(pw)
	case paneTime:
		lines = m.timePane(pw)
	case paneTimeline:
		lines = m.timeline(pw, h)
	case paneSearch:
		lines = m.search(pw, h)
	}
	if m.pane != paneTimeline && m.pane != paneSearch {
		off := min(m.scroll[m.pane], max(len(lines)-h, 0))
		m.scroll[m.pane] = off
		lines = lines[off:]
	}
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], pw)
		} else {
			out[i] = strings.Repeat(" ", pw)
		}
	}
	if m.wide() {
		kl := m.knobList(h)
		for i := range out {
			out[i] = fit(kl[i], knobColumn) + m.st.dim.Render("│") + out[i]
		}
	}
	return out
}

// fit cuts or pads a styled line to exactly w cells.
func fit(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return ansi.Truncate(s, w, "")
}

func (m *Model) header(w int) string {
	p := m.s.Cur.Plan
	t := fmt.Sprintf(" planc inspect · %s · %s on %s (%d × %s)", p.Name, p.Model.Name, p.Cluster.Name, p.WorldSize(), p.Cluster.Node.Device.Name)
	return m.st.title.Render(fit(t, w))
}

func (m *Model) tabs(w int) string {
	var parts []string
	for p := range numPanes {
		label := fmt.Sprintf(" %d %s ", p+1, p)
		if p == m.pane {
			parts = append(parts, m.st.tabOn.Render("["+label+"]"))
		} else {
			parts = append(parts, m.st.tab.Render(" "+label+" "))
		}
	}
	line := strings.Join(parts, "")
	if n := len(m.s.Edits()); n > 0 {
		line += m.st.changed.Render(fmt.Sprintf("  %d edited: %s", n, strings.Join(m.s.Edits(), " ")))
	}
	return line
}

// summary is the line every pane shares: the step and the memory, with
// the original's values beside them when the terminal is wide, or an arrow
// that says which way they moved when it is not.
func (m *Model) summary(w int) string {
	o, c := m.s.Orig.Est, m.s.Cur.Est
	fits := m.st.good.Render("fits")
	if !c.Fits() {
		fits = m.st.bad.Render("DOES NOT FIT")
	}
	wide := w >= 120
	show := func(cur, orig string, up bool) string {
		switch {
		case cur == orig:
			return cur
		case wide:
			return cur + m.st.dim.Render(" (was "+orig+")")
		case up:
			return cur + m.st.changed.Render("▲")
		}
		return cur + m.st.changed.Render("▼")
	}
	mem := func(b float64) string {
		if o.PeakBytes < 1<<30 && c.PeakBytes < 1<<30 {
			return bytesStr(b)
		}
		return fmt.Sprintf("%.1f", b/(1<<30))
	}
	unit := " GiB"
	if o.PeakBytes < 1<<30 && c.PeakBytes < 1<<30 {
		unit = ""
	}
	return fmt.Sprintf(" step %s  tok/s %s  MFU %s  peak %s of %s%s %s",
		show(seconds(c.StepTime), seconds(o.StepTime), c.StepTime > o.StepTime),
		show(num(c.TokensPerSec), num(o.TokensPerSec), c.TokensPerSec > o.TokensPerSec),
		show(fmt.Sprintf("%.1f%%", 100*c.MFU), fmt.Sprintf("%.1f%%", 100*o.MFU), c.MFU > o.MFU),
		show(mem(c.PeakBytes), mem(o.PeakBytes), c.PeakBytes > o.PeakBytes),
		mem(c.Capacity), unit, fits)
}

func (m *Model) knobLine(w int) string {
	kn := m.knobs[m.knob]
	cur := kn.value(m.s.Cur.Plan)
	if m.typing {
		return " " + kn.name + " = " + m.input.View() + m.st.dim.Render("  enter apply · esc cancel")
	}
	line := " ‹ " + m.st.sel.Render(kn.name+" = "+cur) + " ›"
	if orig := kn.value(m.s.Orig.Plan); orig != cur {
		line += m.st.dim.Render(" was " + orig)
	}
	if m.s.Auto[kn.name] {
		line += m.st.dim.Render(" (auto: planner's choice)")
	}
	return line + m.st.dim.Render("  "+kn.doc)
}

func (m *Model) msgLine(w int) string {
	if m.msg == "" {
		return ""
	}
	if m.bad {
		return " " + m.st.bad.Render(m.msg)
	}
	return " " + m.st.good.Render(m.msg)
}

// knobList is the wide layout's column of every knob, around the
// selected one.
func (m *Model) knobList(h int) []string {
	out := make([]string, h)
	first := min(max(m.knob-h/2, 0), max(len(m.knobs)-h, 0))
	for i := range h {
		j := first + i
		if j >= len(m.knobs) {
			break
		}
		kn := m.knobs[j]
		cur := kn.value(m.s.Cur.Plan)
		mark := " "
		if m.s.Changed(kn) {
			mark = "*"
		} else if m.s.Auto[kn.name] {
			mark = "a"
		}
		sel := " "
		if j == m.knob {
			sel = "▸" // visible without colour or reverse video too
		}
		line := fmt.Sprintf("%s%s %-20s %s", sel, mark, kn.name, cur)
		if j == m.knob {
			line = m.st.sel.Render(fit(line, knobColumn))
		} else if mark == "*" {
			line = m.st.changed.Render(line)
		}
		out[i] = line
	}
	return out
}
