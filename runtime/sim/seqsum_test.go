package sim

import (
	"fmt"
	"math"
	"testing"

	"planc/ir"
)

// TestSeqSumTimed: the simulator times ALLREDUCE_SEQ (the tp sum of the
// sequence-parallel gradients) with the cost model's collective model.
// With pp = 1 it is the last collective before GRAD_NORM, which waits for
// it, so the step grows by exactly its all-reduce time over the tp group,
// with and without data-parallel buckets ahead of it on the collective
// stream; the trace shows it on every rank.
func TestSeqSumTimed(t *testing.T) {
	for _, c := range []struct{ dp, tp, zero int }{{1, 2, 0}, {2, 2, 1}, {1, 4, 0}, {2, 4, 3}} {
		t.Run(fmt.Sprintf("dp%d/tp%d/zero%d", c.dp, c.tp, c.zero), func(t *testing.T) {
			p := testPlan("1f1b", 1, 1, 4, c.dp, c.tp)
			p.SP, p.Zero = true, c.zero
			s := build(t, p)
			net := NetworkOf(p)
			costs := &StageTable{F: []float64{1e-3}, B: []float64{2e-3}, W: []float64{0}, FComm: []float64{0}, BComm: []float64{0}, WComm: []float64{0}, Net: net}
			cfg := net.Config(costs)
			cfg.Trace = true
			with, err := Run(s, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var seq ir.Action
			stripped := *s
			stripped.Ranks = make([]ir.RankProgram, len(s.Ranks))
			for r, rp := range s.Ranks {
				stripped.Ranks[r] = rp
				stripped.Ranks[r].Actions = nil
				for _, a := range rp.Actions {
					if a.Kind == ir.ActAllReduceSeq {
						seq = a
						continue
					}
					stripped.Ranks[r].Actions = append(stripped.Ranks[r].Actions, a)
				}
			}
			if seq.Kind != ir.ActAllReduceSeq || seq.Bytes <= 0 {
				t.Fatalf("the sp schedule has no ALLREDUCE_SEQ: %+v", seq)
			}
			without, err := Run(&stripped, net.Config(costs))
			if err != nil {
				t.Fatal(err)
			}
			want := net.Collective(ir.AllReduce, s.GroupOf(seq), float64(seq.Bytes)).Time(net.InterBW)
			got := with.StepTime - without.StepTime
			t.Logf("ALLREDUCE_SEQ of %d bytes over %v: step %.6g s with, %.6g s without: +%.4g s (the collective model: %.4g s)",
				seq.Bytes, s.GroupOf(seq), with.StepTime, without.StepTime, got, want)
			if want <= 0 || math.Abs(got-want) > 1e-12+1e-9*want {
				t.Errorf("the step grows by %.6g s, the all-reduce takes %.6g s", got, want)
			}
			seen := map[int32]bool{}
			for _, e := range with.AllEvents() {
				if e.Kind == ir.ActAllReduceSeq {
					seen[e.Rank] = true
					if math.Abs(e.Dur-want) > 1e-12+1e-9*want {
						t.Errorf("rank %d: ALLREDUCE_SEQ traced for %.6g s, want %.6g s", e.Rank, e.Dur, want)
					}
				}
			}
			if len(seen) != len(s.Ranks) {
				t.Errorf("ALLREDUCE_SEQ traced on %d of %d ranks", len(seen), len(s.Ranks))
			}
		})
	}
}
