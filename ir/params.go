package ir

// This file holds the parameter table of a compiled unit: every parameter
// of the model, whole, with its initialization, how it is split over the
// tensor-parallel ranks and which virtual stages and expert-parallel
// members hold it. Package passes builds it (its "params" pass); the
// runtime allocates, initializes, shards, checkpoints and buckets
// parameters from it and from nothing else. Names are the checkpoint names
// (package runtime/ckpt).

import "fmt"

// ParamShard says how a parameter is split over the tensor-parallel ranks.
type ParamShard uint8

const (
	// ShardNone: every tp rank holds the parameter whole.
	ShardNone ParamShard = iota
	// ShardCols splits the last dimension into tp contiguous parts.
	ShardCols
	// ShardRows splits the first dimension into tp contiguous parts.
	ShardRows
	// ShardQKV: the last dimension is [q | k | v]; each third is split into
	// tp contiguous parts (by heads) and rank i holds its part of each.
	ShardQKV
	// ShardParts: the last dimension is the concatenation of Param.Parts;
	// rank i holds its heads of each part, in part order (see ParamPart):
	// grouped-query attention's [q | k | v] with kv_heads ≠ heads, and a
	// gated FFN's fc1 [gate | up], whose rank i must hold the same columns
	// of the gate and of the up projection.
	ShardParts
)

var paramShardNames = [...]string{ShardNone: "replicated", ShardCols: "cols", ShardRows: "rows", ShardQKV: "qkv", ShardParts: "parts"}

// ParamPart is one part of a ShardParts parameter's last dimension: Heads
// heads of Width columns. Over tp ranks, a part with at least tp heads is
// split by heads (rank i holds heads [i·Heads/tp, (i+1)·Heads/tp)); a part
// with fewer heads than tp ranks (tp a multiple of Heads: kv heads
// replicated over tp, Megatron's layout) gives rank i head i/(tp/Heads),
// so that tp/Heads ranks hold each head and their gradients of it must be
// summed.
type ParamPart struct{ Heads, Width int }

// local returns the first head and the head count rank i of tp holds.
func (pt ParamPart) local(i, tp int) (first, n int) {
	if pt.Heads >= tp {
		per := pt.Heads / tp
		return i * per, per
	}
	return i / (tp / pt.Heads), 1
}

func (s ParamShard) String() string {
	if int(s) < len(paramShardNames) {
		return paramShardNames[s]
	}
	return "shard?"
}

// ParamInit is how a parameter starts.
type ParamInit uint8

const (
	// InitNormal draws the whole tensor from tensor.InitNormal(seed, name,
	// Std, shape), so that every plan starts from the same weights.
	InitNormal ParamInit = iota
	InitZeros
	InitOnes
)

var paramInitNames = [...]string{InitNormal: "normal", InitZeros: "zeros", InitOnes: "ones"}

func (i ParamInit) String() string {
	if int(i) < len(paramInitNames) {
		return paramInitNames[i]
	}
	return "init?"
}

// Layers of the parameters outside the transformer (or mlp) layers.
const (
	EmbeddingLayer = -1 // wte, wpe
	HeadLayer      = -2 // final norm and head
)

// Param is one whole parameter of the model.
type Param struct {
	Name  string
	Shape []int // whole shape
	Init  ParamInit
	Std   float64 // of InitNormal
	Decay bool    // weight decay applies (matrices)
	Shard ParamShard
	// Layer is the transformer or mlp layer, or EmbeddingLayer, HeadLayer.
	Layer int
	// Tied marks wte when the head reuses it: the first and the last
	// virtual stage hold a copy each.
	Tied bool
	// Expert marks a routed expert's parameter, expert ExpertIndex of
	// Experts: under ep member j of the group holds experts [j·E/ep,
	// (j+1)·E/ep), and its gradient reduces over the expert-data-parallel
	// group.
	Expert               bool
	ExpertIndex, Experts int
	// Parts are the column parts of a ShardParts parameter.
	Parts []ParamPart
}

// Numel returns the whole parameter's element count.
func (p *Param) Numel() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// LocalShape returns the shape of one shard over tp ranks.
func (p *Param) LocalShape(tp int) []int {
	s := append([]int(nil), p.Shape...)
	switch {
	case p.Shard == ShardNone || tp <= 1:
	case p.Shard == ShardRows:
		s[0] /= tp
	case p.Shard == ShardParts:
		w := 0
		for _, pt := range p.Parts {
			_, n := pt.local(0, tp)
			w += n * pt.Width
		}
		s[len(s)-1] = w
	default:
		s[len(s)-1] /= tp
	}
	return s
}

// LocalNumel returns the element count of one shard over tp ranks.
func (p *Param) LocalNumel(tp int) int {
	n := 1
	for _, d := range p.LocalShape(tp) {
		n *= d
	}
	return n
}

// LocalIndex returns, for tp rank i of tp, the whole-tensor index of each
// element of the local shard in local row-major order.
func (p *Param) LocalIndex(i, tp int) []int32 {
	n := p.Numel()
	if p.Shard == ShardNone || tp <= 1 {
		idx := make([]int32, n)
		for j := range idx {
			idx[j] = int32(j)
		}
		return idx
	}
	cols := p.Shape[len(p.Shape)-1]
	rows := n / cols
	idx := make([]int32, 0, n/tp)
	switch p.Shard {
	case ShardRows:
		per := rows / tp
		for r := i * per; r < (i+1)*per; r++ {
			for c := 0; c < cols; c++ {
				idx = append(idx, int32(r*cols+c))
			}
		}
	case ShardCols:
		per := cols / tp
		for r := 0; r < rows; r++ {
			for c := i * per; c < (i+1)*per; c++ {
				idx = append(idx, int32(r*cols+c))
			}
		}
	case ShardParts:
		for r := 0; r < rows; r++ {
			off := 0
			for _, pt := range p.Parts {
				first, n := pt.local(i, tp)
				for c := off + first*pt.Width; c < off+(first+n)*pt.Width; c++ {
					idx = append(idx, int32(r*cols+c))
				}
				off += pt.Heads * pt.Width
			}
		}
	case ShardQKV:
		third := cols / 3
		per := third / tp
		for r := 0; r < rows; r++ {
			for part := 0; part < 3; part++ {
				for c := part*third + i*per; c < part*third+(i+1)*per; c++ {
					idx = append(idx, int32(r*cols+c))
				}
			}
		}
	}
	return idx
}

// Replicated returns the positions, within a tp rank's local shard (in
// LocalIndex's row-major order, the same on every rank), of the elements
// that several tp ranks hold: the parts with fewer heads than tp ranks
// (replicated key/value heads). share is how many ranks hold each of them
// (tp/Heads, an AxisKV group); nil and 1 when every element has one
// holder. The holders' gradients of these elements are partial sums (each
// from its own query heads) to be summed over the group.
func (p *Param) Replicated(tp int) (local []int32, share int) {
	share = 1
	if p.Shard != ShardParts || tp <= 1 {
		return nil, 1
	}
	width := p.LocalShape(tp)[len(p.Shape)-1]
	rows := p.Numel() / p.Shape[len(p.Shape)-1]
	for r := 0; r < rows; r++ {
		off := r * width
		for _, pt := range p.Parts {
			_, n := pt.local(0, tp)
			if pt.Heads < tp {
				if share != 1 && share != tp/pt.Heads {
					panic(fmt.Sprintf("ir: parameter %s replicates its parts over groups of %d and %d tp ranks", p.Name, share, tp/pt.Heads))
				}
				share = tp / pt.Heads
				for c := off; c < off+n*pt.Width; c++ {
					local = append(local, int32(c))
				}
			}
			off += n * pt.Width
		}
	}
	return local, share
}

// Unit names the bucket unit (see ParamUnit) the parameter belongs to when
// routed experts are spread over ep ranks.
func (p *Param) Unit(ep int) string {
	switch {
	case p.Layer >= 0:
		return LayerUnit(p.Layer, p.Expert && ep > 1)
	case p.Layer == EmbeddingLayer && p.Name == "wte":
		return UnitWTE
	case p.Layer == EmbeddingLayer:
		return UnitWPE
	}
	return UnitHead
}

// ParamTable is every parameter of a model in a fixed order (the order of
// the runtime's flat buffers): embedding, layers in order, head.
type ParamTable []*Param

// Lookup returns the parameter called name, or nil.
func (t ParamTable) Lookup(name string) *Param {
	for _, p := range t {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Held returns the parameters a virtual stage holds, whichever expert
// they are of: its layers', the embedding on the first stage, the final
// norm and head on the last, and a copy of the tied embedding on the last.
func (t ParamTable) Held(info StageInfo) []*Param {
	var out []*Param
	for _, p := range t {
		switch {
		case p.Layer == EmbeddingLayer && p.Tied && (info.Embedding || info.Head):
			out = append(out, p)
		case p.Layer == EmbeddingLayer && info.Embedding:
			out = append(out, p)
		case p.Layer == HeadLayer && info.Head:
			out = append(out, p)
		case p.Layer >= info.FirstLayer && p.Layer < info.EndLayer:
			out = append(out, p)
		}
	}
	return out
}

// Stage returns the parameters member me of an ep group of size ep holds
// of a virtual stage: the dense parameters, then the routed experts it
// owns ([me·E/ep, (me+1)·E/ep) of each MoE layer), which form the expert
// buckets at the end of the stage's flat buffer.
func (t ParamTable) Stage(info StageInfo, me, ep int) []*Param {
	ep = max(ep, 1)
	var dense, experts []*Param
	for _, p := range t.Held(info) {
		if !p.Expert || ep == 1 {
			dense = append(dense, p)
			continue
		}
		if p.ExpertIndex/(p.Experts/ep) == me {
			experts = append(experts, p)
		}
	}
	return append(dense, experts...)
}

// StageUnits returns the bucket units of params (a stage's, in its buffer
// order) with their element counts on one of tp ranks.
func StageUnits(params []*Param, tp, ep int) []ParamUnit {
	var out []ParamUnit
	for _, p := range params {
		name := p.Unit(ep)
		n := int64(p.LocalNumel(tp))
		if k := len(out) - 1; k >= 0 && out[k].Name == name {
			out[k].Params += n
			continue
		}
		out = append(out, ParamUnit{Name: name, Params: n, Expert: p.Expert && ep > 1})
	}
	return out
}

// Partition returns the layers each virtual stage of the unit's graph
// holds, in pipeline order: the pipeline pass's cost-balanced partition,
// the one every consumer (schedule, runtime) uses.
func (u *Unit) Partition() []int {
	out := make([]int, len(u.Graph.Stages))
	for i, s := range u.Graph.Stages {
		out[i] = s.LastLayer - s.FirstLayer
	}
	return out
}

// StageInfos returns the layer bounds of the virtual stages of a partition
// (layers[s] layers in stage s), without placement or sizes.
func StageInfos(layers []int) []StageInfo {
	out := make([]StageInfo, len(layers))
	first := 0
	for s := range out {
		out[s] = StageInfo{Index: s, FirstLayer: first, EndLayer: first + layers[s], Embedding: s == 0, Head: s == len(layers)-1}
		first += layers[s]
	}
	return out
}
