package lang

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planc/ir"
	"planc/stdlib"
)

// repoFiles lists the .plan files of the stdlib and the examples, as paths
// relative to this package.
func repoFiles(t testing.TB) []string {
	var files []string
	fs.WalkDir(stdlib.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".plan") {
			files = append(files, filepath.Join("..", "stdlib", p))
		}
		return nil
	})
	ex, _ := filepath.Glob(filepath.Join("..", "examples", "*.plan"))
	return append(files, ex...)
}

func TestStdlibAndExamplesCheck(t *testing.T) {
	files := repoFiles(t)
	if len(files) == 0 {
		t.Fatal("no stdlib or example files found")
	}
	for _, f := range files {
		prog, diags := Load([]string{f}, Options{})
		if diags.HasErrors() {
			t.Errorf("%s does not check:\n%s", f, ir.RenderAll(diags, prog.Sources))
		}
	}
}

// TestAllFilesTogether loads every stdlib and example file in one run: a
// stdlib file named by its checkout path is the same file as its import
// path, so nothing is declared twice.
func TestAllFilesTogether(t *testing.T) {
	prog, diags := Load(repoFiles(t), Options{})
	if diags.HasErrors() {
		t.Errorf("stdlib and examples together do not check:\n%s", ir.RenderAll(diags, prog.Sources))
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const tinySetup = `import "hw/cpu"
import "models/tiny"
`

func TestLoadResolvesPlan(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.plan": tinySetup + `
plan p {
  model = tiny_gpt(layers: 8)
  cluster = cpu
  dp = 2  tp = 2  pp = 2
  schedule = interleaved  vpp = 2
  global_batch = 16  micro_batch = 2
  train { lr = 3e-3 }
}
plan q {
  model = tiny_gpt
  cluster = cpu
  dp = auto  tp = 2
}
`})
	prog, diags := Load([]string{filepath.Join(dir, "a.plan")}, Options{Overrides: []string{"cluster.per_node=4"}})
	if diags.HasErrors() {
		t.Fatalf("%s", ir.RenderAll(diags, prog.Sources))
	}
	p := prog.Plan("p")
	if p.WorldSize() != 8 || p.Cluster.Nodes != 2 || p.Cluster.PerNode != 4 {
		t.Errorf("cluster sized %d×%d for world %d", p.Cluster.Nodes, p.Cluster.PerNode, p.WorldSize())
	}
	if p.Model.Layers != 8 || prog.Models["tiny_gpt"].Layers != 4 {
		t.Errorf("call override: plan model has %d layers, shared model %d", p.Model.Layers, prog.Models["tiny_gpt"].Layers)
	}
	if p.Train.LR != 3e-3 || p.Train.Steps != 200 || p.MicroBatches() != 4 {
		t.Errorf("train %+v, micro-batches %d", p.Train, p.MicroBatches())
	}
	if s := p.FieldSpan("train.lr"); s.Start.Line != 10 {
		t.Errorf("train.lr span %v", s)
	}
	if _, ok := prog.Sources[SetFile]; !ok {
		t.Errorf("Sources lacks %s", SetFile)
	}
	// dp = auto on the cpu cluster cannot be deduced: the cluster follows
	// the world size.
	if q := prog.Plan("q"); !q.Auto["dp"] {
		t.Errorf("q.Auto = %v", q.Auto)
	}
	dev := prog.Devices["cpu_core"]
	if dev.Memory != 4<<30 || dev.PeakFP16 != dev.PeakBF16 {
		t.Errorf("device %+v", dev)
	}
}

func TestLoadDeducesDP(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.plan": `import "./hw.plan"
import "models/tiny"
plan p { model = tiny_gpt  cluster = c  dp = auto  tp = 4 }
`, "hw.plan": `import "./a.plan" // a cycle is harmless
device d { peak_bf16 = 1 TFLOP/s  peak_fp32 = 1 TFLOP/s  memory = 1 GiB  hbm_bw = 1 TB/s  idle_power = 1 W  busy_power = 2 W }
node n { device = d  devices = 8  intra_bw = 100 GB/s }
cluster c { node = n  nodes = 4  inter_bw = 200 Gb/s }
`})
	prog, diags := Load([]string{filepath.Join(dir, "a.plan")}, Options{})
	if diags.HasErrors() {
		t.Fatalf("%s", ir.RenderAll(diags, prog.Sources))
	}
	p := prog.Plans[0]
	if p.DP != 8 || p.Auto["dp"] || p.GlobalBatch != 8 {
		t.Errorf("dp %d auto %v global_batch %d", p.DP, p.Auto, p.GlobalBatch)
	}
	if bw := p.Cluster.InterBW; bw != 25e9 {
		t.Errorf("200 Gb/s = %g B/s", bw)
	}
	if len(prog.Sources) != 3 {
		t.Errorf("sources %d, want a.plan, hw.plan and the stdlib model", len(prog.Sources))
	}
}

// TestDeviceEfficiencyDefaults: the Default strings of ir.DeviceFields and
// the constants ir.Device.Fitted compares with spell the same values.
func TestDeviceEfficiencyDefaults(t *testing.T) {
	dir := writeFiles(t, map[string]string{"d.plan": `device bare {
  peak_bf16  = 1 TFLOP/s
  peak_fp32  = 1 TFLOP/s
  memory     = 1 GiB
  hbm_bw     = 1 TB/s
  idle_power = 1 W
  busy_power = 2 W
}
`})
	prog, diags := Load([]string{filepath.Join(dir, "d.plan")}, Options{})
	if diags.HasErrors() {
		t.Fatal(ir.RenderAll(diags, prog.Sources))
	}
	d := prog.Devices["bare"]
	if d.Fitted() {
		t.Errorf("a device without efficiency fields reports itself fitted: %v %v %v against the ir constants %v %v %v",
			d.MatmulEfficiency, d.KernelOverhead, d.MemoryEfficiency, ir.DefaultMatmulEfficiency, ir.DefaultKernelOverhead, ir.DefaultMemoryEfficiency)
	}
	if a100 := loadStdlibDevice(t, "hw/a100_80gb", "a100_80gb"); !a100.Fitted() {
		t.Error("a100_80gb, fitted to the calibration set, reports itself unfitted")
	}
	if cpu := loadStdlibDevice(t, "hw/cpu", "cpu_core"); cpu.Fitted() {
		t.Error("cpu_core has no measurements (planc calibrate writes them), yet reports itself fitted")
	}
	if mi := loadStdlibDevice(t, "hw/mi250x_gcd", "mi250x_gcd"); !mi.Fitted() {
		t.Error("mi250x_gcd, fitted to a published matmul benchmark, reports itself unfitted")
	}
}

func loadStdlibDevice(t *testing.T, imp, name string) *ir.Device {
	t.Helper()
	dir := writeFiles(t, map[string]string{"i.plan": "import \"" + imp + "\"\n"})
	prog, diags := Load([]string{filepath.Join(dir, "i.plan")}, Options{})
	if diags.HasErrors() {
		t.Fatal(ir.RenderAll(diags, prog.Sources))
	}
	return prog.Devices[name]
}

// TestAttentionDefaultsToTheDevices: a plan that does not write attention
// gets fused on a device with fused_attention (H100), unfused elsewhere
// (the A100, calibrated against Megatron runs with unfused kernels); a written value, --set and
// auto win.
func TestAttentionDefaultsToTheDevices(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.plan": `import "models/llama"
import "models/gpt"
import "hw/dgx_h100"
import "hw/selene"
plan h100 { model = llama3_8b  cluster = dgx_h100  tp = 8  dp = 576 }
plan h100_unfused { model = llama3_8b  cluster = dgx_h100  tp = 8  dp = 576  attention = unfused }
plan h100_auto { model = llama3_8b  cluster = dgx_h100  tp = 8  dp = 576  attention = auto }
plan a100 { model = gpt_22b  cluster = selene  tp = 8  dp = 560 }
`})
	for _, tc := range []struct {
		plan, set string
		want      ir.AttentionKind
		auto      bool
	}{
		{"h100", "", ir.AttentionFused, false},
		{"h100_unfused", "", ir.AttentionUnfused, false},
		{"h100", "attention=unfused", ir.AttentionUnfused, false},
		{"h100_auto", "", "", true},
		{"a100", "", ir.AttentionUnfused, false},
	} {
		var opts Options
		if tc.set != "" {
			opts = Options{Overrides: []string{tc.set}, Plan: tc.plan}
		}
		prog, diags := Load([]string{filepath.Join(dir, "a.plan")}, opts)
		if diags.HasErrors() {
			t.Fatalf("%s", ir.RenderAll(diags, prog.Sources))
		}
		p := prog.Plan(tc.plan)
		if p.Auto["attention"] != tc.auto || (!tc.auto && p.Attention != tc.want) {
			t.Errorf("plan %s --set %q: attention %q (auto %v), want %q (auto %v)", tc.plan, tc.set, p.Attention, p.Auto["attention"], tc.want, tc.auto)
		}
	}
}
