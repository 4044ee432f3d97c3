package exec

import (
	"testing"
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
	p := plan(tinyMLA(), "")
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
	const h = 1e-2
	checked := 0
	for _, name := range []string{"h.1.attn.q_down.weight", "h.1.attn.q_norm.weight", "h.1.attn.q_up.weight",
		"h.1.attn.kv_down.weight", "h.1.attn.kv_norm.weight", "h.1.attn.kv_up.weight", "h.1.attn.out.weight"} {
		w0, w1 := c0.Tensors[name], c1.Tensors[name]
		n := len(w0.Data)
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
			fd := (at(h) - at(-h)) / (2 * h)
			step := float64(w1.Data[i] - w0.Data[i])
			if abs(fd) < 5e-7 {
				continue // too flat for a float32 difference to have a sign
			}
			checked++
			if fd*step >= 0 {
				t.Errorf("%s[%d]: finite difference %.3g, first update %.3g: want opposite signs", name, i, fd, step)
			}
		}
	}
	if checked < 70 {
		t.Errorf("only %d weights had a measurable finite difference", checked)
	}
	t.Logf("%d weights checked", checked)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
