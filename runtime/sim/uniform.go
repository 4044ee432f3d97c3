package sim

import "planc/ir"

// Uniform is a cost model in which every virtual stage takes F, B and W
// seconds per micro-batch, the optimizer Opt, and communication nothing. It
// is what the closed-form bubbles of docs/cost-model.md assume. As with StageTable, a
// schedule that does not split the backward pays B + W for its B.
type Uniform struct{ F, B, W, Opt float64 }

// Compute implements Costs.
func (u Uniform) Compute(s *ir.Schedule, _ int, a ir.Action) (float64, float64) {
	switch a.Kind {
	case ir.ActF:
		return u.F, 0
	case ir.ActB:
		if !s.SplitBackward {
			return u.B + u.W, 0
		}
		return u.B, 0
	case ir.ActW:
		return u.W, 0
	case ir.ActOptimizer:
		return u.Opt, 0
	}
	return 0, 0
}

// Comm implements Costs.
func (u Uniform) Comm(*ir.Schedule, int, ir.Action) CommCost { return CommCost{} }

// TPInvariant reports that Uniform does not depend on the tp index.
func (u Uniform) TPInvariant() bool { return true }

// DPInvariant reports that Uniform does not depend on the dp index.
func (u Uniform) DPInvariant() bool { return true }
