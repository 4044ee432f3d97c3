package exec

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"planc/ir"
	"planc/runtime/ckpt"
	"planc/runtime/collective"
)

// This file runs one rank of a job whose ranks are processes (Config.Comm):
// the rank executes its own actions, then the ranks exchange their step
// reports so that every rank returns the job's StepResult, summed in rank
// order exactly as the in-process trainer sums it (the loss is
// bit-identical).
//
// Every process builds every rank's parameter layout (NewTrainer's loop),
// because rank 0 needs the others' layouts to assemble a checkpoint; only
// the local rank's buffers are trained. That costs each process the whole
// model's parameters once more than it needs.

// ckptTag is the message tag of a rank's parameters and moments sent to
// rank 0 for a checkpoint; pipeline tags (p2pTag) are never negative.
const ckptTag int64 = -1

// rankComm is rank r's transport: the in-process world's handle, or, when
// the job spans processes, Config.Comm for the local rank and nothing for
// the others (they run elsewhere).
func (t *Trainer) rankComm(r int) collective.Comm {
	if t.local < 0 {
		return t.world.Comm(r)
	}
	if r == t.local {
		return t.comm
	}
	return nil
}

// rankReport is what a rank tells the others after its actions of a step.
type rankReport struct {
	Loss   uint64 // math.Float64bits of the rank's loss sum
	Drops  int64
	Spent  time.Duration
	ByKind map[string]KindStats
	Err    string `json:",omitempty"`
}

// stepLocal runs the local rank's actions of one step, then gathers every
// rank's report.
func (t *Trainer) stepLocal() (StepResult, error) {
	start := time.Now()
	step := t.step
	lr := t.opt.LRAt(step)
	rk, tc := t.ranks[t.local], t.comms[t.local]
	rk.step, rk.lossSum, rk.drops = step, 0, 0
	tc.spent, tc.byKind = 0, nil
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panicked: %v", p)
			}
		}()
		return t.runRank(rk, t.sched.Ranks[rk.id].Actions, lr)
	}()
	if err != nil {
		err = fmt.Errorf("rank %d: step %d, %s: %w", rk.id, step, actionText(rk.action), err)
		t.comm.Abort(err)
		return StepResult{}, err
	}
	reports, err := t.gatherReports(rankReport{Loss: math.Float64bits(rk.lossSum), Drops: rk.drops, Spent: tc.spent, ByKind: tc.byKind})
	if err != nil {
		return StepResult{}, fmt.Errorf("rank %d: gathering step %d's reports: %w", t.local, step, err)
	}
	res := StepResult{Step: step, LR: lr, Elapsed: time.Since(start), ByKind: map[string]KindStats{}}
	for _, r := range reports {
		res.Loss += math.Float64frombits(r.Loss)
		res.Drops += r.Drops
		res.CommTime += r.Spent
		for k, v := range r.ByKind {
			s := res.ByKind[k]
			s.Counters = s.Counters.Add(v.Counters)
			s.Time += v.Time
			res.ByKind[k] = s
			t.bytes = t.bytes.Add(v.Counters)
		}
	}
	if t.m.Kind == ir.MLPModel {
		res.Tokens = t.plan.GlobalBatch
	} else {
		res.Tokens = t.plan.GlobalBatch * t.m.Seq
	}
	t.step++
	return res, nil
}

// worldGroup is every rank of the job.
func (t *Trainer) worldGroup() collective.Group {
	g := make(collective.Group, t.comm.Size())
	for i := range g {
		g[i] = i
	}
	return g
}

// gatherReports all-gathers every rank's report, in rank order.
func (t *Trainer) gatherReports(mine rankReport) ([]rankReport, error) {
	b, err := json.Marshal(mine)
	if err != nil {
		return nil, err
	}
	all, err := t.comm.AllGather(t.worldGroup(), packBytes(b))
	if err != nil {
		return nil, err
	}
	var out []rankReport
	for len(all) > 0 {
		n := int(math.Float32bits(all[0]))
		words := 1 + (n+3)/4
		if words > len(all) {
			return nil, fmt.Errorf("a rank's report is truncated")
		}
		var r rankReport
		if err := json.Unmarshal(unpackBytes(all[:words]), &r); err != nil {
			return nil, fmt.Errorf("a rank's report: %w", err)
		}
		out = append(out, r)
		all = all[words:]
	}
	if len(out) != t.comm.Size() {
		return nil, fmt.Errorf("%d reports from %d ranks", len(out), t.comm.Size())
	}
	return out, nil
}

// packBytes carries b in float32 bit patterns: a length word, then b
// padded to whole words. Transports copy float32s bit for bit.
func packBytes(b []byte) []float32 {
	out := make([]float32, 1+(len(b)+3)/4)
	out[0] = math.Float32frombits(uint32(len(b)))
	for i, c := range b {
		w := &out[1+i/4]
		*w = math.Float32frombits(math.Float32bits(*w) | uint32(c)<<(8*(i%4)))
	}
	return out
}

func unpackBytes(w []float32) []byte {
	n := int(math.Float32bits(w[0]))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(math.Float32bits(w[1+i/4]) >> (8 * (i % 4)))
	}
	return b
}

// GatherCheckpoint returns the job's checkpoint (see [Trainer.Checkpoint]).
// When the job spans processes every rank must call it at the same step:
// the ranks send their parameters and moments to rank 0, which returns the
// checkpoint; the others return nil.
func (t *Trainer) GatherCheckpoint() (*ckpt.Checkpoint, error) {
	if t.local < 0 {
		return t.Checkpoint(), nil
	}
	if t.local != 0 {
		if err := t.comm.Send(0, ckptTag, t.ranks[t.local].packState()); err != nil {
			return nil, fmt.Errorf("rank %d: sending its checkpoint share: %w", t.local, err)
		}
		return nil, nil
	}
	for r := 1; r < t.comm.Size(); r++ {
		buf, err := t.comm.Recv(r, ckptTag)
		if err != nil {
			return nil, fmt.Errorf("rank 0: receiving rank %d's checkpoint share: %w", r, err)
		}
		if err := t.ranks[r].unpackState(buf); err != nil {
			return nil, fmt.Errorf("rank 0: rank %d's checkpoint share: %w", r, err)
		}
	}
	return t.Checkpoint(), nil
}

// stageOrder is a rank's stage indices in increasing order.
func (rk *rank) stageOrder() []int {
	var idx []int
	for si := range rk.stages {
		idx = append(idx, si)
	}
	slices.Sort(idx)
	return idx
}

// packState concatenates, stage by stage, the rank's parameters and AdamW
// moments.
func (rk *rank) packState() []float32 {
	var out []float32
	for _, si := range rk.stageOrder() {
		st := rk.stages[si]
		out = append(out, st.p...)
		out = append(out, st.m...)
		out = append(out, st.v...)
		for _, k := range st.balanceKeys() {
			out = append(out, st.bias[k]...)
		}
	}
	return out
}

// unpackState is packState's inverse on a rank of the same layout.
func (rk *rank) unpackState(buf []float32) error {
	for _, si := range rk.stageOrder() {
		st := rk.stages[si]
		parts := [][]float32{st.p, st.m, st.v}
		for _, k := range st.balanceKeys() {
			parts = append(parts, st.bias[k])
		}
		for _, dst := range parts {
			if len(buf) < len(dst) {
				return fmt.Errorf("short by %d values", len(dst)-len(buf))
			}
			copy(dst, buf[:len(dst)])
			buf = buf[len(dst):]
		}
	}
	if len(buf) != 0 {
		return fmt.Errorf("%d values too many", len(buf))
	}
	return nil
}

// actionText describes a schedule action for an error message.
func actionText(a ir.Action) string {
	s := a.Kind.String()
	var at []string
	if a.Stage >= 0 {
		at = append(at, fmt.Sprintf("stage %d", a.Stage))
	}
	if a.MB >= 0 {
		at = append(at, fmt.Sprintf("micro-batch %d", a.MB))
	}
	if a.Bucket >= 0 {
		at = append(at, fmt.Sprintf("bucket %d", a.Bucket))
	}
	if a.Peer >= 0 {
		at = append(at, fmt.Sprintf("peer rank %d", a.Peer))
	}
	if len(at) > 0 {
		s += " (" + strings.Join(at, ", ") + ")"
	}
	return s
}
