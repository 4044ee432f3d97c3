package exec

import (
	"fmt"
	"hash/fnv"

	"planc/ir"
	"planc/passes"
	"planc/runtime/tensor"
)

// paramSpec is one whole parameter of the model: an entry of the compiled
// unit's parameter table (built by package passes, see ir.ParamTable).
type paramSpec = ir.Param

// wholeInit returns parameter p generated whole from the run's seed.
func wholeInit(p *paramSpec, seed uint64) *tensor.Tensor {
	switch p.Init {
	case ir.InitZeros:
		return tensor.New(p.Shape...)
	case ir.InitOnes:
		t := tensor.New(p.Shape...)
		t.Fill(1)
		return t
	}
	return tensor.InitNormal(seed, p.Name, p.Std, p.Shape...)
}

// Fingerprint is a hash of a model's architecture (every field that shapes
// its parameters or its function), stored in checkpoints so that a
// checkpoint of another model is refused.
func Fingerprint(m *ir.Model) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s v%d s%d h%d l%d a%d f%d tie%v w%d d%d ffn%+v", m.Kind, m.Vocab, m.Seq, m.Hidden, m.Layers, m.Heads, ffnWidth(m), m.TieEmbeddings, m.Width, m.Depth, m.FFNKind)
	if m.MoE != nil {
		fmt.Fprintf(h, " moe%+v", *m.MoE)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// ffnWidth is the dense FFN width (0 in the model means 4·hidden).
func ffnWidth(m *ir.Model) int { return passes.FFNWidth(m) }
