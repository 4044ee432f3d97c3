package sched

import (
	"sort"
	"strconv"
	"strings"

	"planc/ir"
)

// This file decides the gradient buckets: which parameters each REDUCE_GRAD
// (and ZeRO's parameter gathers) moves. The decision is a function of the
// plan and of the parameter table with its partition (ir.Unit's), so that
// the schedule the compiler writes and the one the runtime builds for
// itself cut the same buckets; each producer of sizes only supplies the
// byte counts of the units.

// PlanUnits returns, for every virtual stage of plan p, its parameter units
// (see [ir.ParamUnit]) with element counts per rank from the reference
// architecture's shapes (docs/semantics.md) under tp and ep sharding: the counts
// that [BucketLayout] cuts by.
func PlanUnits(p *ir.Plan) [][]ir.ParamUnit {
	m := p.Model
	if m == nil {
		return nil
	}
	nStages := p.PP * max(p.VPP, 1)
	layers := EvenPartition(modelLayers(m), nStages)
	tp, ep := int64(max(p.TP, 1)), int64(max(p.EP, 1))
	out := make([][]ir.ParamUnit, nStages)
	first := 0
	for st := range nStages {
		info := ir.StageInfo{FirstLayer: first, EndLayer: first + layers[st], Embedding: st == 0, Head: st == nStages-1}
		first += layers[st]
		out[st] = stageUnits(p, info, nStages, func(l int) (dense, expert int64) {
			if m.Kind == ir.MLPModel {
				w := int64(m.Width)
				return w*w/tp + w, 0
			}
			h := int64(m.Hidden)
			dense = (4*h*h+4*h)/tp + 4*h
			if !m.IsMoELayer(l) {
				return dense + (2*h*int64(m.FFN)+int64(m.FFN))/tp + h, 0
			}
			e := m.MoE
			ef := int64(e.ExpertFFN)
			one := 2*h*ef + ef + h
			dense += h*int64(e.Experts) + int64(e.Shared)*one // MoE blocks are replicated over tp
			return dense, int64(e.Experts) * one / ep
		})
	}
	return out
}

// stageUnits lists a stage's units in order, with the counts of layerParams
// for the layers and the reference shapes for embeddings and head.
func stageUnits(p *ir.Plan, info ir.StageInfo, nStages int, layerParams func(l int) (dense, expert int64)) []ir.ParamUnit {
	m := p.Model
	tp := int64(max(p.TP, 1))
	transformer := m.Kind != ir.MLPModel
	var units, experts []ir.ParamUnit
	if transformer {
		h, V := int64(m.Hidden), int64(m.Vocab)
		if info.Embedding || (info.Head && m.TieEmbeddings && nStages > 1) {
			units = append(units, ir.ParamUnit{Name: ir.UnitWTE, Params: V * h / tp})
		}
		if info.Embedding {
			units = append(units, ir.ParamUnit{Name: ir.UnitWPE, Params: int64(m.Seq) * h})
		}
	}
	for l := info.FirstLayer; l < info.EndLayer; l++ {
		d, e := layerParams(l)
		if p.EP <= 1 {
			d, e = d+e, 0
		}
		units = append(units, ir.ParamUnit{Name: ir.LayerUnit(l, false), Params: d})
		if e > 0 {
			experts = append(experts, ir.ParamUnit{Name: ir.LayerUnit(l, true), Params: e, Expert: true})
		}
	}
	if transformer && info.Head {
		n := 2 * int64(m.Hidden)
		if !m.TieEmbeddings {
			n += int64(m.Vocab) * int64(m.Hidden) / tp
		}
		units = append(units, ir.ParamUnit{Name: ir.UnitHead, Params: n})
	}
	return append(units, experts...)
}

// TiedAcrossStages reports whether plan p's tied embedding has two copies,
// on the first and the last virtual stage, whose gradients must be summed
// (ALLREDUCE_TIED) before they are reduced over the data ranks.
func TiedAcrossStages(p *ir.Plan) bool {
	m := p.Model
	return m != nil && m.Kind != ir.MLPModel && m.TieEmbeddings && p.PP*max(p.VPP, 1) > 1
}

// BucketLayout cuts each stage's units (the parameter table's, see
// [ir.StageUnits], or PlanUnits' for a plan without a compiled unit) into
// gradient buckets of at most bucketParams elements: whole units, in the
// stage's parameter order, the dense ones first, then the experts' (which
// reduce over another group); a unit larger than a bucket is a bucket of
// its own. When the embedding is tied across stages its table is a bucket
// alone on both the first and the last stage, so that the two copies can
// be summed (ALLREDUCE_TIED) right before that bucket is reduced while the
// stage's other buckets reduce as soon as its backward ends.
func BucketLayout(p *ir.Plan, units [][]ir.ParamUnit, bucketParams int64) [][]ir.GradBucket {
	tied := TiedAcrossStages(p)
	out := make([][]ir.GradBucket, len(units))
	for st, us := range units {
		var cur ir.GradBucket
		var n int64
		flush := func() {
			if len(cur.Units) > 0 {
				out[st] = append(out[st], cur)
			}
			cur, n = ir.GradBucket{}, 0
		}
		for _, u := range us {
			if u.Params <= 0 {
				continue
			}
			alone := tied && u.Name == ir.UnitWTE
			if alone || u.Expert != cur.Expert || (bucketParams > 0 && n > 0 && n+u.Params > bucketParams) {
				flush()
			}
			cur.Expert = u.Expert
			cur.Units = append(cur.Units, u.Name)
			n += u.Params
			if alone {
				flush()
			}
		}
		flush()
	}
	return out
}

// IsTiedBucket reports whether b is the tied embedding's bucket.
func IsTiedBucket(b ir.GradBucket) bool {
	return !b.Expert && len(b.Units) == 1 && b.Units[0] == ir.UnitWTE
}

// unitRank orders unit names as a stage's parameters are laid out.
func unitRank(name string) (int, int) {
	switch name {
	case ir.UnitWTE:
		return 0, 0
	case ir.UnitWPE:
		return 1, 0
	case ir.UnitHead:
		return 3, 0
	}
	l, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "L"), ".experts"))
	if strings.HasSuffix(name, ".experts") {
		return 4, l
	}
	return 2, l
}

// sortUnits puts units in the stage's parameter order.
func sortUnits(us []ir.ParamUnit) {
	sort.SliceStable(us, func(i, j int) bool {
		a1, a2 := unitRank(us[i].Name)
		b1, b2 := unitRank(us[j].Name)
		return a1 < b1 || a1 == b1 && a2 < b2
	})
}
