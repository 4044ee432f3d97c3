package ir

import (
	"fmt"
	"strings"
)

// AxisEmbed names the pair of ranks (first and last pipeline stage, same
// tp, cp and dp coordinates) that all-reduce the gradient of tied
// embeddings.
const AxisEmbed Axis = "embed"

// Degree returns the number of ranks in each group along axis. A compound
// axis "cp*tp" (one dimension split by several axes) has the product of
// their degrees.
func (m Mesh) Degree(axis Axis) int {
	if strings.Contains(string(axis), "*") {
		n := 1
		for _, a := range strings.Split(string(axis), "*") {
			n *= m.Degree(Axis(a))
		}
		return n
	}
	switch axis {
	case AxisEmbed:
		if m.PP > 1 {
			return 2
		}
		return 0
	case AxisTP:
		return m.TP
	case AxisKV:
		return m.kv()
	case AxisCP:
		return m.CP
	case AxisDP:
		return m.DP
	case AxisPP:
		return m.PP
	case AxisDPCP:
		return m.DP * m.CP
	case AxisEP:
		return m.EP
	case AxisEDP:
		n := m.DP * m.CP
		if m.SSMB {
			n *= m.TP
		}
		return n / m.EP
	}
	return 0
}

// Verify checks the unit's graph against its mesh: every sharded dimension
// is split by an axis of the mesh into exactly that axis's degree and
// divides evenly; GEMM shapes agree with their tensors; elementwise ops keep
// their input's size; every collective names an op of its stage, an axis
// whose groups exist and have the collective's size, and moves a positive
// number of bytes; stages cover the layers in order. It returns one error
// per problem (nil when the graph is consistent).
func (u *Unit) Verify() []error {
	v := &verifier{m: u.Mesh}
	m := u.Mesh
	if len(u.Graph.Stages) != m.PP*max(u.Plan.VPP, 1) && len(u.Graph.Stages) > 0 {
		v.bad("graph has %d stages, plan has pp·vpp = %d", len(u.Graph.Stages), m.PP*max(u.Plan.VPP, 1))
	}
	next := 0
	for i, s := range u.Graph.Stages {
		where := fmt.Sprintf("stage %d", s.Index)
		if s.Index != i || s.PPRank != u.Plan.Schedule.PipelineRank(m.PP, i) || s.Chunk != i/m.PP {
			v.bad("%s: index %d, pp rank %d, chunk %d out of pipeline order", where, s.Index, s.PPRank, s.Chunk)
		}
		if s.FirstLayer != next || s.LastLayer < s.FirstLayer {
			v.bad("%s: layers [%d,%d) do not follow layer %d", where, s.FirstLayer, s.LastLayer, next)
		}
		next = s.LastLayer
		v.program(where, s.Ops, s.Collectives, s.FirstLayer, s.LastLayer)
	}
	if n := u.Plan.Model.NumLayers(); len(u.Graph.Stages) > 0 && next != n {
		v.bad("stages end at layer %d, the model has %d", next, n)
	}
	return v.errs
}

// VerifyProgram checks ops and collectives not yet partitioned into
// stages (the IR between expansion and pipeline partitioning) against the
// unit's mesh, as [Unit.Verify] checks a stage's: shardings, GEMM shapes,
// elementwise sizes, op kinds against the registry, collective groups and
// bytes, and that every collective follows an op of the list. Before
// sharding (shaped false) GEMMs have no local shape yet and those checks
// wait.
func (u *Unit) VerifyProgram(ops []*Op, colls []*Collective, shaped bool) []error {
	v := &verifier{m: u.Mesh, unshaped: !shaped}
	v.program("program", ops, colls, 0, u.Plan.Model.NumLayers())
	return v.errs
}

// VerifyMesh checks the unit's mesh against its plan: the degrees are the
// plan's and positive, and expert parallelism divides the data ranks it is
// carved from.
func (u *Unit) VerifyMesh() []error {
	v := &verifier{m: u.Mesh}
	m, p := u.Mesh, u.Plan
	if m.TP < 1 || m.CP < 1 || m.DP < 1 || m.PP < 1 || m.EP < 1 {
		v.bad("mesh %s has a degree below 1", m)
	}
	if m.TP != p.TP || m.CP != p.CP || m.DP != p.DP || m.PP != p.PP || m.Size() != p.WorldSize() {
		v.bad("mesh %s is not the plan's (tp=%d cp=%d dp=%d pp=%d)", m, p.TP, p.CP, p.DP, p.PP)
	}
	if pool := m.DP * m.CP * map[bool]int{true: m.TP, false: 1}[m.SSMB]; m.EP > 0 && pool%m.EP != 0 {
		v.bad("mesh %s: ep=%d does not divide the %d data ranks", m, m.EP, pool)
	}
	return v.errs
}

// verifier collects the problems the verifiers find.
type verifier struct {
	m        Mesh
	unshaped bool // GEMM shapes not assigned yet (before sharding)
	errs     []error
}

func (v *verifier) bad(format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf(format, args...))
}

// program checks one program: ops of layers [first, last) and their
// collectives.
func (v *verifier) program(where string, ops []*Op, colls []*Collective, first, last int) {
	bad, m := v.bad, v.m
	checkTensor := func(where string, t Tensor) {
		for _, d := range t.Shape {
			if d.Size <= 0 {
				bad("%s: tensor %s: dimension %s has size %d", where, t.Name, d.Sym, d.Size)
			}
			if d.Parts > 1 || d.Axis != "" {
				deg := m.Degree(d.Axis)
				if deg != d.Parts {
					bad("%s: tensor %s: dimension %s split %d ways by %s, whose degree is %d", where, t.Name, d.Sym, d.Parts, d.Axis, deg)
				}
				if d.Parts > 0 && d.Size%d.Parts != 0 {
					bad("%s: tensor %s: dimension %s=%d does not divide by %s=%d", where, t.Name, d.Sym, d.Size, d.Axis, d.Parts)
				}
			}
		}
		for _, a := range t.Partial {
			if m.Degree(a) <= 1 {
				bad("%s: tensor %s: partial over axis %s of degree %d", where, t.Name, a, m.Degree(a))
			}
		}
	}
	{
		names := map[string]bool{}
		for _, o := range ops {
			ow := where + ": op " + o.Name
			if names[o.Name] {
				bad("%s: duplicate op name", ow)
			}
			names[o.Name] = true
			for _, t := range o.Inputs {
				checkTensor(ow, t)
			}
			checkTensor(ow, o.Output)
			if o.Weight != nil {
				checkTensor(ow, *o.Weight)
			}
			if o.Layer >= 0 && (o.Layer < first || o.Layer >= last) {
				bad("%s: layer %d outside the layers [%d,%d)", ow, o.Layer, first, last)
			}
			if o.FwdFLOPs < 0 || o.FwdBytes < 0 {
				bad("%s: negative work", ow)
			}
			if info := o.Kind.Info(); info == nil {
				bad("%s: op kind %q is not in the op registry", ow, o.Kind)
			} else if info.Class != o.Class {
				bad("%s: class %s, the registry's %s is %s", ow, o.Class, o.Kind, info.Class)
			}
			switch o.Class {
			case Matmul:
				if v.unshaped {
					break
				}
				if o.M <= 0 || o.N <= 0 || o.K <= 0 {
					bad("%s: GEMM %dx%dx%d", ow, o.M, o.N, o.K)
				}
				if want := 2 * float64(o.M) * float64(o.N) * float64(o.K) * float64(max(o.Batch, 1)); !approxEqual(want, o.FwdFLOPs) {
					bad("%s: forward FLOPs %g, GEMM shape gives %g", ow, o.FwdFLOPs, want)
				}
				if o.Weight != nil {
					w := o.Weight.Shape
					if len(w) >= 2 && w[len(w)-2].Local() != o.K {
						bad("%s: weight %s has local input dim %d, GEMM K is %d", ow, o.Weight.Name, w[len(w)-2].Local(), o.K)
					}
					if len(w) >= 2 && w[len(w)-1].Local() != o.N {
						bad("%s: weight %s has local output dim %d, GEMM N is %d", ow, o.Weight.Name, w[len(w)-1].Local(), o.N)
					}
					if len(o.Inputs) > 0 {
						in := o.Inputs[0].Shape
						// a batch of blocks may read one wide input (phantom parts)
						if k := in[len(in)-1].Local(); k != o.K && k != o.K*max(o.Batch, 1) {
							bad("%s: input %s has local last dim %d, GEMM K is %d", ow, o.Inputs[0].Name, in[len(in)-1].Local(), o.K)
						}
					}
					out := o.Output.Shape
					if n := out[len(out)-1].Local(); n != o.N && n != o.N*max(o.Batch, 1) {
						bad("%s: output %s has local last dim %d, GEMM N is %d", ow, o.Output.Name, out[len(out)-1].Local(), o.N)
					}
				}
			case MemoryBound:
				switch o.Kind {
				case OpLayerNorm, OpGeLU, OpExpertGeLU, OpSharedGeLU, OpAttnDropout, OpResidual, OpActivation, OpSoftmax:
					if len(o.Inputs) > 0 && o.Inputs[0].Elements() != o.Output.Elements() {
						bad("%s: elementwise op maps %g elements to %g", ow, o.Inputs[0].Elements(), o.Output.Elements())
					}
				}
			}
		}
		for _, c := range colls {
			cw := where + ": collective " + c.Name
			deg := m.Degree(c.Axis)
			if deg == 0 {
				bad("%s: unknown axis %q", cw, c.Axis)
				continue
			}
			if c.Axis == AxisEmbed {
				if c.GroupSize != 2 {
					bad("%s: the tied-embedding group pairs 2 ranks", cw)
				}
			} else if c.Axis != AxisPP {
				if g := m.Group(c.Axis, 0); len(g) != c.GroupSize {
					bad("%s: group size %d, mesh groups along %s have %d ranks", cw, c.GroupSize, c.Axis, len(g))
				}
			} else if c.GroupSize != 2 || m.PP < 2 {
				bad("%s: a pipeline send/recv pairs 2 ranks of a pipeline with pp >= 2", cw)
			}
			if c.GroupSize < 2 {
				bad("%s: a collective over %d rank", cw, c.GroupSize)
			}
			if !(c.Bytes > 0) {
				bad("%s: %g bytes", cw, c.Bytes)
			}
			if c.After != "" && !names[c.After] {
				bad("%s: follows unknown op %q", cw, c.After)
			}
		}
	}
}

func approxEqual(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 1e-9*max(abs(a), abs(b), 1)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// NumLayers returns the transformer layers, or for an mlp model its depth.
func (m *Model) NumLayers() int {
	if m.Kind == MLPModel {
		return m.Depth
	}
	return m.Layers
}
