package passes

import (
	"path/filepath"
	"strings"
	"testing"

	"planc/ir"
	"planc/lang"
)

// TestPassTableOrder: the static table satisfies its ordering constraints,
// and a table or constraint list that breaks one, repeats a name or names
// a pass the table does not hold is rejected.
func TestPassTableOrder(t *testing.T) {
	if err := checkOrder(Passes, passOrder); err != nil {
		t.Fatalf("the pass table: %v", err)
	}
	swapped := append([]Pass(nil), Passes...)
	for i, p := range swapped {
		if p.Name == "cost" {
			swapped[i], swapped[i-1] = swapped[i-1], swapped[i] // cost before memory
		}
	}
	for _, c := range []struct {
		name  string
		table []Pass
		order [][2]string
		want  string
	}{
		{"out of order", swapped, passOrder, `"memory" must run before "cost"`},
		{"unknown pass", Passes, append(append([][2]string{}, passOrder...), [2]string{"cost", "bogus"}), `names no pass "bogus"`},
		{"listed twice", append(append([]Pass{}, Passes...), Pass{Name: "mesh"}), passOrder, `"mesh" listed twice`},
	} {
		err := checkOrder(c.table, c.order)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %s", c.name, err, c.want)
		}
	}
}

// TestScheduleInTable: the schedule passes are entries of the static table
// (not registered by whichever package a binary imports), so every
// compilation builds and verifies the schedule.
func TestScheduleInTable(t *testing.T) {
	var names []string
	for _, p := range Passes {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); !strings.HasSuffix(got, "cost schedule verify-schedule") {
		t.Errorf("pass table %q does not end with the schedule passes", got)
	}
}

func loadInternal(t *testing.T, file, plan string, sets ...string) (*ir.Program, *ir.Plan) {
	t.Helper()
	prog, diags := lang.Load([]string{filepath.Join("..", file)}, lang.Options{Overrides: sets})
	if diags.HasErrors() {
		t.Fatalf("load %s: %v", file, diags)
	}
	return prog, prog.Plan(plan)
}

// TestVerifyEach: with VerifyEach the IR is verified after every pass, from
// the mesh on, and the example plans pass; a collective broken between
// collective insertion and pipeline partitioning (before any stage exists)
// is caught.
func TestVerifyEach(t *testing.T) {
	for _, c := range []struct {
		file, plan string
		sets       []string
	}{
		{"examples/tiny_gpt.plan", "tiny_gpt_serial", []string{"tp=2", "pp=2", "cp=2", "cp_mode=ulysses", "sp=true"}},
		{"examples/tiny_moe.plan", "tiny_moe_serial", []string{"dp=2", "ep=2", "pp=2"}},
		{"examples/calibration.plan", "cal_1t_selective", nil},
	} {
		prog, p := loadInternal(t, c.file, c.plan, c.sets...)
		if _, ds := Compile(prog, p, Options{VerifyEach: true}); ds.HasErrors() {
			t.Errorf("%s %v: %v", c.plan, c.sets, ds)
		}
	}
	prog, p := loadInternal(t, "examples/tiny_gpt.plan", "tiny_gpt_serial", "tp=2")
	st := &State{Prog: prog, Plan: clonePlan(p)}
	st.Unit = &ir.Unit{Program: prog, Plan: st.Plan}
	for _, ps := range Passes {
		ps.Fn(st)
		if errs := st.verify(); len(errs) > 0 {
			t.Fatalf("after %s: %v", ps.Name, errs)
		}
		if ps.Name == "collectives" {
			break
		}
	}
	if len(st.Unit.Graph.Stages) != 0 || len(st.layerColls[0]) == 0 {
		t.Fatalf("expected per-layer collectives before any stage")
	}
	st.layerColls[0][0].GroupSize = 3 // tp is 2
	if errs := st.verify(); len(errs) == 0 {
		t.Errorf("a collective over 3 ranks of a tp = 2 mesh passed verification")
	}
	st.Unit.Mesh.TP = 4
	if errs := st.Unit.VerifyMesh(); len(errs) == 0 {
		t.Errorf("a mesh that is not the plan's passed verification")
	}
}
