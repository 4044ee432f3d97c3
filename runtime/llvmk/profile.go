package llvmk

import (
	"sort"
	"sync"
	"time"

	"planc/runtime/kernels"
	"planc/runtime/optim"
)

// Profiled wraps an [Ops] and times every call by op kind and direction
// (forward, backward, optimizer), with the floating-point work of the
// products and attention, so that a run can show where its step goes
// (planc run --profile). Ranks call it concurrently; the times are summed
// over ranks (rank-seconds). Calls made inside the wrapped kernels are not
// timed twice: only the outermost call of each op is.
type Profiled struct {
	Inner Ops
	mu    sync.Mutex
	rows  map[profKey]*ProfileRow
}

type profKey struct{ op, dir string }

// ProfileRow is one op kind's share of a run.
type ProfileRow struct {
	Op        string  `json:"op"`
	Direction string  `json:"direction"` // forward, backward or optimizer
	Calls     int64   `json:"calls"`
	Seconds   float64 `json:"rank_seconds"`
	// Flops counts multiply-adds as 2 in the products (matmul, linear,
	// attention's four or six products); 0 for the elementwise and
	// normalization ops, whose cost is memory traffic.
	Flops float64 `json:"flops"`
}

// NewProfiled returns the profiling wrapper of ops.
func NewProfiled(ops Ops) *Profiled {
	return &Profiled{Inner: ops, rows: map[profKey]*ProfileRow{}}
}

func (p *Profiled) add(op, dir string, start time.Time, flops float64) {
	d := time.Since(start).Seconds()
	p.mu.Lock()
	r := p.rows[profKey{op, dir}]
	if r == nil {
		r = &ProfileRow{Op: op, Direction: dir}
		p.rows[profKey{op, dir}] = r
	}
	r.Calls++
	r.Seconds += d
	r.Flops += flops
	p.mu.Unlock()
}

// Rows returns the rows so far, the most time first.
func (p *Profiled) Rows() []ProfileRow {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]ProfileRow, 0, len(p.rows))
	for _, r := range p.rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Seconds != out[j].Seconds {
			return out[i].Seconds > out[j].Seconds
		}
		return out[i].Op+out[i].Direction < out[j].Op+out[j].Direction
	})
	return out
}

// Usage is the wrapped kernels' usage (the generated kernels count their
// calls; the Go kernels do not, and give an empty one).
func (p *Profiled) Usage() (Usage, bool) {
	if c, ok := p.Inner.(Counted); ok {
		return c.Usage(), true
	}
	return Usage{}, false
}

func mm(m, k, n int) float64 { return 2 * float64(m) * float64(k) * float64(n) }

// attnPairs counts the (query, key) pairs attention scores: under a
// causal mask only the visible ones.
func attnPairs(s kernels.AttnShape) float64 {
	var pairs int
	for i := 0; i < s.Tq; i++ {
		if !s.Causal {
			pairs += s.Tk
			continue
		}
		pairs += min(max(s.QOffset+i-s.KOffset+1, 0), s.Tk)
	}
	return float64(s.Batch*s.Heads) * float64(pairs)
}

func (p *Profiled) MatMul(c, a, b []float32, m, k, n int, acc bool) {
	t := time.Now()
	p.Inner.MatMul(c, a, b, m, k, n, acc)
	p.add("matmul", "forward", t, mm(m, k, n))
}
func (p *Profiled) MatMulTransA(c, a, b []float32, m, k, n int, acc bool) {
	t := time.Now()
	p.Inner.MatMulTransA(c, a, b, m, k, n, acc)
	p.add("matmul", "backward", t, mm(m, k, n))
}
func (p *Profiled) MatMulTransB(c, a, b []float32, m, k, n int, acc bool) {
	t := time.Now()
	p.Inner.MatMulTransB(c, a, b, m, k, n, acc)
	p.add("matmul", "backward", t, mm(m, k, n))
}
func (p *Profiled) LinearForward(y, x, w, b []float32, rows, in, out int) {
	t := time.Now()
	p.Inner.LinearForward(y, x, w, b, rows, in, out)
	p.add("linear", "forward", t, mm(rows, in, out))
}
func (p *Profiled) LinearBackward(dx, dw, db, dy, x, w []float32, rows, in, out int) {
	t := time.Now()
	p.Inner.LinearBackward(dx, dw, db, dy, x, w, rows, in, out)
	var f float64
	if dx != nil {
		f += mm(rows, in, out)
	}
	if dw != nil {
		f += mm(rows, in, out)
	}
	p.add("linear", "backward", t, f)
}
func (p *Profiled) BiasBackward(db, dy []float32, rows, cols int) {
	t := time.Now()
	p.Inner.BiasBackward(db, dy, rows, cols)
	p.add("bias", "backward", t, 0)
}
func (p *Profiled) LayerNormForward(y, mean, rstd, x, gamma, beta []float32, rows, h int) {
	t := time.Now()
	p.Inner.LayerNormForward(y, mean, rstd, x, gamma, beta, rows, h)
	p.add("layernorm", "forward", t, 0)
}
func (p *Profiled) LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma []float32, rows, h int) {
	t := time.Now()
	p.Inner.LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma, rows, h)
	p.add("layernorm", "backward", t, 0)
}
func (p *Profiled) GeluForward(y, x []float32) {
	t := time.Now()
	p.Inner.GeluForward(y, x)
	p.add("gelu", "forward", t, 0)
}
func (p *Profiled) GeluBackward(dx, dy, x []float32) {
	t := time.Now()
	p.Inner.GeluBackward(dx, dy, x)
	p.add("gelu", "backward", t, 0)
}

// AttentionForward counts two products (q·kᵀ and P·v) over the visible
// pairs; the backward four (dv, dp, dq, dk), not the recomputed scores.
func (p *Profiled) AttentionForward(o, lse, q, k, v []float32, s kernels.AttnShape) {
	t := time.Now()
	p.Inner.AttentionForward(o, lse, q, k, v, s)
	p.add("attention", "forward", t, 4*attnPairs(s)*float64(s.D))
}
func (p *Profiled) AttentionBackward(dq, dk, dv, do, q, k, v, o, lse []float32, s kernels.AttnShape) {
	t := time.Now()
	p.Inner.AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, s)
	p.add("attention", "backward", t, 8*attnPairs(s)*float64(s.D))
}
func (p *Profiled) Route(logits []float32, tokens, experts, topk int, normalize bool) *kernels.Routing {
	t := time.Now()
	r := p.Inner.Route(logits, tokens, experts, topk, normalize)
	p.add("route", "forward", t, 0)
	return r
}
func (p *Profiled) RouterBackward(dlogits, dweight []float32, r *kernels.Routing, dProb []float32, auxScale float32) {
	t := time.Now()
	p.Inner.RouterBackward(dlogits, dweight, r, dProb, auxScale)
	p.add("route", "backward", t, 0)
}
func (p *Profiled) Permute(d *kernels.Dispatch, buf, x []float32, h int) {
	t := time.Now()
	p.Inner.Permute(d, buf, x, h)
	p.add("permute", "forward", t, 0)
}
func (p *Profiled) PermuteBackward(d *kernels.Dispatch, dx, dbuf []float32, h int) {
	t := time.Now()
	p.Inner.PermuteBackward(d, dx, dbuf, h)
	p.add("permute", "backward", t, 0)
}
func (p *Profiled) Combine(d *kernels.Dispatch, y, buf []float32, h int) {
	t := time.Now()
	p.Inner.Combine(d, y, buf, h)
	p.add("combine", "forward", t, 0)
}
func (p *Profiled) CombineBackward(d *kernels.Dispatch, dbuf, dweight, dy, buf []float32, h int) {
	t := time.Now()
	p.Inner.CombineBackward(d, dbuf, dweight, dy, buf, h)
	p.add("combine", "backward", t, 0)
}
func (p *Profiled) AdamWStep(c optim.Config, s *optim.State, step int, lr, gradScale float64) {
	t := time.Now()
	p.Inner.AdamWStep(c, s, step, lr, gradScale)
	p.add("adamw", "optimizer", t, 0)
}

var _ Ops = (*Profiled)(nil)
