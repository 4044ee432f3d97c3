package passes_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// TestConstraintsAgreeWithChecker samples plans of a small MoE space, sets
// each through --set so that lang's checker judges it, and checks that
// the checker (lang's, then the estimate's) refuses exactly the plans that
// break a constraint of passes.Constraints.
func TestConstraintsAgreeWithChecker(t *testing.T) {
	file := repoFile("passes/testdata/search/moe8.plan")
	pick := func(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }
	r := rand.New(rand.NewPCG(1, 2))
	n := 600
	if testing.Short() {
		n = 100
	}
	legal := 0
	for i := 0; i < n; i++ {
		tp, pp, cp := pick(r, "1", "2", "4", "8"), pick(r, "1", "2", "4", "8"), pick(r, "1", "2", "4")
		dp := pick(r, "1", "2", "4", "8")
		if r.IntN(2) == 0 { // fill the world half the time
			var a, b, c int
			fmt.Sscan(tp, &a)
			fmt.Sscan(pp, &b)
			fmt.Sscan(cp, &c)
			if 8%(a*b*c) == 0 {
				dp = fmt.Sprint(8 / (a * b * c))
			}
		}
		sched := pick(r, "1f1b", "gpipe", "interleaved", "zb-h1", "zb-v")
		vpp := pick(r, "1", "2", "4")
		if r.IntN(4) != 0 { // mostly the vpp the schedule runs
			vpp = map[string]string{"interleaved": pick(r, "2", "4"), "zb-v": "2"}[sched]
			if vpp == "" {
				vpp = "1"
			}
		}
		sets := []string{"tp=" + tp, "pp=" + pp, "cp=" + cp, "dp=" + dp,
			"ep=" + pick(r, "1", "2", "4", "8"), "vpp=" + vpp, "schedule=" + sched,
			"cp_mode=" + pick(r, "ring", "ulysses", "allgather", "lss"), "sp=" + pick(r, "true", "false"),
			"micro_batch=" + pick(r, "1", "2", "4"), "global_batch=" + pick(r, "16", "32", "24"),
			"moe.ssmb=" + pick(r, "true", "false"), "moe.rbd=" + pick(r, "true", "false", "false"),
			"moe.dispatch=" + pick(r, "padding_free", "capacity"), "zero=" + pick(r, "0", "1", "3")}
		prog, ds := lang.Load([]string{file}, lang.Options{Overrides: sets})
		p := prog.Plan("moe8")
		if p == nil {
			t.Fatalf("%v: no plan: %v", sets, ds)
		}
		if !ds.HasErrors() {
			// what lang lets through, the estimate's own check may refuse
			// (lang accepts vpp > 1 with pp = 1; passes does not)
			_, eds := passes.EstimateStep(p)
			ds = append(ds, eds...)
		}
		var broken []string
		for _, c := range passes.Constraints {
			if !c.OK(p) {
				broken = append(broken, c.Name)
			}
		}
		switch {
		case ds.HasErrors() && len(broken) == 0:
			t.Errorf("%v: the checker refuses it, but no constraint does: %v", sets, ds)
		case !ds.HasErrors() && len(broken) > 0:
			t.Errorf("%v: the checker accepts it, but constraints %q refuse it", sets, broken)
		case !ds.HasErrors():
			legal++
		}
	}
	if legal < n/20 {
		t.Errorf("only %d of %d sampled plans are legal: the sample says little", legal, n)
	}
}

// TestMemoryLowerBound checks that the bound the search prunes with never
// exceeds a plan's estimated peak, over dense and MoE plans, every ZeRO
// stage and pipeline depth.
func TestMemoryLowerBound(t *testing.T) {
	_, dense := loadPlan(t, "examples/calibration.plan", "cal_175b_selective")
	_, moe := loadPlan(t, "examples/xmoe_small.plan", "xmoe_small_256")
	n := 0
	for _, base := range []*ir.Plan{dense, moe} {
		world := base.WorldSize()
		for _, tp := range []int{1, 2, 4, 8} {
			for _, pp := range []int{1, 2, 4} {
				for _, z := range []int{0, 1, 2, 3} {
					for _, ep := range []int{1, 8} {
						for _, ssmb := range []bool{false, true} {
							q := *base
							q.Auto = nil
							q.TP, q.PP, q.Zero, q.EP, q.DP = tp, pp, z, ep, world/(tp*pp)
							q.MoE.SSMB = ssmb
							if q.GlobalBatch%(q.DP*q.MicroBatch) != 0 {
								q.GlobalBatch = q.DP * q.MicroBatch * 8
							}
							e, ds := passes.EstimateStep(&q)
							if ds.HasErrors() {
								continue
							}
							n++
							if lb := passes.MemoryLowerBound(&q); lb > e.PeakBytes*(1+1e-12) {
								t.Errorf("%s tp %d pp %d zero %d ep %d ssmb %v: bound %.4g B above the peak %.4g B", q.Name, tp, pp, z, ep, ssmb, lb, e.PeakBytes)
							}
						}
					}
				}
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d plans checked", n)
	}
}

// TestSearchAccounting checks that every plan of the space is accounted
// for once: ranked, equivalent to a ranked one, or pruned by a named
// constraint or bound, and that the estimates split into fits and misses.
func TestSearchAccounting(t *testing.T) {
	for _, c := range []struct{ file, plan string }{
		{"examples/tiny_gpt_3d.plan", "tiny_gpt_3d"},
		{"examples/rbd.plan", "rbd_tiny_moe_4nodes"},
		{"examples/frontier_1t.plan", "frontier_1t_search"},
	} {
		_, p := loadPlan(t, c.file, c.plan)
		space := spaceOf(openSpace...)
		if p.Auto["tp"] {
			space = nil // its own auto fields: the open space takes minutes
		}
		rep, ds := passes.Search(p, passes.SearchOptions{Space: space, MaxMemory: 0.9})
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		sum := rep.Fits + rep.Equivalent
		misses := int64(0)
		for _, pc := range rep.Pruned {
			sum += pc.Plans
			switch pc.By {
			case passes.PrunedNoFit, passes.PrunedMaxMemory, passes.PrunedCheck:
				misses += pc.Plans
			}
		}
		if sum != rep.Space {
			t.Errorf("%s: %d plans accounted for, the space has %d", c.plan, sum, rep.Space)
		}
		if rep.Fits+misses != rep.Evaluated {
			t.Errorf("%s: %d fit + %d missed != %d estimated", c.plan, rep.Fits, misses, rep.Evaluated)
		}
		for _, r := range rep.Results {
			if r.Est.PeakBytes > 0.9*r.Est.Capacity {
				t.Errorf("%s: a result uses %.1f%% of memory, over --max-memory 90%%", c.plan, 100*r.Est.PeakBytes/r.Est.Capacity)
			}
		}
		if n := prunedBy(rep, passes.PrunedCheck); n != 0 {
			t.Errorf("%s: the estimate's check refused %d plans that passed every constraint", c.plan, n)
		}
	}
}

func prunedBy(rep *passes.SearchReport, by string) int64 {
	for _, pc := range rep.Pruned {
		if pc.By == by {
			return pc.Plans
		}
	}
	return 0
}

// TestSearchDeterministic checks that the ranking and the counts do not
// depend on the number of workers.
func TestSearchDeterministic(t *testing.T) {
	_, p := loadPlan(t, "examples/rbd.plan", "rbd_tiny_moe_4nodes")
	pair := [2]passes.Objective{passes.ObjTime, passes.ObjEnergy}
	var first *passes.SearchReport
	for _, w := range []int{1, 2, 5} {
		rep, _ := passes.Search(p, passes.SearchOptions{Space: spaceOf(openSpace...), Workers: w, Top: 8, Pareto: &pair})
		if first == nil {
			first = rep
			continue
		}
		if !reflect.DeepEqual(values(rep.Results), values(first.Results)) || !reflect.DeepEqual(values(rep.Pareto), values(first.Pareto)) {
			t.Errorf("%d workers rank differently from 1", w)
		}
		if rep.Evaluated != first.Evaluated || rep.Fits != first.Fits || !reflect.DeepEqual(rep.Pruned, first.Pruned) {
			t.Errorf("%d workers count differently from 1", w)
		}
	}
}

func values(rs []passes.Result) [][]string {
	var out [][]string
	for _, r := range rs {
		var vs []string
		for _, v := range r.Values {
			vs = append(vs, v.String())
		}
		out = append(out, append(vs, fmt.Sprint(r.Objective)))
	}
	return out
}

// TestParetoFront checks the front against every plan that fits: no plan
// of the front is dominated, and every plan is matched or dominated by
// one of the front.
func TestParetoFront(t *testing.T) {
	_, p := loadPlan(t, "examples/phantom_cpu.plan", "phantom_tiny_mlp")
	pair := [2]passes.Objective{passes.ObjTime, passes.ObjEnergy}
	rep, _ := passes.Search(p, passes.SearchOptions{Space: spaceOf(openSpace...), Top: 1 << 20, Pareto: &pair})
	if len(rep.Pareto) == 0 || int64(len(rep.Results)) != rep.Fits {
		t.Fatalf("front %d, results %d of %d fits", len(rep.Pareto), len(rep.Results), rep.Fits)
	}
	dominates := func(a, b passes.Result) bool {
		x, y := a.Scores, b.Scores
		return x[0] <= y[0] && x[1] <= y[1] && (x[0] < y[0] || x[1] < y[1])
	}
	for _, f := range rep.Pareto {
		for _, r := range rep.Results {
			if dominates(r, f) {
				t.Errorf("a front plan %v is dominated by %v", f.Values, r.Values)
			}
		}
	}
	for _, r := range rep.Results {
		ok := false
		for _, f := range rep.Pareto {
			ok = ok || dominates(f, r) || (f.Scores[0] == r.Scores[0] && f.Scores[1] == r.Scores[1])
		}
		if !ok {
			t.Errorf("plan %v is neither on the front nor dominated by it", r.Values)
		}
	}
}

// FuzzSearchSpace feeds --space values to a search of a small plan: it
// must answer with diagnostics or a report whose counts add up, never
// panic.
func FuzzSearchSpace(f *testing.F) {
	for _, s := range []string{"tp=1,2", "schedule=zb-v,gpipe", "zero=7,0", "sp=maybe", "micro_batch=0,-1", "vpp=1,2,3", "moe.capacity_factor=NaN", "cp_mode=ring,lss", "precision=fp32,bf16", "global_batch=8", "ep=", "warp=1"} {
		f.Add(s)
	}
	_, p := loadPlan(f, "examples/tiny_gpt_3d.plan", "tiny_gpt_3d")
	f.Fuzz(func(t *testing.T, arg string) {
		key, vals, _ := strings.Cut(arg, "=")
		var list []string
		for _, v := range strings.Split(vals, ",") {
			if v != "" {
				list = append(list, v)
			}
		}
		rep, ds := passes.Search(p, passes.SearchOptions{Space: map[string][]string{key: list, "dp": nil}, Workers: 1, Limit: 100})
		if ds.HasErrors() {
			return
		}
		sum := rep.Fits + rep.Equivalent
		for _, pc := range rep.Pruned {
			sum += pc.Plans
		}
		if !rep.HitLimit && sum != rep.Space {
			t.Errorf("%q: %d accounted for, space %d", arg, sum, rep.Space)
		}
	})
}
