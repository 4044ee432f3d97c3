package exec

import (
	"fmt"
	"slices"

	"planc/ir"
	"planc/runtime/ckpt"
	"planc/runtime/collective"
	"planc/runtime/kernels"
	"planc/runtime/tensor"
)

// DeepSeek-V3's auxiliary-loss-free bias balancing (moe.bias_balance,
// docs/semantics.md): every MoE layer keeps a per-expert selection bias β,
// not a trained parameter, on every rank that holds the layer. Each rank
// counts the routed copies each expert received over its micro-batches
// (before capacity drops; under cp and ssmb the counts the route
// all-gathers are already the micro-batch's); after the optimizer step the
// counts meet over dp (one all-reduce of E floats per MoE layer of the
// stage) and β moves by BalanceBias. Checkpoints keep β as
// "h.L.moe.balance_bias", so a resumed run routes as the straight one.

// balanceName is the checkpoint tensor of the bias of the MoE layer whose
// parameters are named pre.
func balanceName(pre string) string { return pre + "balance_bias" }

// initBalance gives stage st of model m a zero bias and count for each
// MoE layer it holds, or checkpoint from's bias (when not nil).
func initBalance(m *ir.Model, st *stage, from *ckpt.Checkpoint) error {
	e := m.MoE
	if e == nil || !e.BiasBalance || m.Kind != ir.Transformer {
		return nil
	}
	st.bias, st.counts = map[string][]float32{}, map[string][]float64{}
	for l := st.info.FirstLayer; l < st.info.EndLayer; l++ {
		if !m.IsMoELayer(l) {
			continue
		}
		pre := fmt.Sprintf("h.%d.moe.", l)
		b := make([]float32, e.Experts)
		if from != nil {
			w := from.Tensors[balanceName(pre)]
			if w == nil || len(w.Data) != e.Experts {
				return fmt.Errorf("checkpoint has no %d-expert balancing bias %q", e.Experts, balanceName(pre))
			}
			copy(b, w.Data)
		}
		st.bias[pre], st.counts[pre] = b, make([]float64, e.Experts)
	}
	return nil
}

// countRoutes adds a micro-batch's routed copies per expert to the step's
// counts of the layer (when it balances).
func (st *stage) countRoutes(pre string, f []float64) {
	if c := st.counts[pre]; c != nil {
		for i, n := range f {
			c[i] += n
		}
	}
}

// balance sums the step's counts over dp and moves every bias of the
// rank's stages, then clears the counts.
func (r *rank) balance() error {
	for _, si := range r.stageOrder() {
		st := r.stages[si]
		keys := st.balanceKeys()
		if len(keys) == 0 {
			continue
		}
		E := r.m.MoE.Experts
		buf := make([]float32, 0, len(keys)*E)
		for _, k := range keys {
			for _, n := range st.counts[k] {
				buf = append(buf, float32(n))
			}
		}
		r.on("dp")
		if g := toGroup(r.mesh.Group(ir.AxisDP, r.id)); len(g) > 1 {
			if err := r.comm.AllReduce(g, buf, collective.Sum); err != nil {
				return err
			}
		}
		for i, k := range keys {
			counts := make([]float64, E)
			for j := range counts {
				counts[j] = float64(buf[i*E+j])
			}
			kernels.BalanceBias(st.bias[k], counts, r.m.MoE.BiasRate)
			clear(st.counts[k])
		}
	}
	return nil
}

// balanceKeys are the stage's balanced layers' prefixes, in order.
func (st *stage) balanceKeys() []string {
	var keys []string
	for k := range st.bias {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// saveBalance adds the biases of every balanced layer to checkpoint c.
func (t *Trainer) saveBalance(c *ckpt.Checkpoint) {
	for _, rk := range t.ranks {
		for _, st := range rk.stages {
			for k, b := range st.bias {
				w := tensor.New(len(b))
				copy(w.Data, b)
				c.Tensors[balanceName(k)] = w
			}
		}
	}
}
