package exec

import (
	"fmt"

	"planc/ir"
)

// checkExecutable reports the first op of u's programs that this runtime
// has no kernel for: an op kind registered (with its Go and LLVM kernels)
// but not yet bound here, so that the runtime never trains a program other
// than the compiled one. The ops a fused group's kernel computes (the
// program's Fused lists) run inside it.
func checkExecutable(u *ir.Unit) error {
	if len(u.Programs) != len(u.Graph.Stages) {
		return fmt.Errorf("plan %s: the compiled unit has %d stage programs for %d stages", u.Plan.Name, len(u.Programs), len(u.Graph.Stages))
	}
	for _, p := range u.Programs {
		if errs := p.Verify(); len(errs) > 0 {
			return fmt.Errorf("plan %s: internal error: %v", u.Plan.Name, errs[0])
		}
		for _, in := range p.Instrs {
			if in.Kind != ir.InstrOp {
				continue
			}
			if _, ok := kernelOf(in.Op.Kind); !ok {
				return fmt.Errorf("plan %s: op %s of stage %d is a %s, which the runtime does not execute yet (no kernel of runtime/exec is bound to it)", u.Plan.Name, in.Op.Name, p.Stage, in.Op.Kind)
			}
		}
	}
	return nil
}
