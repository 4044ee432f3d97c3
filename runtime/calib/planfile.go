package calib

import (
	"fmt"
	"strings"
)

// PlanFile renders the calibration as a .plan file: device NAME_core,
// node NAME_node, cluster NAME (every link the in-process transport: what
// planc run uses) and cluster NAME_tcp (the TCP transport between nodes:
// what the trainers of planc build use across machines), with comments
// giving every measured point. command is how it was made (for the header).
func (r *Result) PlanFile(name, command string) string {
	var b strings.Builder
	r.writeMeasurements(&b, name, command)
	r.writeBlocks(&b, name)
	return b.String()
}

// writeMeasurements writes the plan file's comments: what was measured,
// point by point, and each probe's figures.
func (r *Result) writeMeasurements(b *strings.Builder, name, command string) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("// This machine, measured by `%s` on %s at %s UTC\n", strings.TrimSpace(command), r.Host, r.When.Format("2006-01-02 15:04:05"))
	w("// (%s/%s, %d CPUs, GOMAXPROCS %d", r.GOOS, r.GOARCH, r.CPUs, r.GOMAXPROCS)
	if r.Load != "" {
		w(", load average %s", r.Load)
	}
	w(").\n// Use: planc explain --set cluster=%s THIS.plan PLAN.plan\n//\n", name)
	w("// GEMM, one core (runtime/kernels.MatMul, m×k×n: GFLOP/s):\n")
	writePoints(b, r.GEMM, 1e-9, "GFLOP/s")
	w("//   fit: %.2f us + FLOPs / %.2f GFLOP/s; fastest point %.2f GFLOP/s\n", r.GEMMFit.Fixed*1e6, r.GEMMFit.Rate*1e-9, r.GEMMPeak*1e-9)
	w("//   with the operands: %.2f us + FLOPs (output in %d×%d tiles) / %.2f GFLOP/s + (m·k + k·n + m·n) × %.4f ns\n", r.GEMMModel.Fixed*1e6, r.TileM, r.TileN, r.GEMMModel.Rate*1e-9, r.GEMMModel.PerElement*1e9)
	w("//   on hot operands (the same shapes timed over and over): %.2f us + FLOPs / %.2f GFLOP/s + operands × %.4f ns (the executor probe's zero point)\n", r.GEMMHot.Fixed*1e6, r.GEMMHot.Rate*1e-9, r.GEMMHot.PerElement*1e9)
	w("// Element-wise kernels, one core (bytes read + written, fp32: GB/s):\n")
	writePoints(b, r.Elementwise, 1e-9, "GB/s")
	w("//   fit of all: %.2f us + bytes / %.2f GB/s\n", r.ElemFit.Fixed*1e6, r.ElemFit.Rate*1e-9)
	for _, fam := range []string{"add", "gelu", "layernorm", "softmax", "loss", "layout", "adamw"} {
		f := r.Family[fam]
		w("//   %s alone: %.2f us + bytes / %.2f GB/s\n", fam, f.Fixed*1e6, f.Rate*1e-9)
	}
	w("// Attention kernel, forward + backward, causal (FLOPs as the cost model counts them: GFLOP/s):\n")
	writePoints(b, r.Attention, 1e-9, "GFLOP/s")
	w("//   fit: FLOPs / %.2f GFLOP/s (the GEMM fit's: the kernel's products are the runtime's GEMMs) + 3 × scores × %.3f ns (the softmax's passes) + 3 × rows × %.2f ns (each query row's)\n", r.AttnRate*1e-9, r.AttnScore*1e9, r.AttnRow*1e9)
	w("// Synthetic mlp inputs (runtime/exec.MLPInput, normal draws), one core: %.1f ns per element\n", r.Input*1e9)
	w("// Cores: k goroutines each running one-core GEMMs for a while reach, over one unloaded core: ")
	for i, s := range r.CoresBy {
		w("k=%d %.2f  ", i+1, s)
	}
	w("\n//   core_share = %.2f (the processor time %d busy threads get over %d CPUs' wall time: what other processes leave planc run's GOMAXPROCS threads; their speed-up at k = %d over %d, %.2f, also counts the threads slowing each other on shared cores: corun_*)\n", r.Share, r.CPUs, r.CPUs, r.CPUs, r.CPUs, speedUp(r.CoresBy, r.CPUs))
	w("// One product on all %d CPUs, time over one core's (m×k×n):", r.CPUs)
	for _, p := range r.ParallelPoints {
		w(" %s %.2f;", p.Name, p.Seconds)
	}
	w("\n//   parallel from %.0f FLOPs (the first at ≤ 2/3; 0: not seen)\n", r.Parallel)
	cr := r.CoRun
	w("// Kernels beside their twin on the other core (thread CPU time per call alone / paired, us):\n//  ")
	for i, fam := range []string{"products (m×64×n)", "element-wise", "attention"} {
		w(" %s %.1f / %.1f;", fam, cr.Alone[i]*1e6, cr.Paired[i]*1e6)
	}
	w("\n//   speed beside the twin: products %.3f, element-wise %.3f, attention %.3f (corun_*; 0: not measured)\n", cr.GEMM, cr.Elementwise, cr.Attention)
	w("// In-process all-reduce over 2 ranks (collective.World):\n")
	writePoints(b, r.InProc.Points, 1e6, "us")
	w("//   with compute between calls a 2-rank all-reduce also waits %.1f us + %.1f%% of the compute for its peer (sync_wait, sync_skew; intervals %v and %v)\n", r.InProc.SyncWait*1e6, r.InProc.SyncSkew*100, syncIntervals[0], syncIntervals[1])
	w("//   with %d ranks on %d processors (pairs meeting after ~100 us of GEMMs) each meeting costs a rank %.2f us of processor time (park_cost)\n", 2*r.GOMAXPROCS, r.GOMAXPROCS, r.InProc.ParkCost*1e6)
	if d := r.Drain; d.Skipped != "" {
		w("//   all %d ranks on %d processors meeting at an all-to-all: not measured, %s (drain_wait 0)\n", d.Ranks, d.Procs, d.Skipped)
	} else {
		w("//   all %d ranks on %d processors meeting at an all-to-all after %.0f us of GEMMs each: %.1f us a round (wall) against %.1f us without meeting and %.1f us of processor time the meeting adds; so a meeting leaves the processors idle %.2f us (drain_wait; they held %.0f%% running free)\n",
			d.Ranks, d.Procs, d.Interval*1e6, d.Met*1e6, d.Free*1e6, d.CPU*1e6, d.Wait*1e6, 100*d.Share)
	}
	w("//   one ring step: %.2f us + bytes / %.2f GB/s\n", r.InProc.Latency*1e6, r.InProc.Bandwidth*1e-9)
	writeKinds(b, r.InProc)
	if mp := r.Meet; mp != nil {
		writeMeetProbe(b, mp, r.InProc)
	}
	if dp := r.DrainStep; dp != nil {
		if dp.Skipped != "" {
			w("// Drain probe (%s): not counted, %s: drain_wait is the microbenchmark's\n", dp.Model, dp.Skipped)
		} else {
			w("// Drain probe: %s trained by the CPU runtime on %d processors takes %.3f ms a step (wall); the cost model gives it\n", dp.Model, dp.Procs, dp.Measured*1e3)
			w("//   %.3f ms at drain_wait 0 and %.0f us more per us of drain_wait (its meetings of all ranks); on one processor it takes %.3f ms of CPU against the model's %.3f ms,\n", dp.Zero*1e3, dp.Slope, dp.One*1e3, dp.OneModel*1e3)
			w("//   so %.3f ms of the step are the model's miss of its work, not the meetings': drain_wait %.2f us (the microbenchmark's %.2f us)\n", (dp.One-dp.OneModel)/float64(dp.Procs)*1e3, dp.Wait*1e6, r.Drain.Wait*1e6)
		}
	}
	if r.TCP != nil {
		w("// TCP all-reduce over 2 ranks on loopback (collective.DialTCP):\n")
		writePoints(b, r.TCP.Points, 1e6, "us")
		w("//   one ring step: %.2f us + bytes / %.2f GB/s\n", r.TCP.Latency*1e6, r.TCP.Bandwidth*1e-9)
	} else if r.TCPErr != nil {
		w("// TCP not measured (%v): %s_tcp keeps the in-process figures\n", r.TCPErr, name)
	} else {
		w("// TCP not measured (--no-tcp): %s_tcp keeps the in-process figures\n", name)
	}
	if pr := r.Probe; pr != nil {
		s, l := pr.Short, pr.Long
		w("// Executor: %s trained by the CPU runtime on one processor takes %.1f us of CPU a step at %d micro-batches and\n", pr.Model, s.Measured*1e6, s.MicroBatches)
		w("//   %.1f us at %d; the cost model gives it %.1f and %.1f us with no fixed costs over %.0f and %.0f op executions:\n", l.Measured*1e6, l.MicroBatches, s.Zero*1e6, l.Zero*1e6, s.Ops, l.Ops)
		w("//   %.3f us per op and %.1f us per step (the line through the two)\n", pr.PerOp*1e6, pr.PerStep*1e6)
	}
	if sp := r.Step; sp != nil {
		w("// In a step: %s trained by the CPU runtime on one processor takes %.3f ms of CPU a step;\n", sp.Model, sp.Measured*1e3)
		w("//   the cost model gives it %.3f ms with the figures above (peak memory %.2f MiB, private cache %.2f MiB)\n", sp.Predicted*1e3, sp.Peak/(1<<20), r.PrivateCache/(1<<20))
		if sp.NodeMeasured > 0 {
			w("//   as 4 data-parallel replicas on the processor (%.2f MiB together) it takes %.3f ms of CPU a step against the model's %.3f ms\n", sp.NodePeak/(1<<20), sp.NodeMeasured*1e3, sp.NodePredicted*1e3)
		}
	}
}

// kernelOverhead is the device's kernel_overhead and where it comes from.
func (r *Result) kernelOverhead() (float64, string) {
	if pr := r.Probe; pr != nil {
		return pr.PerOp, "the executor probe's cost per op"
	}
	return r.ElemFit.Fixed, "the element-wise fit's fixed cost per kernel (no executor probe)"
}

// writeBlocks writes the device, node and cluster blocks.
func (r *Result) writeBlocks(b *strings.Builder, name string) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	overhead, overheadWhy := r.kernelOverhead()
	cr := r.CoRun
	tcp := r.InProc
	if r.TCP != nil {
		tcp = *r.TCP
	}
	g := r.GEMMModel
	if g.Rate == 0 { // a Result from before the operand fit
		g = GEMMModel{Rate: r.GEMMFit.Rate}
	}
	peak := max(r.GEMMPeak, r.GEMMFit.Rate, g.Rate)
	w("\ndevice %s_core {\n", name)
	w("  peak_bf16  = %s // the fastest one-core GEMM measured\n", gflops(peak))
	w("  peak_fp32  = %s\n", gflops(peak))
	w("  memory     = 4 GiB\n")
	w("  hbm_bw     = %s // the residual add's fit (bias, dropout, embedding, dispatch use it)\n", gbs(r.Family["add"].Rate))
	w("  idle_power = 5 W // not measured (hw/cpu's estimate)\n")
	w("  busy_power = 15 W // not measured (hw/cpu's estimate)\n")
	w("  matmul_efficiency    = %.4f // the GEMM fit's rate over peak (with its call and operand costs)\n", g.Rate/peak)
	w("  micro_tile_m         = %d // the GEMM micro-kernel's output tile (runtime/kernels)\n", r.TileM)
	w("  micro_tile_n         = %d\n", r.TileN)
	w("  gemm_call_cost       = %s // the GEMM fit's fixed cost per product\n", micros(g.Fixed))
	w("  gemm_element_cost    = %.4f ns // the GEMM fit's cost per operand element (A, B, C)\n", g.PerElement*1e9)
	w("  memory_efficiency    = 1\n")
	w("  kernel_overhead      = %s // %s\n", micros(overhead), overheadWhy)
	w("  norm_bw              = %s // layernorm's fit\n", gbs(r.Family["layernorm"].Rate))
	w("  softmax_bw           = %s // softmax's fit\n", gbs(r.Family["softmax"].Rate))
	w("  loss_bw              = %s // the loss's fit (the runtime's cross-entropy, forward and gradient)\n", gbs(r.Family["loss"].Rate))
	w("  layout_bw            = %s // the head layout copies' fit (q, k, v split and joined, heads merged and split)\n", gbs(r.Family["layout"].Rate))
	w("  activation_bw        = %s // gelu's fit, forward and backward\n", gbs(r.Family["gelu"].Rate))
	w("  optimizer_bw         = %s // the optimizer step's fit (squared norm, AdamW and the next step's gradient clear, the runtime's)\n", gbs(r.Family["adamw"].Rate))
	w("  attention_efficiency = %.4f // the products' rate over peak (the GEMM fit's)\n", r.AttnRate/peak)
	w("  attention_score_cost = %.3f ns // the attention fit's cost per score and pass\n", r.AttnScore*1e9)
	w("  attention_row_cost   = %.3f ns // the attention fit's cost per query row and pass\n", r.AttnRow*1e9)
	w("  parallel_flops       = %.0f // a rank's products from this size use the cores other ranks leave\n", r.Parallel)
	w("  input_element_cost   = %.3f ns // the runtime makes an mlp model's data inside the step\n", r.Input*1e9)
	if pr := r.Probe; pr != nil {
		w("  step_overhead        = %s // the executor probe's cost per step\n", micros(pr.PerStep))
	}
	if sp := r.Step; sp != nil && sp.Factor > 0 {
		w("  step_kernel_factor   = %.4f // the step probe's CPU time over the cost model's: what a step adds to the microbenchmarks\n", sp.Factor)
		if sp.NodeFactor > 0 && sp.NodePeak > sp.Peak {
			w("  step_kernel_bytes    = %.0f KiB // the step probe's peak memory\n", sp.Peak/1024)
			held := ""
			if sp.NodeHeld {
				held = fmt.Sprintf(" (read %.4f, below the step's: held at it)", sp.NodeMeasured/sp.NodePredicted)
			}
			w("  node_kernel_factor   = %.4f // the probe as replicas on one processor: the factor where a node's ranks hold node_kernel_bytes together%s\n", sp.NodeFactor, held)
			w("  node_kernel_bytes    = %.0f KiB\n", sp.NodePeak/1024)
		}
	}
	if r.PrivateCache > 0 {
		w("  private_cache        = %.0f KiB // one core's L2 (sysfs): a rank whose peak memory fits runs without step_kernel_factor, its products hot\n", r.PrivateCache/1024)
		if h := r.GEMMHot; h.Rate > 0 {
			w("  hot_gemm_rate        = %s // the GEMM fit on hot operands (the same shapes timed over and over)\n", gflops(h.Rate))
			w("  hot_gemm_call_cost   = %s\n", micros(h.Fixed))
			w("  hot_gemm_element_cost = %.4f ns\n", h.PerElement*1e9)
		}
	}
	w("  fused_attention      = true // the CPU runtime's attention is one fused kernel (runtime/kernels.AttentionForward) whatever a plan says\n")
	w("  source = \"planc calibrate on %s, %s UTC: runtime/kernels microbenchmarks\"\n", r.Host, r.When.Format("2006-01-02 15:04"))
	w("}\n\n")
	w("node %s_node {\n", name)
	w("  device        = %s_core\n", name)
	w("  devices       = 1024 // ranks are goroutines: as many as the plan has\n")
	w("  cores         = %d // the ranks share these CPUs\n", r.CPUs)
	w("  core_share    = %.3f // of the cores the job's threads get beside other processes (measured)\n", r.Share)
	w("  thread_share  = %.3f // of an unloaded core's speed one busy thread gets (measured)\n", r.ThreadShare)
	w("  intra_bw      = %s\n", gbs(r.InProc.Bandwidth))
	w("  intra_latency = %s\n", micros(r.InProc.Latency))
	for _, k := range r.InProc.Kinds {
		// their own ring steps: a small meeting's fixed cost is not the
		// all-reduce's (the fits are printed above)
		field := map[string]string{"reduce-scatter": "rs", "all-gather": "ag"}[k.Kind]
		if field != "" && k.Latency > 0 && k.Bandwidth > 0 {
			w("  intra_%s_latency = %s // the in-process %s's own ring step\n", field, micros(k.Latency), k.Kind)
			w("  intra_%s_bw      = %s\n", field, gbs(k.Bandwidth))
		}
	}
	r.writeSyncFields(b)
	w("  park_cost     = %s // each rank's meeting where ranks outnumber the cores: its goroutine parks, another is woken\n", micros(r.InProc.ParkCost))
	if dp := r.DrainStep; dp != nil && dp.Skipped == "" {
		w("  drain_wait    = %s // each meeting of all the node's ranks where they outnumber the cores: the cores left idle, in a training step (the drain probe's)\n", micros(dp.Wait))
	} else {
		w("  drain_wait    = %s // each meeting of all the node's ranks where they outnumber the cores: the cores left idle (the all-to-all microbenchmark's, unloaded; 0: not measured)\n", micros(r.Drain.Wait))
	}
	w("  corun_matmul    = %.3f // products' speed while the other core runs products too (measured)\n", cr.GEMM)
	w("  corun_memory    = %.3f // element-wise kernels' (measured)\n", cr.Elementwise)
	w("  corun_attention = %.3f // the attention kernel's (measured)\n", cr.Attention)
	w("}\n\n")
	cluster := func(cname string, inter Link, what string) {
		w("// %s\n", what)
		w("cluster %s {\n", cname)
		w("  node          = %s_node\n", name)
		w("  nodes         = auto\n")
		w("  per_node      = auto\n")
		w("  inter_bw      = %s\n", gbs(inter.Bandwidth))
		w("  inter_latency = %s\n", micros(inter.Latency))
		w("}\n")
	}
	cluster(name, r.InProc, "planc run: every rank in this process, the in-process transport everywhere")
	b.WriteString("\n")
	cluster(name+"_tcp", tcp, "the trainers of planc build: TCP between nodes")
}

// writeKinds prints the other collectives' times and ring steps beside
// what the all-reduce's ring step gives them, over two ranks (the node
// block gives the cost model their own: intra_rs_*, intra_ag_*).
func writeKinds(b *strings.Builder, l Link) {
	for _, k := range l.Kinds {
		fmt.Fprintf(b, "// In-process %s over 2 ranks:\n", k.Kind)
		writePoints(b, k.Points, 1e6, "us")
		fmt.Fprintf(b, "//   its own ring step: %.2f us + bytes / %.2f GB/s; measured over priced by the all-reduce's step:", k.Latency*1e6, k.Bandwidth*1e-9)
		for _, p := range k.Points {
			priced := l.Latency + p.Size/2/l.Bandwidth // one step of n/2 bytes
			fmt.Fprintf(b, " %.2f", p.Seconds/priced)
		}
		b.WriteString("\n")
	}
}

func writePoints(b *strings.Builder, pts []Point, scale float64, unit string) {
	for i, p := range pts {
		if i%4 == 0 {
			b.WriteString("//  ")
		}
		v := p.Rate() * scale
		if unit == "us" {
			v = p.Seconds * scale
		}
		fmt.Fprintf(b, " %s %.2f %s;", p.Name, v, unit)
		if i%4 == 3 || i == len(pts)-1 {
			b.WriteString("\n")
		}
	}
}

func gflops(r float64) string { return fmt.Sprintf("%.3f GFLOP/s", r*1e-9) }
func gbs(r float64) string    { return fmt.Sprintf("%.3f GB/s", r*1e-9) }
func micros(s float64) string { return fmt.Sprintf("%.3f us", s*1e6) }

// speedUp is k goroutines' speed-up over k (0 where not measured).
func speedUp(by []float64, k int) float64 {
	if k < 1 || k > len(by) {
		return 0
	}
	return by[k-1] / float64(k)
}

// writeMeetProbe writes what the meeting probes found (MeetProbe).
func writeMeetProbe(b *strings.Builder, mp *MeetProbe, l Link) {
	w := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	if mp.Skipped != "" {
		w("// Meeting probe (%s): not counted, %s: sync_wait and sync_skew are the microbenchmark's\n", mp.Model, mp.Skipped)
		return
	}
	for _, p := range []*MeetProbe{mp, mp.Dense} {
		switch {
		case p == nil:
		case p.Skipped != "":
			w("// Meeting probe (%s): not counted, %s\n", p.Model, p.Skipped)
		default:
			w("// Meeting probe: %s trained by the CPU runtime on 2 processors: each rank spends %.1f us a step in its %.0f meetings against the cost model's %.1f us of transfers,\n", p.Model, p.Comm*1e6, p.Slope, p.ModelComm*1e6)
			w("//   %.2f us a meeting more, with %.1f us of compute between meetings; its step %.3f ms (wall; its ranks held the processors %.0f%% of it), the model's %.3f ms at sync_wait and sync_skew 0, %.3f ms at the pair below\n", p.PerMeeting()*1e6, p.Interval*1e6, p.Measured*1e3, 100*p.Share, p.Zero*1e3, p.AtFit*1e3)
		}
	}
	if mp.Skew >= 0 {
		w("//   the line through both: sync_wait %.2f us + sync_skew %.4f of the compute between meetings (the microbenchmark's %.2f us, %.4f)\n", mp.Wait*1e6, mp.Skew, l.SyncWait*1e6, l.SyncSkew)
	} else {
		w("//   at the microbenchmark's sync_skew %.4f: sync_wait %.2f us (the microbenchmark's %.2f us)\n", l.SyncSkew, mp.Wait*1e6, l.SyncWait*1e6)
	}
}

// writeSyncFields writes the node's sync_wait and sync_skew: the meeting
// probes' where they counted, else the microbenchmark's.
func (r *Result) writeSyncFields(b *strings.Builder) {
	w := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	switch mp := r.Meet; {
	case mp != nil && mp.Skipped == "" && mp.Skew >= 0:
		w("  sync_wait     = %s // a meeting's wait in a training step, fixed part: the meeting probes' (ranks no more than cores)\n", micros(mp.Wait))
		w("  sync_skew     = %.4f // and its part in proportion to the compute between meetings (the meeting probes')\n", mp.Skew)
	case mp != nil && mp.Skipped == "":
		w("  sync_wait     = %s // a meeting's wait in a training step, fixed part: the meeting probe's (ranks no more than cores)\n", micros(mp.Wait))
		w("  sync_skew     = %.4f // and its part in proportion to the compute between meetings\n", r.InProc.SyncSkew)
	default:
		w("  sync_wait     = %s // a meeting's wait for its peer, fixed part (ranks no more than cores)\n", micros(r.InProc.SyncWait))
		w("  sync_skew     = %.4f // and its part in proportion to the compute between meetings\n", r.InProc.SyncSkew)
	}
}
