package sim

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"planc/ir"
	"planc/passes/sched"
)

// p2pSchedule builds by hand a schedule of 4 ranks in which rank src[i]
// sends bytes to rank dst[i], all at time 0.
func p2pSchedule(pairs [][2]int32, bytes int64) *ir.Schedule {
	s := &ir.Schedule{Plan: "p2p", Kind: "1f1b", PP: 2, VPP: 1, MB: max(len(pairs), 1), Mesh: ir.Mesh{TP: 1, CP: 1, DP: 2, PP: 2, EP: 1},
		Stages: []ir.StageInfo{{Index: 0, PP: 0}, {Index: 1, PP: 1}}}
	s.Ranks = make([]ir.RankProgram, 4)
	for r := range s.Ranks {
		s.Ranks[r] = ir.RankProgram{Rank: r, Coord: s.Mesh.Coord(r)}
	}
	for i, p := range pairs {
		snd := ir.NewAction(ir.ActSendF)
		snd.Stage, snd.MB, snd.Peer, snd.Bytes = 0, int32(i), p[1], bytes
		rcv := ir.NewAction(ir.ActRecvF)
		rcv.Stage, rcv.MB, rcv.Peer, rcv.Bytes = 1, int32(i), p[0], bytes
		s.Ranks[p[0]].Actions = append(s.Ranks[p[0]].Actions, snd)
		s.Ranks[p[1]].Actions = append(s.Ranks[p[1]].Actions, rcv)
	}
	return s
}

// TestNICContention: two ranks of a node sending across nodes at once share
// the node's NICs, so each transfer takes twice as long as alone; transfers
// in opposite directions do not contend (egress and ingress are separate).
func TestNICContention(t *testing.T) {
	net := Network{RanksPerNode: 2, IntraBW: 1e11, InterBW: 1e9, InterLatency: 1e-6}
	const n = 1e8
	alone := net.P2P(0, 2, n).Time(net.InterBW)
	for _, c := range []struct {
		name  string
		pairs [][2]int32
		want  float64
	}{
		{"alone", [][2]int32{{0, 2}}, alone},
		{"two from one node", [][2]int32{{0, 2}, {1, 3}}, 1e-6 + 2*n/1e9},
		{"opposite directions", [][2]int32{{0, 2}, {3, 1}}, alone},
		{"inside a node", [][2]int32{{0, 1}}, n / 1e11},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := p2pSchedule(c.pairs, n)
			res, err := Run(s, net.Config(&StageTable{Net: net}))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.StepTime-c.want) > 1e-9*c.want {
				t.Errorf("step %.9g s, want %.9g s", res.StepTime, c.want)
			}
		})
	}
}

// TestCollectiveCosts checks Network against the ring formulas of docs/cost-model.md.
func TestCollectiveCosts(t *testing.T) {
	net := Network{RanksPerNode: 8, IntraBW: 100e9, IntraLatency: 1e-6, InterBW: 50e9, InterLatency: 5e-6}
	g := []int32{0, 1, 2, 3, 4, 5, 6, 7}
	const n = 1e9
	ar := net.Collective(ir.AllReduce, g, n)
	if want := 2*7*1e-6 + 2*7.0/8*n/100e9; math.Abs(ar.Fixed-want) > 1e-12 || ar.NICBytes != 0 {
		t.Errorf("intra-node all-reduce %+v, want fixed %g", ar, want)
	}
	ag := net.Collective(ir.AllGather, g, n)
	if want := 7*1e-6 + 7.0/8*n/100e9; math.Abs(ag.Fixed-want) > 1e-12 {
		t.Errorf("intra-node all-gather %+v, want %g", ag, want)
	}
	// Across 2 nodes, one rank each: a 2-rank ring on the NICs.
	x := net.Collective(ir.AllReduce, []int32{0, 8}, n)
	if x.Fixed != 2*5e-6 || x.NICBytes != n {
		t.Errorf("2-node all-reduce %+v, want fixed 1e-5 and n NIC bytes", x)
	}
}

// TestChromeTraceAndSVG checks the trace of a simulated plan: valid JSON,
// a named track per rank, a duration on every complete event.
func TestChromeTraceAndSVG(t *testing.T) {
	p := testPlan("interleaved", 2, 2, 4, 2, 2)
	s := build(t, p)
	net := NetworkOf(p)
	nst := s.NumStages()
	tab := &StageTable{F: fill(nst, 1e-3), B: fill(nst, 2e-3), W: fill(nst, 0), FComm: fill(nst, 1e-4), BComm: fill(nst, 1e-4), Optimizer: 1e-3, Net: net}
	cfg := net.Config(tab)
	cfg.Trace = true
	res, err := Run(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkTrace(t, s, res, []string{"compute", "p2p", "collective"})
	var svg bytes.Buffer
	if err := WriteSVG(&svg, s, res); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(svg.Bytes(), []byte("<svg")) || !bytes.Contains(svg.Bytes(), []byte("<rect")) {
		t.Error("the SVG has no chart")
	}
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// checkTrace parses a Chrome trace of every rank and checks every rank has
// a named track (sort_index a number) and every "X" event a duration; and
// that the folded trace has one track per simulated rank, each with the
// events of its rank.
func checkTrace(t *testing.T, s *ir.Schedule, res *Result, wantCats []string) {
	t.Helper()
	all, _ := ParseRanks("all", len(s.Ranks))
	named, events, kinds := parseTrace(t, s, res, TraceOptions{Ranks: all})
	for r := range s.Ranks {
		if !named[r] || events[r] == 0 {
			t.Errorf("rank %d: track named %v, %d events", r, named[r], events[r])
		}
	}
	for _, k := range wantCats {
		if !kinds[k] {
			t.Errorf("no %s events in the trace", k)
		}
	}
	fnamed, fevents, _ := parseTrace(t, s, res, TraceOptions{})
	if len(fnamed) != res.Simulated {
		t.Errorf("the folded trace has %d tracks, the simulation %d ranks", len(fnamed), res.Simulated)
	}
	for r := range fnamed {
		if fevents[r] != events[r] {
			t.Errorf("rank %d: %d events folded, %d in the whole trace", r, fevents[r], events[r])
		}
	}
}

// parseTrace writes and parses a trace: the ranks with a named track, the
// events per rank, the categories seen.
func parseTrace(t *testing.T, s *ir.Schedule, res *Result, opt TraceOptions) (map[int]bool, map[int]int, map[string]bool) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteChromeTrace(&buf, s, res, opt); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("the trace is not valid JSON: %v", err)
	}
	named := map[int]bool{}
	events := map[int]int{}
	kinds := map[string]bool{}
	for _, e := range doc.TraceEvents {
		pid := int(e["pid"].(float64))
		switch e["ph"] {
		case "M":
			if e["name"] == "process_name" {
				named[pid] = true
			}
			if e["name"] == "process_sort_index" {
				if _, ok := e["args"].(map[string]any)["sort_index"].(float64); !ok {
					t.Fatalf("sort_index is not a number: %v", e)
				}
			}
		case "X":
			d, ok := e["dur"].(float64)
			if !ok || d < 0 {
				t.Fatalf("event without a duration: %v", e)
			}
			if _, ok := e["ts"].(float64); !ok {
				t.Fatalf("event without a timestamp: %v", e)
			}
			events[pid]++
			kinds[e["cat"].(string)] = true
		default:
			t.Fatalf("unexpected phase %v", e["ph"])
		}
	}
	return named, events, kinds
}

// TestTPSymmetryIsExact: simulating one rank per tp group (with its flows
// counted tp times on the NICs) gives exactly the full simulation's
// figures, with contention live; with kv heads replicated over tp (kv > 0:
// the model's kv_heads) the ALLREDUCE_KV groups are images of the tp-0
// rank's block.
func TestTPSymmetryIsExact(t *testing.T) {
	for _, c := range []struct {
		kind               string
		pp, v, m, dp, tp   int
		zero, ranksPerNode int
		kv                 int
	}{
		{"1f1b", 4, 1, 8, 2, 2, 1, 4, 0},
		{"interleaved", 2, 2, 4, 2, 4, 3, 8, 0},
		{"zb-v", 2, 2, 4, 2, 2, 2, 2, 0},
		{"1f1b", 2, 1, 4, 2, 4, 1, 8, 2},
		{"zb-v", 2, 2, 4, 2, 8, 0, 8, 2},
	} {
		p := testPlan(c.kind, c.pp, c.v, c.m, c.dp, c.tp)
		p.Zero = c.zero
		if c.kv > 0 {
			p.Model.Heads, p.Model.KVHeads = 8, c.kv
		}
		s := build(t, p)
		net := NetworkOf(p)
		net.RanksPerNode = c.ranksPerNode
		net.InterBW = 1e9 // slow NICs: contention matters
		n := s.NumStages()
		tab := &StageTable{F: fill(n, 1e-3), B: fill(n, 2e-3), W: fill(n, 5e-4), FComm: fill(n, 1e-4), Optimizer: 1e-3, Net: net}
		cfg := net.Config(tab)
		cfg.Trace = true
		sym, err := Run(s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.TraceSimulated = true
		reps, err := Run(s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(sym.Events) / c.tp; len(reps.Events) != want || reps.StepTime != sym.StepTime {
			t.Errorf("%s: TraceSimulated kept %d events, want the %d of the representatives", c.kind, len(reps.Events), want)
		}
		for i, e := range reps.Events {
			if e != sym.Events[i] || e.Rank%int32(c.tp) != 0 {
				t.Errorf("%s: TraceSimulated event %d is %+v, the full trace's %+v", c.kind, i, e, sym.Events[i])
				break
			}
		}
		cfg.TraceSimulated = false
		cfg.NoSymmetry = true
		full, err := Run(s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !tpSymmetric(s) {
			t.Errorf("%s: the schedule is tp-symmetric but the check says no", c.kind)
		}
		if sym.StepTime != full.StepTime || len(sym.AllEvents()) != len(full.AllEvents()) {
			t.Errorf("%s: symmetric step %.9g (%d events), full %.9g (%d events)", c.kind, sym.StepTime, len(sym.AllEvents()), full.StepTime, len(full.AllEvents()))
		}
		for r := range s.Ranks {
			if sym.Busy[r] != full.Busy[r] || math.Abs(sym.Exposed[r]-full.Exposed[r]) > 1e-12 {
				t.Errorf("%s rank %d: busy %g/%g exposed %g/%g", c.kind, r, sym.Busy[r], full.Busy[r], sym.Exposed[r], full.Exposed[r])
			}
		}
	}
}

// TestTPSymmetryRefused: a schedule whose tp ranks differ is simulated
// rank by rank.
func TestTPSymmetryRefused(t *testing.T) {
	p := testPlan("1f1b", 2, 1, 2, 1, 2)
	s := build(t, p)
	s.Ranks[1].Actions[0].Bytes++ // rank 1 (tp 1) now differs from rank 0
	if tpSymmetric(s) {
		t.Error("tpSymmetric accepted different programs")
	}
}

// TestBucketsOverlapBackward: with one stage, one micro-batch and four
// gradient buckets of 0.5 s each on the NICs, bucket k starts (k+1)/4 of the
// way through the 4 s backward, so only the last bucket is exposed:
// step = F + B + 0.5, not F + B + 4·0.5.
func TestBucketsOverlapBackward(t *testing.T) {
	p := testPlan("1f1b", 1, 1, 1, 2, 1)
	sz := sched.PlanSizes(p)
	sz.StageParams = []int64{4_000_000}
	sz.StageExpertParams = nil
	sz.StageUnits = nil // byte-cut buckets, not the plan's layout
	sz.GradBytes = 4
	sz.BucketParams = 1_000_000 // 4 buckets of 4 MB (fp32 gradients)
	s, diags := sched.Build(p, sz)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, err := sched.Verify(s); err != nil {
		t.Fatal(err)
	}
	net := Network{RanksPerNode: 1, InterBW: 8e6} // 4 MB all-reduce over 2 nodes: 0.5 s
	res, err := Run(s, net.Config(&StageTable{F: []float64{1}, B: []float64{4}, W: []float64{0}, Net: net}))
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 4 + 0.5; math.Abs(res.StepTime-want) > 1e-9 {
		t.Errorf("step %g s, want %g s", res.StepTime, want)
	}
	if want := 0.5; math.Abs(res.Exposed[0]-want) > 1e-9 {
		t.Errorf("exposed %g s, want %g s", res.Exposed[0], want)
	}
}

// TestReplicaFoldingIsExact: simulating one replica block of a folded
// schedule (flows over groups that span blocks on the NICs of the block's
// nodes) gives exactly the figures of simulating every rank of the
// expanded schedule, with contention live: blocks of one dp index per node
// set, of two, with and without tp symmetry, and ZeRO's gathers.
func TestReplicaFoldingIsExact(t *testing.T) {
	for _, c := range []struct {
		kind                 string
		pp, v, m, dp, tp, z  int
		ranksPerNode, simDPs int
	}{
		{"1f1b", 4, 1, 8, 4, 2, 1, 2, 1},
		{"1f1b", 2, 1, 4, 8, 2, 3, 4, 2},
		{"zb-v", 2, 2, 4, 6, 1, 0, 1, 1},
		{"interleaved", 2, 2, 4, 4, 4, 2, 8, 2},
		{"1f1b", 4, 1, 8, 4, 2, 1, 32, 1}, // one node for all 32 ranks
		{"zb-h1", 2, 1, 4, 3, 2, 3, 0, 1}, // every rank its own node
	} {
		p := testPlan(c.kind, c.pp, c.v, c.m, c.dp, c.tp)
		p.Zero = c.z
		folded, diags := sched.BuildFolded(p, sched.PlanSizes(p))
		if diags.HasErrors() || !folded.Folded() {
			t.Fatalf("%+v: %v (folded %v)", c, diags, folded.Folded())
		}
		net := NetworkOf(p)
		net.RanksPerNode = c.ranksPerNode
		net.InterBW = 1e9 // slow NICs: contention matters
		n := folded.NumStages()
		tab := &StageTable{F: fill(n, 1e-3), B: fill(n, 2e-3), W: fill(n, 5e-4), FComm: fill(n, 1e-4), Optimizer: 1e-3, Net: net}
		cfg := net.Config(tab)
		cfg.Trace = true
		sym, err := Run(folded, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.NoSymmetry = true
		full, err := Run(folded.Expand(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		wantSim := c.pp * c.simDPs
		if c.ranksPerNode <= 0 || c.ranksPerNode%c.tp != 0 || c.tp == 1 {
			wantSim *= c.tp
		}
		if sym.Simulated != wantSim {
			t.Errorf("%+v: %d ranks simulated, want %d", c, sym.Simulated, wantSim)
		}
		if sym.StepTime != full.StepTime || len(sym.AllEvents()) != len(full.AllEvents()) {
			t.Errorf("%+v: folded step %.9g (%d events), full %.9g (%d events)", c, sym.StepTime, len(sym.AllEvents()), full.StepTime, len(full.AllEvents()))
		}
		for r := range folded.Ranks {
			if sym.Busy[r] != full.Busy[r] || math.Abs(sym.Exposed[r]-full.Exposed[r]) > 1e-12 {
				t.Errorf("%+v rank %d: busy %g/%g exposed %g/%g", c, r, sym.Busy[r], full.Busy[r], sym.Exposed[r], full.Exposed[r])
			}
		}
	}
}

// TestTraceSize: the estimate that planc simulate warns by is within a
// factor of two of the bytes written, folded and for every rank.
func TestTraceSize(t *testing.T) {
	p := testPlan("1f1b", 4, 1, 8, 4, 2)
	s, _ := sched.BuildFolded(p, sched.PlanSizes(p))
	net := NetworkOf(p)
	cfg := net.Config(&StageTable{F: fill(4, 1e-3), B: fill(4, 2e-3), W: fill(4, 0), Optimizer: 1e-3, Net: net})
	cfg.Trace, cfg.TraceSimulated = true, true
	res, err := Run(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := ParseRanks("all", len(s.Ranks))
	for _, opt := range []TraceOptions{{}, {Ranks: all}, {Ranks: all[:3]}} {
		var buf bytes.Buffer
		if err := WriteChromeTrace(&buf, s, res, opt); err != nil {
			t.Fatal(err)
		}
		est, got := TraceSize(res, opt), int64(buf.Len())
		if est < got/2 || est > 2*got {
			t.Errorf("%d ranks selected: estimated %d bytes, wrote %d", len(opt.Ranks), est, got)
		}
	}
}
