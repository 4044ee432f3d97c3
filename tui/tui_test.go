package tui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// examples are the plans of the golden screens.
var examples = []struct {
	name, file, plan string
}{
	{"tiny_gpt", "tiny_gpt.plan", ""},
	{"xmoe_super", "xmoe_super.plan", ""},
	{"frontier_1t_3d", "frontier_1t.plan", "frontier_1t_3d"},
}

func open(t testing.TB, file, plan string) *Session {
	t.Helper()
	s, diags, src := Open(Options{File: file, Plan: plan})
	if s == nil {
		t.Fatalf("%s: %s", file, ir.RenderAll(diags, src))
	}
	return s
}

// runCmd runs a command synchronously and feeds its message back, as the
// program would.
func runCmd(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	if msg := cmd(); msg != nil {
		m.Update(msg)
	}
}

func screen(m *Model) string { return ansi.Strip(m.Render()) + "\n" }

// TestGoldenScreens pins every pane of three example plans at 80×24 and
// 160×48, with the ANSI codes stripped, in
// testdata/TestGoldenScreens/PLAN/SIZE/PANE.golden. Regenerate with
// -update.
func TestGoldenScreens(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	for _, ex := range examples {
		s := open(t, filepath.Join("..", "examples", ex.file), ex.plan)
		m := New(s, 80, 24)
		runCmd(m, m.Init()) // the timeline of the original
		rep, err := s.Search(passes.ObjTime, nil)
		m.searchDone(searchMsg{rep, err})
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			for p := range numPanes {
				m.pane = p
				got := screen(m)
				lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
				if len(lines) != size[1] {
					t.Errorf("%s %dx%d %s: %d lines, want %d", ex.name, size[0], size[1], p, len(lines), size[1])
				}
				for i, l := range lines {
					if w := ansi.StringWidth(l); w != size[0] {
						t.Errorf("%s %dx%d %s: line %d is %d wide", ex.name, size[0], size[1], p, i+1, w)
					}
				}
				t.Run(ex.name+"/"+strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1])+"/"+strings.ToLower(p.String()), func(t *testing.T) {
					golden.RequireEqual(t, got)
				})
			}
		}
	}
}

// copyExample copies an example plan into a temporary folder.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFlow drives the program as a person would: open tiny_gpt, go to the
// memory pane, change tp from 1 to 2, see memory and time change, write
// the file, quit; then compiling the written file as `planc explain` does
// gives the numbers the inspector showed.
func TestFlow(t *testing.T) {
	path := copyExample(t, "tiny_gpt.plan")
	s := open(t, path, "")
	m := New(s, 80, 24)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("1 Overview")
	// keys are handled in order; the renderer may skip the frames between
	// them, so only the message line, new text each time, is waited for
	tm.Send(tea.KeyPressMsg{Code: '2', Text: "2"}) // memory pane
	tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})    // dp → tp
	tm.Send(tea.KeyPressMsg{Code: tea.KeyRight})   // tp = 2
	waitFor("tp=2")                                // the message line
	tm.Send(tea.KeyPressMsg{Code: 'w', Text: "w"})
	waitFor("wrote")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(*Model)

	cur, orig := final.s.Cur.Est, final.s.Orig.Est
	if final.s.Cur.Plan.TP != 2 {
		t.Fatalf("tp = %d after the edit, want 2", final.s.Cur.Plan.TP)
	}
	if cur.PeakBytes == orig.PeakBytes || cur.StepTime == orig.StepTime {
		t.Errorf("memory or time did not move: peak %g → %g, step %g → %g", orig.PeakBytes, cur.PeakBytes, orig.StepTime, cur.StepTime)
	}
	shown := screen(final)
	for _, want := range []string{seconds(cur.StepTime) + "▼", "tp = 2", "1 edited: tp=2"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the screen does not show %q:\n%s", want, shown)
		}
	}
	// the memory pane's activations row: now, then the original
	activ := regexp.MustCompile(fmt.Sprintf(`activ +%.2f +%.2f`, cur.Worst.Activations/(1<<20), orig.Worst.Activations/(1<<20)))
	if !activ.MatchString(shown) || cur.Worst.Activations == orig.Worst.Activations {
		t.Errorf("the memory pane does not show the activations against the original (%s):\n%s", activ, shown)
	}
	// the file, compiled as planc explain compiles it
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(written), "tp           = 2") || !strings.Contains(string(written), "// tiny_gpt trained for real") {
		t.Errorf("written file lacks the edit or the comments:\n%s", written)
	}
	prog, diags := lang.Load([]string{path}, lang.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	u, diags := passes.Compile(prog, prog.Plans[0], passes.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pairs := [][2]string{
		{seconds(u.Cost.StepTime), seconds(cur.StepTime)},
		{bytesStr(u.Memory.WorstRank().Peak), bytesStr(cur.PeakBytes)},
		{num(u.Cost.TokensPerSec), num(cur.TokensPerSec)},
		{pct(u.Cost.MFU, 1), pct(cur.MFU, 1)},
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("explain of the written file gives %s, the inspector showed %s", p[0], p[1])
		}
	}
}

// TestRefusedAndUndo: an illegal value is refused with the checker's
// message and changes nothing; u undoes an accepted edit.
func TestRefusedAndUndo(t *testing.T) {
	s := open(t, filepath.Join("..", "examples", "tiny_gpt.plan"), "")
	m := New(s, 80, 24)
	m.knob = 1 // tp
	m.Update(tea.KeyPressMsg{Code: 'e', Text: "e"})
	m.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	m.Update(tea.KeyPressMsg{Code: '3', Text: "3"})
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if !m.bad || !strings.Contains(m.msg, "tp=3 refused") || !strings.Contains(m.msg, "divide") {
		t.Errorf("tp=3: message %q, want the checker's refusal", m.msg)
	}
	if s.Cur != s.Orig {
		t.Error("a refused edit changed the plan")
	}
	if _, err := s.Set("micro_batch=1"); err != nil {
		t.Fatal(err)
	}
	if s.Cur.Plan.MicroBatch != 1 {
		t.Fatalf("micro_batch = %d", s.Cur.Plan.MicroBatch)
	}
	m.Update(tea.KeyPressMsg{Code: 'u', Text: "u"})
	if s.Cur != s.Orig || len(s.Edits()) != 0 {
		t.Error("u did not return to the original")
	}
}

// TestKeepWorld: on a machine of fixed size, changing tp scales dp.
func TestKeepWorld(t *testing.T) {
	s := open(t, filepath.Join("..", "examples", "frontier_1t.plan"), "frontier_1t_3d")
	note, err := s.Set("tp=4")
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Cur.Plan; p.TP != 4 || p.DP != 12 || p.WorldSize() != 3072 {
		t.Errorf("tp=4: dp %d tp %d world %d", p.DP, p.TP, p.WorldSize())
	}
	if !strings.Contains(note, "dp = 12") {
		t.Errorf("note %q does not say dp changed", note)
	}
}

// TestNoFit: a plan that does not fit opens and says so; the memory pane
// lists what each knob would need, priced as the memory pass prices it;
// the edit it suggests makes the plan fit.
func TestNoFit(t *testing.T) {
	s, diags, _ := Open(Options{File: filepath.Join("..", "examples", "xmoe_super.plan"), Sets: []string{"recompute=none"}})
	if s == nil {
		t.Fatal(diags)
	}
	if s.Orig.Est.Fits() {
		t.Fatal("xmoe_super without recomputation fits; the test needs a plan that does not")
	}
	m := New(s, 160, 48)
	m.pane = paneMemory
	got := screen(m)
	for _, want := range []string{"DOES NOT FIT", "recompute = selective", "recompute = full"} {
		if !strings.Contains(got, want) {
			t.Errorf("memory pane lacks %q:\n%s", want, got)
		}
	}
	var sel *Saving
	for i, sv := range s.Cur.Saves {
		if sv.Knob == "recompute" && sv.Value == "selective" {
			sel = &s.Cur.Saves[i]
		}
	}
	if sel == nil {
		t.Fatal("no recompute = selective alternative")
	}
	if _, err := s.Set("recompute=selective"); err != nil {
		t.Fatal(err)
	}
	if !s.Cur.Est.Fits() || s.Cur.Est.PeakBytes != sel.Peak {
		t.Errorf("recompute=selective: peak %g (the alternative said %g), fits %t", s.Cur.Est.PeakBytes, sel.Peak, s.Cur.Est.Fits())
	}
}

// TestNoColor: under NO_COLOR the screen carries no colour, only bold and
// reverse video.
func TestNoColor(t *testing.T) {
	s := open(t, filepath.Join("..", "examples", "xmoe_super.plan"), "")
	for _, noColor := range []string{"1", ""} {
		t.Setenv("NO_COLOR", noColor)
		m := New(s, 160, 48)
		m.pane = paneMemory
		colored := regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`).MatchString(m.Render())
		if colored != (noColor == "") {
			t.Errorf("NO_COLOR=%q: colour in the screen %t", noColor, colored)
		}
	}
}

// TestReplan: after an edit, r runs the planner again for the auto fields
// the user left, and the state then prices what planc explain of the
// edited file would: the planner's new choices included.
func TestReplan(t *testing.T) {
	path := copyExample(t, "frontier_1t.plan")
	s := open(t, path, "frontier_1t_3d")
	if _, err := s.Set("tp=4"); err != nil {
		t.Fatal(err)
	}
	changed, err := s.Replan()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after tp=4 the planner changes %q", changed)
	if _, err := s.Write(); err != nil {
		t.Fatal(err)
	}
	prog, diags := lang.Load([]string{path}, lang.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	u, diags := passes.Compile(prog, prog.Plan("frontier_1t_3d"), passes.Options{Skip: map[string]bool{"schedule": true}})
	if u == nil || u.Cost == nil {
		t.Fatal(diags)
	}
	for _, k := range knobs() {
		if got, want := k.value(s.Cur.Plan), k.value(u.Plan); got != want {
			t.Errorf("%s: the inspector has %s, explain of the written file %s", k.name, got, want)
		}
	}
	if seconds(u.Cost.StepTime) != seconds(s.Cur.Est.StepTime) {
		t.Errorf("step: explain %s, the inspector %s", seconds(u.Cost.StepTime), seconds(s.Cur.Est.StepTime))
	}
	if len(changed) > 0 {
		s.Undo()
		if !reflect.DeepEqual(s.Planned(), s.planned) || len(s.Edits()) != 2 {
			t.Errorf("u after r: planned %q edits %q, want the original's choices and the tp edit", s.Planned(), s.Edits())
		}
	}
}

// TestEveryExampleOpens: every plan of every example opens (or is refused
// with diagnostics, never a panic) and every pane draws at 80×24 without
// its deep results.
func TestEveryExampleOpens(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*.plan"))
	for _, f := range files {
		prog, diags := lang.Load([]string{f}, lang.Options{})
		if diags.HasErrors() {
			t.Errorf("%s: %v", f, diags)
			continue
		}
		for _, p := range prog.Plans {
			if p.Span.File != f {
				continue
			}
			s, diags, _ := Open(Options{File: f, Plan: p.Name})
			if s == nil {
				if !diags.HasErrors() {
					t.Errorf("%s %s: no session and no error", f, p.Name)
				}
				t.Logf("%s %s does not open: %v", f, p.Name, diags.Err())
				continue
			}
			m := New(s, 80, 24)
			for pn := range numPanes {
				m.pane = pn
				if n := strings.Count(m.Render(), "\n") + 1; n != 24 {
					t.Errorf("%s %s %s: %d lines", f, p.Name, pn, n)
				}
			}
		}
	}
}

// TestSearchLoads: the Search pane ranks the plan's space and l loads the
// chosen result into the what-if state, priced as the search priced it.
func TestSearchLoads(t *testing.T) {
	s := open(t, filepath.Join("..", "examples", "xmoe_super.plan"), "")
	m := New(s, 80, 24)
	cmd := m.setPane(paneSearch)
	if !m.srch.running || cmd == nil {
		t.Fatal("entering the Search pane did not start a search")
	}
	rep, err := s.Search(passes.ObjTime, nil)
	m.Update(searchMsg{rep, err})
	if err != nil || len(rep.Results) < 2 {
		t.Fatalf("search: %v, %d results", err, len(rep.Results))
	}
	m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	m.Update(tea.KeyPressMsg{Code: 'l', Text: "l"})
	want := rep.Results[1]
	for j, f := range rep.Fields {
		kn := knob{}
		for _, k := range m.knobs {
			if k.name == f {
				kn = k
			}
		}
		if got := kn.value(s.Cur.Plan); got != want.Values[j].String() {
			t.Errorf("after loading result 2, %s = %s, want %s", f, got, want.Values[j])
		}
	}
	if s.Cur.Est.StepTime != want.Est.StepTime || s.Cur.Est.PeakBytes != want.Est.PeakBytes {
		t.Errorf("loaded plan: step %g peak %g, the search said %g and %g", s.Cur.Est.StepTime, s.Cur.Est.PeakBytes, want.Est.StepTime, want.Est.PeakBytes)
	}
	m.Update(tea.KeyPressMsg{Code: 'u', Text: "u"})
	if s.Cur != s.Orig {
		t.Error("u did not undo the loaded result")
	}
	// o ranks by the next objective: energy per token
	m.Update(tea.KeyPressMsg{Code: 'o', Text: "o"})
	if m.srch.obj != passes.ObjEnergy || !m.srch.running {
		t.Fatalf("o: objective %v, searching %t", m.srch.obj, m.srch.running)
	}
	rep, err = s.Search(m.srch.obj, nil)
	m.Update(searchMsg{rep, err})
	for i := 1; i < len(rep.Results); i++ {
		if rep.Results[i].Scores[passes.ObjEnergy] < rep.Results[i-1].Scores[passes.ObjEnergy] {
			t.Errorf("by energy: result %d uses less than result %d", i+1, i)
		}
	}
	if !strings.Contains(screen(m), "the best by energy per token") {
		t.Errorf("the Search pane does not say what it ranks by:\n%s", screen(m))
	}
}
