package exec

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/passes"
	"planc/passes/sched"
	"planc/runtime/data"
)

// compiledPlan loads an example plan with overrides and compiles it with
// the pass table, as `planc compile FILE -o x.sched` does, and returns the
// plan and its schedule after a round trip through the schedule file.
func compiledPlan(t *testing.T, file, name string, overrides []string) (*ir.Plan, *ir.Schedule) {
	t.Helper()
	prog, diags := lang.Load([]string{filepath.Join("..", "..", "examples", file)}, lang.Options{Overrides: overrides})
	if diags.HasErrors() {
		t.Fatalf("load %s %v: %v", file, overrides, diags)
	}
	var p *ir.Plan
	for _, q := range prog.Plans {
		if name == "" || q.Name == name {
			p = q
		}
	}
	if p == nil {
		t.Fatalf("%s has no plan %q", file, name)
	}
	u, diags := passes.Compile(prog, p, passes.Options{})
	if u == nil || u.Schedule == nil {
		t.Fatalf("compile %s %v: no schedule: %v", file, overrides, diags)
	}
	var buf bytes.Buffer
	if err := ir.WriteSchedule(&buf, u.Schedule); err != nil {
		t.Fatal(err)
	}
	s, err := ir.ReadSchedule(&buf, p)
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

// TestCompiledScheduleLosses is the contract between planc compile and
// the runtime: training a plan with its compiled schedule file gives the
// losses of training it with the schedule the runtime builds itself (the
// same buckets, reductions, gathers and tied-embedding sums), for dp, every
// ZeRO stage, 3D parallelism, every pipeline schedule and expert
// parallelism. The two schedules differ only in the cost model's bytes.
func TestCompiledScheduleLosses(t *testing.T) {
	const steps = 2
	cases := []struct {
		file, plan string
		set        []string
	}{
		{"tiny_gpt_3d.plan", "", nil},
		{"tiny_gpt_3d.plan", "", []string{"zero=1"}},
		{"tiny_gpt_3d.plan", "", []string{"zero=2"}},
		{"tiny_gpt_3d.plan", "", []string{"zero=3"}},
		{"tiny_gpt_3d.plan", "", []string{"sp=true", "zero=2"}},
		{"tiny_gpt.plan", "", []string{"dp=2"}},
		{"tiny_gpt.plan", "", []string{"dp=2", "zero=3"}},
		{"tiny_gpt.plan", "", []string{"dp=2", "pp=2", "schedule=gpipe"}},
		{"tiny_gpt.plan", "", []string{"pp=2", "schedule=interleaved", "vpp=2"}},
		{"tiny_gpt_3d.plan", "", []string{"tp=1", "schedule=interleaved", "vpp=2", "zero=2"}},
		{"tiny_gpt_3d.plan", "", []string{"tp=1", "schedule=zb-h1", "zero=1"}},
		{"tiny_gpt_3d.plan", "", []string{"tp=1", "schedule=zb-v", "vpp=2", "zero=3"}},
		{"tiny_moe_ep.plan", "tiny_moe_dp4_ep4", nil},
		{"tiny_moe_ep.plan", "tiny_moe_dp4_ep4", []string{"ep=2", "zero=3"}},
		{"tiny_moe_ep.plan", "tiny_moe_dp4_ep4", []string{"ep=2", "zero=2"}},
		{"tiny_moe_ep.plan", "tiny_moe_tp2_ep2_pp2_ssmb", nil},
	}
	for _, tc := range cases {
		name := strings.TrimSuffix(tc.file, ".plan") + "/" + tc.plan + "/" + strings.Join(tc.set, ",")
		t.Run(name, func(t *testing.T) {
			p, file := compiledPlan(t, tc.file, tc.plan, tc.set)
			run := func(s *ir.Schedule) ([]float64, *ir.Schedule) {
				tr, err := NewTrainer(Config{Plan: p, Steps: steps, Schedule: s, Data: data.Default()})
				if err != nil {
					t.Fatal(err)
				}
				var losses []float64
				for range steps {
					r, err := tr.Step()
					if err != nil {
						t.Fatal(err)
					}
					losses = append(losses, r.Loss)
				}
				return losses, tr.Schedule()
			}
			fromFile, _ := run(file)
			own, ownSched := run(nil)
			for i := range own {
				if d := math.Abs(fromFile[i]-own[i]) / math.Abs(own[i]); d > 1e-6 {
					t.Errorf("step %d: loss %.9g with the compiled schedule, %.9g with the runtime's own (relative %.2g)", i, fromFile[i], own[i], d)
				}
			}
			// The same layout: the buckets hold the same units on both sides.
			for st := range ownSched.Stages {
				if a, b := file.Stages[st].Buckets, ownSched.Stages[st].Buckets; !sameBuckets(a, b) {
					t.Errorf("stage %d: the compiled schedule's buckets %v, the runtime's %v", st, a, b)
				}
			}
			t.Logf("losses %v (compiled) %v (own); buckets per stage %d", fromFile, own, len(ownSched.Stages[0].Buckets))
		})
	}
}

func sameBuckets(a, b []ir.GradBucket) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Expert != b[i].Expert || strings.Join(a[i].Units, ",") != strings.Join(b[i].Units, ",") {
			return false
		}
	}
	return true
}

// TestScheduleRejected: schedules whose reductions the runtime cannot
// execute exactly are refused before any step, with the reason.
func TestScheduleRejected(t *testing.T) {
	p, good := compiledPlan(t, "tiny_gpt_3d.plan", "", []string{"zero=2"})
	clone := func() *ir.Schedule {
		var buf bytes.Buffer
		if err := ir.WriteSchedule(&buf, good); err != nil {
			t.Fatal(err)
		}
		s, err := ir.ReadSchedule(&buf, p)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	drop := func(s *ir.Schedule, rank int, kind ir.ActionKind) {
		acts := s.Ranks[rank].Actions
		for i, a := range acts {
			if a.Kind == kind {
				s.Ranks[rank].Actions = append(acts[:i:i], acts[i+1:]...)
				return
			}
		}
		t.Fatalf("rank %d has no %s", rank, kind)
	}
	moveTiedLast := func(s *ir.Schedule, rank int) {
		acts := s.Ranks[rank].Actions
		for i, a := range acts {
			if a.Kind == ir.ActAllReduceTied {
				rest := append(append([]ir.Action(nil), acts[:i]...), acts[i+1:]...)
				n := len(rest) - 2 // before GRAD_NORM and OPTIMIZER
				s.Ranks[rank].Actions = append(append(rest[:n:n], a), rest[n:]...)
				return
			}
		}
	}
	tests := []struct {
		name   string
		mutate func(s *ir.Schedule)
		want   string
	}{
		{"a bucket never reduced", func(s *ir.Schedule) { drop(s, 0, ir.ActReduceGrad) }, "not once"},
		{"no bucket layout", func(s *ir.Schedule) {
			for i := range s.Stages {
				s.Stages[i].Buckets = nil
			}
		}, "no gradient bucket layout"},
		{"buckets cut differently", func(s *ir.Schedule) {
			b := s.Stages[0].Buckets
			s.Stages[0].Buckets = []ir.GradBucket{{Units: append(append([]string(nil), b[1].Units...), b[0].Units...)}}
			s.Stages[0].GradBuckets = s.Stages[0].GradBuckets[:1]
		}, "not where the bucket's order puts them"},
		{"tied sum after the reduction", func(s *ir.Schedule) { moveTiedLast(s, 0) }, "before ALLREDUCE_TIED"},
		{"no tied sum", func(s *ir.Schedule) { drop(s, 4, ir.ActAllReduceTied) }, "ALLREDUCE_TIED"},
		{"all-reduce under ZeRO-2", func(s *ir.Schedule) {
			for i, a := range s.Ranks[0].Actions {
				if a.Kind == ir.ActReduceGrad {
					s.Ranks[0].Actions[i].Coll = ir.AllReduce
				}
			}
		}, "needs a reduce-scatter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := clone()
			tc.mutate(s)
			_, err := NewTrainer(Config{Plan: p, Steps: 1, Schedule: s, Data: data.Default()})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewTrainer: %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestBucketLayoutOneSource: the runtime builds its schedule with the
// layout sched.BucketLayout decides from the plan and the parameter table.
func TestBucketLayoutOneSource(t *testing.T) {
	p := plan(tinyGPT(), "dp=2 pp=2 zero=2")
	tr, err := NewTrainer(Config{Plan: p, Steps: 1, Data: data.Default()})
	if err != nil {
		t.Fatal(err)
	}
	var units [][]ir.ParamUnit
	for _, info := range tr.Schedule().Stages {
		units = append(units, ir.StageUnits(passes.ParamTableOf(p.Model).Stage(info, 0, 1), p.TP, 1))
	}
	want := sched.BucketLayout(p, units, sched.DefaultBucketParams)
	for st, info := range tr.Schedule().Stages {
		if !sameBuckets(info.Buckets, want[st]) {
			t.Errorf("stage %d: buckets %v, BucketLayout %v", st, info.Buckets, want[st])
		}
		if !sched.IsTiedBucket(info.Buckets[0]) {
			t.Errorf("stage %d: the tied embedding is not a bucket of its own: %v", st, info.Buckets)
		}
	}
}
