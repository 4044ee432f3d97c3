package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"planc/ir"
	"planc/passes/sched"
	"planc/runtime/sim"
)

func init() {
	register(&command{name: "simulate", summary: "simulate one training step of a plan's schedule (--trace out.json, --svg out.svg)", run: runSimulate})
}

// simulateReport is the --json output of planc simulate.
type simulateReport struct {
	Plan           string  `json:"plan"`
	Schedule       string  `json:"schedule"`
	Ranks          int     `json:"ranks"`
	SimulatedRanks int     `json:"simulated_ranks"`
	MicroBatches   int     `json:"micro_batches"`
	Actions        int     `json:"actions"`
	StepTime       float64 `json:"step_time_s"`
	CostModelStep  float64 `json:"cost_model_step_time_s"`
	// Busy, Exposed and Bubble are the busy (compute, optimizer
	// included), exposed-communication and idle time in the step of the
	// busiest pipeline rank BusiestPP (means over its ranks), the rank that
	// sets the step time; BubbleFraction is Bubble over the step time, as
	// explain's bubble_fraction (docs/glossary.md, "bubble").
	BusiestPP       int       `json:"busiest_pp_rank"`
	Busy            float64   `json:"compute_s"`
	Exposed         float64   `json:"exposed_comm_s"`
	Bubble          float64   `json:"bubble_s"`
	BubbleFraction  float64   `json:"bubble_fraction"`
	ExposedFraction float64   `json:"exposed_comm_fraction"`
	PeakInFlight    float64   `json:"peak_in_flight_micro_batches"`
	PPRanks         []ppStats `json:"pp_ranks"`
	CompileSeconds  float64   `json:"compile_s"`
	VerifySeconds   float64   `json:"verify_s"`
	SimulateSeconds float64   `json:"simulate_s"`
}

// ppStats is one pipeline rank's mean over its dp·cp·tp ranks.
type ppStats struct {
	PP           int     `json:"pp"`
	Busy         float64 `json:"busy_s"`
	Exposed      float64 `json:"exposed_comm_s"`
	Idle         float64 `json:"idle_s"`
	PeakInFlight float64 `json:"peak_in_flight"`
}

func runSimulate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("simulate", "[--plan NAME] [--set NAME=VALUE]... [--trace OUT.json] [--svg OUT.svg] [--schedule FILE.sched] [--json] FILE...", stderr,
		"simulate examples/tiny_gpt_3d.plan",
		"simulate --svg step.svg --set schedule=zb-h1 examples/tiny_gpt_3d.plan",
		"simulate --plan frontier_1t_3d --json examples/frontier_1t.plan")
	pf := addPlanFlags(fs)
	tracePath := fs.String("trace", "", "write the timeline as Chrome trace event JSON (Perfetto, chrome://tracing); gzipped when the name ends in .gz")
	traceRanks := fs.String("ranks", "", "the ranks --trace writes, e.g. 0-7,64 or all (default: one track per set of identical ranks)")
	svgPath := fs.String("svg", "", "write the timeline as an SVG Gantt chart")
	schedPath := fs.String("schedule", "", "simulate this schedule file (planc compile -o FILE.sched) instead of compiling one")
	if code, ok := parseCommand(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(fs, "no files")
	}
	prog, plans, code := pf.load(fs.Args(), stderr)
	if code != exitOK {
		return code
	}
	if len(plans) == 0 {
		fmt.Fprintln(stderr, "planc simulate: the files declare no plan")
		return exitError
	}
	if len(plans) > 1 && (*tracePath != "" || *svgPath != "" || *schedPath != "") {
		fmt.Fprintf(stderr, "planc simulate: %d plans and one output file; choose one with --plan\n", len(plans))
		return exitUsage
	}
	var reports []simulateReport
	worst := exitOK
	for _, p := range plans {
		t0 := time.Now()
		// The schedule is verified below (for its report), not twice.
		u, code := compileSchedule(prog, p, pf, stderr, "verify-schedule")
		if u == nil {
			return code
		}
		// A plan with errors that still has a schedule (it does not fit in
		// memory) is simulated, and the exit code says it has errors.
		worst = max(worst, code)
		s := u.Schedule
		if *schedPath != "" {
			f, err := os.Open(*schedPath)
			if err != nil {
				fmt.Fprintf(stderr, "planc simulate: %v\n", err)
				return exitError
			}
			s, err = ir.ReadSchedule(bufio.NewReader(f), u.Plan)
			f.Close()
			if err != nil {
				fmt.Fprintf(stderr, "planc simulate: %s: %v\n", *schedPath, err)
				return exitError
			}
		}
		t1 := time.Now()
		vr, err := sched.Verify(s)
		if err != nil {
			fmt.Fprintf(stderr, "planc simulate: %v\n", err)
			return exitError
		}
		t2 := time.Now()
		net := sim.NetworkOf(u.Plan)
		cfg := net.Config(sim.FromCostReport(u))
		cfg.Trace = *tracePath != "" || *svgPath != ""
		cfg.TraceSimulated = true // identical ranks are written from their simulated rank
		cfg.MemoryLimit = sched.AvailableMemory()
		res, err := sim.Run(s, cfg)
		if err != nil {
			fmt.Fprintf(stderr, "planc simulate: %v\n", err)
			return exitError
		}
		t3 := time.Now()
		if *tracePath != "" {
			if code := writeTrace(*tracePath, *traceRanks, s, res, stderr); code != exitOK {
				return code
			}
		}
		if *svgPath != "" {
			if err := writeFileAtomically(*svgPath, func(w *bufio.Writer) error { return sim.WriteSVG(w, s, res) }); err != nil {
				fmt.Fprintf(stderr, "planc simulate: %v\n", err)
				return exitError
			}
		}
		rep := simulateReport{Plan: p.Name, Schedule: string(s.Kind), Ranks: len(s.Ranks), SimulatedRanks: res.Simulated, MicroBatches: s.MB,
			Actions: vr.Actions, StepTime: res.StepTime, ExposedFraction: res.ExposedFraction,
			CompileSeconds: t1.Sub(t0).Seconds(), VerifySeconds: t2.Sub(t1).Seconds(), SimulateSeconds: t3.Sub(t2).Seconds()}
		if u.Cost != nil {
			rep.CostModelStep = u.Cost.StepTime
		}
		rep.PPRanks = make([]ppStats, s.PP)
		counts := make([]int, s.PP)
		for _, rp := range s.Ranks {
			q := rp.Coord.PP
			st := &rep.PPRanks[q]
			st.PP = q
			st.Busy += res.Busy[rp.Rank]
			st.Exposed += res.Exposed[rp.Rank]
			st.Idle += res.Idle[rp.Rank]
			st.PeakInFlight = max(st.PeakInFlight, vr.PeakInFlight[rp.Rank])
			rep.PeakInFlight = max(rep.PeakInFlight, vr.PeakInFlight[rp.Rank])
			counts[q]++
		}
		for q := range rep.PPRanks {
			if n := float64(counts[q]); n > 0 {
				rep.PPRanks[q].Busy /= n
				rep.PPRanks[q].Exposed /= n
				rep.PPRanks[q].Idle /= n
			}
		}
		// The step's breakdown is that of the busiest pipeline rank, the
		// one that sets the step time, as explain's is.
		busiest := rep.PPRanks[0]
		for _, q := range rep.PPRanks {
			if q.Busy > busiest.Busy {
				busiest = q
			}
		}
		rep.BusiestPP, rep.Busy, rep.Exposed, rep.Bubble = busiest.PP, busiest.Busy, busiest.Exposed, busiest.Idle
		if res.StepTime > 0 {
			rep.BubbleFraction = rep.Bubble / res.StepTime
		}
		reports = append(reports, rep)
	}
	if pf.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if len(reports) == 1 {
			enc.Encode(reports[0])
		} else {
			enc.Encode(reports)
		}
		return worst
	}
	for _, r := range reports {
		printSimulateReport(stdout, r)
	}
	return worst
}

// printSimulateReport prints the simulated step in the units and the
// breakdown of explain's "time per step" (docs/glossary.md): means over
// devices, in seconds, and as shares of the step time.
func printSimulateReport(w io.Writer, r simulateReport) {
	fmt.Fprintf(w, "plan %s: schedule %s, %s, %s", r.Plan, r.Schedule, plural(r.MicroBatches, "micro-batch"), plural(r.Ranks, "rank"))
	if r.SimulatedRanks < r.Ranks {
		fmt.Fprintf(w, " (%d simulated: the others are identical tensor-parallel copies or data-parallel replicas)", r.SimulatedRanks)
	}
	fmt.Fprintf(w, ", %s\n", plural(r.Actions, "action"))
	fmt.Fprintf(w, "  %-22s %12s", "step time", seconds(r.StepTime))
	if r.CostModelStep > 0 {
		fmt.Fprintf(w, "  (cost model %s, %+.2f%%)", seconds(r.CostModelStep), 100*(r.StepTime/r.CostModelStep-1))
	}
	fmt.Fprintln(w)
	for _, x := range []struct {
		what string
		t    float64
	}{{"compute", r.Busy}, {"exposed communication", r.Exposed}, {"pipeline bubble", r.Bubble}} {
		fmt.Fprintf(w, "  %-22s %12s  %6s of step\n", x.what, seconds(x.t), pct(x.t, r.StepTime))
	}
	if len(r.PPRanks) > 1 {
		fmt.Fprintf(w, "  (on pp rank %d, the busiest; the others idle longer by what they lack of its work)\n", r.BusiestPP)
	}
	if n := int(r.PeakInFlight); float64(n) == r.PeakInFlight {
		fmt.Fprintf(w, "  peak in flight %s\n", plural(n, "micro-batch"))
	} else {
		fmt.Fprintf(w, "  peak in flight %.4g micro-batches\n", r.PeakInFlight)
	}
	fmt.Fprintf(w, "  %-4s %12s %12s %12s %9s\n", "pp", "busy", "exposed", "idle", "in-flight")
	show := len(r.PPRanks)
	for i, q := range r.PPRanks {
		if show > 16 && i >= 8 && i < show-8 {
			if i == 8 {
				fmt.Fprintf(w, "  ... %d pipeline ranks ...\n", show-16)
			}
			continue
		}
		fmt.Fprintf(w, "  %-4d %12s %12s %12s %9.4g\n", q.PP, seconds(q.Busy), seconds(q.Exposed), seconds(q.Idle), q.PeakInFlight)
	}
	fmt.Fprintf(w, "  compile %.2f s, verify %.2f s, simulate %.2f s\n", r.CompileSeconds, r.VerifySeconds, r.SimulateSeconds)
}
