package exec

import (
	"fmt"
	"testing"

	"planc/ir"
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
