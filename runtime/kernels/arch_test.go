package kernels

import (
	"math"
	"slices"
	"testing"
)

// TestGradientsArchitectureOps is the finite-difference table of today's
// architectures' kernels (arch.go, arch_attention.go, arch_routing.go).
func TestGradientsArchitectureOps(t *testing.T) {
	for _, c := range archGradCases() {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
}

func archGradCases() []gradCase {
	const rows, h, f = 6, 8, 5
	x := normal(21, rows*h, 2)
	gamma := normal(22, h, 1)
	rstd := make([]float32, rows)
	gx := normal(23, rows*2*f, 1.5)
	cases := []gradCase{
		{
			name:   "rmsnorm",
			inputs: map[string][]float32{"x": x, "gamma": gamma},
			forward: func() []float32 {
				y := make([]float32, rows*h)
				RMSNormForward(y, rstd, x, gamma, rows, h, 1e-5)
				return y
			},
			backward: func(dy []float32) map[string][]float32 {
				y := make([]float32, rows*h)
				RMSNormForward(y, rstd, x, gamma, rows, h, 1e-5)
				dx, dg := make([]float32, len(x)), make([]float32, h)
				RMSNormBackward(dx, dg, dy, x, rstd, gamma, rows, h)
				return map[string][]float32{"x": dx, "gamma": dg}
			},
		},
	}
	for _, act := range []GLUActivation{SwiGLU, GeGLU} {
		cases = append(cases, gradCase{
			name:   "glu_" + act.String(),
			inputs: map[string][]float32{"x": gx},
			forward: func() []float32 {
				y := make([]float32, rows*f)
				GLUForward(y, gx, rows, f, act)
				return y
			},
			backward: func(dy []float32) map[string][]float32 {
				dx := make([]float32, len(gx))
				GLUBackward(dx, dy, gx, rows, f, act)
				return map[string][]float32{"x": dx}
			},
		})
	}
	cases = append(cases, ropeGradCase(), mlaLayoutGradCase())
	cases = append(cases, groupedAttentionGradCases()...)
	return append(cases, routerGradCases()...)
}

// ropeGradCase rotates the last 4 of 6 columns of each head at positions
// that are not 0…T−1 (a context-parallel segment's).
func ropeGradCase() gradCase {
	s := RoPEShape{Batch: 2, Heads: 3, T: 5, D: 6, Rotary: 4} // 180 elements: the checked ones (every 7th) fall in every column
	x := normal(31, s.Batch*s.Heads*s.T*s.D, 1)
	cos, sin := RoPETable([]int32{9, 10, 3, 700, 11}, s.Rotary, 10000)
	return gradCase{
		name:   "rope",
		inputs: map[string][]float32{"x": x},
		forward: func() []float32 {
			y := make([]float32, len(x))
			RoPEForward(y, x, cos, sin, s)
			return y
		},
		backward: func(dy []float32) map[string][]float32 {
			dx := make([]float32, len(x))
			RoPEBackward(dx, dy, cos, sin, s)
			return map[string][]float32{"x": dx}
		},
	}
}

// mlaLayoutGradCase checks that the MLA layout helpers' backwards are the
// adjoints of their forwards (all linear).
func mlaLayoutGradCase() gradCase {
	s := MLAShape{Batch: 2, Seq: 3, Heads: 2, Nope: 3, Rope: 2, V: 4}
	toks := s.Batch * s.Seq
	down := normal(41, toks*(5+s.Rope), 1) // latent width 5, then the rotary key
	kv := normal(42, toks*s.Heads*(s.Nope+s.V), 1)
	qp := normal(43, toks*s.Heads*(s.Nope+s.Rope), 1)
	return gradCase{
		name:   "mla_layout",
		inputs: map[string][]float32{"down": down, "kv": kv, "qp": qp},
		forward: func() []float32 {
			lat, kr := make([]float32, toks*5), make([]float32, toks*s.Rope)
			SplitColumns(lat, kr, down, toks, 5, s.Rope)
			k, v := make([]float32, toks*s.Heads*(s.Nope+s.Rope)), make([]float32, toks*s.Heads*s.V)
			MLAKeysValues(k, v, kv, kr, s)
			q := make([]float32, len(qp))
			MLAQueries(q, qp, s)
			return slices.Concat(lat, k, v, q)
		},
		backward: func(dout []float32) map[string][]float32 {
			nk, nv := toks*s.Heads*(s.Nope+s.Rope), toks*s.Heads*s.V
			dlat, dk, dv, dq := dout[:toks*5], dout[toks*5:toks*5+nk], dout[toks*5+nk:toks*5+nk+nv], dout[toks*5+nk+nv:]
			ddown, dkv, dqp, dkr := make([]float32, len(down)), make([]float32, len(kv)), make([]float32, len(qp)), make([]float32, toks*s.Rope)
			MLAKeysValuesGrad(dkv, dkr, dk, dv, s)
			JoinColumnsGrad(ddown, dlat, dkr, toks, 5, s.Rope)
			MLAQueriesGrad(dqp, dq, s)
			return map[string][]float32{"down": ddown, "kv": dkv, "qp": dqp}
		},
	}
}

// groupedAttentionGradCases: grouped-query attention (4 query heads on 2
// key/value heads) and latent attention's widths (D 6, DV 4), causal, over
// a key block at other offsets than the queries'.
func groupedAttentionGradCases() []gradCase {
	var cases []gradCase
	for _, tc := range []struct {
		name string
		s    GroupedAttnShape
	}{
		{"attention_gqa", GroupedAttnShape{AttnShape: AttnShape{Batch: 2, Heads: 4, Tq: 5, Tk: 5, D: 4, Causal: true}, KVHeads: 2}},
		{"attention_mqa_block", GroupedAttnShape{AttnShape: AttnShape{Batch: 1, Heads: 3, Tq: 4, Tk: 6, D: 4, QOffset: 6, KOffset: 2, Causal: true}, KVHeads: 1}},
		{"attention_mla_widths", GroupedAttnShape{AttnShape: AttnShape{Batch: 2, Heads: 2, Tq: 5, Tk: 5, D: 6, Causal: true}, DV: 4}},
	} {
		s := tc.s
		g, dv := s.kvHeads(), s.dv()
		q := normal(51, s.Batch*s.Heads*s.Tq*s.D, 1)
		k := normal(52, s.Batch*g*s.Tk*s.D, 1)
		v := normal(53, s.Batch*g*s.Tk*dv, 1)
		run := func() ([]float32, []float32) {
			o, lse := make([]float32, s.Batch*s.Heads*s.Tq*dv), make([]float32, s.Batch*s.Heads*s.Tq)
			GroupedAttentionForward(o, lse, q, k, v, s)
			return o, lse
		}
		cases = append(cases, gradCase{
			name:    tc.name,
			inputs:  map[string][]float32{"q": q, "k": k, "v": v},
			forward: func() []float32 { o, _ := run(); return o },
			backward: func(do []float32) map[string][]float32 {
				o, lse := run()
				dq, dk, dvv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
				GroupedAttentionBackward(dq, dk, dvv, do, q, k, v, o, lse, s)
				return map[string][]float32{"q": dq, "k": dk, "v": dvv}
			},
		})
	}
	return cases
}

// routerGradCases: the combine weights as a function of the logits, for
// sigmoid routing (normalized or not, with groups and a selection bias) and
// group-limited softmax routing. The choice is constant near the test
// point, so the weights are differentiable there.
func routerGradCases() []gradCase {
	const tokens = 6
	var cases []gradCase
	for _, tc := range []struct {
		name string
		spec RouterSpec
		bias bool
	}{
		{"router_sigmoid", RouterSpec{Experts: 8, TopK: 3, Score: ScoreSigmoid}, false},
		{"router_sigmoid_norm_groups_bias", RouterSpec{Experts: 8, TopK: 3, Score: ScoreSigmoid, Normalize: true, Groups: 4, TopKGroups: 2}, true},
		{"router_softmax_groups", RouterSpec{Experts: 8, TopK: 2, Score: ScoreSoftmax, Groups: 4, TopKGroups: 2}, false},
	} {
		logits := normal(61, tokens*tc.spec.Experts, 2)
		var bias []float32
		if tc.bias {
			bias = normal(62, tc.spec.Experts, 0.3)
		}
		cases = append(cases, gradCase{
			name:   tc.name,
			inputs: map[string][]float32{"logits": logits},
			forward: func() []float32 {
				return RouteScored(logits, tokens, tc.spec, bias).Weight
			},
			backward: func(dw []float32) map[string][]float32 {
				r := RouteScored(logits, tokens, tc.spec, bias)
				dl := make([]float32, len(logits))
				RouteScoredBackward(dl, dw, r, tc.spec.Score, nil, 0)
				return map[string][]float32{"logits": dl}
			},
		})
	}
	return cases
}

func TestRMSNormValue(t *testing.T) {
	// A row of equal values v normalizes to v/sqrt(v²+eps).
	x := []float32{3, 3, 3, 3}
	y, rstd := make([]float32, 4), make([]float32, 1)
	RMSNormForward(y, rstd, x, []float32{1, 2, 1, 1}, 1, 4, 1e-6)
	want := 3 / math.Sqrt(9+1e-6)
	if math.Abs(float64(y[0])-want) > 1e-7 || math.Abs(float64(y[1])-2*want) > 1e-7 {
		t.Errorf("y %v, want %v and twice that", y, want)
	}
}

func TestGLUOrderIsGateThenUp(t *testing.T) {
	// One row, f = 1: gate 2, up 3 gives silu(2)·3, not silu(3)·2.
	y := make([]float32, 1)
	GLUForward(y, []float32{2, 3}, 1, 1, SwiGLU)
	want := 2 / (1 + math.Exp(-2)) * 3
	if math.Abs(float64(y[0])-want) > 1e-6 {
		t.Errorf("swiglu(gate 2, up 3) = %v, want %v", y[0], want)
	}
}

func TestRoPEConvention(t *testing.T) {
	// Head width 4 at position 1, θ = 100: pairs (0, 2) and (1, 3) turn by
	// 1 and 100^(−1/2) = 0.1 radians.
	x := []float32{1, 2, 3, 4}
	cos, sin := RoPETable([]int32{1}, 4, 100)
	y := make([]float32, 4)
	RoPEForward(y, x, cos, sin, RoPEShape{Batch: 1, Heads: 1, T: 1, D: 4, Rotary: 4})
	c0, s0, c1, s1 := math.Cos(1), math.Sin(1), math.Cos(0.1), math.Sin(0.1)
	want := []float64{1*c0 - 3*s0, 2*c1 - 4*s1, 3*c0 + 1*s0, 4*c1 + 2*s1}
	for i := range want {
		if math.Abs(float64(y[i])-want[i]) > 1e-6 {
			t.Errorf("y[%d] = %v, want %v (half-split pairs)", i, y[i], want[i])
		}
	}
	// Position 0 is the identity; the rotation keeps the norm.
	cos, sin = RoPETable([]int32{0}, 4, 100)
	RoPEForward(y, x, cos, sin, RoPEShape{Batch: 1, Heads: 1, T: 1, D: 4, Rotary: 4})
	if !slices.Equal(y, x) {
		t.Errorf("position 0 rotated %v to %v", x, y)
	}
}

func TestRoPEScoresDependOnRelativePosition(t *testing.T) {
	// q at p+δ and k at p give the same score for every p: what lets a
	// context-parallel segment rotate with its global positions.
	s := RoPEShape{Batch: 1, Heads: 1, T: 1, D: 8, Rotary: 8}
	q, k := normal(71, 8, 1), normal(72, 8, 1)
	score := func(pq, pk int32) float64 {
		rq, rk := make([]float32, 8), make([]float32, 8)
		c, sn := RoPETable([]int32{pq}, 8, 10000)
		RoPEForward(rq, q, c, sn, s)
		c, sn = RoPETable([]int32{pk}, 8, 10000)
		RoPEForward(rk, k, c, sn, s)
		return float64(dot(rq, rk))
	}
	base := score(5, 2)
	for _, p := range []int32{0, 17, 4093} {
		if got := score(p+3, p); math.Abs(got-base) > 1e-4*math.Abs(base)+1e-5 {
			t.Errorf("positions (%d, %d): score %v, at (5, 2) %v", p+3, p, got, base)
		}
	}
}

func TestGroupedAttentionIsAttentionWithSharedHeads(t *testing.T) {
	// Grouped-query attention equals multi-head attention whose key/value
	// heads are copies: query head i reads key/value head i/(heads/kvHeads).
	const B, H, G, T, D = 2, 6, 2, 9, 4
	s := GroupedAttnShape{AttnShape: AttnShape{Batch: B, Heads: H, Tq: T, Tk: T, D: D, Causal: true}, KVHeads: G}
	q, k, v := normal(81, B*H*T*D, 1), normal(82, B*G*T*D, 1), normal(83, B*G*T*D, 1)
	kFull, vFull := make([]float32, B*H*T*D), make([]float32, B*H*T*D)
	for b := 0; b < B; b++ {
		for h := 0; h < H; h++ {
			src, dst := (b*G+h/(H/G))*T*D, (b*H+h)*T*D
			copy(kFull[dst:dst+T*D], k[src:src+T*D])
			copy(vFull[dst:dst+T*D], v[src:src+T*D])
		}
	}
	o1, l1 := make([]float32, B*H*T*D), make([]float32, B*H*T)
	o2, l2 := make([]float32, B*H*T*D), make([]float32, B*H*T)
	GroupedAttentionForward(o1, l1, q, k, v, s)
	AttentionForward(o2, l2, q, kFull, vFull, s.AttnShape)
	if !slices.Equal(o1, o2) || !slices.Equal(l1, l2) {
		t.Fatal("grouped attention differs from attention over copied key/value heads")
	}
	do := normal(84, B*H*T*D, 1)
	dq1, dk1, dv1 := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
	GroupedAttentionBackward(dq1, dk1, dv1, do, q, k, v, o1, l1, s)
	dq2, dk2, dv2 := make([]float32, len(q)), make([]float32, len(kFull)), make([]float32, len(vFull))
	AttentionBackward(dq2, dk2, dv2, do, q, kFull, vFull, o2, l2, s.AttnShape)
	if !slices.Equal(dq1, dq2) {
		t.Error("dq differs")
	}
	// A shared head's gradient is the sum over its query heads.
	for b := 0; b < B; b++ {
		for g := 0; g < G; g++ {
			for i := 0; i < T*D; i++ {
				var sk, sv float32
				for h := g * (H / G); h < (g+1)*(H/G); h++ {
					sk += dk2[(b*H+h)*T*D+i]
					sv += dv2[(b*H+h)*T*D+i]
				}
				j := (b*G+g)*T*D + i
				if math.Abs(float64(sk-dk1[j])) > 1e-5 || math.Abs(float64(sv-dv1[j])) > 1e-5 {
					t.Fatalf("kv head %d of batch %d: dk %v dv %v, summed over its queries %v %v", g, b, dk1[j], dv1[j], sk, sv)
				}
			}
		}
	}
}

func TestGroupedAttentionRingBlocksCombine(t *testing.T) {
	// Two key blocks combined equal the whole, with MLA's unequal widths.
	const B, H, T, D, DV = 1, 2, 8, 6, 4
	whole := GroupedAttnShape{AttnShape: AttnShape{Batch: B, Heads: H, Tq: T, Tk: T, D: D, Causal: true}, DV: DV}
	q, k, v := normal(91, B*H*T*D, 1), normal(92, B*H*T*D, 1), normal(93, B*H*T*DV, 1)
	o, lse := make([]float32, B*H*T*DV), make([]float32, B*H*T)
	GroupedAttentionForward(o, lse, q, k, v, whole)
	oc, lc := make([]float32, len(o)), make([]float32, len(lse))
	EmptyAttention(oc, lc)
	half := T / 2
	for blk := 0; blk < 2; blk++ {
		s := whole
		s.Tk, s.KOffset = half, blk*half
		kb, vb := make([]float32, B*H*half*D), make([]float32, B*H*half*DV)
		for bh := 0; bh < B*H; bh++ {
			copy(kb[bh*half*D:(bh+1)*half*D], k[(bh*T+blk*half)*D:(bh*T+(blk+1)*half)*D])
			copy(vb[bh*half*DV:(bh+1)*half*DV], v[(bh*T+blk*half)*DV:(bh*T+(blk+1)*half)*DV])
		}
		ob, lb := make([]float32, len(o)), make([]float32, len(lse))
		GroupedAttentionForward(ob, lb, q, kb, vb, s)
		CombineAttention(oc, lc, ob, lb, AttnShape{Batch: B, Heads: H, Tq: T, D: DV})
	}
	for i := range o {
		if math.Abs(float64(o[i]-oc[i])) > 1e-5 {
			t.Fatalf("o[%d]: whole %v, blocks %v", i, o[i], oc[i])
		}
	}
}

func TestRouteScoredSoftmaxIsRoute(t *testing.T) {
	logits := normal(101, 16*8, 2)
	for _, norm := range []bool{false, true} {
		a := Route(logits, 16, 8, 2, norm)
		b := RouteScored(logits, 16, RouterSpec{Experts: 8, TopK: 2, Normalize: norm}, nil)
		if !slices.Equal(a.Expert, b.Expert) || !slices.Equal(a.Weight, b.Weight) || !slices.Equal(a.Probs, b.Probs) {
			t.Errorf("normalize %v: RouteScored differs from Route", norm)
		}
	}
}

func TestRouteScoredSelection(t *testing.T) {
	// Eight experts in four groups of two. Logits are chosen so that each
	// rule changes the choice.
	logits := []float32{
		3, -3, // group 0: best single expert, weak pair
		1, 1, // group 1: strong pair
		0.9, 0.9, // group 2
		-1, -1, // group 3
	}
	sig := func(x float32) float32 { return 1 / (1 + expf(-x)) }
	for _, tc := range []struct {
		name string
		spec RouterSpec
		bias []float32
		want []int32
	}{
		{"no groups", RouterSpec{Experts: 8, TopK: 2, Score: ScoreSigmoid}, nil, []int32{0, 2}},
		// Sigmoid groups rank by the sum of their two best: groups 1 and 2
		// (1.46, 1.42) beat group 0 (1.0), so expert 0 is out.
		{"sigmoid groups", RouterSpec{Experts: 8, TopK: 2, Score: ScoreSigmoid, Groups: 4, TopKGroups: 2}, nil, []int32{2, 3}},
		// Softmax groups rank by their best: group 0 and group 1.
		{"softmax groups", RouterSpec{Experts: 8, TopK: 2, Score: ScoreSoftmax, Groups: 4, TopKGroups: 2}, nil, []int32{0, 2}},
		// A bias on expert 7 moves it ahead for selection.
		{"bias", RouterSpec{Experts: 8, TopK: 2, Score: ScoreSigmoid}, []float32{0, 0, 0, 0, 0, 0, 0, 2}, []int32{7, 0}},
	} {
		r := RouteScored(logits, 1, tc.spec, tc.bias)
		if !slices.Equal(r.Expert, tc.want) {
			t.Errorf("%s: experts %v, want %v", tc.name, r.Expert, tc.want)
		}
		if tc.spec.Score == ScoreSigmoid {
			for s, e := range r.Expert {
				if w := sig(logits[e]); r.Weight[s] != w {
					t.Errorf("%s: slot %d weight %v, want the unbiased affinity %v", tc.name, s, r.Weight[s], w)
				}
			}
		}
	}
}

func TestBalanceBias(t *testing.T) {
	bias := []float32{0, 0.5, 0, -1}
	BalanceBias(bias, []float64{10, 2, 4, 4}, 0.25) // mean 5
	if want := []float32{-0.25, 0.75, 0.25, -0.75}; !slices.Equal(bias, want) {
		t.Errorf("bias %v, want %v", bias, want)
	}
	bias = []float32{0, 0}
	BalanceBias(bias, []float64{3, 3}, 0.25)
	if bias[0] != 0 || bias[1] != 0 {
		t.Errorf("balanced load moved the bias: %v", bias)
	}
}

// TestArchBackwardsAccumulate: every backward adds into its gradient
// buffers (the package's convention), here for grouped attention whose
// accumulation goes through gemm's accumulate flag.
func TestArchBackwardsAccumulate(t *testing.T) {
	s := GroupedAttnShape{AttnShape: AttnShape{Batch: 1, Heads: 4, Tq: 70, Tk: 70, D: 4, Causal: true}, KVHeads: 2, DV: 3}
	q, k, v := normal(111, 4*70*4, 1), normal(112, 2*70*4, 1), normal(113, 2*70*3, 1)
	o, lse := make([]float32, 4*70*3), make([]float32, 4*70)
	GroupedAttentionForward(o, lse, q, k, v, s)
	do := normal(114, len(o), 1)
	once := [3][]float32{make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))}
	twice := [3][]float32{make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))}
	GroupedAttentionBackward(once[0], once[1], once[2], do, q, k, v, o, lse, s)
	for range 2 {
		GroupedAttentionBackward(twice[0], twice[1], twice[2], do, q, k, v, o, lse, s)
	}
	for g, name := range []string{"dq", "dk", "dv"} {
		for i := range once[g] {
			if math.Abs(float64(2*once[g][i]-twice[g][i])) > 1e-5*(1+math.Abs(float64(twice[g][i]))) {
				t.Fatalf("%s[%d]: one call %v, two calls %v", name, i, once[g][i], twice[g][i])
			}
		}
	}
}
