package exec

import (
	"math"
	"strings"
	"testing"

	"planc/ir"
	"time"

	"planc/runtime/ckpt"
)

// TestMLAGradientsMatchFiniteDifferences: the serial runtime's gradients
// of MLA's parameters point the way the first-step loss falls. With no
// warm-up, decay or clipping, AdamW's first update of a weight is
// −lr·g/(|g|+ε), so its sign is −sign(g); each sampled weight's central
// difference of the first-step loss (the same batch: a resumed step 0)
// must have the opposite sign of its update. The parallel table checks
// every split against this serial run; this checks the serial run itself
// (a missing RoPE backward of the shared rotary key, or the latent's
// gradient landing in the wrong columns of kv_down, flips these signs).
func TestMLAGradientsMatchFiniteDifferences(t *testing.T) {
	checkUpdateSigns(t, tinyMLA(), []string{"h.1.attn.q_down.weight", "h.1.attn.q_norm.weight", "h.1.attn.q_up.weight",
		"h.1.attn.kv_down.weight", "h.1.attn.kv_norm.weight", "h.1.attn.kv_up.weight", "h.1.attn.out.weight"}, 70)
}

// TestDeepSeekMoEGradientsMatchFiniteDifferences is the same check through
// tiny_deepseek's layers: SwiGLU routed and shared experts without biases
// and the attention before them (the router's weights move tokens to
// other experts at any step that measures their difference on 2048
// tokens: moe_grad_test.go checks them on the block alone).
func TestDeepSeekMoEGradientsMatchFiniteDifferences(t *testing.T) {
	checkUpdateSigns(t, tinyDeepSeek(), []string{"h.1.moe.experts.0.fc1.weight", "h.1.moe.experts.5.fc2.weight",
		"h.1.moe.shared.0.fc1.weight", "h.1.moe.shared.0.fc2.weight", "h.1.attn.kv_down.weight"}, 40)
}

// checkUpdateSigns samples 12 weights of each named parameter of model m
// and checks that each whose first-step loss has a measurable central
// difference moved against it in the first update; at least min do. Under
// MoE a difference counts only where a quarter of the step gives the same
// (within 10%): where no token changes experts.
func checkUpdateSigns(t *testing.T, m *ir.Model, names []string, min int) {
	p := plan(m, "")
	p.Train.Warmup, p.Train.WeightDecay, p.Train.Clip = 0, 0, 0
	tr, err := NewTrainer(Config{Plan: p, Steps: 1, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c0 := tr.Checkpoint()
	if _, err := tr.Step(); err != nil {
		t.Fatal(err)
	}
	c1 := tr.Checkpoint()
	firstLoss := func(c *ckpt.Checkpoint) float64 {
		t.Helper()
		tr, err := NewTrainer(Config{Plan: p, Steps: 1, Resume: c, Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		r, err := tr.Step()
		if err != nil {
			t.Fatal(err)
		}
		return r.Loss
	}
	checked := 0
	per := map[string]int{}
	for _, name := range names {
		w0, w1 := c0.Tensors[name], c1.Tensors[name]
		n := len(w0.Data)
		const h = float32(1e-2)
		for j := 0; j < 12; j++ {
			i := j * (n - 1) / 11
			if name == "h.1.attn.kv_down.weight" {
				i = i/24*24 + 16 + i%8 // the rotary key's columns (kv_lora_rank 16, rope 8)
			}
			at := func(d float32) float64 {
				c := ckpt.New()
				for k, v := range c0.Tensors {
					c.Tensors[k] = v
				}
				for k, v := range c0.Meta {
					c.Meta[k] = v
				}
				w := w0.Clone()
				w.Data[i] += d
				c.Tensors[name] = w
				return firstLoss(c)
			}
			fd := (at(h) - at(-h)) / float64(2*h)
			if m.MoE != nil {
				// a step may move a token to another expert (here or in a
				// later layer): only where a quarter step agrees is the
				// loss smooth enough for a difference to be a gradient
				q := (at(h/4) - at(-h/4)) / float64(h/2)
				if abs(q-fd) > 0.1*abs(fd) {
					continue
				}
			}
			step := float64(w1.Data[i] - w0.Data[i])
			if abs(fd) < 5e-7 {
				continue // too flat for a float32 difference to have a sign
			}
			checked++
			per[name]++
			if fd*step >= 0 {
				t.Errorf("%s[%d]: finite difference %.3g, first update %.3g: want opposite signs", name, i, fd, step)
			}
		}
	}
	if checked < min {
		t.Errorf("only %d weights had a measurable finite difference", checked)
	}
	t.Logf("%d weights checked: %v", checked, per)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestFirstMomentsMatchSerial: after one step the first AdamW moment of
// every parameter (0.1·its clipped gradient) equals the serial run's
// within 1e-4 of the tensor's largest. The losses of the parallel table
// cannot see a partial gradient of a replicated weight (AdamW's first
// update is about lr·sign(g), the same for half a gradient) nor a slightly
// wrong gradient norm; the moments do: without the all-reduce of MLA's
// shared rotary key's gradient over tp, 210 moments are off (kv_down's by
// 1e-2 of their largest); when the norm left out the experts of tp ranks
// other than 0 under ssmb with ep, all were off by the clip scale (1e-3).
// Under sp MLA's down projections and latent norms act on each rank's own
// rows: their gradients are summed over tp once (ALLREDUCE_SEQ), the
// rotary key's reduce-scattered. Without a query bottleneck the full
// query projection and kv_down read one ln1: its gradient was
// all-reduced with kv_down's complete share in it, doubling that share.
func TestFirstMomentsMatchSerial(t *testing.T) {
	for _, c := range []struct {
		model func() *ir.Model
		opts  []string
	}{
		{tinyDeepSeek, []string{"tp=2", "tp=4", "tp=2 cp=2 cp_mode=allgather", "cp=2 cp_mode=ring", "cp=2 cp_mode=ulysses", "dp=2 ep=2", "tp=2 ep=2 ssmb=true",
			"tp=2 sp=true", "tp=4 sp=true cp=2 cp_mode=ring", "tp=2 sp=true dp=2 ep=2"}},
		{tinyMLAFullQ, []string{"tp=2", "tp=2 sp=true"}},
		{tinyMLA, []string{"tp=2 sp=true dp=2 zero=3"}},
		{tinyMoE, []string{"tp=2 ep=2 ssmb=true", "tp=2 dp=2 ep=4 ssmb=true zero=2"}},
		{tinyLlama, []string{"tp=2", "tp=2 sp=true", "cp=2 cp_mode=ulysses", "cp=2 cp_mode=ring", "tp=2 cp=2 cp_mode=allgather",
			"tp=4", "tp=4 sp=true dp=2 zero=1"}}, // tp 4: kv heads replicated
		{tinyGPT, []string{"tp=2 sp=true", "cp=2 cp_mode=lss"}},
	} {
		_, serial := train(t, plan(c.model(), ""), 1)
		want := serial.Checkpoint()
		for _, opts := range c.opts {
			_, tr := train(t, plan(c.model(), opts), 1)
			got := tr.Checkpoint()
			for name, w := range want.Tensors {
				if !strings.HasPrefix(name, "optim.m.") {
					continue
				}
				g := got.Tensors[name]
				worst, at, top := 0.0, 0, 0.0
				for i := range w.Data {
					top = math.Max(top, math.Abs(float64(w.Data[i])))
					if d := math.Abs(float64(w.Data[i] - g.Data[i])); d > worst {
						worst, at = d, i
					}
				}
				if worst > 1e-4*top {
					t.Errorf("%s %s: %s[%d] is %.6g, serial %.6g (largest %.3g)", c.model().Name, opts, name, at, g.Data[at], w.Data[at], top)
				}
			}
		}
	}
}
