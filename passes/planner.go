package passes

import (
	"fmt"
	"sort"

	"planc/ir"
)

// resolveAuto fills the plan's `auto` fields with the fastest plan that
// fits in memory, found by a bounded search over the choices the fields
// allow, each candidate timed by [Estimate].
func resolveAuto(st *State) {
	p := st.Plan
	if len(p.Auto) == 0 {
		return
	}
	best, n, hitBound := search(p, st.Opts.MaxSearch)
	if best == nil {
		fields := make([]string, 0, len(p.Auto))
		for f := range p.Auto {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		field := fields[0]
		st.Diags = append(st.Diags, ir.Diagnostic{Severity: ir.Error, Span: p.FieldSpan(field),
			Message: fmt.Sprintf("no value of the auto fields %v gives a plan that fits in memory (%d plans tried)", fields, n)})
		return
	}
	if hitBound {
		st.Diags = append(st.Diags, ir.Warnf(p.Span, "the planner stopped at its bound of %d plans; the choice may not be the best", n))
	}
	auto := p.Auto
	*p = *best
	p.Auto = map[string]bool{}
	for f := range auto {
		p.Auto[f] = false // resolved
	}
}

func divisors(n int) []int {
	var out []int
	for i := 1; i <= n; i++ {
		if n%i == 0 {
			out = append(out, i)
		}
	}
	return out
}

// search enumerates the auto fields' values (degrees whose product is the
// cluster's device count, micro-batches dividing the batch, every enum
// value) and returns the fitting plan with the shortest step time. It
// evaluates at most limit plans.
func search(p *ir.Plan, limit int) (best *ir.Plan, tried int, hitBound bool) {
	if limit <= 0 {
		limit = 200000
	}
	cl := clusterFor(withDefaults(p))
	world := cl.Devices()
	perNode := max(cl.PerNode, 1)
	m := p.Model
	auto := func(f string) bool { return p.Auto[f] }
	choices := func(f string, cur int, vals []int) []int {
		if auto(f) {
			return vals
		}
		return []int{cur}
	}
	degrees := divisors(world)
	tps := choices("tp", p.TP, degrees)
	pps := choices("pp", p.PP, degrees)
	cps := choices("cp", p.CP, degrees)
	dps := choices("dp", p.DP, degrees)
	bools := func(f string, cur bool) []bool {
		if auto(f) {
			return []bool{false, true}
		}
		return []bool{cur}
	}
	// the search order decides ties: the plain settings first
	recomputes := enumChoices(p, "recompute", p.Recompute, ir.RecomputeNone, ir.RecomputeSelective, ir.RecomputeFull)
	schedules := enumChoices(p, "schedule", p.Schedule, ir.Schedule1F1B, ir.ScheduleInterleaved, ir.ScheduleGPipe, ir.ScheduleZBH1, ir.ScheduleZBV)
	modes := enumChoices(p, "cp_mode", p.CPMode, ir.CPRing, ir.CPUlysses, ir.CPAllGather, ir.CPLSS)
	dispatches := enumChoices(p, "moe.dispatch", p.MoE.Dispatch, ir.DispatchPaddingFree, ir.DispatchCapacity)
	sps := bools("sp", p.SP)
	zeros := choices("zero", p.Zero, []int{0, 1, 2, 3})
	bestTime := 0.0
	for _, tp := range tps {
		for _, pp := range pps {
			for _, cp := range cps {
				for _, dp := range dps {
					if !auto("dp") && !auto("tp") && !auto("pp") && !auto("cp") {
						// nothing to fill among degrees
					} else if tp*pp*cp*dp != world {
						continue
					}
					// cheap necessary conditions before any estimate: tp
					// inside a node and dividing the heads, a stage per
					// pipeline rank at least
					if auto("tp") && (tp > perNode || (m.Kind != ir.MLPModel && m.Heads%tp != 0)) {
						continue
					}
					if auto("pp") && pp > m.NumLayers() {
						continue
					}
					gb := p.GlobalBatch
					if auto("global_batch") || gb == 0 {
						gb = dp * max(p.MicroBatch, 1)
					}
					mbs := []int{p.MicroBatch}
					if auto("micro_batch") {
						mbs = nil
						if gb%dp == 0 {
							mbs = divisors(gb / dp)
						}
					}
					eps := []int{p.EP}
					if auto("ep") {
						eps = divisors(dp * cp)
					}
					vpps := []int{p.VPP}
					if auto("vpp") {
						vpps = []int{1, 2, 3, 4}
					}
					for _, mb := range mbs {
						for _, ep := range eps {
							for _, vpp := range vpps {
								for _, sched := range schedules {
									for _, rc := range recomputes {
										for _, sp := range sps {
											for _, z := range zeros {
												for _, mode := range modes {
													for _, disp := range dispatches {
														if tried >= limit {
															return best, tried, true
														}
														q := clonePlan(p)
														q.TP, q.PP, q.CP, q.DP, q.EP, q.VPP = tp, pp, cp, dp, ep, vpp
														q.GlobalBatch, q.MicroBatch = gb, mb
														q.Schedule, q.Recompute, q.SP, q.Zero, q.CPMode = sched, rc, sp, z, mode
														q.MoE.Dispatch = disp
														if pp == 1 && (vpp > 1 || sched != schedules[0]) {
															continue // schedules differ only with a pipeline
														}
														if auto("vpp") {
															// chunks per rank only where the schedule has them
															switch sched {
															case ir.ScheduleInterleaved:
																if vpp == 1 {
																	continue
																}
															case ir.ScheduleZBV:
																if vpp != 2 {
																	continue
																}
															default:
																if vpp > 1 {
																	continue
																}
															}
														}
														tried++
														e, ds := EstimateStep(q)
														if ds.HasErrors() || !e.Fits() {
															continue
														}
														if best == nil || e.StepTime < bestTime {
															best, bestTime = q, e.StepTime
														}
													}
												}
											}
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return best, tried, false
}

// enumChoices returns the values the search tries for enum field f: vals
// when the plan leaves it auto, else the plan's own value.
func enumChoices[E ~string](p *ir.Plan, f string, cur E, vals ...E) []E {
	if p.Auto[f] {
		return vals
	}
	return []E{cur}
}

// withDefaults returns a normalized copy of p (for sizing the search).
func withDefaults(p *ir.Plan) *ir.Plan {
	q := clonePlan(p)
	normalize(q)
	return q
}
