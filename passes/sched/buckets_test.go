package sched

import (
	"fmt"
	"slices"
	"testing"

	"planc/ir"
)

// TestTiedSumBeforeItsBucket: on every schedule, each rank holding a copy
// of the tied embedding sums it (ALLREDUCE_TIED, over the two end stages'
// ranks or alone when it holds both) before the REDUCE_GRAD of the
// embedding's bucket, which is a bucket of its own; the last stage's other
// buckets are not held back; and on a rank without the first stage the sum
// comes after the last compute action, where blocking on it cannot stall a
// backward that the first stage waits for.
func TestTiedSumBeforeItsBucket(t *testing.T) {
	for _, c := range []struct {
		kind          string
		pp, v, m, dp  int
		zero          int
		wantLocalTied bool
	}{
		{"1f1b", 2, 1, 4, 2, 2, false},
		{"gpipe", 3, 1, 3, 2, 3, false},
		{"interleaved", 2, 2, 4, 2, 3, false},
		{"zb-h1", 4, 1, 8, 2, 1, false},
		{"zb-v", 2, 2, 4, 2, 3, true},
		{"interleaved", 1, 2, 2, 2, 2, true},
	} {
		t.Run(fmt.Sprintf("%s/pp%d/v%d/zero%d", c.kind, c.pp, c.v, c.zero), func(t *testing.T) {
			p := testPlan(c.kind, c.pp, c.v, c.m, c.dp, 1, c.zero)
			s := mustBuild(t, p)
			if _, err := Verify(s); err != nil {
				t.Fatal(err)
			}
			n := len(s.Stages)
			for _, st := range []int{0, n - 1} {
				if b := s.Stages[st].Buckets; len(b) == 0 || !IsTiedBucket(b[0]) {
					t.Fatalf("stage %d: the tied embedding is not bucket 0 alone: %v", st, b)
				}
			}
			for _, rp := range s.Ranks {
				holdsFirst, holdsLast := s.Stages[0].PP == rp.Coord.PP, s.Stages[n-1].PP == rp.Coord.PP
				if !holdsFirst && !holdsLast {
					if slices.ContainsFunc(rp.Actions, func(a ir.Action) bool { return a.Kind == ir.ActAllReduceTied }) {
						t.Errorf("rank %d holds no copy but sums it", rp.Rank)
					}
					continue
				}
				tied, lastCompute := -1, -1
				for i, a := range rp.Actions {
					switch {
					case a.Kind == ir.ActAllReduceTied:
						if tied >= 0 {
							t.Errorf("rank %d: two ALLREDUCE_TIED", rp.Rank)
						}
						tied = i
						if g := s.GroupOf(a); (len(g) == 1) != c.wantLocalTied {
							t.Errorf("rank %d: tied sum over %v", rp.Rank, g)
						}
					case a.Kind == ir.ActF || a.Kind == ir.ActB || a.Kind == ir.ActW:
						lastCompute = i
					case a.Kind == ir.ActReduceGrad && (a.Stage == 0 || a.Stage == int32(n-1)) && a.Bucket == 0:
						if tied < 0 {
							t.Errorf("rank %d: %s before the tied sum", rp.Rank, s.ActionString(a))
						}
					}
				}
				if tied < 0 {
					t.Fatalf("rank %d: no ALLREDUCE_TIED", rp.Rank)
				}
				if !holdsFirst && tied < lastCompute {
					t.Errorf("rank %d: the tied sum at action %d comes before its last compute action %d", rp.Rank, tied, lastCompute)
				}
				if holdsLast && !holdsFirst && c.dp > 1 {
					// The last stage's dense layers reduce as soon as its
					// backward ends, ahead of the tied sum.
					for i, a := range rp.Actions {
						if a.Kind == ir.ActReduceGrad && a.Bucket == 1 && i > tied {
							t.Errorf("rank %d: %s waits for the tied sum", rp.Rank, s.ActionString(a))
						}
					}
				}
			}
		})
	}
}

// TestZero3GathersByClass: under ZeRO-3 with experts, every F and B waits
// for one gather of the stage's dense parameters over the data-parallel
// group and one of its experts' over the expert-data-parallel group.
func TestZero3GathersByClass(t *testing.T) {
	p := testPlan("1f1b", 2, 1, 4, 4, 1, 3)
	p.Model.Layers = 4
	p.Model.MoE = &ir.MoE{Experts: 8, TopK: 2, ExpertFFN: 64, Every: 1, FirstDense: 1}
	p.EP = 2
	p.MoE = ir.MoEPlan{Dispatch: "padding_free", CapacityFactor: 1.25}
	s := mustBuild(t, p)
	if _, err := Verify(s); err != nil {
		t.Fatal(err)
	}
	same := func(g []int32, want []int) bool {
		if len(g) != len(want) {
			return false
		}
		for i := range g {
			if int(g[i]) != want[i] {
				return false
			}
		}
		return true
	}
	checked := 0
	for _, rp := range s.Ranks {
		dp, edp := s.Mesh.Group(ir.AxisDPCP, rp.Rank), s.Mesh.Group(ir.AxisEDP, rp.Rank)
		for _, a := range rp.Actions {
			if a.Kind != ir.ActF && a.Kind != ir.ActB {
				continue
			}
			info := s.Stages[a.Stage]
			var dense, expert int
			// The gathers it waits for: Dep and the one issued just before
			// it for the same use (one per class).
			for j := int(a.Dep); j >= 0 && j > int(a.Dep)-2; j-- {
				g := rp.Actions[j]
				if g.Kind != ir.ActAllGatherParams || g.Stage != a.Stage || g.MB != a.MB {
					break
				}
				switch {
				case same(s.GroupOf(g), dp) && g.Bytes == info.ParamBytes && dense == 0:
					dense++
				case same(s.GroupOf(g), edp) && g.Bytes == info.ExpertParamBytes && expert == 0:
					expert++
				default:
					t.Errorf("rank %d: %s over %v with %d bytes (dp %v, edp %v)", rp.Rank, s.ActionString(g), s.GroupOf(g), g.Bytes, dp, edp)
				}
			}
			wantExpert := 0
			if info.ExpertParamBytes > 0 {
				wantExpert = 1
			}
			if dense != 1 || expert != wantExpert {
				t.Errorf("rank %d: %s has %d dense and %d expert gathers", rp.Rank, s.ActionString(a), dense, expert)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no F or B checked")
	}
}
