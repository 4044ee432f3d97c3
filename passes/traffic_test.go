package passes_test

import (
	"math"
	"math/rand"
	"testing"

	"planc/ir"
	"planc/passes"
)

const rbdFile = "examples/rbd.plan"

// tinyMoEOver compiles tiny_moe over dp = ep = 8 ranks in nodes of
// perNode (examples/rbd.plan), with or without rbd.
func tinyMoEOver(t *testing.T, perNode int, rbd bool) *ir.Unit {
	t.Helper()
	prog, p := loadPlan(t, rbdFile, "rbd_tiny_moe_4nodes")
	c := *p.Cluster
	c.PerNode, c.Nodes = perNode, 8/perNode
	p.Cluster = &c
	p.MoE.RBD = rbd
	u, ds := passes.Compile(prog, p, passes.Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return u
}

// TestPredictedBytesDataParallel: a dp = 2 fp32 plan moves 2(p−1)·Ψ·4
// bytes per step over all ranks (each member of a ring all-reduce of n
// elements sends 2n − c_i − c_{i+1}), all intra-node on one node and all
// inter-node with one rank per node.
func TestPredictedBytesDataParallel(t *testing.T) {
	for _, perNode := range []int{2, 1} {
		prog, p := loadPlan(t, gptFile, "tiny_gpt_serial")
		p.DP, p.GlobalBatch = 2, 2*p.MicroBatch*p.MicroBatches()
		c := *p.Cluster
		c.PerNode, c.Nodes = perNode, 2/perNode
		p.Cluster = &c
		u, ds := passes.Compile(prog, p, passes.Options{})
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		// Ψ by the GPT count of docs/cost-model.md, 12·l·h²(1 + 13/(12h) + (V+s)/(12·l·h))
		// (tied embeddings, learned positions) plus the final LayerNorm's
		// 2h, which that formula leaves out.
		m := u.Plan.Model
		l, h, V, s := float64(m.Layers), float64(m.Hidden), float64(m.Vocab), float64(m.Seq)
		psi := 12*l*h*h*(1+13/(12*h)+(V+s)/(12*l*h)) + 2*h
		if m.FFN != 4*m.Hidden || !m.TieEmbeddings {
			t.Fatalf("tiny_gpt changed (ffn %d, tied %v): the closed form needs ffn = 4h and tied embeddings", m.FFN, m.TieEmbeddings)
		}
		if pc := u.Memory.WorstRank().ParamCount; math.Abs(pc-psi) > 0.5 {
			t.Errorf("per_node %d: %g parameters per rank, closed form %g", perNode, pc, psi)
		}
		want := 2 * (2 - 1) * psi * 4
		got := passes.PredictedBytes(u)
		level := got.Total.IntraNode
		if perNode == 1 {
			level = got.Total.InterNode
		}
		if level != want || got.Total.Total() != want {
			t.Errorf("per_node %d: predicted %+v, want %g bytes (Ψ = %g) on one level", perNode, got.Total, want, psi)
		}
	}
}

// TestRoutedBytesByHand counts three tokens' exchanges by hand: tiny_moe
// (h = 64, fp32, 8 experts) over ep = 4 ranks in 2 nodes of 2, 2 experts
// per rank, 4 per node; with rbd, in runtime/exec's wire format (a one-word
// mask of the node's 4 experts, n weights forward and n probability
// gradients backward for n ≥ 2 experts, nothing more for one).
func TestRoutedBytesByHand(t *testing.T) {
	prog, p := loadPlan(t, rbdFile, "rbd_tiny_moe_4nodes")
	p.DP, p.EP, p.GlobalBatch = 4, 4, 8
	for _, rbd := range []bool{false, true} {
		q := *p
		q.MoE.RBD = rbd
		u, ds := passes.Compile(prog, &q, passes.Options{})
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		const h = 64
		// rank 0 (node 0): token 0 to experts 2 and 3 (rank 1, node 0),
		// token 1 to experts 4 and 6 (ranks 2 and 3, node 1), token 2 to
		// experts 0 (its own) and 5 (rank 2, node 1)
		routes := []passes.Routing{{Rank: 0, Experts: [][]int{{2, 3}, {4, 6}, {0, 5}}}}
		got := passes.PredictedBytesRouted(u, routes).MoE
		var want passes.Traffic
		if !rbd {
			// 4h per copy (dispatch, return, and both again backward),
			// plus a 2-element header (per = 2 row counts) on the forward
			// and backward dispatch message to each of the three peers
			want.IntraNode = (2*4*h + 2*2) * 4
			want.InterNode = (3*4*h + 2*2*2) * 4
		} else {
			// one pilot copy per (token, node) other than the source's
			// own expert: 4h + 1 mask word + 2n elements for n = 2, 4h + 1
			// for n = 1 (combined at the source); the pilot forwards 4h+1
			// (id and vector) to each other owner of its node (token 1's
			// expert 6 on rank 3)
			want.IntraNode = (4*h+1+2*2)*4 + (4*h+1)*4
			want.InterNode = (4*h+1+2*2)*4 + (4*h+1)*4
		}
		if got != want {
			t.Errorf("rbd=%v: %+v, want %+v", rbd, got, want)
		}
	}
}

// allSubsets returns every k-subset of 0..n-1.
func allSubsets(n, k int) [][]int {
	var out [][]int
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) == k {
			out = append(out, append([]int(nil), cur...))
			return
		}
		for i := start; i < n; i++ {
			rec(i+1, append(cur, i))
		}
	}
	rec(0, nil)
	return out
}

// TestExpectedMoEIsTheMeanOverAllRoutings: the closed-form expectation of
// the MoE exchanges equals the exact count averaged over every k-subset of
// experts (each source routing one token to each subset), with and without
// rbd, over 2 and 4 nodes and one rank per node.
func TestExpectedMoEIsTheMeanOverAllRoutings(t *testing.T) {
	for _, perNode := range []int{4, 2, 1} {
		for _, rbd := range []bool{false, true} {
			u := tinyMoEOver(t, perNode, rbd)
			routes, scale := everyRouting(u)
			exp := passes.PredictedBytes(u).MoE
			all := passes.PredictedBytesRouted(u, routes).MoE
			// the non-rbd headers are per call, the rest per token
			var header passes.Traffic
			if !rbd {
				noTokens := make([]passes.Routing, len(routes))
				for i := range routes {
					noTokens[i] = passes.Routing{Rank: routes[i].Rank}
				}
				header = passes.PredictedBytesRouted(u, noTokens).MoE
			}
			for _, lv := range []struct {
				name           string
				exp, all, head float64
			}{{"intra", exp.IntraNode, all.IntraNode, header.IntraNode}, {"inter", exp.InterNode, all.InterNode, header.InterNode}} {
				want := (lv.all-lv.head)*scale + lv.head
				if math.Abs(lv.exp-want) > 1e-9*math.Max(want, 1) {
					t.Errorf("per_node %d rbd %v %s-node: expectation %.6g, mean over all routings %.6g", perNode, rbd, lv.name, lv.exp, want)
				}
			}
		}
	}
}

// everyRouting returns routes for one call per (rank, MoE layer,
// micro-batch) in which each source routes one token to every k-subset of
// the experts, and the factor that scales their per-token bytes to the
// micro-batch's T tokens: the exact counterpart of uniform routing.
func everyRouting(u *ir.Unit) ([]passes.Routing, float64) {
	m := u.Plan.Model
	subsets := allSubsets(m.MoE.Experts, m.MoE.TopK)
	moeLayers := 0
	for l := 0; l < m.Layers; l++ {
		if m.IsMoELayer(l) {
			moeLayers++
		}
	}
	var routes []passes.Routing
	for r := 0; r < u.Mesh.Size(); r++ {
		for c := 0; c < moeLayers*u.Plan.MicroBatches(); c++ {
			routes = append(routes, passes.Routing{Rank: r, Experts: subsets})
		}
	}
	return routes, float64(u.Plan.MicroBatch*m.Seq) / float64(len(subsets))
}

// TestExpectedMoENearRandomRouting: tiny_moe's routings drawn uniformly at
// random (as its near-uniform router at initialization routes) move within
// 3% of the expectation between nodes.
func TestExpectedMoENearRandomRouting(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, perNode := range []int{4, 2, 1} {
		for _, rbd := range []bool{false, true} {
			u := tinyMoEOver(t, perNode, rbd)
			m := u.Plan.Model
			T := u.Plan.MicroBatch * m.Seq
			var routes []passes.Routing
			for r := 0; r < u.Mesh.Size(); r++ {
				for c := 0; c < 3*u.Plan.MicroBatches(); c++ {
					ex := make([][]int, T)
					for i := range ex {
						ex[i] = rng.Perm(m.MoE.Experts)[:m.MoE.TopK]
					}
					routes = append(routes, passes.Routing{Rank: r, Experts: ex})
				}
			}
			exp, got := passes.PredictedBytes(u).MoE, passes.PredictedBytesRouted(u, routes).MoE
			rel := got.InterNode/exp.InterNode - 1
			t.Logf("per_node %d rbd %v: inter-node %.0f expected, %.0f routed (%+.2f%%)", perNode, rbd, exp.InterNode, got.InterNode, 100*rel)
			if math.Abs(rel) > 0.03 {
				t.Errorf("per_node %d rbd %v: routed inter-node %.0f, expected %.0f", perNode, rbd, got.InterNode, exp.InterNode)
			}
		}
	}
}

// TestRBDSavingClosedForm: the expected pilots per token equal the count
// of distinct remote nodes averaged over every k-subset of experts.
func TestRBDSavingClosedForm(t *testing.T) {
	for _, perNode := range []int{4, 2, 1} {
		u := tinyMoEOver(t, perNode, true)
		m := u.Plan.Model
		E, k := m.MoE.Experts, m.MoE.TopK
		per := E / u.Plan.EP
		s := passes.ExpectedRBDSaving(u)
		nodeOf := func(e int) int { return (e / per) / perNode } // rank = member on this ep group
		var pilots, copies float64
		subsets := allSubsets(E, k)
		for _, sub := range subsets {
			seen := map[int]bool{}
			for _, e := range sub {
				if n := nodeOf(e); n != 0 {
					copies++
					seen[n] = true
				}
			}
			pilots += float64(len(seen))
		}
		pilots /= float64(len(subsets))
		copies /= float64(len(subsets))
		if math.Abs(s.PilotsInter-pilots) > 1e-12 || math.Abs(s.CopiesInter-copies) > 1e-12 {
			t.Errorf("per_node %d: closed form %g pilots / %g copies, enumeration %g / %g", perNode, s.PilotsInter, s.CopiesInter, pilots, copies)
		}
	}
}
