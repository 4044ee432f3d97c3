package exec

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"planc/ir"
	"planc/runtime/tensor"
)

// zeroPlan is a tiny model on the cpu cluster in fp32, %s its name.
const zeroPlan = `
import "hw/cpu"
import "models/tiny"
import "models/tiny_arch"

plan z {
  model        = %s
  cluster      = cpu
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
}
`

// TestZeroBytesMatchCostModel: ZeRO 1, 2 and 3 on tiny_gpt (tied
// embedding), tiny_llama (untied head) and tiny_deepseek (MLA, routed
// experts sharded over the expert-data-parallel group under ep), alone and
// with pp, cp, tp and ep around them, over two and four micro-batches per
// step: the runtime's bytes per step equal the cost model's prediction.
// Under ZeRO-3 that is, per micro-batch, every stage's parameters gathered
// before its forward and again before its backward, and the gradients
// reduce-scattered (docs/semantics.md, "ZeRO").
func TestZeroBytesMatchCostModel(t *testing.T) {
	for _, model := range []string{"tiny_gpt", "tiny_llama", "tiny_deepseek"} {
		for _, sets := range [][]string{
			{"dp=2", "zero=1"},
			{"dp=2", "zero=2"},
			{"dp=2", "zero=3"},
			{"dp=2", "zero=3", "micro_batch=1"},
			{"dp=2", "zero=3", "pp=2"},
			{"dp=2", "zero=3", "pp=2", "schedule=zb-h1"},
			{"dp=2", "zero=3", "pp=2", "vpp=2", "schedule=zb-v"},
			{"dp=2", "zero=3", "tp=2"},
			{"dp=2", "zero=3", "cp=2", "cp_mode=ring"},
		} {
			t.Run(fmt.Sprint(model, sets), func(t *testing.T) { exactBytes(t, fmt.Sprintf(zeroPlan, model), "z", sets) })
		}
	}
	for _, sets := range [][]string{
		{"dp=2", "ep=2", "zero=3"},
		{"dp=4", "ep=2", "zero=3", "global_batch=16"},
		{"dp=2", "ep=2", "zero=3", "moe.dispatch=capacity"},
	} {
		t.Run(fmt.Sprint("tiny_deepseek", sets), func(t *testing.T) { exactBytes(t, fmt.Sprintf(zeroPlan, "tiny_deepseek"), "z", sets) })
	}
}

// TestZeroCostModelMovesWhatRuns: the analytic cost model, which times a
// step, charges each rank the ZeRO bytes that the rank's schedule moves:
// the parameter gathers and gradient reductions of rank 0 (its bytes per
// step by collective and group size) equal the cost model's per-rank
// bytes of the same collectives over the same groups: dense parameters
// over dp·cp, routed experts over the expert-data-parallel group.
func TestZeroCostModelMovesWhatRuns(t *testing.T) {
	for _, c := range []struct {
		model string
		sets  []string
	}{
		{"tiny_gpt", []string{"dp=2", "zero=1"}},
		{"tiny_gpt", []string{"dp=2", "zero=3"}},
		{"tiny_gpt", []string{"dp=2", "zero=3", "micro_batch=1"}},
		{"tiny_llama", []string{"dp=2", "zero=2"}},
		{"tiny_llama", []string{"dp=2", "zero=3", "cp=2", "cp_mode=ring"}},
		{"tiny_llama", []string{"dp=2", "zero=3", "tp=2"}},
		{"tiny_deepseek", []string{"dp=2", "ep=2", "zero=3"}},
		{"tiny_deepseek", []string{"dp=4", "ep=2", "zero=3", "global_batch=16"}},
		{"tiny_deepseek", []string{"dp=4", "ep=2", "zero=1", "global_batch=16"}},
	} {
		t.Run(fmt.Sprint(c.model, c.sets), func(t *testing.T) {
			_, u := compiled(t, fmt.Sprintf(zeroPlan, c.model), "z", c.sets...)
			type key struct {
				kind ir.CollKind
				size int
			}
			want := map[key]float64{}
			for _, a := range u.Schedule.Ranks[0].Actions {
				if a.Kind == ir.ActAllGatherParams || a.Kind == ir.ActReduceGrad {
					want[key{a.Coll, len(u.Schedule.GroupOf(a))}] += float64(a.Bytes)
				}
			}
			got := map[key]float64{}
			for _, s := range u.Cost.Comm {
				if s.Axis == ir.AxisDP || s.Axis == ir.AxisDPCP || s.Axis == ir.AxisEDP {
					got[key{s.Kind, s.GroupSize}] += s.Bytes
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("cost model's ZeRO bytes per rank %v, rank 0's schedule moves %v", got, want)
			}
		})
	}
}

// TestZero3MatchesSerial: ZeRO-3 reduce-scatters every micro-batch's
// gradients (up to four per step here) and the runtime accumulates the
// shards (reduceGrad); the losses of 10 steps equal serial's (first step
// 1e-6, all 1e-4 relative) and so do the first AdamW moments after one
// step, which see each reduced gradient directly. The cases cover the
// tied embedding split over pipeline stages (its bucket reduced once, after
// ALLREDUCE_TIED), split backward (zb-h1, zb-v: W completes a
// micro-batch), the tp sums after the reductions (sp's sequence partials,
// replicated kv heads), cp alone (the data ranks are the cp ranks) and
// routed experts sharded over edp.
func TestZero3MatchesSerial(t *testing.T) {
	for _, c := range []struct {
		model      func() *ir.Model
		base, opts string
	}{
		{tinyGPT, "mb=1", "dp=2 zero=3"},
		{tinyGPT, "", "dp=2 pp=2 zero=3"},
		{tinyGPT, "mb=1", "dp=2 pp=2 schedule=zb-h1 zero=3"},
		{tinyGPT, "", "dp=2 pp=2 vpp=2 schedule=zb-v zero=3"},
		{tinyGPT, "", "cp=2 cp_mode=ring zero=3"},
		{tinyGPT, "", "dp=2 tp=2 sp=true zero=3"},
		{tinyLlama, "mb=1", "dp=2 zero=3"},
		{tinyLlama, "", "dp=2 cp=2 cp_mode=ring zero=3"},
		{tinyLlama, "", "dp=2 tp=4 zero=3"}, // kv heads replicated: ALLREDUCE_KV after the reductions
		{tinyDeepSeek, "mb=1", "dp=2 ep=2 zero=3"},
		{tinyMoE, "mb=1", "dp=4 ep=2 zero=3"},
	} {
		t.Run(c.model().Name+" "+c.base+" "+c.opts, func(t *testing.T) {
			want, _ := train(t, plan(c.model(), c.base), 10)
			got, _ := train(t, plan(c.model(), c.base+" "+c.opts), 10)
			if d := relDiff(got[0], want[0]); d > 1e-6 {
				t.Errorf("first-step loss %.9g, serial %.9g (rel %.2g > 1e-6)", got[0], want[0], d)
			}
			for i := range got {
				if d := relDiff(got[i], want[i]); d > 1e-4 {
					t.Errorf("step %d loss %.9g, serial %.9g (rel %.2g > 1e-4)", i, got[i], want[i], d)
				}
			}
			_, s1 := train(t, plan(c.model(), c.base), 1)
			_, p1 := train(t, plan(c.model(), c.base+" "+c.opts), 1)
			sameMoments(t, s1.Checkpoint().Tensors, p1.Checkpoint().Tensors)
		})
	}
}

// sameMoments requires every first AdamW moment of got ("optim.m.*") to
// equal want's within 1e-4 of the tensor's largest element.
func sameMoments(t *testing.T, want, got map[string]*tensor.Tensor) {
	t.Helper()
	for name, w := range want {
		if !strings.HasPrefix(name, "optim.m.") {
			continue
		}
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: missing", name)
			continue
		}
		worst, at, top := 0.0, 0, 0.0
		for i := range w.Data {
			top = math.Max(top, math.Abs(float64(w.Data[i])))
			if d := math.Abs(float64(w.Data[i] - g.Data[i])); d > worst {
				worst, at = d, i
			}
		}
		if worst > 1e-4*top {
			t.Errorf("%s[%d] is %.6g, serial %.6g (largest %.3g)", name, at, g.Data[at], w.Data[at], top)
		}
	}
}
