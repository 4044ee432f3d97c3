package exec

// This file maps a schedule's gradient buckets (ir.StageInfo.Buckets,
// decided by passes/sched from the plan) onto a stage's flat parameter
// buffer, and checks, before any step runs, that a schedule's reductions,
// gathers and tied-embedding sum are ones this runtime can execute exactly.

import (
	"fmt"
	"slices"

	"planc/ir"
	"planc/passes/sched"
)

// bucketRanges returns the flat ranges of the schedule's buckets of stage
// st and which of them are expert buckets. The buckets must cover the
// stage's buffer exactly, in order: the dense parameters [0, nDense), then
// the experts'.
func bucketRanges(st *stage, ep, tp int) ([][2]int, []bool, error) {
	info := st.info
	if len(info.Buckets) == 0 {
		if len(st.p) == 0 {
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("stage %d of the schedule has no gradient bucket layout (a schedule built from byte counts only, or by an older planc): recompile it with `planc compile -o FILE.sched`", info.Index)
	}
	if n := len(info.GradBuckets) + len(info.ExpertGradBuckets); n != len(info.Buckets) {
		return nil, nil, fmt.Errorf("stage %d of the schedule lists %d buckets' units but %d buckets' bytes", info.Index, len(info.Buckets), n)
	}
	where := map[string][2]int{}
	pos := 0
	for _, u := range ir.StageUnits(st.specs, tp, ep) {
		if _, dup := where[u.Name]; dup {
			return nil, nil, fmt.Errorf("stage %d: the parameters of unit %s are not contiguous", info.Index, u.Name)
		}
		where[u.Name] = [2]int{pos, pos + int(u.Params)}
		pos += int(u.Params)
	}
	var rs [][2]int
	var expert []bool
	pos = 0
	for bi, b := range info.Buckets {
		lo := pos
		for _, name := range b.Units {
			r, ok := where[name]
			if !ok {
				return nil, nil, fmt.Errorf("stage %d: gradient bucket %d holds parameters %s, which the stage does not have here", info.Index, bi, name)
			}
			if r[0] != pos {
				return nil, nil, fmt.Errorf("stage %d: gradient bucket %d's parameters %s are not where the bucket's order puts them (the runtime cannot execute this bucket layout)", info.Index, bi, name)
			}
			pos = r[1]
			delete(where, name)
		}
		if isExpert := lo >= st.nDense && pos > lo; b.Expert != isExpert && pos > lo {
			return nil, nil, fmt.Errorf("stage %d: gradient bucket %d is marked expert=%v, but its parameters are %s", info.Index, bi, b.Expert, map[bool]string{true: "routed experts'", false: "dense"}[isExpert])
		}
		rs = append(rs, [2]int{lo, pos})
		expert = append(expert, b.Expert)
	}
	if len(where) > 0 || pos != len(st.p) {
		var left []string
		for n := range where {
			left = append(left, n)
		}
		slices.Sort(left)
		return nil, nil, fmt.Errorf("stage %d: parameters %v are in no gradient bucket of the schedule", info.Index, left)
	}
	return rs, expert, nil
}

// checkSchedule reports whether schedule s moves the gradients and
// parameters of every rank of t exactly as the runtime needs: each bucket
// reduced once over its group (under ZeRO-3 once or more: per micro-batch) (the data ranks dp·cp for dense parameters,
// the expert-data-parallel ranks for routed experts) with the collective
// its ZeRO stage needs, ZeRO-1/2's gathers of every bucket, ZeRO-3's
// gathers over the group of a parameter class, and the tied embedding's
// sum before either copy's bucket is reduced.
func (t *Trainer) checkSchedule(s *ir.Schedule) error {
	mesh := s.Mesh
	wantColl := ir.AllReduce
	if t.plan.Zero >= 1 {
		wantColl = ir.ReduceScatter
	}
	tied := sched.TiedAcrossStages(t.plan)
	nStages := len(s.Stages)
	for _, rk := range t.ranks {
		r := rk.id
		dpG := mesh.Group(ir.AxisDPCP, r)
		edpG := dpG
		if mesh.EP > 1 {
			edpG = mesh.Group(ir.AxisEDP, r)
		}
		groupOf := func(expert bool) []int {
			if expert {
				return edpG
			}
			return dpG
		}
		same := func(a ir.Action, g []int) bool {
			ag := s.GroupOf(a)
			if len(ag) != len(g) {
				return false
			}
			for i := range g {
				if int(ag[i]) != g[i] {
					return false
				}
			}
			return true
		}
		where := func(i int, a ir.Action) string {
			return fmt.Sprintf("rank %d, action %d (%s)", r, i, s.ActionString(a))
		}
		reduced := map[[2]int]int{}
		gathered := map[[2]int]int{}
		tiedAt := -1
		for i, a := range s.Ranks[r].Actions {
			switch a.Kind {
			case ir.ActReduceGrad, ir.ActAllGatherParams:
				st := rk.stages[int(a.Stage)]
				if st == nil {
					return fmt.Errorf("schedule: %s names stage %d, which this rank does not hold", where(i, a), a.Stage)
				}
				if a.Kind == ir.ActAllGatherParams && a.MB >= 0 { // ZeRO-3: one class's parameters
					if !same(a, dpG) && !same(a, edpG) {
						return fmt.Errorf("schedule: %s gathers over %v, which is neither the rank's data-parallel group %v nor its expert-data-parallel group %v", where(i, a), s.GroupOf(a), dpG, edpG)
					}
					continue
				}
				if int(a.Bucket) < 0 || int(a.Bucket) >= len(st.buckets) {
					return fmt.Errorf("schedule: %s names bucket %d; stage %d has %d", where(i, a), a.Bucket, a.Stage, len(st.buckets))
				}
				if g := groupOf(st.expertBucket[a.Bucket]); !same(a, g) {
					return fmt.Errorf("schedule: %s runs over %v, but the bucket's gradients are shared by %v", where(i, a), s.GroupOf(a), g)
				}
				key := [2]int{int(a.Stage), int(a.Bucket)}
				if a.Kind == ir.ActAllGatherParams {
					gathered[key]++
					continue
				}
				if a.Coll != wantColl {
					return fmt.Errorf("schedule: %s is a %s; ZeRO-%d needs a %s", where(i, a), a.Coll, t.plan.Zero, wantColl)
				}
				reduced[key]++
				if tied && (st.info.Embedding || st.info.Head) && bucketHolds(st.info, int(a.Bucket), ir.UnitWTE) && tiedAt < 0 {
					return fmt.Errorf("schedule: %s reduces the tied embedding's gradient before ALLREDUCE_TIED has summed its two copies", where(i, a))
				}
			case ir.ActAllReduceTied:
				if tiedAt >= 0 {
					return fmt.Errorf("schedule: %s: a second ALLREDUCE_TIED", where(i, a))
				}
				tiedAt = i
				c := rk.coord
				c.PP = s.Stages[0].PP
				first := mesh.Rank(c)
				c.PP = s.Stages[nStages-1].PP
				last := mesh.Rank(c)
				want := []int{first, last}
				if first == last {
					want = []int{r}
				}
				if !tied || !same(a, want) {
					return fmt.Errorf("schedule: %s: the tied embedding's copies are summed over %v here", where(i, a), want)
				}
			}
		}
		holdsEnd := rk.stages[0] != nil || rk.stages[nStages-1] != nil
		if tied && holdsEnd && tiedAt < 0 {
			return fmt.Errorf("schedule: rank %d holds a copy of the tied embedding but never sums it with the other (no ALLREDUCE_TIED)", r)
		}
		for si, st := range rk.stages {
			for bi := range st.buckets {
				key := [2]int{si, bi}
				if len(groupOf(st.expertBucket[bi])) < 2 {
					continue
				}
				// ZeRO-3 reduces a bucket once per micro-batch (or at
				// least once: reduce-scatters accumulate, see reduceGrad);
				// the others once per step
				if reduced[key] != 1 && !(t.plan.Zero >= 3 && reduced[key] > 1) {
					return fmt.Errorf("schedule: rank %d reduces gradient bucket %d of stage %d %d times, not once", r, bi, si, reduced[key])
				}
				if (t.plan.Zero == 1 || t.plan.Zero == 2) && gathered[key] != 1 {
					return fmt.Errorf("schedule: under ZeRO-%d rank %d gathers the updated bucket %d of stage %d %d times, not once", t.plan.Zero, r, bi, si, gathered[key])
				}
			}
		}
	}
	return nil
}

// bucketHolds reports whether bucket bi of a stage holds unit name.
func bucketHolds(info ir.StageInfo, bi int, name string) bool {
	return bi < len(info.Buckets) && slices.Contains(info.Buckets[bi].Units, name)
}
