package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"

	"planc/ir"
)

// WriteChromeTrace writes res's timeline (Run with Config.Trace) as Chrome
// trace event JSON, which Perfetto and chrome://tracing open: one process
// per rank, named "rank R (pp P dp D tp T)", with a "compute" thread (F, B,
// W, OPTIMIZER) and a "comm" thread (sends and recvs as transfers, and the
// collectives); every action is a complete ("X") event with ts and dur in
// microseconds.
func WriteChromeTrace(w io.Writer, s *ir.Schedule, res *Result) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(`{"displayTimeUnit":"ms","traceEvents":[`)
	first := true
	emit := func(v any) {
		b, _ := json.Marshal(v)
		if !first {
			bw.WriteString(",\n")
		}
		first = false
		bw.Write(b)
	}
	type meta struct {
		Name string            `json:"name"`
		Ph   string            `json:"ph"`
		Pid  int               `json:"pid"`
		Tid  int               `json:"tid"`
		Args map[string]string `json:"args"`
	}
	for _, rp := range s.Ranks {
		c := rp.Coord
		emit(meta{"process_name", "M", rp.Rank, 0, map[string]string{"name": fmt.Sprintf("rank %d (pp %d dp %d cp %d tp %d)", rp.Rank, c.PP, c.DP, c.CP, c.TP)}})
		emit(meta{"process_sort_index", "M", rp.Rank, 0, map[string]string{"sort_index": strconv.Itoa(rp.Rank)}})
		emit(meta{"thread_name", "M", rp.Rank, StreamCompute, map[string]string{"name": "compute"}})
		emit(meta{"thread_name", "M", rp.Rank, StreamComm, map[string]string{"name": "comm"}})
	}
	type span struct {
		Name string         `json:"name"`
		Cat  string         `json:"cat"`
		Ph   string         `json:"ph"`
		Ts   float64        `json:"ts"`
		Dur  float64        `json:"dur"`
		Pid  int32          `json:"pid"`
		Tid  uint8          `json:"tid"`
		Args map[string]any `json:"args,omitempty"`
	}
	for _, e := range res.Events {
		name := e.Kind.String()
		var args map[string]any
		if e.Action >= 0 && int(e.Action) < len(s.Ranks[e.Rank].Actions) {
			a := s.Ranks[e.Rank].Actions[e.Action]
			name = s.ActionString(a)
			if a.Bytes > 0 {
				args = map[string]any{"bytes": a.Bytes, "action": e.Action}
				if g := s.GroupOf(a); g != nil {
					args["group_size"] = len(g)
					args["coll"] = a.Coll.String()
				}
				if a.Peer >= 0 {
					args["peer"] = a.Peer
				}
			}
		}
		emit(span{Name: name, Cat: category(e.Kind), Ph: "X", Ts: e.Start * 1e6, Dur: e.Dur * 1e6, Pid: e.Rank, Tid: e.Stream, Args: args})
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

func category(k ir.ActionKind) string {
	switch {
	case k.IsCompute():
		return "compute"
	case k.IsP2P():
		return "p2p"
	case k.IsCollective():
		return "collective"
	}
	return "other"
}

var kindColor = map[ir.ActionKind]string{
	ir.ActF: "#4e79a7", ir.ActB: "#59a14f", ir.ActW: "#8cd17d", ir.ActOptimizer: "#b07aa1",
	ir.ActSendF: "#f28e2b", ir.ActRecvF: "#ffbe7d", ir.ActSendB: "#e15759", ir.ActRecvB: "#ff9d9a",
	ir.ActReduceGrad: "#76b7b2", ir.ActAllGatherParams: "#edc948", ir.ActAllReduceTied: "#9c755f", ir.ActGradNorm: "#bab0ac",
	ir.ActAllReduceSeq: "#d37295",
}

// SVGMaxRanks is the most ranks WriteSVG draws; beyond it, it draws one
// pipeline (the ranks with dp = cp = tp = 0).
const SVGMaxRanks = 64

// WriteSVG draws res's timeline as a Gantt chart: two lanes per rank
// (compute above, communication below), one rectangle per action coloured
// by kind, a time axis and a legend. Large schedules show one pipeline.
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
	const left, top, width, lane, gap = 150.0, 40.0, 1200.0, 10.0, 6.0
	// The legend wraps to a second line when its kinds do not fit in one.
	const legendItem = 115.0
	perLine := int(width) / int(legendItem)
	legendLines := (int(ir.NumActionKinds) - 1 + perLine - 1) / perLine
	height := top + float64(len(ranks))*(2*lane+gap) + 46 + 14*float64(legendLines)
	step := res.StepTime
	if step <= 0 {
		step = 1
	}
	x := func(t float64) float64 { return left + t/step*width }
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="10">`+"\n", left+width+20, height)
	title := fmt.Sprintf("%s %s: step %.4g s, bubble %.1f%%, exposed comm %.1f%%", s.Plan, s.Kind, res.StepTime, 100*res.BubbleFraction, 100*res.ExposedFraction)
	if subset {
		title += fmt.Sprintf(" (one pipeline of %d ranks shown)", len(s.Ranks))
	}
	fmt.Fprintf(bw, `<text x="%.0f" y="16" font-size="13">%s</text>`+"\n", left, escape(title))
	for i, r := range ranks {
		y := top + float64(i)*(2*lane+gap)
		c := s.Ranks[r].Coord
		fmt.Fprintf(bw, `<text x="4" y="%.1f">rank %d (pp %d dp %d tp %d)</text>`+"\n", y+lane+3, r, c.PP, c.DP, c.TP)
		fmt.Fprintf(bw, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#f4f4f4"/>`+"\n", left, y, width, 2*lane)
	}
	// Events, drawn in time order; rectangles under a tenth of a pixel are
	// merged into their neighbour of the same kind.
	evs := make([]Event, 0, len(res.Events))
	for _, e := range res.Events {
		if _, ok := row[e.Rank]; ok {
			evs = append(evs, e)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Start < evs[j].Start })
	for _, e := range evs {
		y := top + float64(row[e.Rank])*(2*lane+gap) + float64(e.Stream)*lane
		wpx := e.Dur / step * width
		if wpx < 0.1 {
			continue
		}
		name := e.Kind.String()
		if e.Action >= 0 && int(e.Action) < len(s.Ranks[e.Rank].Actions) {
			name = s.ActionString(s.Ranks[e.Rank].Actions[e.Action])
		}
		fmt.Fprintf(bw, `<rect x="%.2f" y="%.1f" width="%.2f" height="%.1f" fill="%s"><title>%s %.4g s</title></rect>`+"\n",
			x(e.Start), y, wpx, lane-1, kindColor[e.Kind], escape(name), e.Dur)
	}
	// Axis and legend.
	ay := top + float64(len(ranks))*(2*lane+gap) + 10
	for i := 0; i <= 10; i++ {
		t := step * float64(i) / 10
		fmt.Fprintf(bw, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/><text x="%.1f" y="%.1f">%.3g s</text>`+"\n", x(t), ay, x(t), ay+5, x(t)-10, ay+16, t)
	}
	for k := ir.ActF; k < ir.NumActionKinds; k++ {
		i := int(k - ir.ActF)
		lx, ly := left+legendItem*float64(i%perLine), ay+26+14*float64(i/perLine)
		fmt.Fprintf(bw, `<rect x="%.0f" y="%.0f" width="10" height="10" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n", lx, ly, kindColor[k], lx+13, ly+9, k)
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

func escape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			out = append(out, "&lt;"...)
		case '>':
			out = append(out, "&gt;"...)
		case '&':
			out = append(out, "&amp;"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
