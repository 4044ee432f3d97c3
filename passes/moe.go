package passes

import (
	"math"

	"planc/ir"
)

// MoEReport is the MoE part of a compiled plan that `planc explain` shows:
// the activation memory of one MoE layer under both dispatch modes, the
// capacity and its expected drops, and the dispatch and combine volumes by
// link level with and without rbd.
type MoEReport struct {
	Layers     int             `json:"moe_layers"`             // MoE layers in the model
	Tokens     int             `json:"tokens_per_rank"`        // tokens one rank routes per micro-batch (b·s/cp, /tp with ssmb)
	Capacity   int             `json:"capacity"`               // slots per expert per source rank under capacity dispatch
	DropFrac   float64         `json:"expected_drop_fraction"` // expected fraction of routed copies capacity drops under uniform routing
	EPNodes    int             `json:"ep_nodes"`               // nodes one ep group spans
	Dispatch   ir.DispatchMode `json:"dispatch"`               // the plan's dispatch mode
	RBD        bool            `json:"rbd"`
	SSMB       bool            `json:"ssmb"`
	SharedFFNs int             `json:"shared_experts"` // shared experts per MoE layer

	// Activation memory of one MoE layer on one rank per micro-batch, from
	// the router's output to the combine (what the block keeps for its
	// backward), under each dispatch mode, and the routed exchange buffers
	// that live through the layer (the dispatched copies and the expert
	// outputs before their all-to-alls).
	SavedPaddingFree   float64 `json:"saved_bytes_padding_free"`
	SavedCapacity      float64 `json:"saved_bytes_capacity"`
	BuffersPaddingFree float64 `json:"buffer_bytes_padding_free"`
	BuffersCapacity    float64 `json:"buffer_bytes_capacity"`

	// Exchange is the dispatch and combine traffic (forward and backward)
	// of the whole job per step, padding-free without and with rbd (the
	// expectation under uniform routing), and Padded the capacity
	// buffers' all-to-all.
	Exchange    Traffic `json:"exchange"`
	ExchangeRBD Traffic `json:"exchange_rbd"`
	Padded      Traffic `json:"exchange_padded"`
	// Saving is rbd's closed-form inter-node saving for one source rank.
	Saving RBDSaving `json:"rbd_saving"`
}

// MoEAnalysis returns the MoE report of a compiled unit, or nil when the
// model has no MoE layer.
func MoEAnalysis(u *ir.Unit) *MoEReport {
	p := u.Plan
	m := p.Model
	if m.MoE == nil || m.Kind != ir.Transformer {
		return nil
	}
	r := &MoEReport{Dispatch: p.MoE.Dispatch, RBD: p.MoE.RBD, SSMB: p.MoE.SSMB && p.TP > 1, SharedFFNs: m.MoE.Shared}
	for i := 0; i < m.Layers; i++ {
		if m.IsMoELayer(i) {
			r.Layers++
		}
	}
	if r.Layers == 0 {
		return nil
	}
	d := newDims(p)
	r.Tokens, r.Capacity = d.moeT, d.tokensPerExpert
	r.DropFrac = expectedDropFraction(d.moeT, d.k, d.E, d.tokensPerExpert)
	for _, mode := range ir.DispatchModes {
		q := *p
		q.MoE.Dispatch = mode
		t := templatesFor(&q)
		saved, buf := moeLayerMemory(t.layers[1])
		if mode == ir.DispatchCapacity {
			r.SavedCapacity, r.BuffersCapacity = saved, buf
		} else {
			r.SavedPaddingFree, r.BuffersPaddingFree = saved, buf
		}
	}
	r.Saving = ExpectedRBDSaving(u)
	r.EPNodes = r.Saving.Nodes
	if p.EP > 1 {
		tc := newTrafficCounter(u)
		m := float64(p.MicroBatches())
		layers := map[int]int{}
		for _, sg := range u.Graph.Stages {
			for l := sg.FirstLayer; l < sg.LastLayer; l++ {
				if p.Model.IsMoELayer(l) {
					layers[sg.PPRank]++
				}
			}
		}
		for pp, n := range layers {
			for _, g := range tc.groupsOf(ir.AxisEP, pp) {
				for _, rbd := range []bool{false, true} {
					x := tc.expectedMoEMode(g, rbd)
					x.IntraNode *= float64(n) * m
					x.InterNode *= float64(n) * m
					if rbd {
						r.ExchangeRBD.add(x)
					} else {
						r.Exchange.add(x)
					}
				}
			}
		}
		if p.MoE.Dispatch == ir.DispatchCapacity {
			for _, sg := range u.Graph.Stages {
				for _, c := range sg.Collectives {
					if c.Axis != ir.AxisEP || c.Phase == ir.StepPhase {
						continue
					}
					var t Traffic
					for _, g := range tc.groupsOf(ir.AxisEP, sg.PPRank) {
						tc.ring(c.Kind, int64(c.Bytes/tc.elem), g, &t)
					}
					t.IntraNode *= float64(c.Calls()) * m
					t.InterNode *= float64(c.Calls()) * m
					r.Padded.add(t)
				}
			}
		}
	}
	return r
}

// moeLayerMemory sums the saved activations of an MoE layer's routed block
// (dispatch, experts, combine) and its two routed exchange buffers.
func moeLayerMemory(ops []*ir.Op) (saved, buffers float64) {
	for _, o := range ops {
		switch o.Kind {
		case ir.OpDispatch, ir.OpExpertFC1, ir.OpExpertGeLU, ir.OpExpertFC2, ir.OpCombine:
			saved += o.SavedBytes()
		}
		if o.Kind == ir.OpDispatch {
			buffers = 2 * o.Output.Bytes()
		}
	}
	return saved, buffers
}

// expectedDropFraction is the expected share of routed copies that
// capacity dispatch drops when each of T tokens picks k of E experts
// uniformly: an expert's load is Binomial(T, k/E), and it keeps at most c.
func expectedDropFraction(T, k, E, c int) float64 {
	if T == 0 || E == 0 || k == 0 {
		return 0
	}
	q := float64(k) / float64(E)
	if q >= 1 || c >= T {
		return 0
	}
	c = max(c, 0)
	// E[(X−c)+] = Σ_{x>c} (x−c)·P(X = x), the pmf in log space. Outside
	// mean ± 40 standard deviations the pmf is below e^-800, so the sum
	// runs over that window only: at most 80·σ + 2 terms, whatever T is.
	mean := float64(T) * q
	sd := math.Sqrt(mean * (1 - q))
	lo := max(c+1, int(math.Max(0, mean-40*sd-1)))
	hi := min(T, int(mean+40*sd+2))
	lq, l1q := math.Log(q), math.Log1p(-q)
	lgT, _ := math.Lgamma(float64(T + 1))
	excess := 0.0
	for x := lo; x <= hi; x++ {
		lx, _ := math.Lgamma(float64(x + 1))
		ly, _ := math.Lgamma(float64(T - x + 1))
		lp := lgT - lx - ly + float64(x)*lq + float64(T-x)*l1q
		excess += float64(x-c) * math.Exp(lp)
	}
	return excess / mean
}
