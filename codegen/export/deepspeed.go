package export

// The DeepSpeed exporter: the configuration JSON and the Megatron-DeepSpeed
// flags. Key names are those of microsoft/DeepSpeed at
// 38327e07f6cd39b63418f60cedd1651b0be3e7c3 (v0.16.4+6, 2025-02-21):
// deepspeed/runtime/constants.py and the DeepSpeedZeroConfig model of
// deepspeed/runtime/zero/config.py (testdata/engines/deepspeed.txt). Flag
// names are those of microsoft/Megatron-DeepSpeed at
// f4157bea69f3df8c6cb66f2ebcda66ba03d1288e (2024-12-24), megatron/arguments.py
// with deepspeed.add_config_arguments (testdata/engines/megatron-deepspeed.txt).

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"planc/ir"
	"planc/passes"
)

const (
	deepspeedEngine = "DeepSpeed v0.16.4+ (38327e07) with Megatron-DeepSpeed f4157bea, pretrain_gpt.py"
	dsConfigName    = "ds_config.json"
)

// dsConfig is the DeepSpeed configuration; field order is the JSON's.
type dsConfig struct {
	TrainBatchSize            int       `json:"train_batch_size"`
	TrainMicroBatchSizePerGPU int       `json:"train_micro_batch_size_per_gpu"`
	GradientAccumulationSteps int       `json:"gradient_accumulation_steps"`
	GradientClipping          float64   `json:"gradient_clipping"`
	BF16                      *dsSwitch `json:"bf16,omitempty"`
	FP16                      *dsSwitch `json:"fp16,omitempty"`
	ZeroOptimization          dsZero    `json:"zero_optimization"`
	StepsPerPrint             int       `json:"steps_per_print"`
	WallClockBreakdown        bool      `json:"wall_clock_breakdown"`
}

type dsSwitch struct {
	Enabled bool `json:"enabled"`
}

type dsZero struct {
	Stage               int  `json:"stage"`
	OverlapComm         bool `json:"overlap_comm"`
	ContiguousGradients bool `json:"contiguous_gradients"`
	ReduceScatter       bool `json:"reduce_scatter"`
	ReduceBucketSize    int  `json:"reduce_bucket_size"`
	AllgatherBucketSize int  `json:"allgather_bucket_size"`
	PrefetchBucketSize  int  `json:"stage3_prefetch_bucket_size,omitempty"`
}

func exportDeepSpeed(u *ir.Unit) *Result {
	var w warnings
	p := u.Plan
	zero := dsZeroStage(p, &w)
	cfg := dsConfigOf(p, zero)
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		panic(err) // a struct of numbers and booleans always encodes
	}
	config := string(js) + "\n"
	a := mdsArgs(u, zero, &w)
	wd := worldOf(p)
	var b strings.Builder
	b.WriteString(header(u, deepspeedEngine, wd))
	b.WriteString(heredoc(dsConfigName, config))
	b.WriteString(launchPrelude(wd))
	b.WriteString(a.bashArray("PLANC_ARGS"))
	b.WriteString(mdsDataNote)
	b.WriteString(`"${LAUNCH[@]}" pretrain_gpt.py "${PLANC_ARGS[@]}" "${DATA_ARGS[@]}" "$@"` + "\n")
	return &Result{Target: DeepSpeed, Script: b.String(), ConfigName: dsConfigName, Config: config,
		Flags: a.flags(), Keys: jsonKeys(js), Argv: a.argv(), Warnings: w}
}

const mdsDataNote = `
# planc plans name no corpus: point DATA_ARGS at a Megatron-format dataset and its tokenizer.
DATA_ARGS=(--data-path "${DATA_PATH:?set DATA_PATH to a Megatron-format dataset prefix}")

`

// dsZeroStage returns the ZeRO stage DeepSpeed can run the plan with: its
// pipeline engine refuses stages 2 and 3 (runtime/pipe/engine.py), and its
// engine refuses MoE under stage 3 (runtime/engine.py).
func dsZeroStage(p *ir.Plan, w *warnings) int {
	switch {
	case p.PP > 1 && p.Zero >= 2:
		w.add("zero", "ZeRO stage 1 (emitted)", "DeepSpeed's pipeline engine runs ZeRO stages 0 and 1 only, not %d", p.Zero)
		return 1
	case p.Model.MoE != nil && p.Zero == 3:
		w.add("zero", "ZeRO stage 2 (emitted)", "DeepSpeed does not run MoE layers under ZeRO stage 3")
		return 2
	}
	if p.PP > 1 && p.DP > 1 && p.Overlap.GradReduce() {
		w.add("pp", "overlap_comm = false (emitted; DeepSpeed would turn it off)",
			"DeepSpeed's pipeline engine does not overlap the gradient reduction with the backward pass, which planc's cost model assumes")
	}
	return p.Zero
}

func dsConfigOf(p *ir.Plan, zero int) dsConfig {
	bucket := int(passes.GradBucketElements)
	cfg := dsConfig{
		TrainBatchSize:            p.GlobalBatch,
		TrainMicroBatchSizePerGPU: p.MicroBatch,
		GradientAccumulationSteps: p.MicroBatches(),
		GradientClipping:          p.Train.Clip,
		ZeroOptimization: dsZero{Stage: zero, OverlapComm: p.DP > 1 && p.PP == 1 && p.Overlap.GradReduce(), ContiguousGradients: true, ReduceScatter: true,
			ReduceBucketSize: bucket, AllgatherBucketSize: bucket},
		StepsPerPrint: 10,
	}
	if zero == 3 {
		cfg.ZeroOptimization.PrefetchBucketSize = bucket
	}
	switch p.Precision {
	case ir.BF16, ir.FP8: // fp8 GEMMs are the model code's (Transformer Engine), not the config's
		cfg.BF16 = &dsSwitch{Enabled: true}
	case ir.FP16:
		cfg.FP16 = &dsSwitch{Enabled: true}
	}
	return cfg
}

// jsonKeys returns every key of a JSON object, nested ones as dotted paths.
func jsonKeys(js []byte) []string {
	var v map[string]any
	if err := json.Unmarshal(js, &v); err != nil {
		panic(err)
	}
	var out []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, x := range m {
			out = append(out, prefix+k)
			if sub, ok := x.(map[string]any); ok {
				walk(prefix+k+".", sub)
			}
		}
	}
	walk("", v)
	return sortedUnique(out)
}

// mdsArgs returns the Megatron-DeepSpeed flags.
func mdsArgs(u *ir.Unit, zero int, w *warnings) *args {
	p := u.Plan
	a := &args{}
	mdsModel(a, p.Model, p.TP, w)
	mdsParallel(a, u, w)
	mdsMoE(a, p, w)
	a.set("--micro-batch-size", p.MicroBatch)
	a.set("--global-batch-size", p.GlobalBatch)
	switch p.Recompute {
	case ir.RecomputeSelective:
		a.set("--recompute-granularity", "selective")
	case ir.RecomputeFull:
		a.set("--recompute-granularity", "full")
		a.set("--recompute-method", "uniform")
		a.set("--recompute-num-layers", 1)
	}
	switch p.Precision {
	case ir.BF16:
		a.set("--bf16")
	case ir.FP16:
		a.set("--fp16")
	case ir.FP8:
		a.set("--bf16")
		a.set("--fp8-hybrid")
	}
	megatronTrain(a, p) // Megatron-DeepSpeed spells the training flags as Megatron-LM does
	a.set("--deepspeed")
	a.set("--deepspeed_config", dsConfigName)
	a.set("--zero-stage", zero)
	return a
}

func mdsModel(a *args, m *ir.Model, tp int, w *warnings) {
	a.set("--num-layers", m.Layers)
	a.set("--hidden-size", m.Hidden)
	a.set("--num-attention-heads", m.Heads)
	ffn := ffnWidth(m)
	if m.MoE != nil && allMoE(m) {
		ffn = m.MoE.ExpertFFN // the experts' width is --ffn-hidden-size
	}
	a.set("--ffn-hidden-size", ffn)
	a.set("--seq-length", m.Seq)
	a.set("--max-position-embeddings", m.Seq)
	mdsArchitecture(a, m, tp, w)
	a.set("--attention-dropout", m.Dropout)
	a.set("--hidden-dropout", m.Dropout)
	megatronVocab(a, m.Vocab, tp, true, w)
	if !m.TieEmbeddings {
		a.set("--untie-embeddings-and-output-weights")
	}
	if m.FFNKind.IsPhantom() {
		w.add("model.ffn_kind", fmt.Sprintf("a dense FFN of width %d, tensor-parallel over tp (emitted)", ffn),
			"Megatron-DeepSpeed has no phantom FFN (ghost neurons k = %d over %d parts)", m.FFNKind.K, m.FFNKind.Parts)
	}
}

// mdsParallel writes tp, pp, sequence parallelism and the schedule.
func mdsParallel(a *args, u *ir.Unit, w *warnings) {
	p := u.Plan
	a.set("--tensor-model-parallel-size", p.TP)
	if p.PP > 1 {
		a.set("--pipeline-model-parallel-size", p.PP)
		mdsSchedule(a, p, w)
		if counts := layersPerStage(u); p.VPP <= 1 && !evenPartition(counts) {
			w.add("pp", "DeepSpeed's even split by transformer layer", "DeepSpeed's pipeline module takes no per-stage layer counts from the command line (planc's stages hold %v layers)", counts)
		}
	} else {
		a.set("--no-pipeline-parallel")
	}
	zbh1 := p.PP > 1 && p.Schedule.SplitsBackward() // --enable-zbh1-pipeline
	switch {
	case p.SP && p.TP > 1 && zbh1:
		// validate_args refuses --sequence-parallel with the ZB-H1 pipeline.
		w.add("sp", "tensor parallelism without sequence parallelism (the schedule kept)",
			"Megatron-DeepSpeed refuses sequence parallelism with its zero-bubble pipeline")
	case p.SP && p.TP > 1:
		a.set("--sequence-parallel")
	}
	if p.CP > 1 {
		a.set("--ds-sequence-parallel-size", p.CP)
		if p.CPMode != ir.CPUlysses {
			w.add("cp_mode", "DeepSpeed-Ulysses, --ds-sequence-parallel-size (emitted)", "DeepSpeed has no %s context parallelism", p.CPMode)
		}
	}
}

// mdsSchedule: DeepSpeed's pipeline engine runs 1F1B; Megatron-DeepSpeed
// adds ZB-H1.
func mdsSchedule(a *args, p *ir.Plan, w *warnings) {
	switch p.Schedule {
	case ir.ScheduleGPipe:
		w.add("schedule", "DeepSpeed's 1F1B pipeline schedule (same bubble)", "DeepSpeed has no GPipe schedule")
	case ir.ScheduleInterleaved:
		w.add("schedule", "DeepSpeed's 1F1B pipeline schedule, one stage per rank", "DeepSpeed's pipeline engine has no interleaved schedule (vpp = %d)", p.VPP)
	case ir.ScheduleZBH1:
		a.set("--enable-zbh1-pipeline")
	case ir.ScheduleZBV:
		a.set("--enable-zbh1-pipeline")
		w.add("schedule", "ZB-H1, --enable-zbh1-pipeline (emitted), one stage per rank", "Megatron-DeepSpeed has no ZB-V schedule")
	}
}

// mdsMoE writes DeepSpeed-MoE: experts carved out of the data-parallel
// ranks, top-k gating with softmax over all experts.
func mdsMoE(a *args, p *ir.Plan, w *warnings) {
	m := p.Model.MoE
	if m == nil {
		return
	}
	interval, perLayer := mdsExperts(p.Model)
	a.set("--num-experts", perLayer...)
	a.set("--expert-interval", interval)
	a.set("--moe-expert-parallel-size", p.EP)
	if p.TP > 1 && !p.MoE.SSMB {
		a.set("--enable-expert-tensor-parallelism") // experts sharded over tp, as planc shards them
	}
	a.set("--topk", m.TopK)
	a.set("--moe-loss-coeff", m.AuxLoss)
	a.set("--moe-min-capacity", 0) // planc's capacity has no floor
	if p.MoE.Dispatch == ir.DispatchCapacity {
		a.set("--moe-train-capacity-factor", p.MoE.CapacityFactor)
	} else {
		a.set("--moe-train-capacity-factor", 1.0)
		a.set("--disable-moe-token-dropping")
		w.add("moe.dispatch", "--disable-moe-token-dropping (emitted): no token is dropped, but every expert's buffer is padded to the busiest expert's load",
			"DeepSpeed-MoE has no padding-free dispatch")
	}
	if m.Shared > 0 {
		w.add("model.moe.shared", "--mlp-type residual (PR-MoE: one dense MLP beside the experts); not emitted",
			"DeepSpeed-MoE has no shared experts (the model has %d)", m.Shared)
	}
	if !allMoE(p.Model) && m.ExpertFFN != ffnWidth(p.Model) {
		w.add("model.moe.expert_ffn", fmt.Sprintf("--ffn-hidden-size %d for dense layers and experts alike (emitted)", ffnWidth(p.Model)),
			"Megatron-DeepSpeed gives experts the dense FFN width (the model's experts are %d wide)", m.ExpertFFN)
	}
	switch {
	case !m.NormalizeTopK && m.TopK > 1:
		w.add("model.moe.normalize_topk", "renormalized top-k gates", "DeepSpeed-MoE renormalizes the chosen experts' probabilities; planc's model keeps the softmax over all experts")
	case m.NormalizeTopK && m.TopK == 1:
		w.add("model.moe.normalize_topk", "the router probability as the gate", "DeepSpeed-MoE's top-1 gate keeps the router probability; planc's model renormalizes it to 1")
	}
	if p.MoE.SSMB {
		w.add("moe.ssmb", "experts replicated over tp, ep carved out of the data-parallel ranks", "DeepSpeed-MoE has no sequence-sharded MoE blocks")
	}
	if p.MoE.RBD {
		w.add("moe.rbd", "DeepSpeed-MoE's plain all-to-all", "DeepSpeed-MoE has no redundancy-bypassing dispatch")
	}
}

// mdsExperts returns --expert-interval and --num-experts. Megatron-DeepSpeed
// puts experts on the layers whose 1-based number is a multiple of the
// interval; a list of one expert count per layer (1 = dense) at interval 1
// spells any other pattern.
func mdsExperts(m *ir.Model) (interval int, perLayer []any) {
	pattern := moeLayers(m)
	every := max(m.MoE.Every, 1)
	regular := slices.Equal(pattern, intervalPattern(m.Layers, every))
	if regular {
		return every, []any{m.MoE.Experts}
	}
	for _, x := range pattern {
		if x == 1 {
			perLayer = append(perLayer, m.MoE.Experts)
		} else {
			perLayer = append(perLayer, 1)
		}
	}
	return 1, perLayer
}

func intervalPattern(layers, interval int) []int {
	out := make([]int, layers)
	for i := range out {
		if (i+1)%interval == 0 {
			out[i] = 1
		}
	}
	return out
}
