package passes_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// TestKVReplicatedGradsAllReducedOverKVGroups: tiny_llama (8 query heads,
// 2 key/value heads of width 8, hidden 64, 4 layers) at tp 4 holds each
// key/value head on two tp ranks. Each stage all-reduces its layers' k and
// v columns of qkv (2·8·64 elements per layer and rank) once per step over
// the kv groups [0 1] and [2 3]: the unit's step collective on the kv
// axis, its ALLREDUCE_KV schedule actions, the cost report's row (what
// explain prints), the traffic count and the analytic estimate all hold
// it; at tp 2 (heads split) there is none.
func TestKVReplicatedGradsAllReducedOverKVGroups(t *testing.T) {
	const perLayer = 2 * 8 * 64
	for _, sets := range [][]string{nil, {"sp=true"}, {"pp=2"}, {"dp=2", "zero=1"}, {"tp=2"}} {
		t.Run(fmt.Sprint(sets), func(t *testing.T) {
			prog, p := loadPlan(t, "passes/testdata/arch.plan", "tiny_llama_tp4", sets...)
			fitCPU(p)
			u, diags := passes.Compile(prog, p, passes.Options{VerifyEach: true})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			replicated := p.TP > p.Model.KVHeads
			elem := float64(p.Precision.ElemBytes())
			var elems float64
			for _, st := range u.Graph.Stages {
				want := 0.0
				if replicated {
					want = float64(perLayer * (st.LastLayer - st.FirstLayer))
				}
				got := 0.0
				for _, c := range st.Collectives {
					if c.Axis != ir.AxisKV {
						continue
					}
					if c.Kind != ir.AllReduce || c.Phase != ir.StepPhase || c.GroupSize != 2 || !strings.Contains(c.Name, "kv_replicated_grads") {
						t.Errorf("stage %d: %s", st.Index, c)
					}
					got += c.Bytes * float64(c.Calls()) / elem
				}
				if got != want {
					t.Errorf("stage %d: %g replicated key/value elements all-reduced over kv, want %g", st.Index, got, want)
				}
				elems += got
			}
			actions := 0
			sch := u.Schedule.Expand()
			for _, rp := range sch.Ranks {
				for _, a := range rp.Actions {
					if a.Kind != ir.ActAllReduceKV {
						continue
					}
					actions++
					if g := sch.GroupOf(a); !slices.Equal(toInts(g), u.Mesh.Group(ir.AxisKV, rp.Rank)) || len(g) != 2 {
						t.Errorf("rank %d: %s over %v", rp.Rank, sch.ActionString(a), g)
					}
				}
			}
			if want := p.WorldSize() * max(p.VPP, 1); !replicated && actions != 0 || replicated && actions != want {
				t.Errorf("%d ALLREDUCE_KV actions, want one per rank and stage held", actions)
			}
			var row *ir.CommSummary
			for i, c := range u.Cost.Comm {
				if c.Axis == ir.AxisKV {
					row = &u.Cost.Comm[i]
				}
			}
			if replicated != (row != nil) {
				t.Fatalf("cost report's kv row: %+v", row)
			}
			if row != nil && (row.Bytes <= 0 || row.Time <= 0 || row.GroupSize != 2) {
				t.Errorf("cost report's kv row %+v", *row)
			}
			// a ring all-reduce over two ranks: each sends its buffer once
			traffic := passes.PredictedBytes(u).ByAxis[ir.AxisKV].Total()
			if want := elems * elem * float64(p.TP*p.DP*p.CP); traffic != want {
				t.Errorf("traffic over kv %g bytes, want %g", traffic, want)
			}
			e, ds := passes.Estimate(p)
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if !near(e.StepTime, u.Cost.StepTime) || !near(e.Cost.CommBytes[ir.AllReduce], u.Cost.CommBytes[ir.AllReduce]) {
				t.Errorf("Estimate step %g, all-reduce bytes %g; Compile %g, %g", e.StepTime, e.Cost.CommBytes[ir.AllReduce], u.Cost.StepTime, u.Cost.CommBytes[ir.AllReduce])
			}
		})
	}
}

func toInts(g []int32) []int {
	out := make([]int, len(g))
	for i, x := range g {
		out[i] = int(x)
	}
	return out
}
