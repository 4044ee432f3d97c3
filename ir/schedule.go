package ir

// This file holds the runtime schedule: for every rank an ordered list of
// actions, the contract between the compiler and both executors (the real
// one in runtime/exec and the simulator in runtime/sim).
//
// Semantics that every executor must honour:
//
//   - A rank executes its actions strictly in list order; an action starts
//     only when the previous one has been issued (and, for blocking actions,
//     has completed).
//   - Compute actions (F, B, W, OPTIMIZER) run on the rank's compute stream
//     and block the rank for their duration. F, B and W run the op program of
//     their virtual stage, which carries the stage's own tensor-, sequence-,
//     context- and expert-parallel collectives (see [StageInfo.Collectives]).
//   - SEND_F and SEND_B are non-blocking: the rank posts the send and goes
//     on; the transfer proceeds on its own. RECV_F and RECV_B block until the
//     matching send's data has arrived. Sends and recvs carry the stage that
//     executes them (PyTorch's convention): SEND_F of stage s matches RECV_F
//     of stage s+1 for the same micro-batch, SEND_B of stage s matches RECV_B
//     of stage s-1; the pair names each other as Peer and has equal Bytes.
//     Two virtual stages on the same rank (the turn of zb-v's V) pass data
//     locally, with no send or recv.
//   - REDUCE_GRAD, ALLGATHER_PARAMS, ALLREDUCE_TIED, ALLREDUCE_SEQ and
//     ALLREDUCE_KV are asynchronous collectives: the rank issues them and goes on. They run on the rank's
//     one collective stream in issue order, and a collective starts when
//     every member of its group has issued it (members issue the collectives
//     of one group in the same order; the verifier checks it). An action
//     whose Dep is set waits until that earlier async action has completed
//     (an F waits for the prefetched ZeRO-3 gather of its stage).
//   - GRAD_NORM is a blocking all-reduce of the squared gradient norm over
//     its group; it and OPTIMIZER first wait for every outstanding
//     asynchronous collective of the rank (gradients must be reduced before
//     they are clipped and applied).
//
// Virtual stages are numbered 0..PP·VPP-1 in model order: stage 0 holds the
// embedding, the last stage the final norm, head and loss. [Schedule.Stages]
// says which layers each one holds and which pipeline rank holds it.

import (
	"fmt"
	"strings"
)

// ActionKind is what an [Action] does.
type ActionKind uint8

const (
	ActNone ActionKind = iota
	// ActF is the forward of one virtual stage for one micro-batch.
	ActF
	// ActB is the backward of one virtual stage for one micro-batch. When the
	// schedule splits the backward ([Schedule.SplitBackward], zb-h1 and zb-v)
	// it computes only the input gradient and an ActW follows later;
	// otherwise it computes both input and weight gradients.
	ActB
	// ActW computes the weight gradients of a split backward.
	ActW
	ActSendF // activations to the next virtual stage (non-blocking)
	ActRecvF // activations from the previous virtual stage (blocking)
	ActSendB // input gradient to the previous virtual stage (non-blocking)
	ActRecvB // input gradient from the next virtual stage (blocking)
	// ActReduceGrad reduces one gradient bucket over the data-parallel group
	// (all-reduce for ZeRO 0; reduce-scatter for ZeRO 1, 2 and 3, each rank
	// keeping the reduced chunk it owns): once per step, or under ZeRO-3
	// once per micro-batch (MB is -1 either way), the chunks accumulating.
	// Asynchronous, overlapped with the remaining backward.
	ActReduceGrad
	// ActAllGatherParams gathers parameters over the group that shards
	// them: under ZeRO-3 the parameters of one virtual stage before a use
	// (MB is the micro-batch whose F or B needs them, prefetched one action
	// ahead), one action per parameter class: the dense parameters over the
	// data-parallel group (dp·cp), then the routed experts' over the
	// expert-data-parallel group (edp) under ep > 1, the F or B depending
	// on the last (Bucket is -1); under ZeRO-1/2 one bucket's updated
	// shards after the optimizer (MB = -1), over its bucket's group.
	ActAllGatherParams
	// ActAllReduceTied sums the two copies of the tied embedding's gradient,
	// held by the first and the last virtual stage: an all-reduce between
	// their ranks, or a local sum when one rank holds both (a one-member
	// group). It comes before the REDUCE_GRAD of the embedding's bucket (a
	// bucket of its own, see [StageInfo.Buckets]) on both stages, so that
	// the data-parallel reduction, and under ZeRO each rank's chunk of it,
	// sees the whole sum. The first stage issues it when its gradients are
	// final, the last stage's rank after its last compute action.
	ActAllReduceTied
	// ActGradNorm all-reduces the squared gradient norm over every rank of
	// the model-parallel group (tp·cp·pp, and ep) for global-norm clipping.
	ActGradNorm
	// ActOptimizer clips and applies the gradients to the rank's (shard of
	// the) parameters.
	ActOptimizer
	// ActAllReduceSeq sums over the tensor-parallel group the gradients of
	// one virtual stage's parameters that every tp rank holds whole but
	// applies to its own slice of the tokens, so that each rank's gradient
	// is a partial sum: under sequence parallelism (sp) the LayerNorms and
	// the biases added after a reduce-scatter, under sequence-sharded MoE
	// blocks (ssmb) the router and the shared experts (Megatron's
	// all-reduce of sequence-parallel parameters' gradients). Bytes is the
	// summed buffer per rank. Asynchronous, on the collective stream; the
	// schedule issues it after every REDUCE_GRAD of its stage and after the
	// ALLREDUCE_TIED of a stage holding a tied copy (see package
	// passes/sched for why this order). It was added after version 1 of
	// the schedule file fixed the numbering, so it takes the next free
	// value.
	ActAllReduceSeq
	// ActAllReduceKV sums over an AxisKV group (the tp ranks that hold the
	// same replicated key/value head, when tp exceeds kv_heads) their
	// gradients of one virtual stage's replicated key/value columns (see
	// [Param.Replicated]): each rank's is the partial sum from its own
	// query heads. Bytes is the summed buffer per rank. Asynchronous, on
	// the collective stream, issued right after the stage's ALLREDUCE_SEQ
	// position (after its REDUCE_GRADs; the sum is linear, so the order
	// with the data-parallel reduction does not change it). Added after
	// ALLREDUCE_SEQ: the next free value.
	ActAllReduceKV
	numActionKinds
)

var actionNames = [...]string{
	ActNone: "NONE", ActF: "F", ActB: "B", ActW: "W",
	ActSendF: "SEND_F", ActRecvF: "RECV_F", ActSendB: "SEND_B", ActRecvB: "RECV_B",
	ActReduceGrad: "REDUCE_GRAD", ActAllGatherParams: "ALLGATHER_PARAMS",
	ActAllReduceTied: "ALLREDUCE_TIED", ActGradNorm: "GRAD_NORM", ActOptimizer: "OPTIMIZER",
	ActAllReduceSeq: "ALLREDUCE_SEQ", ActAllReduceKV: "ALLREDUCE_KV",
}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) {
		return actionNames[k]
	}
	return fmt.Sprintf("ActionKind(%d)", k)
}

// ParseActionKind returns the kind named s (as printed by String).
func ParseActionKind(s string) (ActionKind, bool) {
	for k, n := range actionNames {
		if n == s && k != int(ActNone) {
			return ActionKind(k), true
		}
	}
	return ActNone, false
}

// Valid reports whether k is a defined action kind (not ActNone).
func (k ActionKind) Valid() bool { return k > ActNone && k < numActionKinds }

// NumActionKinds is one more than the largest defined [ActionKind]: kinds
// are 1..NumActionKinds-1.
const NumActionKinds = numActionKinds

// IsCompute reports whether k runs on the compute stream.
func (k ActionKind) IsCompute() bool {
	return k == ActF || k == ActB || k == ActW || k == ActOptimizer
}

// IsP2P reports whether k is a point-to-point send or recv.
func (k ActionKind) IsP2P() bool { return k >= ActSendF && k <= ActRecvB }

// IsSend reports whether k is a send.
func (k ActionKind) IsSend() bool { return k == ActSendF || k == ActSendB }

// IsCollective reports whether k is a group collective.
func (k ActionKind) IsCollective() bool {
	return k >= ActReduceGrad && k <= ActGradNorm || k == ActAllReduceSeq || k == ActAllReduceKV
}

// IsAsync reports whether the rank goes on without waiting for k to finish.
func (k ActionKind) IsAsync() bool {
	return k.IsSend() || k == ActReduceGrad || k == ActAllGatherParams || k == ActAllReduceTied || k == ActAllReduceSeq || k == ActAllReduceKV
}

// Matching returns the recv kind that matches a send kind and vice versa.
func (k ActionKind) Matching() ActionKind {
	switch k {
	case ActSendF:
		return ActRecvF
	case ActRecvF:
		return ActSendF
	case ActSendB:
		return ActRecvB
	case ActRecvB:
		return ActSendB
	}
	return ActNone
}

// Action is one instruction of a rank's program. Fields that do not apply
// to a kind are -1 (or 0 for Bytes).
type Action struct {
	Kind ActionKind
	Coll CollKind // the collective of a collective action
	// Stage is the virtual stage (F, B, W, sends, recvs, ZeRO-3 gathers,
	// REDUCE_GRAD, ALLREDUCE_SEQ, ALLREDUCE_KV); -1 for step-level actions.
	Stage int32
	// MB is the micro-batch, 0..M-1; -1 where none applies.
	MB int32
	// Peer is the other rank of a send or recv.
	Peer int32
	// Group indexes [Schedule.Groups] for a collective.
	Group int32
	// Bucket numbers the gradient bucket of a REDUCE_GRAD (or ZeRO-1/2
	// post-step gather) within its stage; expert buckets follow the dense
	// ones.
	Bucket int32
	// Dep is the index, in this rank's list, of an earlier asynchronous
	// action that must complete before this one starts; -1 if none.
	Dep int32
	// Bytes is the payload: per rank bytes sent or received, or the
	// collective's buffer size per rank (the all-reduce'd buffer, the
	// reduce-scatter's input, the all-gather's output).
	Bytes int64
}

// NewAction returns an action of kind k with every optional field unset.
func NewAction(k ActionKind) Action {
	return Action{Kind: k, Stage: -1, MB: -1, Peer: -1, Group: -1, Bucket: -1, Dep: -1}
}

// StageCollective is a collective inside a stage's op program, run in each
// F (or B, W) of that stage: Count calls of Bytes each over the Axis group.
type StageCollective struct {
	Phase ActionKind // ActF, ActB or ActW
	Coll  CollKind
	Axis  Axis
	Bytes int64
	Count int
	What  string // the op it belongs to, e.g. "attn out-proj"
}

// StageInfo describes one virtual stage.
type StageInfo struct {
	Index int // virtual stage index
	PP    int // the pipeline rank (pp coordinate) that holds it
	Chunk int // which of that pipeline rank's VPP chunks it is
	// FirstLayer and EndLayer are the transformer layers [FirstLayer,
	// EndLayer) it holds.
	FirstLayer, EndLayer int
	Embedding            bool // holds the input embedding (stage 0)
	Head                 bool // holds final norm, head and loss (last stage)
	// ParamBytes is the stage's parameter bytes held by one rank (after
	// tensor and expert sharding, before ZeRO), and GradBuckets how the
	// gradients are cut into REDUCE_GRAD buckets (bytes each).
	ParamBytes  int64
	GradBuckets []int64
	// ExpertParamBytes and ExpertGradBuckets are the same for the expert
	// parameters, whose gradients reduce over the expert-data-parallel
	// group (edp) instead of the data-parallel group.
	ExpertParamBytes  int64
	ExpertGradBuckets []int64
	// Buckets says which parameters each gradient bucket holds: the dense
	// buckets (as many as GradBuckets, in order), then the expert ones (as
	// ExpertGradBuckets). REDUCE_GRAD and ALLGATHER_PARAMS number buckets by
	// this list. It is what an executor of real gradients follows: the
	// bytes above are the cost model's (its dtype and sharding), the units
	// are the same in every executor. Nil in a schedule built from bare
	// byte counts (a simulation-only schedule).
	Buckets []GradBucket `json:",omitempty"`
	// Collectives are the stage's internal collectives per micro-batch.
	Collectives []StageCollective
}

// GradBucket is one gradient bucket of a stage: whole parameter units (see
// [ParamUnit]) that are contiguous in the stage's parameter order.
type GradBucket struct {
	Units []string
	// Expert says that the bucket holds routed experts' parameters, which
	// reduce (and, under ZeRO, shard) over the expert-data-parallel group.
	Expert bool `json:",omitempty"`
}

// Parameter unit names: the granularity of gradient buckets. A stage's
// parameters are, in this order, the input embedding table [UnitWTE] (on
// the first stage, and its tied copy on the last stage when they differ),
// the position embedding [UnitWPE], each layer's dense parameters
// ([LayerUnit](l, false)), the final norm and untied head [UnitHead]; then
// each layer's routed experts held by the rank ([LayerUnit](l, true), only
// under ep > 1: with ep = 1 experts are dense parameters like any other).
const (
	UnitWTE  = "wte"
	UnitWPE  = "wpe"
	UnitHead = "head"
)

// LayerUnit names layer l's dense parameters ("L3") or, with expert, its
// routed experts ("L3.experts").
func LayerUnit(l int, expert bool) string {
	if expert {
		return fmt.Sprintf("L%d.experts", l)
	}
	return fmt.Sprintf("L%d", l)
}

// ParamUnit is one unit of a stage's parameters with its element count on
// one rank.
type ParamUnit struct {
	Name   string
	Params int64
	Expert bool
}

// RankProgram is the ordered action list of one rank.
type RankProgram struct {
	Rank    int
	Coord   Coord
	Actions []Action
}

// Schedule is the whole runtime schedule of a plan for one training step.
type Schedule struct {
	Plan string // plan name
	// Fingerprint is [PlanFingerprint] of the plan it was compiled from.
	Fingerprint string
	Kind        ScheduleKind
	PP, VPP     int // pipeline ranks and virtual stages per pipeline rank
	MB          int // micro-batches per step per pipeline
	Zero        int
	Mesh        Mesh
	// SplitBackward says whether B computes only input gradients, with a
	// separate W (zb-h1, zb-v).
	SplitBackward bool
	// SerialGradReduce says the gradient buckets are reduced only after
	// the rank's whole backward (the plan's overlap.grad_reduce = false):
	// a simulator must not start them during the backward.
	SerialGradReduce bool
	Stages           []StageInfo
	// Groups are the rank lists of every collective group used by an action,
	// each in ring order.
	Groups [][]int32
	Ranks  []RankProgram
	// FoldDP, when between 0 and Mesh.DP, folds the schedule: only the
	// ranks whose dp index is below FoldDP have programs, and they stand
	// for every replica block (see [Schedule.Program]; schedule_fold.go).
	// GroupUse lists, for each stored rank, the groups its builder asked
	// for, in order ([Schedule.Expand] numbers groups by it). Schedule
	// files and text forms hold unfolded schedules.
	FoldDP   int       `json:"-"`
	GroupUse [][]int32 `json:"-"`
}

// NumStages returns the number of virtual stages.
func (s *Schedule) NumStages() int { return len(s.Stages) }

// StageOwner returns the pipeline rank (pp coordinate) holding stage st.
func (s *Schedule) StageOwner(st int) int { return s.Stages[st].PP }

// GroupOf returns the ranks of a's group, or nil.
func (s *Schedule) GroupOf(a Action) []int32 {
	if a.Group < 0 || int(a.Group) >= len(s.Groups) {
		return nil
	}
	return s.Groups[a.Group]
}

// NumActions returns the total number of actions over all ranks (of a
// folded schedule, as expanded).
func (s *Schedule) NumActions() int {
	n := 0
	for r := range s.Ranks {
		rep, _ := s.Rep(r)
		n += len(s.Ranks[rep].Actions)
	}
	return n
}

// ActionString prints a in PyTorch pipelining's notation: compute actions
// as STAGE KIND MB ("0F3", "1B2", "1W2"), sends and recvs as
// "1SEND_F2>5" / "2RECV_F2<4" (peer rank), collectives as
// "REDUCE_GRAD(s1,b0,g3)" or "ALLREDUCE_SEQ(s1,g0)", and step-level
// actions by name.
func (s *Schedule) ActionString(a Action) string {
	switch {
	case a.Kind == ActF || a.Kind == ActB || a.Kind == ActW:
		return fmt.Sprintf("%d%s%d", a.Stage, a.Kind, a.MB)
	case a.Kind.IsSend():
		return fmt.Sprintf("%d%s%d>%d", a.Stage, a.Kind, a.MB, a.Peer)
	case a.Kind.IsP2P():
		return fmt.Sprintf("%d%s%d<%d", a.Stage, a.Kind, a.MB, a.Peer)
	case a.Kind == ActReduceGrad:
		return fmt.Sprintf("%s(s%d,b%d,g%d)", a.Kind, a.Stage, a.Bucket, a.Group)
	case a.Kind == ActAllGatherParams:
		if a.MB < 0 {
			return fmt.Sprintf("%s(s%d,g%d)", a.Kind, a.Stage, a.Group)
		}
		return fmt.Sprintf("%s(s%d,mb%d,g%d)", a.Kind, a.Stage, a.MB, a.Group)
	case a.Kind == ActAllReduceSeq || a.Kind == ActAllReduceKV:
		return fmt.Sprintf("%s(s%d,g%d)", a.Kind, a.Stage, a.Group)
	case a.Kind.IsCollective():
		return fmt.Sprintf("%s(g%d)", a.Kind, a.Group)
	}
	return a.Kind.String()
}

// String prints the whole schedule: a header, the stages, the groups and one
// line per rank with its actions in order. Golden tests pin this form
// (`planc compile --emit=schedule`).
func (s *Schedule) String() string {
	s = s.Expand()
	var b strings.Builder
	fmt.Fprintf(&b, "schedule %s plan=%s pp=%d vpp=%d mb=%d zero=%d split_backward=%v\n",
		s.Kind, s.Plan, s.PP, s.VPP, s.MB, s.Zero, s.SplitBackward)
	if s.SerialGradReduce {
		b.WriteString("serial_grad_reduce\n")
	}
	fmt.Fprintf(&b, "mesh %s\n", s.Mesh)
	for _, st := range s.Stages {
		fmt.Fprintf(&b, "stage %d pp=%d chunk=%d layers=[%d,%d)", st.Index, st.PP, st.Chunk, st.FirstLayer, st.EndLayer)
		if st.Embedding {
			b.WriteString(" embedding")
		}
		if st.Head {
			b.WriteString(" head")
		}
		fmt.Fprintf(&b, " params=%dB buckets=%d", st.ParamBytes, len(st.GradBuckets))
		for _, bk := range st.Buckets {
			b.WriteString(" [")
			if bk.Expert {
				b.WriteString("expert ")
			}
			b.WriteString(strings.Join(bk.Units, " "))
			b.WriteByte(']')
		}
		b.WriteByte('\n')
	}
	for i, g := range s.Groups {
		fmt.Fprintf(&b, "group g%d %v\n", i, g)
	}
	for _, rp := range s.Ranks {
		fmt.Fprintf(&b, "rank %d (tp=%d cp=%d dp=%d pp=%d):", rp.Rank, rp.Coord.TP, rp.Coord.CP, rp.Coord.DP, rp.Coord.PP)
		for _, a := range rp.Actions {
			b.WriteByte(' ')
			b.WriteString(s.ActionString(a))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
