package passes_test

import (
	"fmt"
	"math"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestRuntimeRBDExpectationIsTheMeanOverAllRoutings: the closed-form
// expectation of rbd's exchanges in the runtime's compact format
// (PredictedBytes) equals the exact count (PredictedBytesRouted) averaged
// over every k-subset of experts, each source routing one token to each
// subset: tiny_moe with 8 and 32 experts over ep = 8 on 2, 4 and 8 nodes
// (one expert per node is the case where every pilot copy carries one
// expert and no mask).
func TestRuntimeRBDExpectationIsTheMeanOverAllRoutings(t *testing.T) {
	for _, experts := range []int{8, 32} {
		for _, perNode := range []int{4, 2, 1} {
			t.Run(fmt.Sprintf("E%d_per_node%d", experts, perNode), func(t *testing.T) {
				prog, p := loadPlan(t, rbdFile, "rbd_tiny_moe_4nodes")
				c := *p.Cluster
				c.PerNode, c.Nodes = perNode, 8/perNode
				p.Cluster = &c
				mm := *p.Model
				moe := *mm.MoE
				moe.Experts = experts
				mm.MoE = &moe
				p.Model = &mm
				u, ds := passes.Compile(prog, p, passes.Options{})
				if ds.HasErrors() {
					t.Fatal(ds)
				}
				routes, scale := everyRouting(u)
				exp := passes.PredictedBytes(u).MoE
				all := passes.PredictedBytesRouted(u, routes).MoE
				for _, lv := range []struct {
					name      string
					exp, mean float64
				}{{"inter", exp.InterNode, all.InterNode * scale}, {"intra", exp.IntraNode, all.IntraNode * scale}} {
					if math.Abs(lv.exp-lv.mean) > 1e-9*math.Max(lv.mean, 1) {
						t.Errorf("%s-node: expectation %.6f, mean over all routings %.6f", lv.name, lv.exp, lv.mean)
					}
				}
				t.Logf("MoE bytes per step, uniform routing: inter-node %.0f, intra-node %.0f", exp.InterNode, exp.IntraNode)
			})
		}
	}
}

// TestRBDTimeUsesWireBytes: the time model sends over the nodes, under
// rbd, the share of the ep all-to-all's inter-node volume that the
// runtime's wire format leaves (1 − ExpectedRBDSaving's BytesSaving, which
// counts the pilot copies' masks, weights and probability gradients), not
// the bare share of pilot copies per copy: tiny_moe with 32 experts over ep
// = 8 on 2 and 4 nodes of the cpu cluster, where the inter-node term of
// the all-to-all dominates, so that its time less the per-call latency
// scales by exactly that share.
func TestRBDTimeUsesWireBytes(t *testing.T) {
	for _, perNode := range []int{4, 2} {
		t.Run(fmt.Sprintf("per_node%d", perNode), func(t *testing.T) {
			var bw [2]float64
			var saving passes.RBDSaving
			for i, rbd := range []bool{false, true} {
				prog, p := loadPlan(t, rbdFile, "rbd_tiny_moe_4nodes")
				c := *p.Cluster
				c.PerNode, c.Nodes = perNode, 8/perNode
				p.Cluster = &c
				mm := *p.Model
				moe := *mm.MoE
				moe.Experts = 32
				mm.MoE = &moe
				p.Model = &mm
				p.MoE.RBD = rbd
				u, ds := passes.Compile(prog, p, passes.Options{})
				if ds.HasErrors() {
					t.Fatal(ds)
				}
				found := false
				for _, s := range u.Cost.Comm {
					if s.Kind == ir.AllToAllV && s.Axis == ir.AxisEP {
						bw[i] = s.Time - s.Calls*float64(s.GroupSize-1)*u.Plan.Cluster.InterLatency
						found = true
					}
				}
				if !found {
					t.Fatalf("rbd=%v: no ep all-to-allv in the cost summary", rbd)
				}
				if rbd {
					saving = passes.ExpectedRBDSaving(u)
				}
			}
			got, want := bw[1]/bw[0], 1-saving.BytesSaving
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("rbd scales the ep all-to-all's bandwidth time by %.6f, want the wire format's inter-node byte share %.6f (pilot share %.6f)", got, want, 1-saving.Saving)
			}
			t.Logf("inter-node share under rbd: bytes (wire format) %.4f, pilot copies per copy %.4f", want, 1-saving.Saving)
		})
	}
}
