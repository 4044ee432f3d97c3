package sched

import (
	"regexp"
	"testing"

	"planc/ir"
)

// find returns the index of the first action on rank r for which match holds.
func find(t *testing.T, s *ir.Schedule, r int, match func(a ir.Action) bool) int {
	t.Helper()
	for i, a := range s.Ranks[r].Actions {
		if match(a) {
			return i
		}
	}
	t.Fatalf("rank %d has no such action", r)
	return -1
}

func remove(s *ir.Schedule, r, i int) {
	acts := s.Ranks[r].Actions
	s.Ranks[r].Actions = append(acts[:i:i], acts[i+1:]...)
}

// TestVerifierRejectsBrokenSchedules breaks correct schedules by hand and
// checks that the verifier names the rank and the action.
func TestVerifierRejectsBrokenSchedules(t *testing.T) {
	for _, c := range []struct {
		name  string
		plan  *ir.Plan
		brk   func(t *testing.T, s *ir.Schedule)
		wants []string // regexps, each must match one problem
	}{
		{
			name: "missing recv",
			plan: testPlan("1f1b", 4, 1, 8, 1, 1, 0),
			brk: func(t *testing.T, s *ir.Schedule) {
				i := find(t, s, 2, func(a ir.Action) bool { return a.Kind == ir.ActRecvF && a.MB == 5 })
				remove(s, 2, i)
			},
			wants: []string{`^rank 1: action \d+ SEND_F\(stage 1, mb 5, peer 2\) has no matching RECV_F on rank 2$`},
		},
		{
			name: "missing send",
			plan: testPlan("gpipe", 2, 1, 3, 1, 1, 0),
			brk: func(t *testing.T, s *ir.Schedule) {
				i := find(t, s, 1, func(a ir.Action) bool { return a.Kind == ir.ActSendB && a.MB == 2 })
				remove(s, 1, i)
			},
			wants: []string{`^rank 0: action \d+ RECV_B\(stage 0, mb 2, peer 1\) has no matching SEND_B on rank 1$`},
		},
		{
			name: "bytes differ",
			plan: testPlan("1f1b", 2, 1, 2, 1, 1, 0),
			brk: func(t *testing.T, s *ir.Schedule) {
				i := find(t, s, 1, func(a ir.Action) bool { return a.Kind == ir.ActRecvF && a.MB == 1 })
				s.Ranks[1].Actions[i].Bytes++
			},
			wants: []string{`^rank 1: action \d+ RECV_F\(stage 1, mb 1, peer 0\) receives \d+ bytes, but rank 0: action \d+ SEND_F\(stage 0, mb 1, peer 1\) sends \d+$`},
		},
		{
			name: "collectives out of order within a group",
			plan: testPlan("1f1b", 2, 1, 4, 2, 1, 1), // dp = 2: gradient buckets over dp
			brk: func(t *testing.T, s *ir.Schedule) {
				// Swap the first two post-step parameter gathers of rank 1.
				var idx []int
				for i, a := range s.Ranks[1].Actions {
					if a.Kind == ir.ActAllGatherParams || a.Kind == ir.ActReduceGrad {
						idx = append(idx, i)
					}
				}
				if len(idx) < 2 {
					t.Fatalf("rank 1 has %d collectives", len(idx))
				}
				acts := s.Ranks[1].Actions
				acts[idx[0]], acts[idx[1]] = acts[idx[1]], acts[idx[0]]
			},
			wants: []string{`^rank [01]: action \d+ \w+\(.*group g\d+\) is out of order in group g\d+: call 0 there is rank [01]: action \d+ `},
		},
		{
			name: "cyclic wait",
			plan: testPlan("1f1b", 2, 1, 2, 1, 1, 0),
			brk: func(t *testing.T, s *ir.Schedule) {
				// Rank 0 waits for mb 1's gradient before it sends mb 1's
				// activation: move RECV_B(mb 0) and B(mb 0) ahead of F(mb 1).
				acts := s.Ranks[0].Actions
				f1 := find(t, s, 0, func(a ir.Action) bool { return a.Kind == ir.ActF && a.MB == 1 })
				rb := find(t, s, 0, func(a ir.Action) bool { return a.Kind == ir.ActRecvB && a.MB == 1 })
				a := acts[rb]
				remove(s, 0, rb)
				acts = s.Ranks[0].Actions
				acts = append(acts[:f1], append([]ir.Action{a}, acts[f1:]...)...)
				s.Ranks[0].Actions = acts
			},
			wants: []string{
				`^deadlock: rank 0: action \d+ RECV_B\(stage 0, mb 1, peer 1\) waits for SEND_B\(stage 1, mb 1\) from rank 1$`,
				`^deadlock: rank 1: action \d+ RECV_F\(stage 1, mb 1, peer 0\) waits for SEND_F\(stage 0, mb 1\) from rank 0$`,
			},
		},
		{
			name: "collective cycle across groups",
			plan: testPlan("1f1b", 1, 1, 2, 2, 2, 1), // tp = 2, dp = 2
			brk: func(t *testing.T, s *ir.Schedule) {
				// Rank 0 calls the grad-norm (world) before its dp reduction
				// finishes... by putting GRAD_NORM first: the others wait
				// for rank 0's bucket, rank 0 for their norm.
				i := find(t, s, 0, func(a ir.Action) bool { return a.Kind == ir.ActGradNorm })
				a := s.Ranks[0].Actions[i]
				remove(s, 0, i)
				s.Ranks[0].Actions = append([]ir.Action{a}, s.Ranks[0].Actions...)
			},
			wants: []string{`^deadlock: rank 0: action 0 GRAD_NORM\(group g\d+\) waits for the other members of group g\d+$`},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := mustBuild(t, c.plan)
			if _, err := Verify(s); err != nil {
				t.Fatalf("before breaking: %v", err)
			}
			c.brk(t, s)
			_, err := Verify(s)
			if err == nil {
				t.Fatal("the verifier accepted a broken schedule")
			}
			ve, ok := err.(*VerifyError)
			if !ok {
				t.Fatalf("error %T, want *VerifyError", err)
			}
			for _, w := range c.wants {
				re := regexp.MustCompile(w)
				found := false
				for _, p := range ve.Problems {
					if re.MatchString(p) {
						found = true
					}
				}
				if !found {
					t.Errorf("no problem matches %q; got:\n%v", w, err)
				}
			}
		})
	}
}
