package passes_test

import (
	"strings"
	"testing"

	"planc/passes"
)

// TestMLAProgramUnderTP pins the program of one MLA layer under tp 2,
// with and without sp, with and without the query bottleneck: every
// layout conversion and every collective the attention kernel issues,
// so that one missing or doubled fails here before any training run.
// Under sp the down projections and latent norms work on the rank's own
// rows (Megatron-Core's layout): nothing converts ln1 for them or the
// latent for its norm, the normalized latents are gathered for the up
// projections, and attention gathers the shared rotary key's rows and
// reduce-scatters its gradient. Without sp that gradient is all-reduced;
// without a query bottleneck kv_down reads ln1 itself, not the query
// projection's conversion (whose backward all-reduce would count
// kv_down's complete share of ln1's gradient twice).
func TestMLAProgramUnderTP(t *testing.T) {
	for _, c := range []struct {
		plan, sets string
		want       []string
	}{
		{"tiny_deepseek_ep", "sp=true pp=1 ep=1 dp=1", []string{
			"l1.q_down = mla_down(l1.ln1)",
			"l1.q_norm = rmsnorm(l1.q_down)",
			"l1.q_norm@l1.q_up = convert(l1.q_norm) rows fwd all-gather tp(2) l1.q_norm.ag.tp; bwd reduce-scatter tp(2) l1.q_up.rs.tp.bwd; re-gather all-gather tp(2) l1.q_up.ag.tp.bwd",
			"l1.q_up = mla_up(l1.q_norm@l1.q_up)",
			"l1.kv_latent, l1.k_rope = mla_down(l1.ln1)",
			"l1.kv_norm = rmsnorm(l1.kv_latent)",
			"l1.kv_norm@l1.kv_up = convert(l1.kv_norm) rows fwd all-gather tp(2) l1.kv_norm.ag.tp; bwd reduce-scatter tp(2) l1.kv_up.rs.tp.bwd; re-gather all-gather tp(2) l1.kv_up.ag.tp.bwd",
			"l1.kv_up = mla_up(l1.kv_norm@l1.kv_up)",
			"l1.ctx = attn_scores(l1.q_up, l1.kv_up, l1.k_rope) +softmax +attn_dropout +attn_values [fwd all-gather tp(2) k_rope] [bwd reduce-scatter tp(2) dk_rope]",
		}},
		{"tiny_deepseek_ep", "sp=false pp=1 ep=1 dp=1", []string{
			"l1.q_down = mla_down(l1.ln1)",
			"l1.q_norm = rmsnorm(l1.q_down)",
			"l1.q_norm@l1.q_up = convert(l1.q_norm) rows fwd identity; bwd all-reduce tp(2) l1.q_up.ar.tp.bwd",
			"l1.q_up = mla_up(l1.q_norm@l1.q_up)",
			"l1.kv_latent, l1.k_rope = mla_down(l1.ln1)",
			"l1.kv_norm = rmsnorm(l1.kv_latent)",
			"l1.kv_norm@l1.kv_up = convert(l1.kv_norm) rows fwd identity; bwd all-reduce tp(2) l1.kv_up.ar.tp.bwd",
			"l1.kv_up = mla_up(l1.kv_norm@l1.kv_up)",
			"l1.ctx = attn_scores(l1.q_up, l1.kv_up, l1.k_rope) +softmax +attn_dropout +attn_values [bwd all-reduce tp(2) dk_rope]",
		}},
		{"tiny_mla_fullq_tp2", "sp=true", []string{
			"l1.ln1@l1.q = convert(l1.ln1) rows fwd all-gather tp(2) l1.ln1.ag.tp; bwd reduce-scatter tp(2) l1.q.rs.tp.bwd; re-gather all-gather tp(2) l1.q.ag.tp.bwd",
			"l1.q = mla_up(l1.ln1@l1.q)",
			"l1.kv_latent, l1.k_rope = mla_down(l1.ln1)",
			"l1.kv_norm = rmsnorm(l1.kv_latent)",
			"l1.kv_norm@l1.kv_up = convert(l1.kv_norm) rows fwd all-gather tp(2) l1.kv_norm.ag.tp; bwd reduce-scatter tp(2) l1.kv_up.rs.tp.bwd; re-gather all-gather tp(2) l1.kv_up.ag.tp.bwd",
			"l1.kv_up = mla_up(l1.kv_norm@l1.kv_up)",
			"l1.ctx = attn_scores(l1.q, l1.kv_up, l1.k_rope) +softmax +attn_dropout +attn_values [fwd all-gather tp(2) k_rope] [bwd reduce-scatter tp(2) dk_rope]",
		}},
		{"tiny_mla_fullq_tp2", "sp=false", []string{
			"l1.ln1@l1.q = convert(l1.ln1) rows fwd identity; bwd all-reduce tp(2) l1.q.ar.tp.bwd",
			"l1.q = mla_up(l1.ln1@l1.q)",
			"l1.kv_latent, l1.k_rope = mla_down(l1.ln1)",
			"l1.kv_norm = rmsnorm(l1.kv_latent)",
			"l1.kv_norm@l1.kv_up = convert(l1.kv_norm) rows fwd identity; bwd all-reduce tp(2) l1.kv_up.ar.tp.bwd",
			"l1.kv_up = mla_up(l1.kv_norm@l1.kv_up)",
			"l1.ctx = attn_scores(l1.q, l1.kv_up, l1.k_rope) +softmax +attn_dropout +attn_values [bwd all-reduce tp(2) dk_rope]",
		}},
	} {
		prog, p := loadPlan(t, "passes/testdata/arch.plan", c.plan, strings.Fields(c.sets)...)
		u, ds := passes.Compile(prog, p, passes.Options{})
		if ds.HasErrors() {
			t.Fatalf("%s %s: %v", c.plan, c.sets, ds)
		}
		var got []string
		inAttention := false // from layer 1's ln1 to its attention
		for _, in := range u.Programs[0].Instrs {
			line := in.String()
			if strings.HasPrefix(line, "l1.ln1 = ") {
				inAttention = true
				continue
			}
			if !inAttention {
				continue
			}
			if i := strings.Index(line, " params "); i > 0 && !strings.Contains(line, "[") {
				line = line[:i] // the parameters are the table's business
			}
			got = append(got, line)
			if strings.HasPrefix(line, "l1.ctx = ") {
				break
			}
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s %s: layer 1's attention lowers to\n\t%s\nwant\n\t%s", c.plan, c.sets, strings.Join(got, "\n\t"), strings.Join(c.want, "\n\t"))
		}
	}
}
