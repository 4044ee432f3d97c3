package exec

import "sync"

// Route is what one rank routed in one MoE layer for one micro-batch: for
// each of its tokens, the experts (global indices) its copies were kept
// for, after any capacity drop, in increasing order. It is what a cost
// model needs to count the MoE exchanges of a step exactly
// (passes.PredictedBytesRouted takes the same data).
type Route struct {
	Rank    int
	Layer   string // the layer's parameter prefix, e.g. "layers.1."
	Experts [][]int
}

// routeLogs holds the routes of the trainers that record them, keyed by
// each rank's measured communicator (a rank reaches its trainer only
// through it).
var routeLogs sync.Map // *timedComm → *routeLog

type routeLog struct {
	mu     sync.Mutex
	routes []Route
}

// RecordRoutes makes the trainer record the routing of every MoE exchange
// it runs from now on (every dispatch mode, with and without rbd), for
// [Trainer.Routes]: each token's kept experts, after capacity drops.
func (t *Trainer) RecordRoutes() {
	l := &routeLog{}
	for _, c := range t.comms {
		routeLogs.Store(c, l)
	}
}

// Routes returns the routes recorded since [Trainer.RecordRoutes] and
// clears them.
func (t *Trainer) Routes() []Route {
	if len(t.comms) == 0 {
		return nil
	}
	v, ok := routeLogs.Load(t.comms[0])
	if !ok {
		return nil
	}
	l := v.(*routeLog)
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.routes
	l.routes = nil
	return out
}

// recordRoute logs the kept copies of a (rows per expert, each in token
// order) for T tokens of this rank, when its trainer records.
func (r *rank) recordRoute(pre string, rows [][]int32, T int) {
	if r.tc == nil {
		return
	}
	v, ok := routeLogs.Load(r.tc)
	if !ok {
		return
	}
	experts := make([][]int, T)
	for e, ts := range rows {
		for _, t := range ts {
			experts[t] = append(experts[t], e)
		}
	}
	l := v.(*routeLog)
	l.mu.Lock()
	l.routes = append(l.routes, Route{Rank: r.id, Layer: pre, Experts: experts})
	l.mu.Unlock()
}
