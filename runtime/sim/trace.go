package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
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
