package passes

import (
	"testing"

	"planc/ir"
)

// TestMLALatentEdgeIsConverted: the latent kv_norm reads is part of
// kv_down's output (the program pass splits it off), so the collectives
// pass treats kv_down as its producer. Under the sharding rules the two
// agree (both on the rank's own rows under sp), so nothing converts it;
// when the norm's input is made whole over tp the edge gets its all-gather,
// sized by the latent's kv_lora_rank columns, not by kv_down's output with
// the rotary key's.
func TestMLALatentEdgeIsConverted(t *testing.T) {
	prog, p := loadInternal(t, "passes/testdata/arch.plan", "tiny_mla_fullq_tp2") // tp 2, sp
	st := &State{Prog: prog, Plan: clonePlan(p)}
	st.Unit = &ir.Unit{Program: prog, Plan: st.Plan}
	for _, ps := range Passes {
		if ps.Name == "collectives" {
			break
		}
		ps.Fn(st)
	}
	if st.Diags.HasErrors() {
		t.Fatal(st.Diags)
	}
	latentReads := func() []*ir.Collective {
		insertCollectives(st)
		var out []*ir.Collective
		for _, c := range st.layerColls[0] {
			if c.Tensor == layerTensor(0, mlaKVLatent) {
				out = append(out, c)
			}
		}
		return out
	}
	if got := latentReads(); len(got) != 0 {
		t.Fatalf("the latent's layouts agree under sp, yet the pass converts it: %v", got[0].Name)
	}
	var norm *ir.Op
	for _, o := range st.layers[0] {
		if o.Name == "l0.kv_norm" {
			norm = o
		}
	}
	if norm == nil {
		t.Fatal("layer 0 has no kv_norm")
	}
	sh := newSharder(st.Plan)
	sh.lay(&norm.Inputs[0], repLayout) // whole over tp: the edge must gather
	got := latentReads()
	if len(got) != 1 || got[0].Kind != ir.AllGather || got[0].Phase != ir.Forward || got[0].Reader != norm.Name {
		t.Fatalf("kv_down → kv_norm with the norm reading whole rows: %d collectives on the latent, want kv_norm's forward all-gather", len(got))
	}
	m, pl := st.Plan.Model, st.Plan
	want := float64(pl.MicroBatch*m.Seq*m.MLA.KVLoraRank) * 4 // fp32, the whole latent
	if got[0].Bytes != want {
		t.Errorf("the latent's all-gather moves %g bytes, want %g (kv_lora_rank columns, not kv_down's %d)", got[0].Bytes, want, m.MLA.KVLoraRank+m.MLA.QKRopeHeadDim)
	}
}
