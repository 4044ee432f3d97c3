package passes

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"planc/ir"
)

// Objective is what a search minimizes.
type Objective int

const (
	ObjTime   Objective = iota // step time, seconds
	ObjEnergy                  // energy per token, joules
	ObjMemory                  // the worst rank's peak memory, bytes
	ObjCost                    // device-hours per million tokens (money with a price)
)

var objectiveNames = [...]string{"time", "energy", "memory", "cost"}

func (o Objective) String() string { return objectiveNames[o] }

// ParseObjective reads an objective's name.
func ParseObjective(s string) (Objective, error) {
	for i, n := range objectiveNames {
		if n == s {
			return Objective(i), nil
		}
	}
	return 0, fmt.Errorf("unknown objective %q: use %s", s, strings.Join(objectiveNames[:], ", "))
}

// SearchOptions say what a [Search] looks for.
type SearchOptions struct {
	// Space names fields to search over the values given, written as in a
	// plan ("tp": {"2", "4", "8"}); an empty list means every legal value.
	// Fields written `auto` are searched over every legal value without
	// being named here; every other field stays as written.
	Space map[string][]string
	// Objective is what the results are ranked by.
	Objective Objective
	// Price turns the cost objective into money: the price of one device
	// for one hour. Zero leaves cost in device-hours.
	Price float64
	// Top is how many results to keep, best first (0: 5).
	Top int
	// Pareto, when set, also collects the plans that no other plan beats
	// on both of these objectives.
	Pareto *[2]Objective
	// MaxMemory is the fraction of device memory a plan may use (0: 1).
	MaxMemory float64
	// Workers evaluate plans in parallel (0: GOMAXPROCS).
	Workers int
	// Limit stops the search after that many estimates (0: no bound);
	// the report says when it was hit.
	Limit int64
	// Progress, when set, is called about ten times a second with the
	// plans accounted for (evaluated, pruned or equivalent) and the
	// space's size, and once at the end.
	Progress func(done, total int64)
}

// Result is one plan a search found, with its estimate and reasons.
type Result struct {
	Plan      *ir.Plan   // the plan, its searched fields filled
	Values    []Value    // the searched fields' values, in SearchReport.Fields order
	Est       Estimation // the estimate's verdict (EstimateStep)
	Objective float64    // the value of the objective searched for
	// Scores are the result's value of every objective, by Objective.
	Scores [4]float64
	// Next says how the result differs from the one ranked after it (nil
	// for the last).
	Next *Difference
	// order is the values' positions in their fields' value lists (the
	// schema's order, plain settings first): it breaks ties.
	order []int
}

// Difference is how one result differs from the next in the ranking.
type Difference struct {
	Delta float64     // the next result's objective minus this one's
	Knobs []KnobDelta // every field whose value differs
	// Groups are the fields that cannot change alone, gathered by the
	// constraint that ties them (pp and dp under a fixed world; vpp and
	// schedule), each with what changing the group together moves the
	// objective by.
	Groups []KnobGroup
}

// KnobDelta is one field that differs between two results, and what
// changing it alone (in the better plan, to the other's value) moves the
// objective by.
type KnobDelta struct {
	Field    string
	From, To Value
	// Delta is the objective's change from this field alone; Alone is
	// false when the field cannot change alone (the plan would break a
	// constraint or not fit), and then Delta is zero.
	Delta float64
	Alone bool
	// Why names the constraint or bound that keeps the field from
	// changing alone.
	Why string
}

// KnobGroup is fields that change together.
type KnobGroup struct {
	Fields []string
	Why    string // the constraint that keeps them from changing alone
	Delta  float64
	OK     bool // false when the plan with the group changed is refused too
}

// PruneCount is how many plans of the space one constraint or bound
// removed.
type PruneCount struct {
	By    string
	Plans int64
}

// The bounds a plan can fail after the constraints hold.
const (
	PrunedMemoryBound = "memory lower bound (model state alone exceeds the limit)"
	PrunedNoFit       = "does not fit in device memory (estimated)"
	PrunedMaxMemory   = "over --max-memory (estimated)"
	PrunedCheck       = "refused by the estimate's check"
)

// SearchReport is what a [Search] found and how.
type SearchReport struct {
	Fields    []string // the searched fields, in search order
	Objective Objective
	Results   []Result // best first
	Pareto    []Result // non-dominated plans, by the first Pareto objective
	// Space is the number of plans in the space (the product of the
	// fields' value counts); every one of them is evaluated, pruned, or
	// equivalent to another plan of the space that is counted instead (a
	// field with no effect keeps one value).
	Space      int64
	Evaluated  int64 // estimates run
	Fits       int64 // of those, plans that fit
	Equivalent int64 // plans that differ only in a field that has no effect (schedule with pp = 1)
	Pruned     []PruneCount
	HitLimit   bool
	Wall       time.Duration
	Workers    int
}

// PlansPerSecond is the estimate rate of the search.
func (r *SearchReport) PlansPerSecond() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Evaluated) / r.Wall.Seconds()
}

// Search finds the best plans for p: it enumerates the values of p's
// `auto` fields and of the fields named in opts.Space, skips a choice as
// soon as it breaks one of [Constraints] or the model state alone
// exceeds the memory limit (a lower bound of every plan below it),
// estimates the rest with [EstimateStep] on all cores, and ranks the
// plans that fit. The space is searched exhaustively unless opts.Limit
// stops it. It returns error diagnostics, at p's spans, for fields that
// cannot be searched or values that do not parse.
func Search(p *ir.Plan, opts SearchOptions) (*SearchReport, ir.Diagnostics) {
	s, ds := newSearcher(p, opts)
	if ds.HasErrors() {
		return nil, ds
	}
	start := time.Now()
	rep := s.run()
	rep.Wall = time.Since(start)
	s.explain(rep)
	return rep, ds
}

// knob is one searched field with its values.
type knob struct {
	f      planField
	vals   []Value
	rel    func(*ir.Plan) bool // nil: always relevant
	keep   int                 // the value kept where the knob is not relevant
	checks []int               // constraints tested once this knob is set
	bound  bool                // test the memory bound once this knob is set
}

type searcher struct {
	base   *ir.Plan
	knobs  []knob
	rest   []int64 // rest[i]: plans below one choice of knob i
	opts   SearchOptions
	limit  float64 // bytes a plan may use
	gbAuto bool
	world  int

	evaluated atomic.Int64
	done      atomic.Int64
	stop      atomic.Bool
}

func newSearcher(p *ir.Plan, opts SearchOptions) (*searcher, ir.Diagnostics) {
	var ds ir.Diagnostics
	if opts.Top <= 0 {
		opts.Top = 5
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxMemory <= 0 {
		opts.MaxMemory = 1
	}
	base := clonePlan(p)
	searched := map[string]bool{}
	for f, auto := range p.Auto {
		if auto {
			searched[f] = true
		}
	}
	for f := range opts.Space {
		if _, ok := lookupField(f); !ok {
			ds = append(ds, ir.Errorf(p.Span, "--space %s: not a field a search can choose (%s)", f, strings.Join(SearchableFields(), ", ")))
			continue
		}
		searched[f] = true
	}
	// an auto or unwritten global batch follows dp·micro_batch
	s := &searcher{base: base, opts: opts, gbAuto: p.Auto["global_batch"] || p.GlobalBatch == 0}
	if _, named := opts.Space["global_batch"]; named {
		ds = append(ds, ir.Errorf(p.FieldSpan("global_batch"), "--space global_batch: the global batch is not searched (it sets the work of a step); try --maximize global_batch"))
	}
	delete(searched, "global_batch") // follows dp·micro_batch when auto
	for f := range searched {
		base.Auto[f] = false
	}
	for f := range base.Auto {
		base.Auto[f] = false
	}
	normalize(base)
	s.world = clusterFor(base).Devices()
	for _, name := range knobOrder {
		if !searched[name] {
			continue
		}
		f, _ := lookupField(name)
		k := knob{f: f, rel: relevant[name]}
		if given := opts.Space[name]; len(given) > 0 {
			for _, text := range given {
				v, err := f.parse(text)
				if err != nil {
					ds = append(ds, ir.Errorf(p.FieldSpan(name), "--space: %v", err))
					continue
				}
				k.vals = append(k.vals, v)
			}
		} else {
			k.vals = legalValues(f, base, s.world)
		}
		if len(k.vals) == 0 {
			ds = append(ds, ir.Errorf(p.FieldSpan(name), "--space %s has no values", name))
			continue
		}
		def, err := f.parse(f.def)
		for i, v := range k.vals {
			if err == nil && v == def {
				k.keep = i
			}
		}
		s.knobs = append(s.knobs, k)
		delete(searched, name)
	}
	for name := range searched {
		if _, named := opts.Space[name]; named {
			ds = append(ds, ir.Errorf(p.FieldSpan(name), "--space %s: not a field a search can choose (%s)", name, strings.Join(SearchableFields(), ", ")))
		}
	}
	if ds.HasErrors() {
		return nil, ds
	}
	s.placeChecks()
	s.rest = make([]int64, len(s.knobs)+1)
	s.rest[len(s.knobs)] = 1
	for i := len(s.knobs) - 1; i >= 0; i-- {
		s.rest[i] = satMul(s.rest[i+1], int64(len(s.knobs[i].vals)))
	}
	s.limit = opts.MaxMemory * base.Cluster.Node.Device.Memory
	return s, nil
}

// satMul multiplies, saturating at the largest int64.
func satMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

// placeChecks attaches each constraint to the knob after which all the
// fields it reads are chosen, and the memory bound to the last state knob.
func (s *searcher) placeChecks() {
	at := map[string]int{}
	for i, k := range s.knobs {
		at[k.f.name] = i
	}
	for ci, c := range Constraints {
		last := -1
		for _, f := range c.Fields {
			if i, ok := at[f]; ok && i > last {
				last = i
			}
		}
		if last >= 0 {
			s.knobs[last].checks = append(s.knobs[last].checks, ci)
		}
	}
	last := -1
	for i, k := range s.knobs {
		if stateKnobs[k.f.name] {
			last = i
		}
	}
	if last >= 0 {
		s.knobs[last].bound = true
	}
}

// worker is one goroutine's share of a search: its counters, best plans
// and Pareto front.
type worker struct {
	s         *searcher
	pruned    map[string]int64
	equiv     int64
	fits      int64
	top       []Result
	front     []Result
	idx       []int
	pending   int64 // plans accounted for, not yet added to s.done
	jobs      []job // when splitting: the partial plans at the split level
	splitAt   int
	splitting bool
}

type job struct {
	plan ir.Plan
	idx  []int
}

func (s *searcher) newWorker() *worker {
	return &worker{s: s, pruned: map[string]int64{}, idx: make([]int, len(s.knobs)), splitAt: -1}
}

func (w *worker) account(n int64) {
	w.pending += n
	if w.pending >= 4096 {
		w.s.done.Add(w.pending)
		w.pending = 0
	}
}

// walk chooses the knobs from level on, recursing into every choice that
// passes the constraints and the bound.
func (w *worker) walk(p *ir.Plan, level int) {
	s := w.s
	if w.s.stop.Load() {
		return
	}
	if w.splitting && level == w.splitAt {
		w.jobs = append(w.jobs, job{plan: *p, idx: append([]int(nil), w.idx...)})
		return
	}
	if level == len(s.knobs) {
		w.leaf(p)
		return
	}
	k := &s.knobs[level]
	if k.rel != nil && !k.rel(p) {
		n := int64(len(k.vals) - 1)
		w.equiv += n * s.rest[level+1]
		w.account(n * s.rest[level+1])
		w.choose(p, level, k.keep)
		return
	}
	for j := range k.vals {
		w.choose(p, level, j)
	}
}

func (w *worker) choose(p *ir.Plan, level, j int) {
	s := w.s
	k := &s.knobs[level]
	k.f.set(p, k.vals[j])
	w.idx[level] = j
	if s.gbAuto && (k.f.name == "micro_batch" || k.f.name == "dp") {
		p.GlobalBatch = p.DP * p.MicroBatch
	}
	for _, ci := range k.checks {
		if !Constraints[ci].OK(p) {
			w.pruned[Constraints[ci].Name] += s.rest[level+1]
			w.account(s.rest[level+1])
			return
		}
	}
	if k.bound && MemoryLowerBound(p) > s.limit {
		w.pruned[PrunedMemoryBound] += s.rest[level+1]
		w.account(s.rest[level+1])
		return
	}
	w.walk(p, level+1)
}

// leaf estimates one complete plan.
func (w *worker) leaf(p *ir.Plan) {
	s := w.s
	w.account(1)
	if n := s.evaluated.Add(1); s.opts.Limit > 0 && n > s.opts.Limit {
		s.evaluated.Add(-1)
		s.stop.Store(true)
		return
	}
	e, ds := EstimateStep(p)
	switch {
	case ds.HasErrors():
		w.pruned[PrunedCheck]++
		return
	case !e.Fits():
		w.pruned[PrunedNoFit]++
		return
	case e.PeakBytes > s.limit:
		w.pruned[PrunedMaxMemory]++
		return
	}
	w.fits++
	r := Result{Est: e}
	r.Scores = s.scores(p, e)
	r.Objective = r.Scores[s.opts.Objective]
	if len(w.top) < s.opts.Top || w.better(r, w.idx, &w.top[len(w.top)-1]) {
		w.insertTop(s.materialize(p, w.idx, r))
	}
	if s.opts.Pareto != nil {
		w.front = insertFront(w.front, s.materialize(p, w.idx, r), *s.opts.Pareto)
	}
}

// scores are a plan's values of every objective.
func (s *searcher) scores(p *ir.Plan, e Estimation) [4]float64 {
	var sc [4]float64
	sc[ObjTime] = e.StepTime
	sc[ObjMemory] = e.PeakBytes
	if e.TokensPerStep > 0 {
		sc[ObjEnergy] = e.Energy / e.TokensPerStep
		hours := e.StepTime * float64(p.WorldSize()) / 3600
		sc[ObjCost] = hours / e.TokensPerStep * 1e6
		if s.opts.Price > 0 {
			sc[ObjCost] *= s.opts.Price
		}
	}
	return sc
}

// materialize turns the working plan into a result's own plan.
func (s *searcher) materialize(p *ir.Plan, idx []int, r Result) Result {
	q := clonePlan(p)
	r.Plan = q
	r.Values = make([]Value, len(s.knobs))
	for i, k := range s.knobs {
		r.Values[i] = k.f.get(q)
	}
	r.order = append([]int(nil), idx...)
	return r
}

// better orders results: by objective, then by their values in knob
// order, so that the ranking does not depend on how work was split.
func (w *worker) better(r Result, idx []int, than *Result) bool {
	if r.Objective != than.Objective {
		return r.Objective < than.Objective
	}
	if r.Scores[ObjTime] != than.Scores[ObjTime] {
		return r.Scores[ObjTime] < than.Scores[ObjTime]
	}
	return lessOrder(idx, than.order)
}

func lessOrder(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// resultLess ranks by the objective, then by step time, then by the
// values' order.
func resultLess(a, b *Result) bool {
	if a.Objective != b.Objective {
		return a.Objective < b.Objective
	}
	if a.Scores[ObjTime] != b.Scores[ObjTime] {
		return a.Scores[ObjTime] < b.Scores[ObjTime]
	}
	return lessOrder(a.order, b.order)
}

func (w *worker) insertTop(r Result) {
	i := sort.Search(len(w.top), func(i int) bool { return resultLess(&r, &w.top[i]) })
	w.top = append(w.top, Result{})
	copy(w.top[i+1:], w.top[i:])
	w.top[i] = r
	if len(w.top) > w.s.opts.Top {
		w.top = w.top[:w.s.opts.Top]
	}
}

// insertFront adds r to a Pareto front over objectives ab unless a point
// of the front is at least as good on both (ties keep the smaller values).
func insertFront(front []Result, r Result, ab [2]Objective) []Result {
	a, b := r.Scores[ab[0]], r.Scores[ab[1]]
	for i := range front {
		fa, fb := front[i].Scores[ab[0]], front[i].Scores[ab[1]]
		if fa <= a && fb <= b && (fa < a || fb < b || !lessOrder(r.order, front[i].order)) {
			return front
		}
	}
	out := front[:0]
	for _, f := range front {
		fa, fb := f.Scores[ab[0]], f.Scores[ab[1]]
		if !(a <= fa && b <= fb) {
			out = append(out, f)
		}
	}
	return append(out, r)
}

// run enumerates the space: it splits it at the first level with enough
// partial plans to keep the workers busy, then walks the parts in
// parallel.
func (s *searcher) run() *SearchReport {
	total := s.rest[0]
	rep := &SearchReport{Objective: s.opts.Objective, Space: total, Workers: s.opts.Workers}
	for _, k := range s.knobs {
		rep.Fields = append(rep.Fields, k.f.name)
	}
	var stopProgress chan struct{}
	var progressDone sync.WaitGroup
	if s.opts.Progress != nil {
		stopProgress = make(chan struct{})
		progressDone.Add(1)
		go func() {
			defer progressDone.Done()
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case <-t.C:
					s.opts.Progress(s.done.Load(), total)
				}
			}
		}()
	}
	// the splitter walks down to the split level without estimating
	var split *worker
	target := 8 * s.opts.Workers
	for at := 0; at <= len(s.knobs); at++ {
		split = s.newWorker()
		split.splitting, split.splitAt = true, at
		split.walk(copyPlan(s.base), 0)
		if len(split.jobs) >= target || at == len(s.knobs) || s.opts.Workers == 1 {
			break
		}
	}
	workers := make([]*worker, s.opts.Workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := range workers {
		w := s.newWorker()
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := int(next.Add(1) - 1)
				if j >= len(split.jobs) {
					break
				}
				jb := &split.jobs[j]
				p := jb.plan
				copy(w.idx, jb.idx)
				w.walk(&p, split.splitAt)
			}
			w.s.done.Add(w.pending)
			w.pending = 0
		}()
	}
	wg.Wait()
	s.done.Add(split.pending)
	if stopProgress != nil {
		close(stopProgress)
		progressDone.Wait()
		s.opts.Progress(s.done.Load(), total)
	}
	pruned := map[string]int64{}
	rep.Equivalent = split.equiv
	for k, v := range split.pruned {
		pruned[k] += v
	}
	for _, w := range workers {
		rep.Equivalent += w.equiv
		rep.Fits += w.fits
		for k, v := range w.pruned {
			pruned[k] += v
		}
		for _, r := range w.top {
			rep.Results = append(rep.Results, r)
		}
		if s.opts.Pareto != nil {
			for _, r := range w.front {
				rep.Pareto = insertFront(rep.Pareto, r, *s.opts.Pareto)
			}
		}
	}
	sort.Slice(rep.Results, func(i, j int) bool { return resultLess(&rep.Results[i], &rep.Results[j]) })
	if len(rep.Results) > s.opts.Top {
		rep.Results = rep.Results[:s.opts.Top]
	}
	if s.opts.Pareto != nil {
		a, b := s.opts.Pareto[0], s.opts.Pareto[1]
		sort.Slice(rep.Pareto, func(i, j int) bool {
			x, y := rep.Pareto[i].Scores, rep.Pareto[j].Scores
			if x[a] != y[a] {
				return x[a] < y[a]
			}
			return x[b] < y[b]
		})
	}
	for k, v := range pruned {
		rep.Pruned = append(rep.Pruned, PruneCount{k, v})
	}
	sort.Slice(rep.Pruned, func(i, j int) bool {
		if rep.Pruned[i].Plans != rep.Pruned[j].Plans {
			return rep.Pruned[i].Plans > rep.Pruned[j].Plans
		}
		return rep.Pruned[i].By < rep.Pruned[j].By
	})
	rep.Evaluated = s.evaluated.Load()
	rep.HitLimit = s.stop.Load()
	return rep
}

// copyPlan copies the base plan for a walk to fill.
func copyPlan(p *ir.Plan) *ir.Plan { q := *p; return &q }

// explain fills each result's difference from the next: every field that
// differs, and what changing it alone moves the objective by.
func (s *searcher) explain(rep *SearchReport) {
	for i := 0; i+1 < len(rep.Results); i++ {
		a, b := &rep.Results[i], &rep.Results[i+1]
		d := &Difference{Delta: b.Objective - a.Objective}
		for k, kn := range s.knobs {
			if a.Values[k] == b.Values[k] {
				continue
			}
			kd := KnobDelta{Field: kn.f.name, From: a.Values[k], To: b.Values[k]}
			q := clonePlan(a.Plan)
			kn.f.set(q, b.Values[k])
			if s.gbAuto && (kn.f.name == "micro_batch" || kn.f.name == "dp") {
				q.GlobalBatch = q.DP * q.MicroBatch
			}
			kd.Why = s.refusal(q)
			if kd.Why == "" {
				e, _ := EstimateStep(q)
				kd.Delta, kd.Alone = s.scores(q, e)[s.opts.Objective]-a.Objective, true
			}
			d.Knobs = append(d.Knobs, kd)
		}
		d.Groups = s.groups(a, b, d.Knobs)
		a.Next = d
	}
}

// groups gathers the fields that cannot change alone by the constraint
// that refuses them, and times each group changed together in a.
func (s *searcher) groups(a, b *Result, knobs []KnobDelta) []KnobGroup {
	var out []KnobGroup
	for _, kd := range knobs {
		if kd.Alone {
			continue
		}
		i := 0
		for i < len(out) && out[i].Why != kd.Why {
			i++
		}
		if i == len(out) {
			out = append(out, KnobGroup{Why: kd.Why})
		}
		out[i].Fields = append(out[i].Fields, kd.Field)
	}
	for gi := range out {
		g := &out[gi]
		q := clonePlan(a.Plan)
		for k, kn := range s.knobs {
			for _, f := range g.Fields {
				if kn.f.name == f {
					kn.f.set(q, b.Values[k])
				}
			}
		}
		if s.gbAuto {
			q.GlobalBatch = q.DP * q.MicroBatch
		}
		if s.refusal(q) == "" {
			e, _ := EstimateStep(q)
			g.Delta, g.OK = s.scores(q, e)[s.opts.Objective]-a.Objective, true
		}
	}
	return out
}

// refusal names the first constraint or bound that q breaks, or "".
func (s *searcher) refusal(q *ir.Plan) string {
	for _, c := range Constraints {
		if !c.OK(q) {
			return c.Name
		}
	}
	e, ds := EstimateStep(q)
	switch {
	case ds.HasErrors():
		return PrunedCheck
	case !e.Fits():
		return PrunedNoFit
	case e.PeakBytes > s.limit:
		return PrunedMaxMemory
	}
	return ""
}

// MemoryLowerBound is a lower bound of the worst rank's peak memory for
// every plan that agrees with p on the degrees, ZeRO, precision and ssmb:
// the weights, gradients and optimizer state of the whole model, sharded
// by tp (and ep for experts) and by ZeRO over the largest group it may
// use, averaged over the pipeline ranks (the worst holds at least the
// average). Activations and buffers only add to it.
func MemoryLowerBound(p *ir.Plan) float64 {
	dense, expert := paramShards(p)
	w, g, o := stateBytes(p.Precision)
	perElem := func(shard float64) float64 {
		b := w + g + o
		if p.Zero >= 1 {
			b += o/shard - o
		}
		if p.Zero >= 2 {
			b += g/shard - g
		}
		if p.Zero >= 3 {
			b += w/shard - w
		}
		return b
	}
	dShard := float64(p.DP * p.CP)
	eShard := dShard
	if p.EP > 1 {
		eShard = float64(max(ir.NewMesh(p).Degree(ir.AxisEDP), 1))
	}
	return (dense*perElem(dShard) + expert*perElem(eShard)) / float64(p.PP)
}

type paramKey struct {
	model        *ir.Model
	tp, cp, ep   int
	ssmb, single bool
}

var (
	paramMu    sync.Mutex
	paramCache = map[paramKey][2]float64{}
)

// paramShards returns the dense and expert parameter elements one rank of
// each pipeline stage holds, summed over the stages (a tied embedding on
// two stages counts twice, as it is stored twice).
func paramShards(p *ir.Plan) (dense, expert float64) {
	key := paramKey{p.Model, p.TP, p.CP, p.EP, p.MoE.SSMB, p.PP == 1}
	paramMu.Lock()
	v, ok := paramCache[key]
	paramMu.Unlock()
	if ok {
		return v[0], v[1]
	}
	q := *p
	q.MicroBatch, q.Recompute, q.SP, q.CPMode = 1, ir.RecomputeNone, false, ir.CPRing
	q.MoE.Dispatch, q.MoE.CapacityFactor, q.MoE.RBD = ir.DispatchPaddingFree, 1.25, false
	if q.Precision == "" {
		q.Precision = ir.BF16
	}
	t := templatesFor(&q)
	dense = t.embedParams + t.headParams
	for k := range t.index {
		dense += float64(t.count[k]) * t.params[k][0]
		expert += float64(t.count[k]) * t.params[k][1]
	}
	if p.PP == 1 {
		dense -= t.headTied
	}
	paramMu.Lock()
	if len(paramCache) >= cacheBound {
		paramCache = map[paramKey][2]float64{}
	}
	paramCache[key] = [2]float64{dense, expert}
	paramMu.Unlock()
	return dense, expert
}
