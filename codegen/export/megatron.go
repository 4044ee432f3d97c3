package export

// The Megatron-LM exporter. Flag names are those of NVIDIA/Megatron-LM main
// at d98e8a64ddf34856e74b24714e3bedb2f5a39553 (2026-08-22, git describe
// core_v0.15.0rc7-2333): megatron/training/arguments.py and the config
// dataclasses it turns into flags (TransformerConfig, ModelParallelConfig,
// TrainingConfig, ...). testdata/engines/megatron-lm.txt lists them.

import (
	"fmt"
	"strings"

	"planc/ir"
	"planc/passes"
)

const megatronEngine = "Megatron-LM main d98e8a64dd (core_v0.15.0rc7+), pretrain_gpt.py"

func exportMegatron(u *ir.Unit) *Result {
	var w warnings
	a := megatronArgs(u, &w)
	wd := worldOf(u.Plan)
	var b strings.Builder
	b.WriteString(header(u, megatronEngine, wd))
	b.WriteString(launchPrelude(wd))
	b.WriteString(a.bashArray("PLANC_ARGS"))
	b.WriteString(megatronDataNote)
	b.WriteString(`"${LAUNCH[@]}" pretrain_gpt.py "${PLANC_ARGS[@]}" "${DATA_ARGS[@]}" "$@"` + "\n")
	return &Result{Target: Megatron, Script: b.String(), Flags: a.flags(), Argv: a.argv(), Warnings: w}
}

// megatronDataNote: planc plans carry no corpus; the script trains on
// Megatron's mock data unless DATA_ARGS is replaced.
const megatronDataNote = `
# planc plans name no corpus: replace the mock data with --data-path and a tokenizer.
DATA_ARGS=(--mock-data)

`

// megatronArgs returns the Megatron-LM flags of the plan, section by section.
func megatronArgs(u *ir.Unit, w *warnings) *args {
	a := &args{}
	p := u.Plan
	megatronModel(a, p.Model, p.TP, w)
	megatronParallel(a, u, w)
	megatronMoE(a, p, w)
	megatronBatch(a, p)
	megatronRecompute(a, p)
	megatronOptimizer(a, p, w)
	megatronPrecision(a, p)
	megatronTrain(a, p)
	return a
}

// megatronModel writes the model's shape: its position encoding, norm, MLP
// and attention (architecture.go), and its dropout rate (0 unless the
// model writes one).
func megatronModel(a *args, m *ir.Model, tp int, w *warnings) {
	a.set("--num-layers", m.Layers)
	a.set("--hidden-size", m.Hidden)
	a.set("--num-attention-heads", m.Heads)
	a.set("--ffn-hidden-size", ffnWidth(m))
	a.set("--seq-length", m.Seq)
	a.set("--max-position-embeddings", m.Seq)
	megatronArchitecture(a, m, tp, w)
	a.set("--attention-dropout", m.Dropout)
	a.set("--hidden-dropout", m.Dropout)
	megatronVocab(a, m.Vocab, tp, false, w)
	if !m.TieEmbeddings {
		a.set("--untie-embeddings-and-output-weights")
	}
	if m.FFNKind.IsPhantom() {
		w.add("model.ffn_kind", fmt.Sprintf("a dense FFN of width %d, tensor-parallel over tp (emitted)", ffnWidth(m)),
			"Megatron-LM has no phantom FFN (ghost neurons k = %d over %d parts)", m.FFNKind.K, m.FFNKind.Parts)
	}
}

// megatronParallel writes tp, pp and its partition, cp and sp.
func megatronParallel(a *args, u *ir.Unit, w *warnings) {
	p := u.Plan
	a.set("--tensor-model-parallel-size", p.TP)
	a.set("--pipeline-model-parallel-size", p.PP)
	if p.PP > 1 {
		megatronPartition(a, u)
		megatronSchedule(p, w)
	}
	if p.CP > 1 {
		a.set("--context-parallel-size", p.CP)
		a.set("--cp-comm-type", megatronCPComm(p, w))
	}
	if p.TP > 1 && (p.SP || p.Model.MoE != nil) {
		a.set("--sequence-parallel")
		if !p.SP {
			// MoELayer.forward raises in training under tp without sp.
			w.add("sp", "--sequence-parallel (emitted): the same model, with the activations outside attention split over tp",
				"Megatron-LM refuses to train MoE layers with tensor parallelism but without sequence parallelism")
		}
	}
}

// megatronPartition expresses the compiled pipeline partition: the virtual
// stage count when it is even; without virtual stages, the first and last
// stage's layers when only they differ (Megatron splits the rest evenly;
// with virtual stages those flags count a whole pp rank, so they cannot say
// it); else the whole layout.
func megatronPartition(a *args, u *ir.Unit) {
	p := u.Plan
	counts := layersPerStage(u)
	vpp := max(p.VPP, 1)
	if evenPartition(counts) {
		if vpp > 1 {
			a.set("--num-virtual-stages-per-pipeline-rank", vpp)
		}
		return
	}
	n := len(counts)
	if middle, ok := firstLastPartition(counts); ok && vpp == 1 && counts[0] > 0 && counts[n-1] > 0 {
		if n == 2 {
			a.set("--decoder-first-pipeline-num-layers", counts[0]) // the last takes the rest
			return
		}
		if middle > 0 {
			if counts[0] != middle {
				a.set("--decoder-first-pipeline-num-layers", counts[0])
			}
			if counts[n-1] != middle {
				a.set("--decoder-last-pipeline-num-layers", counts[n-1])
			}
			return
		}
	}
	a.set("--pipeline-model-parallel-layout", megatronLayout(counts))
}

// megatronLayout spells a partition in Megatron's layout language: stages
// separated by |, E the embedding, t a transformer layer (t*n for n of
// them), L the loss.
func megatronLayout(counts []int) string {
	parts := make([]string, len(counts))
	for i, c := range counts {
		var s string
		if i == 0 {
			s = "E"
		}
		switch {
		case c == 1:
			s += "t"
		case c > 1:
			s += fmt.Sprintf("t*%d", c)
		}
		if i == len(counts)-1 {
			s += "L"
		}
		parts[i] = s
	}
	return strings.Join(parts, "|")
}

// megatronSchedule warns for the pipeline schedules Megatron-LM lacks.
func megatronSchedule(p *ir.Plan, w *warnings) {
	switch p.Schedule {
	case ir.ScheduleGPipe:
		w.add("schedule", "1F1B, Megatron's default (same bubble, fewer micro-batches in flight)",
			"Megatron-LM has no GPipe schedule")
	case ir.ScheduleZBH1:
		w.add("schedule", "1F1B, Megatron's default (the bubble of W is not filled); Megatron-DeepSpeed has --enable-zbh1-pipeline",
			"Megatron-LM has no zero-bubble (ZB-H1) schedule")
	case ir.ScheduleZBV:
		w.add("schedule", "the interleaved 1F1B schedule with 2 virtual stages per rank (emitted)",
			"Megatron-LM has no ZB-V schedule (V-shaped stage placement, deferred weight gradients)")
	}
}

// megatronCPComm maps cp_mode to --cp-comm-type.
func megatronCPComm(p *ir.Plan, w *warnings) string {
	switch p.CPMode {
	case ir.CPUlysses:
		return "a2a"
	case ir.CPAllGather:
		return "all_gather"
	case ir.CPLSS:
		w.add("cp_mode", "--cp-comm-type all_gather (emitted): one all-gather of K and V per layer; Megatron reduces gradients over dp×cp in one group as LSS does",
			"Megatron-LM has no LSS sequence parallelism (fused K/V exchange with double gradient averaging)")
		return "all_gather"
	}
	return "p2p"
}

// megatronMoE writes the experts, the router and the dispatch.
func megatronMoE(a *args, p *ir.Plan, w *warnings) {
	m := p.Model.MoE
	if m == nil {
		return
	}
	a.set("--num-experts", m.Experts)
	a.set("--moe-router-topk", m.TopK)
	a.set("--moe-ffn-hidden-size", m.ExpertFFN)
	megatronRouter(a, m)
	if m.Shared > 0 {
		a.set("--moe-shared-expert-intermediate-size", m.Shared*m.ExpertFFN)
	}
	if !allMoE(p.Model) {
		a.set("--moe-layer-freq", moeLayerFreq(p.Model))
	}
	a.set("--moe-router-load-balancing-type", "aux_loss")
	a.set("--moe-aux-loss-coeff", m.AuxLoss)
	if !m.NormalizeTopK {
		// planc's router takes the softmax over all experts before the
		// top-k and keeps those probabilities; Megatron's default
		// renormalizes over the chosen k.
		a.set("--moe-router-pre-softmax")
	}
	a.set("--expert-model-parallel-size", p.EP)
	etp := p.TP
	if p.MoE.SSMB {
		etp = 1
		w.add("moe.ssmb", "--expert-tensor-parallel-size 1 (emitted), so that the expert layers fold ep over the tp ranks; with --sequence-parallel each tp rank then routes its own slice of the tokens",
			"Megatron-LM has no sequence-sharded MoE blocks as such")
	}
	a.set("--expert-tensor-parallel-size", etp)
	a.set("--moe-token-dispatcher-type", "alltoall")
	a.set("--moe-grouped-gemm")
	if p.MoE.Dispatch == ir.DispatchCapacity {
		a.set("--moe-expert-capacity-factor", p.MoE.CapacityFactor)
		a.set("--moe-pad-expert-input-to-capacity")
		a.set("--moe-token-drop-policy", "position")
	}
	if p.MoE.RBD {
		w.add("moe.rbd", "--moe-token-dispatcher-type flex with --moe-flex-dispatcher-backend deepep, whose inter-node dispatch also sends a token once per destination node; alltoall is emitted",
			"Megatron-LM has no redundancy-bypassing dispatch (pilot copy per node)")
	}
}

// moeLayerFreq spells the model's MoE layer pattern as the Python list
// expression --moe-layer-freq accepts (1 = MoE).
func moeLayerFreq(m *ir.Model) string {
	pattern := moeLayers(m)
	every := max(m.MoE.Every, 1)
	if every == 1 {
		f := m.MoE.FirstDense
		return fmt.Sprintf("([0]*%d+[1]*%d)", f, m.Layers-f)
	}
	s := make([]string, len(pattern))
	for i, x := range pattern {
		s[i] = fmt.Sprint(x)
	}
	return "[" + strings.Join(s, ",") + "]"
}

func megatronBatch(a *args, p *ir.Plan) {
	a.set("--micro-batch-size", p.MicroBatch)
	a.set("--global-batch-size", p.GlobalBatch)
}

// megatronRecompute: selective recomputes the attention core (Korthikanti
// et al.); full keeps each layer's input and recomputes the layer.
func megatronRecompute(a *args, p *ir.Plan) {
	switch p.Recompute {
	case ir.RecomputeSelective:
		a.set("--recompute-granularity", "selective")
		a.set("--recompute-modules", "core_attn")
	case ir.RecomputeFull:
		a.set("--recompute-granularity", "full")
		a.set("--recompute-method", "uniform")
		a.set("--recompute-num-layers", 1)
	}
}

// megatronOptimizer writes ZeRO and the overlap switches of the plan's
// overlap block, which the cost model assumed (gradient buckets of
// passes.GradBucketElements).
func megatronOptimizer(a *args, p *ir.Plan, w *warnings) {
	switch p.Zero {
	case 1:
		a.set("--use-distributed-optimizer")
	case 2, 3:
		// Megatron-FSDP (version 1 needs the distributed optimizer, and
		// validate_args wants its checkpoint format).
		strategy := map[int]string{2: "optim_grads", 3: "optim_grads_params"}[p.Zero]
		a.set("--use-distributed-optimizer")
		a.set("--use-megatron-fsdp")
		a.set("--data-parallel-sharding-strategy", strategy)
		a.set("--ckpt-format", "fsdp_dtensor")
	}
	if p.DP*p.CP > 1 {
		if p.Overlap.GradReduce() {
			a.set("--overlap-grad-reduce")
		}
		a.set("--ddp-bucket-size", int(passes.GradBucketElements))
		if p.Zero >= 1 && p.Overlap.ParamGather {
			a.set("--overlap-param-gather")
		}
	}
	if p.TP > 1 && p.Overlap.TPComm {
		a.set("--tp-comm-overlap")
	}
	if p.EP > 1 && p.Overlap.MoEDispatch {
		a.set("--overlap-moe-expert-parallel-comm")
	}
}

func megatronPrecision(a *args, p *ir.Plan) {
	switch p.Precision {
	case ir.BF16:
		a.set("--bf16")
	case ir.FP16:
		a.set("--fp16")
	case ir.FP8:
		a.set("--bf16") // Transformer Engine: fp8 GEMMs, bf16 everything else
		a.set("--fp8-format", "hybrid")
	}
}

// megatronTrain writes the plan's train block: AdamW (β 0.9/0.95, eps 1e-8)
// with linear warm-up and cosine decay, global-norm clipping.
func megatronTrain(a *args, p *ir.Plan) {
	t := p.Train
	a.set("--train-iters", t.Steps)
	a.set("--lr", t.LR)
	a.set("--min-lr", t.MinLR)
	a.set("--lr-warmup-iters", t.Warmup)
	a.set("--lr-decay-style", "cosine")
	a.set("--adam-beta1", 0.9)
	a.set("--adam-beta2", 0.95)
	a.set("--adam-eps", 1e-8)
	a.set("--weight-decay", t.WeightDecay)
	a.set("--clip-grad", t.Clip)
	a.set("--seed", t.Seed)
	a.set("--save", "checkpoints")
	a.set("--save-interval", checkpointInterval(t))
}
