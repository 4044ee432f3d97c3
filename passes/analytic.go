package passes

import (
	"fmt"

	"planc/ir"
)

// nKindsLayer bounds the kinds of layers a model has (see kindOf).
const nKindsLayer = 5

// Estimation is the analytic cost model's verdict on a plan.
type Estimation struct {
	StepTime     float64
	PeakBytes    float64 // the worst rank's peak memory
	TokensPerSec float64
	MFU          float64
	Memory       *ir.MemoryReport
	Cost         *ir.CostReport
}

// Fits reports whether the plan fits in device memory.
func (e Estimation) Fits() bool { return e.PeakBytes <= e.Memory.Capacity }

// Estimate evaluates a plan with the fast analytic path that the planner
// uses: it expands, shards and times one layer of each kind (dense, MoE)
// instead of the whole model, partitions the pipeline with the same
// balancing as the pipeline pass, and assembles the same memory and cost
// reports. Compile's reports and Estimate's agree (a test checks it). The
// plan is not modified; its `auto` fields must already be filled.
func Estimate(plan *ir.Plan) (Estimation, ir.Diagnostics) {
	p := clonePlan(plan)
	if ds := checkPlan(p); ds.HasErrors() {
		return Estimation{}, ds
	}
	mesh := ir.NewMesh(p)
	cm := newCostModel(p, mesh)
	d := newDims(p)
	sh := newSharder(p)
	m := p.Model
	L := m.NumLayers()

	// one template layer per kind, at the first index of that kind
	kindOf := func(i int) int {
		if m.Kind != ir.MLPModel && m.IsMoELayer(i) {
			return 1
		}
		if m.Kind == ir.MLPModel && i == L-1 {
			return 2 // the last mlp layer has no activation
		}
		if m.Kind == ir.MLPModel && i == 0 {
			return 4 // the first reads the data, with no producer to reduce into
		}
		if m.Kind == ir.MLPModel && i%2 == 1 {
			return 3 // row-parallel layers
		}
		return 0
	}
	var tmplIndex [nKindsLayer]int
	for k := range tmplIndex {
		tmplIndex[k] = -1
	}
	var counts [nKindsLayer]int
	for i := 0; i < L; i++ {
		k := kindOf(i)
		if tmplIndex[k] < 0 {
			tmplIndex[k] = i
		}
		counts[k]++
	}
	var embed, head []*ir.Op
	var layers [nKindsLayer][]*ir.Op
	if m.Kind == ir.MLPModel {
		head = []*ir.Op{mseLoss(d, L)}
	} else {
		embed = []*ir.Op{embedding(d)}
		head = headOps(d, m)
	}
	producers := map[string]*ir.Op{}
	var layerList [][]*ir.Op
	var layerKinds []int
	for k, i := range tmplIndex {
		if i < 0 {
			continue
		}
		if m.Kind == ir.MLPModel {
			layers[k] = mlpLayer(d, m, i)
		} else {
			layers[k] = transformerLayer(d, p, i)
		}
		layerList = append(layerList, layers[k])
		layerKinds = append(layerKinds, k)
	}
	for _, ops := range append(append([][]*ir.Op{embed}, layerList...), head) {
		for _, o := range ops {
			sh.shardOp(o)
			producers[o.Output.Name] = o
		}
	}
	// the head reads the last layer's output: alias it to that kind's
	// template (same layout)
	last := layers[kindOf(L-1)]
	producers[head[0].Inputs[0].Name] = last[len(last)-1]
	embedColls, layerColls, headColls := collectivesOf(p, mesh, embed, layerList, head, producers)
	markRecompute(p.Recompute, layerList)

	// partition with the pipeline pass's weights
	var kindCost [nKindsLayer]float64
	var kindColls [nKindsLayer][]*ir.Collective
	for j, k := range layerKinds {
		kindCost[k] = opsTime(cm, layers[k], layerColls[j])
		kindColls[k] = append(layerColls[j], zero3Colls(p, mesh, layers[k], tmplIndex[k])...)
	}
	costs := make([]float64, L)
	for i := range costs {
		costs[i] = kindCost[kindOf(i)]
	}
	chunks := p.PP * p.VPP
	bounds := partition(costs, chunks, opsTime(cm, embed, embedColls), opsTime(cm, head, headColls))

	full := p.Recompute == "full"
	var kindSum [nKindsLayer]summary
	var kindParams [nKindsLayer][2]float64
	for _, k := range layerKinds {
		kindSum[k] = summarizeOps(cm, layers[k], kindColls[k], full)
		for _, o := range layers[k] {
			for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
				if w == nil {
					continue
				}
				if isExpertParam(w.Name) {
					kindParams[k][1] += w.Elements()
				} else {
					kindParams[k][0] += w.Elements()
				}
			}
		}
	}
	embedSum := summarizeOps(cm, embed, embedColls, full)
	headSum := summarizeOps(cm, head, headColls, full)
	embedParams := 0.0
	for _, o := range embed {
		embedParams += o.ParamElements()
	}
	headParams, headTied := 0.0, 0.0
	for _, o := range head {
		headParams += o.ParamElements()
		if o.Weight != nil && o.Weight.Name == "wte" {
			headTied = o.Weight.Elements()
		}
	}
	boundary := boundaryBytes(p)
	digests := make([]stageDigest, chunks)
	for s := 0; s < chunks; s++ {
		dg := stageDigest{index: s, ppRank: s % p.PP}
		if s == 0 {
			dg.sum.add(&embedSum, 1)
			dg.dense += embedParams
		}
		var n [nKindsLayer]int
		for l := bounds[s]; l < bounds[s+1]; l++ {
			n[kindOf(l)]++
		}
		for k := range n {
			if n[k] > 0 {
				dg.sum.add(&kindSum[k], float64(n[k]))
				dg.dense += float64(n[k]) * kindParams[k][0]
				dg.expert += float64(n[k]) * kindParams[k][1]
			}
		}
		if s == chunks-1 {
			dg.sum.add(&headSum, 1)
			dg.dense += headParams
			if s == 0 {
				dg.dense -= headTied // one wte on a single stage
			}
		}
		if p.PP > 1 {
			var pc []*ir.Collective
			if s < chunks-1 {
				pc = append(pc, &ir.Collective{Kind: ir.SendRecv, Axis: ir.AxisPP, GroupSize: 2, Bytes: boundary, Phase: ir.Forward, Overlap: ir.Critical, Layer: bounds[s+1] - 1})
			}
			if s > 0 {
				pc = append(pc, &ir.Collective{Kind: ir.SendRecv, Axis: ir.AxisPP, GroupSize: 2, Bytes: boundary, Phase: ir.Backward, Overlap: ir.Critical, Layer: bounds[s]})
			}
			ps := summarizeOps(cm, nil, pc, full)
			dg.sum.add(&ps, 1)
			if (s == 0 || s == chunks-1) && m.Kind != ir.MLPModel && m.TieEmbeddings {
				dg.step = append(dg.step, stepColl{ir.AllReduce, ir.AxisEmbed, embed[0].Weight.Elements() * float64(embed[0].Weight.Elem), 1, ir.Critical})
			}
		}
		dg.step = append(stepColls(gradColls(p, mesh, s, dg.dense, dg.expert)), dg.step...)
		digests[s] = dg
	}
	mem, cost := assemble(p, cm, digests)
	e := Estimation{StepTime: cost.StepTime, PeakBytes: mem.WorstRank().Peak, TokensPerSec: cost.TokensPerSec, MFU: cost.MFU, Memory: mem, Cost: cost}
	return e, nil
}

var _ = fmt.Sprint
