package passes_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"planc/ir"
	"planc/passes"
)

// gptPlan returns a GPT plan on Selene with the given shape and degrees,
// built from the 22B calibration plan.
func gptPlan(t *testing.T, h, a, s, l, b, tp, dp int, sp bool, recompute ir.RecomputeMode) (*ir.Program, *ir.Plan) {
	t.Helper()
	prog, p := loadPlan(t, calFile, "cal_22b_selective")
	m := *p.Model
	m.Hidden, m.Heads, m.Seq, m.Layers, m.FFN = h, a, s, l, 4*h
	p.Model = &m
	p.TP, p.DP, p.PP, p.SP, p.Recompute = tp, dp, 1, sp, recompute
	p.MicroBatch, p.GlobalBatch = b, b*dp
	p.Cluster = withNodes(p.Cluster, max(1, tp*dp/8))
	return prog, p
}

func compileOK(t *testing.T, prog *ir.Program, p *ir.Plan) *ir.Unit {
	t.Helper()
	u, ds := passes.Compile(prog, p, passes.Options{VerifyEach: true})
	if u == nil || u.Memory == nil {
		t.Fatalf("%v", ds)
	}
	for _, d := range ds {
		// Only the out-of-memory verdict of a plan that is over capacity
		// may stand; every other error fails.
		oom := strings.Contains(d.Message, "more than the") && u.Memory.WorstRank().Peak > u.Memory.Capacity
		if d.Severity == ir.Error && !oom {
			t.Fatalf("%v", ds)
		}
	}
	return u
}

// layerSaved sums the activation bytes the ops of layer l keep.
func layerSaved(u *ir.Unit, l int) float64 {
	n := 0.0
	for _, st := range u.Graph.Stages {
		for _, o := range st.Ops {
			if o.Layer == l {
				n += o.SavedBytes()
			}
		}
	}
	return n
}

// TestKorthikantiActivations: the activation memory the passes assign to a
// transformer layer equals Korthikanti et al.'s per-layer formulas
// (docs/cost-model.md) for every parallel configuration and recompute policy,
// over a grid of shapes.
func TestKorthikantiActivations(t *testing.T) {
	for _, shape := range []struct{ h, a, s, b int }{{1024, 16, 512, 2}, {2048, 32, 1024, 1}, {4096, 32, 2048, 4}, {6144, 64, 2048, 1}} {
		for _, tp := range []int{1, 2, 4, 8} {
			for _, sp := range []bool{false, true} {
				if sp && tp == 1 {
					continue
				}
				for _, rc := range ir.RecomputeModes {
					name := fmt.Sprintf("h%d_a%d_s%d_b%d_tp%d_sp%v_%s", shape.h, shape.a, shape.s, shape.b, tp, sp, rc)
					t.Run(name, func(t *testing.T) {
						prog, p := gptPlan(t, shape.h, shape.a, shape.s, 4, shape.b, tp, 1, sp, rc)
						u := compileOK(t, prog, p)
						s, b, h, a, tf := float64(shape.s), float64(shape.b), float64(shape.h), float64(shape.a), float64(tp)
						sbh := s * b * h
						var want float64
						switch {
						case rc == "full" && sp:
							want = 2 * sbh / tf // the layer input, sequence-sharded
						case rc == "full":
							want = 2 * sbh
						case rc == "selective" && sp:
							want = 34 * sbh / tf
						case rc == "selective":
							want = sbh * (10 + 24/tf)
						case sp:
							want = sbh / tf * (34 + 5*a*s/h)
						case tp > 1:
							want = sbh * (10 + 24/tf + 5*a*s/(h*tf))
						default:
							want = sbh * (34 + 5*a*s/h)
						}
						if got := layerSaved(u, 1); math.Abs(got-want) > 1e-9*want {
							t.Errorf("layer activations %.0f bytes, Korthikanti's formula %.0f", got, want)
						}
					})
				}
			}
		}
	}
}

// TestZeROModelStates: parameters + gradients + optimizer state per rank
// follow the ZeRO paper (16Ψ, 4Ψ+12Ψ/N, 2Ψ+14Ψ/N, 16Ψ/N), with Ψ the GPT
// parameter count of docs/cost-model.md (plus the final LayerNorm's 2h), and the
// data-parallel traffic per step is 2Ψ elements for stages 0-2 and 3Ψ for
// stage 3 (one micro-batch).
func TestZeROModelStates(t *testing.T) {
	for _, dp := range []int{2, 4, 8, 16} {
		for z := 0; z <= 3; z++ {
			t.Run(fmt.Sprintf("dp%d_zero%d", dp, z), func(t *testing.T) {
				const h, a, s, l = 1024, 16, 1024, 6
				prog, p := gptPlan(t, h, a, s, l, 1, 1, dp, false, "none")
				p.Zero = z
				u := compileOK(t, prog, p)
				V := float64(p.Model.Vocab)
				psi := 12*l*h*h*(1+13.0/(12*h)+(V+s)/(12*l*h)) + 2*h
				N := float64(dp)
				want := map[int]float64{0: 16 * psi, 1: 4*psi + 12*psi/N, 2: 2*psi + 14*psi/N, 3: 16 * psi / N}[z]
				r := u.Memory.WorstRank()
				if got := r.Params + r.Grads + r.Optimizer; math.Abs(got-want) > 1e-9*want {
					t.Errorf("model states %.6g bytes, ZeRO's formula %.6g", got, want)
				}
				// traffic over dp in elements: an all-reduce of n moves 2n
				// (reduce-scatter then all-gather), the others n
				traffic := 0.0
				for _, c := range u.Cost.Comm {
					if c.Axis != ir.AxisDP {
						continue
					}
					f := 1.0
					if c.Kind == ir.AllReduce {
						f = 2
					}
					traffic += f * c.Bytes / 2
				}
				wantT := 2 * psi
				if z == 3 {
					wantT = 3 * psi
				}
				if math.Abs(traffic-wantT) > 1e-9*wantT {
					t.Errorf("dp traffic %.6g elements, ZeRO's %.6g", traffic, wantT)
				}
			})
		}
	}
}

// TestModelFLOPs: the model and hardware FLOPs per step that the passes
// count from their ops equal the closed forms of docs/cost-model.md for GPT: model
// 72·B·s·l·h²(1 + s/6h + V/12lh); full recompute 96·B·s·l·h²(1 + s/6h +
// V/16lh). With selective recompute the attention core's forward (q·kᵀ and
// p·v, 4·b·s²·h per layer and micro-batch) runs once more: 72·B·s·l·h²(1 +
// s/6h + s/18h + V/12lh). The published selective form writes s/3h for that case, which
// would be the core's forward and backward again (12·B·s²·l·h); planc
// recomputes the forward only, as Megatron's selective checkpointing does.
func TestModelFLOPs(t *testing.T) {
	for _, rc := range ir.RecomputeModes {
		for _, tp := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s_tp%d", rc, tp), func(t *testing.T) {
				const h, a, s, l, b, dp = 2048, 16, 2048, 8, 2, 2
				prog, p := gptPlan(t, h, a, s, l, b, tp, dp, tp > 1, rc)
				u := compileOK(t, prog, p)
				V := float64(p.Model.Vocab)
				B := float64(p.GlobalBatch)
				base := B * s * l * h * h
				model := 72 * base * (1 + s/(6.0*h) + V/(12.0*l*h))
				hw := map[ir.RecomputeMode]float64{ir.RecomputeNone: model, ir.RecomputeSelective: 72 * base * (1 + s/(6.0*h) + s/(18.0*h) + V/(12.0*l*h)), ir.RecomputeFull: 96 * base * (1 + s/(6.0*h) + V/(16.0*l*h))}[rc]
				if got := u.Cost.ModelFLOPs; math.Abs(got-model) > 1e-9*model {
					t.Errorf("model FLOPs %.6g, formula %.6g", got, model)
				}
				if got := u.Cost.HardwareFLOPs; math.Abs(got-hw) > 1e-9*hw {
					t.Errorf("hardware FLOPs %.6g, formula %.6g", got, hw)
				}
			})
		}
	}
}

// TestMoEAllToAllVolumes: each MoE layer has four all-to-alls per
// micro-batch over the ep group (dispatch and combine, forward and
// backward), each of T·k·h elements with padding-free dispatch and of
// E·ceil(k·T·cf/E)·h with capacity dispatch (T tokens of a rank's
// micro-batch), over a grid of ep, top-k and micro-batch sizes.
func TestMoEAllToAllVolumes(t *testing.T) {
	for _, ep := range []int{2, 4} {
		for _, k := range []int{1, 2, 3} {
			for _, b := range []int{1, 3} {
				for _, disp := range ir.DispatchModes {
					t.Run(fmt.Sprintf("ep%d_k%d_b%d_%s", ep, k, b, disp), func(t *testing.T) {
						prog, p := loadPlan(t, moeFile, "tiny_moe_serial")
						m := *p.Model
						moe := *m.MoE
						moe.TopK = k
						m.MoE = &moe
						p.Model = &m
						p.DP, p.EP, p.MicroBatch, p.GlobalBatch, p.MoE.Dispatch = 4, ep, b, 4*b, disp
						fitCPU(p)
						u := compileOK(t, prog, p)
						T := float64(b * m.Seq)
						elem := 4.0 // fp32
						want := T * float64(k) * float64(m.Hidden) * elem
						if disp == "capacity" {
							E := float64(moe.Experts)
							c := math.Ceil(float64(k) * T * p.MoE.CapacityFactor / E)
							want = E * c * float64(m.Hidden) * elem
						}
						moeLayers := 0
						for i := 0; i < m.Layers; i++ {
							if m.IsMoELayer(i) {
								moeLayers++
							}
						}
						n := 0
						for _, st := range u.Graph.Stages {
							for _, c := range st.Collectives {
								if c.Axis != ir.AxisEP {
									continue
								}
								if c.Kind != ir.AllToAll && c.Kind != ir.AllToAllV {
									t.Errorf("%s: %s over ep", c.Name, c.Kind)
								}
								n++
								if math.Abs(c.Bytes-want) > 1e-9*want {
									t.Errorf("%s: %.0f bytes, expected %.0f", c.Name, c.Bytes, want)
								}
							}
						}
						if n != 4*moeLayers {
							t.Errorf("%d all-to-alls over ep, expected 4 per MoE layer (%d layers)", n, moeLayers)
						}
					})
				}
			}
		}
	}
}

// TestPipelineBubble: the bubble the cost model charges follows
// the closed forms of docs/cost-model.md, (p−1)/m of the steady-state time for 1F1B
// and (p−1)/(v·m) for the interleaved schedule, within the imbalance that
// the embedding and the head add to the first and last stages (15%).
func TestPipelineBubble(t *testing.T) {
	for _, c := range []struct {
		pp, vpp, m int
		sched      ir.ScheduleKind
	}{{8, 1, 64, "1f1b"}, {8, 1, 16, "1f1b"}, {8, 3, 64, "interleaved"}, {4, 2, 32, "interleaved"}, {8, 1, 32, "gpipe"}} {
		t.Run(fmt.Sprintf("%s_p%d_v%d_m%d", c.sched, c.pp, c.vpp, c.m), func(t *testing.T) {
			prog, p := loadPlan(t, calFile, "cal_175b_selective")
			p.PP, p.VPP, p.Schedule, p.GlobalBatch = c.pp, c.vpp, c.sched, c.m
			p.Cluster = withNodes(p.Cluster, c.pp)
			u := compileOK(t, prog, p)
			steady := u.Cost.Compute + u.Cost.ExposedComm - u.Cost.Optimizer // m·T of the slowest rank (no dp here)
			got := u.Cost.Bubble / steady
			want := float64(c.pp-1) / float64(c.vpp*c.m)
			t.Logf("bubble %.4f of the steady state, closed form %.4f", got, want)
			if math.Abs(got-want) > 0.15*want {
				t.Errorf("bubble %.4f of the steady state, closed form %.4f", got, want)
			}
		})
	}
}

// TestEnergyBounds: a step's energy lies between every device idling and
// every device busy for the whole step, and grows with the step's length.
func TestEnergyBounds(t *testing.T) {
	for _, name := range []string{"cal_22b_full", "cal_1t_selective"} {
		prog, p := loadPlan(t, calFile, name)
		u := compileOK(t, prog, p)
		d := u.Device()
		n := float64(u.Mesh.Size())
		lo, hi := n*d.IdlePower*u.Cost.StepTime, n*d.BusyPower*u.Cost.StepTime
		if e := u.Cost.EnergyPerStep; e < lo || e > hi {
			t.Errorf("%s: %.4g J per step outside [%.4g, %.4g]", name, e, lo, hi)
		}
		if want := u.Cost.EnergyPerStep / u.Cost.TokensPerStep; math.Abs(u.Cost.EnergyPerToken-want) > 1e-12*want {
			t.Errorf("%s: energy per token %.6g, per step / tokens %.6g", name, u.Cost.EnergyPerToken, want)
		}
	}
}

// TestPhantomLayer: a phantom layer's forward FLOPs per part and token are
// docs/cost-model.md's 2(n/p)² + 2k·n/p + 2(p−1)·k·n/p, and its forward
// communication is one all-gather of p·k ghost values per token, whether
// the p parts run one per rank (tp = p) or all on one rank (tp = 1, no
// communication).
func TestPhantomLayer(t *testing.T) {
	for _, tp := range []int{1, 2} {
		prog, p := loadPlan(t, gptFile, "tiny_gpt_serial")
		m := stdModels["tiny_phantom_mlp"]
		p.Model, p.TP = m, tp
		fitCPU(p)
		u := compileOK(t, prog, p)
		n, parts, k := float64(m.Width), float64(m.FFNKind.Parts), float64(m.FFNKind.K)
		tokens := float64(p.MicroBatch)
		perPart := 2*(n/parts)*(n/parts) + 2*k*n/parts + 2*(parts-1)*k*n/parts
		want := perPart * parts / float64(tp) * tokens // the parts on one rank
		got, gathered := 0.0, 0.0
		for _, st := range u.Graph.Stages {
			for _, o := range st.Ops {
				if o.Layer == 1 {
					got += o.FwdFLOPs
				}
			}
			for _, c := range st.Collectives {
				if c.Layer == 1 && c.Phase == ir.Forward {
					if c.Kind != ir.AllGather || c.Axis != ir.AxisTP {
						t.Errorf("tp=%d: forward %s over %s in a phantom layer", tp, c.Kind, c.Axis)
					}
					gathered += c.Bytes
				}
			}
		}
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("tp=%d: phantom layer forward %.0f FLOPs per rank, formula %.0f", tp, got, want)
		}
		wantBytes := 0.0
		if tp > 1 {
			wantBytes = parts * k * tokens * 4 // fp32 ghosts
		}
		if gathered != wantBytes {
			t.Errorf("tp=%d: %g bytes gathered, expected %g", tp, gathered, wantBytes)
		}
	}
}
