// Command gpucheck prepares the GPU check of the generated kernels: for
// tiny_gpt and a tiny MoE plan, and the kernels of today's architectures
// (archSpecs: SiLU, RMSNorm, SwiGLU/GeGLU, RoPE, grouped-query and latent
// attention, sigmoid and group-limited routing, bias balancing), it writes
// the PTX (sm_80, and sm_90 when
// llc knows it), the same kernels compiled for the host as a shared
// library, random inputs for every kernel and a manifest. cuda/gpucheck.c
// then runs each kernel on the GPU through the CUDA driver API and on the CPU
// through the host library, and compares every buffer. run.sh does both.
//
//	go run ./bench/gpucheck -o /tmp/gpucheck
//
// NOT YET RUN ON A GPU: the sessions that wrote it had no GPU machine.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"planc/codegen/llvm"
	"planc/ir"
	"planc/runtime/kernels"
)

func main() {
	out := flag.String("o", "gpucheck.out", "output folder")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gpucheck:", err)
		os.Exit(1)
	}
}

func plans() []*ir.Plan {
	m := &ir.Model{Name: "tiny_gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 4, Heads: 4, FFN: 256, TieEmbeddings: true}
	moe := *m
	moe.Name, moe.MoE = "tiny_moe", &ir.MoE{Experts: 8, TopK: 2, ExpertFFN: 64, Shared: 1, NormalizeTopK: true}
	return []*ir.Plan{
		{Name: "tiny_gpt", Model: m, DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, MicroBatch: 8},
		{Name: "tiny_moe", Model: &moe, DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, MicroBatch: 8},
	}
}

// archSpecs are the kernels of today's architectures at tiny shapes:
// constant and runtime row counts, kv heads shared, MLA's unequal widths,
// a key block at an offset.
func archSpecs() []llvm.Spec {
	gqa := llvm.GroupedAttention{Attention: llvm.Attention{Batch: 2, Heads: 4, Tq: 32, Tk: 32, D: 16}, KVHeads: 2, DV: 16}
	mla := llvm.GroupedAttention{Attention: llvm.Attention{Batch: 1, Heads: 2, Tq: 32, Tk: 48, D: 24, QOffset: 16}, KVHeads: 2, DV: 16}
	rope := llvm.RoPE{Batch: 2, Heads: 4, T: 32, D: 24, Rotary: 8}
	sig := llvm.RouterScored{Tokens: 64, Experts: 16, K: 4, Sigmoid: true, Normalize: true, Groups: 4, TopKGroups: 2}
	soft := llvm.RouterScored{Tokens: 64, Experts: 16, K: 2, Groups: 4, TopKGroups: 1}
	specs := []llvm.Spec{
		llvm.SiluFwd{N: 4096}, llvm.SiluBwd{},
		llvm.RMSNormFwd{Rows: 64, Width: 64, Eps: 1e-6}, llvm.RMSNormBwdData{Rows: 64, Width: 64}, llvm.RMSNormBwdParams{Rows: 64, Width: 64},
		llvm.GLUFwd{Rows: 64, F: 96, Act: llvm.SwiGLU}, llvm.GLUBwd{Rows: 64, F: 96, Act: llvm.SwiGLU},
		llvm.GLUFwd{F: 96, Act: llvm.GeGLU}, llvm.GLUBwd{F: 96, Act: llvm.GeGLU},
		llvm.RoPEFwd{RoPE: rope}, llvm.RoPEBwd{RoPE: rope},
		sig, llvm.RouterScoredBwd{RouterScored: sig}, soft, llvm.RouterScoredBwd{RouterScored: soft},
		llvm.BalanceBias{Experts: 16, Rate: 0.001},
	}
	for _, a := range []llvm.GroupedAttention{gqa, mla} {
		specs = append(specs, llvm.GroupedAttentionFwd{GroupedAttention: a}, llvm.GroupedAttentionBwdQ{GroupedAttention: a}, llvm.GroupedAttentionBwdKV{GroupedAttention: a})
	}
	return specs
}

func run(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "in"), 0o755); err != nil {
		return err
	}
	var specs []llvm.Spec
	for _, p := range plans() {
		s, err := llvm.ForPlan(p)
		if err != nil {
			return err
		}
		specs = append(specs, s...)
	}
	specs = append(specs, archSpecs()...)
	tc := llvm.FindToolchain()
	for _, name := range []string{"sm_80", "sm_90", "x86-64"} {
		t, _ := llvm.LookupTarget(name)
		m, err := llvm.Generate("gpucheck", specs, t)
		if err != nil {
			return err
		}
		a, err := llvm.Build(m, dir, "kernels."+name, tc)
		if err != nil {
			return err
		}
		for _, n := range a.Notes {
			fmt.Println("note:", n)
		}
		if name == "x86-64" {
			if a.Object == "" {
				return fmt.Errorf("no host object: %v", a.Notes)
			}
			if err := llvm.SharedLibrary(tc, a.Object, filepath.Join(dir, "host.so")); err != nil {
				return err
			}
		}
	}
	t, _ := llvm.LookupTarget("x86-64")
	m, err := llvm.Generate("gpucheck", specs, t)
	if err != nil {
		return err
	}
	byName := map[string]llvm.Spec{}
	for _, s := range specs {
		byName[s.Name()] = s
	}
	r := rand.New(rand.NewPCG(11, 12))
	var man strings.Builder
	for _, k := range m.Kernels {
		c := newCase(r, byName[k.Name])
		items := k.Items
		if k.ItemsFrom != "" {
			items = c.counts[k.ItemsFrom] * k.ItemsPer
		}
		// The whole item range: kernels clamp hi to their items (on the
		// host, rows of a matmul), so the GPU's item count serves both.
		c.counts["lo"], c.counts["hi"] = 0, items
		fmt.Fprintf(&man, "case %s %d\n", k.Name, items)
		for _, p := range k.Params {
			switch p.Kind {
			case llvm.Int64:
				fmt.Fprintf(&man, "arg i64 %d\n", c.counts[p.Name])
			case llvm.F32Ptr:
				data := c.f32(p.Name)
				file := fmt.Sprintf("in/%s.%s.bin", k.Name, p.Name)
				if err := writeBin(filepath.Join(dir, file), data); err != nil {
					return err
				}
				fmt.Fprintf(&man, "arg f32 %d %s\n", len(data), file)
			case llvm.I32Ptr:
				data := c.ints[p.Name]
				file := fmt.Sprintf("in/%s.%s.bin", k.Name, p.Name)
				if err := writeBin(filepath.Join(dir, file), data); err != nil {
					return err
				}
				fmt.Fprintf(&man, "arg i32 %d %s\n", len(data), file)
			}
		}
		man.WriteString("end\n")
	}
	fmt.Printf("wrote %d cases to %s\n", len(m.Kernels), dir)
	return os.WriteFile(filepath.Join(dir, "manifest.txt"), []byte(man.String()), 0o644)
}

func writeBin(path string, data any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := binary.Write(f, binary.LittleEndian, data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// kcase holds one kernel's buffer sizes, runtime counts and index arrays.
type kcase struct {
	r      *rand.Rand
	sizes  map[string]int
	counts map[string]int
	ints   map[string][]int32
	// positive names the buffers that must not be negative.
	positive map[string]bool
	fixed    map[string][]float32
}

func (c *kcase) f32(name string) []float32 {
	if v, ok := c.fixed[name]; ok {
		return v
	}
	n, ok := c.sizes[name]
	if !ok {
		panic("gpucheck: no size for " + name)
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = c.r.Float32()*2 - 1
		if c.positive[name] {
			v[i] = float32(math.Abs(float64(v[i]))) + 0.1
		}
	}
	return v
}

// newCase sizes every buffer of spec s (runtime counts: 77 rows).
func newCase(r *rand.Rand, s llvm.Spec) *kcase {
	c := &kcase{r: r, sizes: map[string]int{}, counts: map[string]int{}, ints: map[string][]int32{},
		positive: map[string]bool{}, fixed: map[string][]float32{}}
	const rows = 77
	set := func(kv ...any) {
		for i := 0; i < len(kv); i += 2 {
			c.sizes[kv[i].(string)] = kv[i+1].(int)
		}
	}
	switch s := s.(type) {
	case llvm.MatMul:
		m, k := s.M, s.K
		if m == 0 {
			m = rows
			c.counts["m"] = m
		}
		if k == 0 {
			k = rows
			c.counts["k"] = k
		}
		set("a", m*k, "b", k*s.N, "bias", s.N, "c", m*s.N)
	case llvm.BiasGrad:
		n := s.Rows
		if n == 0 {
			n = rows
			c.counts["n"] = n
		}
		set("dy", n*s.Width, "db", s.Width)
	case llvm.LayerNormFwd:
		set("x", s.Rows*s.Width, "gamma", s.Width, "beta", s.Width, "y", s.Rows*s.Width, "mean", s.Rows, "rstd", s.Rows)
	case llvm.LayerNormBwdData:
		set("dy", s.Rows*s.Width, "x", s.Rows*s.Width, "gamma", s.Width, "mean", s.Rows, "rstd", s.Rows, "dx", s.Rows*s.Width)
		c.positive["rstd"] = true
	case llvm.LayerNormBwdParams:
		set("dy", s.Rows*s.Width, "x", s.Rows*s.Width, "mean", s.Rows, "rstd", s.Rows, "dgamma", s.Width, "dbeta", s.Width)
		c.positive["rstd"] = true
	case llvm.GeluFwd, llvm.GeluBwd:
		n := 0
		switch g := s.(type) {
		case llvm.GeluFwd:
			n = g.N
		case llvm.GeluBwd:
			n = g.N
		}
		if n == 0 {
			n = rows * 64
			c.counts["n"] = n
		}
		set("x", n, "y", n, "dy", n, "dx", n)
	case llvm.AttentionFwd:
		attnSizes(c, s.Attention)
	case llvm.AttentionBwdQ:
		attnSizes(c, s.Attention)
	case llvm.AttentionBwdKV:
		attnSizes(c, s.Attention)
	case llvm.RouterTopK:
		set("logits", s.Tokens*s.Experts, "probs", s.Tokens*s.Experts, "w", s.Tokens*s.K)
		c.ints["idx"] = make([]int32, s.Tokens*s.K)
	case llvm.RouterTopKBwd:
		rt := kernels.Route(c.rand(s.Tokens*s.Experts), s.Tokens, s.Experts, s.K, s.Normalize)
		c.fixed["probs"] = rt.Probs
		c.ints["idx"] = rt.Expert
		set("dw", s.Tokens*s.K, "aux", s.Experts, "dlogits", s.Tokens*s.Experts)
	case llvm.Permute:
		moeCase(c, s.Tokens, s.K, s.Width)
	case llvm.PermuteBwd:
		moeCase(c, s.Tokens, s.K, s.Width)
	case llvm.Unpermute:
		moeCase(c, s.Tokens, s.K, s.Width)
	case llvm.UnpermuteBwd:
		moeCase(c, s.Tokens, s.K, s.Width)
	case llvm.AdamW:
		n := 10007
		c.counts["n"] = n
		set("p", n, "g", n, "m", n, "v", n)
		c.positive["v"] = true
		c.fixed["hp"] = []float32{3e-3, 0.1, 10, 20, 1} // lr, wd, 1/bc1, 1/bc2, scale
	default:
		if !archCase(c, s, rows) {
			panic(fmt.Sprintf("gpucheck: no case for %T", s))
		}
	}
	return c
}

func (c *kcase) rand(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = c.r.Float32()*6 - 3
	}
	return v
}

func attnSizes(c *kcase, a llvm.Attention) {
	nq, nk := a.Batch*a.Heads*a.Tq*a.D, a.Batch*a.Heads*a.Tk*a.D
	for _, n := range []string{"q", "o", "do", "dq"} {
		c.sizes[n] = nq
	}
	for _, n := range []string{"k", "v", "dk", "dv"} {
		c.sizes[n] = nk
	}
	c.sizes["lse"] = a.Batch * a.Heads * a.Tq
}

// moeCase routes random logits over 8 experts with padding-free dispatch
// and gives the slot rows (pos) the permute kernels index by.
func moeCase(c *kcase, tokens, k, width int) {
	rt := kernels.Route(c.rand(tokens*8), tokens, 8, k, true)
	d := kernels.PaddingFree(rt)
	pos := make([]int32, tokens*k)
	for t := 0; t < tokens; t++ {
		for s := 0; s < k; s++ {
			pos[t*k+s] = d.Row[d.CopyIndex(t, s)]
		}
	}
	c.ints["pos"] = pos
	for _, n := range []string{"x", "dx", "y", "dy"} {
		c.sizes[n] = tokens * width
	}
	for _, n := range []string{"out", "dout", "e", "de"} {
		c.sizes[n] = d.Rows * width
	}
	c.sizes["w"], c.sizes["dw"] = tokens*k, tokens*k
}

// archCase sizes the buffers of the kernels of archSpecs; it reports
// whether s is one of them.
func archCase(c *kcase, s llvm.Spec, rows int) bool {
	set := func(kv ...any) {
		for i := 0; i < len(kv); i += 2 {
			c.sizes[kv[i].(string)] = kv[i+1].(int)
		}
	}
	count := func(n int) int { // a runtime count when n is zero
		if n == 0 {
			c.counts["n"] = rows
			return rows
		}
		return n
	}
	switch s := s.(type) {
	case llvm.SiluFwd:
		n := count(s.N)
		set("x", n, "y", n)
	case llvm.SiluBwd:
		n := count(s.N)
		set("x", n, "dy", n, "dx", n)
	case llvm.RMSNormFwd:
		set("x", s.Rows*s.Width, "gamma", s.Width, "y", s.Rows*s.Width, "rstd", s.Rows)
	case llvm.RMSNormBwdData:
		set("dy", s.Rows*s.Width, "x", s.Rows*s.Width, "gamma", s.Width, "rstd", s.Rows, "dx", s.Rows*s.Width)
		c.positive["rstd"] = true
	case llvm.RMSNormBwdParams:
		set("dy", s.Rows*s.Width, "x", s.Rows*s.Width, "rstd", s.Rows, "dgamma", s.Width)
		c.positive["rstd"] = true
	case llvm.GLUFwd:
		n := count(s.Rows)
		set("x", n*2*s.F, "y", n*s.F)
	case llvm.GLUBwd:
		n := count(s.Rows)
		set("x", n*2*s.F, "dy", n*s.F, "dx", n*2*s.F)
	case llvm.RoPEFwd:
		ropeSizes(c, s.RoPE)
	case llvm.RoPEBwd:
		ropeSizes(c, s.RoPE)
	case llvm.GroupedAttentionFwd:
		groupedSizes(c, s.GroupedAttention)
	case llvm.GroupedAttentionBwdQ:
		groupedSizes(c, s.GroupedAttention)
	case llvm.GroupedAttentionBwdKV:
		groupedSizes(c, s.GroupedAttention)
	case llvm.RouterScored:
		set("logits", s.Tokens*s.Experts, "bias", s.Experts, "probs", s.Tokens*s.Experts, "gscore", s.Tokens*max(s.Groups, 1), "w", s.Tokens*s.K)
		c.ints["idx"] = make([]int32, s.Tokens*s.K)
	case llvm.RouterScoredBwd:
		score := kernels.ScoreSoftmax
		if s.Sigmoid {
			score = kernels.ScoreSigmoid
		}
		rt := kernels.RouteScored(c.rand(s.Tokens*s.Experts), s.Tokens,
			kernels.RouterSpec{Experts: s.Experts, TopK: s.K, Score: score, Normalize: s.Normalize, Groups: s.Groups, TopKGroups: s.TopKGroups}, nil)
		c.fixed["probs"] = rt.Probs
		c.ints["idx"] = rt.Expert
		set("dw", s.Tokens*s.K, "aux", s.Experts, "dlogits", s.Tokens*s.Experts)
	case llvm.BalanceBias:
		counts := make([]int32, s.Experts)
		for i := range counts {
			counts[i] = int32(c.r.IntN(40))
		}
		c.ints["counts"] = counts
		set("bias", s.Experts)
	default:
		return false
	}
	return true
}

func ropeSizes(c *kcase, r llvm.RoPE) {
	n := r.Batch * r.Heads * r.T * r.D
	for _, name := range []string{"x", "y", "dy", "dx"} {
		c.sizes[name] = n
	}
	c.sizes["cos"], c.sizes["sin"] = r.T*r.Rotary/2, r.T*r.Rotary/2
}

func groupedSizes(c *kcase, a llvm.GroupedAttention) {
	nq, no := a.Batch*a.Heads*a.Tq*a.D, a.Batch*a.Heads*a.Tq*a.DV
	nk, nv := a.Batch*a.KVHeads*a.Tk*a.D, a.Batch*a.KVHeads*a.Tk*a.DV
	c.sizes["q"], c.sizes["dq"] = nq, nq
	c.sizes["o"], c.sizes["do"] = no, no
	c.sizes["k"], c.sizes["dk"] = nk, nk
	c.sizes["v"], c.sizes["dv"] = nv, nv
	c.sizes["lse"] = a.Batch * a.Heads * a.Tq
}
