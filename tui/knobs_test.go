package tui

import (
	"reflect"
	"testing"

	"planc/ir"
)

func TestKnobStep(t *testing.T) {
	byName := map[string]knob{}
	for _, k := range knobs() {
		byName[k.name] = k
	}
	tests := []struct {
		knob, cur string
		dir       int
		want      string
	}{
		{"tp", "4", 1, "8"},
		{"tp", "4", -1, "2"},
		{"tp", "1", -1, ""},
		{"dp", "6", -1, "3"},
		{"dp", "3", -1, ""}, // odd: type a value instead
		{"zero", "3", 1, ""},
		{"zero", "0", 1, "1"},
		{"zero", "1", -1, "0"},
		{"sp", "false", 1, "true"},
		{"sp", "true", -1, "false"},
		{"recompute", "full", 1, "none"},
		{"recompute", "none", -1, "full"},
		{"moe.capacity_factor", "1.25", 1, "1.5"},
		{"moe.capacity_factor", "0.1", -1, "0"},
		{"model.seq", "2048", 1, "4096"},
	}
	for _, tc := range tests {
		k, ok := byName[tc.knob]
		if !ok {
			t.Fatalf("no knob %s", tc.knob)
		}
		if got := k.step(tc.cur, tc.dir); got != tc.want {
			t.Errorf("%s %s step %d = %q, want %q", tc.knob, tc.cur, tc.dir, got, tc.want)
		}
	}
}

// TestKnobsCoverTheSchema: every plan field that is a value (not a
// reference or a block) and every moe field is a knob.
func TestKnobsCoverTheSchema(t *testing.T) {
	have := map[string]bool{}
	for _, k := range knobs() {
		have[k.name] = true
	}
	for _, f := range ir.PlanFields {
		if f.Kind != ir.RefValue && f.Kind != ir.BlockValue && !have[f.Name] {
			t.Errorf("plan field %s is not a knob", f.Name)
		}
	}
	for _, f := range ir.PlanMoEFields {
		if !have["moe."+f.Name] {
			t.Errorf("moe field %s is not a knob", f.Name)
		}
	}
	if !have["model.seq"] {
		t.Error("model.seq is not a knob")
	}
}

func TestMergeSets(t *testing.T) {
	got := mergeSets([]string{"tp=2", "dp=4"}, []string{"pp=2", "tp=8"}, nil, []string{"dp = 1"})
	want := []string{"tp=8", "dp = 1", "pp=2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mergeSets = %q, want %q", got, want)
	}
}
