package exec

import (
	"slices"
	"strings"
	"testing"
)

// TestMoEProfileParts: under --profile the MoE block's parts (route,
// shared experts, dispatch, routed experts, combine, and under ep the
// exchanges) each have a row "router ▸ part" per direction, called once
// per block call as the block's own "router" row is, and together they
// take no more than the block.
func TestMoEProfileParts(t *testing.T) {
	for _, c := range []struct {
		opts  string
		parts []string
	}{
		{"", []string{moeRoute, moeShared, moeDispatch, moeExperts, moeCombine}},
		{"dp=2 ep=2", []string{moeRoute, moeShared, moeDispatch, moeExperts, moeCombine, moeExchange}},
	} {
		prof := NewInstrProfile()
		tr, err := NewTrainer(Config{Plan: plan(tinyMoE(), c.opts), Steps: 1, Profile: prof})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
		rows := map[[2]string]InstrRow{}
		for _, r := range prof.Rows() {
			rows[[2]string{r.What, r.Direction}] = r
		}
		for _, dir := range []string{"forward", "backward"} {
			block, ok := rows[[2]string{"router", dir}]
			if !ok || block.Calls == 0 {
				t.Fatalf("%q: no router %s row", c.opts, dir)
			}
			var sum float64
			for _, part := range c.parts {
				r, ok := rows[[2]string{part, dir}]
				calls := block.Calls
				if part == moeExchange {
					calls *= 2 // there and back
				}
				if !ok || r.Calls != calls {
					t.Errorf("%q: %s %s: %d calls, want %d", c.opts, part, dir, r.Calls, calls)
				}
				sum += r.Seconds
			}
			for k := range rows {
				if strings.HasPrefix(k[0], "router ▸") && k[1] == dir && !slices.Contains(c.parts, k[0]) {
					t.Errorf("%q: unexpected row %s %s", c.opts, k[0], dir)
				}
			}
			if sum > block.Seconds {
				t.Errorf("%q %s: the parts take %.6f s, the block %.6f s", c.opts, dir, sum, block.Seconds)
			}
		}
	}
}
