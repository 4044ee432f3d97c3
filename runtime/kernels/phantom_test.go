package kernels

import (
	"fmt"
	"math"
	"testing"
)

// phantomLayer runs all parts of one phantom layer serially, exchanging
// ghosts as the all-gather and reduce-scatter of a distributed run would.
type phantomLayer struct {
	s       PhantomShape
	rows    int
	act     Activation
	x       []float32   // rows×In, whole
	w, c, d [][]float32 // per part
	b       [][]float32
}

func newPhantomLayer(seed uint64, s PhantomShape, rows int, act Activation) *phantomLayer {
	l := &phantomLayer{s: s, rows: rows, act: act, x: normal(seed, rows*s.In, 1)}
	for i := 0; i < s.Parts; i++ {
		u := seed + uint64(10*(i+1))
		l.w = append(l.w, normal(u, s.InPart()*s.OutPart(), 0.5))
		l.c = append(l.c, normal(u+1, s.InPart()*s.K, 0.5))
		l.d = append(l.d, normal(u+2, s.DRows()*s.OutPart(), 0.5))
		l.b = append(l.b, normal(u+3, s.OutPart(), 0.5))
	}
	return l
}

func (l *phantomLayer) parts() (xs, ghosts []float32) {
	s, rows := l.s, l.rows
	inP := s.InPart()
	xs = make([]float32, s.Parts*rows*inP)
	ghosts = make([]float32, s.Parts*rows*s.K)
	for i := 0; i < s.Parts; i++ {
		xi := xs[i*rows*inP : (i+1)*rows*inP]
		CopyCols(xi, l.x, rows, s.In, i*inP, (i+1)*inP)
		PhantomGhosts(ghosts[i*rows*s.K:(i+1)*rows*s.K], xi, l.c[i], rows, s)
	}
	return xs, ghosts
}

func (l *phantomLayer) forward() []float32 {
	s, rows := l.s, l.rows
	inP, outP := s.InPart(), s.OutPart()
	xs, ghosts := l.parts()
	y := make([]float32, rows*s.Out)
	for i := 0; i < s.Parts; i++ {
		pre, yi := make([]float32, rows*outP), make([]float32, rows*outP)
		PhantomForward(pre, yi, xs[i*rows*inP:(i+1)*rows*inP], ghosts, l.w[i], l.d[i], l.b[i], rows, i, s, l.act)
		SetCols(y, yi, rows, s.Out, i*outP, (i+1)*outP)
	}
	return y
}

func (l *phantomLayer) backward(dy []float32) map[string][]float32 {
	s, rows := l.s, l.rows
	inP, outP, k := s.InPart(), s.OutPart(), s.K
	xs, ghosts := l.parts()
	grads := map[string][]float32{"x": make([]float32, len(l.x))}
	dghostsSum := make([]float32, s.Parts*rows*k) // the reduce-scatter's result
	dxs := make([]float32, len(xs))
	for i := 0; i < s.Parts; i++ {
		xi := xs[i*rows*inP : (i+1)*rows*inP]
		pre, yi := make([]float32, rows*outP), make([]float32, rows*outP)
		PhantomForward(pre, yi, xi, ghosts, l.w[i], l.d[i], l.b[i], rows, i, s, l.act)
		dyi := make([]float32, rows*outP)
		CopyCols(dyi, dy, rows, s.Out, i*outP, (i+1)*outP)
		dw, dd, db := make([]float32, len(l.w[i])), make([]float32, len(l.d[i])), make([]float32, len(l.b[i]))
		dghosts := make([]float32, s.Parts*rows*k)
		PhantomBackward(dxs[i*rows*inP:(i+1)*rows*inP], dw, dd, db, dghosts, dyi, xi, ghosts, pre, l.w[i], l.d[i], rows, i, s, l.act)
		Add(dghostsSum, dghosts)
		grads[fmt.Sprintf("w%d", i)], grads[fmt.Sprintf("d%d", i)], grads[fmt.Sprintf("b%d", i)] = dw, dd, db
	}
	for i := 0; i < s.Parts; i++ {
		dc := make([]float32, len(l.c[i]))
		PhantomGhostsBackward(dxs[i*rows*inP:(i+1)*rows*inP], dc, dghostsSum[i*rows*k:(i+1)*rows*k], xs[i*rows*inP:(i+1)*rows*inP], l.c[i], rows, s)
		grads[fmt.Sprintf("c%d", i)] = dc
		AddCols(grads["x"], dxs[i*rows*inP:(i+1)*rows*inP], rows, s.In, i*inP, (i+1)*inP)
	}
	return grads
}

func TestGradientsPhantom(t *testing.T) {
	for _, tc := range []struct {
		s   PhantomShape
		act Activation
	}{
		{PhantomShape{In: 6, Out: 6, Parts: 3, K: 2}, ActGELU},
		{PhantomShape{In: 8, Out: 4, Parts: 2, K: 3}, ActIdentity},
		{PhantomShape{In: 4, Out: 4, Parts: 4, K: 1}, ActReLU},
		{PhantomShape{In: 5, Out: 3, Parts: 1, K: 2}, ActGELU},
	} {
		l := newPhantomLayer(31, tc.s, 5, tc.act)
		inputs := map[string][]float32{"x": l.x}
		for i := 0; i < tc.s.Parts; i++ {
			inputs[fmt.Sprintf("w%d", i)] = l.w[i]
			inputs[fmt.Sprintf("b%d", i)] = l.b[i]
			if tc.s.Parts > 1 {
				inputs[fmt.Sprintf("c%d", i)] = l.c[i]
				inputs[fmt.Sprintf("d%d", i)] = l.d[i]
			}
		}
		checkGradients(t, gradCase{
			name:     fmt.Sprintf("phantom_%dx%d_p%d_k%d_%v", tc.s.In, tc.s.Out, tc.s.Parts, tc.s.K, tc.act),
			inputs:   inputs,
			forward:  l.forward,
			backward: l.backward,
		})
	}
}

func TestPhantomOnePartIsDense(t *testing.T) {
	s := PhantomShape{In: 7, Out: 5, Parts: 1, K: 3}
	l := newPhantomLayer(41, s, 6, ActGELU)
	got := l.forward()
	pre, want := make([]float32, 6*5), make([]float32, 6*5)
	LinearForward(pre, l.x, l.w[0], l.b[0], 6, 7, 5)
	GeluForward(want, pre)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("output %d: phantom p=1 %v, dense %v", i, got[i], want[i])
		}
	}
}

// TestPhantomEqualsItsDenseMatrix checks the distributed phantom forward
// (ghosts, all-gather, per-part forward) against the definition of docs/cost-model.md
// written as one dense layer, in float64: output part i reads input part
// j through W_ii when j = i and through D_ij·C_j otherwise, so y =
// x·M + b with M's block (j, i) = W_i or C_j·D_i[q(j)] (q(j) the position
// of j among the parts other than i).
func TestPhantomEqualsItsDenseMatrix(t *testing.T) {
	for _, s := range []PhantomShape{{In: 9, Out: 6, Parts: 3, K: 2}, {In: 8, Out: 12, Parts: 4, K: 3}, {In: 4, Out: 2, Parts: 2, K: 5}} {
		const rows = 5
		l := newPhantomLayer(7, s, rows, ActIdentity)
		inP, outP := s.InPart(), s.OutPart()
		dense := make([]float64, s.In*s.Out) // row-major In × Out
		bias := make([]float64, s.Out)
		for i := 0; i < s.Parts; i++ { // output part
			for o := 0; o < outP; o++ {
				bias[i*outP+o] = float64(l.b[i][o])
			}
			q := 0
			for j := 0; j < s.Parts; j++ { // input part
				for a := 0; a < inP; a++ {
					for o := 0; o < outP; o++ {
						var v float64
						if j == i {
							v = float64(l.w[i][a*outP+o])
						} else {
							for g := 0; g < s.K; g++ {
								v += float64(l.c[j][a*s.K+g]) * float64(l.d[i][(q*s.K+g)*outP+o])
							}
						}
						dense[(j*inP+a)*s.Out+i*outP+o] = v
					}
				}
				if j != i {
					q++
				}
			}
		}
		got := l.forward()
		for r := 0; r < rows; r++ {
			for o := 0; o < s.Out; o++ {
				want := bias[o]
				for a := 0; a < s.In; a++ {
					want += float64(l.x[r*s.In+a]) * dense[a*s.Out+o]
				}
				if d := math.Abs(float64(got[r*s.Out+o]) - want); d > 1e-5*(1+math.Abs(want)) {
					t.Errorf("%+v: y[%d,%d] = %.7g, dense definition %.7g", s, r, o, got[r*s.Out+o], want)
				}
			}
		}
	}
}
