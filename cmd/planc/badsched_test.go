package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"planc/ir"
	"planc/lang"
)

// badSchedules are schedule files edited by hand and written again with a
// valid checksum (issue 19: 21 of 300 such files crashed `planc simulate
// --schedule`). Each edits the schedule of testdata/badsched/p.plan; the
// files in testdata/badsched are what these edits produce (go test
// ./cmd/planc -run TestBadScheduleFiles -update rewrites them). simulate
// and run must refuse each with an error matching want (exit 1), never
// panic or allocate what the file claims.
var badSchedules = []struct {
	name string
	edit func(s *ir.Schedule)
	want string
}{
	{"group_member_out_of_range", func(s *ir.Schedule) { s.Groups[0][0] = 999 }, `group g0: member 999 is out of range`},
	{"group_member_negative", func(s *ir.Schedule) { s.Groups[0][len(s.Groups[0])-1] = -3 }, `member -3 is out of range`},
	{"group_member_repeated", func(s *ir.Schedule) { s.Groups[0][1] = s.Groups[0][0] }, `out of range or repeated`},
	{"group_empty", func(s *ir.Schedule) { s.Groups[0] = nil }, `group g0 has 0 members`},
	{"header_pp_3", func(s *ir.Schedule) { s.PP = 3 }, `the header says pp = 3, but the mesh has pp = 2`},
	{"header_pp_huge", func(s *ir.Schedule) { s.PP = 1 << 30 }, `the header says pp = 1073741824`},
	{"mesh_pp_3", func(s *ir.Schedule) { s.Mesh.PP = 3 }, `the header says pp = 2, but the mesh has pp = 3`},
	{"mesh_dp_0", func(s *ir.Schedule) { s.Mesh.DP = 0 }, `has a degree below 1`},
	{"mesh_ep_0", func(s *ir.Schedule) { s.Mesh.EP = 0 }, `has a degree below 1`},
	{"mesh_tp_huge", func(s *ir.Schedule) { s.Mesh.TP = 1 << 40 }, `has more than 2097152 ranks`},
	{"mesh_dp_4", func(s *ir.Schedule) { s.Mesh.DP = 4 }, `4 ranks, but its mesh is`},
	{"vpp_0", func(s *ir.Schedule) { s.VPP = 0 }, `vpp = 0 is out of range`},
	{"micro_batches_0", func(s *ir.Schedule) { s.MB = 0 }, `0 micro-batches is out of range`},
	{"stage_dropped", func(s *ir.Schedule) { s.Stages = s.Stages[:1] }, `1 stages, but pp·vpp = 2`},
	{"stage_pp_out_of_range", func(s *ir.Schedule) { s.Stages[1].PP = 7 }, `stage 1 is malformed`},
	{"peer_out_of_range", editFirst(ir.ActSendF, func(a *ir.Action) { a.Peer = 4 }), `peer 4 out of range`},
	{"peer_self", editFirst(ir.ActSendF, func(a *ir.Action) { a.Peer = 0 }), `bad peer rank 0`},
	{"group_out_of_range", editFirst(ir.ActReduceGrad, func(a *ir.Action) { a.Group = 99 }), `group 99 out of range`},
	{"group_not_member", func(s *ir.Schedule) {
		for g, members := range s.Groups {
			if !slices.Contains(members, 0) {
				editFirst(ir.ActReduceGrad, func(a *ir.Action) { a.Group = int32(g) })(s)
				return
			}
		}
	}, `rank 0 is not a member of its group`},
	{"stage_out_of_range", editFirst(ir.ActF, func(a *ir.Action) { a.Stage = 5 }), `stage 5 out of range`},
	{"micro_batch_out_of_range", editFirst(ir.ActF, func(a *ir.Action) { a.MB = 4000 }), `micro-batch 4000 out of range`},
	{"dep_forward", editFirst(ir.ActF, func(a *ir.Action) { a.Dep = 1000 }), `dependency 1000 is not an earlier action`},
	{"bucket_out_of_range", editFirst(ir.ActReduceGrad, func(a *ir.Action) { a.Bucket = 50 }), `bucket 50 out of range`},
	{"bytes_negative", editFirst(ir.ActSendF, func(a *ir.Action) { a.Bytes = -1 }), `negative size -1`},
	{"coll_unknown", editFirst(ir.ActReduceGrad, func(a *ir.Action) { a.Coll = 200 }), `unknown collective 200`},
	{"send_dropped", func(s *ir.Schedule) {
		acts := s.Ranks[0].Actions
		for i, a := range acts {
			if a.Kind == ir.ActSendF {
				s.Ranks[0].Actions = append(acts[:i:i], acts[i+1:]...)
				break
			}
		}
	}, `has no matching SEND_F`},
	{"recv_moved_first", func(s *ir.Schedule) {
		acts := s.Ranks[0].Actions
		for i, a := range acts {
			if a.Kind == ir.ActRecvB {
				copy(acts[1:i+1], acts[:i])
				acts[0] = a
				break
			}
		}
	}, `deadlock`},
}

// editFirst edits the first action of kind k on rank 0.
func editFirst(k ir.ActionKind, edit func(*ir.Action)) func(*ir.Schedule) {
	return func(s *ir.Schedule) {
		for i := range s.Ranks[0].Actions {
			if a := &s.Ranks[0].Actions[i]; a.Kind == k {
				edit(a)
				return
			}
		}
		panic("no action of kind " + k.String())
	}
}

// TestBadScheduleFiles runs simulate and run on every edited schedule
// file; with -update it first writes them from the plan's schedule.
func TestBadScheduleFiles(t *testing.T) {
	dir := filepath.Join("testdata", "badsched")
	planFile := filepath.Join(dir, "p.plan")
	if *update {
		prog, diags := lang.Load([]string{planFile}, lang.Options{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		var stderr bytes.Buffer
		for _, bs := range badSchedules {
			u, code := compileSchedule(prog, prog.Plans[0], &planFlags{}, &stderr)
			if code != exitOK {
				t.Fatalf("compile: %s", stderr.String())
			}
			bs.edit(u.Schedule)
			err := writeFileAtomically(filepath.Join(dir, bs.name+".sched"), func(w *bufio.Writer) error { return ir.WriteSchedule(w, u.Schedule) })
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, bs := range badSchedules {
		t.Run(bs.name, func(t *testing.T) {
			file := filepath.Join(dir, bs.name+".sched")
			if _, err := os.Stat(file); err != nil {
				t.Fatalf("%v (go test ./cmd/planc -run TestBadScheduleFiles -update writes it)", err)
			}
			for _, args := range [][]string{
				{"simulate", "--schedule", file, planFile},
				{"run", "--steps", "1", "--schedule", file, planFile},
			} {
				code, _, stderr := runBounded(t, args)
				if strings.Contains(stderr, "was compiled for plan") {
					t.Fatalf("%s: the file no longer matches the plan's fingerprint: regenerate it with -update\n%s", args[0], stderr)
				}
				if code != exitError || !regexp.MustCompile(bs.want).MatchString(stderr) {
					t.Errorf("%s: exit %d, want 1 with an error matching %q; stderr:\n%s", args[0], code, bs.want, stderr)
				}
			}
		})
	}
}
