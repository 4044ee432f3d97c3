package export

import (
	"slices"
	"testing"

	"planc/ir"
)

// TestDropoutReachesTheEngines: the model's dropout rate is what Megatron
// and Megatron-DeepSpeed are told for the hidden and attention dropout (0
// by default, as planc's runtime trains).
func TestDropoutReachesTheEngines(t *testing.T) {
	for _, rate := range []float64{0, 0.1} {
		m := &ir.Model{Name: "m", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 64, Layers: 2, Heads: 4, FFN: 256, TieEmbeddings: true, Dropout: rate}
		for name, build := range map[string]func(*args, *ir.Model, int, *warnings){"megatron": megatronModel, "megatron-deepspeed": mdsModel} {
			var a args
			var w warnings
			build(&a, m, 1, &w)
			argv := a.argv()
			for _, flag := range []string{"--attention-dropout", "--hidden-dropout"} {
				i := slices.Index(argv, flag)
				if i < 0 || i+1 >= len(argv) || argv[i+1] != formatValue(rate) {
					t.Errorf("%s, dropout %g: %s not set to it in %v", name, rate, flag, argv)
				}
			}
		}
	}
}
