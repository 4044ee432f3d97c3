// Package export turns a compiled plan into the launch configuration of a
// training engine that teams already run at scale: Megatron-LM (a launch
// script with its command-line flags), DeepSpeed (its configuration JSON
// with the Megatron-DeepSpeed flags) and torchtitan (its v0.2 TOML job file
// and the command-line overrides of its current configuration registry).
//
// Contract: [Export] reads only the compiled [ir.Unit] (the plan's settings,
// its model and cluster, and the pipeline partition that the passes chose);
// it never changes it. Every flag and key it emits is spelled as the engine's
// sources spell it (each exporter names the version it was taken from, and
// a test checks the names against lists extracted from those sources). A
// plan setting that the engine cannot express is never dropped silently:
// it yields a [Warning] that names the setting emitted instead, or the
// engine's nearest one. A plan that no engine setting can approximate (a
// deep feed-forward network is not a transformer) is an error.
package export

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"planc/ir"
)

// Target is an engine that a plan can be exported to.
type Target string

const (
	Megatron   Target = "megatron"
	DeepSpeed  Target = "deepspeed"
	TorchTitan Target = "torchtitan"
)

// Targets lists every target in a fixed order.
var Targets = []Target{Megatron, DeepSpeed, TorchTitan}

// ParseTarget returns the target called name.
func ParseTarget(name string) (Target, bool) {
	for _, t := range Targets {
		if string(t) == name {
			return t, true
		}
	}
	return "", false
}

// Warning is one plan setting that the target cannot express as planc
// compiled it.
type Warning struct {
	Field   string `json:"field"`   // the plan field ("moe.rbd", "cp_mode", "model.ffn_kind")
	Message string `json:"message"` // what the engine lacks
	Nearest string `json:"nearest"` // what was emitted instead, or the engine's nearest setting
}

func (w Warning) String() string {
	return fmt.Sprintf("%s: %s; nearest: %s", w.Field, w.Message, w.Nearest)
}

// Result is the exported launch configuration of one plan.
type Result struct {
	Target Target
	// Script is the launch script: a bash file that writes the engine's
	// configuration file (when it has one) and starts the plan's world
	// under torchrun, one process per device, on every node (srun under
	// Slurm).
	Script string
	// ConfigName and Config are the configuration file embedded in Script
	// (ds_config.json, torchtitan.toml); empty for Megatron.
	ConfigName, Config string
	// Flags are the engine's command-line flags the script passes
	// ("--tensor-model-parallel-size"), in order; Keys the configuration
	// keys it sets, as dotted paths ("zero_optimization.stage",
	// "parallelism.tensor_parallel_degree"); CLIKeys the torchtitan
	// command-line overrides (current registry) as dotted paths.
	Flags, Keys, CLIKeys []string
	// Argv is what the script hands the trainer from the plan: the flags
	// with their values, one argument each (for torchtitan, the current
	// command line's overrides).
	Argv     []string
	Warnings []Warning
}

// Export lowers the compiled unit u to target's launch configuration.
func Export(u *ir.Unit, target Target) (*Result, error) {
	if err := exportable(u); err != nil {
		return nil, err
	}
	switch target {
	case Megatron:
		return exportMegatron(u), nil
	case DeepSpeed:
		return exportDeepSpeed(u), nil
	case TorchTitan:
		return exportTorchTitan(u), nil
	}
	return nil, fmt.Errorf("unknown export target %q (have %s)", target, targetNames())
}

func targetNames() string {
	names := make([]string, len(Targets))
	for i, t := range Targets {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// exportable refuses what no engine setting approximates.
func exportable(u *ir.Unit) error {
	p := u.Plan
	if p.Model.Kind == ir.MLPModel {
		return fmt.Errorf("plan %s trains model %s, a deep feed-forward network (kind = mlp) on a regression task; Megatron-LM, DeepSpeed and torchtitan train transformer language models only", p.Name, p.Model.Name)
	}
	if len(u.Graph.Stages) != p.PP*max(p.VPP, 1) {
		return fmt.Errorf("plan %s has no pipeline partition (%d stages for pp = %d, vpp = %d): compile it without errors first", p.Name, len(u.Graph.Stages), p.PP, p.VPP)
	}
	return nil
}

// warnings collects the warnings of one export.
type warnings []Warning

func (w *warnings) add(field, nearest, format string, args ...any) {
	*w = append(*w, Warning{Field: field, Message: fmt.Sprintf(format, args...), Nearest: nearest})
}

// args is an ordered list of command-line flags with their values.
type args struct {
	items []argItem
}

type argItem struct {
	flag   string
	values []string // none for a switch
}

func (a *args) set(flag string, values ...any) {
	vs := make([]string, len(values))
	for i, v := range values {
		vs[i] = formatValue(v)
	}
	a.items = append(a.items, argItem{flag: flag, values: vs})
}

// flags returns the flag names in order.
func (a *args) flags() []string {
	out := make([]string, len(a.items))
	for i, it := range a.items {
		out[i] = it.flag
	}
	return out
}

// argv returns the flags and their values as separate arguments.
func (a *args) argv() []string {
	var out []string
	for _, it := range a.items {
		out = append(out, it.flag)
		out = append(out, it.values...)
	}
	return out
}

// bashArray renders the flags as the body of a bash array, one flag per
// line, values quoted when the shell would split or expand them.
func (a *args) bashArray(name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s=(\n", name)
	for _, it := range a.items {
		b.WriteString("  " + it.flag)
		for _, v := range it.values {
			b.WriteString(" " + shellQuote(v))
		}
		b.WriteString("\n")
	}
	b.WriteString(")\n")
	return b.String()
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,/:=+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// world is where a plan's ranks run: nodes of perNode devices.
type world struct {
	ranks, nodes, perNode int
}

func worldOf(p *ir.Plan) world {
	per := max(p.Cluster.PerNode, 1)
	n := p.WorldSize()
	return world{ranks: n, nodes: (n + per - 1) / per, perNode: min(per, n)}
}

// layersPerStage returns the transformer layers of each virtual pipeline
// stage, in pipeline order (stage index = chunk·pp + pp rank, as Megatron
// numbers virtual stages).
func layersPerStage(u *ir.Unit) []int {
	out := make([]int, len(u.Graph.Stages))
	for i, s := range u.Graph.Stages {
		out[i] = s.LastLayer - s.FirstLayer
	}
	return out
}

// evenPartition reports whether every stage holds the same layer count.
func evenPartition(counts []int) bool {
	for _, c := range counts {
		if c != counts[0] {
			return false
		}
	}
	return true
}

// firstLastPartition reports whether only the first and last stage differ
// from a common middle count (Megatron's and torchtitan's uneven split),
// and returns the middle count.
func firstLastPartition(counts []int) (middle int, ok bool) {
	if len(counts) < 3 {
		return 0, len(counts) == 2
	}
	mid := counts[1 : len(counts)-1]
	return mid[0], evenPartition(mid)
}

// ffnWidth is the dense FFN width (0 in the model means 4·hidden).
func ffnWidth(m *ir.Model) int {
	if m.FFN > 0 {
		return m.FFN
	}
	return 4 * m.Hidden
}

// moeLayers returns the 0/1 MoE pattern of the model's layers.
func moeLayers(m *ir.Model) []int {
	out := make([]int, m.Layers)
	for i := range out {
		if m.IsMoELayer(i) {
			out[i] = 1
		}
	}
	return out
}

// allMoE reports whether every layer of the model is an MoE layer.
func allMoE(m *ir.Model) bool {
	for _, x := range moeLayers(m) {
		if x == 0 {
			return false
		}
	}
	return true
}

// header is the comment that opens every script: what it launches and
// where the names come from.
func header(u *ir.Unit, engine string, w world) string {
	p := u.Plan
	var b strings.Builder
	fmt.Fprintf(&b, "#!/usr/bin/env bash\n")
	fmt.Fprintf(&b, "# Generated by planc export from plan %s (model %s, cluster %s).\n", p.Name, p.Model.Name, p.Cluster.Name)
	fmt.Fprintf(&b, "# Engine: %s.\n", engine)
	fmt.Fprintf(&b, "# World: %d ranks = dp %d x tp %d x pp %d x cp %d", w.ranks, p.DP, p.TP, p.PP, p.CP)
	if p.EP > 1 {
		fmt.Fprintf(&b, " (ep %d carved out of them)", p.EP)
	}
	fmt.Fprintf(&b, ", on %d node(s) of %d %s.\n", w.nodes, w.perNode, u.Device().Name)
	fmt.Fprintf(&b, "# torchrun, one per node: `srun --nodes=%d --ntasks-per-node=1 bash THIS_SCRIPT` under Slurm,\n", w.nodes)
	b.WriteString("#   else NODE_RANK and MASTER_ADDR set on each node.\n")
	fmt.Fprintf(&b, "# srun, one task per device: `LAUNCHER=srun srun --nodes=%d --ntasks-per-node=%d bash THIS_SCRIPT`.\n", w.nodes, w.perNode)
	b.WriteString("# Arguments after the script go to the trainer.\n")
	b.WriteString("set -euo pipefail\n\n")
	return b.String()
}

// launchPrelude sets LAUNCH, the command that starts the trainer: torchrun
// on every node (rendezvous from Slurm when it is there, else from the
// environment), or with LAUNCHER=srun, python in each Slurm task with the
// rank variables torch.distributed reads.
func launchPrelude(w world) string {
	return fmt.Sprintf(`NNODES=%d
GPUS_PER_NODE=%d
if [[ -z "${MASTER_ADDR:-}" && -n "${SLURM_JOB_NODELIST:-}" ]]; then
  MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
fi
export MASTER_ADDR=${MASTER_ADDR:-localhost}
export MASTER_PORT=${MASTER_PORT:-29500}
if [[ "${LAUNCHER:-torchrun}" == srun ]]; then
  if [[ "${SLURM_NTASKS:-}" != %d ]]; then
    echo "LAUNCHER=srun needs %d Slurm tasks, one per device (SLURM_NTASKS=${SLURM_NTASKS:-unset})" >&2
    exit 2
  fi
  export RANK=$SLURM_PROCID WORLD_SIZE=$SLURM_NTASKS LOCAL_RANK=$SLURM_LOCALID LOCAL_WORLD_SIZE=$GPUS_PER_NODE
  LAUNCH=(python3)
else
  NODE_RANK=${NODE_RANK:-${SLURM_NODEID:-0}}
  LAUNCH=(torchrun --nnodes "$NNODES" --nproc-per-node "$GPUS_PER_NODE" --node-rank "$NODE_RANK"
    --master-addr "$MASTER_ADDR" --master-port "$MASTER_PORT")
fi

`, w.nodes, w.perNode, w.ranks, w.ranks)
}

// heredoc writes content to name from the script.
func heredoc(name, content string) string {
	return fmt.Sprintf("cat > %s <<'PLANC_EOF'\n%sPLANC_EOF\n\n", name, content)
}

// sortedUnique returns the distinct strings of s in order.
func sortedUnique(s []string) []string {
	m := map[string]bool{}
	var out []string
	for _, x := range s {
		if !m[x] {
			m[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// Diagnostics returns the warnings as warning diagnostics at the source of
// the plan or model field each concerns, the nearest setting as the help.
func (r *Result) Diagnostics(p *ir.Plan) ir.Diagnostics {
	out := make(ir.Diagnostics, len(r.Warnings))
	for i, w := range r.Warnings {
		out[i] = ir.Diagnostic{Severity: ir.Warning, Span: fieldSpan(p, w.Field),
			Message: fmt.Sprintf("--to %s: %s", r.Target, w.Message), Suggestion: "nearest: " + w.Nearest}
	}
	return out
}

// fieldSpan finds where a warning's field was written: a model field in the
// model, a plan field in the plan, else the plan itself.
func fieldSpan(p *ir.Plan, field string) ir.Span {
	if f, ok := strings.CutPrefix(field, "model."); ok {
		if s, ok := p.Model.FieldSpans[f]; ok {
			return s
		}
		return p.Model.Span
	}
	return p.FieldSpan(field)
}

// checkpointInterval is the steps between checkpoints: the plan's
// checkpoint_every, or the whole run (planc saves at the end).
func checkpointInterval(t ir.Train) int {
	if t.CheckpointEvery > 0 {
		return t.CheckpointEvery
	}
	return max(t.Steps, 1)
}

// megatronVocabDivisor returns the --make-vocab-size-divisible-by under
// which Megatron's padding (to a multiple of divisor·tp, 128 by default)
// leaves the plan's vocabulary as it is; 0 when the default already does,
// and ok false when no divisor does (tp does not divide the vocabulary).
func megatronVocabDivisor(vocab, tp int) (divisor int, ok bool) {
	if vocab%(128*tp) == 0 {
		return 0, true
	}
	for d := 64; d >= 1; d /= 2 {
		if vocab%(d*tp) == 0 {
			return d, true
		}
	}
	return 0, false
}

// megatronVocab writes the vocabulary flags of Megatron-LM and
// Megatron-DeepSpeed: the NullTokenizer of vocab tokens (Megatron-DeepSpeed's
// adds an end-of-document token to the size it is given, so it gets one
// less), and a padding divisor that keeps the plan's size.
func megatronVocab(a *args, vocab, tp int, tokenizerAddsEOD bool, w *warnings) {
	a.set("--tokenizer-type", "NullTokenizer")
	if tokenizerAddsEOD {
		a.set("--vocab-size", vocab-1)
	} else {
		a.set("--vocab-size", vocab)
	}
	d, ok := megatronVocabDivisor(vocab, tp)
	switch {
	case !ok:
		w.add("model.vocab", fmt.Sprintf("the vocabulary padded to a multiple of tp = %d", tp),
			"the engine pads the vocabulary of %d to a multiple of the tensor-parallel size", vocab)
		a.set("--make-vocab-size-divisible-by", 1)
	case d > 0:
		a.set("--make-vocab-size-divisible-by", d)
	}
}
