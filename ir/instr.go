package ir

// This file holds the runtime program of a stage: what package passes
// lowers the op graph to and package runtime/exec executes. A program is
// the stage's graph ops in forward order, with the dataflow between them
// made explicit as named values, and the layout conversions of the
// collectives pass as instructions of their own. Backward runs the program
// in reverse: each op's backward kernel, each conversion's adjoint.

import (
	"fmt"
	"strings"
)

// InstrKind says what an instruction does.
type InstrKind uint8

const (
	// InstrOp runs an op's kernel (chosen by the op's kind).
	InstrOp InstrKind = iota
	// InstrConvert changes a value's layout over a mesh axis by its
	// forward collective (nil: the identity) and its gradient's by its
	// backward one (nil: the identity).
	InstrConvert
)

// Instr is one instruction of a stage's runtime program.
type Instr struct {
	Kind InstrKind
	// Op is the graph op an InstrOp runs; Fused lists the graph ops its
	// kernel computes as well (attention's softmax, dropout and p·v, whose
	// registry rows say they run fused into attn_scores' kernel).
	Op    *Op
	Fused []*Op
	// In and Out name the values read and written (activations of one
	// micro-batch; the runtime keeps them by name).
	In, Out []string
	// Params names the parameter-table entries the kernel reads, in the
	// order its kind expects them.
	Params []string
	// Fwd and Bwd are an InstrConvert's collectives; Cols says the axis
	// splits the value's last dimension (features, a phantom layer's
	// parts), not its rows (tokens).
	Fwd, Bwd *Collective
	Cols     bool
	// Width is the whole last dimension of a Cols conversion's value.
	Width int
	// Regather is an InstrConvert's backward all-gather of its input
	// again, issued before the reader's backward (nil: the reader keeps
	// the gathered value; see Collective.Regather).
	Regather *Collective
	// Inner lists the collectives the op's kernel issues itself, in the
	// graph's order.
	Inner []*Collective
}

// Name returns the instruction's name: its op's, or its conversion's.
func (in *Instr) Name() string {
	if in.Kind == InstrOp {
		return in.Op.Name
	}
	if in.Fwd != nil {
		return in.Fwd.Name
	}
	return in.Bwd.Name
}

// InnerOf returns the inner collective whose Tensor is what (nil if none).
func (in *Instr) InnerOf(what string) *Collective {
	for _, c := range in.Inner {
		if c.Tensor == what {
			return c
		}
	}
	return nil
}

// StageProgram is one stage's runtime program.
type StageProgram struct {
	Stage  int
	Instrs []*Instr
	// Input is the value the stage receives from the previous stage ("" on
	// the first stage) and Output the value it sends on ("" on the last).
	Input, Output string
	// Data is the value the first stage reads from the data: the token
	// ids (the embedding's), or an mlp's inputs.
	Data string
	// InputGather and OutputGradGather are the all-gathers over tp of the
	// stage's received input and output gradient when the neighbouring
	// stage sends them in 1/tp chunks (Collective.Boundary); nil when the
	// whole tensor arrives (no tp, sequence parallelism's own split, or
	// the neighbour on the same rank).
	InputGather, OutputGradGather *Collective
}

// String renders the program, one instruction per line.
func (p *StageProgram) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "program stage %d in=%q out=%q", p.Stage, p.Input, p.Output)
	if p.Data != "" {
		fmt.Fprintf(&b, " data=%q", p.Data)
	}
	for _, g := range []struct {
		what string
		c    *Collective
	}{{"in", p.InputGather}, {"d out", p.OutputGradGather}} {
		if g.c != nil {
			fmt.Fprintf(&b, " gather(%s) %s %s(%d)", g.what, g.c.Kind, g.c.Axis, g.c.GroupSize)
		}
	}
	b.WriteString("\n")
	for _, in := range p.Instrs {
		b.WriteString("  " + in.String() + "\n")
	}
	return b.String()
}

func (in *Instr) String() string {
	lhs := strings.Join(in.Out, ", ")
	args := strings.Join(in.In, ", ")
	if in.Kind == InstrConvert {
		half := func(c *Collective) string {
			if c == nil {
				return "identity"
			}
			return fmt.Sprintf("%s %s(%d) %s", c.Kind, c.Axis, c.GroupSize, c.Name)
		}
		split := "rows"
		if in.Cols {
			split = "cols"
		}
		s := fmt.Sprintf("%s = convert(%s) %s fwd %s; bwd %s", lhs, args, split, half(in.Fwd), half(in.Bwd))
		if in.Regather != nil {
			s += "; re-gather " + half(in.Regather)
		}
		return s
	}
	s := fmt.Sprintf("%s = %s(%s)", lhs, in.Op.Kind, args)
	if len(in.Params) > 0 {
		s += " params " + strings.Join(in.Params, " ")
	}
	for _, f := range in.Fused {
		s += " +" + string(f.Kind)
	}
	for _, c := range in.Inner {
		s += fmt.Sprintf(" [%s %s %s(%d) %s]", c.Phase, c.Kind, c.Axis, c.GroupSize, c.Tensor)
	}
	return s
}

// Verify checks the program's dataflow: every value an instruction reads
// is the stage's input or data or written by an earlier instruction, no value is
// written twice, a conversion has at least one collective, an op names
// its graph op, and the stage's output is written.
func (p *StageProgram) Verify() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("program of stage %d: "+format, append([]any{p.Stage}, args...)...))
	}
	defined := map[string]bool{p.Input: p.Input != "", p.Data: p.Data != ""}
	for i, in := range p.Instrs {
		switch {
		case in.Kind == InstrOp && in.Op == nil:
			bad("instruction %d runs no op", i)
			continue
		case in.Kind == InstrConvert && in.Fwd == nil && in.Bwd == nil:
			bad("conversion %v has no collective", in.Out)
		}
		for _, v := range in.In {
			if !defined[v] {
				bad("%s reads %s, which no earlier instruction writes", in.Name(), v)
			}
		}
		for _, v := range in.Out {
			if defined[v] {
				bad("%s writes %s again", in.Name(), v)
			}
			defined[v] = true
		}
	}
	if p.Output != "" && !defined[p.Output] {
		bad("its output %s is never written", p.Output)
	}
	if p.InputGather != nil && p.Input == "" {
		bad("gathers an input it does not receive")
	}
	if p.OutputGradGather != nil && p.Output == "" {
		bad("gathers the gradient of an output it does not send")
	}
	for _, c := range []*Collective{p.InputGather, p.OutputGradGather} {
		if c != nil && (c.Kind != AllGather || !c.Boundary) {
			bad("boundary gather %s is a %s, not a pipeline tensor's all-gather", c.Name, c.Kind)
		}
	}
	return errs
}
