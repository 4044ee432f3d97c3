package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"planc/ir"
)

// TraceOptions says which ranks WriteChromeTrace writes.
type TraceOptions struct {
	// Ranks lists the ranks to write, each with its own track. Nil writes
	// the timelines the simulator computed: one track per simulated rank,
	// named with the identical ranks it stands for (every other rank's
	// timeline is its simulated rank's; see [Result.Of]), so that a trace
	// of a large plan holds one pipeline, not every replica.
	Ranks []int32
}

// approxEventBytes is what one event takes in the JSON trace, on average.
const approxEventBytes = 150

// TraceSize estimates the bytes WriteChromeTrace writes with opt.
func TraceSize(res *Result, opt TraceOptions) int64 {
	tracks := int64(len(opt.Ranks))
	perRank := int64(0)
	if opt.Ranks == nil {
		perRank = int64(len(res.Events))
		tracks = 0
	} else if res.Simulated > 0 {
		perRank = int64(len(res.Events)) / int64(res.Simulated)
	}
	return (perRank*max(tracks, 1) + 4*max(tracks, int64(res.Simulated))) * approxEventBytes
}

// ParseRanks reads a rank selection: "all", or a comma-separated list of
// ranks and ranges ("0-7,64,128-135") below n.
func ParseRanks(spec string, n int) ([]int32, error) {
	if spec == "all" {
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(i)
		}
		return out, nil
	}
	seen := map[int32]bool{}
	var out []int32
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return nil, fmt.Errorf("bad rank selection %q: want ranks and ranges such as 0-7,64 (or all)", part)
		}
		if b >= n {
			return nil, fmt.Errorf("rank %d is out of range: the schedule has ranks 0 to %d", b, n-1)
		}
		for r := a; r <= b; r++ {
			if !seen[int32(r)] {
				seen[int32(r)] = true
				out = append(out, int32(r))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// WriteChromeTrace writes res's timeline (Run with Config.Trace) as Chrome
// trace event JSON, which Perfetto and chrome://tracing open (gzipped too):
// one process per rank, named "rank R (pp P dp D cp C tp T)", with a
// "compute" thread (F, B, W, OPTIMIZER) and a "comm" thread (sends and
// recvs as transfers, and the collectives); every action is a complete
// ("X") event with ts and dur in microseconds. opt selects the ranks; by
// default each simulated rank stands for its identical ranks, which its
// name lists.
func WriteChromeTrace(w io.Writer, s *ir.Schedule, res *Result, opt TraceOptions) error {
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
		Name string         `json:"name"`
		Ph   string         `json:"ph"`
		Pid  int32          `json:"pid"`
		Tid  int            `json:"tid"`
		Args map[string]any `json:"args"`
	}
	tracks, events := opt.Ranks, []Event(nil)
	folded := tracks == nil
	if folded {
		for _, e := range res.Events {
			if res.Of[e.Rank] == e.Rank {
				events = append(events, e)
			}
		}
		seen := map[int32]bool{}
		for _, of := range res.Of {
			if !seen[of] {
				seen[of] = true
				tracks = append(tracks, of)
			}
		}
		sort.Slice(tracks, func(i, j int) bool { return tracks[i] < tracks[j] })
	} else {
		for _, r := range tracks {
			events = append(events, res.EventsOf(r)...)
		}
	}
	var standsFor map[int32]string
	if folded {
		standsFor = identicalRanks(s, res)
	}
	for _, r := range tracks {
		c := s.Mesh.Coord(int(r))
		name := fmt.Sprintf("rank %d (pp %d dp %d cp %d tp %d)", r, c.PP, c.DP, c.CP, c.TP)
		args := map[string]any{"name": name}
		if d := standsFor[r]; d != "" {
			args["name"] = name + " " + d
		}
		emit(meta{"process_name", "M", r, 0, args})
		emit(meta{"process_sort_index", "M", r, 0, map[string]any{"sort_index": r}})
		emit(meta{"thread_name", "M", r, StreamCompute, map[string]any{"name": "compute"}})
		emit(meta{"thread_name", "M", r, StreamComm, map[string]any{"name": "comm"}})
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
	programs := map[int32][]ir.Action{}
	for _, e := range events {
		name := e.Kind.String()
		var args map[string]any
		acts, ok := programs[e.Rank]
		if !ok {
			acts = s.Program(int(e.Rank), nil)
			programs[e.Rank] = acts
		}
		if e.Action >= 0 && int(e.Action) < len(acts) {
			a := acts[e.Action]
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

// identicalRanks describes, for each simulated rank that stands for
// others, how many: "= 48 identical ranks (8 tp × 6 dp indices)".
func identicalRanks(s *ir.Schedule, res *Result) map[int32]string {
	type span struct {
		n          int
		tp, cp, dp map[int]bool
	}
	spans := map[int32]*span{}
	for r, of := range res.Of {
		c := s.Mesh.Coord(r)
		sp := spans[of]
		if sp == nil {
			sp = &span{tp: map[int]bool{}, cp: map[int]bool{}, dp: map[int]bool{}}
			spans[of] = sp
		}
		sp.n++
		sp.tp[c.TP], sp.cp[c.CP], sp.dp[c.DP] = true, true, true
	}
	out := map[int32]string{}
	for of, sp := range spans {
		if sp.n < 2 {
			continue
		}
		var axes []string
		for _, a := range []struct {
			name string
			n    int
		}{{"tp", len(sp.tp)}, {"cp", len(sp.cp)}, {"dp", len(sp.dp)}} {
			if a.n > 1 {
				axes = append(axes, fmt.Sprintf("%d %s", a.n, a.name))
			}
		}
		out[of] = fmt.Sprintf("= %d identical ranks (%s indices)", sp.n, strings.Join(axes, " × "))
	}
	return out
}
