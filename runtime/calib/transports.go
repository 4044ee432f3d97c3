package calib

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"runtime"
	"sort"
	"sync"
	"time"

	"planc/runtime/collective"
	"planc/runtime/cpuclock"
	"planc/runtime/kernels"
)

// commSizes are the all-reduce sizes timed, in float32 elements: from a
// latency-bound 256 B to 4 MiB (a small model's whole gradient).
var commSizes = []int{64, 1024, 16384, 131072, 1048576}

// commRounds is how many collectives of one size a timing averages.
const commRounds = 20

// collKind is a collective that calibrate times: its name, one call on a
// rank's buffer (member me of g), and its ring steps over p ranks as
// package network prices it: all-reduce 2(p−1), the others p−1, each step
// moving n/p of the buffer's n bytes.
type collKind struct {
	name  string
	call  func(c collective.Comm, g collective.Group, me int, buf []float32) error
	steps func(p int) float64
}

var (
	allReduceKind = collKind{"all-reduce", func(c collective.Comm, g collective.Group, _ int, buf []float32) error {
		return c.AllReduce(g, buf, collective.Sum)
	}, func(p int) float64 { return 2 * float64(p-1) }}
	// the kinds besides the all-reduce whose times calibrate checks
	// against the all-reduce's ring step: ZeRO's and the phantom
	// layers' reduce-scatter and all-gather (the latter into the
	// buffer, around the member's own part, as exec calls it)
	otherKinds = []collKind{
		{"reduce-scatter", func(c collective.Comm, g collective.Group, _ int, buf []float32) error {
			_, err := c.ReduceScatter(g, buf, collective.Sum)
			return err
		}, func(p int) float64 { return float64(p - 1) }},
		{"all-gather", func(c collective.Comm, g collective.Group, me int, buf []float32) error {
			off := collective.ChunkOffsets(len(buf), len(g))
			return c.AllGatherInto(g, buf[off[me]:off[me+1]], buf)
		}, func(p int) float64 { return float64(p - 1) }},
	}
)

// collTimes runs, on every rank of comms at once, commRounds calls of
// kind at every size (after one to warm), opt.reps() times, and returns
// the median over the repetitions of the mean seconds per call of each
// size on rank 0. The median, not the fastest: a collective waits for
// every member's thread, and on a loaded machine a member is often
// waiting to be scheduled; that wait is part of what a collective costs
// there.
func collTimes(opt Options, comms []collective.Comm, kind collKind) ([]Point, error) {
	g := make(collective.Group, len(comms))
	for i := range g {
		g[i] = i
	}
	pts := make([]Point, len(commSizes))
	for si, n := range commSizes {
		var times []float64
		for rep := 0; rep < opt.reps(); rep++ {
			var wg sync.WaitGroup
			errs := make([]error, len(comms))
			secs := make([]float64, len(comms))
			for r, c := range comms {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := randVec(n)
					if errs[r] = kind.call(c, g, r, buf); errs[r] != nil {
						return
					}
					start := time.Now()
					for i := 0; i < commRounds && errs[r] == nil; i++ {
						errs[r] = kind.call(c, g, r, buf)
					}
					secs[r] = time.Since(start).Seconds() / commRounds
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return nil, err
				}
			}
			times = append(times, secs[0])
		}
		sort.Float64s(times)
		pts[si] = Point{Name: fmt.Sprintf("%s %d B", kind.name, 4*n), Size: 4 * float64(n), Seconds: times[len(times)/2]}
	}
	return pts, nil
}

// ringOf turns times of kind over p ranks into the α-β of one ring step,
// as package network prices the kind: steps(p)·(α + n/(p·B)); for the
// all-reduce over 2 ranks 2α + n/B.
func ringOf(pts []Point, kind collKind, p int) Link {
	k := kind.steps(p)
	per := make([]Point, len(pts))
	for i, pt := range pts {
		per[i] = Point{Size: pt.Size / float64(p), Seconds: pt.Seconds / k}
	}
	f := fitLine(per)
	return Link{Latency: f.Fixed, Bandwidth: f.Rate, Points: pts}
}

// linkOf turns all-reduce times over two ranks into the α-β of one ring
// step.
func linkOf(pts []Point) Link { return ringOf(pts, allReduceKind, 2) }

func measureInProc(opt Options) (Link, error) {
	w := collective.NewWorld(2, 2, time.Minute)
	comms := []collective.Comm{w.Comm(0), w.Comm(1)}
	pts, err := collTimes(opt, comms, allReduceKind)
	if err != nil {
		return Link{}, fmt.Errorf("in-process all-reduce: %w", err)
	}
	l := linkOf(pts)
	for _, k := range otherKinds {
		pts, err := collTimes(opt, comms, k)
		if err != nil {
			return Link{}, fmt.Errorf("in-process %s: %w", k.name, err)
		}
		l.Kinds = append(l.Kinds, KindLink{Kind: k.name, Link: ringOf(pts, k, 2)})
	}
	l.SyncWait, l.SyncSkew = measureSyncWait(opt, pts[0].Seconds)
	l.ParkCost = measureParkCost(pts[0].Seconds)
	return l, nil
}

// measureTCP joins two ranks over loopback TCP (a fresh coordinator port,
// a random token) and times their all-reduces.
func measureTCP(opt Options) (Link, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Link{}, fmt.Errorf("tcp: no loopback port: %w", err)
	}
	coord := ln.Addr().String()
	ln.Close()
	tok := make([]byte, 16)
	rand.Read(tok)
	token := hex.EncodeToString(tok)
	comms := make([]*collective.TCPComm, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r := range comms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			comms[r], errs[r] = collective.DialTCP(collective.TCPConfig{Rank: r, Size: 2, Coordinator: coord, Token: token, Timeout: time.Minute, ConnectTimeout: 20 * time.Second})
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range comms {
			if c != nil {
				c.Close()
			}
		}
	}()
	for _, err := range errs {
		if err != nil {
			return Link{}, err
		}
	}
	pts, err := collTimes(opt, []collective.Comm{comms[0], comms[1]}, allReduceKind)
	if err != nil {
		return Link{}, fmt.Errorf("tcp all-reduce: %w", err)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].Size < pts[j].Size })
	return linkOf(pts), nil
}

// syncIntervals are the compute between meetings that measureSyncWait
// times: about a tp all-reduce's (a tiny transformer's linear layers) and
// a pipeline send's or a layer's.
var syncIntervals = [2]time.Duration{100 * time.Microsecond, time.Millisecond}

// meetM×meetK×meetN is the one-core product the meeting probes compute between
// meetings (32×256×128: under the kernels' parallel threshold).
const meetM, meetK, meetN = 32, 256, 128

// meetGEMMTime is the seconds of one of computeThenMeet's products.
func meetGEMMTime() float64 {
	// the operands outside the timed calls: drawing them takes ~20 times
	// the product
	a, b, c := randVec(meetM*meetK), randVec(meetK*meetN), make([]float32, meetM*meetN)
	return timeIt(Options{Budget: time.Millisecond, Reps: 3}, func() {
		kernels.MatMul(c, a, b, meetM, meetK, meetN, false)
	})
}

// computeThenMeet is one rank of a meeting probe: iters times, per
// products then (with meet) a 256-byte all-reduce on g.
func computeThenMeet(c collective.Comm, g collective.Group, per, iters int, meet bool) {
	a, b, out := randVec(meetM*meetK), randVec(meetK*meetN), make([]float32, meetM*meetN)
	buf := make([]float32, 64)
	for i := 0; i < iters; i++ {
		for j := 0; j < per; j++ {
			kernels.MatMul(out, a, b, meetM, meetK, meetN, false)
		}
		if meet {
			c.AllReduce(g, buf, collective.Sum)
		}
	}
}

// measureSyncWait returns what a meeting costs beyond its own time when
// the ranks compute between meetings, as training does: two goroutines
// each run one-core GEMMs for an interval then a 256-byte all-reduce,
// against the same GEMMs with no all-reduce; the difference per
// iteration, less the all-reduce's own back-to-back time, is the wait for
// the peer. It is timed at two intervals (syncIntervals) and split into a
// fixed wait per meeting (a parked peer's wake-up, where the transport
// parks) and a skew, the fraction of the interval by which the slower of
// two threads given the same work finishes later (other work on the
// cores, interrupts, the SMT sibling): both ≥ 0. Median of five
// interleaved rounds at each interval (three moved the skew between 0 and
// 24% from one calibration to the next).
func measureSyncWait(opt Options, backToBack float64) (wait, skew float64) {
	one := meetGEMMTime()
	run := func(per, iters int, meet bool) float64 {
		g := collective.Group{0, 1}
		start := time.Now()
		onRanks(2, func(r int, c collective.Comm) { computeThenMeet(c, g, per, iters, meet) })
		return time.Since(start).Seconds() / float64(iters)
	}
	var at [2]float64
	var lens [2]float64
	for i, d := range syncIntervals {
		per := max(1, int(d.Seconds()/one))
		iters := max(30, int(30e-3/(float64(per)*one)))
		lens[i] = float64(per) * one
		var waits []float64
		for round := 0; round < 5; round++ {
			free, synced := run(per, iters, false), run(per, iters, true)
			waits = append(waits, max(0, synced-free-backToBack))
		}
		sort.Float64s(waits)
		at[i] = waits[len(waits)/2]
	}
	return splitWait(at, lens)
}

// splitWait splits the waits at two compute intervals into a fixed wait
// and a skew in proportion to the interval: the line through both
// points, each part ≥ 0 (a wait that falls with the interval is all
// fixed: the shorter interval's; two equal intervals give no skew).
func splitWait(at, lens [2]float64) (wait, skew float64) {
	if !(lens[1] > lens[0]) {
		// one interval (a GEMM longer than both, as under load): no skew
		return max(0, min(at[0], at[1])), 0
	}
	skew = max(0, (at[1]-at[0])/(lens[1]-lens[0]))
	wait = max(0, at[0]-skew*lens[0])
	return wait, skew
}

// measureParkCost returns the processor time a meeting costs each rank
// where there are more ranks than processors: 2·GOMAXPROCS goroutines in
// pairs, each running ~100 µs of one-core GEMMs then a 256-byte all-reduce
// with its partner (the transport parks a rank at once when it has more
// ranks than processors), against the same GEMMs with no all-reduce, on
// the process's CPU clock (other processes' load does not count); per
// meeting and rank, less the all-reduce's own back-to-back time. Median of
// three interleaved rounds; 0 where the process CPU clock cannot be read.
func measureParkCost(backToBack float64) float64 {
	if _, ok := cpuclock.Process(); !ok {
		return 0
	}
	const iters = 200
	one := meetGEMMTime()
	per := max(1, int(100e-6/one))
	ranks := 2 * runtime.GOMAXPROCS(0)
	run := func(meet bool) float64 {
		c0, _ := cpuclock.Process()
		onRanks(ranks, func(r int, c collective.Comm) { computeThenMeet(c, collective.Group{r &^ 1, r | 1}, per, iters, meet) })
		c1, _ := cpuclock.Process()
		return (c1 - c0).Seconds()
	}
	var costs []float64
	for round := 0; round < 3; round++ {
		free, synced := run(false), run(true)
		costs = append(costs, max(0, (synced-free)/float64(iters*ranks)-backToBack))
	}
	sort.Float64s(costs)
	return costs[len(costs)/2]
}

// drainChunk is the float32 elements each rank of the drain probe sends
// every other rank per all-to-all (1 KiB).
const drainChunk = 256

// drainInterval is the compute of each rank between the drain probe's
// meetings.
const drainInterval = 250 * time.Microsecond

// drainShare is the share of the processors the drain probe's ranks must
// hold while they run without meeting: below it the machine is loaded,
// and a meeting's wall time measures the other processes.
const drainShare = 0.9

// DrainProbe is what a meeting of every rank costs in wall time where the
// ranks outnumber the processors: the processors drain as the last ranks
// arrive (the others wait, none is runnable) and the ones left idle must
// be woken when it completes.
type DrainProbe struct {
	Ranks, Procs int
	Interval     float64 // seconds of compute per rank between meetings
	// Free and Met are the probe's wall seconds per iteration without and
	// with the meetings; CPU the processor seconds a meeting adds, summed
	// over the ranks.
	Free, Met, CPU float64
	// Share is the processors' share the ranks held without meetings.
	Share float64
	// Wait is the wall time per meeting beyond Free and CPU/Procs (the
	// node's drain_wait; 0 where Skipped says why it was not measured).
	Wait    float64
	Skipped string
}

// measureDrainWait times 2·GOMAXPROCS ranks, each running drainInterval of
// one-core GEMMs then an all-to-all of all ranks (drainChunk elements to
// each), against the same GEMMs with no meeting, on the wall clock and
// the process's CPU clock. The meetings' wall time per iteration beyond
// the processor time they add (shared by the processors) is the time the
// processors stand idle at each: drain_wait. Median of three interleaved
// rounds; counted only when the ranks held ≥ drainShare of the
// processors running free (an unloaded machine).
func measureDrainWait() DrainProbe {
	procs := runtime.GOMAXPROCS(0)
	d := DrainProbe{Ranks: 2 * procs, Procs: procs}
	if procs < 2 {
		d.Skipped = "fewer than 2 processors"
		return d
	}
	if _, ok := cpuclock.Process(); !ok {
		d.Skipped = "no process CPU clock"
		return d
	}
	one := meetGEMMTime()
	per := max(1, int(drainInterval.Seconds()/one))
	d.Interval = float64(per) * one
	iters := max(40, int(40e-3/d.Interval))
	g := make(collective.Group, d.Ranks)
	for i := range g {
		g[i] = i
	}
	run := func(meet bool) (wall, cpu float64) {
		c0, _ := cpuclock.Process()
		start := time.Now()
		onRanks(d.Ranks, func(r int, c collective.Comm) { computeThenExchange(c, g, per, iters, meet) })
		wall = time.Since(start).Seconds()
		c1, _ := cpuclock.Process()
		return wall / float64(iters), (c1 - c0).Seconds() / float64(iters)
	}
	var free, met, cpu, share []float64
	for round := 0; round < 3; round++ {
		fw, fc := run(false)
		mw, mc := run(true)
		free, met = append(free, fw), append(met, mw)
		cpu = append(cpu, max(0, mc-fc))
		share = append(share, fc/(fw*float64(procs)))
	}
	d.Free, d.Met, d.CPU, d.Share = Median(free), Median(met), Median(cpu), Median(share)
	if d.Share < drainShare {
		d.Skipped = fmt.Sprintf("its ranks held the processors %.0f%% of the time running free (< %.0f%%: a loaded machine)", 100*d.Share, 100*drainShare)
		return d
	}
	d.Wait = max(0, d.Met-d.Free-d.CPU/float64(procs))
	return d
}

// computeThenExchange is one rank of the drain probe: iters times, per
// products then (with meet) an all-to-all on g.
func computeThenExchange(c collective.Comm, g collective.Group, per, iters int, meet bool) {
	a, b, out := randVec(meetM*meetK), randVec(meetK*meetN), make([]float32, meetM*meetN)
	send := make([][]float32, len(g))
	for j := range send {
		send[j] = randVec(drainChunk)
	}
	for i := 0; i < iters; i++ {
		for j := 0; j < per; j++ {
			kernels.MatMul(out, a, b, meetM, meetK, meetN, false)
		}
		if meet {
			c.AllToAll(g, send)
		}
	}
}

// onRanks runs body on each rank of a fresh in-process world of n ranks,
// each on its own goroutine, and returns when every rank has.
func onRanks(n int, body func(r int, c collective.Comm)) {
	w := collective.NewWorld(n, n, time.Minute)
	var wg sync.WaitGroup
	for r := 0; r < n; r++ {
		wg.Go(func() { body(r, w.Comm(r)) })
	}
	wg.Wait()
}
