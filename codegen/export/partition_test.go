package export

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// unitWith builds a unit whose pipeline holds counts layers per virtual
// stage, for the partition tests.
func unitWith(pp, vpp int, counts []int) *ir.Unit {
	layers := 0
	for _, c := range counts {
		layers += c
	}
	u := &ir.Unit{Plan: &ir.Plan{PP: pp, VPP: vpp, Model: &ir.Model{Layers: layers}}}
	first := 0
	for i, c := range counts {
		u.Graph.Stages = append(u.Graph.Stages, &ir.Stage{Index: i, PPRank: i % pp, Chunk: i / pp, FirstLayer: first, LastLayer: first + c})
		first += c
	}
	return u
}

// decodeMegatron recomputes the layers per virtual stage that Megatron-LM
// derives from the partition flags (its even split, its first/last
// stages, or its layout string).
func decodeMegatron(t *testing.T, a *args, pp, layers int) []int {
	t.Helper()
	flags := map[string]string{}
	for _, it := range a.items {
		flags[it.flag] = strings.Join(it.values, " ")
	}
	if layout, ok := flags["--pipeline-model-parallel-layout"]; ok {
		return parseLayout(t, layout)
	}
	vpp := 1
	if v, ok := flags["--num-virtual-stages-per-pipeline-rank"]; ok {
		vpp, _ = strconv.Atoi(v)
	}
	n := pp * vpp
	counts := make([]int, n)
	rest, stages := layers, n
	if v, ok := flags["--decoder-first-pipeline-num-layers"]; ok {
		counts[0], _ = strconv.Atoi(v)
		rest -= counts[0]
		stages--
	}
	if v, ok := flags["--decoder-last-pipeline-num-layers"]; ok {
		counts[n-1], _ = strconv.Atoi(v)
		rest -= counts[n-1]
		stages--
	}
	_, hasFirst := flags["--decoder-first-pipeline-num-layers"]
	_, hasLast := flags["--decoder-last-pipeline-num-layers"]
	for i := range counts {
		if (i == 0 && hasFirst) || (i == n-1 && hasLast) {
			continue
		}
		if rest%stages != 0 {
			t.Fatalf("Megatron would refuse: %d layers do not split evenly over %d stages", rest, stages)
		}
		counts[i] = rest / stages
	}
	return counts
}

// parseLayout unrolls a Megatron layout the way Megatron-LM does (x*n
// repeats the character before it; stages split at |) and counts the t's.
func parseLayout(t *testing.T, layout string) []int {
	t.Helper()
	unrolled := regexp.MustCompile(`(.)\*(\d+)`).ReplaceAllStringFunc(layout, func(m string) string {
		n, _ := strconv.Atoi(m[2:])
		return strings.Repeat(m[:1], n)
	})
	var out []int
	for _, stage := range strings.Split(unrolled, "|") {
		if strings.Trim(stage, "tEL") != "" {
			t.Fatalf("layout %q has a stage %q with unknown symbols", layout, stage)
		}
		out = append(out, strings.Count(stage, "t"))
	}
	if !strings.HasPrefix(unrolled, "E") || !strings.HasSuffix(unrolled, "L") {
		t.Fatalf("layout %q must start with the embedding and end with the loss", layout)
	}
	return out
}

// TestMegatronPartition: the flags reproduce every partition exactly,
// with the simplest spelling that does.
func TestMegatronPartition(t *testing.T) {
	cases := []struct {
		pp, vpp int
		counts  []int
		spell   string // the flag that must carry it ("" for none)
	}{
		{4, 1, []int{2, 2, 2, 2}, ""},
		{2, 3, []int{4, 4, 4, 4, 4, 4}, "--num-virtual-stages-per-pipeline-rank"},
		{4, 1, []int{1, 3, 3, 2}, "--decoder-first-pipeline-num-layers"},
		{4, 1, []int{3, 3, 3, 2}, "--decoder-last-pipeline-num-layers"},
		{2, 1, []int{3, 1}, "--decoder-first-pipeline-num-layers"},
		{2, 2, []int{1, 2, 2, 1}, "--pipeline-model-parallel-layout"}, // first/last would count whole pp ranks
		{4, 1, []int{0, 3, 3, 2}, "--pipeline-model-parallel-layout"}, // Megatron wants a first stage with layers
		{4, 1, []int{2, 3, 2, 2}, "--pipeline-model-parallel-layout"},
		{3, 1, []int{1, 0, 2}, "--pipeline-model-parallel-layout"},
		{2, 2, []int{2, 1, 2, 3}, "--pipeline-model-parallel-layout"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.pp, c.vpp, c.counts), func(t *testing.T) {
			u := unitWith(c.pp, c.vpp, c.counts)
			a := &args{}
			megatronPartition(a, u)
			if c.spell != "" && !slices.Contains(a.flags(), c.spell) {
				t.Errorf("flags %v do not use %s", a.flags(), c.spell)
			}
			if c.spell == "" && len(a.items) > 0 {
				t.Errorf("an even partition needs no flag, got %v", a.flags())
			}
			if got := decodeMegatron(t, a, c.pp, u.Plan.Model.Layers); !slices.Equal(got, c.counts) {
				t.Errorf("Megatron would build %v, planc compiled %v", got, c.counts)
			}
		})
	}
}

// TestTitanCLIPartition: layers_per_stage with the first/last stages'
// missing layers reproduces even and first/last-light partitions, and
// nothing else is claimed.
func TestTitanCLIPartition(t *testing.T) {
	cases := []struct {
		counts []int
		ok     bool
	}{
		{[]int{2, 2, 2, 2}, true},
		{[]int{1, 3, 3, 2}, true},
		{[]int{3, 1}, true},
		{[]int{3, 3, 4}, false}, // the last stage heavier: no less_layers for that
		{[]int{2, 3, 2, 2}, false},
	}
	for _, c := range cases {
		a := &args{}
		ok := titanCLIPartition(a, c.counts)
		if ok != c.ok {
			t.Errorf("%v: expressible = %v, want %v", c.counts, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		v := map[string]int{}
		for _, it := range a.items {
			v[it.flag], _ = strconv.Atoi(it.values[0])
		}
		per := v["--parallelism.pipeline_parallel_layers_per_stage"]
		first := per - v["--parallelism.pipeline_parallel_first_stage_less_layers"]
		last := per - v["--parallelism.pipeline_parallel_last_stage_less_layers"]
		if first != c.counts[0] || last != c.counts[len(c.counts)-1] {
			t.Errorf("%v: torchtitan would put %d and %d layers on the first and last stage", c.counts, first, last)
		}
	}
}

// TestMoEPatterns: Megatron's --moe-layer-freq and Megatron-DeepSpeed's
// interval and per-layer expert counts spell the model's MoE layers.
func TestMoEPatterns(t *testing.T) {
	cases := []struct {
		layers, first, every int
	}{
		{4, 0, 1}, {4, 1, 1}, {8, 0, 2}, {8, 1, 2}, {61, 3, 1}, {6, 0, 3},
	}
	for _, c := range cases {
		m := &ir.Model{Layers: c.layers, MoE: &ir.MoE{Experts: 8, FirstDense: c.first, Every: c.every}}
		want := moeLayers(m)
		// Megatron: evaluate the list expression as Python would.
		if got := evalFreq(t, moeLayerFreq(m)); !slices.Equal(got, want) {
			t.Errorf("%+v: --moe-layer-freq %s is %v, want %v", c, moeLayerFreq(m), got, want)
		}
		interval, perLayer := mdsExperts(m)
		var got []int
		for l := 1; l <= c.layers; l++ {
			// Megatron-DeepSpeed: experts on layers that are multiples of the
			// interval, counts from the list (one entry, or one per MoE layer).
			n := 1
			if l%interval == 0 {
				n = perLayer[0].(int)
				if len(perLayer) > 1 {
					n = perLayer[(l-1)/interval].(int)
				}
			}
			got = append(got, map[bool]int{true: 1, false: 0}[n > 1])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v: --expert-interval %d --num-experts %v gives %v, want %v", c, interval, perLayer, got, want)
		}
	}
}

// evalFreq evaluates the two forms moeLayerFreq writes: ([0]*a+[1]*b) and
// an explicit [x,y,...] list.
func evalFreq(t *testing.T, s string) []int {
	t.Helper()
	if m := regexp.MustCompile(`^\(\[0\]\*(\d+)\+\[1\]\*(\d+)\)$`).FindStringSubmatch(s); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		return append(make([]int, a), slices.Repeat([]int{1}, b)...)
	}
	var out []int
	for _, x := range strings.Split(strings.Trim(s, "[]"), ",") {
		n, err := strconv.Atoi(x)
		if err != nil {
			t.Fatalf("bad pattern %q", s)
		}
		out = append(out, n)
	}
	return out
}

// TestMegatronVocabDivisor: Megatron pads the vocabulary to a multiple of
// divisor·tp; the divisor chosen leaves the plan's vocabulary unpadded.
func TestMegatronVocabDivisor(t *testing.T) {
	for _, c := range []struct{ vocab, tp, want int }{
		{51200, 8, 0}, {50304, 1, 0}, {256, 4, 64}, {256, 2, 0}, {50304, 8, 16}, {102400, 8, 0},
	} {
		d, ok := megatronVocabDivisor(c.vocab, c.tp)
		if !ok || d != c.want {
			t.Errorf("vocab %d tp %d: divisor %d (%v), want %d", c.vocab, c.tp, d, ok, c.want)
		}
		pad := 128
		if d > 0 {
			pad = d
		}
		if c.vocab%(pad*c.tp) != 0 {
			t.Errorf("vocab %d tp %d: Megatron would pad it to a multiple of %d", c.vocab, c.tp, pad*c.tp)
		}
	}
	if _, ok := megatronVocabDivisor(100, 3); ok {
		t.Error("tp = 3 does not divide 100, yet a divisor was found")
	}
}

// TestCompiledPartitions compiles plans whose cost-balanced partition is
// uneven (a large vocabulary makes the head's stage heavy) and checks that
// Megatron would build exactly planc's stages from the flags, and that
// torchtitan's module lists name each stage's layers.
func TestCompiledPartitions(t *testing.T) {
	cases := [][]string{
		{"pp=4", "model.vocab=20000", "model.layers=8", "global_batch=8"},
		{"pp=2", "model.vocab=100000", "model.layers=8", "global_batch=8"},
		{"pp=2", "vpp=2", "schedule=interleaved", "model.vocab=100000", "model.layers=8", "global_batch=8"},
		{"pp=2", "vpp=2", "schedule=zb-v", "model.vocab=20000", "model.layers=8", "global_batch=8"},
		{"pp=4", "model.layers=8", "global_batch=8"},
	}
	uneven := 0
	for _, set := range cases {
		t.Run(strings.Join(set, ","), func(t *testing.T) {
			prog, diags := lang.Load([]string{"../../examples/tiny_gpt.plan"}, lang.Options{Overrides: set})
			if diags.HasErrors() {
				t.Fatal(ir.RenderAll(diags, prog.Sources))
			}
			u, diags := passes.Compile(prog, prog.Plan("tiny_gpt_serial"), passes.Options{})
			if diags.HasErrors() {
				t.Fatal(ir.RenderAll(diags, prog.Sources))
			}
			counts := layersPerStage(u)
			if !evenPartition(counts) {
				uneven++
			}
			a := &args{}
			megatronPartition(a, u)
			if got := decodeMegatron(t, a, u.Plan.PP, u.Plan.Model.Layers); !slices.Equal(got, counts) {
				t.Errorf("Megatron would build %v from %v, planc compiled %v", got, a.argv(), counts)
			}
			parts := titanModuleParts(u)
			for i, p := range parts {
				n := 0
				for _, name := range p {
					if strings.HasPrefix(name, "layers.") {
						n++
					}
				}
				if n != counts[i] {
					t.Errorf("torchtitan stage %d lists %d layers, planc's has %d", i, n, counts[i])
				}
			}
		})
	}
	if uneven == 0 {
		t.Error("no case compiled to an uneven partition; the test no longer covers the uneven paths")
	}
}
