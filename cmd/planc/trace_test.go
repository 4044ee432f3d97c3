package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readTrace reads a Chrome trace (gzipped when the name ends in .gz) and
// returns its tracks (process ids with a name) and X events per track.
func readTrace(t *testing.T, path string) (map[int]string, map[int]int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s is not gzip: %v", path, err)
		}
		r = zr
	}
	var doc struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			Ph   string         `json:"ph"`
			Pid  int            `json:"pid"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	names, events := map[int]string{}, map[int]int{}
	for _, e := range doc.TraceEvents {
		switch {
		case e.Ph == "M" && e.Name == "process_name":
			names[e.Pid], _ = e.Args["name"].(string)
		case e.Ph == "M" && e.Name == "process_sort_index":
			if _, ok := e.Args["sort_index"].(float64); !ok {
				t.Errorf("sort_index of %d is not a number: %v", e.Pid, e.Args)
			}
		case e.Ph == "X":
			events[e.Pid]++
		}
	}
	return names, events
}

// TestTraceFoldedSelectedCompressed: by default the trace has one track per
// set of identical ranks, named with what it stands for; --ranks selects
// tracks (each with its simulated rank's events); .gz compresses; a bad
// selection is a usage error.
func TestTraceFoldedSelectedCompressed(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join("..", "..", "examples", "tiny_gpt_3d.plan")
	folded := filepath.Join(dir, "folded.json")
	if code, _, stderr := runBounded(t, []string{"simulate", "--trace", folded, plan}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	names, events := readTrace(t, folded)
	if len(names) != 4 { // 8 ranks, tp pairs identical
		t.Errorf("folded trace: %d tracks, want 4 (one per tp pair): %v", len(names), names)
	}
	for pid, name := range names {
		if !strings.Contains(name, "= 2 identical ranks (2 tp indices)") || events[pid] == 0 {
			t.Errorf("track %d: %q, %d events", pid, name, events[pid])
		}
	}
	sel := filepath.Join(dir, "sel.json.gz")
	if code, _, stderr := runBounded(t, []string{"simulate", "--trace", sel, "--ranks", "0-2,7", plan}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	snames, sevents := readTrace(t, sel)
	if len(snames) != 4 || snames[7] == "" || snames[3] != "" {
		t.Errorf("--ranks 0-2,7: tracks %v", snames)
	}
	if sevents[1] != events[0] || sevents[7] != events[6] {
		t.Errorf("rank 1 has %d events (its simulated rank 0: %d), rank 7 %d (rank 6: %d)", sevents[1], events[0], sevents[7], events[6])
	}
	for _, bad := range []string{"3-1", "0-8", "x"} {
		code, _, stderr := runBounded(t, []string{"simulate", "--trace", sel, "--ranks", bad, plan})
		if code != exitUsage || !strings.Contains(stderr, "--ranks") {
			t.Errorf("--ranks %s: exit %d, stderr %s", bad, code, stderr)
		}
	}
}

// TestTraceWarning: a trace estimated above the threshold is written with
// a warning that says how to make it smaller.
func TestTraceWarning(t *testing.T) {
	defer func(old int64) { traceWarnBytes = old }(traceWarnBytes)
	traceWarnBytes = 1 << 10
	path := filepath.Join(t.TempDir(), "t.json")
	code, _, stderr := runBounded(t, []string{"simulate", "--trace", path, "--ranks", "all", filepath.Join("..", "..", "examples", "tiny_gpt_3d.plan")})
	if code != exitOK || !strings.Contains(stderr, "warning: the trace") || !strings.Contains(stderr, "--ranks") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if info, err := os.Stat(path); err != nil || info.Size() < 1<<10 {
		t.Errorf("the trace was not written: %v", err)
	}
}

// TestExplainBuildsNoSchedule (issue 20): explain runs no schedule pass
// unless --json needs the schedule's bytes or --verify-each asks for the
// verifier, so that it never costs more than simulate on the 1T plan.
func TestExplainBuildsNoSchedule(t *testing.T) {
	plan := filepath.Join("..", "..", "examples", "frontier_1t.plan")
	for _, c := range []struct {
		args            []string
		build, validate bool
	}{
		{[]string{"explain", "-d", "time", "--plan", "frontier_1t_3d", plan}, false, false},
		{[]string{"explain", "-d", "time", "--json", "--set", "dp=1", "--set", "cluster.nodes=64", "--set", "global_batch=512", "--plan", "frontier_1t_3d", plan}, true, false},
		{[]string{"explain", "-d", "time", "--verify-each", "--set", "dp=1", "--set", "cluster.nodes=64", "--set", "global_batch=512", "--plan", "frontier_1t_3d", plan}, true, true},
	} {
		code, _, stderr := runBounded(t, c.args)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s", c.args, code, stderr)
		}
		if got := strings.Contains(stderr, "pass schedule "); got != c.build {
			t.Errorf("%v: schedule pass run %v, want %v", c.args, got, c.build)
		}
		if got := strings.Contains(stderr, "pass verify-schedule"); got != c.validate {
			t.Errorf("%v: verify-schedule run %v, want %v", c.args, got, c.validate)
		}
	}
}
