package passes_test

import (
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestTPReplicatedGradsCountTheLatentNorms: under sequence parallelism
// every norm runs on the rank's own tokens, so its gain's gradient is a
// partial sum over tp and is all-reduced at the step: ln1, ln2 and ln_f,
// and MLA's latent norms (kv_norm, q_norm) and its replicated down
// projections (q_down, kv_down) too.
func TestTPReplicatedGradsCountTheLatentNorms(t *testing.T) {
	for _, c := range []struct {
		plan string
		sets []string
	}{
		{"tiny_mla_fullq_tp2", nil},                               // no query bottleneck: kv_norm only
		{"tiny_deepseek_ep", []string{"sp=true", "pp=1", "ep=1"}}, // q_norm and kv_norm
	} {
		prog, p := loadPlan(t, "passes/testdata/arch.plan", c.plan, c.sets...)
		u, diags := passes.Compile(prog, p, passes.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", c.plan, diags)
		}
		m := p.Model
		want := float64(m.Hidden) * float64(2*m.Layers+1) // ln1, ln2 per layer and ln_f (RMSNorm: gains only)
		if !m.NoBias {                                    // the biases added after a reduce-scatter: out_proj's and, in dense layers, fc2's
			for l := 0; l < m.Layers; l++ {
				want += float64(m.Hidden)
				if !m.IsMoELayer(l) {
					want += float64(m.Hidden)
				}
			}
		}
		// the latent norms' gains and the down projections (both act on
		// the rank's own rows under sp)
		x := m.MLA
		latent := float64(x.KVLoraRank + x.QLoraRank)
		down := float64(m.Hidden) * float64(x.QLoraRank+x.KVLoraRank+x.QKRopeHeadDim)
		want += (latent + down) * float64(m.Layers)
		var got float64
		for _, st := range u.Graph.Stages {
			for _, co := range st.Collectives {
				if strings.Contains(co.Name, "tp_replicated_grads") && co.Axis == ir.AxisTP {
					got += co.Bytes / float64(p.Precision.ElemBytes())
				}
			}
		}
		if got != want {
			t.Errorf("%s: tp-replicated gradients of %g elements all-reduced, want %g (norm gains, MLA's latent norms and down projections included)", c.plan, got, want)
		}
	}
}
