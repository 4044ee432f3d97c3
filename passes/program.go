package passes

import (
	"fmt"
	"slices"

	"planc/ir"
)

// The program pass lowers each stage of the op graph to the runtime
// program that package runtime/exec executes (ir.StageProgram): the ops in
// forward order with their dataflow as named values, each layout
// conversion of the collectives pass as an instruction, and each
// collective an op's kernel issues itself attached to that op. Nothing
// here decides what is computed or communicated: the graph and its
// collectives do; the pass only makes the order and the values explicit.

func programPass(st *State) {
	st.Unit.Programs = st.Unit.Programs[:0]
	last := len(st.Unit.Graph.Stages) - 1
	for i, sg := range st.Unit.Graph.Stages {
		st.Unit.Programs = append(st.Unit.Programs, LowerStage(sg, i == last))
	}
}

// fusedGroups are the op kinds whose kernel runs a group of graph ops as
// one (the registry rows of the others say they run fused into it): the
// attention kernel (online softmax: scores, softmax, dropout and p·v) and
// the MoE block's (routing, dispatch, the experts, combine and the shared
// experts, with the exchanges of the plan's dispatch). The group's output
// is that of its members of the kinds outputs.
var fusedGroups = map[ir.OpKind]struct {
	members []ir.OpKind
	outputs []ir.OpKind
}{
	ir.OpAttnScores: {[]ir.OpKind{ir.OpSoftmax, ir.OpAttnDropout, ir.OpAttnValues}, []ir.OpKind{ir.OpAttnValues}},
	ir.OpRouter: {[]ir.OpKind{ir.OpDispatch, ir.OpExpertFC1, ir.OpExpertGeLU, ir.OpExpertGLU, ir.OpExpertFC2, ir.OpCombine,
		ir.OpSharedFC1, ir.OpSharedGeLU, ir.OpSharedGLU, ir.OpSharedFC2}, []ir.OpKind{ir.OpCombine}},
	// a phantom layer: the ghosts, each part's local block and the
	// mix of the other parts' ghosts
	// (one part has no mix: its local block writes the output)
	ir.OpCompress: {[]ir.OpKind{ir.OpLinear, ir.OpPhantomMix}, []ir.OpKind{ir.OpLinear, ir.OpPhantomMix}},
}

// FusedInto returns the kind whose kernel runs kind k as a member of its
// fused group, if any.
func FusedInto(k ir.OpKind) (ir.OpKind, bool) {
	for anchor, g := range fusedGroups {
		for _, m := range g.members {
			if m == k && m != ir.OpLinear { // a linear is a group member only after a phantom compress
				return anchor, true
			}
		}
	}
	return "", false
}

// joins reports whether o runs fused into the open instruction.
func (lw *lowering) joins(o *ir.Op) bool {
	if lw.open == nil || lw.open.Kind != ir.InstrOp || lw.open.Op.Layer != o.Layer {
		return false
	}
	g, ok := fusedGroups[lw.open.Op.Kind]
	if !ok {
		return false
	}
	for _, k := range g.members {
		if k == o.Kind {
			return true
		}
	}
	return false
}

// lowering is the state of one stage's lowering.
type lowering struct {
	prog *ir.StageProgram
	// value maps a graph tensor to the value that holds it now (after an
	// op that writes it under another name, such as fused attention).
	value map[string]string
	// converted maps a tensor and the layout a reader needs to the value
	// of an earlier conversion: a tensor read by several consumers in one
	// layout is converted once (as the collectives pass inserts it once).
	converted map[string]string
	// fwd and bwd index the stage's layout conversions by reader and
	// tensor; inner the collectives each op's kernel issues.
	fwd, bwd map[string]*ir.Collective
	inner    map[string][]*ir.Collective
	// regather indexes the backward re-gathers of sequence-parallel
	// GEMMs' inputs likewise.
	regather map[string]*ir.Collective
	// open is the instruction fused ops may join (the last op's).
	open *ir.Instr
	// produced holds the graph tensors written so far outside a group;
	// producer the graph op that wrote each tensor.
	produced map[string]bool
	producer map[string]*ir.Op
	// mla holds the layers whose attention is multi-head latent.
	mla map[int]bool
}

// LowerStage lowers one stage of the graph to its runtime program; last
// says whether it is the pipeline's last stage (which sends nothing on).
func LowerStage(sg *ir.Stage, last bool) *ir.StageProgram {
	lw := &lowering{
		prog:      &ir.StageProgram{Stage: sg.Index},
		value:     map[string]string{},
		converted: map[string]string{},
		fwd:       map[string]*ir.Collective{},
		bwd:       map[string]*ir.Collective{},
		regather:  map[string]*ir.Collective{},
		inner:     map[string][]*ir.Collective{},
		produced:  map[string]bool{},
		producer:  map[string]*ir.Op{},
		mla:       map[int]bool{},
	}
	for _, c := range sg.Collectives {
		key := c.Reader + "/" + c.Tensor
		switch {
		case c.Boundary && c.Phase == ir.Forward:
			lw.prog.InputGather = c
		case c.Boundary:
			lw.prog.OutputGradGather = c
		case c.Issuer != "":
			lw.inner[c.Issuer] = append(lw.inner[c.Issuer], c)
		case c.Reader != "" && c.Phase == ir.Forward:
			lw.fwd[key] = c
		case c.Regather:
			lw.regather[key] = c
		case c.Reader != "" && c.Phase == ir.Backward:
			lw.bwd[key] = c
		}
	}
	if len(sg.Ops) > 0 {
		in := sg.Ops[0].Inputs[0].Name
		if sg.Index == 0 {
			lw.prog.Data = in // the token ids, or an mlp's inputs
		} else {
			lw.prog.Input = in
		}
		lw.produced[in] = true
	}
	for i, o := range sg.Ops {
		lw.op(o, sg.Ops[i+1:])
	}
	if !last && len(sg.Ops) > 0 {
		lw.prog.Output = lw.get(sg.Ops[len(sg.Ops)-1].Output.Name)
	}
	return lw.prog
}

func (lw *lowering) get(t string) string {
	if v, ok := lw.value[t]; ok {
		return v
	}
	return t
}

// op lowers one graph op; rest are the ops after it (a projection's
// consumers, which name the values it writes).
func (lw *lowering) op(o *ir.Op, rest []*ir.Op) {
	lw.producer[o.Output.Name] = o
	if lw.joins(o) {
		lw.fuse(o)
		return
	}
	in := &ir.Instr{Kind: ir.InstrOp, Op: o, Params: o.Params, Inner: lw.inner[o.Name]}
	for _, t := range o.Inputs {
		in.In = append(in.In, lw.input(o, t))
	}
	in.Out = []string{o.Output.Name}
	switch o.Kind {
	case ir.OpQKV:
		// the fused projection writes q, k and v, the values attention
		// reads (named by the attention ops after it)
		if q, k, v := qkvReaders(o.Layer, rest); q != "" {
			in.Out = []string{q, k, v}
		}
	case ir.OpMLADown:
		// MLA's key/value down projection writes the latent the norm
		// reads and the shared rotary key attention reads
		if o.Output.Name == layerTensor(o.Layer, mlaKVDown) {
			in.Out = []string{layerTensor(o.Layer, mlaKVLatent), layerTensor(o.Layer, mlaKRope)}
			lw.mla[o.Layer] = true
		}
	case ir.OpAttnScores:
		// MLA's attention reads the query projection's output, the
		// key/value up projection's and the shared rotary key: q and k
		// are assembled (and rotated) inside its kernel
		if lw.mla[o.Layer] {
			q := layerTensor(o.Layer, mlaQUp)
			if !lw.produced[lw.get(q)] {
				q = layerTensor(o.Layer, "q") // no query bottleneck: one projection writes q
			}
			in.In = []string{lw.get(q), lw.get(layerTensor(o.Layer, mlaKVUp)), lw.get(layerTensor(o.Layer, mlaKRope))}
		}
	case ir.OpEmbedding:
		// the embedding's output conversion (the partial sums of the
		// vocabulary shards meeting over tp) is issued by its kernel,
		// which adds the learned positions after it, to whole rows
		lw.absorbConversions(in, o.Output.Name)
	case ir.OpOutProj, ir.OpFC2:
		// a row-parallel projection's bias is added once its partial
		// sums have met: by the residual after it (the registry's
		// residual row: bias, dropout and residual add)
		if o.Bias != nil && len(in.Params) == 2 {
			in.Params = in.Params[:1]
		}
	case ir.OpResidual:
		if bias := branchBias(lw.prog.Instrs, in.In[0]); bias != "" {
			in.Params = []string{bias}
		}
	case ir.OpLinear:
		// an mlp's row-parallel layer completes its partial sums
		// itself, then adds its bias
		if o.Bias != nil && isPartial(o.Output, ir.AxisTP) {
			lw.absorbConversions(in, o.Output.Name)
		}
	}
	lw.prog.Instrs = append(lw.prog.Instrs, in)
	lw.open = in
	if _, anchor := fusedGroups[o.Kind]; !anchor { // a group's output is its output op's
		for _, v := range in.Out {
			lw.produced[v] = true
		}
	}
}

// fuse adds o to the open instruction: its parameters and collectives,
// the inputs it reads from outside the group, and, for the group's output
// op, its output.
func (lw *lowering) fuse(o *ir.Op) {
	in := lw.open
	in.Fused = append(in.Fused, o)
	in.Params = append(in.Params, o.Params...)
	in.Inner = append(in.Inner, lw.inner[o.Name]...)
	for _, t := range o.Inputs {
		if !lw.produced[t.Name] {
			continue // made inside the group
		}
		v := lw.input(o, t)
		if !contains(in.In, v) {
			in.In = append(in.In, v)
		}
	}
	if slices.Contains(fusedGroups[in.Op.Kind].outputs, o.Kind) {
		in.Out = []string{o.Output.Name}
		lw.produced[o.Output.Name] = true
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// input returns the value op o reads for tensor t, inserting t's layout
// conversion for o when the collectives pass placed one.
func (lw *lowering) input(o *ir.Op, t ir.Tensor) string {
	// (keyed as the collectives pass shares conversions: by layout, and
	// by whether the reader's input gradient is reduced backward)
	layout := fmt.Sprint(t.Name, "/", splitBy(t, ir.AxisTP), isPartial(t, ir.AxisTP), colTPGEMM(o))
	if v, ok := lw.converted[layout]; ok {
		return v
	}
	key := o.Name + "/" + t.Name
	f, b := lw.fwd[key], lw.bwd[key]
	if f == nil && b == nil {
		return lw.get(t.Name)
	}
	v := t.Name + "@" + o.Name
	from := featureSplit(t)
	if src := lw.producer[t.Name]; src != nil {
		from = featureSplit(src.Output)
	}
	to := featureSplit(t)
	add := func(in, out string, f, b *ir.Collective, cols bool) {
		conv := &ir.Instr{Kind: ir.InstrConvert, In: []string{in}, Out: []string{out}, Fwd: f, Bwd: b, Cols: cols}
		if cols {
			conv.Width = t.Shape[len(t.Shape)-1].Size
		}
		lw.prog.Instrs = append(lw.prog.Instrs, conv)
	}
	switch {
	case f != nil && b != nil && f.Kind == ir.AllGather && b.Kind == ir.AllGather:
		// from one split to the other: gather the producer's, then
		// read this rank's part of the reader's
		add(lw.get(t.Name), v+"~whole", f, nil, from)
		add(v+"~whole", v, nil, b, to)
	case f != nil && f.Kind == ir.AllGather:
		add(lw.get(t.Name), v, f, b, from) // gathering the producer's split
		last := lw.prog.Instrs[len(lw.prog.Instrs)-1]
		last.Regather = lw.regather[key]
		delete(lw.regather, key)
	default:
		add(lw.get(t.Name), v, f, b, to)
	}
	lw.converted[layout] = v
	lw.produced[v] = true
	delete(lw.fwd, key)
	delete(lw.bwd, key)
	return v
}

// absorbConversions moves the conversions of tensor t into instruction in
// (as collectives its kernel issues), and makes its output the converted
// value for every reader.
func (lw *lowering) absorbConversions(in *ir.Instr, t string) {
	for key, c := range lw.fwd {
		if c.Tensor != t {
			continue
		}
		in.Inner = append(in.Inner, c)
		delete(lw.fwd, key)
		if b := lw.bwd[key]; b != nil {
			in.Inner = append(in.Inner, b)
			delete(lw.bwd, key)
		}
	}
	for key, c := range lw.bwd {
		if c.Tensor == t && c.Adjoint != "" {
			in.Inner = append(in.Inner, c)
			delete(lw.bwd, key)
		}
	}
}

// qkvReaders returns the q, k and v values layer l's attention reads.
func qkvReaders(l int, rest []*ir.Op) (q, k, v string) {
	for _, o := range rest {
		if o.Layer != l {
			break
		}
		switch o.Kind {
		case ir.OpAttnScores:
			q, k = o.Inputs[0].Name, o.Inputs[1].Name
		case ir.OpAttnValues:
			v = o.Inputs[1].Name
			return q, k, v
		}
	}
	return "", "", ""
}

// branchBias returns the bias that the row-parallel projection writing
// value (directly or through a conversion) left to be added after its
// reduction.
func branchBias(prog []*ir.Instr, value string) string {
	for i := len(prog) - 1; i >= 0; i-- {
		in := prog[i]
		if len(in.Out) != 1 || in.Out[0] != value {
			continue
		}
		if in.Kind == ir.InstrConvert {
			value = in.In[0]
			continue
		}
		if (in.Op.Kind == ir.OpOutProj || in.Op.Kind == ir.OpFC2) && in.Op.Bias != nil && len(in.Op.Params) == 2 {
			return in.Op.Params[1]
		}
		return ""
	}
	return ""
}
