package exec

import (
	"sort"
	"sync"
	"time"

	"planc/ir"
)

// InstrProfile times what the ranks execute in the compiled unit's terms:
// every instruction of the stage programs by its op kind (a conversion by
// its collective and axis) and direction, and every schedule action
// besides F and B by its kind, so that a run's time can be set op by op
// beside the cost model's (planc run --profile). The time of an
// instruction is all of it: the kernel, the values it allocates and
// copies, the collectives it issues and their waits. Ranks record
// concurrently; times are summed over ranks (rank-seconds).
type InstrProfile struct {
	mu   sync.Mutex
	rows map[instrKey]*InstrRow
	pipe map[int]*pipeAcc // by pipeline rank
}

type pipeAcc struct {
	PipeRow
	ranks map[int]bool
}

// PipeRow is one pipeline position's time in a run by what its ranks'
// schedule actions did, in rank-seconds summed over the ranks at that
// position (Ranks of them): its forwards, backwards and deferred weight
// gradients, its receives from the neighbouring stages (the wait for
// them included: where a rank idles in the pipeline's bubble), its sends,
// and its other actions (the step's collectives, the optimizer). The
// cost model's per-stage table (planc explain) gives the first three per
// micro-batch.
type PipeRow struct {
	PPRank   int     `json:"pp_rank"`
	Ranks    int     `json:"ranks"`
	Forward  float64 `json:"forward_s"`
	Backward float64 `json:"backward_s"`
	Weight   float64 `json:"weight_s"`
	Receive  float64 `json:"receive_s"`
	Send     float64 `json:"send_s"`
	Other    float64 `json:"other_s"`
}

type instrKey struct{ what, dir string }

// InstrRow is one op kind's (or conversion's, or action's) time in a run.
type InstrRow struct {
	// What is the op kind (ir.OpKind), "convert all-reduce/tp" for a
	// layout conversion that runs a collective in that direction ("convert
	// local/tp" for one that does not), or "action optimizer" for a
	// schedule action.
	What string `json:"what"`
	// Direction is forward or backward for instructions, step for
	// actions; a split backward's deferred weight gradients are "weight"
	// (timed as their W action: they are not told apart by op).
	Direction string  `json:"direction"`
	Calls     int64   `json:"calls"`
	Seconds   float64 `json:"rank_seconds"`
}

// NewInstrProfile returns an empty profile.
func NewInstrProfile() *InstrProfile {
	return &InstrProfile{rows: map[instrKey]*InstrRow{}, pipe: map[int]*pipeAcc{}}
}

// addAction adds the time since start of rank's action of kind k to its
// pipeline rank pp's row.
func (p *InstrProfile) addAction(rank, pp int, k ir.ActionKind, start time.Time) {
	d := time.Since(start).Seconds()
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.pipe[pp]
	if a == nil {
		a = &pipeAcc{PipeRow: PipeRow{PPRank: pp}, ranks: map[int]bool{}}
		p.pipe[pp] = a
	}
	a.ranks[rank] = true
	r := &a.PipeRow
	switch k {
	case ir.ActF:
		r.Forward += d
	case ir.ActB:
		r.Backward += d
	case ir.ActW:
		r.Weight += d
	case ir.ActRecvF, ir.ActRecvB:
		r.Receive += d
	case ir.ActSendF, ir.ActSendB:
		r.Send += d
	default:
		r.Other += d
	}
}

// PipeRows returns each pipeline rank's row, in order.
func (p *InstrProfile) PipeRows() []PipeRow {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]PipeRow, 0, len(p.pipe))
	for _, a := range p.pipe {
		row := a.PipeRow
		row.Ranks = len(a.ranks)
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PPRank < out[j].PPRank })
	return out
}

func (p *InstrProfile) add(what, dir string, start time.Time) {
	d := time.Since(start).Seconds()
	p.mu.Lock()
	r := p.rows[instrKey{what, dir}]
	if r == nil {
		r = &InstrRow{What: what, Direction: dir}
		p.rows[instrKey{what, dir}] = r
	}
	r.Calls++
	r.Seconds += d
	p.mu.Unlock()
}

// Reset forgets what was recorded (the first steps' allocations can be
// left out of a profile).
func (p *InstrProfile) Reset() {
	p.mu.Lock()
	p.rows = map[instrKey]*InstrRow{}
	p.pipe = map[int]*pipeAcc{}
	p.mu.Unlock()
}

// Rows returns the rows so far, the most time first.
func (p *InstrProfile) Rows() []InstrRow {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]InstrRow, 0, len(p.rows))
	for _, r := range p.rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Seconds != out[j].Seconds {
			return out[i].Seconds > out[j].Seconds
		}
		return out[i].What+out[i].Direction < out[j].What+out[j].Direction
	})
	return out
}

// instrLabel names an instruction's row in one direction (forward or
// backward): its op kind, or its conversion's collective and axis in that
// direction ("convert local/tp" where that direction runs no collective:
// a Megatron f or g operator is an all-reduce one way only, and labelling
// it one both ways doubled the profile's all-reduces against the cost
// model's).
func instrLabel(in *ir.Instr, backward bool) string {
	if in.Kind == ir.InstrOp {
		return string(in.Op.Kind)
	}
	c, other := in.Fwd, in.Bwd
	if backward {
		c, other = in.Bwd, in.Fwd
	}
	if c == nil {
		if other == nil {
			return "convert local"
		}
		return "convert local/" + string(other.Axis)
	}
	return "convert " + c.Kind.String() + "/" + string(c.Axis)
}

// actionLabel names a schedule action's row (F and B are timed by their
// instructions, W as one row).
func actionLabel(k ir.ActionKind) string { return "action " + k.String() }

// clock returns the time now when the rank is profiled (else the zero
// time: reading the clock per instruction is not free).
func (r *rank) clock() time.Time {
	if r.prof == nil {
		return time.Time{}
	}
	return time.Now()
}

// record adds the time since start to the profile's row (what, dir).
func (r *rank) record(what, dir string, start time.Time) {
	if r.prof != nil {
		r.prof.add(what, dir, start)
	}
}
