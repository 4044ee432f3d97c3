package passes

import (
	"planc/ir"
	"planc/passes/sched"
)

// coRun is how much slower a rank's kernels run because other ranks of its
// node compute at the same time on the node's other cores (ir.Node.Cores:
// the CPU runtime's ranks are goroutines on the host's processors), by
// kernel family; 1 where nothing is shared. The zero value stretches
// nothing.
type coRun struct {
	matmul, memory, attention float64
	// skew is the part of each stretch that is waiting at meetings, not
	// work (1 + sync_skew, or 0 for 1): a core that waits runs nothing.
	skew float64
}

// coRunOf is the stretch of each kernel family on a node whose ranks
// share cores: two effects, both measured by planc calibrate.
//
//   - Ranks that compute at the same moment slow each other down (SMT
//     siblings share a core's FMA units; caches and the memory bus are
//     shared): a family runs at corun_F of its speed alone while another
//     core runs it too. Ranks of one stage (tp, cp, dp, ep) compute at
//     once; pipeline stages only outside the fill and drain, a share
//     (m − (pp − 1))/m of their micro-batches; with more ranks than
//     cores every core is always busy.
//   - Ranks that compute at once and meet (collectives, pipeline sends)
//     wait for the slower one: sync_skew of the compute between meetings,
//     where every rank holds a core (else a rank that waits leaves its
//     core to another).
func coRunOf(p *ir.Plan, n *ir.Node, ranks int) coRun {
	cores := n.Cores
	if cores < 2 || ranks < 2 {
		return coRun{}
	}
	overlap := 1.0
	if perStage := p.TP * p.CP * p.DP; perStage < 2 && float64(ranks) <= cores && p.PP > 1 {
		m := float64(p.MicroBatches())
		overlap = max(0, m-float64(p.PP-1)) / m
	}
	skew := 1.0
	if float64(ranks) <= cores {
		skew += n.SyncSkew
	}
	stretch := func(speed float64) float64 {
		if speed <= 0 || speed >= 1 {
			return skew
		}
		return (1 + (1/speed-1)*overlap) * skew
	}
	return coRun{stretch(n.CoRunMatmul), stretch(n.CoRunMemory), stretch(n.CoRunAttention), skew}
}

// of is the stretch of op o's kernels.
func (c coRun) of(o *ir.Op) float64 {
	if o.Class != ir.Matmul {
		return c.memoryOf()
	}
	if g := o.Kind.Info().GEMM; g == ir.GEMMScores || g == ir.GEMMValues {
		return orOne(c.attention)
	}
	return orOne(c.matmul)
}

// work is the share of a stretched compute time that is work on a core
// (the rest is waiting at meetings).
func (c coRun) work() float64 { return 1 / orOne(c.skew) }

// memoryOf is the stretch of memory-bound kernels (the optimizer's too).
func (c coRun) memoryOf() float64 { return orOne(c.memory) }

func orOne(s float64) float64 {
	if s > 0 {
		return s
	}
	return 1
}

// meetings is the job's collective calls and pipeline sends and receives
// per step, every rank's counted (each parks its rank's goroutine where
// the node has more ranks than cores): each stage's calls per
// micro-batch and once per step, times its ranks, and the gradient
// norm's all-reduce (the schedule's GRAD_NORM, outside the stages' lists).
func meetings(p *ir.Plan, mesh ir.Mesh, stages []stageDigest) float64 {
	m := float64(p.MicroBatches())
	var calls float64
	for i := range stages {
		for _, e := range stages[i].sum.comm {
			calls += e.calls * m
		}
		for _, c := range stages[i].step {
			calls += float64(max(c.calls, 1))
		}
	}
	calls *= float64(p.TP * p.CP * p.DP)
	if sched.NormGroupSize(p.Zero, mesh) > 1 {
		calls += float64(mesh.Size()) // every rank's GRAD_NORM all-reduce
	}
	return calls
}

// drainMeetings is one rank's meetings per step whose group is every rank
// of its node (perNode ranks): collectives over an axis at least that
// wide, and the gradient norm's all-reduce when its group is. With more ranks than cores such a meeting drains the node's
// cores: while its last members arrive the others wait and no rank is
// runnable, and a core left idle is woken when it completes (node
// drain_wait each). Pipeline sends pair two ranks and never drain a node
// of more.
func drainMeetings(p *ir.Plan, mesh ir.Mesh, stages []stageDigest, perNode int) float64 {
	m := float64(p.MicroBatches())
	var calls float64
	for i := 0; i < len(stages); i += max(p.PP, 1) { // pp rank 0's stages
		for _, e := range stages[i].sum.comm {
			if mesh.Degree(axisList[e.a]) >= perNode {
				calls += e.calls * m
			}
		}
		for _, c := range stages[i].step {
			if mesh.Degree(c.axis) >= perNode {
				calls += float64(max(c.calls, 1))
			}
		}
	}
	if n := sched.NormGroupSize(p.Zero, mesh); n > 1 && n >= perNode {
		calls++ // GRAD_NORM: over the world under ep or ZeRO
	}
	return calls
}
