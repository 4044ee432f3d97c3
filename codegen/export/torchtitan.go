package export

// The torchtitan exporter: the v0.2 TOML job file and the command-line
// overrides of torchtitan's current configuration registry. TOML keys are
// those of pytorch/torchtitan tag v0.2.0 (29624e37fa6dd319fd671b009338651b5c665da2,
// 2025-10-17), torchtitan/config/job_config.py
// (testdata/engines/torchtitan-v0.2.txt). Command-line overrides are those
// of pytorch/torchtitan main at b5bcd76c66d0acb1a08b176d9639425bc55e0b2a
// (2026-08-21): Trainer.Config and torchtitan/config/configs.py, where a run
// is chosen with --module/--config and the frozen --SECTION.KEY flags
// override it (testdata/engines/torchtitan-cli.txt).

import (
	"fmt"
	"strconv"
	"strings"

	"planc/ir"
)

const (
	torchtitanEngine = "torchtitan v0.2.0 (TOML job file) and main b5bcd76c (--module/--config with --SECTION.KEY overrides)"
	titanConfigName  = "torchtitan.toml"
)

// tomlSection is one [section] of a TOML file, keys in order.
type tomlSection struct {
	name string
	keys []tomlKey
}

type tomlKey struct {
	key   string
	value any // string, int, float64, bool, [][]string
}

func (s *tomlSection) set(key string, value any) { s.keys = append(s.keys, tomlKey{key, value}) }

func formatTOML(sections []*tomlSection) string {
	var b strings.Builder
	for i, s := range sections {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s]\n", s.name)
		for _, k := range s.keys {
			fmt.Fprintf(&b, "%s = %s\n", k.key, tomlValue(k.value))
		}
	}
	return b.String()
}

func tomlValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0" // a TOML float, not an integer
		}
		return s
	case [][]string:
		parts := make([]string, len(x))
		for i, inner := range x {
			q := make([]string, len(inner))
			for j, s := range inner {
				q[j] = strconv.Quote(s)
			}
			parts[i] = "[" + strings.Join(q, ", ") + "]"
		}
		return "[\n  " + strings.Join(parts, ",\n  ") + ",\n]"
	}
	return formatValue(v)
}

func exportTorchTitan(u *ir.Unit) *Result {
	var w warnings
	p := u.Plan
	titanModelWarnings(p, &w)
	sections := titanTOML(u, &w)
	config := formatTOML(sections)
	cli := titanCLI(u, &w)
	var keys []string
	for _, s := range sections {
		for _, k := range s.keys {
			keys = append(keys, s.name+"."+k.key)
		}
	}
	var cliKeys []string
	for _, f := range cli.flags() {
		cliKeys = append(cliKeys, strings.TrimPrefix(f, "--"))
	}
	wd := worldOf(p)
	var b strings.Builder
	b.WriteString(header(u, torchtitanEngine, wd))
	b.WriteString(heredoc(titanConfigName, config))
	b.WriteString(launchPrelude(wd))
	b.WriteString("# torchtitan v0.2: the TOML job file above.\n")
	fmt.Fprintf(&b, "V02=(-m torchtitan.train --job.config_file %s)\n\n", titanConfigName)
	b.WriteString("# torchtitan main: a registered configuration (--module/--config; set TITAN_MODULE and\n")
	b.WriteString("# TITAN_CONFIG to one with the model above) and the plan as command-line overrides.\n")
	module := titanModelName(p.Model)
	fmt.Fprintf(&b, "CURRENT=(-m torchtitan.train --module \"${TITAN_MODULE:-%s}\" --config \"${TITAN_CONFIG:-%s_debugmodel}\")\n", module, module)
	b.WriteString(cli.bashArray("OVERRIDES"))
	b.WriteString("\nif [[ \"${TORCHTITAN_API:-v0.2}\" == v0.2 ]]; then\n")
	b.WriteString("  \"${LAUNCH[@]}\" \"${V02[@]}\" \"$@\"\nelse\n")
	b.WriteString("  \"${LAUNCH[@]}\" \"${CURRENT[@]}\" \"${OVERRIDES[@]}\" \"$@\"\nfi\n")
	return &Result{Target: TorchTitan, Script: b.String(), ConfigName: titanConfigName, Config: config,
		Flags: cli.flags(), Keys: keys, CLIKeys: cliKeys, Argv: cli.argv(), Warnings: w}
}

// gpt2Style reports a model with any of GPT-2's choices that torchtitan's
// models lack: learned positions, LayerNorm, a two-matrix GELU MLP.
func gpt2Style(m *ir.Model) bool {
	return m.Position != ir.PositionRoPE || m.Norm != ir.NormRMS || m.MLP != ir.MLPSwiGLU
}

// titanRouterWords describes the router for a warning.
func titanRouterWords(moe *ir.MoE) string {
	words := "softmax over all experts"
	if moe.Router == ir.RouterSigmoid {
		words = "sigmoid affinities"
	}
	if moe.Groups > 0 {
		words += fmt.Sprintf(", top-%d of %d groups", moe.TopKGroups, moe.Groups)
	}
	if moe.BiasBalance {
		words += ", expert-bias balancing"
	}
	return words
}

// titanModelName is torchtitan's nearest model: llama3 for a dense
// transformer, deepseek_v3 (routed and shared experts, top-k) for MoE.
func titanModelName(m *ir.Model) string {
	if m.MoE != nil {
		return "deepseek_v3"
	}
	return "llama3"
}

// titanModelWarnings: torchtitan's models are defined in Python; the shape
// of planc's GPT cannot be set from the job file or the command line.
func titanModelWarnings(p *ir.Plan, w *warnings) {
	m := p.Model
	shape := fmt.Sprintf("dim %d, n_layers %d, n_heads %d, vocab %d, seq %d, ffn %d", m.Hidden, m.Layers, m.Heads, m.Vocab, m.Seq, ffnWidth(m))
	if m.TieEmbeddings {
		shape += ", tied embeddings"
	}
	if m.MoE != nil {
		shape += fmt.Sprintf(", %d routed experts (top-%d, width %d), %d shared, first %d dense, every %d, aux loss %g, %s",
			m.MoE.Experts, m.MoE.TopK, m.MoE.ExpertFFN, m.MoE.Shared, m.MoE.FirstDense, m.MoE.Every, m.MoE.AuxLoss, titanRouterWords(m.MoE))
		if m.MoE.NormalizeTopK {
			shape += " renormalized over the top-k"
		}
	}
	if gpt2Style(m) {
		w.add("model", fmt.Sprintf("model.name = %q with a flavor registered under the plan's name (%s)", titanModelName(m), shape),
			"torchtitan has no GPT-2-style model (learned positions, LayerNorm, GELU, biases); its models are RoPE/RMSNorm/SwiGLU and their shape is a Python flavor")
	} else {
		w.add("model", fmt.Sprintf("model.name = %q with a flavor registered under the plan's name (%s)", titanModelName(m), shape),
			"torchtitan's model shapes are Python flavors, not configuration: register one of this shape")
	}
	if m.FFNKind.IsPhantom() {
		w.add("model.ffn_kind", "a dense FFN, tensor-parallel over tp", "torchtitan has no phantom FFN (ghost neurons k = %d over %d parts)", m.FFNKind.K, m.FFNKind.Parts)
	}
	if m.MoE != nil {
		if p.MoE.Dispatch == ir.DispatchCapacity {
			w.add("moe.dispatch", "torchtitan's dropless MoE (no capacity, nothing dropped)", "torchtitan has no capacity-factor dispatch (cf %g)", p.MoE.CapacityFactor)
		}
		if p.MoE.RBD {
			w.add("moe.rbd", "torchtitan's all-to-all dispatch", "torchtitan has no redundancy-bypassing dispatch")
		}
	}
	if p.Precision == ir.FP16 {
		w.add("precision", "bfloat16 mixed precision (emitted)", "torchtitan trains in bf16 or fp32, not fp16")
	}
	if p.Precision == ir.FP8 {
		w.add("precision", "bfloat16 mixed precision (emitted); torchtitan's float8 converter is a model option, not written here",
			"planc does not write torchtitan's float8 settings")
	}
	titanArchitectureWarnings(m, w)
}

// titanDP splits planc's data parallelism into FSDP2's replicate and shard
// degrees by ZeRO stage. torchtitan borrows expert-parallel ranks from the
// shard dimension (times cp, and tp when experts are not tp-sharded), so a
// ZeRO-0 MoE plan still shards over the fewest ranks that hold its ep.
func titanDP(p *ir.Plan, w *warnings) (replicate, shard int, reshard string) {
	switch {
	case p.DP == 1:
		return 1, 1, "default"
	case p.Zero == 3:
		return 1, p.DP, "default"
	case p.Zero == 0:
		s := titanMinShard(p)
		if s > 1 {
			w.add("zero", fmt.Sprintf("HSDP with data_parallel_shard_degree = %d (emitted): the fewest FSDP shards that hold ep = %d", s, p.EP),
				"torchtitan carves expert parallelism out of FSDP's shard ranks; it has no ZeRO-0 expert parallelism")
		}
		return p.DP / s, s, "default"
	}
	w.add("zero", "FSDP2 over dp with fsdp_reshard_after_forward = \"never\" (emitted): parameters gathered once per step and kept through backward",
		"torchtitan shards with FSDP2 (ZeRO-3 style); it has no ZeRO-%d", p.Zero)
	return 1, p.DP, "never"
}

// titanMinShard is the smallest divisor s of dp with ep dividing s·cp (s·cp·tp
// when experts are not tp-sharded, under ssmb); 1 for a dense model.
func titanMinShard(p *ir.Plan) int {
	if p.Model.MoE == nil || p.EP <= 1 {
		return 1
	}
	span := p.CP
	if p.MoE.SSMB {
		span *= p.TP
	}
	for s := 1; s <= p.DP; s++ {
		if p.DP%s == 0 && (s*span)%p.EP == 0 {
			return s
		}
	}
	return p.DP
}

// titanTOML builds the v0.2 job file.
func titanTOML(u *ir.Unit, w *warnings) []*tomlSection {
	p := u.Plan
	m := p.Model
	t := p.Train
	job := &tomlSection{name: "job"}
	job.set("description", "planc export of plan "+p.Name)
	model := &tomlSection{name: "model"}
	model.set("name", titanModelName(m))
	model.set("flavor", p.Name)
	opt := &tomlSection{name: "optimizer"}
	opt.set("name", "AdamW")
	opt.set("lr", t.LR)
	opt.set("beta1", 0.9)
	opt.set("beta2", 0.95)
	opt.set("eps", 1e-8)
	opt.set("weight_decay", t.WeightDecay)
	lrs := &tomlSection{name: "lr_scheduler"}
	lrs.set("warmup_steps", t.Warmup)
	lrs.set("decay_type", "cosine")
	lrs.set("min_lr_factor", minLRFactor(t))
	training := &tomlSection{name: "training"}
	local := p.MicroBatch
	if p.PP > 1 {
		local = p.GlobalBatch / p.DP // all micro-batches of a step go through the pipeline at once
	}
	training.set("local_batch_size", local)
	training.set("global_batch_size", p.GlobalBatch)
	training.set("seq_len", m.Seq)
	training.set("max_norm", t.Clip)
	training.set("steps", t.Steps)
	training.set("mixed_precision_param", titanDType(p))
	training.set("seed", t.Seed)
	par := titanParallelism(u, w)
	ac := &tomlSection{name: "activation_checkpoint"}
	switch p.Recompute {
	case ir.RecomputeNone:
		ac.set("mode", "none")
	case ir.RecomputeFull:
		ac.set("mode", "full")
	case ir.RecomputeSelective:
		ac.set("mode", "selective")
		ac.set("selective_ac_option", "op")
		w.add("recompute", "activation_checkpoint.mode = \"selective\" with selective_ac_option = \"op\" (emitted): saves every other matmul and the attention output",
			"torchtitan has no policy that recomputes exactly the attention core (Korthikanti's selective recompute)")
	}
	ckpt := &tomlSection{name: "checkpoint"}
	ckpt.set("enable", true)
	ckpt.set("interval", checkpointInterval(t))
	return []*tomlSection{job, model, opt, lrs, training, par, ac, ckpt}
}

func minLRFactor(t ir.Train) float64 {
	if t.LR == 0 {
		return 0
	}
	return t.MinLR / t.LR
}

func titanDType(p *ir.Plan) string {
	if p.Precision == ir.FP32 {
		return "float32"
	}
	return "bfloat16"
}

// titanParallelism builds [parallelism]: the degrees, the schedule and the
// exact pipeline partition (module names per virtual stage).
func titanParallelism(u *ir.Unit, w *warnings) *tomlSection {
	p := u.Plan
	s := &tomlSection{name: "parallelism"}
	rep, shard, reshard := titanDP(p, w)
	s.set("data_parallel_replicate_degree", rep)
	s.set("data_parallel_shard_degree", shard)
	s.set("fsdp_reshard_after_forward", reshard)
	s.set("tensor_parallel_degree", p.TP)
	if p.TP > 1 && !p.SP {
		w.add("sp", "tensor parallelism with sequence parallelism (torchtitan v0.2 always applies it)", "torchtitan v0.2 has no tensor parallelism without sequence parallelism")
	}
	s.set("pipeline_parallel_degree", p.PP)
	if p.PP > 1 {
		s.set("pipeline_parallel_schedule", titanSchedule(p, w))
		s.set("pipeline_parallel_microbatch_size", p.MicroBatch)
		s.set("module_fqns_per_model_part", titanModuleParts(u))
	}
	s.set("context_parallel_degree", p.CP)
	if p.CP > 1 {
		s.set("context_parallel_rotate_method", titanRotate(p, w))
	}
	if p.Model.MoE != nil {
		s.set("expert_parallel_degree", p.EP)
		etp := p.TP
		if p.MoE.SSMB {
			etp = 1
			w.add("moe.ssmb", "expert_tensor_parallel_degree = 1 (emitted): ep borrows the tp ranks, whose tokens sequence parallelism already splits",
				"torchtitan has no sequence-sharded MoE blocks as such")
		}
		s.set("expert_tensor_parallel_degree", etp)
		titanCheckEP(p, shard, etp, w)
	}
	return s
}

// titanCheckEP warns when torchtitan's ParallelDims would refuse the
// expert mesh: ep must be a multiple of cp (cp·tp when etp = 1) and divide
// dp_shard·cp (dp_shard·cp·tp).
func titanCheckEP(p *ir.Plan, shard, etp int, w *warnings) {
	span := p.CP
	if etp == 1 {
		span *= p.TP
	}
	if p.EP > 1 && (p.EP%span != 0 || (shard*span)%p.EP != 0) {
		w.add("ep", "none: choose ep as a multiple of that span which divides it times the FSDP shards",
			"torchtitan needs ep = %d to be a multiple of cp%s = %d and to divide data_parallel_shard_degree times it (%d)",
			p.EP, map[bool]string{true: "·tp", false: ""}[etp == 1 && p.TP > 1], span, shard*span)
	}
}

// titanSchedule names PyTorch's pipeline schedule class.
func titanSchedule(p *ir.Plan, w *warnings) string {
	switch p.Schedule {
	case ir.ScheduleGPipe:
		return "GPipe"
	case ir.ScheduleInterleaved:
		return "Interleaved1F1B"
	case ir.ScheduleZBH1:
		w.add("schedule", "1F1B (emitted); InterleavedZeroBubble needs two or more stages per rank",
			"PyTorch's pipelining has no single-stage zero-bubble (ZB-H1) schedule")
		return "1F1B"
	case ir.ScheduleZBV:
		return "ZBVZeroBubble"
	}
	return "1F1B"
}

// titanRotate maps cp_mode to the K/V exchange of PyTorch's ring attention.
func titanRotate(p *ir.Plan, w *warnings) string {
	switch p.CPMode {
	case ir.CPRing:
		return "alltoall"
	case ir.CPAllGather:
		return "allgather"
	}
	w.add("cp_mode", "context_parallel_rotate_method = \"allgather\" (emitted): one all-gather of K and V",
		"torchtitan's context parallelism is ring attention only; it has no %s", p.CPMode)
	return "allgather"
}

// titanModuleParts lists the module names of each virtual stage in
// pipeline order: the embedding on the first, the final norm and the
// output head on the last.
func titanModuleParts(u *ir.Unit) [][]string {
	stages := u.Graph.Stages
	out := make([][]string, len(stages))
	for i, s := range stages {
		var names []string
		if i == 0 {
			names = append(names, "tok_embeddings")
		}
		for l := s.FirstLayer; l < s.LastLayer; l++ {
			names = append(names, fmt.Sprintf("layers.%d", l))
		}
		if i == len(stages)-1 {
			names = append(names, "norm", "output")
		}
		out[i] = names
	}
	return out
}

// titanCLI returns the overrides of torchtitan main's frozen command line;
// what it cannot carry is named in one warning.
func titanCLI(u *ir.Unit, w *warnings) *args {
	p := u.Plan
	a := &args{}
	var ignored warnings // the TOML already warned about these settings
	rep, shard, reshard := titanDP(p, &ignored)
	a.set("--parallelism.data_parallel_replicate_degree", rep)
	a.set("--parallelism.data_parallel_shard_degree", shard)
	a.set("--parallelism.fsdp_reshard_after_forward", reshard)
	a.set("--parallelism.tensor_parallel_degree", p.TP)
	a.set("--parallelism.pipeline_parallel_degree", p.PP)
	var missing []string
	if p.PP > 1 {
		a.set("--parallelism.pipeline_parallel_schedule", titanSchedule(p, &ignored))
		a.set("--parallelism.num_pp_microbatches", p.MicroBatches())
		if counts := layersPerStage(u); !titanCLIPartition(a, counts) {
			w.add("pp", "parallelism.module_fqns_per_model_part in the Trainer.Config that --config returns (the v0.2 TOML has it)",
				"torchtitan main's command line cannot give each stage its layers (planc's stages hold %v)", counts)
		}
	}
	a.set("--parallelism.context_parallel_degree", p.CP)
	if p.Model.MoE != nil {
		a.set("--parallelism.expert_parallel_degree", p.EP)
		missing = append(missing, "the expert tensor-parallel degree")
	}
	a.set("--training.num_tokens_per_microbatch_per_dp_rank", p.MicroBatch*p.Model.Seq)
	a.set("--training.num_tokens_per_train_step", p.GlobalBatch*p.Model.Seq)
	a.set("--training.max_context_length", p.Model.Seq)
	a.set("--training.max_norm", p.Train.Clip)
	a.set("--training.steps", p.Train.Steps)
	a.set("--training.mixed_precision_param", titanDType(p))
	a.set("--lr_scheduler.warmup_steps", p.Train.Warmup)
	a.set("--lr_scheduler.decay_type", "cosine")
	a.set("--lr_scheduler.min_lr_factor", minLRFactor(p.Train))
	a.set("--debug.seed", p.Train.Seed)
	a.set("--checkpoint.enable")
	a.set("--checkpoint.interval", checkpointInterval(p.Train))
	missing = append(missing, "activation checkpointing (recompute = "+string(p.Recompute)+")", "the optimizer's lr and weight decay")
	if p.CP > 1 {
		missing = append(missing, "the cp K/V exchange")
	}
	if p.TP > 1 && !p.SP {
		missing = append(missing, "sequence parallelism off")
	}
	w.add("torchtitan main", "set them in the Trainer.Config that --config returns (they are in the v0.2 TOML)",
		"its frozen command line has no option for %s", strings.Join(missing, ", "))
	return a
}

// titanCLIPartition expresses an even or first/last-uneven partition with
// layers_per_stage and the first/last stages' missing layers; it reports
// false for any other partition.
func titanCLIPartition(a *args, counts []int) bool {
	middle, ok := firstLastPartition(counts)
	if evenPartition(counts) {
		middle, ok = counts[0], true
	}
	first, last := counts[0], counts[len(counts)-1]
	if len(counts) == 2 {
		middle = max(first, last)
	}
	if !ok || middle < 1 || first > middle || last > middle {
		return false
	}
	a.set("--parallelism.pipeline_parallel_layers_per_stage", middle)
	a.set("--parallelism.pipeline_parallel_first_stage_less_layers", middle-first)
	a.set("--parallelism.pipeline_parallel_last_stage_less_layers", middle-last)
	return true
}
