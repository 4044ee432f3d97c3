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
