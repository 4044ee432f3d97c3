package passes

import (
	"fmt"
	"sort"
	"strings"

	"planc/ir"
)

// A dimension a search can maximize: a model field or the global batch.
type maxDim struct {
	name string
	get  func(p *ir.Plan) int
	// with returns a copy of p with the dimension set to v (the model is
	// copied, never changed in place).
	with func(p *ir.Plan, v int) *ir.Plan
	step func(p *ir.Plan) int // the default step
	cap  int                  // the largest value tried
}

func withModel(p *ir.Plan, edit func(m *ir.Model)) *ir.Plan {
	q := clonePlan(p)
	m := *p.Model
	edit(&m)
	q.Model = &m
	return q
}

var maxDims = []maxDim{
	{name: "model.seq",
		get:  func(p *ir.Plan) int { return p.Model.Seq },
		with: func(p *ir.Plan, v int) *ir.Plan { return withModel(p, func(m *ir.Model) { m.Seq = v }) },
		step: func(*ir.Plan) int { return 1024 },
		cap:  1 << 26},
	{name: "model.layers",
		get: func(p *ir.Plan) int { return p.Model.NumLayers() },
		with: func(p *ir.Plan, v int) *ir.Plan {
			return withModel(p, func(m *ir.Model) {
				if m.Kind == ir.MLPModel {
					m.Depth = v
				} else {
					m.Layers = v
				}
			})
		},
		step: func(p *ir.Plan) int {
			if p.Auto["pp"] || p.Auto["vpp"] {
				return 1
			}
			return max(p.PP*p.VPP, 1)
		},
		cap: 1 << 16},
	{name: "global_batch",
		get:  func(p *ir.Plan) int { return p.GlobalBatch },
		with: func(p *ir.Plan, v int) *ir.Plan { q := clonePlan(p); q.GlobalBatch = v; return q },
		step: func(p *ir.Plan) int { return max(clusterFor(withDefaults(p)).Devices(), 1) },
		cap:  1 << 26},
}

// MaximizableDims lists the dimensions [Maximize] accepts.
func MaximizableDims() []string {
	var out []string
	for _, d := range maxDims {
		out = append(out, d.name)
	}
	return out
}

// MaxReport is what [Maximize] found.
type MaxReport struct {
	Dim   string
	Step  int
	Value int // the largest multiple of Step for which a plan fits (0: none)
	// At is the search at Value (its best plans); Beyond the search at
	// Value+Step, where no plan fits.
	At, Beyond *SearchReport
	// Binding names the limit that stops Value+Step: "memory" when legal
	// plans exist there but none fits, or the constraints that leave no
	// legal plan ("divisibility: ..."), or "none" when the dimension
	// reached its cap.
	Binding string
	Probes  []Probe // every value tried, in order
}

// Probe is one value a maximization tried.
type Probe struct {
	Value int
	Fits  bool
}

// Maximize finds the largest value of dim (a multiple of step; 0: the
// dimension's default step) for which some plan of p's search space fits,
// and the best plans at it. It doubles the value from the plan's own
// until no plan fits, then bisects; this assumes that a value that fits
// has smaller ones that fit too (true of memory, and of divisibility when
// the step is a multiple of what the degrees must divide). opts apply to
// every search; its Progress, when set, is called after each value tried
// with the number tried so far and a total of 0.
func Maximize(p *ir.Plan, dim string, step int, opts SearchOptions) (*MaxReport, ir.Diagnostics) {
	var d *maxDim
	for i := range maxDims {
		if maxDims[i].name == dim {
			d = &maxDims[i]
		}
	}
	if d == nil {
		return nil, ir.Diagnostics{ir.Errorf(p.Span, "--maximize %s: not a dimension planc can maximize (%s)", dim, strings.Join(MaximizableDims(), ", "))}
	}
	if dim == "global_batch" && p.Auto["global_batch"] {
		return nil, ir.Diagnostics{ir.Errorf(p.FieldSpan("global_batch"), "--maximize global_batch needs global_batch written, not auto")}
	}
	if dim == "model.seq" && p.Model.Kind == ir.MLPModel {
		return nil, ir.Diagnostics{ir.Errorf(p.FieldSpan("model"), "--maximize model.seq: model %s is an mlp, with no sequence", p.Model.Name)}
	}
	if step <= 0 {
		step = d.step(p)
	}
	mr := &MaxReport{Dim: dim, Step: step}
	probeOpts := opts
	probeOpts.Progress = nil
	try := func(k int) (*SearchReport, ir.Diagnostics) {
		rep, ds := Search(d.with(p, k*step), probeOpts)
		if ds.HasErrors() {
			return nil, ds
		}
		mr.Probes = append(mr.Probes, Probe{k * step, len(rep.Results) > 0})
		if opts.Progress != nil {
			opts.Progress(int64(len(mr.Probes)), 0)
		}
		return rep, nil
	}
	// lo fits (or is 0), hi does not
	lo, hi := 0, max(d.get(p)/step, 1)
	var loRep, hiRep *SearchReport
	for hi*step <= d.cap {
		rep, ds := try(hi)
		if ds != nil {
			return nil, ds
		}
		if len(rep.Results) == 0 {
			hiRep = rep
			break
		}
		lo, loRep = hi, rep
		hi *= 2
	}
	if hiRep == nil {
		mr.Value, mr.At, mr.Binding = lo*step, loRep, fmt.Sprintf("none: plans fit up to the cap of %d", d.cap)
		return mr, nil
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		rep, ds := try(mid)
		if ds != nil {
			return nil, ds
		}
		if len(rep.Results) > 0 {
			lo, loRep = mid, rep
		} else {
			hi, hiRep = mid, rep
		}
	}
	mr.Value, mr.At, mr.Beyond = lo*step, loRep, hiRep
	mr.Binding = binding(hiRep)
	return mr, nil
}

// binding names what keeps every plan of a search from fitting.
func binding(rep *SearchReport) string {
	legal := int64(0) // plans that passed every constraint
	var constraints []PruneCount
	for _, pc := range rep.Pruned {
		switch pc.By {
		case PrunedMemoryBound, PrunedNoFit, PrunedMaxMemory:
			legal += pc.Plans
		case PrunedCheck:
		default:
			constraints = append(constraints, pc)
		}
	}
	if legal > 0 {
		if n := prunedBy(rep, PrunedMaxMemory); n > 0 {
			return fmt.Sprintf("memory: %d legal plans, none within --max-memory", legal)
		}
		return fmt.Sprintf("memory: %d legal plans, none fits in device memory", legal)
	}
	sort.Slice(constraints, func(i, j int) bool { return constraints[i].Plans > constraints[j].Plans })
	var names []string
	for _, c := range constraints {
		names = append(names, c.By)
	}
	return "divisibility: no plan meets every constraint (" + strings.Join(names, "; ") + ")"
}

func prunedBy(rep *SearchReport, by string) int64 {
	for _, pc := range rep.Pruned {
		if pc.By == by {
			return pc.Plans
		}
	}
	return 0
}
