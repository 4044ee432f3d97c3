package kernels

import (
	"fmt"
	"testing"
)

// moeLayer is a small MoE FFN built from the kernels: router, dispatch,
// per-expert linear+gelu on the expert's buffer rows, combine, and the
// auxiliary loss appended as the last output.
type moeLayer struct {
	tokens, h, experts, topk int
	normalize                bool
	capacityFactor           float64 // 0: padding-free
	auxCoef                  float64
	x, wr, we, be            []float32
}

func (m *moeLayer) dispatch(r *Routing) *Dispatch {
	if m.capacityFactor == 0 {
		return PaddingFree(r)
	}
	return CapacityDispatch(r, m.capacityFactor)
}

func (m *moeLayer) forward() (out []float32, r *Routing, d *Dispatch, buf, pre, act []float32) {
	h, E := m.h, m.experts
	logits := make([]float32, m.tokens*E)
	MatMul(logits, m.x, m.wr, m.tokens, h, E, false)
	r = Route(logits, m.tokens, E, m.topk, m.normalize)
	d = m.dispatch(r)
	buf = make([]float32, d.Rows*h)
	d.Permute(buf, m.x, h)
	pre, act = make([]float32, d.Rows*h), make([]float32, d.Rows*h)
	for e := 0; e < E; e++ {
		lo, hi := d.ExpertRows(e)
		LinearForward(pre[lo*h:hi*h], buf[lo*h:hi*h], m.we[e*h*h:(e+1)*h*h], m.be[e*h:(e+1)*h], hi-lo, h, h)
		GeluForward(act[lo*h:hi*h], pre[lo*h:hi*h])
	}
	y := make([]float32, m.tokens*h)
	d.Combine(y, act, h)
	aux, _ := AuxLoss(r.SlotCounts(), r.ProbSums(), m.tokens, m.topk, m.auxCoef)
	return append(y, float32(aux)), r, d, buf, pre, act
}

func (m *moeLayer) backward(dout []float32) map[string][]float32 {
	h, E := m.h, m.experts
	_, r, d, buf, pre, act := m.forward()
	dy, daux := dout[:m.tokens*h], dout[m.tokens*h]
	dact := make([]float32, d.Rows*h)
	dweight := make([]float32, m.tokens*m.topk)
	d.CombineBackward(dact, dweight, dy, act, h)
	dpre, dbuf := make([]float32, d.Rows*h), make([]float32, d.Rows*h)
	dwe, dbe := make([]float32, len(m.we)), make([]float32, len(m.be))
	for e := 0; e < E; e++ {
		lo, hi := d.ExpertRows(e)
		GeluBackward(dpre[lo*h:hi*h], dact[lo*h:hi*h], pre[lo*h:hi*h])
		LinearBackward(dbuf[lo*h:hi*h], dwe[e*h*h:(e+1)*h*h], dbe[e*h:(e+1)*h], dpre[lo*h:hi*h], buf[lo*h:hi*h], m.we[e*h*h:(e+1)*h*h], hi-lo, h, h)
	}
	dx := make([]float32, len(m.x))
	d.PermuteBackward(dx, dbuf, h)
	_, dProb := AuxLoss(r.SlotCounts(), r.ProbSums(), m.tokens, m.topk, m.auxCoef)
	dlogits := make([]float32, m.tokens*E)
	RouterBackward(dlogits, dweight, r, dProb, daux)
	dwr := make([]float32, len(m.wr))
	LinearBackward(dx, dwr, nil, dlogits, m.x, m.wr, m.tokens, h, E)
	return map[string][]float32{"x": dx, "wr": dwr, "we": dwe, "be": dbe}
}

func newMoELayer(seed uint64, normalize bool, cf float64) *moeLayer {
	m := &moeLayer{tokens: 8, h: 4, experts: 4, topk: 2, normalize: normalize, capacityFactor: cf, auxCoef: 0.5}
	m.x = normal(seed, m.tokens*m.h, 1)
	m.wr = normal(seed+1, m.h*m.experts, 1)
	m.we = normal(seed+2, m.experts*m.h*m.h, 0.7)
	m.be = normal(seed+3, m.experts*m.h, 0.3)
	return m
}

func TestGradientsMoE(t *testing.T) {
	for _, tc := range []struct {
		normalize bool
		cf        float64
	}{{false, 0}, {true, 0}, {false, 0.5}, {true, 0.75}} {
		m := newMoELayer(21, tc.normalize, tc.cf)
		_, _, d, _, _, _ := m.forward()
		if tc.cf > 0 && d.Dropped == 0 {
			t.Errorf("cf %v: expected drops in this test", tc.cf)
		}
		checkGradients(t, gradCase{
			name:     fmt.Sprintf("moe_normalize=%v_cf=%v", tc.normalize, tc.cf),
			inputs:   map[string][]float32{"x": m.x, "wr": m.wr, "we": m.we, "be": m.be},
			forward:  func() []float32 { out, _, _, _, _, _ := m.forward(); return out },
			backward: m.backward,
		})
	}
}

func TestRouteTopKTiesToLowerIndex(t *testing.T) {
	logits := []float32{1, 3, 3, 0, 3, 2, 2, 2}
	r := Route(logits, 2, 4, 2, false)
	want := []int32{1, 2, 0, 1}
	for i, e := range r.Expert {
		if e != want[i] {
			t.Fatalf("experts %v, want %v", r.Expert, want)
		}
	}
}

func TestCapacityDispatchMatchesPaddingFreeWithoutDrops(t *testing.T) {
	big := newMoELayer(5, false, 4) // capacity k·T·4/E ≥ every expert's load
	free := newMoELayer(5, false, 0)
	yb, _, db, _, _, _ := big.forward()
	yf, _, df, _, _, _ := free.forward()
	if db.Dropped != 0 {
		t.Fatalf("capacity %d still drops %d", db.Capacity, db.Dropped)
	}
	if db.Rows != db.Capacity*db.Experts || df.Rows != free.tokens*free.topk {
		t.Errorf("buffer rows: capacity %d (want E·C), padding-free %d (want T·k)", db.Rows, df.Rows)
	}
	for i := range yb {
		if yb[i] != yf[i] {
			t.Fatalf("output %d: capacity %v, padding-free %v", i, yb[i], yf[i])
		}
	}
	small := newMoELayer(5, false, 0.5)
	ys, _, ds, _, _, _ := small.forward()
	if ds.Dropped == 0 {
		t.Fatal("capacity factor 0.5 dropped nothing")
	}
	if want := CapacityFor(8, 2, 4, 0.5); ds.Capacity != want || want != 2 {
		t.Errorf("capacity %d, want ceil(2·8·0.5/4) = 2", ds.Capacity)
	}
	kept := 0
	for _, c := range ds.Counts {
		kept += int(c)
	}
	if kept+ds.Dropped != 16 {
		t.Errorf("kept %d + dropped %d != T·k = 16", kept, ds.Dropped)
	}
	same := true
	for i := range ys {
		same = same && ys[i] == yf[i]
	}
	if same {
		t.Error("dropping tokens changed nothing")
	}
	// Kept copies are the first C of each expert in token order.
	for e := 0; e < ds.Experts; e++ {
		lo, hi := ds.ExpertRows(e)
		prev := int32(-1)
		for c := range ds.Token {
			if ds.Expert[c] == int32(e) {
				if ds.Token[c] <= prev || ds.Row[c] < int32(lo) || ds.Row[c] >= int32(hi) {
					t.Errorf("expert %d: copy %d (token %d, row %d) out of order or place", e, c, ds.Token[c], ds.Row[c])
				}
				prev = ds.Token[c]
			}
		}
	}
}
