package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"planc/ir"
	"planc/passes"
)

// overview: the model, the machine, the mesh and its groups, the settings
// (the planner's choices and the edits marked) and the diagnostics.
func (m *Model) overview(w int) []string {
	p := m.s.Cur.Plan
	total, active := passes.ModelParams(p)
	var out []string
	add := func(f string, a ...any) { out = append(out, fmt.Sprintf(f, a...)) }
	mdl := p.Model
	if mdl.Kind == ir.MLPModel {
		add(" model %s: mlp, width %d, depth %d, %s parameters", mdl.Name, mdl.Width, mdl.Depth, count(total))
	} else {
		add(" model %s: %d layers, hidden %d, %d heads, seq %d, vocab %d", mdl.Name, mdl.Layers, mdl.Hidden, mdl.Heads, mdl.Seq, mdl.Vocab)
		if mdl.MoE != nil {
			add("   %s parameters, %s active per token (%d experts, top-%d, %d shared)", count(total), count(active), mdl.MoE.Experts, mdl.MoE.TopK, mdl.MoE.Shared)
		} else {
			add("   %s parameters (all active)", count(total))
		}
	}
	c, dev := p.Cluster, p.Cluster.Node.Device
	fitted := "fitted efficiency"
	if !dev.Fitted() {
		fitted = "default efficiency (times indicative)"
	}
	add(" cluster %s: %d × %d %s, %s GiB, %s", c.Name, c.Nodes, c.PerNode, dev.Name, gib(dev.Memory), fitted)
	var mesh strings.Builder
	ir.PrintMesh(&mesh, m.s.Cur.Mesh)
	for _, l := range strings.Split(strings.TrimRight(mesh.String(), "\n"), "\n") {
		out = append(out, " "+l)
	}
	out = append(out, "", " settings ("+m.st.changed.Render("*")+" edited, a: auto, the planner's choice)")
	var cells []string
	for _, kn := range m.knobs {
		v := kn.value(p)
		mark := " "
		switch {
		case m.s.Changed(kn):
			mark = "*"
			v += " (was " + kn.value(m.s.Orig.Plan) + ")"
		case m.s.Auto[kn.name]:
			mark = "a"
		}
		cell := fmt.Sprintf("%s %s = %s", mark, kn.name, v)
		if mark == "*" {
			cell = m.st.changed.Render(cell)
		}
		cells = append(cells, cell)
	}
	out = append(out, columns(cells, w, 3)...)
	diags, src := m.s.Cur.Diags, m.s.Cur.Prog.Sources
	if m.s.Cur == m.s.Orig {
		diags = m.s.Diags // with the errors: a plan that does not fit opens
	}
	if len(diags) > 0 {
		out = append(out, "", " diagnostics")
		for _, l := range strings.Split(strings.TrimRight(ir.RenderAll(diags, src), "\n"), "\n") {
			out = append(out, " "+l)
		}
	}
	return out
}

// columns lays cells out in as many columns of at most maxCols as fit.
func columns(cells []string, w, maxCols int) []string {
	widest := 0
	for _, c := range cells {
		widest = max(widest, ansi.StringWidth(c))
	}
	cw := widest + 2
	n := max(min(w/max(cw, 1), maxCols), 1)
	rows := (len(cells) + n - 1) / n
	out := make([]string, rows)
	for i, c := range cells {
		r := i % rows
		out[r] += fit(" "+c, cw)
	}
	return out
}

func count(n float64) string {
	switch {
	case n >= 1e12:
		return fmt.Sprintf("%.2fT", n/1e12)
	case n >= 1e9:
		return fmt.Sprintf("%.1fB", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", n/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fk", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}

// memKinds are the parts of a rank's memory, with their bar letters.
var memKinds = []struct {
	ch   byte
	name string
	of   func(r ir.RankMemory) float64
}{
	{'P', "params", func(r ir.RankMemory) float64 { return r.Params }},
	{'G', "grads", func(r ir.RankMemory) float64 { return r.Grads }},
	{'O', "optim", func(r ir.RankMemory) float64 { return r.Optimizer }},
	{'A', "activ", func(r ir.RankMemory) float64 { return r.Activations }},
	{'M', "moe", func(r ir.RankMemory) float64 { return r.MoEBuffers }},
	{'C', "comm", func(r ir.RankMemory) float64 { return r.CommBuffers }},
	{'W', "working", func(r ir.RankMemory) float64 { return r.Transient }},
}

// memory: one bar per pipeline rank against the capacity, what each knob
// would do to the worst rank (what a planner acts on, so it comes first),
// and the worst rank's split against the original.
func (m *Model) memory(w int) []string {
	cur, orig := m.s.Cur.Est, m.s.Orig.Est
	mem := cur.Memory
	var out []string
	var legend []string
	for _, k := range memKinds {
		legend = append(legend, m.st.paint(k.ch, string(k.ch))+" "+k.name)
	}
	unit, div := memUnit(mem)
	g := func(b float64) string { return fmt.Sprintf("%.2f", b/div) }
	out = append(out, fmt.Sprintf(" per pipeline rank, %s; | is the capacity, %s", unit, bytesStr(mem.Capacity)), " "+strings.Join(legend, "  "))
	label := 12
	barW := max(w-label-10, 10)
	scale := mem.Capacity
	for _, r := range mem.Ranks {
		scale = max(scale, r.Peak)
	}
	shown := sampleRanks(len(mem.Ranks), mem.Worst, max(m.bodyHeight()/3, 4))
	for _, idx := range shown {
		r := mem.Ranks[idx]
		mark := " "
		if idx == mem.Worst {
			mark = "◀"
		}
		out = append(out, fmt.Sprintf(" pp %-4d%s  %s %6s", r.PPRank, mark, m.bar(r, scale, mem.Capacity, barW), g(r.Peak)))
	}
	if len(shown) < len(mem.Ranks) {
		out = append(out, m.st.dim.Render(fmt.Sprintf("   %d of %d pipeline ranks: the first, the last, the worst (◀), evenly between", len(shown), len(mem.Ranks))))
	}
	wr, wo := cur.Worst, orig.Worst
	if len(m.s.Cur.Saves) > 0 {
		out = append(out, "", " what one knob would do to the worst rank's peak (as explain prices it)")
		for _, sv := range m.s.Cur.Saves {
			verdict := m.st.good.Render("fits")
			if sv.Peak > mem.Capacity {
				verdict = m.st.bad.Render("does not fit")
			}
			out = append(out, fmt.Sprintf("   %-28s %8s %s %s  %s", sv.Knob+" = "+sv.Value, g(sv.Peak), unit, signed(sv.Peak-wr.Peak, div), verdict))
		}
	}
	out = append(out, "", fmt.Sprintf(" worst rank (pp %d), %s     now      was", wr.PPRank, unit))
	for _, k := range memKinds {
		out = append(out, fmt.Sprintf("   %-20s %8s %8s%s", k.name, g(k.of(wr)), g(k.of(wo)), delta(k.of(wr), k.of(wo), div)))
	}
	out = append(out, fmt.Sprintf("   %-20s %8s %8s%s", "peak", g(wr.Peak), g(wo.Peak), delta(wr.Peak, wo.Peak, div)))
	out = append(out, fmt.Sprintf("   in-flight micro-batches %.3g (was %.3g)", wr.InFlight, wo.InFlight))
	return out
}

// sampleRanks picks at most limit of n pipeline ranks to draw, evenly
// spaced, always with the first, the last and the worst.
func sampleRanks(n, worst, limit int) []int {
	if n <= limit {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	pick := map[int]bool{0: true, n - 1: true, worst: true}
	for k := 1; len(pick) < limit && k < limit; k++ {
		pick[k*(n-1)/(limit-1)] = true
	}
	out := make([]int, 0, len(pick))
	for i := range n {
		if pick[i] {
			out = append(out, i)
		}
	}
	return out
}

// bar draws a rank's memory split by kind, scaled so that scale fills
// width, with the capacity marked.
func (m *Model) bar(r ir.RankMemory, scale, capacity float64, width int) string {
	cells := make([]byte, width)
	for i := range cells {
		cells[i] = ' '
	}
	at, sum := 0, 0.0
	for _, k := range memKinds {
		sum += k.of(r)
		end := min(int(sum/scale*float64(width)+0.5), width)
		for ; at < end; at++ {
			cells[at] = k.ch
		}
	}
	capAt := min(int(capacity/scale*float64(width)+0.5), width-1)
	var b strings.Builder
	for i := 0; i < width; {
		j := i
		for j < width && cells[j] == cells[i] && j != capAt {
			j++
		}
		if i == capAt {
			if cells[i] == ' ' {
				b.WriteString("|")
			} else {
				b.WriteString(m.st.bad.Render("|"))
			}
			i++
			continue
		}
		b.WriteString(m.st.paint(cells[i], string(cells[i:j])))
		i = j
	}
	return b.String()
}

// memUnit is GiB, or MiB for a plan whose every rank needs less than one
// GiB.
func memUnit(mem *ir.MemoryReport) (string, float64) {
	for _, r := range mem.Ranks {
		if r.Peak >= 1<<30 {
			return "GiB", 1 << 30
		}
	}
	return "MiB", 1 << 20
}

func delta(now, was, div float64) string {
	if now == was {
		return ""
	}
	return "  " + signed(now-was, div)
}

func signed(d, div float64) string { return fmt.Sprintf("%+.2f", d/div) }

// timePane: the step split, throughput, MFU/HFU and energy against the
// original; the costliest ops and the communication by kind, axis and link
// level.
func (m *Model) timePane(w int) []string {
	c, o := m.s.Cur.Est.Cost, m.s.Orig.Est.Cost
	var out []string
	out = append(out, fmt.Sprintf(" step %-21s %12s %12s %7s", "", "now", "was", "share"))
	barW := max(w-4, 10)
	parts := []struct {
		ch        byte
		name      string
		now, orig float64
	}{{'c', "compute", c.Compute, o.Compute}, {'e', "exposed communication", c.ExposedComm, o.ExposedComm},
		{'b', "pipeline bubble", c.Bubble, o.Bubble}, {'x', "optimizer", c.Optimizer, o.Optimizer}}
	var bar strings.Builder
	used, cum := 0, 0.0
	for _, p := range parts {
		// cumulative rounding: the parts fill the bar exactly
		cum += p.now
		n := max(min(int(cum/c.StepTime*float64(barW)+0.5), barW)-used, 0)
		used += n
		bar.WriteString(m.st.paint(p.ch, strings.Repeat(string(p.ch), n)))
		out = append(out, fmt.Sprintf("   %s %-23s %12s %12s %7s", m.st.paint(p.ch, string(p.ch)), p.name, seconds(p.now), seconds(p.orig), pct(p.now, c.StepTime)))
	}
	out = append(out, "   "+bar.String())
	out = append(out, fmt.Sprintf("   %-25s %12s %12s", "step time", seconds(c.StepTime), seconds(o.StepTime)))
	row := func(name, now, was string) { out = append(out, fmt.Sprintf("   %-25s %12s %12s", name, now, was)) }
	row("tokens/s", num(c.TokensPerSec), num(o.TokensPerSec))
	row("MFU", fmt.Sprintf("%.1f%%", 100*c.MFU), fmt.Sprintf("%.1f%%", 100*o.MFU))
	row("HFU", fmt.Sprintf("%.1f%%", 100*c.HFU), fmt.Sprintf("%.1f%%", 100*o.HFU))
	row("energy J/step", num(c.EnergyPerStep), num(o.EnergyPerStep))
	row("energy J/token", num(c.EnergyPerToken), num(o.EnergyPerToken))
	row("power W/device", fmt.Sprintf("%.0f", c.AvgPower), fmt.Sprintf("%.0f", o.AvgPower))

	out = append(out, "", " costliest ops, per step on the slowest pipeline rank")
	d := m.deep.current()
	unit := m.s.Unit // Compile's unit of the original has the graph already
	if m.s.Cur != m.s.Orig {
		unit = nil
		if d != nil && d.err == nil {
			unit = d.Unit
		}
	}
	switch {
	case d != nil && d.err != nil:
		out = append(out, "   "+m.st.bad.Render(d.err.Error()))
	case unit == nil:
		out = append(out, "   (compiling the graph…)")
	default:
		for _, op := range unit.Cost.TopOps[:min(len(unit.Cost.TopOps), 6)] {
			out = append(out, fmt.Sprintf("   %-16s %12s %7s %14s", op.Op, seconds(op.Time), pct(op.Time, unit.Cost.StepTime), ir.FormatFLOPs(op.FLOPs)))
		}
	}
	out = append(out, "", " communication per step on the slowest pipeline rank", fmt.Sprintf("   %-15s %-6s %5s %10s %12s %12s", "kind", "axis", "group", "calls", "bytes", "time"))
	for _, s := range c.Comm {
		out = append(out, fmt.Sprintf("   %-15s %-6s %5d %10.4g %12s %12s", s.Kind, s.Axis, s.GroupSize, s.Calls, bytesStr(s.Bytes), seconds(s.Time)))
	}
	out = append(out, "", " bytes per step, whole job, by link level")
	if d == nil || d.err != nil {
		return append(out, "   (counting…)")
	}
	tr := d.Traffic
	out = append(out, fmt.Sprintf("   %-15s %12s %12s", "", "intra-node", "inter-node"))
	out = append(out, fmt.Sprintf("   %-15s %12s %12s", "all", bytesStr(tr.Total.IntraNode), bytesStr(tr.Total.InterNode)))
	if tr.MoE.IntraNode+tr.MoE.InterNode > 0 {
		out = append(out, fmt.Sprintf("   %-15s %12s %12s", "MoE dispatch", bytesStr(tr.MoE.IntraNode), bytesStr(tr.MoE.InterNode)))
	}
	return out
}
