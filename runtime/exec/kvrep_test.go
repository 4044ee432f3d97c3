package exec

import (
	"math"
	"strings"
	"testing"

	"planc/ir"
)

// TestReplicatedKVHeadsCheckpoint: under tp 4 tiny_llama's two key/value
// heads are each held by two tp ranks. After three steps the copies are
// bitwise equal on the ranks of each kv group (the checkpoint saves one of
// them), and the checkpoint's whole tensors (every parameter and AdamW
// moment, the qkv projections' key/value columns included) equal the
// serial run's; resumed under the serial plan and, from a serial
// checkpoint, under tp 4, training goes on as the serial run does.
func TestReplicatedKVHeadsCheckpoint(t *testing.T) {
	const steps = 3
	serialLoss, _ := train(t, plan(tinyLlama(), ""), 2*steps)
	half := func(opts string) *Trainer {
		tr, err := NewTrainer(Config{Plan: plan(tinyLlama(), opts), Steps: 2 * steps})
		if err != nil {
			t.Fatal(err)
		}
		stepsMatchSerial(t, tr, serialLoss, 0, steps, "tiny_llama "+opts)
		return tr
	}
	want := half("")
	for _, opts := range []string{"tp=4", "tp=4 dp=2 zero=1"} {
		tr := half(opts)
		copiesEqual(t, tr, opts)
		got := tr.Checkpoint()
		for name, w := range want.Checkpoint().Tensors {
			g := got.Tensors[name]
			top, worst := 0.0, 0.0
			for i := range w.Data {
				top = math.Max(top, math.Abs(float64(w.Data[i])))
				worst = math.Max(worst, math.Abs(float64(w.Data[i]-g.Data[i])))
			}
			if worst > 1e-4*top {
				t.Errorf("%s: checkpoint tensor %s differs from serial by %.3g (largest %.3g)", opts, name, worst, top)
			}
		}
		back, err := NewTrainer(Config{Plan: plan(tinyLlama(), ""), Steps: 2 * steps, Resume: got})
		if err != nil {
			t.Fatal(err)
		}
		stepsMatchSerial(t, back, serialLoss, steps, 2*steps, "tiny_llama serial resumed from "+opts)
	}
	into, err := NewTrainer(Config{Plan: plan(tinyLlama(), "tp=4"), Steps: 2 * steps, Resume: want.Checkpoint()})
	if err != nil {
		t.Fatal(err)
	}
	stepsMatchSerial(t, into, serialLoss, steps, 2*steps, "tiny_llama tp=4 resumed from serial")
}

// copiesEqual checks that the ranks of every kv group hold bitwise equal
// replicated key/value columns, parameters and (owned) moments alike.
func copiesEqual(t *testing.T, tr *Trainer, what string) {
	t.Helper()
	mesh := tr.sched.Mesh
	checked := 0
	for _, rk := range tr.ranks {
		kv := mesh.Group(ir.AxisKV, rk.id)
		if len(kv) < 2 || kv[0] == rk.id {
			continue
		}
		first := tr.ranks[kv[0]]
		for si, st := range rk.stages {
			st0 := first.stages[si]
			for _, sp := range st.specs {
				if !strings.HasSuffix(sp.Name, "attn.qkv.weight") {
					continue
				}
				rep, _ := sp.Replicated(tr.plan.TP)
				o, o0 := st.off[sp.Name], st0.off[sp.Name]
				for _, j := range rep {
					if a, b := st.p[o+int(j)], st0.p[o0+int(j)]; a != b {
						t.Fatalf("%s: %s local %d is %g on rank %d, %g on rank %d", what, sp.Name, j, a, rk.id, b, kv[0])
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatalf("%s: no replicated key/value columns held", what)
	}
}
