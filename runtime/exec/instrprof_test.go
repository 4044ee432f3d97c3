package exec

import (
	"testing"

	"planc/ir"
)

// TestInstrProfileCountsTheProgram: one step of tiny_gpt under tp = 2 with
// a profile records every instruction of the stage program once per
// micro-batch and rank, forward and backward, by its op kind (a
// conversion by its collective and axis), and the optimizer action once
// per rank; the times are positive.
func TestInstrProfileCountsTheProgram(t *testing.T) {
	p := plan(tinyGPT(), "tp=2")
	prof := NewInstrProfile()
	tr, err := NewTrainer(Config{Plan: p, Steps: 1, Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	ranks, mbs := int64(tr.Schedule().Mesh.Size()), int64(p.MicroBatches())
	want := map[[2]string]int64{}
	for _, prog := range tr.progs { // pp = 1: every rank runs every stage program
		for _, in := range prog.Instrs {
			want[[2]string{instrLabel(in, false), "forward"}] += ranks * mbs
			want[[2]string{instrLabel(in, true), "backward"}] += ranks * mbs
		}
	}
	want[[2]string{actionLabel(ir.ActOptimizer), "step"}] = ranks
	// the all-reduce rows count the conversions' collectives, each in the
	// direction it runs (Megatron's f and g are all-reduces one way only)
	var colls int64
	for _, prog := range tr.progs {
		for _, in := range prog.Instrs {
			if in.Kind == ir.InstrConvert && in.Fwd != nil {
				colls++
			}
			if in.Kind == ir.InstrConvert && in.Bwd != nil {
				colls++
			}
		}
	}
	if n := want[[2]string{"convert all-reduce/tp", "forward"}] + want[[2]string{"convert all-reduce/tp", "backward"}]; n != colls*ranks*mbs {
		t.Errorf("all-reduce conversions: %d calls, the program has %d per micro-batch and rank (%d)", n, colls, colls*ranks*mbs)
	}
	got := map[[2]string]int64{}
	for _, r := range prof.Rows() {
		got[[2]string{r.What, r.Direction}] = r.Calls
		if !(r.Seconds > 0) {
			t.Errorf("%s %s: %g s", r.What, r.Direction, r.Seconds)
		}
	}
	if _, ok := want[[2]string{"convert all-reduce/tp", "backward"}]; !ok {
		t.Fatalf("tp = 2 has no all-reduce conversion: %v", want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s %s: %d calls, want %d", k[0], k[1], got[k], n)
		}
	}
	prof.Reset()
	if len(prof.Rows()) != 0 {
		t.Errorf("rows after Reset: %v", prof.Rows())
	}
}

// TestPipeRowsSplitEachPipelineRank: under dp = 2, pp = 2 gpipe every
// pipeline rank has a row counting its two ranks, with forward and
// backward time, and its receives (the first stage receives gradients,
// the last activations: each waits in the pipeline's bubble); the
// forward, backward and receive times sum to no more than the ranks'
// steps.
func TestPipeRowsSplitEachPipelineRank(t *testing.T) {
	prof := NewInstrProfile()
	tr, err := NewTrainer(Config{Plan: plan(tinyGPT(), "dp=2 pp=2 schedule=gpipe"), Steps: 2, Profile: prof})
	if err != nil {
		t.Fatal(err)
	}
	var wall float64
	for i := 0; i < 2; i++ {
		r, err := tr.Step()
		if err != nil {
			t.Fatal(err)
		}
		wall += r.Elapsed.Seconds()
	}
	rows := prof.PipeRows()
	if len(rows) != 2 {
		t.Fatalf("%d pipeline rows, want 2: %+v", len(rows), rows)
	}
	for i, r := range rows {
		if r.PPRank != i || r.Ranks != 2 {
			t.Errorf("row %d: pipeline rank %d of %d ranks, want %d of 2", i, r.PPRank, r.Ranks, i)
		}
		if r.Forward <= 0 || r.Backward <= 0 || r.Receive <= 0 || r.Send <= 0 || r.Other <= 0 || r.Weight != 0 {
			t.Errorf("pipeline rank %d: %+v (forward, backward, receive, send and other positive; no weight without a split backward)", i, r)
		}
		if sum := r.Forward + r.Backward + r.Receive + r.Send + r.Other; sum > wall*float64(r.Ranks)*1.01 {
			t.Errorf("pipeline rank %d: %.4f rank-s of actions in %.4f s of steps on %d ranks", i, sum, wall, r.Ranks)
		}
	}
}
