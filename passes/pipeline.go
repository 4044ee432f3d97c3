package passes

import (
	"fmt"
	"strings"

	"planc/ir"
	"planc/passes/sched"
)

// buildMesh lays the plan's degrees onto ranks (Megatron order).
func buildMesh(st *State) {
	st.Unit.Mesh = ir.NewMesh(st.Plan)
}

// opsTime is the forward plus backward time of ops and their critical
// collectives per micro-batch: the weight that balances pipeline stages.
func opsTime(cm *costModel, ops []*ir.Op, colls []*ir.Collective) float64 {
	t := 0.0
	for _, o := range ops {
		f, b, w := cm.opTimes(o)
		t += f + b + w
	}
	for _, c := range colls {
		if c.Overlap == ir.Critical && c.Phase != ir.StepPhase {
			t += cm.collTime(c)
		}
	}
	return t
}

// partition splits n layers of the given costs into parts contiguous
// chunks (parts <= n), minimizing the largest chunk; first and last carry
// the extra costs of the embedding and the head. It returns the first layer
// of each chunk and a final n. The search is a bisection on the largest
// load with a greedy check, bounded at 60 rounds.
func partition(costs []float64, parts int, first, last float64) []int {
	n := len(costs)
	load := func(i int) float64 {
		c := costs[i]
		if i == 0 {
			c += first
		}
		if i == n-1 {
			c += last
		}
		return c
	}
	// greedy packs under cap, forcing a cut when the layers left equal the
	// chunks left; ok reports whether it fits in parts chunks.
	greedy := func(cap float64, bounds []int) ([]int, bool) {
		bounds = append(bounds[:0], 0)
		cur := 0.0
		for i := 0; i < n; i++ {
			c := load(i)
			chunksLeft := parts - len(bounds)
			mustCut := i > bounds[len(bounds)-1] && n-i == chunksLeft+0 && chunksLeft > 0
			if i > bounds[len(bounds)-1] && (cur+c > cap || mustCut) {
				if len(bounds) == parts {
					return bounds, false
				}
				bounds = append(bounds, i)
				cur = 0
			}
			cur += c
			if cur > cap && i == bounds[len(bounds)-1] && c > cap {
				return bounds, false
			}
		}
		return append(bounds, n), len(bounds) == parts
	}
	total, biggest := 0.0, 0.0
	for i := 0; i < n; i++ {
		total += load(i)
		biggest = max(biggest, load(i))
	}
	lo, hi := max(biggest, total/float64(parts)), total
	buf := make([]int, 0, parts+1)
	best, ok := greedy(hi, nil)
	if !ok {
		best, _ = greedy(hi*2, nil)
	}
	for round := 0; round < 60 && hi-lo > 1e-9*hi; round++ {
		mid := (lo + hi) / 2
		if b, ok := greedy(mid, buf); ok {
			best = append(best[:0], b...)
			hi = mid
		} else {
			lo = mid
		}
	}
	return best
}

// partitionPipeline cuts the layers into pp·vpp virtual stages balanced by
// cost (embedding on the first, final norm, head and loss on the last),
// inserts the send/recv of activations and gradients between stages, and
// with tied embeddings the all-reduce of the embedding gradient between the
// first and the last stage.
func partitionPipeline(st *State) {
	p := st.Plan
	cm := newCostModel(p, st.Unit.Mesh)
	chunks := p.PP * max(p.VPP, 1)
	costs := make([]float64, len(st.layers))
	for i := range st.layers {
		costs[i] = opsTime(cm, st.layers[i], st.layerColls[i])
	}
	bounds := partition(costs, chunks, opsTime(cm, st.embed, st.embedColls), opsTime(cm, st.head, st.headColls))
	stages := make([]*ir.Stage, chunks)
	for s := 0; s < chunks; s++ {
		sg := &ir.Stage{Index: s, PPRank: p.Schedule.PipelineRank(p.PP, s), Chunk: s / p.PP, FirstLayer: bounds[s], LastLayer: bounds[s+1]}
		if s == 0 {
			sg.Ops = append(sg.Ops, st.embed...)
			sg.Collectives = append(sg.Collectives, st.embedColls...)
		}
		for l := sg.FirstLayer; l < sg.LastLayer; l++ {
			sg.Ops = append(sg.Ops, st.layers[l]...)
			sg.Collectives = append(sg.Collectives, st.layerColls[l]...)
		}
		if s == chunks-1 {
			sg.Ops = append(sg.Ops, st.head...)
			sg.Collectives = append(sg.Collectives, st.headColls...)
		}
		stages[s] = sg
	}
	if p.PP > 1 {
		boundary := boundaryBytes(p)
		for s, sg := range stages {
			if len(sg.Ops) == 0 {
				continue
			}
			// zb-v's fold (stages pp−1 and pp on one rank) sends nothing
			if s < chunks-1 && remoteStages(p, s, s+1) {
				sg.Collectives = append(sg.Collectives, &ir.Collective{Name: fmt.Sprintf("s%d.send_f", s), Kind: ir.SendRecv, Axis: ir.AxisPP, GroupSize: 2,
					Bytes: boundary, Phase: ir.Forward, After: sg.Ops[len(sg.Ops)-1].Name, Layer: sg.LastLayer - 1, Overlap: ir.Critical, Tensor: fmt.Sprintf("l%d.x", sg.LastLayer)})
			}
			if s > 0 && remoteStages(p, s-1, s) {
				sg.Collectives = append(sg.Collectives, &ir.Collective{Name: fmt.Sprintf("s%d.send_b", s), Kind: ir.SendRecv, Axis: ir.AxisPP, GroupSize: 2,
					Bytes: boundary, Phase: ir.Backward, After: sg.Ops[0].Name, Layer: sg.FirstLayer, Overlap: ir.Critical, Tensor: fmt.Sprintf("d l%d.x", sg.FirstLayer)})
			}
		}
		if p.ScattersPipelineTensors() {
			addBoundaryGathers(p, stages)
		}
		if p.Model.Kind != ir.MLPModel && p.Model.TieEmbeddings {
			wte := wteGradBytes(stages[0])
			for _, sg := range []*ir.Stage{stages[0], stages[chunks-1]} {
				sg.Collectives = append(sg.Collectives, &ir.Collective{Name: fmt.Sprintf("s%d.tied_wte", sg.Index), Kind: ir.AllReduce, Axis: ir.AxisEmbed, GroupSize: 2,
					Bytes: wte, Phase: ir.StepPhase, Overlap: ir.Critical, Layer: -1, Tensor: "d wte"})
			}
		}
	}
	st.Unit.Graph.Stages = stages
}

// boundaryBytes is the activation one rank sends to the next stage per
// micro-batch: the [b, s, h] hidden state, split across the tp ranks
// (Megatron's scatter-gather of pipeline tensors, or sp's own split) and cp.
func boundaryBytes(p *ir.Plan) float64 {
	d := newDims(p)
	return float64(d.b) * float64(d.s) / float64(p.CP) * float64(d.h) * float64(d.elem) / float64(p.TP)
}

// addBoundaryGathers places the receiving side of Megatron's
// scatter/gather of pipeline tensors: each stage that receives its input
// from another rank all-gathers the tp ranks' chunks in forward, and each
// that receives its output's gradient so all-gathers it in backward
// (Megatron-LM's p2p communication gathers whatever it receives, both
// ways). Critical: the stage's compute waits for it. A boundary between
// two stages on one rank (zb-v's fold) passes the whole tensor locally.
func addBoundaryGathers(p *ir.Plan, stages []*ir.Stage) {
	whole := boundaryBytes(p) * float64(p.TP)
	remote := func(a, b int) bool { return remoteStages(p, a, b) }
	last := len(stages) - 1
	for s, sg := range stages {
		if len(sg.Ops) == 0 {
			continue
		}
		if s > 0 && remote(s-1, s) {
			sg.Collectives = append(sg.Collectives, &ir.Collective{Name: fmt.Sprintf("s%d.gather_in", s), Kind: ir.AllGather, Axis: ir.AxisTP, GroupSize: p.TP,
				Bytes: whole, Phase: ir.Forward, Layer: -1, Overlap: ir.Critical, Tensor: fmt.Sprintf("l%d.x", sg.FirstLayer), Boundary: true})
		}
		if s < last && remote(s, s+1) {
			sg.Collectives = append(sg.Collectives, &ir.Collective{Name: fmt.Sprintf("s%d.gather_dout", s), Kind: ir.AllGather, Axis: ir.AxisTP, GroupSize: p.TP,
				Bytes: whole, Phase: ir.Backward, Layer: -1, Overlap: ir.Critical, Tensor: fmt.Sprintf("d l%d.x", sg.LastLayer), Boundary: true})
		}
	}
}

// remoteStages reports whether virtual stages a and b of plan p are on
// different pipeline ranks (a pipeline message between them crosses a
// link).
func remoteStages(p *ir.Plan, a, b int) bool {
	return p.Schedule.PipelineRank(p.PP, a) != p.Schedule.PipelineRank(p.PP, b)
}

func wteGradBytes(s *ir.Stage) float64 {
	for _, o := range s.Ops {
		if o.Kind == ir.OpEmbedding {
			return o.Weight.Elements() * float64(o.Weight.Elem)
		}
	}
	return 0
}

// isExpertParam reports whether a parameter belongs to a routed expert
// (replicated over the expert-data-parallel group, not the dp group).
func isExpertParam(name string) bool { return strings.Contains(name, ".expert_") }

// stageParams returns the unique parameters of a stage: dense and expert
// elements per rank.
func stageParams(s *ir.Stage) (dense, expert float64) {
	seen := map[string]bool{}
	for _, o := range s.Ops {
		for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
			if w == nil || seen[w.Name] {
				continue
			}
			seen[w.Name] = true
			if isExpertParam(w.Name) {
				expert += w.Elements()
			} else {
				dense += w.Elements()
			}
		}
	}
	return
}

// tpReplicatedParam reports whether a parameter is whole on every tp rank
// but applied to a different slice of the tokens on each, so that its
// gradient is a partial sum over tp: under sequence parallelism the
// LayerNorms, MLA's down projections and latent norms, and the biases added after a
// reduce-scatter (out_proj, fc2);
// under sequence-sharded MoE blocks the router and the shared experts.
func tpReplicatedParam(p *ir.Plan, name string) bool {
	if p.TP < 2 {
		return false
	}
	if p.MoE.SSMB && (strings.Contains(name, ".router.") || strings.Contains(name, ".shared_")) {
		return true
	}
	if !p.SP {
		return false
	}
	// Under sp the embedding leaves by a reduce-scatter and the position
	// embedding is added to each rank's own tokens, so its gradient is a
	// partial sum over tp too.
	if name == "wpe" || strings.HasPrefix(name, "ln_f.") || strings.Contains(name, ".ln1.") || strings.Contains(name, ".ln2.") {
		return true
	}
	// MLA's replicated down projections and latent norms run on the
	// rank's own tokens under sp too (before the column-parallel up
	// projections gather the normalized latents).
	for _, part := range []string{".q_down.", ".kv_down.", ".q_norm.", ".kv_norm."} {
		if strings.Contains(name, part) {
			return true
		}
	}
	// MoE blocks (the shared experts' fc2 included) run whole on every tp
	// rank's tokens: their gradients are complete.
	return strings.HasSuffix(name, "out_proj.b") || strings.HasSuffix(name, "fc2.b") && !strings.Contains(name, "expert_") && !strings.Contains(name, "shared_")
}

// kvReplicatedElems returns the elements of op o's parameters, on one
// rank, that several tp ranks hold as copies and whose gradients are
// partial sums over an ir.AxisKV group: the key/value columns of the qkv
// projection (weight and bias) when tp exceeds kv_heads. Each rank then
// holds a/tp query heads and one key and one value head of equal width
// (the graph's qkv is (a + 2·tp)·d columns, split over tp).
func kvReplicatedElems(p *ir.Plan, o *ir.Op) float64 {
	if o.Kind != ir.OpQKV || ir.KVReplication(p) < 2 {
		return 0
	}
	n := 0.0
	for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
		if w != nil {
			n += w.Elements()
		}
	}
	return n * 2 / float64(p.Model.Heads/p.TP+2)
}

// stageKVReplicated returns the elements of a stage's replicated
// key/value columns (see kvReplicatedElems).
func stageKVReplicated(p *ir.Plan, s *ir.Stage) float64 {
	n := 0.0
	for _, o := range s.Ops {
		n += kvReplicatedElems(p, o)
	}
	return n
}

// stageTPReplicated returns the elements of a stage's tp-replicated
// parameters (see tpReplicatedParam).
func stageTPReplicated(p *ir.Plan, s *ir.Stage) float64 {
	n := 0.0
	seen := map[string]bool{}
	for _, o := range s.Ops {
		for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
			if w != nil && !seen[w.Name] && tpReplicatedParam(p, w.Name) {
				seen[w.Name] = true
				n += w.Elements()
			}
		}
	}
	return n
}

// layerParams returns the parameter elements of one layer's ops.
func layerParams(ops []*ir.Op) float64 {
	n := 0.0
	for _, o := range ops {
		n += o.ParamElements()
	}
	return n
}

// bucketElems is the gradient bucket size in elements (Megatron's
// default of 40M parameters per bucket).
const bucketElems = 40e6

// GradBucketElements is the gradient bucket size the cost model assumes, in
// elements; exporters hand it to the engines (Megatron's --ddp-bucket-size,
// DeepSpeed's reduce_bucket_size).
const GradBucketElements = bucketElems

// gradGroups returns the axes over which a stage's dense gradients are
// reduced, in order: one all-reduce over dp×cp for lss (its single
// gradient average), otherwise over cp and then over dp.
//
// Under ZeRO the last axis is the sharding group, and with cp it is dp·cp
// in one reduce-scatter: the runtime shards the optimizer over every rank
// that holds the same parameters, as Megatron-LM's distributed optimizer
// does over its data-parallel group with cp.
func gradGroups(p *ir.Plan) []ir.Axis {
	switch {
	case p.CP > 1 && p.Zero >= 1:
		return []ir.Axis{ir.AxisDPCP}
	case p.CP > 1 && p.CPMode == ir.CPLSS && p.DP > 1:
		return []ir.Axis{ir.AxisDPCP}
	case p.CP > 1 && p.CPMode == ir.CPLSS:
		return []ir.Axis{ir.AxisCP}
	case p.CP > 1:
		return []ir.Axis{ir.AxisCP, ir.AxisDP}
	}
	return []ir.Axis{ir.AxisDP}
}

// zeroPass inserts the gradient reduction of every stage (all-reduce
// without ZeRO, reduce-scatter with it; the ZeRO sharding group is dp·cp,
// expert gradients reduce over the expert-data-parallel group) and ZeRO's
// parameter gathers: for stages 0 to 2 the reduction in buckets once per
// step, and for stages 1 and 2 the gather once per step after the
// optimizer; for stage 3, per layer and micro-batch, the gathers in
// forward and again in backward and the reduce-scatter of the gradients in
// backward (see zero3Colls), the tied embedding's copies aside.
func zeroPass(st *State) {
	p := st.Plan
	mesh := st.Unit.Mesh
	for _, sg := range st.Unit.Graph.Stages {
		dense, expert := stepGradParams(p, sg)
		sg.Collectives = append(sg.Collectives, gradColls(p, mesh, sg.Index, dense, expert, stageTPReplicated(p, sg), stageKVReplicated(p, sg))...)
		if sg.Index == 0 {
			sg.Collectives = append(sg.Collectives, zero3Colls(p, mesh, st.embed, -1, false)...)
		}
		for l := sg.FirstLayer; l < sg.LastLayer; l++ {
			sg.Collectives = append(sg.Collectives, zero3Colls(p, mesh, st.layers[l], l, false)...)
		}
		if sg.Index == len(st.Unit.Graph.Stages)-1 {
			sg.Collectives = append(sg.Collectives, zero3Colls(p, mesh, st.head, -1, sg.Index == 0)...)
		}
	}
}

// gradColls returns a stage's once-per-step collectives: its gradient
// buckets over the reduction groups (all-reduce, or reduce-scatter from
// ZeRO 1 on; expert gradients over the expert-data-parallel group) and,
// for ZeRO 1 and 2, the all-gather of the updated parameters.
func gradColls(p *ir.Plan, mesh ir.Mesh, stage int, dense, expert, tpRep, kvRep float64) []*ir.Collective {
	var out []*ir.Collective
	for _, c := range gradStepColls(p, mesh, dense, expert, tpRep, kvRep, nil) {
		w := stepWhatNames[c.what]
		name := fmt.Sprintf("s%d.%s.%s.%s", stage, w[0], c.axis, w[1])
		out = append(out, &ir.Collective{Name: name, Kind: c.kind, Axis: c.axis, GroupSize: mesh.Degree(c.axis), Bytes: c.bytes,
			Steps: c.calls, Phase: ir.StepPhase, Overlap: c.overlap, Layer: -1, Tensor: w[0]})
	}
	return out
}

// gradStepColls appends to out the step collectives of gradColls. tpRep
// is the stage's parameters that every tp rank holds whole but applies to
// its own tokens (see tpReplicatedParam): their gradients are all-reduced
// over tp before the data-parallel reduction, as Megatron does for the
// sequence-parallel LayerNorms. kvRep is the stage's replicated
// key/value columns (see kvReplicatedElems): their gradients are
// all-reduced over the ir.AxisKV group, the tp ranks sharing each head.
func gradStepColls(p *ir.Plan, mesh ir.Mesh, dense, expert, tpRep, kvRep float64, out []stepColl) []stepColl {
	elem := float64(elemBytes(p.Precision))
	if tpRep > 0 && mesh.Degree(ir.AxisTP) > 1 {
		out = append(out, stepColl{kind: ir.AllReduce, axis: ir.AxisTP, bytes: tpRep * elem, calls: 1, overlap: ir.Critical, what: tpReplicatedGrads})
	}
	if kvRep > 0 && mesh.Degree(ir.AxisKV) > 1 {
		out = append(out, stepColl{kind: ir.AllReduce, axis: ir.AxisKV, bytes: kvRep * elem, calls: 1, overlap: ir.Critical, what: kvReplicatedGrads})
	}
	// full buckets as one entry of n-1 calls, then the last (partial)
	// bucket, whose reduction cannot overlap the backward
	// Without overlap.grad_reduce the engine reduces after the whole
	// backward: every bucket is on the critical path.
	over := ir.WithCompute
	if !p.Overlap.GradReduce() {
		over = ir.Critical
	}
	add := func(kind ir.CollKind, axis ir.Axis, total float64, buckets, last stepWhat) {
		if mesh.Degree(axis) < 2 || total <= 0 {
			return
		}
		bucket := bucketElems * elem
		n := int(total / bucket)
		if float64(n)*bucket < total {
			n++
		}
		if n > 1 {
			out = append(out, stepColl{kind: kind, axis: axis, bytes: bucket, calls: n - 1, overlap: over, what: buckets})
		}
		out = append(out, stepColl{kind: kind, axis: axis, bytes: total - float64(n-1)*bucket, calls: 1, overlap: over, what: last})
	}
	groups := gradGroups(p)
	for i, ax := range groups {
		kind := ir.AllReduce
		if p.Zero >= 1 && i == len(groups)-1 {
			kind = ir.ReduceScatter
		}
		add(kind, ax, dense*elem, gradBuckets, gradLastBucket)
	}
	ekind := ir.AllReduce
	if p.Zero >= 1 {
		ekind = ir.ReduceScatter
	}
	add(ekind, ir.AxisEDP, expert*elem, expertGradBuckets, expertGradLastBucket)
	if p.Zero == 1 || p.Zero == 2 {
		gather := ir.Critical
		if p.Overlap.ParamGather {
			gather = ir.NextForward
		}
		shardAxis := groups[len(groups)-1]
		if mesh.Degree(shardAxis) > 1 && dense > 0 {
			out = append(out, stepColl{kind: ir.AllGather, axis: shardAxis, bytes: dense * elem, calls: 1, overlap: gather, what: paramsGather})
		}
		if mesh.Degree(ir.AxisEDP) > 1 && expert > 0 {
			out = append(out, stepColl{kind: ir.AllGather, axis: ir.AxisEDP, bytes: expert * elem, calls: 1, overlap: gather, what: expertParamsGather})
		}
	}
	return out
}

// zero3Colls returns ZeRO-3's collectives of one layer's ops (or the
// embedding's, the head's) for every micro-batch, as DeepSpeed and FSDP
// run them: the gather of their parameters in forward and again in
// backward (the gathered copy is released after each use; prefetched, so
// they overlap the compute before them), and the reduce-scatter of their
// gradients in backward (behind the backward of the layers below, or
// critical without overlap.grad_reduce). One of each per parameter class,
// as the runtime shards them: the dense parameters over the data ranks
// (dp·cp), the routed experts' over the expert-data-parallel group under
// ep > 1 (with ep = 1 they are dense).
func zero3Colls(p *ir.Plan, mesh ir.Mesh, ops []*ir.Op, l int, skipWte bool) []*ir.Collective {
	if p.Zero < 3 || len(ops) == 0 {
		return nil
	}
	groups := gradGroups(p)
	dense, expert := classParams(ops, skipWte)
	if mesh.EP <= 1 {
		dense, expert = dense+expert, 0
	}
	// the tied embedding's copies on two stages are reduced once per step,
	// after ALLREDUCE_TIED has summed them (stepGradParams)
	tied := 0.0
	if sched.TiedAcrossStages(p) {
		tied = tiedWte(ops)
	}
	reduce := ir.WithCompute
	if !p.Overlap.GradReduce() {
		reduce = ir.Critical
	}
	elem := float64(elemBytes(p.Precision))
	var out []*ir.Collective
	for _, c := range []struct {
		kind    ir.CollKind
		phase   ir.Phase
		axis    ir.Axis
		n       float64
		tensor  string
		overlap ir.Overlap
	}{
		{ir.AllGather, ir.Forward, groups[len(groups)-1], dense, zero3Params, ir.WithCompute},
		{ir.AllGather, ir.Forward, ir.AxisEDP, expert, zero3ExpertParams, ir.WithCompute},
		{ir.AllGather, ir.Backward, groups[len(groups)-1], dense, zero3Params, ir.WithCompute},
		{ir.AllGather, ir.Backward, ir.AxisEDP, expert, zero3ExpertParams, ir.WithCompute},
		{ir.ReduceScatter, ir.Backward, groups[len(groups)-1], dense - tied, zero3Grads, reduce},
		{ir.ReduceScatter, ir.Backward, ir.AxisEDP, expert, zero3ExpertGrads, reduce},
	} {
		if mesh.Degree(c.axis) < 2 || c.n <= 0 {
			continue
		}
		op := "ag"
		if c.kind == ir.ReduceScatter {
			op = "rs"
		}
		out = append(out, &ir.Collective{Name: fmt.Sprintf("%s.%s.%s.%s", ops[0].Name, c.tensor, op, c.phase), Kind: c.kind, Axis: c.axis,
			GroupSize: mesh.Degree(c.axis), Bytes: c.n * elem, Phase: c.phase, After: ops[0].Name, Layer: l, Overlap: c.overlap, Tensor: c.tensor})
	}
	return out
}

// tiedWte returns the elements of wte among ops' weights.
func tiedWte(ops []*ir.Op) float64 {
	for _, o := range ops {
		if o.Weight != nil && o.Weight.Name == "wte" {
			return o.Weight.Elements()
		}
	}
	return 0
}

// stepGradParams returns the dense and expert gradient elements of stage
// sg that are reduced once per step: all of them below ZeRO-3; under
// ZeRO-3, which reduce-scatters every micro-batch's gradients per layer
// (zero3Colls), only a copy of the embedding tied across stages, reduced
// after its copies are summed.
func stepGradParams(p *ir.Plan, sg *ir.Stage) (dense, expert float64) {
	if p.Zero < 3 {
		return stageParams(sg)
	}
	if sched.TiedAcrossStages(p) {
		return tiedWte(sg.Ops), 0
	}
	return 0, 0
}

// classParams returns the dense and routed-expert parameter elements of ops
// (without wte when skipWte: a tied head on the embedding's stage gathers
// wte once).
func classParams(ops []*ir.Op, skipWte bool) (dense, expert float64) {
	for _, o := range ops {
		for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
			switch {
			case w == nil || (skipWte && w.Name == "wte"):
			case isExpertParam(w.Name):
				expert += w.Elements()
			default:
				dense += w.Elements()
			}
		}
	}
	return dense, expert
}

// The Tensor of ZeRO-3's per-layer parameter gathers and gradient
// reduce-scatters, by class.
const (
	zero3Params       = "params"
	zero3ExpertParams = "expert_params"
	zero3Grads        = "d params"
	zero3ExpertGrads  = "d expert_params"
)

// isZero3Coll reports whether c is one of ZeRO-3's per-layer parameter
// gathers or gradient reduce-scatters (see zero3Colls).
func isZero3Coll(c *ir.Collective) bool {
	switch c.Tensor {
	case zero3Params, zero3ExpertParams, zero3Grads, zero3ExpertGrads:
		return c.Phase != ir.StepPhase && (c.Kind == ir.AllGather || c.Kind == ir.ReduceScatter)
	}
	return false
}

// recomputePass marks the ops whose forward is repeated in backward:
// selective recomputes the attention core (Korthikanti et al.), keeping
// q, k and v; full recomputes every layer from its input.
func recomputePass(st *State) {
	policy := st.Plan.Recompute
	if policy == ir.RecomputeSelective && st.Plan.Attention == ir.AttentionFused {
		// fused attention keeps no s×s tensor and already recomputes its
		// scores in backward: selective recomputation has nothing left to do
		policy = ir.RecomputeNone
	}
	markRecompute(policy, st.layers)
}

func markRecompute(policy ir.RecomputeMode, layers [][]*ir.Op) {
	switch policy {
	case ir.RecomputeSelective:
		for _, ops := range layers {
			for _, o := range ops {
				info := o.Kind.Info()
				if info.Recompute != ir.RecomputeAttentionCore {
					continue
				}
				o.Recompute = true
				for _, i := range info.SelectiveKeep {
					o.Checkpoint = append(o.Checkpoint, o.Saved[i])
				}
			}
		}
	case ir.RecomputeFull:
		for _, ops := range layers {
			for i, o := range ops {
				o.Recompute = true
				if i == 0 {
					o.Checkpoint = []ir.Tensor{o.Inputs[0]}
				}
			}
		}
	}
}
