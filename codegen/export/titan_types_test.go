package export_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"planc/codegen/export"
)

// pytorchSchedules are the names torch.distributed.pipelining's
// get_schedule_class accepts, which torchtitan's pipeline_parallel_schedule
// passes to it.
var pytorchSchedules = []string{"1F1B", "Interleaved1F1B", "GPipe", "LoopedBFS", "InterleavedZeroBubble", "ZBVZeroBubble", "DualPipeV"}

// TestTorchTitanTypes checks every value of every example's torchtitan TOML
// and command line against the field's type and choices in torchtitan's
// sources.
func TestTorchTitanTypes(t *testing.T) {
	toml, cli := knownSpecs(t, "torchtitan-v0.2.txt"), knownSpecs(t, "torchtitan-cli.txt")
	checked := 0
	for _, c := range loadExamples(t) {
		if c.diags.HasErrors() {
			continue
		}
		r, err := export.Export(c.unit, export.TorchTitan)
		if err != nil {
			continue
		}
		what := c.file + "/" + c.plan
		for key, value := range tomlValues(t, r.Config) {
			checkTitanValue(t, what+" TOML", key, toml[key], value, true)
			checked++
		}
		for i := 0; i < len(r.Argv); i++ {
			key := strings.TrimPrefix(r.Argv[i], "--")
			var value string
			if i+1 < len(r.Argv) && !strings.HasPrefix(r.Argv[i+1], "--") {
				value = r.Argv[i+1]
				i++
			}
			checkTitanValue(t, what+" command line", key, cli[key], value, false)
			checked++
		}
	}
	t.Logf("%d torchtitan values checked", checked)
}

// checkTitanValue: value is TOML source when inTOML, else a command-line
// argument ("" for a bare switch).
func checkTitanValue(t *testing.T, what, key, spec, value string, inTOML bool) {
	t.Helper()
	typ, choices, _ := strings.Cut(spec, "\t")
	str := value
	if inTOML && strings.HasPrefix(value, `"`) {
		var err error
		if str, err = strconv.Unquote(value); err != nil {
			t.Errorf("%s: %s = %s is not a TOML string", what, key, value)
			return
		}
	} else if inTOML && typ == "str" {
		t.Errorf("%s: %s = %s should be a string", what, key, value)
		return
	}
	switch typ {
	case "int":
		if _, err := strconv.Atoi(value); err != nil {
			t.Errorf("%s: %s = %q is not an int", what, key, value)
		}
	case "float":
		if _, err := strconv.ParseFloat(value, 64); err != nil {
			t.Errorf("%s: %s = %q is not a number", what, key, value)
		}
	case "bool":
		if inTOML && value != "true" && value != "false" || !inTOML && value != "" {
			t.Errorf("%s: %s = %q is not a boolean (a bare switch on the command line)", what, key, value)
		}
	case "str":
		if choices != "" && !slices.Contains(strings.Split(choices, "|"), str) {
			t.Errorf("%s: %s = %q is not one of %s", what, key, str, choices)
		}
		if key == "parallelism.pipeline_parallel_schedule" && !slices.Contains(pytorchSchedules, str) {
			t.Errorf("%s: %s = %q is no PyTorch schedule", what, key, str)
		}
	case "list":
		if inTOML && !strings.HasPrefix(value, "[") {
			t.Errorf("%s: %s = %s is not a list", what, key, value)
		}
	default:
		t.Errorf("%s: %s has no known type (%q)", what, key, spec)
	}
}

// tomlValues reads the SECTION.KEY = VALUE lines of the exporter's TOML (a
// list value may span lines up to its closing bracket).
func tomlValues(t *testing.T, src string) map[string]string {
	t.Helper()
	out := map[string]string{}
	section := ""
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			key, value, ok := strings.Cut(line, " = ")
			if !ok {
				t.Fatalf("TOML line %q", line)
			}
			if value == "[" {
				for i+1 < len(lines) && strings.TrimSpace(lines[i]) != "]" {
					i++
					value += strings.TrimSpace(lines[i])
				}
			}
			out[section+"."+key] = value
		}
	}
	return out
}
