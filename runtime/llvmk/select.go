package llvmk

import (
	"fmt"
	"sort"
	"strings"

	"planc/runtime/kernels"
	"planc/runtime/optim"
)

// Ops is the set of kernels that a training loop can take from either
// implementation: [GoOps] (runtime/kernels, always available) or the
// generated host kernels (*Kernels, with -tags planc_llvm). Every method
// has the contract of the runtime/kernels function of the same name
// (Dispatch methods become methods taking the dispatch first; AdamWStep is
// optim.Config.Step).
type Ops interface {
	MatMul(c, a, b []float32, m, k, n int, accumulate bool)
	MatMulTransA(c, a, b []float32, m, k, n int, accumulate bool)
	MatMulTransB(c, a, b []float32, m, k, n int, accumulate bool)
	LinearForward(y, x, w, b []float32, rows, in, out int)
	LinearBackward(dx, dw, db, dy, x, w []float32, rows, in, out int)
	BiasBackward(db, dy []float32, rows, cols int)
	LayerNormForward(y, mean, rstd, x, gamma, beta []float32, rows, h int)
	LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma []float32, rows, h int)
	GeluForward(y, x []float32)
	GeluBackward(dx, dy, x []float32)
	AttentionForward(o, lse, q, k, v []float32, s kernels.AttnShape)
	AttentionBackward(dq, dk, dv, do, q, k, v, o, lse []float32, s kernels.AttnShape)
	Route(logits []float32, tokens, experts, topk int, normalize bool) *kernels.Routing
	RouterBackward(dlogits, dweight []float32, r *kernels.Routing, dProb []float32, auxScale float32)
	Permute(d *kernels.Dispatch, buf, x []float32, h int)
	PermuteBackward(d *kernels.Dispatch, dx, dbuf []float32, h int)
	Combine(d *kernels.Dispatch, y, buf []float32, h int)
	CombineBackward(d *kernels.Dispatch, dbuf, dweight, dy, buf []float32, h int)
	AdamWStep(c optim.Config, s *optim.State, step int, lr, gradScale float64)
}

// GoOps runs the Go kernels of runtime/kernels.
type GoOps struct{}

func (GoOps) MatMul(c, a, b []float32, m, k, n int, acc bool) { kernels.MatMul(c, a, b, m, k, n, acc) }
func (GoOps) MatMulTransA(c, a, b []float32, m, k, n int, acc bool) {
	kernels.MatMulTransA(c, a, b, m, k, n, acc)
}
func (GoOps) MatMulTransB(c, a, b []float32, m, k, n int, acc bool) {
	kernels.MatMulTransB(c, a, b, m, k, n, acc)
}
func (GoOps) LinearForward(y, x, w, b []float32, rows, in, out int) {
	kernels.LinearForward(y, x, w, b, rows, in, out)
}
func (GoOps) LinearBackward(dx, dw, db, dy, x, w []float32, rows, in, out int) {
	kernels.LinearBackward(dx, dw, db, dy, x, w, rows, in, out)
}
func (GoOps) BiasBackward(db, dy []float32, rows, cols int) { kernels.BiasBackward(db, dy, rows, cols) }
func (GoOps) LayerNormForward(y, mean, rstd, x, gamma, beta []float32, rows, h int) {
	kernels.LayerNormForward(y, mean, rstd, x, gamma, beta, rows, h)
}
func (GoOps) LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma []float32, rows, h int) {
	kernels.LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma, rows, h)
}
func (GoOps) GeluForward(y, x []float32)       { kernels.GeluForward(y, x) }
func (GoOps) GeluBackward(dx, dy, x []float32) { kernels.GeluBackward(dx, dy, x) }
func (GoOps) AttentionForward(o, lse, q, k, v []float32, s kernels.AttnShape) {
	kernels.AttentionForward(o, lse, q, k, v, s)
}
func (GoOps) AttentionBackward(dq, dk, dv, do, q, k, v, o, lse []float32, s kernels.AttnShape) {
	kernels.AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, s)
}
func (GoOps) Route(logits []float32, tokens, experts, topk int, normalize bool) *kernels.Routing {
	return kernels.Route(logits, tokens, experts, topk, normalize)
}
func (GoOps) RouterBackward(dlogits, dweight []float32, r *kernels.Routing, dProb []float32, auxScale float32) {
	kernels.RouterBackward(dlogits, dweight, r, dProb, auxScale)
}
func (GoOps) Permute(d *kernels.Dispatch, buf, x []float32, h int) { d.Permute(buf, x, h) }
func (GoOps) PermuteBackward(d *kernels.Dispatch, dx, dbuf []float32, h int) {
	d.PermuteBackward(dx, dbuf, h)
}
func (GoOps) Combine(d *kernels.Dispatch, y, buf []float32, h int) { d.Combine(y, buf, h) }
func (GoOps) CombineBackward(d *kernels.Dispatch, dbuf, dweight, dy, buf []float32, h int) {
	d.CombineBackward(dbuf, dweight, dy, buf, h)
}
func (GoOps) AdamWStep(c optim.Config, s *optim.State, step int, lr, gradScale float64) {
	c.Step(s, step, lr, gradScale)
}

// Usage is how the kernel calls of a run went.
type Usage struct {
	// Generated counts the calls of generated kernels by op (matmul,
	// layernorm_fwd, attention_bwd_kv, ...).
	Generated map[string]int64 `json:"generated"`
	// Fallback counts the calls that ran a Go kernel because no generated
	// kernel had their shape, by kernel and shape ("MatMul[512 64 192]").
	Fallback map[string]int64 `json:"fallback"`
}

// Counted is implemented by kernels that count their calls (the generated
// kernels); GoOps does not.
type Counted interface {
	Usage() Usage
}

// Total returns the generated calls and the fallbacks.
func (u Usage) Total() (generated, fallback int64) {
	for _, n := range u.Generated {
		generated += n
	}
	for _, n := range u.Fallback {
		fallback += n
	}
	return generated, fallback
}

// String lists the counts, generated ops first, each part sorted by name.
func (u Usage) String() string {
	var b strings.Builder
	g, f := u.Total()
	fmt.Fprintf(&b, "%d generated kernel calls, %d fallbacks to Go kernels", g, f)
	for _, part := range []struct {
		title string
		m     map[string]int64
	}{{"generated", u.Generated}, {"fallback", u.Fallback}} {
		names := make([]string, 0, len(part.m))
		for n := range part.m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "\n  %-9s %-40s %d", part.title, n, part.m[n])
		}
	}
	return b.String()
}
