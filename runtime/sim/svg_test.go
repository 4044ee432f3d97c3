package sim_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"planc/ir"
	"planc/passes/sched"
	"planc/runtime/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/gantt.svg from the actual output")

// TestSVGGolden draws the 1F1B step of a 4-stage pipeline on uniform costs
// (F 0.25 ms, B 0.5 ms) and compares it with testdata/gantt.svg (-update
// rewrites it). Besides the golden file, it checks what a reader sees:
// round tick labels in ms, the last label inside the picture, legend
// entries that do not overlap.
func TestSVGGolden(t *testing.T) {
	dev := &ir.Device{Name: "gpu", PeakBF16: 1e15}
	node := &ir.Node{Name: "node", Device: dev, Devices: 4, IntraBW: 1e11}
	cluster := &ir.Cluster{Name: "c", Node: node, Nodes: 1, PerNode: 4, InterBW: 1e10}
	model := &ir.Model{Name: "gpt", Kind: ir.Transformer, Vocab: 256, Seq: 64, Hidden: 32, Layers: 8, Heads: 4, FFN: 128}
	plan := &ir.Plan{Name: "demo", Model: model, Cluster: cluster, DP: 1, TP: 1, PP: 4, EP: 1, CP: 1, VPP: 1,
		Schedule: "1f1b", GlobalBatch: 8, MicroBatch: 1, Precision: "bf16"}
	s, diags := sched.Build(plan, sched.PlanSizes(plan))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res, err := sim.Run(s, sim.Config{Costs: sim.Uniform{F: 0.25e-3, B: 0.5e-3}, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := sim.WriteSVG(&buf, s, res); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	golden := filepath.Join("testdata", "gantt.svg")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the SVG differs from %s (go test ./runtime/sim -run SVGGolden -update rewrites it)", golden)
	}

	// Tick labels: round values in ms, the last one inside the width.
	width, _ := strconv.ParseFloat(regexp.MustCompile(`<svg [^>]*width="([0-9.]+)"`).FindStringSubmatch(got)[1], 64)
	ticks := regexp.MustCompile(`<text x="([0-9.]+)" y="[0-9.]+" text-anchor="middle">([^<]*)</text>`).FindAllStringSubmatch(got, -1)
	if len(ticks) < 4 {
		t.Fatalf("%d tick labels", len(ticks))
	}
	round := regexp.MustCompile(`^[0-9]+(\.[0-9])? ms$`)
	for _, m := range ticks {
		if !round.MatchString(m[2]) {
			t.Errorf("tick label %q is not a round value in ms", m[2])
		}
	}
	last := ticks[len(ticks)-1]
	lx, _ := strconv.ParseFloat(last[1], 64)
	if lx+7*float64(len(last[2]))/2 > width {
		t.Errorf("the last tick label %q at x %.0f is clipped by the width %.0f", last[2], lx, width)
	}
	// Legend: each entry's text ends before the next entry's box.
	entries := regexp.MustCompile(`<rect x="([0-9.]+)" y="([0-9.]+)" width="10" height="10" fill="[^"]+"/><text x="[0-9.]+" y="[0-9.]+">([A-Z_]+)</text>`).FindAllStringSubmatch(got, -1)
	if len(entries) != int(ir.NumActionKinds-ir.ActF) {
		t.Fatalf("%d legend entries, want %d", len(entries), ir.NumActionKinds-ir.ActF)
	}
	for i := 1; i < len(entries); i++ {
		if entries[i][2] != entries[i-1][2] {
			continue // a new legend line
		}
		x0, _ := strconv.ParseFloat(entries[i-1][1], 64)
		x1, _ := strconv.ParseFloat(entries[i][1], 64)
		if end := x0 + 14 + 7*float64(len(entries[i-1][3])); end > x1 {
			t.Errorf("legend %s ends at %.0f, past %s at %.0f", entries[i-1][3], end, entries[i][3], x1)
		}
	}
}
