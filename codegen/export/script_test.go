package export_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"planc/codegen/export"
)

// TestScriptsRun runs every example's launch script under bash with a fake
// torchrun that records its arguments: the script must write its config
// file byte for byte, and hand the trainer every flag the export lists, one
// argument each (so that quoting survives the shell).
func TestScriptsRun(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("PLANC_CI") != "" {
			t.Fatal("bash not found")
		}
		t.Skip("bash not found; skipping the script runs")
	}
	ran := 0
	for _, c := range loadExamples(t) {
		if c.diags.HasErrors() {
			continue
		}
		for _, target := range export.Targets {
			r, err := export.Export(c.unit, target)
			if err != nil {
				continue
			}
			apis := []string{""}
			if target == export.TorchTitan {
				apis = []string{"v0.2", "main"}
			}
			for i, api := range apis {
				launcher := []string{"torchrun", "srun"}[i%2] // both launchers, alternating per API
				if len(apis) == 1 {
					launcher = []string{"torchrun", "srun"}[ran%2]
				}
				argv := runScript(t, bash, r, api, launcher, c.unit.Plan.WorldSize())
				want := r.Argv
				if api == "v0.2" {
					want = []string{"-m", "torchtitan.train", "--job.config_file", "torchtitan.toml"}
				}
				if !containsRun(argv, want) {
					t.Errorf("%s/%s --to %s %s: torchrun received %q, which lacks %q in order", c.file, c.plan, target, api, argv, want)
				}
				ran++
			}
		}
	}
	t.Logf("%d scripts run", ran)
}

// containsRun reports whether want occurs in argv as consecutive arguments.
func containsRun(argv, want []string) bool {
	for i := 0; i+len(want) <= len(argv); i++ {
		if slices.Equal(argv[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

// runScript runs r's script in a fresh folder, as under `srun` (one task
// per device: python3 is called) or not (torchrun per node), and returns
// the launcher's arguments.
func runScript(t *testing.T, bash string, r *export.Result, api, launcher string, world int) []string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	fake := "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$ARGV_FILE\"\n"
	for _, name := range []string{"torchrun", "python3"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(fake), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte(r.Script), 0o755); err != nil {
		t.Fatal(err)
	}
	argvFile := filepath.Join(dir, "argv")
	cmd := exec.Command(bash, script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "ARGV_FILE=" + argvFile, "DATA_PATH=/data/corpus",
		"TORCHTITAN_API=" + api, "HOME=" + dir, "LAUNCHER=" + launcher,
		"SLURM_NTASKS=" + strconv.Itoa(world), "SLURM_PROCID=0", "SLURM_LOCALID=0"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("--to %s: the script failed: %v\n%s", r.Target, err, out)
	}
	if r.ConfigName != "" {
		got, err := os.ReadFile(filepath.Join(dir, r.ConfigName))
		if err != nil || string(got) != r.Config {
			t.Errorf("--to %s: %s written as %q, want %q (%v)", r.Target, r.ConfigName, got, r.Config, err)
		}
	}
	data, err := os.ReadFile(argvFile)
	if err != nil {
		t.Fatalf("--to %s: %s was not called: %v", r.Target, launcher, err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// TestSrunRefusesWrongTaskCount: under LAUNCHER=srun the script checks
// that Slurm started one task per device of the plan's world.
func TestSrunRefusesWrongTaskCount(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	c := loadExamples(t)[0]
	r, err := export.Export(c.unit, export.Megatron)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte(r.Script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/nonexistent", "LAUNCHER=srun", "SLURM_NTASKS=" + strconv.Itoa(c.unit.Plan.WorldSize()+1)}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "needs "+strconv.Itoa(c.unit.Plan.WorldSize())+" Slurm tasks") {
		t.Errorf("a wrong task count ran: %v\n%s", err, out)
	}
}
