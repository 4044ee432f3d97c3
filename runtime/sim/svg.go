package sim

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"

	"planc/ir"
)

// SVGMaxRanks is the most ranks WriteSVG draws; beyond it, it draws one
// pipeline (the ranks with dp = cp = tp = 0).
const SVGMaxRanks = 64

// svgLayout is the geometry of the chart, in pixels.
const (
	svgLeft, svgTop, svgWidth = 150.0, 40.0, 1200.0
	svgRight                  = 70.0 // room for the last tick's label
	svgLane, svgGap           = 10.0, 6.0
	svgCharWidth              = 7.0 // a generous width of one character at font-size 10
)

// WriteSVG draws res's timeline as a Gantt chart: two lanes per rank
// (compute above, communication below), one rectangle per action coloured
// by kind, a time axis with round ticks in s, ms or µs, and a legend whose
// entries are as wide as the longest kind name. The title gives the step
// time and the pipeline bubble as planc explain and simulate print it (the
// busiest rank's idle time, and its share of the step; docs/glossary.md).
// Large schedules show one pipeline.
func WriteSVG(w io.Writer, s *ir.Schedule, res *Result) error {
	ranks := make([]int, 0, len(s.Ranks))
	subset := len(s.Ranks) > SVGMaxRanks
	for _, rp := range s.Ranks {
		if !subset || (rp.Coord.DP == 0 && rp.Coord.CP == 0 && rp.Coord.TP == 0) {
			ranks = append(ranks, rp.Rank)
		}
	}
	if len(ranks) > SVGMaxRanks {
		ranks = ranks[:SVGMaxRanks]
	}
	row := map[int32]int{}
	for i, r := range ranks {
		row[int32(r)] = i
	}
	longest := 0
	for k := ir.ActF; k < ir.NumActionKinds; k++ {
		longest = max(longest, len(k.String()))
	}
	legendItem := 10 + 4 + svgCharWidth*float64(longest) + 14
	perLine := max(1, int((svgWidth+svgRight)/legendItem))
	legendLines := (int(ir.NumActionKinds-ir.ActF) + perLine - 1) / perLine
	height := svgTop + float64(len(ranks))*(2*svgLane+svgGap) + 46 + 14*float64(legendLines)
	step := res.StepTime
	if step <= 0 {
		step = 1
	}
	x := func(t float64) float64 { return svgLeft + t/step*svgWidth }
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="10">`+"\n", svgLeft+svgWidth+svgRight, height)
	unit, scale := timeUnit(step)
	title := fmt.Sprintf("%s %s: step %s %s, pipeline bubble %s %s (%.1f%% of step), exposed comm %.1f%% of rank time",
		s.Plan, s.Kind, trimFloat(step*scale), unit, trimFloat(busiestIdle(res)*scale), unit, 100*busiestIdle(res)/step, 100*res.ExposedFraction)
	if subset {
		title += fmt.Sprintf(" (one pipeline of %d ranks shown)", len(s.Ranks))
	}
	fmt.Fprintf(bw, `<text x="%.0f" y="16" font-size="13">%s</text>`+"\n", svgLeft, escape(title))
	for i, r := range ranks {
		y := svgTop + float64(i)*(2*svgLane+svgGap)
		c := s.Ranks[r].Coord
		fmt.Fprintf(bw, `<text x="4" y="%.1f">rank %d (pp %d dp %d tp %d)</text>`+"\n", y+svgLane+3, r, c.PP, c.DP, c.TP)
		fmt.Fprintf(bw, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#f4f4f4"/>`+"\n", svgLeft, y, svgWidth, 2*svgLane)
	}
	// Events in time order; rectangles under a tenth of a pixel are left
	// out.
	var evs []Event // a rank's timeline is its simulated rank's (Result.Of)
	res.eachEvent(func(e Event) {
		if _, ok := row[e.Rank]; ok {
			evs = append(evs, e)
		}
	})
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Start < evs[j].Start })
	for _, e := range evs {
		y := svgTop + float64(row[e.Rank])*(2*svgLane+svgGap) + float64(e.Stream)*svgLane
		wpx := e.Dur / step * svgWidth
		if wpx < 0.1 {
			continue
		}
		name := e.Kind.String()
		if acts := s.Program(int(e.Rank), nil); e.Action >= 0 && int(e.Action) < len(acts) {
			name = s.ActionString(acts[e.Action])
		}
		fmt.Fprintf(bw, `<rect x="%.2f" y="%.1f" width="%.2f" height="%.1f" fill="%s"><title>%s %s %s</title></rect>`+"\n",
			x(e.Start), y, wpx, svgLane-1, kindColor[e.Kind], escape(name), trimFloat(e.Dur*scale), unit)
	}
	// The time axis: round ticks, labels centred under them.
	ay := svgTop + float64(len(ranks))*(2*svgLane+svgGap) + 10
	fmt.Fprintf(bw, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/>`+"\n", x(0), ay, x(step), ay)
	for _, t := range axisTicks(step) {
		fmt.Fprintf(bw, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/><text x="%.1f" y="%.1f" text-anchor="middle">%s %s</text>`+"\n",
			x(t), ay, x(t), ay+5, x(t), ay+16, trimFloat(t*scale), unit)
	}
	for k := ir.ActF; k < ir.NumActionKinds; k++ {
		i := int(k - ir.ActF)
		lx, ly := svgLeft+legendItem*float64(i%perLine), ay+26+14*float64(i/perLine)
		fmt.Fprintf(bw, `<rect x="%.0f" y="%.0f" width="10" height="10" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n", lx, ly, kindColor[k], lx+14, ly+9, k)
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

// busiestIdle is the idle time of the rank with the most busy time, the
// rank that sets the step.
func busiestIdle(res *Result) float64 {
	best := -1
	for r := range res.Busy {
		if best < 0 || res.Busy[r] > res.Busy[best] {
			best = r
		}
	}
	if best < 0 {
		return 0
	}
	return res.Idle[best]
}

// timeUnit picks s, ms or µs for durations up to d.
func timeUnit(d float64) (string, float64) {
	switch {
	case d >= 1:
		return "s", 1
	case d >= 1e-3:
		return "ms", 1e3
	}
	return "µs", 1e6
}

// axisTicks returns round tick times from 0 to at most step: a spacing of
// 1, 2 or 5 times a power of ten that gives 4 to 10 intervals.
func axisTicks(step float64) []float64 {
	raw := step / 8
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	spacing := pow * 10
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			spacing = m * pow
			break
		}
	}
	var ticks []float64
	for i := 0; ; i++ {
		t := float64(i) * spacing
		if t > step*(1+1e-9) {
			break
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// trimFloat prints v with up to 4 significant digits and no trailing
// zeros (0.5, 12, 1.25).
func trimFloat(v float64) string {
	return fmt.Sprintf("%.4g", v)
}
