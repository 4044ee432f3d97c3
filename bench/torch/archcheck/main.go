// Command archcheck writes, as JSON on stdout, the inputs, outputs and
// gradients of the kernels of today's architectures (runtime/kernels) on
// small random cases, for bench/torch/arch.py to recompute from
// docs/semantics.md's definitions in PyTorch (float64, autograd) and
// compare. bench/torch/arch.sh runs both.
//
//	go run ./bench/torch/archcheck > cases.json
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"planc/runtime/kernels"
	"planc/runtime/tensor"
)

// kcase is one kernel call: its parameters, inputs, the upstream gradient
// of its output, and what the Go kernels computed.
type kcase struct {
	Name   string               `json:"name"`
	Op     string               `json:"op"`
	Params map[string]any       `json:"params"`
	In     map[string][]float32 `json:"in"`
	Out    map[string][]float32 `json:"out"`
	Ints   map[string][]int32   `json:"ints,omitempty"`
}

func normal(seed uint64, n int, std float64) []float32 {
	x := make([]float32, n)
	tensor.NewRNG(seed).FillNormal(x, std)
	return x
}

func main() {
	var cases []kcase
	cases = append(cases, rmsnorm(), glu(kernels.SwiGLU), glu(kernels.GeGLU), rope())
	cases = append(cases,
		attention("gqa_block", kernels.GroupedAttnShape{AttnShape: kernels.AttnShape{Batch: 2, Heads: 4, Tq: 5, Tk: 7, D: 4, QOffset: 2, Causal: true}, KVHeads: 2}),
		attention("mla_widths", kernels.GroupedAttnShape{AttnShape: kernels.AttnShape{Batch: 1, Heads: 3, Tq: 6, Tk: 6, D: 6, Causal: true}, DV: 4}))
	cases = append(cases,
		routing("sigmoid_norm_groups_bias", kernels.RouterSpec{Experts: 8, TopK: 3, Score: kernels.ScoreSigmoid, Normalize: true, Groups: 4, TopKGroups: 2}, true),
		routing("softmax_groups", kernels.RouterSpec{Experts: 8, TopK: 2, Score: kernels.ScoreSoftmax, Groups: 4, TopKGroups: 2}, false),
		routing("sigmoid_plain", kernels.RouterSpec{Experts: 6, TopK: 2, Score: kernels.ScoreSigmoid}, false))
	cases = append(cases, mla())
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(cases); err != nil {
		fmt.Fprintln(os.Stderr, "archcheck:", err)
		os.Exit(1)
	}
}

func rmsnorm() kcase {
	const rows, h, eps = 6, 8, 0.25 // a large eps, so that its placement (inside the root) shows
	x, g, dy := normal(1, rows*h, 2), normal(2, h, 1), normal(3, rows*h, 1)
	y, rstd := make([]float32, rows*h), make([]float32, rows)
	kernels.RMSNormForward(y, rstd, x, g, rows, h, eps)
	dx, dg := make([]float32, rows*h), make([]float32, h)
	kernels.RMSNormBackward(dx, dg, dy, x, rstd, g, rows, h)
	return kcase{Name: "rmsnorm", Op: "rmsnorm", Params: map[string]any{"rows": rows, "h": h, "eps": eps},
		In: map[string][]float32{"x": x, "gamma": g, "dy": dy}, Out: map[string][]float32{"y": y, "dx": dx, "dgamma": dg}}
}

func glu(act kernels.GLUActivation) kcase {
	const rows, f = 6, 5
	x, dy := normal(4, rows*2*f, 1.5), normal(5, rows*f, 1)
	y, dx := make([]float32, rows*f), make([]float32, rows*2*f)
	kernels.GLUForward(y, x, rows, f, act)
	kernels.GLUBackward(dx, dy, x, rows, f, act)
	return kcase{Name: act.String(), Op: "glu", Params: map[string]any{"rows": rows, "f": f, "act": act.String()},
		In: map[string][]float32{"x": x, "dy": dy}, Out: map[string][]float32{"y": y, "dx": dx}}
}

func rope() kcase {
	s := kernels.RoPEShape{Batch: 2, Heads: 3, T: 5, D: 6, Rotary: 4}
	pos := []int32{9, 10, 3, 700, 11}
	const theta = 10000
	n := s.Batch * s.Heads * s.T * s.D
	x, dy := normal(6, n, 1), normal(7, n, 1)
	cos, sin := kernels.RoPETable(pos, s.Rotary, theta)
	y, dx := make([]float32, n), make([]float32, n)
	kernels.RoPEForward(y, x, cos, sin, s)
	kernels.RoPEBackward(dx, dy, cos, sin, s)
	return kcase{Name: "rope", Op: "rope", Params: map[string]any{"b": s.Batch, "h": s.Heads, "t": s.T, "d": s.D, "rotary": s.Rotary, "theta": theta},
		In: map[string][]float32{"x": x, "dy": dy}, Out: map[string][]float32{"y": y, "dx": dx}, Ints: map[string][]int32{"pos": pos}}
}

func attention(name string, s kernels.GroupedAttnShape) kcase {
	g, dv := s.KVHeads, s.DV
	if g == 0 {
		g = s.Heads
	}
	if dv == 0 {
		dv = s.D
	}
	nq, nk, nv, no := s.Batch*s.Heads*s.Tq*s.D, s.Batch*g*s.Tk*s.D, s.Batch*g*s.Tk*dv, s.Batch*s.Heads*s.Tq*dv
	q, k, v, do := normal(8, nq, 1), normal(9, nk, 1), normal(10, nv, 1), normal(11, no, 1)
	o, lse := make([]float32, no), make([]float32, s.Batch*s.Heads*s.Tq)
	kernels.GroupedAttentionForward(o, lse, q, k, v, s)
	dq, dk, dvv := make([]float32, nq), make([]float32, nk), make([]float32, nv)
	kernels.GroupedAttentionBackward(dq, dk, dvv, do, q, k, v, o, lse, s)
	return kcase{Name: name, Op: "attention",
		Params: map[string]any{"b": s.Batch, "h": s.Heads, "g": g, "tq": s.Tq, "tk": s.Tk, "d": s.D, "dv": dv, "qoff": s.QOffset, "koff": s.KOffset},
		In:     map[string][]float32{"q": q, "k": k, "v": v, "do": do},
		Out:    map[string][]float32{"o": o, "lse": lse, "dq": dq, "dk": dk, "dv": dvv}}
}

func routing(name string, spec kernels.RouterSpec, withBias bool) kcase {
	const tokens = 10
	logits, dw := normal(12, tokens*spec.Experts, 2), normal(13, tokens*spec.TopK, 1)
	bias := make([]float32, spec.Experts)
	if withBias {
		bias = normal(14, spec.Experts, 0.3)
	}
	r := kernels.RouteScored(logits, tokens, spec, bias)
	dl := make([]float32, len(logits))
	kernels.RouteScoredBackward(dl, dw, r, spec.Score, nil, 0)
	return kcase{Name: name, Op: "routing",
		Params: map[string]any{"tokens": tokens, "experts": spec.Experts, "topk": spec.TopK, "score": spec.Score.String(),
			"normalize": spec.Normalize, "groups": spec.Groups, "topk_groups": spec.TopKGroups},
		In:   map[string][]float32{"logits": logits, "bias": bias, "dw": dw},
		Out:  map[string][]float32{"probs": r.Probs, "weight": r.Weight, "dlogits": dl},
		Ints: map[string][]int32{"expert": r.Expert}}
}

// mla is multi-head latent attention composed as docs/semantics.md orders
// it, on already normalized inputs x [seq, h], causal, positions 0…seq−1:
// its output and the gradients of x and of every weight.
func mla() kcase {
	const S, h, a, qr, c, n, r, v, eps, theta = 6, 8, 2, 6, 5, 3, 2, 4, 1e-6, 10000.0
	qk := n + r
	in := map[string][]float32{
		"x": normal(20, S*h, 1), "q_down": normal(21, h*qr, 0.4), "q_norm": normal(22, qr, 1), "q_up": normal(23, qr*a*qk, 0.4),
		"kv_down": normal(24, h*(c+r), 0.4), "kv_norm": normal(25, c, 1), "kv_up": normal(26, c*a*(n+v), 0.4),
		"out": normal(27, a*v*h, 0.4), "dy": normal(28, S*h, 1)}
	x := in["x"]
	pos := make([]int32, S)
	for i := range pos {
		pos[i] = int32(i)
	}
	cos, sin := kernels.RoPETable(pos, r, theta)
	ms := kernels.MLAShape{Batch: 1, Seq: S, Heads: a, Nope: n, Rope: r, V: v}
	cq, cqn, rq := make([]float32, S*qr), make([]float32, S*qr), make([]float32, S)
	kernels.LinearForward(cq, x, in["q_down"], nil, S, h, qr)
	kernels.RMSNormForward(cqn, rq, cq, in["q_norm"], S, qr, eps)
	qp := make([]float32, S*a*qk)
	kernels.LinearForward(qp, cqn, in["q_up"], nil, S, qr, a*qk)
	q, qrot := make([]float32, len(qp)), make([]float32, len(qp))
	kernels.MLAQueries(q, qp, ms)
	qShape := kernels.RoPEShape{Batch: 1, Heads: a, T: S, D: qk, Rotary: r}
	kernels.RoPEForward(qrot, q, cos, sin, qShape)
	down := make([]float32, S*(c+r))
	kernels.LinearForward(down, x, in["kv_down"], nil, S, h, c+r)
	ckv, kr, krr := make([]float32, S*c), make([]float32, S*r), make([]float32, S*r)
	kernels.SplitColumns(ckv, kr, down, S, c, r)
	krShape := kernels.RoPEShape{Batch: 1, Heads: 1, T: S, D: r, Rotary: r}
	kernels.RoPEForward(krr, kr, cos, sin, krShape)
	ckvn, rkv := make([]float32, S*c), make([]float32, S)
	kernels.RMSNormForward(ckvn, rkv, ckv, in["kv_norm"], S, c, eps)
	kv := make([]float32, S*a*(n+v))
	kernels.LinearForward(kv, ckvn, in["kv_up"], nil, S, c, a*(n+v))
	k, vv := make([]float32, a*S*qk), make([]float32, a*S*v)
	kernels.MLAKeysValues(k, vv, kv, krr, ms)
	as := kernels.GroupedAttnShape{AttnShape: kernels.AttnShape{Batch: 1, Heads: a, Tq: S, Tk: S, D: qk, Causal: true}, DV: v}
	o, lse := make([]float32, a*S*v), make([]float32, a*S)
	kernels.GroupedAttentionForward(o, lse, qrot, k, vv, as)
	ctx, y := make([]float32, S*a*v), make([]float32, S*h)
	kernels.MergeHeads(ctx, o, 1, S, a, v)
	kernels.LinearForward(y, ctx, in["out"], nil, S, a*v, h)

	out := map[string][]float32{"y": y}
	grad := func(name string) []float32 { g := make([]float32, len(in[name])); out["d"+name] = g; return g }
	dctx := make([]float32, len(ctx))
	kernels.LinearBackward(dctx, grad("out"), nil, in["dy"], ctx, in["out"], S, a*v, h)
	do := make([]float32, len(o))
	kernels.SplitHeads(do, dctx, 1, S, a, v)
	dqrot, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(vv))
	kernels.GroupedAttentionBackward(dqrot, dk, dv, do, qrot, k, vv, o, lse, as)
	dkv, dkrr := make([]float32, len(kv)), make([]float32, len(krr))
	kernels.MLAKeysValuesGrad(dkv, dkrr, dk, dv, ms)
	dckvn := make([]float32, len(ckvn))
	kernels.LinearBackward(dckvn, grad("kv_up"), nil, dkv, ckvn, in["kv_up"], S, c, a*(n+v))
	dckv, dkr, ddown := make([]float32, len(ckv)), make([]float32, len(kr)), make([]float32, len(down))
	kernels.RMSNormBackward(dckv, grad("kv_norm"), dckvn, ckv, rkv, in["kv_norm"], S, c)
	kernels.RoPEBackward(dkr, dkrr, cos, sin, krShape)
	kernels.JoinColumnsGrad(ddown, dckv, dkr, S, c, r)
	dx := grad("x")
	kernels.LinearBackward(dx, grad("kv_down"), nil, ddown, x, in["kv_down"], S, h, c+r)
	dq, dqp := make([]float32, len(q)), make([]float32, len(qp))
	kernels.RoPEBackward(dq, dqrot, cos, sin, qShape)
	kernels.MLAQueriesGrad(dqp, dq, ms)
	dcqn, dcq := make([]float32, len(cqn)), make([]float32, len(cq))
	kernels.LinearBackward(dcqn, grad("q_up"), nil, dqp, cqn, in["q_up"], S, qr, a*qk)
	kernels.RMSNormBackward(dcq, grad("q_norm"), dcqn, cq, rq, in["q_norm"], S, qr)
	kernels.LinearBackward(dx, grad("q_down"), nil, dcq, x, in["q_down"], S, h, qr)
	return kcase{Name: "mla_block", Op: "mla",
		Params: map[string]any{"s": S, "h": h, "a": a, "qr": qr, "c": c, "n": n, "r": r, "v": v, "eps": eps, "theta": theta},
		In:     in, Out: out}
}
