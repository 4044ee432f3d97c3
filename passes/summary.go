package passes

import (
	"math"

	"planc/ir"
)

// axisIndex numbers the axes of collectives for the fixed-size tables of a
// summary (no maps on the planner's hot path).
var axisList = [...]ir.Axis{ir.AxisTP, ir.AxisCP, ir.AxisEP, ir.AxisEDP, ir.AxisDP, ir.AxisDPCP, ir.AxisPP, ir.AxisEmbed, ir.AxisKV}

const nAxes = len(axisList)

func axisIndex(a ir.Axis) int {
	for i, x := range axisList {
		if x == a {
			return i
		}
	}
	return 0
}

func kindIndex(k ir.CollKind) int {
	for i, x := range ir.CollKinds {
		if x == k {
			return i
		}
	}
	return 0
}

const nKinds = 7

// commCell accumulates one (kind, axis) pair of collectives.
type commCell struct {
	calls, bytes, time float64
}

// commEntry is a commCell with its kind and axis indices; a summary keeps
// the few pairs it has in a short list (no maps, no full table to copy).
type commEntry struct {
	k, a int
	commCell
}

// cell returns the entry of (k, a), adding it when missing.
func (s *summary) cell(k, a int) *commCell {
	for i := range s.comm {
		if s.comm[i].k == k && s.comm[i].a == a {
			return &s.comm[i].commCell
		}
	}
	s.comm = append(s.comm, commEntry{k: k, a: a})
	return &s.comm[len(s.comm)-1].commCell
}

// get returns the entry of (k, a), or zero.
func (s *summary) get(k, a int) commCell {
	for i := range s.comm {
		if s.comm[i].k == k && s.comm[i].a == a {
			return s.comm[i].commCell
		}
	}
	return commCell{}
}

// summary is the additive digest of a set of ops and collectives per
// micro-batch: the cost pass builds one per stage from the stage's graph;
// the analytic estimate builds one per kind of layer and adds them up by
// count. Both then go through the same assembly, so they agree.
type summary struct {
	fwd, bwdB, bwdW float64     // compute per micro-batch
	recompute       float64     // forward compute repeated in backward
	commF, commB    float64     // critical collectives per micro-batch (fwd, bwd)
	commR           float64     // critical forward collectives repeated by recompute
	hidden          float64     // overlapped collectives' exposed excess per micro-batch
	p2p             float64     // pipeline send/recv per micro-batch
	saved           float64     // activation bytes kept per micro-batch
	hwFLOPs         float64     // executed FLOPs per micro-batch on one rank
	modelFLOPs      float64     // useful forward FLOPs per micro-batch, whole model replica
	moeBuf          float64     // largest MoE dispatch buffers (send+recv)
	transient       float64     // largest op working memory
	p2pBytes        float64     // pipeline buffer bytes
	layerParams     float64     // largest layer's parameter elements (ZeRO-3 gather buffer)
	comm            []commEntry // per micro-batch, by kind and axis
}

func (s *summary) add(o *summary, n float64) {
	if s.comm == nil && len(o.comm) > 0 {
		s.comm = make([]commEntry, 0, len(o.comm)+4)
	}
	s.addScalars(o, n)
	for _, e := range o.comm {
		c := s.cell(e.k, e.a)
		c.calls += n * e.calls
		c.bytes += n * e.bytes
		c.time += n * e.time
	}
}

// addScalars adds all but the communication list.
func (s *summary) addScalars(o *summary, n float64) {
	s.fwd += n * o.fwd
	s.bwdB += n * o.bwdB
	s.bwdW += n * o.bwdW
	s.recompute += n * o.recompute
	s.commF += n * o.commF
	s.commB += n * o.commB
	s.commR += n * o.commR
	s.hidden += n * o.hidden
	s.p2p += n * o.p2p
	s.saved += n * o.saved
	s.hwFLOPs += n * o.hwFLOPs
	s.modelFLOPs += n * o.modelFLOPs
	s.moeBuf = math.Max(s.moeBuf, o.moeBuf)
	s.transient = math.Max(s.transient, o.transient)
	s.p2pBytes = math.Max(s.p2pBytes, o.p2pBytes)
	s.layerParams = math.Max(s.layerParams, o.layerParams)
}

// summarizeOps digests ops and their per-micro-batch collectives (step
// collectives are handled by the assembly). The ops are one layer's (or the
// embedding and head): overlapped collectives hide behind that group's
// compute of their phase, and only their excess counts. Under full
// recomputation a layer's critical forward collectives run again.
func summarizeOps(cm *costModel, ops []*ir.Op, colls []*ir.Collective, fullRecompute bool) summary {
	var s summary
	isLayer := false
	for _, o := range ops {
		f, b, w := cm.opTimes(o)
		s.fwd += f
		s.bwdB += b
		s.bwdW += w
		s.hwFLOPs += o.FwdFLOPs + o.BwdInputFLOPs + o.BwdWeightFLOPs
		if o.Recompute {
			s.recompute += f
			s.hwFLOPs += o.FwdFLOPs
		}
		if o.Layer >= 0 {
			isLayer = true
		}
		s.modelFLOPs += o.ModelFLOPs
		s.saved += o.SavedBytes()
		s.transient = math.Max(s.transient, 2*o.Output.Bytes())
		if o.Kind == ir.OpDispatch {
			s.moeBuf = math.Max(s.moeBuf, 2*o.Output.Bytes())
		}
	}
	if isLayer {
		s.layerParams = layerParams(ops)
	}
	var overF, overB, zeroF, zeroB float64
	for _, c := range colls {
		if c.Phase == ir.StepPhase {
			continue
		}
		t := cm.collTime(c)
		cell := s.cell(kindIndex(c.Kind), axisIndex(c.Axis))
		cell.calls += float64(c.Calls())
		cell.bytes += c.Bytes * float64(c.Calls())
		cell.time += t
		if c.Axis == ir.AxisPP {
			s.p2p += t
			s.p2pBytes = math.Max(s.p2pBytes, 2*c.Bytes)
			continue
		}
		if c.Overlap == ir.WithCompute && isZero3Coll(c) {
			if c.Phase == ir.Forward {
				zeroF += t
			} else {
				zeroB += t
			}
			continue
		}
		if c.Overlap == ir.WithCompute {
			if c.Phase == ir.Forward {
				overF += t
			} else {
				overB += t
			}
			continue
		}
		if c.Phase == ir.Forward {
			s.commF += t
			if fullRecompute && isLayer {
				s.commR += t
			}
		} else {
			s.commB += t
		}
	}
	// ZeRO-3's gathers and reduce-scatters run on their own stream, issued
	// a layer ahead (DeepSpeed's prefetch, FSDP's backward prefetch): they
	// hide behind all the layer's compute of their pass, the recomputed
	// forward included; the other overlapped collectives behind the
	// layer's compute of their phase.
	s.hidden = math.Max(0, overF-s.fwd) + math.Max(0, overB-(s.bwdB+s.bwdW)) +
		math.Max(0, zeroF-s.fwd) + math.Max(0, zeroB-(s.bwdB+s.bwdW+s.recompute))
	return s
}

// stepColl is a once-per-step collective of a stage.
type stepColl struct {
	kind    ir.CollKind
	axis    ir.Axis
	bytes   float64
	calls   int
	overlap ir.Overlap
	what    stepWhat
}

// stepWhat names a step collective's tensor and part (for IR names).
type stepWhat uint8

const (
	gradBuckets stepWhat = iota
	gradLastBucket
	expertGradBuckets
	expertGradLastBucket
	paramsGather
	expertParamsGather
	otherStep
	tpReplicatedGrads
	kvReplicatedGrads
)

var stepWhatNames = [...][2]string{{"grads", "buckets"}, {"grads", "last_bucket"}, {"expert_grads", "buckets"}, {"expert_grads", "last_bucket"}, {"params", "ag"}, {"expert_params", "ag"}, {"", ""}, {"tp_replicated_grads", "ar"}, {"kv_replicated_grads", "ar"}}

// stageDigest is everything the assembly needs about one virtual stage.
type stageDigest struct {
	index, ppRank int
	sum           *summary // may be shared by identical stages (read-only)
	dense, expert float64  // parameter elements per rank
	step          []stepColl
}

func stepColls(colls []*ir.Collective) []stepColl {
	var out []stepColl
	for _, c := range colls {
		if c.Phase == ir.StepPhase {
			out = append(out, stepColl{kind: c.Kind, axis: c.Axis, bytes: c.Bytes, calls: c.Calls(), overlap: c.Overlap, what: otherStep})
		}
	}
	return out
}
