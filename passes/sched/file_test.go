package sched

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"planc/ir"
)

func TestScheduleFileRoundTrip(t *testing.T) {
	for _, p := range []*ir.Plan{
		testPlan("1f1b", 4, 1, 8, 2, 2, 1),
		testPlan("interleaved", 2, 2, 4, 2, 1, 3),
		testPlan("zb-v", 2, 2, 4, 1, 2, 0),
	} {
		s := mustBuild(t, p)
		var buf bytes.Buffer
		if err := ir.WriteSchedule(&buf, s); err != nil {
			t.Fatal(err)
		}
		got, err := ir.ReadSchedule(bytes.NewReader(buf.Bytes()), p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("%s: the schedule read back differs", p.Schedule)
		}
		if got.String() != s.String() {
			t.Errorf("%s: text forms differ", p.Schedule)
		}
	}
}

func TestScheduleFileRejects(t *testing.T) {
	p := testPlan("1f1b", 2, 1, 4, 1, 1, 0)
	s := mustBuild(t, p)
	var buf bytes.Buffer
	if err := ir.WriteSchedule(&buf, s); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()

	other := testPlan("1f1b", 2, 1, 8, 1, 1, 0) // another global batch
	if _, err := ir.ReadSchedule(bytes.NewReader(good), other); err == nil || !strings.Contains(err.Error(), "was compiled for plan") {
		t.Errorf("a schedule of another plan: err = %v", err)
	}
	bad := bytes.Clone(good)
	bad[len("PLANCSCHED\n")] = ir.ScheduleFileVersion + 1
	if _, err := ir.ReadSchedule(bytes.NewReader(bad), p); err == nil || !strings.Contains(err.Error(), "format version 2, this planc reads version 1") {
		t.Errorf("a future version: err = %v", err)
	}
	bad = bytes.Clone(good)
	bad[len(bad)-10] ^= 0x40
	if _, err := ir.ReadSchedule(bytes.NewReader(bad), p); err == nil {
		t.Error("a corrupt file was accepted")
	}
	if _, err := ir.ReadSchedule(strings.NewReader("hello"), nil); err == nil || !strings.Contains(err.Error(), "bad magic") {
		t.Errorf("not a schedule: err = %v", err)
	}
}
