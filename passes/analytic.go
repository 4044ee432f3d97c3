package passes

import (
	"sync"

	"planc/ir"
	"planc/network"
	"planc/passes/sched"
)

// nKindsLayer bounds the kinds of layers a model has (see layerKind).
const nKindsLayer = 5

// Estimation is the analytic cost model's verdict on a plan.
type Estimation struct {
	StepTime     float64
	PeakBytes    float64       // the worst rank's peak memory
	Capacity     float64       // device memory
	Worst        ir.RankMemory // the worst rank's memory
	TokensPerSec float64
	MFU          float64
	// Where the step time goes (they sum to StepTime), the energy of a
	// step for the whole job in joules, and the tokens a step trains.
	Compute, ExposedComm, Bubble, Optimizer float64
	Shared                                  float64 // waiting for a shared processor (ir.CostReport.Shared)
	Energy, TokensPerStep                   float64
	// Memory and Cost are the full reports ([Estimate]; nil from
	// [EstimateStep]).
	Memory *ir.MemoryReport
	Cost   *ir.CostReport
}

// Fits reports whether the plan fits in device memory.
func (e Estimation) Fits() bool { return e.PeakBytes <= e.Capacity }

// layerKind classifies layer i: layers of one kind expand to the same ops
// (up to names), so one template stands for all of them.
func layerKind(m *ir.Model, i int) int {
	L := m.NumLayers()
	if m.Kind != ir.MLPModel {
		if m.IsMoELayer(i) {
			return 1
		}
		return 0
	}
	switch {
	case i == L-1:
		return 2 // the last mlp layer has no activation
	case i == 0:
		return 4 // the first reads the data, with no producer to reduce into
	case i%2 == 1:
		return 3 // row-parallel layers
	}
	return 0
}

// templates are the expanded, sharded ops and collectives of the
// embedding, one layer of each kind and the head, for the knobs that shape
// them (not pp, dp, the schedule or ZeRO). They are read-only once built
// and shared between estimates.
type templates struct {
	embed, head           []*ir.Op
	embedColls, headColls []*ir.Collective
	layers                [nKindsLayer][]*ir.Op
	colls                 [nKindsLayer][]*ir.Collective
	index, count          [nKindsLayer]int        // first layer of each kind, layers of it
	params                [nKindsLayer][4]float64 // dense, expert, tp-replicated (of the dense), kv-replicated
	embedParams           float64
	headTPRep             float64
	embedTPRep            float64
	headParams, headTied  float64
	wteBytes, wteElems    float64

	mu    sync.Mutex
	timed map[timedKey]*timed
}

type templateKey struct {
	model         *ir.Model
	b, tp, cp, ep int
	sp, ssmb      bool
	cpMode        ir.CPMode
	dispatch      ir.DispatchMode
	precision     ir.Precision
	recompute     ir.RecomputeMode
	cf            float64
}

var (
	cacheMu       sync.Mutex
	templateCache = map[templateKey]*templates{}
	partitionMemo = map[partitionKey][]int{}
)

const cacheBound = 4096

type partitionKey struct {
	model       *ir.Model
	cost        [nKindsLayer]float64
	first, last float64
	parts       int
}

func templatesFor(p *ir.Plan) *templates {
	key := templateKey{p.Model, p.MicroBatch, p.TP, p.CP, p.EP, p.SP, p.MoE.SSMB, p.CPMode, p.MoE.Dispatch, p.Precision, p.Recompute, p.MoE.CapacityFactor}
	cacheMu.Lock()
	t, ok := templateCache[key]
	cacheMu.Unlock()
	if ok {
		return t
	}
	q := *p // the templates may keep what they are built from, not p
	t = buildTemplates(&q)
	cacheMu.Lock()
	if len(templateCache) >= cacheBound {
		templateCache = map[templateKey]*templates{}
	}
	templateCache[key] = t
	cacheMu.Unlock()
	return t
}

// buildTemplates runs the passes of the table marked Template (mesh,
// expansion, sharding, collectives, recomputation) on one representative
// layer of each kind: the estimate's layers are the compiler's, built by
// the same passes.
func buildTemplates(p *ir.Plan) *templates {
	t := &templates{timed: map[timedKey]*timed{}}
	m := p.Model
	L := m.NumLayers()
	for k := range t.index {
		t.index[k] = -1
	}
	for i := 0; i < L; i++ {
		k := layerKind(m, i)
		if t.index[k] < 0 {
			t.index[k] = i
		}
		t.count[k]++
	}
	var kinds []int
	st := &State{Plan: p, Unit: &ir.Unit{Plan: p}, only: []int{}}
	for k, i := range t.index {
		if i >= 0 {
			kinds = append(kinds, k)
			st.only = append(st.only, i)
		}
	}
	for _, fn := range templatePasses {
		fn(st)
	}
	t.embed, t.head = st.embed, st.head
	t.embedColls, t.headColls = st.embedColls, st.headColls
	layerColls := st.layerColls
	for j, k := range kinds {
		t.layers[k] = st.layers[j]
	}
	for j, k := range kinds {
		t.colls[k] = layerColls[j]
		for _, o := range t.layers[k] {
			t.params[k][3] += kvReplicatedElems(p, o)
			for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
				if w == nil {
					continue
				}
				if isExpertParam(w.Name) {
					t.params[k][1] += w.Elements()
				} else {
					t.params[k][0] += w.Elements()
				}
				if tpReplicatedParam(p, w.Name) {
					t.params[k][2] += w.Elements()
				}
			}
		}
	}
	for _, o := range t.embed {
		t.embedParams += o.ParamElements()
		for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
			if w != nil && tpReplicatedParam(p, w.Name) {
				t.embedTPRep += w.Elements()
			}
		}
		if o.Kind == ir.OpEmbedding {
			t.wteBytes = o.Weight.Elements() * float64(o.Weight.Elem)
			t.wteElems = o.Weight.Elements()
		}
	}
	for _, o := range t.head {
		t.headParams += o.ParamElements()
		for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
			if w != nil && tpReplicatedParam(p, w.Name) {
				t.headTPRep += w.Elements()
			}
		}
		if o.Weight != nil && o.Weight.Name == "wte" {
			t.headTied = o.Weight.Elements()
		}
	}
	return t
}

// Estimate evaluates a plan with the fast analytic path that the planner
// uses: it expands, shards and times one layer of each kind (dense, MoE)
// instead of the whole model (memoized for the knobs that shape a layer),
// partitions the pipeline with the same balancing as the pipeline pass,
// and assembles the same memory and cost reports. Compile's reports and
// Estimate's agree (a test checks it). The plan is not modified; its
// `auto` fields must already be filled. It is safe for concurrent use.
func Estimate(plan *ir.Plan) (Estimation, ir.Diagnostics) { return estimate(plan, false) }

// EstimateStep is the planner's evaluation: [Estimate] without the parts
// of the reports that only a reader needs (memory rows other than the
// worst, per-stage times, the communication table). Its step time, peak
// memory, throughput and MFU are Estimate's.
func EstimateStep(plan *ir.Plan) (Estimation, ir.Diagnostics) { return estimate(plan, true) }

// scratch is an estimate's working memory, reused through a pool: the
// stage digests, their step-collective lists and their summaries.
type scratch struct {
	plan    ir.Plan // the estimate's working copy of the plan
	digests []stageDigest
	steps   []stepColl
	sums    []summary
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// newSum returns a zeroed summary from the scratch (keeping the capacity of
// its communication list).
func (sc *scratch) newSum() *summary {
	if len(sc.sums) == cap(sc.sums) {
		sc.sums = append(sc.sums, summary{})[:len(sc.sums)]
	}
	sc.sums = sc.sums[:len(sc.sums)+1]
	s := &sc.sums[len(sc.sums)-1]
	*s = summary{comm: s.comm[:0]}
	return s
}

func estimate(plan *ir.Plan, lite bool) (Estimation, ir.Diagnostics) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	// the plan's working copy lives in the scratch: the constraint table's
	// predicates would otherwise move it to the heap for every plan
	sc.plan = *plan
	sc.plan.Auto = nil
	p := &sc.plan
	if ds := checkPlan(p); ds.HasErrors() {
		return Estimation{}, ds
	}
	mesh := ir.NewMesh(p)
	cmv := makeCostModel(p, mesh)
	cm := &cmv
	t := templatesFor(p)
	m := p.Model
	L := m.NumLayers()
	chunks := p.PP * p.VPP
	ts := timedFor(t, p, mesh, cm, chunks == 1)
	kindCost, kindSum := &ts.kindCost, &ts.kindSum
	first, last := ts.first, ts.last
	pk := partitionKey{m, *kindCost, first, last, chunks}
	cacheMu.Lock()
	bounds, ok := partitionMemo[pk]
	cacheMu.Unlock()
	if !ok {
		costs := make([]float64, L)
		for i := range costs {
			costs[i] = kindCost[layerKind(m, i)]
		}
		bounds = partition(costs, chunks, first, last)
		cacheMu.Lock()
		if len(partitionMemo) >= cacheBound {
			partitionMemo = map[partitionKey][]int{}
		}
		partitionMemo[pk] = bounds
		cacheMu.Unlock()
	}

	embedSum, headSum, sendF, sendB := &ts.embed, &ts.head, &ts.sendF, &ts.sendB
	gathers := p.ScattersPipelineTensors()
	remote := func(a, b int) bool { return remoteStages(p, a, b) }
	if cap(sc.digests) < chunks {
		sc.digests = make([]stageDigest, chunks)
	}
	if cap(sc.sums) < chunks {
		sc.sums = make([]summary, 0, chunks)
	}
	sc.sums = sc.sums[:0]
	digests := sc.digests[:chunks]
	var prevCounts [nKindsLayer]int
	if cap(sc.steps) < 16 {
		sc.steps = make([]stepColl, 0, 16)
	}
	stepBuf := sc.steps[:0] // the stages' step lists, in one array
	for s := 0; s < chunks; s++ {
		dg := &digests[s]
		*dg = stageDigest{index: s, ppRank: s % p.PP}
		var n [nKindsLayer]int
		if m.Kind == ir.MLPModel || m.MoE != nil {
			for l := bounds[s]; l < bounds[s+1]; l++ {
				n[layerKind(m, l)]++
			}
		} else {
			n[0] = bounds[s+1] - bounds[s]
		}
		edge := s == 0 || s == chunks-1 || s == 1 || s == chunks-2
		// zb-v's fold passes one boundary on a rank: no send, no gather
		recvIn := s > 0 && remote(s-1, s)
		sendOut := s < chunks-1 && remote(s, s+1)
		edge = edge || !recvIn || !sendOut || !remote(s-2, s-1)
		gatherIn, gatherOut := gathers && recvIn, gathers && sendOut
		if !edge && n == prevCounts {
			// a middle stage like the one before: same digest
			prev := &digests[s-1]
			dg.sum, dg.dense, dg.expert, dg.step = prev.sum, prev.dense, prev.expert, prev.step
			continue
		}
		prevCounts = n
		tpRep, kvRep := 0.0, 0.0
		dg.sum = sc.newSum()
		if s == 0 {
			dg.sum.add(embedSum, 1)
			dg.dense += t.embedParams
			tpRep += t.embedTPRep
		}
		for k := range n {
			if n[k] > 0 {
				dg.sum.add(&kindSum[k], float64(n[k]))
				dg.dense += float64(n[k]) * t.params[k][0]
				dg.expert += float64(n[k]) * t.params[k][1]
				tpRep += float64(n[k]) * t.params[k][2]
				kvRep += float64(n[k]) * t.params[k][3]
			}
		}
		if s == chunks-1 {
			dg.sum.add(headSum, 1)
			dg.dense += t.headParams
			tpRep += t.headTPRep
			if s == 0 {
				dg.dense -= t.headTied // one wte on a single stage
			}
		}
		if p.PP > 1 {
			if sendOut {
				dg.sum.add(sendF, 1)
			}
			if recvIn {
				dg.sum.add(sendB, 1)
			}
			if gatherIn {
				dg.sum.add(&ts.gatherIn, 1)
			}
			if gatherOut {
				dg.sum.add(&ts.gatherOut, 1)
			}
		}
		// the stage's step collectives, written into stepBuf when they fit
		start := len(stepBuf)
		buf := stepBuf[start:start]
		if p.PP > 1 && (s == 0 || s == chunks-1) && m.Kind != ir.MLPModel && m.TieEmbeddings {
			buf = append(buf, stepColl{kind: ir.AllReduce, axis: ir.AxisEmbed, bytes: t.wteBytes, calls: 1, overlap: ir.Critical, what: otherStep})
		}
		stepDense, stepExpert := dg.dense, dg.expert
		if p.Zero >= 3 { // reduced per layer and micro-batch (zero3Colls), a tied wte's copies aside
			stepDense, stepExpert = 0, 0
			if sched.TiedAcrossStages(p) && (s == 0 || s == chunks-1) {
				stepDense = t.wteElems
			}
		}
		buf = gradStepColls(p, mesh, stepDense, stepExpert, tpRep, kvRep, buf)
		dg.step = buf
		if len(buf) > 0 && start < cap(stepBuf) && &buf[0] == &stepBuf[:start+1][start] {
			stepBuf = stepBuf[:start+len(buf)]
		}
	}
	mem, worst, cost := assemble(p, cm, digests, lite)
	if hot := hotPlan(plan, worst.Peak); hot != plan {
		// (the memory does not depend on the products' rates: the same
		// peak, the products priced hot)
		return estimate(hot, lite)
	}
	e := Estimation{StepTime: cost.StepTime, PeakBytes: worst.Peak, Capacity: mem.Capacity, Worst: worst, TokensPerSec: cost.TokensPerSec, MFU: cost.MFU,
		Compute: cost.Compute, ExposedComm: cost.ExposedComm, Bubble: cost.Bubble, Optimizer: cost.Optimizer, Shared: cost.Shared,
		Energy: cost.EnergyPerStep, TokensPerStep: cost.TokensPerStep}
	if !lite {
		m, c := mem, cost // only the full reports leave the function
		e.Memory, e.Cost = &m, &c
	}
	return e, nil
}

// withZero3 appends ZeRO-3's gathers of ops' parameters to colls (copying).
func withZero3(p *ir.Plan, mesh ir.Mesh, ops []*ir.Op, colls []*ir.Collective, skipWte bool) []*ir.Collective {
	if z := zero3Colls(p, mesh, ops, -1, skipWte); z != nil {
		return append(append([]*ir.Collective(nil), colls...), z...)
	}
	return colls
}

// timed are a template's summaries on one machine and data-parallel
// setting: what the cost model makes of the template's ops.
type timed struct {
	kindCost    [nKindsLayer]float64
	kindSum     [nKindsLayer]summary
	first, last float64 // the pipeline pass's weights of embedding and head
	embed, head summary
	sendF       summary // a stage's pipeline send forward, and backward
	sendB       summary
	// the receiving side of the scatter/gather of pipeline tensors: a
	// stage's all-gather of its input, and of its output's gradient
	gatherIn, gatherOut summary
}

// timedKey is what, besides the template, the times depend on: the
// machine (with the device's parameters by value: a fit changes them in
// place), the
// groups that dp and the node size shape, ZeRO, and whether one stage holds
// both embedding and head.
type timedKey struct {
	dev         *ir.Device
	mm, ko, me  float64 // the device's fitted parameters (a fit changes them in place)
	peak, hbm   float64
	intraBW     float64
	intraLat    float64
	intraKinds  [2]network.Link // the reduce-scatter's and all-gather's own intra links
	interBW     float64
	interLat    float64
	meet        float64 // the machine's wait per call (network.Machine.Meet)
	corun       coRun   // the ops' stretch where ranks share cores
	perNode, dp int
	pp1         bool
	zero        int
	single      bool
	rbd         bool
	spare       float64 // cores a rank's big products run on (costModel.spare)
}

func timedFor(t *templates, p *ir.Plan, mesh ir.Mesh, cm *costModel, single bool) *timed {
	c := p.Cluster
	d := cm.dev
	key := timedKey{d, d.MatmulEfficiency, d.KernelOverhead, d.MemoryEfficiency, cm.peak, d.HBMBandwidth, c.Node.IntraBW, cm.machine.Intra.Latency, [2]network.Link{cm.machine.IntraRS, cm.machine.IntraAG}, c.InterBW, cm.machine.Inter.Latency, cm.machine.Meet, cm.corun, cm.perNode, p.DP, p.PP == 1, p.Zero, single, p.MoE.RBD, cm.spare}
	t.mu.Lock()
	ts, ok := t.timed[key]
	t.mu.Unlock()
	if ok {
		return ts
	}
	ts = &timed{}
	full := p.Recompute == ir.RecomputeFull
	// per-kind weights of the pipeline pass, and summaries with ZeRO-3's
	// per-layer gathers (which depend on dp)
	for k, i := range t.index {
		if i < 0 {
			continue
		}
		ts.kindCost[k] = opsTime(cm, t.layers[k], t.colls[k])
		colls := t.colls[k]
		if z := zero3Colls(p, mesh, t.layers[k], i, false); z != nil {
			colls = append(append([]*ir.Collective(nil), colls...), z...)
		}
		ts.kindSum[k] = summarizeOps(cm, t.layers[k], colls, full)
	}
	ts.first, ts.last = opsTime(cm, t.embed, t.embedColls), opsTime(cm, t.head, t.headColls)
	ts.embed = summarizeOps(cm, t.embed, withZero3(p, mesh, t.embed, t.embedColls, false), full)
	ts.head = summarizeOps(cm, t.head, withZero3(p, mesh, t.head, t.headColls, single), full)
	if p.PP > 1 {
		// the pipeline sends of a stage: forward to the next, backward to
		// the previous (the first and last stages have one)
		boundary := boundaryBytes(p)
		ts.sendF = summarizeOps(cm, nil, []*ir.Collective{{Kind: ir.SendRecv, Axis: ir.AxisPP, GroupSize: 2, Bytes: boundary, Phase: ir.Forward, Overlap: ir.Critical}}, full)
		ts.sendB = summarizeOps(cm, nil, []*ir.Collective{{Kind: ir.SendRecv, Axis: ir.AxisPP, GroupSize: 2, Bytes: boundary, Phase: ir.Backward, Overlap: ir.Critical}}, full)
		if p.ScattersPipelineTensors() {
			whole := boundary * float64(p.TP)
			ts.gatherIn = summarizeOps(cm, nil, []*ir.Collective{{Kind: ir.AllGather, Axis: ir.AxisTP, GroupSize: p.TP, Bytes: whole, Phase: ir.Forward, Overlap: ir.Critical}}, full)
			ts.gatherOut = summarizeOps(cm, nil, []*ir.Collective{{Kind: ir.AllGather, Axis: ir.AxisTP, GroupSize: p.TP, Bytes: whole, Phase: ir.Backward, Overlap: ir.Critical}}, full)
		}
	}
	t.mu.Lock()
	if len(t.timed) >= cacheBound {
		t.timed = map[timedKey]*timed{}
	}
	t.timed[key] = ts
	t.mu.Unlock()
	return ts
}
