package calib

import (
	"fmt"
	"math/rand/v2"
	"runtime"

	"planc/runtime/exec"
	"planc/runtime/kernels"
	"planc/runtime/optim"
)

// gemmShapes are the products timed (m×k times k×n): the shapes of small
// transformer layers (rows = micro-batch·sequence, widths 64..1024) and a
// few square ones, so that the fit sees both the fixed cost and the rate.
var gemmShapes = [][3]int{
	{32, 64, 64}, {128, 64, 64}, {128, 64, 192}, {128, 64, 256}, {128, 256, 64},
	{256, 64, 256}, {512, 64, 256}, {512, 256, 64}, {256, 256, 256},
	{1024, 64, 64}, {512, 512, 512}, {128, 1024, 128},
	// thin ones (a dimension of 8 to 32: phantom ghosts, an expert's few
	// routed rows), whose packing and memory traffic outweigh their FLOPs
	{128, 8, 32}, {128, 32, 8}, {256, 16, 64}, {512, 8, 64}, {16, 64, 64}, {64, 256, 8}, {32, 32, 32},
}

func randVec(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = rand.Float32() - 0.5
	}
	return v
}

// measureGEMM times each shape as a linear layer's three products run it:
// forward C = A·B, backward-input C += A·Bᵀ, backward-weight C += Aᵀ·B
// (the layouts of runtime/kernels.LinearForward and LinearBackward); a
// point is their mean. timing is timeCold (as a step meets them) or
// timeCPU (operands hot: a model that fits in the private cache).
func measureGEMM(opt Options, timing func(Options, func()) float64) []Point {
	var pts []Point
	for _, s := range gemmShapes {
		m, k, n := s[0], s[1], s[2]
		a, b, c := randVec(m*k), randVec(k*n), make([]float32, m*n)
		t := timing(opt, func() {
			kernels.MatMul(c, a, b, m, k, n, false)
			kernels.MatMulTransB(c, a, b, m, k, n, true)
			kernels.MatMulTransA(c, a, b, m, k, n, true)
		}) / 3
		pts = append(pts, Point{Name: fmt.Sprintf("%dx%dx%d", m, k, n), Size: 2 * float64(m*k*n), Seconds: t})
	}
	return pts
}

// measureParallel finds the size from which the kernels split one product
// over the cores: GEMMs m×64×256 for growing m, each timed on one core and
// on NumCPU; the first whose time falls by a third or more gives the
// threshold in FLOPs, with every speed-up measured (0: none found, or one
// CPU).
func measureParallel(opt Options) (threshold float64, speedups []Point) {
	if runtime.NumCPU() < 2 {
		return 0, nil
	}
	for _, m := range []int{32, 64, 96, 128, 160, 192, 256, 384} {
		const k, n = 64, 256
		a, b, c := randVec(m*k), randVec(k*n), make([]float32, m*n)
		var one float64
		oneCore(func() { one = timeIt(opt, func() { kernels.MatMul(c, a, b, m, k, n, false) }) })
		prev := runtime.GOMAXPROCS(runtime.NumCPU())
		all := timeIt(opt, func() { kernels.MatMul(c, a, b, m, k, n, false) })
		runtime.GOMAXPROCS(prev)
		flops := 2 * float64(m*k*n)
		speedups = append(speedups, Point{Name: fmt.Sprintf("%dx%dx%d", m, k, n), Size: flops, Seconds: all / one})
		if threshold == 0 && one/all >= 1.5 {
			threshold = flops
		}
	}
	return threshold, speedups
}

// elemSizes are the element counts of the element-wise points: inside the
// caches (the tiny models' activations) and beyond them.
var elemSizes = []int{4096, 32768, 262144, 2097152}

// measureElementwise times the element-wise kernels; Size is the bytes
// read and written as the cost model counts a memory-bound op (fp32).
func measureElementwise(opt Options) []Point {
	var pts []Point
	for _, n := range elemSizes {
		x, y, z := randVec(n), make([]float32, n), randVec(n)
		add := func(name string, bytes float64, fn func()) {
			pts = append(pts, Point{Name: name, Size: bytes, Seconds: timeCold(opt, fn)})
		}
		add("add", 12*float64(n), func() { kernels.Add(z, x) })
		add("gelu", 8*float64(n), func() { kernels.GeluForward(y, x) })
		add("gelu_bwd", 12*float64(n), func() { kernels.GeluBackward(y, z, x) })
		h := 64
		rows := n / h
		mean, rstd, g, b := make([]float32, rows), make([]float32, rows), randVec(h), randVec(h)
		add("layernorm", 8*float64(n), func() { kernels.LayerNormForward(y, mean, rstd, x, g, b, rows, h) })
		add("softmax", 8*float64(n), func() { kernels.SoftmaxRows(y, x, rows, h) })
		add("loss", 16*float64(n), lossKernel(x, n))
		add("layout", 64*float64(n), layoutCopies(n))
		add("adamw", 28*float64(n), optimizerStep(x, n))
	}
	sortPoints(pts)
	return pts
}

// optimizerStep returns one optimizer step of n parameters as the CPU
// runtime runs it: the gradient's squared norm (exec.SumSquaresRuns),
// the AdamW update (optim.Config.Step, the runtime's kernel) and the
// clear of n gradients the next step accumulates into (the runtime
// clears every stage's gradients once a step; here a buffer of their
// size, not the gradient itself: zero gradients would drive the moments
// into denormals). Its size is the cost model's optimizer traffic, 28
// bytes a parameter, so the clear's 4 bytes lower the rate instead.
func optimizerStep(grad []float32, n int) func() {
	st := optim.NewState(randVec(n), grad, true)
	all := [][2]int{{0, n}} // every element counts, as on one rank
	c := optim.Config{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: 0.1, Clip: 1}
	next := make([]float32, n)
	k := 0
	return func() {
		k++
		c.Step(st, k, 1e-4, c.ClipScale(exec.SumSquaresRuns(grad, all)))
		clear(next)
	}
}

// layoutCopies returns the head layout copies around one attention of n
// = batch·seq·heads·d elements as the CPU runtime makes them (4 heads of
// 16, batch 2): q, k, v split from the projection and their gradients
// joined (3n read and 3n written each), the output's heads merged and its
// gradient split (n and n each): 64n bytes.
func layoutCopies(n int) func() {
	const b, heads, d = 2, 4, 16
	s := max(1, n/(b*heads*d))
	n = b * s * heads * d
	qkv, q, k, v := randVec(3*n), make([]float32, n), make([]float32, n), make([]float32, n)
	dqkv, o, y := make([]float32, 3*n), randVec(n), make([]float32, n)
	return func() {
		kernels.SplitQKV(q, k, v, qkv, b, s, heads, d)
		kernels.JoinQKVGrad(dqkv, q, k, v, b, s, heads, d)
		kernels.MergeHeads(y, o, b, s, heads, d)
		kernels.SplitHeads(o, y, b, s, heads, d)
	}
}

// lossVocab is the vocabulary of the loss points: the byte-level
// corpus's, which every transformer the CPU runtime trains reads.
const lossVocab = 256

// lossKernel returns one call of the CPU runtime's softmax cross-entropy
// on n logits (rows × lossVocab): what its loss op runs (row maxima,
// sums of exponentials with the target's logit, the logits' gradient and
// the mean). Its size as the cost model counts the loss op's traffic:
// (4 bytes per logit + 4) forward and the same backward, 16 bytes per
// logit.
func lossKernel(logits []float32, n int) func() {
	rows := n / lossVocab
	targets := make([]int32, rows)
	for i := range targets {
		targets[i] = int32(i * 7 % lossVocab)
	}
	rowMax, tgt := make([]float32, rows), make([]float32, rows)
	sumExp := make([]float64, rows)
	grad := make([]float32, n)
	return func() {
		kernels.CrossEntropyShardMax(rowMax, logits, rows, lossVocab)
		kernels.CrossEntropyShardSums(sumExp, tgt, logits, targets, rowMax, rows, lossVocab, 0)
		kernels.CrossEntropyShardGrad(grad, logits, targets, rowMax, sumExp, rows, lossVocab, 0, 1/float32(rows))
		kernels.CrossEntropyShardLoss(sumExp, tgt, rows)
	}
}

// attnShapes are (batch, heads, sequence, head dim) of causal attention.
var attnShapes = [][4]int{{2, 4, 64, 16}, {2, 4, 256, 16}, {4, 8, 128, 32}, {1, 8, 32, 8}, {4, 2, 128, 16}}

// measureAttention times the attention kernel forward plus backward. Size
// counts the FLOPs the cost model charges a fused attention core per
// (batch, head), in units of 2·s²·d (the full square: it does not halve
// for the mask): q·kᵀ forward, recomputed in backward and its two
// gradients (4), p·v forward and its two gradients (3).
func measureAttention(opt Options) (pts []Point, scores, rows []float64) {
	for _, s := range attnShapes {
		b, h, t, d := s[0], s[1], s[2], s[3]
		sh := kernels.AttnShape{Batch: b, Heads: h, Tq: t, Tk: t, D: d, Causal: true}
		n := b * h * t * d
		q, k, v, o, do := randVec(n), randVec(n), randVec(n), make([]float32, n), randVec(n)
		lse := make([]float32, b*h*t)
		dq, dk, dv := make([]float32, n), make([]float32, n), make([]float32, n)
		sec := timeCold(opt, func() {
			kernels.AttentionForward(o, lse, q, k, v, sh)
			kernels.AttentionBackward(dq, dk, dv, do, q, k, v, o, lse, sh)
		})
		flops := float64(b*h) * 2 * float64(t*t*d) * 7
		pts = append(pts, Point{Name: fmt.Sprintf("b%d h%d s%d d%d", b, h, t, d), Size: flops, Seconds: sec})
		scores = append(scores, float64(b*h*t*t))
		rows = append(rows, float64(b*h*t))
	}
	return pts, scores, rows
}

// fitAttention fits time = FLOPs/rate + 3·scores·perScore + 3·rows·perRow
// (the kernel's products, which are the runtime's GEMMs at the GEMM fit's
// rate; the softmax's one pass over the scores forward and two backward;
// and per query row its maximum, sum and log-sum-exp forward, its
// rescaling backward) by least squares in relative error, both costs ≥ 0.
// The products' rate is not fitted here: with five shapes it would trade
// off against the others.
func fitAttention(pts []Point, scores, rows []float64, rate float64) (perScore, perRow float64) {
	x := make([][3]float64, len(pts))
	y := make([]float64, len(pts))
	for i, p := range pts {
		x[i] = [3]float64{3 * scores[i] / p.Seconds, 3 * rows[i] / p.Seconds, 0}
		y[i] = 1 - p.Size/rate/p.Seconds
	}
	th := nonNegLeastSquaresTo(x, y)
	return th[0], th[1]
}
