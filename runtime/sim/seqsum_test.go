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
			stepGrowsByItsCollective(t, p, ir.ActAllReduceSeq, c.tp)
		})
	}
}

// TestKVSumTimed: likewise ALLREDUCE_KV, the sum of the replicated
// key/value heads' gradients when tp exceeds kv_heads, over its kv group
// (tp/kv_heads ranks of the tp group), with sp's ALLREDUCE_SEQ ahead of
// it or not.
func TestKVSumTimed(t *testing.T) {
	for _, c := range []struct {
		dp, tp, kv int
		sp         bool
	}{{1, 4, 2, false}, {2, 4, 1, true}, {2, 8, 2, false}} {
		t.Run(fmt.Sprintf("dp%d/tp%d/kv%d/sp%v", c.dp, c.tp, c.kv, c.sp), func(t *testing.T) {
			p := testPlan("1f1b", 1, 1, 4, c.dp, c.tp)
			p.Model.Heads, p.Model.KVHeads, p.SP = 8, c.kv, c.sp
			stepGrowsByItsCollective(t, p, ir.ActAllReduceKV, c.tp/c.kv)
		})
	}
}

// stepGrowsByItsCollective simulates p's schedule with and without its
// actions of kind (one per rank, the last collective before GRAD_NORM,
// over groups of size members) and checks that the step grows by the
// collective model's all-reduce time, and that every rank traces it for
// that long.
func stepGrowsByItsCollective(t *testing.T, p *ir.Plan, kind ir.ActionKind, members int) {
	t.Helper()
	s := build(t, p)
	net := NetworkOf(p)
	costs := &StageTable{F: []float64{1e-3}, B: []float64{2e-3}, W: []float64{0}, FComm: []float64{0}, BComm: []float64{0}, WComm: []float64{0}, Net: net}
	cfg := net.Config(costs)
	cfg.Trace = true
	with, err := Run(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var sum ir.Action
	stripped := *s
	stripped.Ranks = make([]ir.RankProgram, len(s.Ranks))
	for r, rp := range s.Ranks {
		stripped.Ranks[r] = rp
		stripped.Ranks[r].Actions = nil
		for _, a := range rp.Actions {
			if a.Kind == kind {
				sum = a
				continue
			}
			stripped.Ranks[r].Actions = append(stripped.Ranks[r].Actions, a)
		}
	}
	if sum.Kind != kind || sum.Bytes <= 0 || len(s.GroupOf(sum)) != members {
		t.Fatalf("the schedule has no %s over %d ranks: %+v", kind, members, sum)
	}
	without, err := Run(&stripped, net.Config(costs))
	if err != nil {
		t.Fatal(err)
	}
	want := net.Collective(ir.AllReduce, s.GroupOf(sum), float64(sum.Bytes)).Time(net.InterBW)
	got := with.StepTime - without.StepTime
	t.Logf("%s of %d bytes over %v: step %.6g s with, %.6g s without: +%.4g s (the collective model: %.4g s)",
		kind, sum.Bytes, s.GroupOf(sum), with.StepTime, without.StepTime, got, want)
	if want <= 0 || math.Abs(got-want) > 1e-12+1e-9*want {
		t.Errorf("the step grows by %.6g s, the all-reduce takes %.6g s", got, want)
	}
	seen := map[int32]bool{}
	for _, e := range with.AllEvents() {
		if e.Kind == kind {
			seen[e.Rank] = true
			if math.Abs(e.Dur-want) > 1e-12+1e-9*want {
				t.Errorf("rank %d: %s traced for %.6g s, want %.6g s", e.Rank, kind, e.Dur, want)
			}
		}
	}
	if len(seen) != len(s.Ranks) {
		t.Errorf("%s traced on %d of %d ranks", kind, len(seen), len(s.Ranks))
	}
}
