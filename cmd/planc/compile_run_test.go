package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"planc/ir"
	"planc/lang"
)

// tinyPlans are plans over every model of stdlib/models/tiny.plan, with
// pipelines whose cost-balanced partition is uneven (a large vocabulary
// makes the last stage's head heavy).
const tinyPlans = `import "hw/cpu"
import "models/tiny"

plan gpt_pp2 {
  model        = tiny_gpt
  cluster      = cpu
  pp           = 2
  global_batch = 4
  micro_batch  = 2
  precision    = fp32
  train { steps = 1 }
}

plan gpt_uneven {
  model        = tiny_gpt(layers: 8, vocab: 4096)
  cluster      = cpu
  dp           = 2
  pp           = 2
  zero         = 1
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
  train { steps = 1 }
}

plan moe_uneven {
  model        = tiny_moe(layers: 8, vocab: 4096)
  cluster      = cpu
  dp           = 2
  ep           = 2
  pp           = 2
  global_batch = 8
  micro_batch  = 2
  precision    = fp32
  train { steps = 1 }
}

plan moe_interleaved {
  model        = tiny_moe(layers: 8, vocab: 2048)
  cluster      = cpu
  pp           = 2
  vpp          = 2
  schedule     = interleaved
  global_batch = 4
  micro_batch  = 1
  precision    = fp32
  train { steps = 1 }
}

plan long_cp2 {
  model        = tiny_long_gpt
  cluster      = cpu
  cp           = 2
  cp_mode      = lss
  pp           = 2
  global_batch = 4
  micro_batch  = 2
  precision    = fp32
  train { steps = 1 }
}

plan phantom_gpt_pp2 {
  model        = tiny_phantom_gpt
  cluster      = cpu
  tp           = 2
  pp           = 2
  global_batch = 4
  micro_batch  = 2
  precision    = fp32
  train { steps = 1 }
}

plan mlp_pp2 {
  model        = tiny_mlp
  cluster      = cpu
  pp           = 2
  global_batch = 16
  micro_batch  = 4
  precision    = fp32
  train { steps = 1 }
}

plan phantom_mlp_pp2 {
  model        = tiny_phantom_mlp
  cluster      = cpu
  tp           = 2
  pp           = 2
  global_batch = 16
  micro_batch  = 4
  precision    = fp32
  train { steps = 1 }
}
`

// TestCompileThenRunSchedule is a new user's path: `planc compile -o
// x.sched` then `planc run --schedule x.sched` trains every CPU-sized plan
// of examples/ (those on stdlib's cpu cluster) and plans over every model
// of stdlib/models/tiny.plan, including pipelines whose cost-balanced
// partition is uneven, with the losses of `planc run` without the file.
func TestCompileThenRunSchedule(t *testing.T) {
	dir := t.TempDir()
	tiny := filepath.Join(dir, "tiny_plans.plan")
	if err := os.WriteFile(tiny, []byte(tinyPlans), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*.plan"))
	files = append(files, tiny)
	type tc struct{ file, plan string }
	var cases []tc
	for _, f := range files {
		prog, diags := lang.Load([]string{f}, lang.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", f, diags)
		}
		for _, p := range prog.Plans {
			if p.Cluster != nil && p.Cluster.Node != nil && p.Cluster.Node.Device != nil && p.Cluster.Node.Device.Name == "cpu_core" {
				cases = append(cases, tc{f, p.Name})
			}
		}
	}
	if len(cases) < 20 {
		t.Fatalf("only %d CPU-sized plans found", len(cases))
	}
	run := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := runMain(args, &out, &errb)
		return out.String(), errb.String(), code
	}
	uneven := 0
	for _, c := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(c.file), ".plan")+"/"+c.plan, func(t *testing.T) {
			sched := filepath.Join(dir, c.plan+".sched")
			if _, stderr, code := run("compile", "--plan", c.plan, "-o", sched, c.file); code != exitOK {
				t.Fatalf("compile: exit %d: %s", code, stderr)
			}
			if layers := partition(t, sched, c.file, c.plan); slices.Min(layers) != slices.Max(layers) {
				uneven++
				t.Logf("uneven partition %v", layers)
			}
			withFile, stderr, code := run("run", "--json", "--steps", "1", "--plan", c.plan, "--schedule", sched, c.file)
			if code != exitOK {
				t.Fatalf("run --schedule: exit %d: %s", code, stderr)
			}
			own, stderr, code := run("run", "--json", "--steps", "1", "--plan", c.plan, c.file)
			if code != exitOK {
				t.Fatalf("run: exit %d: %s", code, stderr)
			}
			if a, b := stepLosses(withFile), stepLosses(own); a == "" || a != b {
				t.Errorf("losses with the schedule file %q, without %q", a, b)
			}
		})
	}
	if uneven < 3 {
		t.Errorf("%d plans with an uneven partition, want at least 3", uneven)
	}
}

// partition reads the layers of each stage of a schedule file.
func partition(t *testing.T, sched, file, plan string) []int {
	t.Helper()
	prog, diags := lang.Load([]string{file}, lang.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	f, err := os.Open(sched)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ir.ReadSchedule(f, prog.Plan(plan))
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, st := range s.Stages {
		out = append(out, st.EndLayer-st.FirstLayer)
	}
	return out
}

// stepLosses returns the "loss" fields of run --json's step lines.
func stepLosses(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, `"loss":`); i >= 0 && strings.Contains(l, `"step"`) {
			fmt.Fprintf(&b, "%s;", l[i:i+strings.IndexAny(l[i:], ",}")])
		}
	}
	return b.String()
}
