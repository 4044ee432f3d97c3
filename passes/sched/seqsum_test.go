package sched

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"planc/ir"
)

// spPlan is testPlan with Megatron sequence parallelism.
func spPlan(kind string, pp, vpp, m, dp, tp, zero int) *ir.Plan {
	p := testPlan(kind, pp, vpp, m, dp, tp, zero)
	p.SP = true
	return p
}

// TestSeqSumPlacement: under sp every rank sums each of its stages'
// tp-partial gradients once (ALLREDUCE_SEQ over its tp group, of
// seqParams·GradBytes bytes), after the stage's last gradient-producing
// compute, after each of the stage's REDUCE_GRADs and, on a stage that
// holds a copy of the tied embedding, after ALLREDUCE_TIED; the schedule
// verifies. Without sp (or with tp = 1) there is none.
func TestSeqSumPlacement(t *testing.T) {
	for _, c := range []struct {
		kind                  string
		pp, vpp, m, dp, tp, z int
		sp                    bool
	}{
		{"gpipe", 2, 1, 3, 2, 2, 0, true},
		{"1f1b", 4, 1, 8, 2, 2, 1, true},
		{"1f1b", 1, 1, 4, 2, 4, 2, true},
		{"interleaved", 2, 2, 4, 2, 2, 3, true},
		{"interleaved", 1, 2, 4, 1, 2, 0, true}, // tied sum local to one rank
		{"zb-h1", 3, 1, 6, 1, 2, 0, true},
		{"zb-v", 2, 2, 4, 2, 2, 3, true},
		{"1f1b", 2, 1, 4, 2, 2, 1, false},
		{"1f1b", 2, 1, 4, 2, 1, 1, true},
	} {
		name := fmt.Sprintf("%s/pp%d/v%d/dp%d/tp%d/z%d/sp%v", c.kind, c.pp, c.vpp, c.dp, c.tp, c.z, c.sp)
		t.Run(name, func(t *testing.T) {
			p := testPlan(c.kind, c.pp, c.vpp, c.m, c.dp, c.tp, c.z)
			p.SP = c.sp
			sz := PlanSizes(p)
			s, diags := Build(p, sz)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if _, err := Verify(s); err != nil {
				t.Fatal(err)
			}
			want := c.sp && c.tp > 1
			gradKind := ir.ActB
			if s.SplitBackward {
				gradKind = ir.ActW
			}
			for _, rp := range s.Ranks {
				r := rp.Rank
				seqAt := map[int32]int{}
				mustFollow := map[int32]int{}
				tiedAt := -1
				for i, a := range rp.Actions {
					switch a.Kind {
					case gradKind, ir.ActReduceGrad:
						mustFollow[a.Stage] = i
					case ir.ActAllReduceTied:
						tiedAt = i
					case ir.ActAllReduceSeq:
						if _, dup := seqAt[a.Stage]; dup {
							t.Errorf("rank %d: a second ALLREDUCE_SEQ of stage %d", r, a.Stage)
						}
						seqAt[a.Stage] = i
						if g, tpG := s.GroupOf(a), s.Mesh.Group(ir.AxisTP, r); len(g) != len(tpG) || int(g[0]) != tpG[0] {
							t.Errorf("rank %d: ALLREDUCE_SEQ over %v, its tp group is %v", r, g, tpG)
						}
						if wantB := sz.StageSeqParams[a.Stage] * sz.GradBytes; a.Bytes != wantB || wantB <= 0 {
							t.Errorf("rank %d: ALLREDUCE_SEQ of stage %d moves %d bytes, want %d", r, a.Stage, a.Bytes, wantB)
						}
					}
				}
				for _, st := range s.Stages {
					if st.PP != rp.Coord.PP {
						continue
					}
					i, ok := seqAt[int32(st.Index)]
					if ok != want {
						t.Fatalf("rank %d stage %d: ALLREDUCE_SEQ present %v, want %v", r, st.Index, ok, want)
					}
					if !ok {
						continue
					}
					if i < mustFollow[int32(st.Index)] {
						t.Errorf("rank %d: ALLREDUCE_SEQ of stage %d (action %d) before its last backward or a REDUCE_GRAD (action %d)", r, st.Index, i, mustFollow[int32(st.Index)])
					}
					if (st.Embedding || st.Head) && tiedAt > i {
						t.Errorf("rank %d: ALLREDUCE_SEQ of tied stage %d (action %d) before ALLREDUCE_TIED (action %d)", r, st.Index, i, tiedAt)
					}
				}
			}
		})
	}
}

// TestSeqParams: the analytic count of tp-partial parameters: under sp
// 4h (two LayerNorms) + h (out-proj bias) + h (fc2 bias) per dense layer
// and 2h for the final norm on the last stage.
func TestSeqParams(t *testing.T) {
	p := spPlan("1f1b", 2, 1, 4, 1, 2, 0)
	h := int64(p.Model.Hidden)
	sz := PlanSizes(p)
	want := []int64{2 * 6 * h, 2*6*h + 2*h}
	for st, w := range want {
		if got := sz.StageSeqParams[st]; got != w {
			t.Errorf("stage %d: %d tp-partial parameters, want %d", st, got, w)
		}
	}
	moe := spPlan("1f1b", 1, 1, 2, 2, 2, 0)
	moe.SP = false
	moe.MoE.SSMB = true
	moe.EP = 2
	moe.Model.MoE = &ir.MoE{Experts: 4, TopK: 2, ExpertFFN: 32, Shared: 1, Every: 2, FirstDense: 1}
	sz = PlanSizes(moe)
	one := 2*h*32 + 32 + h
	var wantMoE int64
	for l := range moe.Model.Layers {
		if moe.Model.IsMoELayer(l) {
			wantMoE += 4*h + one
		}
	}
	if wantMoE == 0 {
		t.Fatal("the test model has no MoE layer")
	}
	if got := sz.StageSeqParams[0]; got != wantMoE {
		t.Errorf("ssmb: %d tp-partial parameters (router and shared experts), want %d", got, wantMoE)
	}
}

// TestVerifierRejectsMissingSeqSum: a schedule where one tp member lacks
// its ALLREDUCE_SEQ is rejected, naming the rank and the action left
// waiting.
func TestVerifierRejectsMissingSeqSum(t *testing.T) {
	for _, c := range []struct {
		name string
		plan *ir.Plan
	}{
		{"1f1b dp1", spPlan("1f1b", 2, 1, 4, 1, 2, 0)},
		{"1f1b dp2 zero1", spPlan("1f1b", 2, 1, 4, 2, 2, 1)},
		{"zb-v dp2 zero3", spPlan("zb-v", 2, 2, 4, 2, 2, 3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := mustBuild(t, c.plan)
			if _, err := Verify(s); err != nil {
				t.Fatalf("before breaking: %v", err)
			}
			i := find(t, s, 1, func(a ir.Action) bool { return a.Kind == ir.ActAllReduceSeq })
			remove(s, 1, i)
			_, err := Verify(s)
			if err == nil {
				t.Fatal("the verifier accepted a schedule where rank 1 never sums its sequence partials")
			}
			re := regexp.MustCompile(`^group g\d+: rank 1 never makes call \d+, rank 0: action \d+ ALLREDUCE_SEQ\(stage \d+, group g\d+\)$`)
			found := false
			for _, p := range err.(*VerifyError).Problems {
				found = found || re.MatchString(p)
			}
			if !found {
				t.Errorf("no problem says that rank 1 never calls rank 0's ALLREDUCE_SEQ:\n%v", err)
			}
			t.Log(err)
		})
	}
}

// TestGoldenTextSP pins the text form of a small sp plan (tp 2, dp 2, pp
// 2, ZeRO-1, tied embeddings): where each ALLREDUCE_SEQ stands. Regenerate
// with -update.
func TestGoldenTextSP(t *testing.T) {
	got := mustBuild(t, spPlan("1f1b", 2, 1, 3, 2, 2, 1)).String()
	path := filepath.Join("testdata", "1f1b_tp2_sp_dp2_zero1.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("text form differs from %s (run with -update to accept):\n%s", path, got)
	}
}
