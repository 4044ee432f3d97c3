package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"planc/ir"
	"planc/passes"
)

func init() {
	register(&command{name: "explain", summary: "memory, time, communication and energy of a plan (--json, --compare KEY=V1,V2)", run: runExplain})
}

// runExplain implements `planc explain FILE [--plan NAME] [--set ...]
// [--json] [--compare KEY=V1,V2,...] [--verify-each] [-d dump=PASS] [-d
// time]`: it compiles each selected plan and prints its report, or with
// --compare one column per value of KEY (any --set key).
func runExplain(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("explain", "[--plan NAME] [--set NAME=VALUE]... [--json] [--compare KEY=V1,V2,...] [-d OPTION] FILE...", stderr,
		"explain examples/tiny_gpt.plan",
		"explain --plan cal_175b_selective examples/calibration.plan",
		"explain --compare moe.dispatch=capacity,padding_free examples/xmoe_small.plan",
		"explain --compare plan=pf_capacity,pf_padding_free examples/padding_free.plan",
		"explain -d time --json examples/frontier_1t.plan")
	pf := addPlanFlags(fs)
	var compare multiFlag
	fs.Var(&compare, "compare", "compare variants side by side: `KEY=V1,V2,...` (any --set name, e.g. moe.dispatch=padding_free,capacity, or plan=A,B for plans of the files); a value may add settings of its own with +, e.g. moe.ssmb=true,false+ep=128; repeated, the variants are every combination")
	verify := fs.Bool("verify-each", false, "run the IR verifier after every pass")
	var debug multiFlag
	fs.Var(&debug, "d", "debug `option`: dump=PASS[,PASS] prints the IR after the passes, time prints pass timings")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(fs, "no files")
	}
	opts, err := passOptions(debug, *verify, stderr)
	opts.Skip = explainSkips(pf.json, opts)
	if err != nil {
		fmt.Fprintf(stderr, "planc explain: %v\n", err)
		return exitUsage
	}
	if len(compare) > 0 {
		return explainCompare(fs.Args(), pf, compare, opts, stdout, stderr)
	}
	prog, plans, code := pf.load(fs.Args(), stderr)
	if code != exitOK {
		return code
	}
	if len(plans) == 0 {
		fmt.Fprintln(stderr, "planc explain: the files declare no plan")
		return exitError
	}
	worst := exitOK
	var reports []explainJSON
	for _, p := range plans {
		u, diags := passes.Compile(prog, p, opts)
		printDiagnostics(stderr, diags, prog.Sources, pf.json)
		if diags.HasErrors() {
			worst = exitError
		}
		if u == nil || u.Cost == nil {
			worst = exitError
			continue
		}
		if pf.json {
			reports = append(reports, reportJSON(u, diags))
		} else {
			writeReport(stdout, u)
		}
	}
	if pf.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if len(reports) == 1 {
			enc.Encode(reports[0])
		} else {
			enc.Encode(map[string]any{"plans": reports})
		}
	}
	return worst
}

// passOptions turns -d options and --verify-each into pass options.
func passOptions(debug []string, verify bool, stderr io.Writer) (passes.Options, error) {
	opts := passes.Options{VerifyEach: verify, DumpTo: stderr, Dump: map[string]bool{}}
	known := map[string]bool{}
	for _, p := range passes.Passes {
		known[p.Name] = true
	}
	for _, d := range debug {
		key, val, _ := strings.Cut(d, "=")
		switch key {
		case "time":
			opts.Time = true
		case "dump":
			for _, name := range strings.Split(val, ",") {
				if !known[name] {
					names := make([]string, 0, len(known))
					for n := range known {
						names = append(names, n)
					}
					sort.Strings(names)
					return opts, fmt.Errorf("-d dump=%s: no such pass (have %s)", name, strings.Join(names, ", "))
				}
				opts.Dump[name] = true
			}
		case "verify-each":
			opts.VerifyEach = true
		default:
			return opts, fmt.Errorf("unknown -d option %q (have dump=PASS, time, verify-each)", key)
		}
	}
	return opts, nil
}

// explainJSON is the --json report of one plan.
type explainJSON struct {
	Plan                    string             `json:"plan"`
	Model                   string             `json:"model"`
	Cluster                 string             `json:"cluster"`
	Device                  string             `json:"device"`
	DeviceFitted            bool               `json:"device_fitted"`
	DeviceSource            string             `json:"device_source,omitempty"`
	WorldSize               int                `json:"world_size"`
	Mesh                    string             `json:"mesh"`
	Settings                map[string]any     `json:"settings"`
	Memory                  memoryJSON         `json:"memory"`
	MemoryByStage           []memoryJSON       `json:"memory_by_pp_rank"`
	Fits                    bool               `json:"fits"`
	StepTime                float64            `json:"step_time_s"`
	ComputeTime             float64            `json:"compute_s"`
	ExposedCommTime         float64            `json:"exposed_comm_s"`
	BubbleTime              float64            `json:"bubble_s"`
	OptimizerTime           float64            `json:"optimizer_s"`
	SharedTime              float64            `json:"shared_core_wait_s,omitempty"`
	TokensPerStep           float64            `json:"tokens_per_step"`
	TokensPerSec            float64            `json:"tokens_per_s"`
	MFU                     float64            `json:"mfu"`
	HFU                     float64            `json:"hfu"`
	ModelTFLOPsPerDevice    float64            `json:"model_tflops_per_device"`
	HardwareTFLOPsPerDevice float64            `json:"hardware_tflops_per_device"`
	BubbleFraction          float64            `json:"bubble_fraction"`
	CommBytes               map[string]float64 `json:"comm_bytes"`
	Comm                    []commJSON         `json:"comm"`
	EnergyPerStep           float64            `json:"energy_j_per_step"`
	EnergyPerToken          float64            `json:"energy_j_per_token"`
	AvgPower                float64            `json:"avg_power_w"`
	TopOps                  []opJSON           `json:"top_ops"`
	// BytesPerStep is the predicted bytes sent per step over all ranks by
	// link level (passes.PredictedBytes, the runtime's counting).
	BytesPerStep map[string]float64 `json:"bytes_per_step"`
	MoE          *passes.MoEReport  `json:"moe,omitempty"`
	Params       paramsJSON         `json:"params"`
	GEMMPeak     float64            `json:"gemm_peak_flops"`
	Diagnostics  []string           `json:"diagnostics,omitempty"`
}

// gemmNote says which GEMMs run below the plan's precision peak.
func gemmNote(p *ir.Plan) string {
	if p.Precision == ir.FP8 {
		return "; attention at the bf16 peak; weights 2 B + their fp8 copy and transpose 2 B per parameter"
	}
	return ""
}

// paramsJSON is the model's parameter count (ir.Model.Params).
type paramsJSON struct {
	Total              float64 `json:"total"`
	Embedding          float64 `json:"embedding"`
	NonEmbedding       float64 `json:"non_embedding"`
	Active             float64 `json:"active"`
	ActiveNonEmbedding float64 `json:"active_non_embedding"`
}

func paramJSON(m *ir.Model) paramsJSON {
	c := m.Params()
	return paramsJSON{c.Total, c.Embedding, c.NonEmbedding(), c.Active, c.ActiveNonEmbedding()}
}

type memoryJSON struct {
	PPRank      int     `json:"pp_rank"`
	Params      float64 `json:"params_bytes"`
	Grads       float64 `json:"grads_bytes"`
	Optimizer   float64 `json:"optimizer_bytes"`
	Activations float64 `json:"activations_bytes"`
	InFlight    float64 `json:"in_flight_micro_batches"`
	MoEBuffers  float64 `json:"moe_buffers_bytes"`
	CommBuffers float64 `json:"comm_buffers_bytes"`
	Transient   float64 `json:"working_bytes"`
	Peak        float64 `json:"peak_bytes"`
}

type commJSON struct {
	Kind      string  `json:"kind"`
	Axis      string  `json:"axis"`
	GroupSize int     `json:"group_size"`
	Calls     float64 `json:"calls"`
	Bytes     float64 `json:"bytes"`
	Time      float64 `json:"time_s"`
}

type opJSON struct {
	Op    string  `json:"op"`
	Stage int     `json:"stage"`
	Time  float64 `json:"time_s"`
	FLOPs float64 `json:"flops"`
}

func memJSON(r ir.RankMemory) memoryJSON {
	return memoryJSON{r.PPRank, r.Params, r.Grads, r.Optimizer, r.Activations, r.InFlight, r.MoEBuffers, r.CommBuffers, r.Transient, r.Peak}
}

func reportJSON(u *ir.Unit, diags ir.Diagnostics) explainJSON {
	p, c, m := u.Plan, u.Cost, u.Memory
	j := explainJSON{
		Plan: p.Name, Model: p.Model.Name, Cluster: p.Cluster.Name, Device: u.Device().Name, DeviceFitted: u.Device().Fitted(), DeviceSource: u.Device().Source,
		WorldSize: u.Mesh.Size(), Mesh: u.Mesh.String(),
		Settings: map[string]any{"dp": p.DP, "tp": p.TP, "pp": p.PP, "ep": p.EP, "cp": p.CP, "vpp": p.VPP, "sp": p.SP, "cp_mode": p.CPMode,
			"zero": p.Zero, "schedule": p.Schedule, "global_batch": p.GlobalBatch, "micro_batch": p.MicroBatch, "recompute": p.Recompute,
			"precision": p.Precision, "moe.dispatch": p.MoE.Dispatch, "moe.capacity_factor": p.MoE.CapacityFactor},
		Memory: memJSON(m.WorstRank()), Fits: m.WorstRank().Peak <= m.Capacity, Params: paramJSON(p.Model), GEMMPeak: u.Device().Peak(p.Precision),
		StepTime: c.StepTime, ComputeTime: c.Compute, ExposedCommTime: c.ExposedComm, BubbleTime: c.Bubble, OptimizerTime: c.Optimizer, SharedTime: c.Shared,
		TokensPerStep: c.TokensPerStep, TokensPerSec: c.TokensPerSec, MFU: c.MFU, HFU: c.HFU,
		ModelTFLOPsPerDevice: c.ModelTFLOPsPerDevice, HardwareTFLOPsPerDevice: c.HardwareTFLOPsPerDevice,
		BubbleFraction: c.BubbleFraction, CommBytes: map[string]float64{},
		EnergyPerStep: c.EnergyPerStep, EnergyPerToken: c.EnergyPerToken, AvgPower: c.AvgPower,
	}
	for _, r := range m.Ranks {
		j.MemoryByStage = append(j.MemoryByStage, memJSON(r))
	}
	for k, v := range c.CommBytes {
		j.CommBytes[k.String()] = v
	}
	for _, s := range c.Comm {
		j.Comm = append(j.Comm, commJSON{s.Kind.String(), string(s.Axis), s.GroupSize, s.Calls, s.Bytes, s.Time})
	}
	for _, o := range c.TopOps {
		j.TopOps = append(j.TopOps, opJSON{o.Op, o.Stage, o.Time, o.FLOPs})
	}
	tr := passes.PredictedBytes(u)
	j.BytesPerStep = map[string]float64{"intra_node": tr.Total.IntraNode, "inter_node": tr.Total.InterNode,
		"moe_intra_node": tr.MoE.IntraNode, "moe_inter_node": tr.MoE.InterNode}
	j.MoE = passes.MoEAnalysis(u)
	for _, d := range diags {
		j.Diagnostics = append(j.Diagnostics, d.Error())
	}
	return j
}

// memoryUnit picks the binary unit of the memory table from its largest
// value, so that a tiny plan does not print a column of 0.00 GiB.
func memoryUnit(peak float64) (string, float64) {
	switch {
	case peak >= 1<<30:
		return "GiB", 1 << 30
	case peak >= 1<<20:
		return "MiB", 1 << 20
	}
	return "KiB", 1 << 10
}

// seconds prints a duration with a unit that keeps 3-4 digits.
func seconds(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.3f s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3f ms", s*1e3)
	default:
		return fmt.Sprintf("%.3f us", s*1e6)
	}
}

func pct(x, of float64) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*x/of)
}

// writeReport prints the readable report of a compiled unit.
func writeReport(w io.Writer, u *ir.Unit) {
	p, c, m := u.Plan, u.Cost, u.Memory
	dev := u.Device()
	fmt.Fprintf(w, "plan %s: model %s on %s (%d × %s)\n", p.Name, p.Model.Name, p.Cluster.Name, u.Mesh.Size(), dev.Name)
	fmt.Fprintf(w, "  dp=%d tp=%d pp=%d ep=%d cp=%d vpp=%d sp=%t cp_mode=%s zero=%d schedule=%s global_batch=%d micro_batch=%d (%s) recompute=%s precision=%s\n",
		p.DP, p.TP, p.PP, p.EP, p.CP, p.VPP, p.SP, p.CPMode, p.Zero, p.Schedule, p.GlobalBatch, p.MicroBatch, plural(p.MicroBatches(), "micro-batch"), p.Recompute, p.Precision)
	fmt.Fprintf(w, "  parameters: %s\n", p.Model.Params())
	fmt.Fprintf(w, "  GEMM peak: %.4g TFLOP/s per device (%s)%s\n", dev.Peak(p.Precision)/1e12, p.Precision, gemmNote(p))
	switch {
	case !dev.Fitted():
		fmt.Fprintf(w, "  note: %s's efficiency parameters are planc's defaults, not fitted to measurements of it: times, MFU and energy are indicative\n", dev.Name)
	case dev.Source == "":
		fmt.Fprintf(w, "  note: %s's efficiency parameters are set but say nothing of what they were fitted to (its source field is empty)\n", dev.Name)
	default:
		fmt.Fprintf(w, "  %s's efficiency parameters: %s\n", dev.Name, dev.Source)
	}
	fmt.Fprintln(w)
	ir.PrintMesh(w, u.Mesh)

	unit, scale := memoryUnit(m.WorstRank().Peak)
	inUnit := func(b float64) string { return fmt.Sprintf("%.2f", b/scale) }
	fmt.Fprintf(w, "\nmemory per device in %s (capacity %s); in flight: micro-batches whose activations a rank holds at its peak\n", unit, ir.FormatBytes(m.Capacity))
	fmt.Fprintf(w, "  %-8s %9s | %8s %8s %8s %8s %8s %8s %8s %8s\n", "pp rank", "in flight", "params", "grads", "optim", "activ", "moe", "comm", "working", "peak")
	rows := m.Ranks
	show := func(r ir.RankMemory) {
		mark := ""
		if r.PPRank == m.WorstRank().PPRank {
			mark = "  <- worst"
		}
		fmt.Fprintf(w, "  %-8d %9.3g | %8s %8s %8s %8s %8s %8s %8s %8s%s\n", r.PPRank, r.InFlight, inUnit(r.Params), inUnit(r.Grads), inUnit(r.Optimizer), inUnit(r.Activations),
			inUnit(r.MoEBuffers), inUnit(r.CommBuffers), inUnit(r.Transient), inUnit(r.Peak), mark)
	}
	if len(rows) <= 8 {
		for _, r := range rows {
			show(r)
		}
	} else {
		shown := map[int]bool{0: true, 1: true, len(rows) - 1: true, m.Worst: true}
		last := -1
		for i, r := range rows {
			if !shown[i] {
				continue
			}
			if last >= 0 && i > last+1 {
				fmt.Fprintf(w, "  ... %d more\n", i-last-1)
			}
			show(r)
			last = i
		}
	}
	worst := m.WorstRank()
	if worst.Peak <= m.Capacity {
		fmt.Fprintf(w, "  fits: peak %s is %s of %s\n", ir.FormatBytes(worst.Peak), pct(worst.Peak, m.Capacity), ir.FormatBytes(m.Capacity))
	} else {
		fmt.Fprintf(w, "  DOES NOT FIT: peak %s exceeds %s by %s\n", ir.FormatBytes(worst.Peak), ir.FormatBytes(m.Capacity), ir.FormatBytes(worst.Peak-m.Capacity))
	}

	if r := passes.MoEAnalysis(u); r != nil {
		writeMoE(w, u, r)
	}

	fmt.Fprintf(w, "\ntime per step %s\n", seconds(c.StepTime))
	for _, x := range []struct {
		what string
		t    float64
	}{{"compute", c.Compute}, {"exposed communication", c.ExposedComm}, {"pipeline bubble", c.Bubble}, {"optimizer", c.Optimizer}, {"waiting for a core", c.Shared}} {
		if x.what == "waiting for a core" && x.t == 0 {
			continue // only on nodes whose devices share cores
		}
		fmt.Fprintf(w, "  %-22s %12s  %6s of step\n", x.what, seconds(x.t), pct(x.t, c.StepTime))
		if x.what == "compute" && c.CoRun != [3]float64{} && c.CoRun != [3]float64{1, 1, 1} {
			fmt.Fprintf(w, "    ranks sharing the cores: products ×%.3f, element-wise ×%.3f, attention ×%.3f (corun_*, sync_skew)\n", c.CoRun[0], c.CoRun[1], c.CoRun[2])
		}
	}
	fmt.Fprintf(w, "  tokens/s %.4g (%.4g tokens per step)\n", c.TokensPerSec, c.TokensPerStep)
	fmt.Fprintf(w, "  MFU %.1f%% (%.1f TFLOP/s model per device), HFU %.1f%% (%.1f TFLOP/s hardware per device)\n",
		100*c.MFU, c.ModelTFLOPsPerDevice, 100*c.HFU, c.HardwareTFLOPsPerDevice)
	fmt.Fprintf(w, "  energy %.4g J per step, %.4g J per token, %.0f W per device on average\n", c.EnergyPerStep, c.EnergyPerToken, c.AvgPower)

	if len(c.Stages) > 0 && len(c.Stages) <= 16 {
		fmt.Fprintf(w, "\nper micro-batch, by stage\n  %-6s %-8s %12s %12s %12s %12s %12s %12s\n", "stage", "pp rank", "forward", "backward B", "backward W", "recompute", "comm", "p2p")
		for _, s := range c.Stages {
			fmt.Fprintf(w, "  %-6d %-8d %12s %12s %12s %12s %12s %12s\n", s.Stage, s.PPRank, seconds(s.Fwd), seconds(s.BwdInput), seconds(s.BwdWeight), seconds(s.Recompute), seconds(s.Comm), seconds(s.P2P))
		}
	}

	fmt.Fprintf(w, "\ncommunication per step on the slowest pipeline rank\n  %-15s %-6s %6s %12s %12s %12s\n", "kind", "axis", "group", "calls", "bytes", "time")
	for _, s := range c.Comm {
		fmt.Fprintf(w, "  %-15s %-6s %6d %12.4g %12s %12s\n", s.Kind, s.Axis, s.GroupSize, s.Calls, ir.FormatBytes(s.Bytes), seconds(s.Time))
	}
	if len(c.CommBytes) > 0 {
		fmt.Fprintf(w, "  whole job per step:")
		for _, k := range ir.CollKinds {
			if b, ok := c.CommBytes[k]; ok {
				fmt.Fprintf(w, " %s %s;", k, ir.FormatBytes(b))
			}
		}
		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "\ncostliest ops, by kind, per step on the slowest pipeline rank (forward + backward + recompute)\n")
	for _, o := range c.TopOps {
		fmt.Fprintf(w, "  %-16s %12s  %6s %14s\n", o.Op, seconds(o.Time), pct(o.Time, c.StepTime), ir.FormatFLOPs(o.FLOPs))
	}
}

// writeMoE prints the MoE section of the report: activation memory per
// layer under both dispatch modes, capacity drops, and the dispatch and
// combine volumes by link level with and without rbd.
func writeMoE(w io.Writer, u *ir.Unit, r *passes.MoEReport) {
	p := u.Plan
	fmt.Fprintf(w, "\nMoE: %d MoE layers, dispatch=%s rbd=%t ssmb=%t, %d tokens routed per rank and micro-batch\n", r.Layers, r.Dispatch, r.RBD, r.SSMB, r.Tokens)
	gb := func(b float64) string { // decimal GB, as X-MoE reports them; small plans in binary units
		if b < 1e8 {
			return ir.FormatBytes(b)
		}
		return fmt.Sprintf("%.2f GB", b/1e9)
	}
	fmt.Fprintf(w, "  activation memory per MoE layer and micro-batch (kept for backward; + the two routed exchange buffers)\n")
	fmt.Fprintf(w, "    padded (capacity %d per expert, DeepSpeed [T,E,C] tensors) %s (+ %s = %s)\n", r.Capacity, gb(r.SavedCapacity), gb(r.BuffersCapacity), gb(r.SavedCapacity+r.BuffersCapacity))
	fmt.Fprintf(w, "    padding-free                                   %s (+ %s = %s)\n", gb(r.SavedPaddingFree), gb(r.BuffersPaddingFree), gb(r.SavedPaddingFree+r.BuffersPaddingFree))
	if r.SavedPaddingFree > 0 {
		fmt.Fprintf(w, "    padded / padding-free %.2f× kept (%.2f× with buffers)\n", r.SavedCapacity/r.SavedPaddingFree, (r.SavedCapacity+r.BuffersCapacity)/(r.SavedPaddingFree+r.BuffersPaddingFree))
	}
	fmt.Fprintf(w, "  capacity dispatch drops %.2f%% of routed copies in expectation under uniform routing (capacity_factor %.3g)\n", 100*r.DropFrac, p.MoE.CapacityFactor)
	if p.EP < 2 {
		return
	}
	fmt.Fprintf(w, "  dispatch + combine per step, whole job (fwd and bwd), ep=%d over %d node(s)\n", p.EP, r.EPNodes)
	fmt.Fprintf(w, "    %-34s %14s %14s\n", "", "intra-node", "inter-node")
	row := func(what string, t passes.Traffic) {
		fmt.Fprintf(w, "    %-34s %14s %14s\n", what, ir.FormatBytes(t.IntraNode), ir.FormatBytes(t.InterNode))
	}
	if r.Dispatch == ir.DispatchCapacity {
		row("capacity (padded buffers)", r.Padded)
	}
	row("padding-free, no rbd (expected)", r.Exchange)
	row("padding-free, rbd (expected)", r.ExchangeRBD)
	if r.Exchange.InterNode > 0 {
		fmt.Fprintf(w, "    rbd saves %.1f%% of inter-node volume (closed form per token: %.3f copies → %.3f pilots leave the node, %.1f%% of payload)\n",
			100*(1-r.ExchangeRBD.InterNode/r.Exchange.InterNode), r.Saving.CopiesInter, r.Saving.PilotsInter, 100*r.Saving.Saving)
	}
}

// explainSkips returns the passes explain does not run: the schedule is
// built only for what reads it (--json's bytes per step, or a dump of it)
// and verified only on request (--verify-each), so that explaining a plan
// never costs more than simulating it.
func explainSkips(asJSON bool, opts passes.Options) map[string]bool {
	skip := map[string]bool{}
	if !asJSON && !opts.VerifyEach && !opts.Dump["schedule"] && !opts.Dump["verify-schedule"] {
		skip["schedule"] = true
	}
	if !opts.VerifyEach && !opts.Dump["verify-schedule"] {
		skip["verify-schedule"] = true
	}
	return skip
}
