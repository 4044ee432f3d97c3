package export_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"planc/codegen/export"
	"planc/ir"
	"planc/lang"
	"planc/passes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// compiled is one example plan, compiled once for every test.
type compiled struct {
	file, plan string
	unit       *ir.Unit
	diags      ir.Diagnostics
	prog       *ir.Program
}

var (
	examplesOnce sync.Once
	examples     []compiled
	examplesErr  error
)

// loadExamples compiles every plan of every file in examples/.
func loadExamples(t *testing.T) []compiled {
	t.Helper()
	examplesOnce.Do(func() {
		files, err := filepath.Glob("../../examples/*.plan")
		if err != nil || len(files) == 0 {
			examplesErr = fmt.Errorf("no examples found: %v", err)
			return
		}
		for _, f := range files {
			prog, diags := lang.Load([]string{f}, lang.Options{})
			if diags.HasErrors() {
				examplesErr = fmt.Errorf("%s: %s", f, ir.RenderAll(diags, prog.Sources))
				return
			}
			for _, p := range prog.Plans {
				u, ds := passes.Compile(prog, p, passes.Options{})
				examples = append(examples, compiled{file: filepath.Base(f), plan: p.Name, unit: u, diags: ds, prog: prog})
			}
		}
	})
	if examplesErr != nil {
		t.Fatal(examplesErr)
	}
	return examples
}

// TestGolden pins the export of every example plan to every target: one
// txtar archive per example file, holding for each plan and target the
// launch script and the warnings (or the error). Regenerate with
// `go test ./codegen/export -run Golden -update`.
func TestGolden(t *testing.T) {
	byFile := map[string][]compiled{}
	var order []string
	for _, c := range loadExamples(t) {
		if _, ok := byFile[c.file]; !ok {
			order = append(order, c.file)
		}
		byFile[c.file] = append(byFile[c.file], c)
	}
	for _, file := range order {
		t.Run(strings.TrimSuffix(file, ".plan"), func(t *testing.T) {
			arch := &txtar.Archive{Comment: []byte(fmt.Sprintf("planc export of every plan of examples/%s to %s\n", file, targetList()))}
			for _, c := range byFile[file] {
				arch.Files = append(arch.Files, goldenFiles(c)...)
			}
			checkGolden(t, filepath.Join("testdata", "golden", strings.TrimSuffix(file, ".plan")+".txtar"), txtar.Format(arch))
		})
	}
}

func targetList() string {
	var s []string
	for _, t := range export.Targets {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

// goldenFiles are the archive entries of one plan.
func goldenFiles(c compiled) []txtar.File {
	if c.diags.HasErrors() {
		return []txtar.File{{Name: c.plan + "/compile.error", Data: []byte(errorsOf(c.diags))}}
	}
	var out []txtar.File
	for _, target := range export.Targets {
		name := c.plan + "/" + string(target)
		r, err := export.Export(c.unit, target)
		if err != nil {
			out = append(out, txtar.File{Name: name + ".error", Data: []byte(err.Error() + "\n")})
			continue
		}
		var warns bytes.Buffer
		for _, w := range r.Warnings {
			fmt.Fprintf(&warns, "warning: %s\n", w)
		}
		out = append(out, txtar.File{Name: name + ".sh", Data: []byte(r.Script)}, txtar.File{Name: name + ".warnings", Data: warns.Bytes()})
	}
	return out
}

func errorsOf(ds ir.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		if d.Severity == ir.Error {
			fmt.Fprintf(&b, "error: %s\n", d.Message)
		}
	}
	return b.String()
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the export (run with -update and review the diff):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, a, b)
		}
	}
	return "(equal)"
}

// knownNames reads a names list of testdata/engines (# lines are its
// provenance): name → spec, where a flag's spec is its kind (switch, list
// or value) and, for a value with literal choices, a tab and the choices
// separated by |; a configuration key's spec is empty.
func knownNames(t testing.TB, file string) map[string]bool {
	t.Helper()
	specs := knownSpecs(t, file)
	names := make(map[string]bool, len(specs))
	for n := range specs {
		names[n] = true
	}
	return names
}

// specCache holds the lists already read (the fuzz target reads them on
// every input).
var specCache sync.Map

func knownSpecs(t testing.TB, file string) map[string]string {
	t.Helper()
	if specs, ok := specCache.Load(file); ok {
		return specs.(map[string]string)
	}
	f, err := os.Open(filepath.Join("testdata", "engines", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	specs := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, spec, _ := strings.Cut(line, "\t")
		specs[name] = spec
	}
	if len(specs) < 50 {
		t.Fatalf("%s lists only %d names", file, len(specs))
	}
	specCache.Store(file, specs)
	return specs
}

// checkArgKinds checks each flag of argv against its spec: a switch takes
// no value, a value exactly one (one of its choices, when it has them), a
// list at least one.
func checkArgKinds(t testing.TB, what string, specs map[string]string, argv []string) {
	t.Helper()
	for i := 0; i < len(argv); {
		flag := argv[i]
		j := i + 1
		for j < len(argv) && !strings.HasPrefix(argv[j], "--") {
			j++
		}
		values := argv[i+1 : j]
		kind, choices, _ := strings.Cut(specs[flag], "\t")
		switch kind {
		case "switch":
			if len(values) != 0 {
				t.Errorf("%s: %s is a switch but gets %q", what, flag, values)
			}
		case "list":
			if len(values) == 0 {
				t.Errorf("%s: %s takes one or more values, gets none", what, flag)
			}
		case "value":
			if len(values) != 1 {
				t.Errorf("%s: %s takes one value, gets %q", what, flag, values)
			} else if choices != "" && !slices.Contains(strings.Split(choices, "|"), values[0]) {
				t.Errorf("%s: %s %s is not one of %s", what, flag, values[0], choices)
			}
		}
		i = j
	}
}

// TestKnownNames checks every flag and key that any example's export
// emits against the names extracted from the engine's sources.
func TestKnownNames(t *testing.T) {
	lists := map[string]map[string]bool{}
	for _, f := range []string{"megatron-lm.txt", "megatron-deepspeed.txt", "deepspeed.txt", "torchtitan-v0.2.txt", "torchtitan-cli.txt"} {
		lists[f] = knownNames(t, f)
	}
	megSpecs, mdsSpecs := knownSpecs(t, "megatron-lm.txt"), knownSpecs(t, "megatron-deepspeed.txt")
	checked := 0
	check := func(c compiled, list, what string, names []string) {
		for _, n := range names {
			checked++
			if !lists[list][n] {
				t.Errorf("%s/%s: %s %q is not in testdata/engines/%s", c.file, c.plan, what, n, list)
			}
		}
	}
	for _, c := range loadExamples(t) {
		if c.diags.HasErrors() {
			continue
		}
		for _, target := range export.Targets {
			r, err := export.Export(c.unit, target)
			if err != nil {
				continue
			}
			what := fmt.Sprintf("%s/%s --to %s", c.file, c.plan, target)
			switch target {
			case export.Megatron:
				check(c, "megatron-lm.txt", "flag", r.Flags)
				checkArgKinds(t, what, megSpecs, r.Argv)
			case export.DeepSpeed:
				check(c, "megatron-deepspeed.txt", "flag", r.Flags)
				checkArgKinds(t, what, mdsSpecs, r.Argv)
				check(c, "deepspeed.txt", "key", dottedParts(r.Keys))
			case export.TorchTitan:
				check(c, "torchtitan-v0.2.txt", "TOML key", r.Keys)
				check(c, "torchtitan-cli.txt", "override", r.CLIKeys)
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d names checked", checked)
	}
	t.Logf("%d emitted names checked against the engines' lists", checked)
}

// dottedParts splits DeepSpeed's nested keys ("bf16.enabled") into the
// flat names its sources define.
func dottedParts(keys []string) []string {
	var out []string
	for _, k := range keys {
		out = append(out, strings.Split(k, ".")...)
	}
	return out
}

// TestKnownNamesCatchesMisspelling makes sure the lists are not so loose
// that a wrong spelling passes.
func TestKnownNamesCatchesMisspelling(t *testing.T) {
	meg := knownNames(t, "megatron-lm.txt")
	for _, wrong := range []string{"--tensor-parallel-size", "--num-moe-experts", "--virtual-pipeline-model-parallel-size", "--recompute-activation"} {
		if meg[wrong] {
			t.Errorf("megatron-lm.txt lists %q, which Megatron-LM does not accept", wrong)
		}
	}
	ds := knownNames(t, "deepspeed.txt")
	if ds["zero_stage"] || !ds["zero_optimization"] || !ds["overlap_comm"] {
		t.Error("deepspeed.txt does not look like DeepSpeed's configuration keys")
	}
}

// recorder counts the errors of a check instead of failing the test.
type recorder struct {
	*testing.T
	errs int
}

func (r *recorder) Errorf(string, ...any) { r.errs++ }
func (r *recorder) Helper()               {}

// TestArgKindsCatchesMisuse: the kind check refuses a value on a switch, a
// value outside the choices and a missing value.
func TestArgKindsCatchesMisuse(t *testing.T) {
	specs := knownSpecs(t, "megatron-lm.txt")
	for _, argv := range [][]string{
		{"--sequence-parallel", "true"},
		{"--recompute-granularity", "partial"},
		{"--tensor-model-parallel-size"},
		{"--cp-comm-type"},
	} {
		r := &recorder{T: t}
		checkArgKinds(r, "misuse", specs, argv)
		if r.errs != 1 {
			t.Errorf("%q: %d errors, want 1", argv, r.errs)
		}
	}
	r := &recorder{T: t}
	checkArgKinds(r, "fine", specs, []string{"--sequence-parallel", "--recompute-granularity", "selective", "--cp-comm-type", "p2p", "--tensor-model-parallel-size", "8"})
	if r.errs != 0 {
		t.Errorf("a correct command line gave %d errors", r.errs)
	}
}
