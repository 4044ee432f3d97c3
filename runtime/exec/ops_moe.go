package exec

// The MoE block's kernel (the router's fused group, bound in opKernels by
// ops_dense.go's moeOpForward): routing, dispatch with its exchanges over
// ep (padding-free, capacity; redundancy-bypassing in ops_rbd.go), the
// experts, combine and the shared experts.

import (
	"fmt"
	"math"

	"planc/ir"
	"planc/runtime/collective"
	"planc/runtime/kernels"
)

// moeActs holds one MoE layer's routing and expert activations for one
// micro-batch.
type moeActs struct {
	probs  []float32 // [T, E] router affinities (softmax p or sigmoid s)
	route  *kernels.Routing
	rows   [][]int32 // per expert: the token of each kept copy, in token order
	wts    [][]float32
	xe     [][]float32 // per expert: gathered inputs [n_e, h]
	ue, ge [][]float32 // fc1 output and gelu
	ye     [][]float32 // expert outputs [n_e, h]
	su, sg [][]float32 // shared experts: fc1 output and gelu, [T, fe]
	f      []float64   // share of routed slots per expert
	counts [][]int     // under ep: rows received per member and local expert
	// slab is capacity dispatch's C, the rows each source sends each
	// expert under ep (kept copies first, zero rows after); 0 without a
	// capacity.
	slab   int
	tokens int       // tokens of the micro-batch the auxiliary loss is over
	rbd    *rbdState // redundancy-bypassing dispatch state
	aux    float64
	drops  int
}

// routeRun is a stretch of a rank's routed tokens that is contiguous in
// the micro-batch's token order (sequence, position): its first local
// row lo, its rows n, and start, the index of its first token in the
// micro-batch.
type routeRun struct{ start, lo, n int }

// routeMembers returns the ranks whose routed tokens make up, with this
// rank's, one micro-batch: the cp group, each cp rank's tp group under
// ssmb; in (cp, tp) order (under ssmb without cp, the tp group).
func (r *rank) routeMembers() (collective.Group, []ir.Coord) {
	tps := []int{r.coord.TP}
	if r.ssmb {
		tps = tps[:0]
		for i := 0; i < r.tp; i++ {
			tps = append(tps, i)
		}
	}
	var g collective.Group
	var cs []ir.Coord
	for c := 0; c < r.mesh.CP; c++ {
		for _, t := range tps {
			co := r.coord
			co.CP, co.TP = c, t
			g = append(g, r.mesh.Rank(co))
			cs = append(cs, co)
		}
	}
	return g, cs
}

// routeRuns returns the runs of the tokens member c routes: the rows of
// its cp chunks (b sequences of seq/cp positions, each sequence's chunks
// of member c.CP, cplayout.go), under ssmb only the tp index's contiguous
// 1/tp of them. Without cp they are one run; with cp one per sequence and
// chunk (empty where an ssmb slice misses it), so every member has the
// same number of runs.
func (r *rank) routeRuns(c ir.Coord) []routeRun {
	b, S, sl := r.plan.MicroBatch, r.m.Seq, r.segLen()
	lo, hi := 0, b*sl
	if r.ssmb {
		n := b * sl / r.tp
		lo, hi = c.TP*n, (c.TP+1)*n
	}
	if r.mesh.CP == 1 {
		return []routeRun{{start: lo, lo: 0, n: hi - lo}}
	}
	chs := r.chunksOf(c.CP)
	runs := make([]routeRun, b*len(chs))
	for q := 0; q < b; q++ {
		for i, ch := range chs {
			row := q*sl + ch.Local // the chunk's first local row
			from, to := max(lo, row), min(hi, row+ch.N)
			if from >= to {
				continue
			}
			runs[q*len(chs)+i] = routeRun{start: q*S + ch.Pos + from - row, lo: from - lo, n: to - from}
		}
	}
	return runs
}

// route computes the router probabilities and each expert's kept token
// copies: top-k by probability (ties to the lower index); under capacity
// dispatch an expert keeps its first ceil(k·T·cf/E) copies in the
// micro-batch's token order. When the micro-batch's tokens are routed by
// several ranks (its cp chunks, ssmb's tp slices), each rank all-gathers
// over them its per-run copy counts and probability sums: the auxiliary
// loss and the capacity positions are then the whole micro-batch's.
func (r *rank) route(c *call, p *moeParams, x []float32, a *moeActs) error {
	r.on("ssmb")
	if r.mesh.CP > 1 {
		r.on("cp")
	}
	e := r.m.MoE
	h, E, k := r.m.Hidden, e.Experts, e.TopK
	T := len(x) / h
	logits := c.takeClass(T*E, false)
	r.kern().MatMul(logits, x, p.router, T, h, E, false)
	a.route = kernels.RouteScored(logits, T, r.routerSpec(), c.st.bias[p.pre])
	a.probs = a.route.Probs
	g, members := r.routeMembers()
	if !r.ssmb && r.mesh.CP == 1 {
		g, members = collective.Group{r.id}, []ir.Coord{r.coord}
	}
	runs := r.routeRuns(r.coord)
	if len(members) == 1 {
		runs = []routeRun{{start: 0, lo: 0, n: T}}
	}
	R := len(runs)
	Tall := T * len(members)
	choice := a.route.Expert
	runOf := make([]int, T)
	for q, run := range runs {
		for t := run.lo; t < run.lo+run.n; t++ {
			runOf[t] = q
		}
	}
	// counts holds each run's routed copies per expert, then the
	// probability sums: the message of the all-gather.
	counts := make([]float32, (R+1)*E)
	for t := 0; t < T; t++ {
		for _, best := range choice[t*k : (t+1)*k] {
			counts[runOf[t]*E+int(best)]++
		}
	}
	probSum := make([]float64, E)
	for i := 0; i < E; i++ {
		for t := 0; t < T; t++ {
			probSum[i] += float64(a.probs[t*E+i])
		}
	}
	f := make([]float64, E)
	all := counts
	if len(members) > 1 {
		for i := range probSum {
			counts[R*E+i] = float32(probSum[i])
		}
		var err error
		if all, err = r.comm.AllGather(g, counts); err != nil {
			return err
		}
		clear(probSum)
		for m := range members {
			part := all[m*(R+1)*E : (m+1)*(R+1)*E]
			for i := 0; i < E; i++ {
				probSum[i] += float64(part[R*E+i])
			}
		}
	}
	for m := range members {
		part := all[m*(R+1)*E : (m+1)*(R+1)*E]
		for q := 0; q < R; q++ {
			for i := 0; i < E; i++ {
				f[i] += float64(part[q*E+i])
			}
		}
	}
	capacity := math.MaxInt
	if r.plan.MoE.Dispatch == ir.DispatchCapacity {
		capacity = int(math.Ceil(float64(k*Tall) * r.plan.MoE.CapacityFactor / float64(E)))
		a.slab = capacity
	}
	// An expert keeps at most one copy of a token (top-k picks distinct
	// experts): each expert's lists get T places of one buffer.
	a.rows, a.wts = make([][]int32, E), make([][]float32, E)
	rowBuf, wtBuf := make([]int32, E*T), make([]float32, E*T)
	for i := range a.rows {
		a.rows[i], a.wts[i] = rowBuf[i*T:i*T:(i+1)*T], wtBuf[i*T:i*T:(i+1)*T]
	}
	// Capacity positions count the copies of the micro-batch's earlier
	// tokens: those of every member's runs that start before this run.
	seen := make([]int, E)
	for _, run := range runs {
		if run.n == 0 {
			continue
		}
		clear(seen)
		if len(members) > 1 {
			for m, c := range members {
				part := all[m*(R+1)*E : (m+1)*(R+1)*E]
				for q, o := range r.routeRuns(c) {
					if o.n > 0 && o.start < run.start {
						for i := 0; i < E; i++ {
							seen[i] += int(part[q*E+i])
						}
					}
				}
			}
		}
		for t := run.lo; t < run.lo+run.n; t++ {
			for j := 0; j < k; j++ {
				best := choice[t*k+j]
				if seen[best] < capacity {
					a.rows[best] = append(a.rows[best], int32(t))
					a.wts[best] = append(a.wts[best], a.route.Weight[t*k+j])
				} else {
					a.drops++
				}
				seen[best]++
			}
		}
	}
	c.st.countRoutes(p.pre, f)
	// Auxiliary loss: aux · E · Σ f_i·P_i over the whole micro-batch.
	a.f = make([]float64, E)
	a.tokens = Tall
	var sum float64
	for i := 0; i < E; i++ {
		a.f[i] = f[i] / float64(Tall*k)
		sum += a.f[i] * probSum[i] / float64(Tall)
	}
	a.aux = e.AuxLoss * float64(E) * sum
	r.recordRoute(p.pre, a.rows, T)
	return nil
}

// routerSpec is the model's router: its score function, normalize_topk
// and group-limited routing.
func (r *rank) routerSpec() kernels.RouterSpec {
	e := r.m.MoE
	spec := kernels.RouterSpec{Experts: e.Experts, TopK: e.TopK, Normalize: e.NormalizeTopK}
	if e.Groups > 0 && e.TopKGroups > 0 { // topk_groups 0: every group
		spec.Groups, spec.TopKGroups = e.Groups, e.TopKGroups
	}
	if e.Router == ir.RouterSigmoid {
		spec.Score = kernels.ScoreSigmoid
	}
	return spec
}

// The parts of the block's time in planc run --profile's instruction
// table: rows beside the block's own "router" row (each a part of it),
// named after the cost model's ops they compare with (router; dispatch;
// expert_fc1, expert_gelu, expert_fc2; combine; shared_*; the ep
// all-to-alls with their waits).
const (
	moeRoute    = "router ▸ route"
	moeDispatch = "router ▸ dispatch"
	moeExperts  = "router ▸ experts"
	moeExchange = "router ▸ ep exchange"
	moeCombine  = "router ▸ combine"
	moeShared   = "router ▸ shared"
	moeRBD      = "router ▸ rbd dispatch, experts, combine"
)

func (r *rank) moeForward(c *call, p *moeParams, x []float32, a *moeActs) ([]float32, error) {
	e := r.m.MoE
	h, fe, w1 := r.m.Hidden, e.ExpertFFN, r.expertWidth()
	T := len(x) / h
	t0 := r.clock()
	if err := r.route(c, p, x, a); err != nil {
		return nil, err
	}
	r.record(moeRoute, "forward", t0)
	if r.ssmb || r.coord.TP == 0 { // replicated MoE layers count once
		r.drops += int64(a.drops)
	}
	// The first shared expert writes the block's output; the others and
	// the routed experts add to it.
	t0 = r.clock()
	out := c.takeClass(T*h, len(p.shareds) == 0)
	a.su, a.sg = make([][]float32, e.Shared), make([][]float32, e.Shared)
	for s, f := range p.shareds {
		a.su[s], a.sg[s] = c.takeClass(T*w1, false), c.takeClass(T*fe, false)
		y := out
		if s > 0 {
			y = c.takeClass(T*h, false)
		}
		r.expertForward(f, x, a.su[s], a.sg[s], y, T)
		if s > 0 {
			kernels.Add(out, y)
		}
	}
	r.record(moeShared, "forward", t0)
	if r.rbd {
		t0 = r.clock()
		routed, err := r.rbdForward(c, p, a, x)
		if err != nil {
			return nil, err
		}
		kernels.Add(out, routed)
		r.record(moeRBD, "forward", t0)
		return out, nil
	}
	// Dispatch: each expert's routed copies, sorted by expert, in token
	// order (padding-free: variable-length blocks, nothing padded).
	t0 = r.clock()
	xe := cutRows(c.takeClass(keptRows(a.rows)*h, false), rowCounts(a.rows), h)
	for i, ts := range a.rows {
		for j, t := range ts {
			copy(xe[i][j*h:(j+1)*h], x[int(t)*h:int(t+1)*h])
		}
	}
	r.record(moeDispatch, "forward", t0)
	var err error
	if a.ye, err = r.expertsForward(c, p, a, xe); err != nil {
		return nil, err
	}
	// Combine: in expert order, each expert's copies in token order.
	t0 = r.clock()
	for i, ts := range a.rows {
		for j, t := range ts {
			kernels.Axpy(out[int(t)*h:int(t+1)*h], a.wts[i][j], a.ye[i][j*h:(j+1)*h])
		}
	}
	r.record(moeCombine, "forward", t0)
	return out, nil
}

// rowCounts returns the rows of each expert's list.
func rowCounts(rows [][]int32) []int {
	n := make([]int, len(rows))
	for i, ts := range rows {
		n[i] = len(ts)
	}
	return n
}

// keptRows returns the rows of all experts' lists.
func keptRows(rows [][]int32) int { return totalLen(rows) }

// totalLen returns the elements of all the slices together.
func totalLen[T any](xs [][]T) int {
	n := 0
	for _, x := range xs {
		n += len(x)
	}
	return n
}

// blockRows returns the rows of each block of width w.
func blockRows(blocks [][]float32, w int) []int {
	n := make([]int, len(blocks))
	for k, b := range blocks {
		n[k] = len(b) / w
	}
	return n
}

// expertGroup returns the expert-parallel group and this rank's place in it
// (nil when ep = 1): member j holds experts [j·E/ep, (j+1)·E/ep).
func (r *rank) expertGroup() (collective.Group, int) {
	if r.mesh.EP <= 1 {
		return nil, 0
	}
	return toGroup(r.mesh.Group(ir.AxisEP, r.id)), r.mesh.Index(ir.AxisEP, r.id)
}

// runExperts computes the experts [first, first+len(in)) on their inputs
// (rows × hidden each), keeping what their backward needs in a. Their
// outputs and activations are blocks of one buffer each.
func (r *rank) runExperts(c *call, p *moeParams, a *moeActs, first int, in [][]float32) [][]float32 {
	h, fe, w1 := r.m.Hidden, r.m.MoE.ExpertFFN, r.expertWidth()
	rows := blockRows(in, h)
	total := 0
	for _, n := range rows {
		total += n
	}
	out := cutRows(c.takeClass(total*h, false), rows, h)
	a.xe = in
	a.ue = cutRows(c.takeClass(total*w1, false), rows, w1)
	a.ge = cutRows(c.takeClass(total*fe, false), rows, fe)
	for k, xe := range in {
		if rows[k] > 0 {
			r.expertForward(p.experts[first+k], xe, a.ue[k], a.ge[k], out[k], rows[k])
		}
	}
	return out
}

// backExperts is runExperts' backward: given the output gradients of
// experts [first, ...) it adds their weight gradients and returns their
// input gradients.
func (r *rank) backExperts(c *call, p *moeParams, a *moeActs, first int, dy [][]float32) [][]float32 {
	h, fe, w1 := r.m.Hidden, r.m.MoE.ExpertFFN, r.expertWidth()
	rows := blockRows(dy, h)
	total := 0
	for _, n := range rows {
		total += n
	}
	acc := c.r.ops != nil // the generated kernels' input-gradient products accumulate
	dx := cutRows(c.takeClass(total*h, acc), rows, h)
	dg := cutRows(c.takeClass(total*fe, acc), rows, fe)
	du := cutRows(c.takeClass(total*w1, true), rows, w1)
	for k, dye := range dy {
		if rows[k] > 0 {
			r.expertBackward(c, p.experts[first+k], a.xe[k], a.ue[k], a.ge[k], dye, dx[k], dg[k], du[k], rows[k], acc)
		}
	}
	return dx
}

// exchange is the all-to-all-v of expert parallelism. rows[e] are this
// rank's rows for expert e (of all E); member j receives the rows of its
// experts, each message led by its per-expert row counts. It returns, per
// local expert, the rows of every member concatenated in member order
// (blocks of one buffer of the frame's), and the count matrix
// counts[member][local expert]. The messages received are unpacked at once:
// the transport may lend them (collective.AllToAllLent).
func (r *rank) exchange(c *call, g collective.Group, rows [][]float32) ([][]float32, [][]int, error) {
	r.on("ep")
	h := r.m.Hidden
	E := len(rows)
	per := E / len(g)
	sizes := make([]int, len(g))
	for j := range g {
		sizes[j] = per
		for k := 0; k < per; k++ {
			sizes[j] += len(rows[j*per+k])
		}
	}
	send := r.sendChunks(c, g, sizes)
	for j := range g {
		msg := send[j]
		for k := 0; k < per; k++ {
			msg = append(msg, float32(len(rows[j*per+k])/h))
		}
		for k := 0; k < per; k++ {
			msg = append(msg, rows[j*per+k]...)
		}
		send[j] = msg
	}
	recv, err := collective.AllToAllLent(r.comm, g, send)
	if err != nil {
		return nil, nil, err
	}
	counts := make([][]int, len(g))
	perExpert := make([]int, per)
	for i, msg := range recv {
		counts[i] = make([]int, per)
		for k := 0; k < per; k++ {
			counts[i][k] = int(msg[k])
			perExpert[k] += counts[i][k]
		}
	}
	total := 0
	for _, n := range perExpert {
		total += n
	}
	local := cutRows(c.takeClass(total*h, false), perExpert, h)
	fill := make([]int, per)
	for i, msg := range recv {
		pos := per
		for k := 0; k < per; k++ {
			n := counts[i][k] * h
			copy(local[k][fill[k]:], msg[pos:pos+n])
			fill[k] += n
			pos += n
		}
	}
	return local, counts, nil
}

// exchangeBack returns the local experts' per-row results (concatenated in
// member order, as exchange delivered their inputs) to the members that
// sent the rows, and gives back this rank's rows for every expert: in one
// buffer of the frame's when keep (the forward's outputs, kept for the
// backward), else where the transport lent them (valid until this rank's
// next exchange).
func (r *rank) exchangeBack(c *call, g collective.Group, local [][]float32, counts [][]int, mine [][]float32, keep bool) ([][]float32, error) {
	r.on("ep")
	h := r.m.Hidden
	per := len(local)
	sizes := make([]int, len(g))
	for i := range g {
		for k := 0; k < per; k++ {
			sizes[i] += counts[i][k] * h
		}
	}
	send := r.sendChunks(c, g, sizes)
	off := make([]int, per)
	for i := range g {
		msg := send[i]
		for k := 0; k < per; k++ {
			n := counts[i][k] * h
			msg = append(msg, local[k][off[k]:off[k]+n]...)
			off[k] += n
		}
		send[i] = msg
	}
	recv, err := collective.AllToAllLent(r.comm, g, send)
	if err != nil {
		return nil, err
	}
	var out [][]float32
	if keep {
		out = cutRows(c.takeClass(totalLen(mine), false), blockRows(mine, h), h)
	} else {
		out = make([][]float32, len(mine))
	}
	for j, msg := range recv {
		pos := 0
		for k := 0; k < per; k++ {
			e := j*per + k
			n := len(mine[e])
			if keep {
				copy(out[e], msg[pos:pos+n])
			} else {
				out[e] = msg[pos : pos+n]
			}
			pos += n
		}
	}
	return out, nil
}

// sendChunks returns, per member j, an empty slice to append its message
// of sizes[j] elements to: slices of the buffer the transport lends for
// the next all-to-all on g, whose chunks it then hands out without copying
// them again (collective.AllToAllBuffer), else of one of the frame's.
func (r *rank) sendChunks(c *call, g collective.Group, sizes []int) [][]float32 {
	total := 0
	for _, n := range sizes {
		total += n
	}
	buf := collective.AllToAllBuffer(r.comm, g, total)
	if buf == nil {
		buf = c.takeClass(total, false) // the transport copies what it sends
	}
	send := make([][]float32, len(sizes))
	pos := 0
	for j, n := range sizes {
		send[j] = buf[pos:pos] // to the buffer's end: appends fill it in place
		pos += n
	}
	return send
}

// expertsForward runs every expert on its routed rows xe (all E experts,
// this rank's rows) and returns their outputs: locally, or under ep by an
// all-to-all-v to the experts' owners and one back.
func (r *rank) expertsForward(c *call, p *moeParams, a *moeActs, xe [][]float32) ([][]float32, error) {
	g, me := r.expertGroup()
	if g == nil {
		t0 := r.clock()
		defer r.record(moeExperts, "forward", t0)
		return r.runExperts(c, p, a, 0, xe), nil
	}
	if a.slab > 0 {
		return r.paddedForward(c, p, a, g, me, xe)
	}
	t0 := r.clock()
	local, counts, err := r.exchange(c, g, xe)
	if err != nil {
		return nil, err
	}
	r.record(moeExchange, "forward", t0)
	a.counts = counts
	per := len(local)
	t0 = r.clock()
	y := r.runExperts(c, p, a, me*per, local)
	r.record(moeExperts, "forward", t0)
	t0 = r.clock()
	defer r.record(moeExchange, "forward", t0)
	return r.exchangeBack(c, g, y, counts, xe, true)
}

// expertsBackward sends each expert's output gradients to its owner, runs
// the experts' backward there, and returns the input gradients per expert.
func (r *rank) expertsBackward(c *call, p *moeParams, a *moeActs, dye [][]float32) ([][]float32, error) {
	g, me := r.expertGroup()
	if g == nil {
		t0 := r.clock()
		defer r.record(moeExperts, "backward", t0)
		return r.backExperts(c, p, a, 0, dye), nil
	}
	if a.slab > 0 {
		return r.paddedBackward(c, p, a, g, me, dye)
	}
	t0 := r.clock()
	local, _, err := r.exchange(c, g, dye)
	if err != nil {
		return nil, err
	}
	r.record(moeExchange, "backward", t0)
	t0 = r.clock()
	dx := r.backExperts(c, p, a, me*len(local), local)
	r.record(moeExperts, "backward", t0)
	t0 = r.clock()
	defer r.record(moeExchange, "backward", t0)
	return r.exchangeBack(c, g, dx, a.counts, dye, false)
}

// moeBackward adds into dx (the gradient of the MoE input) given dout.
func (r *rank) moeBackward(c *call, p *moeParams, x []float32, a *moeActs, dout, dx []float32) error {
	e := r.m.MoE
	h, E, fe, w1 := r.m.Hidden, e.Experts, e.ExpertFFN, r.expertWidth()
	T := len(x) / h
	t0 := r.clock()
	for s, f := range p.shareds { // into the block's dx: accumulate
		dg, du := c.takeClass(T*fe, true), c.takeClass(T*w1, true)
		r.expertBackward(c, f, x, a.su[s], a.sg[s], dout, dx, dg, du, T, true)
	}
	r.record(moeShared, "backward", t0)
	dprobs := c.takeClass(T*E, true)
	if r.rbd {
		t0 = r.clock()
		if err := r.rbdBackward(c, p, a, dout, dx, dprobs); err != nil {
			return err
		}
		r.record(moeRBD, "backward", t0)
		t0 = r.clock()
		defer r.record(moeRoute, "backward", t0)
		return r.routerBackward(c, p, x, a, dprobs, dx)
	}
	t0 = r.clock()
	dye := cutRows(c.takeClass(keptRows(a.rows)*h, true), rowCounts(a.rows), h)
	for i, ts := range a.rows {
		for j, t := range ts {
			dt := dout[int(t)*h : int(t+1)*h]
			ye := a.ye[i][j*h : (j+1)*h]
			var s float32
			for q := range dt {
				s += dt[q] * ye[q]
			}
			dprobs[int(t)*E+i] += s
			kernels.Axpy(dye[i][j*h:(j+1)*h], a.wts[i][j], dt)
		}
	}
	r.record(moeCombine, "backward", t0)
	dxe, err := r.expertsBackward(c, p, a, dye)
	if err != nil {
		return err
	}
	t0 = r.clock()
	for i, ts := range a.rows {
		for j, t := range ts {
			kernels.Add(dx[int(t)*h:int(t+1)*h], dxe[i][j*h:(j+1)*h])
		}
	}
	r.record(moeDispatch, "backward", t0)
	t0 = r.clock()
	defer r.record(moeRoute, "backward", t0)
	return r.routerBackward(c, p, x, a, dprobs, dx)
}

// routerBackward carries the combine weights' gradients dprobs (per token
// and expert) and the auxiliary loss's through the score function (softmax
// or sigmoid, normalize_topk) and the router into dx and the router's
// weight.
func (r *rank) routerBackward(c *call, p *moeParams, x []float32, a *moeActs, dprobs, dx []float32) error {
	e := r.m.MoE
	h, E := r.m.Hidden, e.Experts
	T := len(x) / h
	// Auxiliary loss gradient: ∂/∂p[t,i] of aux·E·Σ f_i·mean_t p[t,i], with
	// f held constant, scaled by this micro-batch's share of the step loss.
	scale := e.AuxLoss * float64(E) / float64(a.tokens) / float64(r.totalMB)
	dlogits := c.takeClass(T*E, true)
	if spec := r.routerSpec(); spec.Score == kernels.ScoreSoftmax && !spec.Normalize {
		// the combine weights are the probabilities themselves
		for t := 0; t < T; t++ {
			for i := 0; i < E; i++ {
				dprobs[t*E+i] += float32(scale * a.f[i])
			}
		}
		kernels.SoftmaxRowsBackward(dlogits, dprobs, a.probs, T, E)
	} else {
		// dprobs holds each chosen expert's combine-weight gradient
		k := e.TopK
		dweight := make([]float32, T*k)
		for t := 0; t < T; t++ {
			for j, i := range a.route.Expert[t*k : (t+1)*k] {
				dweight[t*k+j] = dprobs[t*E+int(i)]
			}
		}
		f := make([]float32, E)
		for i := range f {
			f[i] = float32(a.f[i])
		}
		kernels.RouteScoredBackward(dlogits, dweight, a.route, spec.Score, f, float32(scale))
	}
	r.kern().MatMulTransB(dx, dlogits, p.router, T, E, h, true)
	c.wgrad(func() { r.kern().MatMulTransA(p.grouter, x, dlogits, h, T, E, true) })
	return nil
}

// Capacity dispatch under ep sends what DeepSpeed-MoE and Tutel send: each
// rank gives every member of the ep group the [E/ep, C, h] slab of that
// member's experts, C = ceil(k·T·cf/E) rows per expert (a.slab), its kept
// copies first in token order and zero rows after; no row counts travel,
// the layout is fixed. The owner runs its experts on all ep·C rows of each
// expert, padding included, as the baseline does, and returns the [E/ep,
// C, h] slab of outputs to each source, which reads its kept rows and
// ignores the rest. Backward sends the output gradients the same way
// (zero for padding, whose combine weight is zero) and the input
// gradients back. So every exchange moves (ep−1)/ep·E·C·h elements per
// rank, as passes.PredictedBytes counts capacity dispatch's all-to-all
// of the graph's [E, C, h] buffers. Real rows give bitwise the results of
// padding-free dispatch: each output row of a product depends on its own
// input row only, and the weight gradients skip rows whose output
// gradient is zero (the padding), so they sum the kept rows in the same
// order.

// padSlabs lays this rank's rows per expert (all E) out as one message per
// member: the member's experts' slabs of C rows each, zero-padded.
func padSlabs(rows [][]float32, members, C, h int) ([][]float32, error) {
	per := len(rows) / members
	send := make([][]float32, members)
	for j := range send {
		msg := make([]float32, per*C*h)
		for k := 0; k < per; k++ {
			src := rows[j*per+k]
			if len(src) > C*h {
				return nil, fmt.Errorf("capacity dispatch: %d rows for expert %d exceed its capacity %d", len(src)/h, j*per+k, C)
			}
			copy(msg[k*C*h:], src)
		}
		send[j] = msg
	}
	return send, nil
}

// slabExchange sends this rank's rows per expert (all E) as padded slabs
// and returns, per local expert, the ep·C rows received (member order).
func (r *rank) slabExchange(g collective.Group, rows [][]float32, C int) ([][]float32, error) {
	r.on("ep")
	h := r.m.Hidden
	send, err := padSlabs(rows, len(g), C, h)
	if err != nil {
		return nil, err
	}
	recv, err := r.comm.AllToAll(g, send)
	if err != nil {
		return nil, err
	}
	per := len(rows) / len(g)
	local := make([][]float32, per)
	for k := range local {
		local[k] = make([]float32, 0, len(g)*C*h)
		for _, msg := range recv {
			local[k] = append(local[k], msg[k*C*h:(k+1)*C*h]...)
		}
	}
	return local, nil
}

// slabReturn sends each member its slab of the local experts' results
// (rows [i·C, (i+1)·C) of each expert for member i) and returns this
// rank's kept rows per expert (all E), mine giving their lengths.
func (r *rank) slabReturn(g collective.Group, local [][]float32, C int, mine [][]float32) ([][]float32, error) {
	r.on("ep")
	h := r.m.Hidden
	per := len(local)
	send := make([][]float32, len(g))
	for i := range send {
		msg := make([]float32, 0, per*C*h)
		for k := 0; k < per; k++ {
			msg = append(msg, local[k][i*C*h:(i+1)*C*h]...)
		}
		send[i] = msg
	}
	recv, err := r.comm.AllToAll(g, send)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(mine))
	for j, msg := range recv {
		for k := 0; k < per; k++ {
			e := j*per + k
			out[e] = msg[k*C*h : k*C*h+len(mine[e])]
		}
	}
	return out, nil
}

// paddedForward is expertsForward under capacity dispatch with ep.
func (r *rank) paddedForward(c *call, p *moeParams, a *moeActs, g collective.Group, me int, xe [][]float32) ([][]float32, error) {
	t0 := r.clock()
	local, err := r.slabExchange(g, xe, a.slab)
	if err != nil {
		return nil, err
	}
	r.record(moeExchange, "forward", t0)
	t0 = r.clock()
	y := r.runExperts(c, p, a, me*len(local), local)
	r.record(moeExperts, "forward", t0)
	t0 = r.clock()
	defer r.record(moeExchange, "forward", t0)
	return r.slabReturn(g, y, a.slab, xe)
}

// paddedBackward is expertsBackward under capacity dispatch with ep. The
// experts' backward runs on the rows whose output gradient is not all
// zero: the others (the padding) add nothing to any gradient and their
// input gradient is zero.
func (r *rank) paddedBackward(c *call, p *moeParams, a *moeActs, g collective.Group, me int, dye [][]float32) ([][]float32, error) {
	h, fe, w1 := r.m.Hidden, r.m.MoE.ExpertFFN, r.expertWidth()
	t0 := r.clock()
	local, err := r.slabExchange(g, dye, a.slab)
	if err != nil {
		return nil, err
	}
	r.record(moeExchange, "backward", t0)
	t0 = r.clock()
	per := len(local)
	live := make([][]int, per)
	kept := &moeActs{xe: make([][]float32, per), ue: make([][]float32, per), ge: make([][]float32, per)}
	dy := make([][]float32, per)
	for k := range local {
		for i := 0; i < len(local[k])/h; i++ {
			for _, v := range local[k][i*h : (i+1)*h] {
				if v != 0 {
					live[k] = append(live[k], i)
					break
				}
			}
		}
		kept.xe[k], dy[k] = gatherRows(a.xe[k], live[k], h), gatherRows(local[k], live[k], h)
		kept.ue[k], kept.ge[k] = gatherRows(a.ue[k], live[k], w1), gatherRows(a.ge[k], live[k], fe)
	}
	dx := r.backExperts(c, p, kept, me*per, dy)
	full := make([][]float32, per)
	for k := range full {
		full[k] = make([]float32, len(local[k]))
		for j, i := range live[k] {
			copy(full[k][i*h:(i+1)*h], dx[k][j*h:(j+1)*h])
		}
	}
	r.record(moeExperts, "backward", t0)
	t0 = r.clock()
	defer r.record(moeExchange, "backward", t0)
	return r.slabReturn(g, full, a.slab, dye)
}

// gatherRows returns rows idx (of width w) of m, in that order.
func gatherRows(m []float32, idx []int, w int) []float32 {
	out := make([]float32, len(idx)*w)
	for j, i := range idx {
		copy(out[j*w:(j+1)*w], m[i*w:(i+1)*w])
	}
	return out
}
