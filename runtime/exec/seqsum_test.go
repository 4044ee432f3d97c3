package exec

import (
	"strings"
	"testing"

	"planc/ir"
	"planc/runtime/data"
)

// TestSeqSumSchedule: the tp sum of sp's partial gradients is the
// schedule's ALLREDUCE_SEQ. The runtime's own schedule carries one per
// stage and rank, sized in float32 from the runtime's parameters (the
// compiled one in the plan's precision from the compiler's graph); a
// schedule that lacks it (a file from before the action), puts it before a
// REDUCE_GRAD of its stage or before the tied sum, or runs it over another
// group is refused before any step.
func TestSeqSumSchedule(t *testing.T) {
	p, compiled := compiledPlan(t, "tiny_gpt_3d.plan", "", []string{"sp=true", "zero=2"})
	tr, err := NewTrainer(Config{Plan: p, Steps: 1, Data: data.Default()})
	if err != nil {
		t.Fatal(err)
	}
	own := tr.Schedule()
	for _, rk := range tr.ranks {
		for si, st := range rk.stages {
			n := 0
			for _, a := range own.Ranks[rk.id].Actions {
				if a.Kind == ir.ActAllReduceSeq && int(a.Stage) == si {
					n++
					if want := 4 * seqPartialParams(p, st.specs); a.Bytes != want {
						t.Errorf("rank %d stage %d: ALLREDUCE_SEQ of %d bytes, the runtime sums %d", rk.id, si, a.Bytes, want)
					}
				}
			}
			if n != 1 {
				t.Errorf("rank %d stage %d: %d ALLREDUCE_SEQ, want 1", rk.id, si, n)
			}
		}
	}
	for _, s := range []*ir.Schedule{own, compiled} {
		for _, a := range s.Ranks[0].Actions {
			if a.Kind == ir.ActAllReduceSeq {
				t.Logf("%s: rank 0 %s of %d bytes", s.Plan, s.ActionString(a), a.Bytes)
			}
		}
	}

	seqIndex := func(s *ir.Schedule, r int) int {
		for i, a := range s.Ranks[r].Actions {
			if a.Kind == ir.ActAllReduceSeq {
				return i
			}
		}
		t.Fatalf("rank %d has no ALLREDUCE_SEQ", r)
		return -1
	}
	// moveBefore moves rank r's ALLREDUCE_SEQ right before its first
	// action of kind k.
	moveBefore := func(s *ir.Schedule, r int, k ir.ActionKind) {
		i := seqIndex(s, r)
		acts := s.Ranks[r].Actions
		a := acts[i]
		rest := append(append([]ir.Action(nil), acts[:i]...), acts[i+1:]...)
		for j, b := range rest {
			if b.Kind == k {
				s.Ranks[r].Actions = append(append(rest[:j:j], a), rest[j:]...)
				return
			}
		}
		t.Fatalf("rank %d has no %s", r, k)
	}
	tests := []struct {
		name   string
		mutate func(s *ir.Schedule)
		want   string
	}{
		{"no ALLREDUCE_SEQ (an older file)", func(s *ir.Schedule) {
			for r := range s.Ranks {
				i := seqIndex(s, r)
				s.Ranks[r].Actions = append(s.Ranks[r].Actions[:i:i], s.Ranks[r].Actions[i+1:]...)
			}
		}, "no ALLREDUCE_SEQ"},
		{"before a REDUCE_GRAD", func(s *ir.Schedule) { moveBefore(s, 4, ir.ActReduceGrad) }, "before the stage's last backward or one of its REDUCE_GRADs"},
		{"before the tied sum and its bucket", func(s *ir.Schedule) {
			// On the last stage the tied sum comes after the stage's first
			// bucket's reduction: put the tp sum between them, ahead of the
			// tied bucket's reduction too.
			i := seqIndex(s, 4)
			acts := s.Ranks[4].Actions
			a := acts[i]
			rest := append(append([]ir.Action(nil), acts[:i]...), acts[i+1:]...)
			for j, b := range rest {
				if b.Kind == ir.ActAllReduceTied {
					s.Ranks[4].Actions = append(append(rest[:j:j], a), rest[j:]...)
					return
				}
			}
		}, "ALLREDUCE_SEQ of stage 1 comes before"},
		{"over the dp group", func(s *ir.Schedule) {
			for _, a := range s.Ranks[0].Actions {
				if a.Kind == ir.ActReduceGrad {
					s.Ranks[0].Actions[seqIndex(s, 0)].Group = a.Group
					return
				}
			}
		}, "not the rank's tp group"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := cloneSchedule(t, p, compiled)
			tc.mutate(s)
			_, err := NewTrainer(Config{Plan: p, Steps: 1, Schedule: s, Data: data.Default()})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewTrainer: %v; want an error containing %q", err, tc.want)
			} else {
				t.Log(err)
			}
		})
	}
}

func cloneSchedule(t *testing.T, p *ir.Plan, s *ir.Schedule) *ir.Schedule {
	t.Helper()
	var b strings.Builder
	if err := ir.WriteSchedule(&b, s); err != nil {
		t.Fatal(err)
	}
	c, err := ir.ReadSchedule(strings.NewReader(b.String()), p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
