package passes_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// TestParamTableMatchesParamCount: the parameter count explain prints
// (ir's Model.Params) is the sum of the parameter table the runtime
// initializes and checkpoints, for every model of the stdlib, and the
// graph the cost model charges holds as many weights at tp = 1 (expert
// biases aside: the graph stacks the experts' weights without them).
func TestParamTableMatchesParamCount(t *testing.T) {
	src := ""
	for _, f := range []string{"gpt", "deepseek", "llama", "mixtral", "qwen", "xmoe", "tiny", "tiny_arch", "phantom"} {
		src += "import \"models/" + f + "\"\n"
	}
	file := filepath.Join(t.TempDir(), "all.plan")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	prog, diags := lang.Load([]string{file}, lang.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(prog.Models) < 20 {
		t.Fatalf("only %d models loaded", len(prog.Models))
	}
	for name, m := range prog.Models {
		var table float64
		for _, p := range passes.ParamTableOf(m) {
			if !p.Tied || p.Name == "wte" {
				n := 1.0
				for _, d := range p.Shape {
					n *= float64(d)
				}
				table += n
			}
		}
		if got := m.Params().Total; math.Abs(got-table) > 1e-9*table {
			t.Errorf("%s: explain counts %.0f parameters, the parameter table holds %.0f", name, got, table)
		}
	}
}

// TestParamCountIsTheGraphs: at tp = 1 the expanded graph's weights and
// biases, counted once each, are ir's count less the experts' biases (the
// graph stacks the experts' weights [E, h, f] without them) and less the
// shared experts' extra output biases (the graph runs them as one FFN).
func TestParamCountIsTheGraphs(t *testing.T) {
	for _, c := range []struct{ file, plan string }{
		{"passes/testdata/arch.plan", "tiny_llama_tp4"},
		{"passes/testdata/arch.plan", "tiny_deepseek_ep"},
		{"passes/testdata/arch.plan", "tiny_mla_fullq_tp2"},
		{"examples/tiny_gpt.plan", "tiny_gpt_serial"},
	} {
		prog, p := loadPlan(t, c.file, c.plan, "tp=1", "dp=1", "ep=1", "pp=1", "sp=false")
		u, diags := passes.Compile(prog, p, passes.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", c.plan, diags)
		}
		seen := map[string]bool{}
		var graph float64
		for _, st := range u.Graph.Stages {
			for _, o := range st.Ops {
				for _, w := range []*ir.Tensor{o.Weight, o.Bias} {
					if w == nil || seen[w.Name] {
						continue
					}
					seen[w.Name] = true
					n := 1.0
					for _, d := range w.Shape {
						n *= float64(d.Size)
					}
					graph += n
				}
			}
		}
		m := p.Model
		want := m.Params().Total
		if e := m.MoE; e != nil && !m.NoBias {
			moeLayers := 0
			for i := 0; i < m.Layers; i++ {
				if m.IsMoELayer(i) {
					moeLayers++
				}
			}
			fe1 := e.ExpertFFN * (m.MLP.Matrices() - 1)
			want -= float64(moeLayers) * (float64(e.Experts*(fe1+m.Hidden)) + float64((e.Shared-1)*m.Hidden))
		}
		if graph != want {
			t.Errorf("%s: the graph holds %.0f parameters, ir counts %.0f", c.plan, graph, want)
		}
	}
}
