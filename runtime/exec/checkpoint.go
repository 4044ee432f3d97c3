package exec

import (
	"fmt"
	"strconv"

	"planc/ir"
	"planc/passes"
	"planc/runtime/ckpt"
	"planc/runtime/data"
	"planc/runtime/tensor"
)

// Checkpoint assembles the whole, unsharded parameters and AdamW moments
// from every rank (each element from a rank that owns it) under the names of
// package ckpt, with the model's name and fingerprint and the steps done.
func (t *Trainer) Checkpoint() *ckpt.Checkpoint {
	c := ckpt.New()
	c.Meta["format"] = "planc"
	c.Meta["model"] = t.m.Name
	c.Meta["fingerprint"] = Fingerprint(t.m)
	c.Meta["step"] = strconv.Itoa(t.step)
	for _, sp := range t.specs {
		c.Tensors[sp.Name] = tensor.New(sp.Shape...)
		c.Tensors["optim.m."+sp.Name] = tensor.New(sp.Shape...)
		c.Tensors["optim.v."+sp.Name] = tensor.New(sp.Shape...)
	}
	t.saveBalance(c)
	for _, rk := range t.ranks {
		for _, st := range rk.stages {
			at := st.momentIndex()
			for i, sp := range st.specs {
				o := st.off[sp.Name]
				p, m, v := c.Tensors[sp.Name].Data, c.Tensors["optim.m."+sp.Name].Data, c.Tensors["optim.v."+sp.Name].Data
				for j, wi := range st.index[i] {
					if k := at[o+j]; k >= 0 {
						p[wi], m[wi], v[wi] = st.p[o+j], st.m[k], st.v[k]
					}
				}
			}
		}
	}
	return c
}

// CheckCheckpoint reports whether c holds the parameters of model m.
func CheckCheckpoint(c *ckpt.Checkpoint, m *ir.Model) error {
	if c.Meta["format"] != "planc" {
		return fmt.Errorf("not a planc checkpoint (metadata format = %q)", c.Meta["format"])
	}
	if fp := Fingerprint(m); c.Meta["fingerprint"] != fp {
		return fmt.Errorf("the checkpoint is of model %q (fingerprint %s), not of model %s (fingerprint %s)", c.Meta["model"], c.Meta["fingerprint"], m.Name, fp)
	}
	if _, err := strconv.Atoi(c.Meta["step"]); err != nil {
		return fmt.Errorf("checkpoint metadata step = %q is not a number", c.Meta["step"])
	}
	for _, sp := range passes.ParamTableOf(m) {
		w := c.Tensors[sp.Name]
		if w == nil {
			return fmt.Errorf("checkpoint has no tensor %q", sp.Name)
		}
		if !sameShape(w.Shape, sp.Shape) {
			return fmt.Errorf("checkpoint tensor %q has shape %v, the model needs %v", sp.Name, w.Shape, sp.Shape)
		}
	}
	return nil
}

// EvalResult is the outcome of [Eval].
type EvalResult struct {
	Loss    float64 // mean over windows of each window's mean loss
	Windows int
	Tokens  int
}

// Eval returns the mean loss of the checkpoint's model (plan's) over the
// first windows evaluation windows of the stream (see the package doc),
// computed serially by the program of the model compiled for one rank of
// plan's cluster. For mlp models it is the MSE over windows samples of step 0 of
// the seed's input order, against the teacher.
func Eval(plan *ir.Plan, c *ckpt.Checkpoint, stream *data.Stream, windows int) (EvalResult, error) {
	m, seed := plan.Model, plan.Train.Seed
	if err := CheckCheckpoint(c, m); err != nil {
		return EvalResult{}, err
	}
	if windows < 1 {
		return EvalResult{}, fmt.Errorf("eval needs at least one window, got %d", windows)
	}
	if m.Kind != ir.MLPModel {
		if stream == nil {
			stream = data.Default()
		}
		if err := stream.Check(m.Vocab, m.Seq); err != nil {
			return EvalResult{}, err
		}
		if have := stream.Windows(m.Seq); have < windows {
			return EvalResult{}, fmt.Errorf("data: %s holds %d whole windows of %d tokens, fewer than the %d asked for", stream.Name, have, m.Seq+1, windows)
		}
	}
	p := &ir.Plan{Name: "eval", Model: m, Cluster: plan.Cluster, DP: 1, TP: 1, PP: 1, EP: 1, CP: 1, VPP: 1, Schedule: ir.Schedule1F1B,
		GlobalBatch: windows, MicroBatch: 1, MoE: ir.MoEPlan{Dispatch: ir.DispatchPaddingFree},
		CPMode: ir.CPRing, Recompute: ir.RecomputeNone, Precision: ir.FP32, Attention: plan.Attention,
		Train: ir.Train{Steps: 1, Seed: seed}, Span: plan.Span}
	u, err := compileUnit(Config{Plan: p})
	if err != nil {
		return EvalResult{}, err
	}
	info := ir.StageInfo{Index: 0, FirstLayer: 0, EndLayer: m.Layers, Embedding: true, Head: true}
	if m.Kind == ir.MLPModel {
		info.EndLayer = m.Depth
	}
	st := &stage{info: info, off: map[string]int{}, frames: map[int]*frame{}, deferred: map[int][]func(){}, prog: u.Programs[0]}
	st.specs = passes.ParamTableOf(m)
	for _, sp := range st.specs {
		st.off[sp.Name] = len(st.p)
		st.index = append(st.index, sp.LocalIndex(0, 1))
		st.p = append(st.p, c.Tensors[sp.Name].Data...)
	}
	if err := initBalance(m, st, c); err != nil { // routing uses the trained bias
		return EvalResult{}, err
	}
	rk := &rank{plan: p, m: m, params: st.specs, tp: 1, mesh: ir.NewMesh(p), seed: int64(seed), data: stream, totalMB: 1, localMB: windows,
		stages: map[int]*stage{0: st}, evalWindows: true}
	if m.Kind == ir.MLPModel {
		rk.teacher = teacherWeights(m, uint64(seed))
	}
	var sum float64
	for w := 0; w < windows; w++ {
		if _, err := rk.forward(st, w, nil); err != nil {
			return EvalResult{}, err
		}
		if m.Kind == ir.MLPModel {
			sum += rk.lossSum
			rk.lossSum = 0
		} else {
			sum += st.frames[w].ce
		}
		st.endFrame(w)
	}
	res := EvalResult{Loss: sum / float64(windows), Windows: windows}
	if m.Kind == ir.MLPModel {
		res.Tokens = windows
	} else {
		res.Tokens = windows * m.Seq
	}
	return res, nil
}
