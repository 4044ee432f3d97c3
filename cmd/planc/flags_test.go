package main

import (
	"flag"
	"io"
	"reflect"
	"testing"
)

func TestParseFlagsInterspersed(t *testing.T) {
	tests := []struct {
		args  []string
		steps int
		json  bool
		pos   []string
	}{
		{[]string{"a.plan"}, 0, false, []string{"a.plan"}},
		{[]string{"--steps", "5", "a.plan"}, 5, false, []string{"a.plan"}},
		{[]string{"a.plan", "--steps", "7", "--json"}, 7, true, []string{"a.plan"}},
		{[]string{"a.plan", "--json", "b.plan", "--steps=3"}, 3, true, []string{"a.plan", "b.plan"}},
		{[]string{"--json", "--", "-odd.plan", "--steps"}, 0, true, []string{"-odd.plan", "--steps"}},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		steps := fs.Int("steps", 0, "")
		js := fs.Bool("json", false, "")
		if err := parseFlags(fs, tt.args); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if *steps != tt.steps || *js != tt.json || !reflect.DeepEqual(fs.Args(), tt.pos) {
			t.Errorf("%v: steps=%d json=%v pos=%v; want %d %v %v", tt.args, *steps, *js, fs.Args(), tt.steps, tt.json, tt.pos)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Int("steps", 0, "")
	if err := parseFlags(fs, []string{"a.plan", "--bogus"}); err == nil {
		t.Error("an unknown flag after a file was accepted")
	}
}
