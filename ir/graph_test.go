package ir

import (
	"bytes"
	"strings"
	"testing"
)

// tinyUnit builds by hand a one-stage, one-layer unit on tp = 2: a
// column-parallel GEMM, a row-parallel GEMM whose partial output is
// all-reduced over tp.
func tinyUnit() *Unit {
	m := &Model{Name: "m", Kind: Transformer, Layers: 1, Hidden: 8, Heads: 2, Seq: 4, Vocab: 16}
	p := &Plan{Name: "p", Model: m, Cluster: &Cluster{Name: "c", Node: &Node{Device: &Device{Name: "d"}}}, DP: 1, TP: 2, PP: 1, CP: 1, EP: 1, VPP: 1}
	split := func(sym string, size int) Extent { return Extent{Sym: sym, Size: size, Axis: AxisTP, Parts: 2} }
	whole := func(sym string, size int) Extent { return Extent{Sym: sym, Size: size} }
	x := Tensor{Name: "x", Elem: 2, Shape: []Extent{whole("b", 1), whole("s", 4), whole("h", 8)}}
	hid := Tensor{Name: "y", Elem: 2, Shape: []Extent{whole("b", 1), whole("s", 4), split("f", 16)}}
	out := Tensor{Name: "z", Elem: 2, Shape: []Extent{whole("b", 1), whole("s", 4), whole("h", 8)}, Partial: []Axis{AxisTP}}
	w1 := Tensor{Name: "w1", Elem: 2, Shape: []Extent{whole("h", 8), split("f", 16)}}
	w2 := Tensor{Name: "w2", Elem: 2, Shape: []Extent{split("f", 16), whole("h", 8)}}
	fc1 := &Op{Name: "l0.fc1", Kind: OpFC1, Class: Matmul, Layer: 0, Inputs: []Tensor{x}, Output: hid, Weight: &w1, M: 4, N: 8, K: 8, FwdFLOPs: 2 * 4 * 8 * 8}
	fc2 := &Op{Name: "l0.fc2", Kind: OpFC2, Class: Matmul, Layer: 0, Inputs: []Tensor{hid}, Output: out, Weight: &w2, M: 4, N: 8, K: 8, FwdFLOPs: 2 * 4 * 8 * 8}
	ar := &Collective{Name: "l0.fc2.ar", Kind: AllReduce, Axis: AxisTP, GroupSize: 2, Bytes: out.Elements() * 2, Phase: Forward, After: "l0.fc2", Layer: 0, Overlap: Critical}
	st := &Stage{Index: 0, PPRank: 0, Chunk: 0, FirstLayer: 0, LastLayer: 1, Ops: []*Op{fc1, fc2}, Collectives: []*Collective{ar}}
	return &Unit{Plan: p, Mesh: NewMesh(p), Graph: Graph{Stages: []*Stage{st}}}
}

func TestVerifyAcceptsConsistentGraph(t *testing.T) {
	if errs := tinyUnit().Verify(); len(errs) > 0 {
		t.Fatalf("consistent graph rejected: %v", errs)
	}
}

// TestVerifyCatches breaks the tiny unit in one way at a time; the
// verifier must name each problem.
func TestVerifyCatches(t *testing.T) {
	for _, c := range []struct {
		name   string
		break_ func(u *Unit)
		want   string
	}{
		{"parts differ from the degree", func(u *Unit) { u.Graph.Stages[0].Ops[0].Weight.Shape[1].Parts = 4 }, "split 4 ways by tp, whose degree is 2"},
		{"dimension does not divide", func(u *Unit) {
			u.Graph.Stages[0].Ops[0].Output.Shape[2].Size = 15
		}, "does not divide"},
		{"GEMM K differs from the weight", func(u *Unit) { u.Graph.Stages[0].Ops[1].K = 16; u.Graph.Stages[0].Ops[1].FwdFLOPs = 2 * 4 * 8 * 16 }, "GEMM K is 16"},
		{"FLOPs differ from the shape", func(u *Unit) { u.Graph.Stages[0].Ops[0].FwdFLOPs = 1 }, "forward FLOPs"},
		{"group size", func(u *Unit) { u.Graph.Stages[0].Collectives[0].GroupSize = 4 }, "group size 4"},
		{"unknown axis", func(u *Unit) { u.Graph.Stages[0].Collectives[0].Axis = "xp" }, "unknown axis"},
		{"unknown op", func(u *Unit) { u.Graph.Stages[0].Collectives[0].After = "l0.fc3" }, "follows unknown op"},
		{"no bytes", func(u *Unit) { u.Graph.Stages[0].Collectives[0].Bytes = 0 }, "0 bytes"},
		{"layers do not cover the model", func(u *Unit) { u.Graph.Stages[0].LastLayer = 0; u.Graph.Stages[0].Ops = nil }, "the model has 1"},
		{"partial over a trivial axis", func(u *Unit) { u.Graph.Stages[0].Ops[1].Output.Partial = []Axis{AxisDP} }, "partial over axis dp"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := tinyUnit()
			c.break_(u)
			errs := u.Verify()
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
				t.Errorf("verifier said %q, want a problem containing %q", msgs, c.want)
			}
		})
	}
}

func TestPrintUnit(t *testing.T) {
	var b bytes.Buffer
	u := tinyUnit()
	u.Plan.Precision, u.Plan.Schedule, u.Plan.Recompute, u.Plan.CPMode = "bf16", "1f1b", "none", "ring"
	u.Print(&b)
	for _, want := range []string{
		"mesh tp=2 cp=1 dp=1 pp=1 = 2 ranks",
		"tp   1 groups of 2: [0 1]",
		"l0.fc1         y[b=1, s=4, f=16/tp] = fc1(x[b=1, s=4, h=8]; w w1[h=8, f=16/tp]) gemm 4x8x8",
		"coll l0.fc2.ar all-reduce tp(2) 64 B fwd after l0.fc2 critical",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("printed unit lacks %q:\n%s", want, b.String())
		}
	}
}
