package export_test

import (
	"strconv"
	"strings"
	"testing"

	"planc/codegen/export"
)

// korthikanti is one run of Korthikanti et al. 2022 ("Reducing Activation
// Recomputation in Large Transformer Models"), Table 5, as Megatron-LM's
// README of May 2022 (commit b83477a3) spelled its command line:
// --tensor-model-parallel-size, --pipeline-model-parallel-size,
// --num-layers-per-virtual-pipeline-stage for the interleaved schedule,
// --sequence-parallel, --recompute-activations (selective; today
// --recompute-granularity selective) or --recompute-granularity full
// --recompute-method uniform with one layer per group, --micro-batch-size,
// --global-batch-size. The layers per virtual stage are those of the
// interleaved runs (3 model chunks per rank for 175B and 530B).
type korthikanti struct {
	plan                    string
	layers, heads, hidden   int
	tp, pp, layersPerVStage int // layersPerVStage 0: no interleaving
	sp                      bool
	recompute               string // selective | full
	micro, global           int
}

var korthikantiRuns = []korthikanti{
	{"cal_22b_full", 48, 64, 6144, 8, 1, 0, false, "full", 4, 4},
	{"cal_22b_selective", 48, 64, 6144, 8, 1, 0, true, "selective", 4, 4},
	{"cal_175b_full", 96, 96, 12288, 8, 8, 4, false, "full", 1, 64},
	{"cal_175b_selective", 96, 96, 12288, 8, 8, 4, true, "selective", 1, 64},
	{"cal_530b_full", 105, 128, 20480, 8, 35, 1, false, "full", 1, 280},
	{"cal_530b_selective", 105, 128, 20480, 8, 35, 1, true, "selective", 1, 280},
	{"cal_1t_full", 128, 160, 25600, 8, 64, 0, false, "full", 1, 512},
	{"cal_1t_selective", 128, 160, 25600, 8, 64, 0, true, "selective", 1, 512},
}

// TestCalibrationMegatron exports the calibration plans to Megatron-LM and
// checks that the flags say what Korthikanti et al. ran.
func TestCalibrationMegatron(t *testing.T) {
	units := map[string]compiled{}
	for _, c := range loadExamples(t) {
		if c.file == "calibration.plan" {
			units[c.plan] = c
		}
	}
	for _, k := range korthikantiRuns {
		t.Run(k.plan, func(t *testing.T) {
			c, ok := units[k.plan]
			if !ok || c.diags.HasErrors() {
				t.Fatalf("plan %s missing or not compiled: %v", k.plan, c.diags)
			}
			r, err := export.Export(c.unit, export.Megatron)
			if err != nil {
				t.Fatal(err)
			}
			flags := scriptArgs(t, r.Script)
			want := map[string]string{
				"--num-layers": itoa(k.layers), "--num-attention-heads": itoa(k.heads), "--hidden-size": itoa(k.hidden),
				"--tensor-model-parallel-size": itoa(k.tp), "--pipeline-model-parallel-size": itoa(k.pp),
				"--micro-batch-size": itoa(k.micro), "--global-batch-size": itoa(k.global),
				"--seq-length": "2048", "--vocab-size": "51200", "--bf16": "",
			}
			if k.recompute == "selective" {
				want["--recompute-granularity"] = "selective"
			} else {
				want["--recompute-granularity"] = "full"
				want["--recompute-method"] = "uniform"
				want["--recompute-num-layers"] = "1"
			}
			for f, v := range want {
				got, ok := flags[f]
				if !ok || got != v {
					t.Errorf("%s = %q (present %v), want %q", f, got, ok, v)
				}
			}
			if _, ok := flags["--sequence-parallel"]; ok != k.sp {
				t.Errorf("--sequence-parallel present = %v, want %v", ok, k.sp)
			}
			if got := layersPerVirtualStage(t, flags, k.layers, k.pp); got != k.layersPerVStage {
				t.Errorf("layers per virtual pipeline stage = %d, want %d", got, k.layersPerVStage)
			}
			for _, f := range []string{"--pipeline-model-parallel-layout", "--decoder-first-pipeline-num-layers", "--decoder-last-pipeline-num-layers", "--use-distributed-optimizer", "--context-parallel-size"} {
				if _, ok := flags[f]; ok {
					t.Errorf("%s is set; Korthikanti's runs split layers evenly, without ZeRO or cp", f)
				}
			}
			if len(r.Warnings) > 0 {
				t.Errorf("warnings on a plan Megatron ran itself: %v", r.Warnings)
			}
		})
	}
}

// layersPerVirtualStage reads the interleaving from either spelling; 0
// means none.
func layersPerVirtualStage(t *testing.T, flags map[string]string, layers, pp int) int {
	if v, ok := flags["--num-layers-per-virtual-pipeline-stage"]; ok {
		return atoi(t, v)
	}
	if v, ok := flags["--num-virtual-stages-per-pipeline-rank"]; ok {
		return layers / (pp * atoi(t, v))
	}
	return 0
}

// scriptArgs parses the PLANC_ARGS array of a launch script into flag →
// value ("" for a switch).
func scriptArgs(t *testing.T, script string) map[string]string {
	t.Helper()
	_, body, ok := strings.Cut(script, "PLANC_ARGS=(\n")
	if !ok {
		t.Fatal("no PLANC_ARGS array in the script")
	}
	body, _, _ = strings.Cut(body, "\n)\n")
	out := map[string]string{}
	for _, line := range strings.Split(body, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		out[fields[0]] = strings.Join(fields[1:], " ")
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
