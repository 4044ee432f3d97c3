package ir

import (
	"fmt"
	"io"
	"strings"
)

// String prints a tensor as name[b=4, s=2048, h=6144/tp]{partial tp}.
func (t Tensor) String() string {
	var b strings.Builder
	b.WriteString(t.Name)
	b.WriteByte('[')
	for i, d := range t.Shape {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%d", d.Sym, d.Size)
		if d.Parts > 1 {
			fmt.Fprintf(&b, "/%s", d.Axis)
		}
	}
	b.WriteByte(']')
	if t.Elem != 2 {
		fmt.Fprintf(&b, ":%dB", t.Elem)
	}
	if len(t.Partial) > 0 {
		b.WriteString("{partial")
		for _, a := range t.Partial {
			b.WriteString(" " + string(a))
		}
		b.WriteByte('}')
	}
	return b.String()
}

// FormatBytes prints a byte count with a binary unit (3 significant digits).
func FormatBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.2f %s", n, units[i])
}

// FormatFLOPs prints a FLOP count with a decimal prefix.
func FormatFLOPs(n float64) string {
	units := []string{"", "K", "M", "G", "T", "P", "E"}
	i := 0
	for n >= 1000 && i < len(units)-1 {
		n /= 1000
		i++
	}
	return fmt.Sprintf("%.3g %sFLOP", n, units[i])
}

// String prints one op on one line.
func (o *Op) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s = %s", o.Output, o.Kind)
	if o.Recompute {
		b.WriteString("!recompute")
	}
	b.WriteByte('(')
	for i, in := range o.Inputs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(in.String())
	}
	if o.Weight != nil {
		b.WriteString("; w " + o.Weight.String())
	}
	if o.Bias != nil {
		b.WriteString(", b " + o.Bias.String())
	}
	b.WriteByte(')')
	if o.Class == Matmul {
		fmt.Fprintf(&b, " gemm %dx%dx%d", o.M, o.N, o.K)
		if o.Batch > 1 {
			fmt.Fprintf(&b, "x%d", o.Batch)
		}
	}
	fmt.Fprintf(&b, " fwd %s", FormatFLOPs(o.FwdFLOPs))
	if o.BwdInputFLOPs+o.BwdWeightFLOPs > 0 {
		fmt.Fprintf(&b, " bwd %s+%s", FormatFLOPs(o.BwdInputFLOPs), FormatFLOPs(o.BwdWeightFLOPs))
	}
	fmt.Fprintf(&b, " mem %s", FormatBytes(o.FwdBytes))
	if s := o.SavedBytes(); s > 0 {
		fmt.Fprintf(&b, " saved %s", FormatBytes(s))
	}
	return b.String()
}

// String prints one collective on one line.
func (c *Collective) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s(%d) %s %s", c.Name, c.Kind, c.Axis, c.GroupSize, FormatBytes(c.Bytes), c.Phase)
	if c.Steps > 1 {
		fmt.Fprintf(&b, " x%d", c.Steps)
	}
	if c.After != "" {
		fmt.Fprintf(&b, " after %s", c.After)
	}
	fmt.Fprintf(&b, " %s", c.Overlap)
	return b.String()
}

// Print writes the unit's readable text form: the plan, the mesh with its
// groups, and every stage's ops with their collectives. Golden tests pin it.
func (u *Unit) Print(w io.Writer) {
	p := u.Plan
	fmt.Fprintf(w, "unit %s model=%s cluster=%s\n", p.Name, p.Model.Name, p.Cluster.Name)
	fmt.Fprintf(w, "plan dp=%d tp=%d pp=%d ep=%d cp=%d vpp=%d sp=%t cp_mode=%s zero=%d schedule=%s global_batch=%d micro_batch=%d recompute=%s precision=%s",
		p.DP, p.TP, p.PP, p.EP, p.CP, p.VPP, p.SP, p.CPMode, p.Zero, p.Schedule, p.GlobalBatch, p.MicroBatch, p.Recompute, p.Precision)
	if p.Model.MoE != nil {
		fmt.Fprintf(w, " moe.dispatch=%s moe.capacity_factor=%g", p.MoE.Dispatch, p.MoE.CapacityFactor)
	}
	fmt.Fprintln(w)
	PrintMesh(w, u.Mesh)
	for _, s := range u.Graph.Stages {
		fmt.Fprintf(w, "stage %d pp_rank=%d chunk=%d layers=[%d,%d)\n", s.Index, s.PPRank, s.Chunk, s.FirstLayer, s.LastLayer)
		after := map[string][]*Collective{}
		var step []*Collective
		for _, c := range s.Collectives {
			if c.After == "" {
				step = append(step, c)
				continue
			}
			after[c.After] = append(after[c.After], c)
		}
		for _, o := range s.Ops {
			fmt.Fprintf(w, "  %-14s %s\n", o.Name, o)
			for _, c := range after[o.Name] {
				fmt.Fprintf(w, "    coll %s\n", c)
			}
		}
		for _, c := range step {
			fmt.Fprintf(w, "  coll %s\n", c)
		}
	}
	for _, p := range u.Programs {
		fmt.Fprint(w, p)
	}
}

// PrintMesh writes the mesh shape and its groups along each used axis
// (at most 8 groups per axis, then a count).
func PrintMesh(w io.Writer, m Mesh) {
	fmt.Fprintf(w, "mesh %s\n", m)
	axes := []struct {
		a Axis
		n int
	}{{AxisTP, m.TP}, {AxisCP, m.CP}, {AxisDP, m.DP}, {AxisPP, m.PP}, {AxisEP, m.EP}}
	if m.CP > 1 && m.DP > 1 {
		axes = append(axes, struct {
			a Axis
			n int
		}{AxisDPCP, m.CP * m.DP})
	}
	if m.kv() > 1 {
		axes = append(axes, struct {
			a Axis
			n int
		}{AxisKV, m.kv()})
	}
	if m.EP > 1 && m.Degree(AxisEDP) > 1 {
		axes = append(axes, struct {
			a Axis
			n int
		}{AxisEDP, m.Degree(AxisEDP)})
	}
	for _, ax := range axes {
		if ax.n <= 1 {
			continue
		}
		gs := m.Groups(ax.a)
		fmt.Fprintf(w, "  %-4s %d groups of %d:", ax.a, len(gs), len(gs[0]))
		for i, g := range gs {
			if i == 4 {
				fmt.Fprintf(w, " ... (%d more)", len(gs)-4)
				break
			}
			if len(g) > 16 {
				fmt.Fprintf(w, " %v", fmt.Sprint(g[:8])[:len(fmt.Sprint(g[:8]))-1]+fmt.Sprintf(" ... %d]", g[len(g)-1]))
				continue
			}
			fmt.Fprintf(w, " %v", g)
		}
		fmt.Fprintln(w)
	}
}
