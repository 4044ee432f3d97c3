package passes

import (
	"math"
	"sort"
	"sync"

	"planc/ir"
)

// inFlight returns how many micro-batches' activations pp rank r holds at
// its peak under the plan's schedule (docs/cost-model.md): 1F1B and ZB-H1 hold
// p−r, interleaving holds (2(p−r−1) + (v−1)p + 1)/v (the first rank's
// p·(1 + (p−1)/(p·v))), GPipe holds all m, ZB-V holds p on every rank; never
// more than m.
func inFlight(p *ir.Plan, r int) float64 {
	pp, m, v := p.PP, p.MicroBatches(), max(p.VPP, 1)
	if pp <= 1 {
		return 1
	}
	var n float64
	switch p.Schedule {
	case ir.ScheduleGPipe:
		n = float64(m)
	case ir.ScheduleZBV:
		n = float64(pp)
	case ir.ScheduleInterleaved:
		chunks := 2*(pp-r-1) + (v-1)*pp + 1
		n = float64(min(chunks, m*v)) / float64(v)
	default:
		n = float64(pp - r)
	}
	return math.Min(n, float64(m))
}

// stateBytes returns the bytes per parameter of weights, gradients and
// optimizer state: mixed-precision Adam keeps 16-bit weights and gradients
// and fp32 master weights and two moments (2+2+12 = 16, the ZeRO paper's
// accounting); fp32 training keeps 4+4+8. fp8 (Transformer Engine) keeps
// the bf16 weights plus their cached fp8 copy and its transpose (2+1+1).
func stateBytes(precision ir.Precision) (w, g, o float64) {
	switch precision {
	case ir.FP32:
		return 4, 4, 8
	case ir.FP8:
		return 4, 2, 12
	}
	return 2, 2, 12
}

// optimizerBytesPerParam is the HBM traffic of one fused AdamW update.
func optimizerBytesPerParam(ir.Precision) float64 {
	return 28 // read master, m, v (12) and the 16-bit grad (2); write master, m, v (12) and the 16-bit weight (2)
}

// assemble turns per-stage digests into the memory and cost reports. The
// cost pass and the analytic estimate both end here.
//
// In lite mode (the planner's) it leaves out what only reports need: the
// memory rows other than the worst, the per-stage times, the
// communication table and the bytes by kind.
func assemble(p *ir.Plan, cm *costModel, stages []stageDigest, lite bool) (mem ir.MemoryReport, worstRow ir.RankMemory, cost ir.CostReport) {
	pp := p.PP
	denseShard, expertShard := optimizerShards(p, cm.mesh)

	mem.Capacity = cm.dev.Memory
	if !lite {
		mem.Ranks = make([]ir.RankMemory, pp)
	}

	buf := assemblePool.Get().(*assembleBuf)
	defer assemblePool.Put(buf)
	if cap(buf.ranks) < pp {
		buf.ranks = make([]rankAgg, pp)
		buf.rt = make([]rankTime, pp)
		buf.tails = make([]float64, pp)
	}
	ranks := buf.ranks[:pp]
	aggregateRanks(ranks, stages)
	worstRow, sumPeak := rankMemoryRows(p, ranks, denseShard, expertShard, &mem, lite)
	// kernels in a step on a rank beyond its private cache (a calibrated
	// CPU): the compute and the optimizer, not the communication
	kf := cm.dev.KernelFactor(worstRow.Peak, cm.nodeBytes(sumPeak/float64(pp)))
	if kf != 1 {
		for r := range ranks {
			if s := &ranks[r].sum; !ranks[r].same {
				s.fwd, s.bwdB, s.bwdW, s.recompute = s.fwd*kf, s.bwdB*kf, s.bwdW*kf, s.recompute*kf
			}
		}
	}

	// Time per micro-batch on each pp rank.
	rt := buf.rt[:pp]
	slowest := rankTimes(rt, ranks)
	bubble := pipelineBubble(p, rt, slowest)

	// Once-per-step collectives and the optimizer, per rank; the step waits
	// for the slowest rank's tail.
	tails := buf.tails[:pp]
	st := stepTails(p, cm, ranks, stages, tails, denseShard, expertShard, kf, lite)
	// the step collectives reported are those of the rank that ends last
	stepCells := stepCommCells(cm, stages, pp, st.tailRank)

	if lite {
		mem.Worst = 0 // no rows: the worst is returned apart
	}
	if !lite {
		cost.CommBytes = map[ir.CollKind]float64{}
	}
	stepCostAndFLOPs(&cost, p, cm, stages, rt[slowest], bubble, st.tailComm, st.optTime)
	shareCores(&cost, p, cm, stages, rt, tails)
	if c := cm.corun; c != (coRun{}) {
		cost.CoRun = [3]float64{orOne(c.matmul), c.memoryOf(), orOne(c.attention)}
	}
	commTables(&cost, p, cm.mesh, stages, slowest, &stepCells, &st.jobStepBytes, lite)
	sort.SliceStable(cost.Comm, func(i, j int) bool { return cost.Comm[i].Time > cost.Comm[j].Time })
	if !lite {
		cost.Stages = stageTimes(stages, kf)
	}
	stepEnergy(&cost, p, cm, rt, tails, st.tailComm, st.optTime)
	return mem, worstRow, cost
}

// optimizerShards returns how many ways the dense and the expert
// parameters' optimizer state (and, under ZeRO, gradients and weights) are
// sharded.
func optimizerShards(p *ir.Plan, mesh ir.Mesh) (denseShard, expertShard float64) {
	denseShard = float64(mesh.Degree(gradGroups(p)[len(gradGroups(p))-1]))
	if p.CP > 1 && p.CPMode != ir.CPLSS && p.DP > 1 {
		denseShard = float64(p.DP * p.CP) // the distributed optimizer shards over dp·cp
	}
	expertShard = float64(max(mesh.Degree(ir.AxisEDP), 1))
	if p.EP <= 1 {
		expertShard = denseShard
	}
	return denseShard, expertShard
}

// aggregateRanks sums each pp rank's stages into ranks (len(ranks) = pp).
// The stages of rank r are r, r+pp, r+2pp, ... (digests are in pipeline
// order); a rank whose stages have the digests of the previous rank's (the
// middle of a uniform pipeline) shares its aggregate.
func aggregateRanks(ranks []rankAgg, stages []stageDigest) {
	pp := len(ranks)
	clear(ranks)
	for r := 0; r < pp; r++ {
		ra := &ranks[r]
		same := r > 0
		for st := r; same && st < len(stages); st += pp {
			a, b := &stages[st], &stages[st-1]
			same = a.sum == b.sum && a.dense == b.dense && a.expert == b.expert
		}
		if same {
			ra.ref, ra.same = ranks[r-1].ref, true
			continue
		}
		ra.ref = int32(r)
		for st := r; st < len(stages); st += pp {
			sd := &stages[st]
			ra.sum.addScalars(sd.sum, 1)
			ra.dense += sd.dense
			ra.expert += sd.expert
			ra.stageCnt++
		}
	}
}

// rankMemoryRows computes each pp rank's memory row (sumPeak: their
// peaks summed), fills mem.Ranks
// (unless lite) and mem.Worst, and returns the worst row.
func rankMemoryRows(p *ir.Plan, ranks []rankAgg, denseShard, expertShard float64, mem *ir.MemoryReport, lite bool) (worstRow ir.RankMemory, sumPeak float64) {
	wB, gB, oB := stateBytes(p.Precision)
	elem := float64(elemBytes(p.Precision))
	var prevRow ir.RankMemory
	for r := 0; r < len(ranks); r++ {
		ra := &ranks[ranks[r].ref]
		if ranks[r].same { // only the micro-batches in flight differ
			row := prevRow
			row.PPRank, row.InFlight = r, inFlight(p, r)
			row.Activations = ra.sum.saved * row.InFlight
			row.Peak += row.Activations - prevRow.Activations
			if !lite {
				mem.Ranks[r] = row
			}
			if row.Peak > worstRow.Peak {
				mem.Worst, worstRow = r, row
			}
			sumPeak += row.Peak
			prevRow = row
			continue
		}
		zd, ze := 1.0, 1.0
		row := ir.RankMemory{PPRank: r, ParamCount: ra.dense + ra.expert}
		shard := func(n float64, stage int, z float64) float64 {
			if p.Zero >= stage {
				return n / z
			}
			return n
		}
		zd, ze = denseShard, expertShard
		row.Params = shard(ra.dense, 3, zd)*wB + shard(ra.expert, 3, ze)*wB
		row.Grads = shard(ra.dense, 2, zd)*gB + shard(ra.expert, 2, ze)*gB
		row.Optimizer = shard(ra.dense, 1, zd)*oB + shard(ra.expert, 1, ze)*oB
		row.InFlight = inFlight(p, r)
		row.Activations = ra.sum.saved * row.InFlight
		row.MoEBuffers = ra.sum.moeBuf
		comm := ra.sum.p2pBytes
		if p.DP*p.CP > 1 || p.EP > 1 {
			comm += 2 * math.Min(bucketElems, ra.dense+ra.expert) * elem
		}
		if p.Zero >= 3 {
			comm += 2 * ra.sum.layerParams * elem
		}
		row.CommBuffers = comm
		row.Transient = ra.sum.transient
		row.Peak = row.Params + row.Grads + row.Optimizer + row.Activations + row.MoEBuffers + row.CommBuffers + row.Transient
		if !lite {
			mem.Ranks[r] = row
		}
		if r == 0 || row.Peak > worstRow.Peak {
			mem.Worst, worstRow = r, row
		}
		sumPeak += row.Peak
		prevRow = row
	}
	return worstRow, sumPeak
}

// rankTimes fills rt with each pp rank's time per micro-batch and returns
// the slowest rank.
func rankTimes(rt []rankTime, ranks []rankAgg) (slowest int) {
	for r := 0; r < len(ranks); r++ {
		if ranks[r].same {
			rt[r] = rt[r-1]
			continue
		}
		s := &ranks[r].sum
		rt[r].compute = s.fwd + s.bwdB + s.bwdW + s.recompute
		rt[r].comm = s.commF + s.commB + s.commR + s.hidden + s.p2p
		rt[r].f = s.fwd + s.commF
		rt[r].b = s.bwdB + s.recompute + s.commB + s.commR
		rt[r].w = s.bwdW
		if rt[r].compute+rt[r].comm > rt[slowest].compute+rt[slowest].comm {
			slowest = r
		}
	}
	return slowest
}

// pipelineBubble returns the step's pipeline bubble under the plan's
// schedule, from the ranks' times per micro-batch.
func pipelineBubble(p *ir.Plan, rt []rankTime, slowest int) (bubble float64) {
	pp := p.PP
	if pp <= 1 {
		return 0
	}
	v := max(p.VPP, 1)
	tMax := rt[slowest].compute + rt[slowest].comm
	sumT, F, B, W := 0.0, 0.0, 0.0, 0.0
	for r := range rt {
		sumT += rt[r].compute + rt[r].comm
		F += rt[r].f / float64(pp)
		B += rt[r].b / float64(pp)
		W += rt[r].w / float64(pp)
	}
	switch p.Schedule {
	case ir.ScheduleZBH1:
		bubble = float64(pp-1) * math.Max(0, F+B-W)
	case ir.ScheduleZBV:
		// The V schedule that package passes/sched builds (two chunks
		// per rank, F, B and W whole-rank times, half per chunk) idles
		// each rank (p−1)·max(F/2, B/2, B−W) in the simulator
		// (runtime/sim): the ramp of the V's first chunk, F/2 per
		// stage when F = B = W, longer when B outweighs W. ZB-V's
		// published (p−1)(T_F+T_B−2T_W) is the ideal that schedule does
		// not reach (it would be 0 at F = B = W).
		bubble = float64(pp-1) * math.Max(math.Max(F, B)/2, B-W)
	default:
		bubble = (sumT - tMax) / float64(v)
	}
	return bubble
}

// stepTail is what stepTails finds: the tail of the rank that ends last
// (its exposed once-per-step communication and its optimizer time), and
// the job's once-per-step bytes by kind (left zero in lite mode).
type stepTail struct {
	tailComm, optTime float64
	tailRank          int
	jobStepBytes      [nKinds]float64
}

// stepTails fills tails with each pp rank's once-per-step exposed
// communication plus optimizer time and returns the latest-ending rank's.
func stepTails(p *ir.Plan, cm *costModel, ranks []rankAgg, stages []stageDigest, tails []float64, denseShard, expertShard, kernelFactor float64, lite bool) (st stepTail) {
	pp := len(ranks)
	dev := cm.dev
	tail := 0.0
	var prevExposed, prevWindow float64
	for r := 0; r < pp; r++ {
		ra := &ranks[ranks[r].ref]
		window := ra.sum.bwdB + ra.sum.bwdW // the last micro-batch's backward
		// a rank whose stages share their step lists with the previous
		// rank's (identical middle stages) has the same exposure
		same := r > 0 && window == prevWindow
		for s := r; same && s < len(stages); s += pp {
			a, b := stages[s].step, stages[s-1].step
			same = len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
		}
		var exposed float64
		var overlapped, last, critical, nextFwd float64
		for s := r; s < len(stages) && !(same && lite); s += pp {
			for _, c := range stages[s].step {
				calls := float64(max(c.calls, 1))
				if !lite {
					st.jobStepBytes[kindIndex(c.kind)] += c.bytes * calls
				}
				if same {
					continue
				}
				t := cm.commTime(c.kind, c.axis, c.bytes) * calls
				switch c.overlap {
				case ir.WithCompute:
					overlapped += t
					last = t / calls
				case ir.NextForward:
					nextFwd += t
				default:
					critical += t
				}
			}
		}
		if same {
			exposed = prevExposed
		} else {
			exposed = critical
			if overlapped > 0 {
				exposed += last + math.Max(0, overlapped-last-window)
			}
			// the next step's first forward hides the parameter gather
			exposed += math.Max(0, nextFwd-ra.sum.fwd)
		}
		prevExposed, prevWindow = exposed, window
		// (the step's fixed cost is the executor's: not a kernel, not
		// slowed by co-running ranks or the step's caches)
		opt := (shardN(ra.dense, p.Zero >= 1, denseShard)+shardN(ra.expert, p.Zero >= 1, expertShard))*
			optimizerBytesPerParam(p.Precision)/optimizerRate(dev)*cm.corun.memoryOf()*kernelFactor + dev.StepOverhead
		tails[r] = exposed + opt
		if exposed+opt > tail {
			tail, st.tailComm, st.optTime, st.tailRank = exposed+opt, exposed, opt, r
		}
	}
	return st
}

// stepCommCells returns the once-per-step collectives of pp rank tailRank
// by kind and axis.
func stepCommCells(cm *costModel, stages []stageDigest, pp, tailRank int) (cells [nKinds][nAxes]commCell) {
	for s := tailRank; s < len(stages); s += pp {
		for _, c := range stages[s].step {
			cell := &cells[kindIndex(c.kind)][axisIndex(c.axis)]
			cell.calls += float64(max(c.calls, 1))
			cell.bytes += c.bytes * float64(max(c.calls, 1))
			cell.time += cm.commTime(c.kind, c.axis, c.bytes) * float64(max(c.calls, 1))
		}
	}
	return cells
}

// stepCostAndFLOPs fills the step time and its parts, tokens, FLOPs and
// the utilizations, from the slowest rank's time per micro-batch.
func stepCostAndFLOPs(cost *ir.CostReport, p *ir.Plan, cm *costModel, stages []stageDigest, slow rankTime, bubble, tailComm, optTime float64) {
	m := float64(p.MicroBatches())
	cost.Compute = m * slow.compute
	cost.ExposedComm = m*slow.comm + tailComm
	cost.Bubble = bubble
	cost.Optimizer = optTime
	cost.StepTime = cost.Compute + cost.ExposedComm + cost.Bubble + cost.Optimizer
	if cost.StepTime > 0 {
		cost.BubbleFraction = bubble / cost.StepTime
	}
	cost.TokensPerStep = float64(p.GlobalBatch) * float64(newDims(p).s)
	world := float64(cm.mesh.Size())
	ranksPerStage := float64(p.TP * p.CP * p.DP)
	for i := range stages {
		cost.HardwareFLOPs += stages[i].sum.hwFLOPs * m * ranksPerStage
		cost.ModelFLOPs += 3 * stages[i].sum.modelFLOPs * m * float64(p.DP)
	}
	stepRates(cost, world, cm.peak)
}

// stepRates fills the rates that follow from the step time.
func stepRates(cost *ir.CostReport, world, peak float64) {
	if cost.StepTime > 0 {
		cost.TokensPerSec = cost.TokensPerStep / cost.StepTime
		cost.MFU = cost.ModelFLOPs / (cost.StepTime * world * peak)
		cost.HFU = cost.HardwareFLOPs / (cost.StepTime * world * peak)
		cost.ModelTFLOPsPerDevice = cost.ModelFLOPs / cost.StepTime / world / 1e12
		cost.HardwareTFLOPsPerDevice = cost.HardwareFLOPs / cost.StepTime / world / 1e12
	}
}

// coreShare is the node's core_share, 1 where it is not set.
func coreShare(n *ir.Node) float64 {
	if n.CoreShare > 0 {
		return n.CoreShare
	}
	return 1
}

// shareCores stretches the step on a node whose devices share a few
// processors (ir.Node.Cores: the CPU runtime's ranks are goroutines): the
// node cannot finish its ranks' busy time (compute, communication, the
// optimizer and the step's collectives) faster than its cores run it, so
// the step lasts at least that busy time over the processors the job
// gets: cores × the node's core_share when other processes load it. Ranks
// fewer than the cores of an unloaded node change nothing; an idle rank
// (a pipeline bubble) leaves its core to the others, which is why the
// bound uses busy time, not ranks. And one busy thread runs at the
// node's thread_share of an unloaded core: the step lasts at least its
// unshared time over that. With more ranks than cores, each rank's
// meetings cost the cores the node's park_cost besides, and each meeting
// of all the node's ranks drain_wait of wall time (see drainMeetings).
func shareCores(cost *ir.CostReport, p *ir.Plan, cm *costModel, stages []stageDigest, rt []rankTime, tails []float64) {
	cores := p.Cluster.Node.Cores
	if cores <= 0 {
		return
	}
	m := float64(p.MicroBatches())
	busy := 0.0
	for r := range rt {
		// a rank's compute waits at meetings for a share of its time
		// (sync_skew): its core is idle then, not busy
		busy += m*(rt[r].compute*cm.corun.work()+rt[r].comm) + tails[r]
	}
	busy *= float64(p.TP * p.CP * p.DP)
	world := cm.mesh.Size()
	perNode := min(max(cm.perNode, 1), world)
	if pc := p.Cluster.Node.ParkCost; pc > 0 && float64(perNode) > cores {
		// more ranks than cores: every meeting parks a goroutine and
		// wakes another, on the cores
		busy += meetings(p, cm.mesh, stages) * pc
	}
	nodes := float64((world + perNode - 1) / perNode)
	// the job's threads get the node's cores at the share other
	// processes leave them (ranks are goroutines: however many there are,
	// they run on the threads that get the cores)
	procs := cores * coreShare(p.Cluster.Node)
	shared := busy / nodes / procs
	if dw := p.Cluster.Node.DrainWait; dw > 0 && float64(perNode) > cores && cores >= 2 {
		// and the meetings of all the node's ranks leave cores idle (one
		// core never idles while a rank is runnable)
		shared += drainMeetings(p, cm.mesh, stages, perNode) * dw
	}
	if ts := p.Cluster.Node.ThreadShare; ts > 0 && ts < 1 {
		// each rank's own chain runs at the speed one thread gets
		shared = math.Max(shared, cost.StepTime/ts)
	}
	if shared > cost.StepTime {
		cost.Shared = shared - cost.StepTime
		cost.StepTime = shared
		cost.BubbleFraction = cost.Bubble / cost.StepTime
		stepRates(cost, float64(world), cm.peak)
	}
}

// commTables fills the communication by kind and axis, per step per rank
// (the slowest pp rank), and the bytes per kind over the whole job; in lite
// mode it fills neither (cost.Comm is left unsorted: assemble sorts it).
func commTables(cost *ir.CostReport, p *ir.Plan, mesh ir.Mesh, stages []stageDigest, slowest int, stepCells *[nKinds][nAxes]commCell, jobStepBytes *[nKinds]float64, lite bool) {
	pp := p.PP
	m := float64(p.MicroBatches())
	ranksPerStage := float64(p.TP * p.CP * p.DP)
	var kindBytes [nKinds]float64
	var slowCells [nKinds][nAxes]commCell
	for r := 0; r < pp; r++ {
		if lite && r != slowest {
			continue // the job's bytes by kind are a report's
		}
		for st := r; st < len(stages); st += pp {
			for _, e := range stages[st].sum.comm {
				kindBytes[e.k] += e.bytes * m * ranksPerStage
				if r == slowest {
					c := &slowCells[e.k][e.a]
					c.calls += e.calls
					c.bytes += e.bytes
					c.time += e.time
				}
			}
		}
	}
	for k := 0; k < nKinds; k++ {
		for a := 0; a < nAxes; a++ {
			c, sc := slowCells[k][a], stepCells[k][a]
			calls := c.calls*m + sc.calls
			if calls > 0 && !lite {
				cost.Comm = append(cost.Comm, ir.CommSummary{Kind: ir.CollKinds[k], Axis: axisList[a], GroupSize: max(mesh.Degree(axisList[a]), 2),
					Calls: calls, Bytes: c.bytes*m + sc.bytes, Time: c.time*m + sc.time})
			}
		}
		kindBytes[k] += jobStepBytes[k] * ranksPerStage
		if kindBytes[k] > 0 && !lite {
			cost.CommBytes[ir.CollKinds[k]] = kindBytes[k]
		}
	}
}

// stageTimes returns each stage's time per micro-batch, for reports.
func stageTimes(stages []stageDigest, kernelFactor float64) []ir.StageTime {
	out := make([]ir.StageTime, 0, len(stages))
	for i := 0; i < len(stages); i++ {
		s, kf := stages[i].sum, kernelFactor
		out = append(out, ir.StageTime{Stage: stages[i].index, PPRank: stages[i].ppRank,
			Fwd: s.fwd*kf + s.commF + s.hidden/2, BwdInput: s.bwdB*kf + s.commB + s.hidden/2, BwdWeight: s.bwdW * kf,
			Recompute: s.recompute*kf + s.commR, Comm: s.commF + s.commB + s.commR + s.hidden, P2P: s.p2p})
	}
	return out
}

// stepEnergy fills the energy per step and per token and the average
// power. A device draws busy power while it computes, idle power while it
// waits, and while it only communicates, idle power plus the busy
// increment scaled by how much of its memory bandwidth the transfer uses.
func stepEnergy(cost *ir.CostReport, p *ir.Plan, cm *costModel, rt []rankTime, tails []float64, tailComm, optTime float64) {
	dev := cm.dev
	m := float64(p.MicroBatches())
	ranksPerStage := float64(p.TP * p.CP * p.DP)
	world := float64(cm.mesh.Size())
	commPower := dev.IdlePower + (dev.BusyPower-dev.IdlePower)*math.Min(1, cm.machine.Intra.Bandwidth/dev.HBMBandwidth)
	energy := 0.0
	for r := 0; r < len(rt); r++ {
		busy := m*rt[r].compute + optTimeOf(tails[r], tailComm, optTime)
		comm := m * rt[r].comm
		idle := math.Max(0, cost.StepTime-busy-comm)
		energy += ranksPerStage * (busy*dev.BusyPower + comm*commPower + idle*dev.IdlePower)
	}
	cost.EnergyPerStep = energy
	if cost.TokensPerStep > 0 {
		cost.EnergyPerToken = energy / cost.TokensPerStep
	}
	if cost.StepTime > 0 {
		cost.AvgPower = energy / cost.StepTime / world
	}
}

func optTimeOf(tail, tailComm, opt float64) float64 { return opt }

func shardN(n float64, sharded bool, by float64) float64 {
	if sharded {
		return n / by
	}
	return n
}

// rankAgg is one pipeline rank's aggregate of its stages.
type rankAgg struct {
	sum      summary // its stages' scalars (no communication list)
	same     bool    // its stages are the previous rank's
	ref      int32   // the rank whose aggregate it shares (itself if not same)
	dense    float64
	expert   float64
	stageCnt int
}

// rankTime is one pipeline rank's time per micro-batch.
type rankTime struct{ compute, comm, f, b, w float64 }

// assembleBuf is assemble's per-rank working memory, pooled.
type assembleBuf struct {
	ranks []rankAgg
	rt    []rankTime
	tails []float64
}

var assemblePool = sync.Pool{New: func() any { return new(assembleBuf) }}

// hotPlan returns p priced as a rank whose peak memory is peak runs it:
// where the device has a hot GEMM fit and peak fits its private cache, a
// copy of p on the device's hot copy (ir.Device.HotFor); else p.
func hotPlan(p *ir.Plan, peak float64) *ir.Plan {
	d := p.Cluster.Node.Device
	hot := d.HotFor(peak, p.Precision)
	if hot == d {
		return p
	}
	q, c, n := *p, *p.Cluster, *p.Cluster.Node
	n.Device, c.Node, q.Cluster = hot, &n, &c
	return &q
}
