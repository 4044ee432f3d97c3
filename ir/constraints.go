package ir

// This file is the one table of the rules a plan must satisfy: the fields
// each reads, its predicate, its message and what to do about it. The
// checker (package lang), the compiler's validation (passes), the planner's
// pruning and the runtime's refusal (runtime/exec) all evaluate this table,
// so a plan one layer accepts another does not refuse for a reason it did
// not state; the runtime's refusals carry the plan's source spans.
//
// Each rule names the layers that apply it (Scope). Most apply everywhere.
// The exceptions are deliberate: the language asks a written plan to fill
// its cluster exactly and to split its layers evenly (world-matches-cluster,
// layers-split-evenly), where a compiled plan only has to fit its cluster
// and give every stage a layer (the cost-balanced partition is uneven);
// advice (warnings and notes) is the checker's alone; a few rules concern
// only what the CPU runtime executes.

import (
	"fmt"
	"sort"
	"strings"
)

// Scope is a set of layers that apply a [Constraint].
type Scope uint8

const (
	// ScopeCheck is the checker of written plans (package lang).
	ScopeCheck Scope = 1 << iota
	// ScopeCompile is the compiler's validation of resolved plans and the
	// planner's pruning of candidates (package passes).
	ScopeCompile
	// ScopeRuntime is the runtime's refusal before training (runtime/exec).
	ScopeRuntime

	ScopeAll = ScopeCheck | ScopeCompile | ScopeRuntime
)

// Constraint is one rule of a plan.
type Constraint struct {
	Name string // stable identifier, e.g. "tp-divides-heads"
	// Fields are the plan fields the rule reads, by their FieldSpans names.
	// The checker skips a rule any of whose fields is still auto (the
	// planner will choose a value that satisfies it) or was rejected; the
	// planner evaluates a rule as soon as all its fields are chosen.
	Fields []string
	// At lists the fields whose source span the diagnostic points at: the
	// first one written (nil: Fields).
	At       []string
	Severity Severity
	Scope    Scope
	// Broken reports whether the plan breaks the rule. It assumes the
	// plan's model is set and the fields it reads (Fields) positive where
	// they are degrees or sizes; the cluster may be nil.
	Broken func(p *Plan) bool
	// Message, Suggest and Notes describe a broken rule; Suggest and Notes
	// may be nil.
	Message func(p *Plan) string
	Suggest func(p *Plan) string
	Notes   func(p *Plan) []string
}

// Diagnostic returns the report of c broken by p, at the span of the first
// of c's At fields that p wrote.
func (c *Constraint) Diagnostic(p *Plan) Diagnostic {
	at := c.At
	if at == nil {
		at = c.Fields
	}
	span := p.Span
	for _, f := range at {
		if s, ok := p.FieldSpans[f]; ok {
			span = s
			break
		}
	}
	d := Diagnostic{Severity: c.Severity, Span: span, Message: c.Message(p)}
	if c.Suggest != nil {
		d.Suggestion = c.Suggest(p)
	}
	if c.Notes != nil {
		d.Notes = c.Notes(p)
	}
	return d
}

// CheckPlan evaluates the rules of scope on p and returns a diagnostic for
// every broken one, in table order. skip, if not nil, names fields whose
// value is not known yet (auto, or rejected): rules reading them are not
// evaluated.
func CheckPlan(p *Plan, scope Scope, skip func(field string) bool) Diagnostics {
	var ds Diagnostics
	for i := range PlanConstraints {
		c := &PlanConstraints[i]
		if c.Scope&scope == 0 || !c.applicable(skip) {
			continue
		}
		if c.Broken(p) {
			ds = append(ds, c.Diagnostic(p))
		}
	}
	return ds
}

func (c *Constraint) applicable(skip func(string) bool) bool {
	if skip == nil {
		return true
	}
	for _, f := range c.Fields {
		if skip(f) {
			return false
		}
	}
	return true
}

// FirstBroken returns the first error rule of scope that p breaks among
// those whose fields are all known (skip as for [CheckPlan]), or nil. It
// builds no message: the planner calls it on every candidate.
func FirstBroken(p *Plan, scope Scope, skip func(field string) bool) *Constraint {
	for i := range PlanConstraints {
		c := &PlanConstraints[i]
		if c.Severity == Error && c.Scope&scope != 0 && c.applicable(skip) && c.Broken(p) {
			return c
		}
	}
	return nil
}

// ConstraintNamed returns the rule called name, or nil.
func ConstraintNamed(name string) *Constraint {
	for i := range PlanConstraints {
		if PlanConstraints[i].Name == name {
			return &PlanConstraints[i]
		}
	}
	return nil
}

// DivisorsNear returns up to three divisors of n closest to near, in
// increasing order, as text ("2, 4, 8"): the values a suggestion offers.
func DivisorsNear(n, near int) string {
	var ds []int
	for i := 1; i <= n && i <= 1<<20; i++ {
		if n%i == 0 {
			ds = append(ds, i)
		}
	}
	dist := func(x int) int {
		if x < near {
			return near - x
		}
		return x - near
	}
	sort.Slice(ds, func(a, b int) bool {
		if da, db := dist(ds[a]), dist(ds[b]); da != db {
			return da < db
		}
		return ds[a] < ds[b]
	})
	if len(ds) > 3 {
		ds = ds[:3]
	}
	sort.Ints(ds)
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, ", ")
}

// FFNWidth returns the width of a transformer's dense FFN (ffn = 0 means
// 4·hidden).
func (m *Model) FFNWidth() int {
	if m.FFN > 0 {
		return m.FFN
	}
	return 4 * m.Hidden
}

func (p *Plan) transformer() bool { return p.Model.Kind != MLPModel }

// headsSplit reports whether tp divides the heads: the later tp rules report
// only when the earlier hold, one tp problem at a time.
func (p *Plan) headsSplit() bool { return p.Model.Heads <= 0 || p.Model.Heads%p.TP == 0 }

// expertPool is the data ranks expert parallelism is carved from and its
// name: dp·cp, or dp·cp·tp with ssmb.
func (p *Plan) expertPool() (int, string) {
	if p.MoE.SSMB {
		return p.DP * p.CP * p.TP, "dp·cp·tp"
	}
	return p.DP * p.CP, "dp·cp"
}

// PlanConstraints is the table, in the order diagnostics are reported.
var PlanConstraints = []Constraint{
	{
		Name: "world-matches-cluster", Fields: []string{"dp", "tp", "pp", "cp"}, Severity: Error, Scope: ScopeCheck,
		Broken: func(p *Plan) bool {
			return p.Cluster != nil && p.Cluster.Devices() > 0 && p.WorldSize() != p.Cluster.Devices()
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("dp·tp·pp·cp = %d·%d·%d·%d = %d, but cluster %s has %d devices (%d nodes × %d)",
				p.DP, p.TP, p.PP, p.CP, p.WorldSize(), p.Cluster.Name, p.Cluster.Devices(), p.Cluster.Nodes, p.Cluster.PerNode)
		},
		Suggest: func(p *Plan) string {
			if others, devices := p.TP*p.PP*p.CP, p.Cluster.Devices(); others > 0 && devices%others == 0 {
				return fmt.Sprintf("set dp = %d (or dp = auto)", devices/others)
			}
			return fmt.Sprintf("choose degrees whose product is %d", p.Cluster.Devices())
		},
	},
	{
		Name: "world-fits-cluster", Fields: []string{"dp", "tp", "pp", "cp"}, Severity: Error, Scope: ScopeCompile | ScopeRuntime,
		Broken: func(p *Plan) bool {
			return p.Cluster != nil && p.Cluster.Devices() > 0 && p.WorldSize() > p.Cluster.Devices()
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("dp·tp·pp·cp = %d·%d·%d·%d = %d ranks, but cluster %s has %d devices",
				p.DP, p.TP, p.PP, p.CP, p.WorldSize(), p.Cluster.Name, p.Cluster.Devices())
		},
		Suggest: func(p *Plan) string {
			return fmt.Sprintf("choose degrees whose product is at most %d", p.Cluster.Devices())
		},
	},
	{
		Name: "zero-stage", Fields: []string{"zero"}, Severity: Error, Scope: ScopeAll,
		Broken:  func(p *Plan) bool { return p.Zero < 0 || p.Zero > 3 },
		Message: func(p *Plan) string { return fmt.Sprintf("zero = %d: the ZeRO stages are 0, 1, 2 and 3", p.Zero) },
	},
	{
		Name: "tp-divides-heads", Fields: []string{"tp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.transformer() && p.Model.Heads > 0 && p.Model.Heads%p.TP != 0 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("tp = %d does not divide the %d attention heads of model %s", p.TP, p.Model.Heads, p.Model.Name)
		},
		Suggest: func(p *Plan) string { return "tp must divide heads: try tp = " + DivisorsNear(p.Model.Heads, p.TP) },
	},
	{
		// Megatron's grouped-query layout: tp ranks split the key/value
		// heads when tp divides them, and hold one each, replicated,
		// when they divide tp; anything else would split a head.
		Name: "tp-and-kv-heads", Fields: []string{"tp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			m := p.Model
			if !p.transformer() || m.MLA != nil || m.KVHeads == 0 {
				return false
			}
			return m.KVHeads%p.TP != 0 && p.TP%m.KVHeads != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("tp = %d neither divides nor is a multiple of the %d key/value heads of model %s", p.TP, p.Model.KVHeads, p.Model.Name)
		},
		Suggest: func(p *Plan) string {
			return fmt.Sprintf("with tp dividing kv_heads each rank holds kv_heads/tp of them; with kv_heads dividing tp each holds one, replicated: try tp = %s", DivisorsNear(p.Model.Heads, p.TP))
		},
	},
	{
		Name: "runtime-ulysses-kv-heads", Fields: []string{"cp", "cp_mode"}, Severity: Error, Scope: ScopeRuntime,
		Broken: func(p *Plan) bool {
			m := p.Model
			return p.transformer() && m.MLA == nil && p.CP > 1 && p.CPMode == CPUlysses && max(m.KV()/p.TP, 1)%p.CP != 0
		},
		Message: func(p *Plan) string {
			if p.TP > p.Model.KV() {
				return fmt.Sprintf("cp_mode = ulysses would split over cp = %d the one key/value head each tp rank holds (tp = %d exceeds the %d key/value heads, which tp ranks share)", p.CP, p.TP, p.Model.KV())
			}
			return fmt.Sprintf("cp_mode = ulysses splits each tp rank's %d key/value heads over cp = %d", p.Model.KV()/p.TP, p.CP)
		},
		Suggest: func(p *Plan) string {
			return "use cp_mode = ring, allgather or lss, or a cp dividing kv_heads/tp"
		},
	},
	{
		Name: "ulysses-cp-divides-heads", Fields: []string{"cp", "cp_mode"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			return p.transformer() && p.CP > 1 && p.CPMode == CPUlysses && p.Model.Heads > 0 && p.Model.Heads%p.CP != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("cp = %d does not divide the %d attention heads, as cp_mode = ulysses needs", p.CP, p.Model.Heads)
		},
		Notes: func(*Plan) []string {
			return []string{"ulysses swaps sequence shards for head shards with an all-to-all"}
		},
		Suggest: func(p *Plan) string { return "try cp = " + DivisorsNear(p.Model.Heads, p.CP) + ", or cp_mode = ring" },
	},
	{
		Name: "ulysses-tp-cp-divides-heads", Fields: []string{"cp", "cp_mode", "tp"}, At: []string{"cp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			m := p.Model
			return p.transformer() && p.CP > 1 && p.CPMode == CPUlysses && m.Heads > 0 && m.Heads%p.CP == 0 && p.TP > 1 && m.Heads%(p.TP*p.CP) != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("tp·cp = %d does not divide the %d attention heads, as cp_mode = ulysses needs", p.TP*p.CP, p.Model.Heads)
		},
		Notes: func(p *Plan) []string {
			return []string{fmt.Sprintf("each tp rank holds %d heads, which the all-to-all splits again by cp", p.Model.Heads/p.TP)}
		},
		Suggest: func(p *Plan) string {
			return "try cp = " + DivisorsNear(p.Model.Heads/p.TP, p.CP) + ", or cp_mode = ring"
		},
	},
	{
		Name: "cp-divides-seq", Fields: []string{"cp", "cp_mode"}, At: []string{"cp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.transformer() && p.CP > 1 && p.Model.Seq > 0 && p.Model.Seq%p.CP != 0 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("cp = %d does not divide the sequence length %d", p.CP, p.Model.Seq)
		},
		Suggest: func(p *Plan) string { return "try cp = " + DivisorsNear(p.Model.Seq, p.CP) },
	},
	{
		Name: "ring-2cp-divides-seq", Fields: []string{"cp", "cp_mode"}, At: []string{"cp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			s := p.Model.Seq
			return p.transformer() && p.CP > 1 && p.CPMode == CPRing && s > 0 && s%p.CP == 0 && s%(2*p.CP) != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("cp_mode = ring needs the sequence length %d divisible by 2·cp = %d", p.Model.Seq, 2*p.CP)
		},
		Notes: func(*Plan) []string {
			return []string{"ring attention folds the sequence into 2·cp chunks to balance the causal load"}
		},
		Suggest: func(p *Plan) string { return "try cp = " + DivisorsNear(p.Model.Seq/2, p.CP) },
	},
	{
		Name: "mlp-has-no-sequence", Fields: []string{"cp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return !p.transformer() && p.CP > 1 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("cp = %d splits the sequence, but model %s is an mlp with no sequence", p.CP, p.Model.Name)
		},
		Suggest: func(*Plan) string { return "use cp = 1" },
	},
	{
		Name: "layers-split-evenly", Fields: []string{"pp", "vpp"}, Severity: Error, Scope: ScopeCheck,
		Broken: func(p *Plan) bool {
			l := p.Model.NumLayers()
			return l > 0 && l%(p.PP*p.VPP) != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("%s = %d is not divisible by pp·vpp = %d·%d = %d", layersWord(p.Model), p.Model.NumLayers(), p.PP, p.VPP, p.PP*p.VPP)
		},
		Notes: func(p *Plan) []string {
			return []string{fmt.Sprintf("a written plan splits its %s evenly over the pp·vpp stages, as the engines' launchers do; the compiler then balances the stages by cost, so a compiled partition may be uneven (the embedding and head weigh on the first and last stage)", layersWord(p.Model))}
		},
		Suggest: func(p *Plan) string {
			l := p.Model.NumLayers()
			return fmt.Sprintf("use pp·vpp dividing %d: try pp = %s", l, DivisorsNear(l/gcd(l, p.VPP), p.PP))
		},
	},
	{
		Name: "pp-at-most-layers", Fields: []string{"pp"}, Severity: Error, Scope: ScopeCompile | ScopeRuntime,
		Broken: func(p *Plan) bool { return p.PP > p.Model.NumLayers() },
		Message: func(p *Plan) string {
			return fmt.Sprintf("%d %s cannot fill pp = %d pipeline stages", p.Model.NumLayers(), layersWord(p.Model), p.PP)
		},
		Suggest: func(p *Plan) string { return fmt.Sprintf("use pp <= %d", p.Model.NumLayers()) },
	},
	{
		Name: "layers-fill-stages", Fields: []string{"pp", "vpp"}, Severity: Error, Scope: ScopeCompile | ScopeRuntime,
		Broken: func(p *Plan) bool { return p.PP <= p.Model.NumLayers() && p.Model.NumLayers() < p.PP*p.VPP },
		Message: func(p *Plan) string {
			return fmt.Sprintf("%d %s cannot fill pp·vpp = %d pipeline stages", p.Model.NumLayers(), layersWord(p.Model), p.PP*p.VPP)
		},
		Suggest: func(p *Plan) string { return fmt.Sprintf("use vpp <= %d", max(p.Model.NumLayers()/p.PP, 1)) },
	},
	{
		Name: "vpp-needs-pipeline", Fields: []string{"pp", "vpp"}, At: []string{"vpp"}, Severity: Error, Scope: ScopeCompile | ScopeRuntime,
		Broken:  func(p *Plan) bool { return p.PP == 1 && p.VPP > 1 },
		Message: func(p *Plan) string { return fmt.Sprintf("vpp = %d needs pp > 1", p.VPP) },
		Suggest: func(*Plan) string { return "set vpp = 1, or pp > 1" },
	},
	{
		Name: "interleaved-needs-vpp", Fields: []string{"schedule", "vpp"}, At: []string{"vpp", "schedule"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.Schedule == ScheduleInterleaved && p.VPP < 2 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("schedule = interleaved needs vpp >= 2, not %d", p.VPP)
		},
		Suggest: func(*Plan) string { return "set vpp = 2 (virtual stages per rank), or schedule = 1f1b" },
	},
	{
		Name: "interleaved-micro-batches", Fields: []string{"schedule", "vpp", "pp", "dp", "global_batch", "micro_batch"},
		At: []string{"global_batch", "micro_batch", "schedule"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			mb, per := p.MicroBatches(), p.DP*p.MicroBatch
			return p.Schedule == ScheduleInterleaved && p.PP > 1 && per > 0 && p.GlobalBatch%per == 0 && mb > 0 && mb%p.PP != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("schedule = interleaved needs the micro-batch count to be a multiple of pp = %d, but it is %d", p.PP, p.MicroBatches())
		},
		Notes: func(p *Plan) []string {
			return []string{fmt.Sprintf("micro-batches = global_batch / (dp·micro_batch) = %d / (%d·%d) = %d", p.GlobalBatch, p.DP, p.MicroBatch, p.MicroBatches())}
		},
		Suggest: func(p *Plan) string {
			mb := p.MicroBatches()
			return fmt.Sprintf("set global_batch = %d", (mb+p.PP-1)/p.PP*p.PP*p.DP*p.MicroBatch)
		},
	},
	{
		Name: "zb-v-needs-vpp-2", Fields: []string{"schedule", "vpp"}, At: []string{"vpp", "schedule"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.Schedule == ScheduleZBV && p.VPP != 2 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("schedule = zb-v needs vpp = 2, not %d", p.VPP)
		},
		Suggest: func(*Plan) string { return "set vpp = 2: zb-v places two virtual stages on each rank in a V" },
	},
	{
		Name: "vpp-needs-virtual-schedule", Fields: []string{"schedule", "vpp"}, At: []string{"vpp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.VPP > 1 && !p.Schedule.Virtual() },
		Message: func(p *Plan) string {
			return fmt.Sprintf("vpp = %d needs schedule = interleaved or zb-v, not %s", p.VPP, p.Schedule)
		},
		Suggest: func(*Plan) string { return "set schedule = interleaved, or vpp = 1" },
	},
	{
		Name: "global-batch-divides", Fields: []string{"dp", "micro_batch", "global_batch"}, At: []string{"global_batch", "micro_batch", "dp"},
		Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { per := p.DP * p.MicroBatch; return per > 0 && p.GlobalBatch%per != 0 },
		Message: func(p *Plan) string {
			per := p.DP * p.MicroBatch
			return fmt.Sprintf("global_batch = %d is not divisible by dp·micro_batch = %d·%d = %d", p.GlobalBatch, p.DP, p.MicroBatch, per)
		},
		Suggest: func(p *Plan) string {
			per := p.DP * p.MicroBatch
			lo := p.GlobalBatch / per * per
			if lo == 0 {
				lo = per
			}
			return fmt.Sprintf("use global_batch = %d or %d", lo, lo+per)
		},
	},
	{
		Name: "enough-micro-batches", Fields: []string{"dp", "micro_batch", "global_batch", "pp"}, At: []string{"global_batch", "micro_batch", "pp"},
		Severity: Warning, Scope: ScopeCheck,
		Broken: func(p *Plan) bool {
			per := p.DP * p.MicroBatch
			return per > 0 && p.GlobalBatch%per == 0 && p.PP > 1 && p.MicroBatches() < p.PP
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("%d micro-batches for pp = %d stages: the pipeline bubble dominates the step", p.MicroBatches(), p.PP)
		},
		Suggest: func(p *Plan) string {
			return fmt.Sprintf("use at least %d micro-batches (global_batch >= %d)", p.PP, p.PP*p.DP*p.MicroBatch)
		},
	},
	{
		Name: "sp-needs-tp", Fields: []string{"sp", "tp"}, At: []string{"sp"}, Severity: Warning, Scope: ScopeCheck,
		Broken:  func(p *Plan) bool { return p.SP && p.TP == 1 },
		Message: func(*Plan) string { return "sp = true has no effect with tp = 1" },
		Suggest: func(*Plan) string {
			return "sequence parallelism splits activations inside the tp group; set tp > 1 or sp = false"
		},
	},
	{
		Name: "phantom-parts-tp", Fields: []string{"tp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			f := p.Model.FFNKind
			return f.IsPhantom() && f.Parts != p.TP && p.TP != 1
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("model %s has phantom parts = %d, but tp = %d", p.Model.Name, p.Model.FFNKind.Parts, p.TP)
		},
		Notes: func(*Plan) []string {
			return []string{"a phantom layer puts one part on each tensor-parallel rank, or all parts on one rank when tp = 1 (the serial reference)"}
		},
		Suggest: func(p *Plan) string { return fmt.Sprintf("set tp = %d, or tp = 1", p.Model.FFNKind.Parts) },
	},
	{
		Name: "tp-inside-node", Fields: []string{"tp"}, Severity: Warning, Scope: ScopeCheck,
		Broken: func(p *Plan) bool { return p.Cluster != nil && p.Cluster.PerNode > 0 && p.TP > p.Cluster.PerNode },
		Message: func(p *Plan) string {
			return fmt.Sprintf("tp = %d spans nodes: cluster %s has %d devices per node", p.TP, p.Cluster.Name, p.Cluster.PerNode)
		},
		Notes: func(*Plan) []string {
			return []string{"tensor-parallel collectives are on the critical path and the inter-node link is slow"}
		},
		Suggest: func(p *Plan) string { return fmt.Sprintf("keep tp <= %d and use pp across nodes", p.Cluster.PerNode) },
	},
	{
		Name: "tp-divides-width", Fields: []string{"tp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return !p.transformer() && p.Model.Width%p.TP != 0 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("tp = %d does not divide the width %d of model %s", p.TP, p.Model.Width, p.Model.Name)
		},
		Suggest: func(p *Plan) string { return "try tp = " + DivisorsNear(p.Model.Width, p.TP) },
	},
	{
		Name: "tp-divides-ffn", Fields: []string{"tp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.transformer() && p.headsSplit() && p.Model.FFNWidth()%p.TP != 0 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("tp = %d does not divide the FFN width %d of model %s", p.TP, p.Model.FFNWidth(), p.Model.Name)
		},
		Suggest: func(p *Plan) string { return "try tp = " + DivisorsNear(p.Model.FFNWidth(), p.TP) },
	},
	{
		Name: "tp-divides-vocab", Fields: []string{"tp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			return p.transformer() && p.headsSplit() && p.Model.FFNWidth()%p.TP == 0 && p.Model.Vocab%p.TP != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("tp = %d does not divide the vocabulary %d of model %s (the embedding and the head are split by vocabulary)", p.TP, p.Model.Vocab, p.Model.Name)
		},
		Suggest: func(p *Plan) string { return "try tp = " + DivisorsNear(p.Model.Vocab, p.TP) },
	},
	{
		Name: "sp-divides-seq", Fields: []string{"sp", "tp", "cp"}, At: []string{"sp", "tp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			s := p.Model.Seq
			return p.transformer() && p.SP && p.TP > 1 && p.headsSplit() && s%p.CP == 0 && (s/p.CP)%p.TP != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("sequence parallelism splits seq/cp = %d by tp = %d, which does not divide it", p.Model.Seq/p.CP, p.TP)
		},
		Suggest: func(*Plan) string { return "choose tp dividing seq/cp, or sp = false" },
	},
	{
		Name: "mlp-has-no-sp", Fields: []string{"sp", "tp"}, At: []string{"sp"}, Severity: Error, Scope: ScopeRuntime,
		Broken: func(p *Plan) bool { return !p.transformer() && p.SP && p.TP > 1 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("sp splits sequences, and mlp model %s has none", p.Model.Name)
		},
		Suggest: func(*Plan) string { return "set sp = false" },
	},
	{
		Name: "ep-needs-experts", Fields: []string{"ep"}, Severity: Error, Scope: ScopeAll,
		Broken:  func(p *Plan) bool { return p.Model.MoE == nil && p.EP > 1 },
		Message: func(p *Plan) string { return fmt.Sprintf("ep = %d, but model %s has no experts", p.EP, p.Model.Name) },
		Suggest: func(*Plan) string { return "use ep = 1, or an MoE model" },
	},
	{
		Name: "rbd-needs-moe", Fields: []string{"moe.rbd"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.Model.MoE == nil && p.MoE.RBD },
		Message: func(p *Plan) string {
			return fmt.Sprintf("moe.rbd needs an MoE model, and %s is dense", p.Model.Name)
		},
	},
	{
		Name: "ssmb-needs-moe", Fields: []string{"moe.ssmb"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.Model.MoE == nil && p.MoE.SSMB },
		Message: func(p *Plan) string {
			return fmt.Sprintf("moe.ssmb needs an MoE model, and %s is dense", p.Model.Name)
		},
	},
	{
		Name: "ep-divides-experts", Fields: []string{"ep"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { m := p.Model.MoE; return m != nil && m.Experts > 0 && m.Experts%p.EP != 0 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("ep = %d does not divide the %d routed experts of model %s", p.EP, p.Model.MoE.Experts, p.Model.Name)
		},
		Suggest: func(p *Plan) string { return "try ep = " + DivisorsNear(p.Model.MoE.Experts, p.EP) },
	},
	{
		Name: "ep-divides-data-ranks", Fields: []string{"ep", "dp", "cp", "tp", "moe.ssmb"}, At: []string{"ep"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			pool, _ := p.expertPool()
			return p.Model.MoE != nil && pool > 0 && pool%p.EP != 0
		},
		Message: func(p *Plan) string {
			pool, name := p.expertPool()
			return fmt.Sprintf("ep = %d does not divide %s = %d", p.EP, name, pool)
		},
		Notes: func(*Plan) []string {
			return []string{"expert parallelism is carved out of the data-parallel ranks (dp·cp); with moe.ssmb = true the tp ranks hold different tokens and join them (dp·cp·tp)"}
		},
		Suggest: func(p *Plan) string {
			pool, _ := p.expertPool()
			s := "try ep = " + DivisorsNear(pool, p.EP)
			if !p.MoE.SSMB && p.TP > 1 && (pool*p.TP)%p.EP == 0 {
				s += ", or set moe.ssmb = true"
			}
			return s
		},
	},
	{
		Name: "capacity-factor-positive", Fields: []string{"moe.dispatch", "moe.capacity_factor"}, At: []string{"moe.capacity_factor", "moe.dispatch"},
		Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			return p.Model.MoE != nil && p.MoE.Dispatch == DispatchCapacity && p.MoE.CapacityFactor <= 0
		},
		Message: func(*Plan) string { return "moe.dispatch = capacity needs capacity_factor > 0" },
		Suggest: func(*Plan) string { return "set capacity_factor = 1.25" },
	},
	{
		Name: "rbd-needs-padding-free", Fields: []string{"moe.rbd", "moe.dispatch"}, At: []string{"moe.rbd"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.Model.MoE != nil && p.MoE.RBD && p.MoE.Dispatch == DispatchCapacity },
		Message: func(*Plan) string {
			return "moe.rbd forwards routed token copies, but moe.dispatch = capacity sends padded per-expert slabs"
		},
		Notes: func(*Plan) []string {
			return []string{"redundancy-bypassing dispatch is built on padding-free dispatch (X-MoE): a padded slab has no pilot copy to share"}
		},
		Suggest: func(*Plan) string { return "set moe.dispatch = padding_free, or rbd = false" },
	},
	{
		Name: "rbd-needs-ep", Fields: []string{"moe.rbd", "ep"}, At: []string{"moe.rbd"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.Model.MoE != nil && p.MoE.RBD && p.EP <= 1 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("moe.rbd needs expert parallelism across ranks, but ep = %d", p.EP)
		},
		Suggest: func(*Plan) string { return "set ep > 1, or rbd = false" },
	},
	{
		Name: "ssmb-needs-tp", Fields: []string{"moe.ssmb", "tp"}, At: []string{"moe.ssmb"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool { return p.Model.MoE != nil && p.MoE.SSMB && p.TP <= 1 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("moe.ssmb shards the sequence inside the tp group, but tp = %d", p.TP)
		},
		Suggest: func(*Plan) string { return "set tp > 1, or ssmb = false" },
	},
	{
		Name: "ssmb-divides-tokens", Fields: []string{"moe.ssmb", "tp", "cp", "micro_batch"}, At: []string{"moe.ssmb", "tp"}, Severity: Error, Scope: ScopeAll,
		Broken: func(p *Plan) bool {
			return p.Model.MoE != nil && p.MoE.SSMB && p.TP > 1 && (p.MicroBatch*p.Model.Seq/p.CP)%p.TP != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("moe.ssmb splits the %d tokens of a micro-batch over tp = %d, which does not divide them", p.MicroBatch*p.Model.Seq/p.CP, p.TP)
		},
	},
	{
		// An ep group spanning nodes sends its all-to-all over the slow
		// link; redundancy-bypassing dispatch exists for exactly that.
		Name: "ep-spans-nodes", Fields: []string{"ep", "tp", "cp", "moe.rbd", "moe.ssmb"}, At: []string{"ep"}, Severity: Note, Scope: ScopeCheck,
		Broken: func(p *Plan) bool {
			m := p.Model.MoE
			pool, _ := p.expertPool()
			if m == nil || p.EP <= 1 || p.MoE.RBD || p.Cluster == nil || p.Cluster.PerNode <= 0 || m.Experts%p.EP != 0 || pool%p.EP != 0 {
				return false
			}
			return epNodes(p) > 1
		},
		Message: func(p *Plan) string { return fmt.Sprintf("the ep group of %d ranks spans %d nodes", p.EP, epNodes(p)) },
		Suggest: func(*Plan) string {
			return "moe.rbd = true sends one copy of a token per remote node instead of one per expert"
		},
	},
	{
		Name: "fp8-needs-fp8-peak", Fields: []string{"precision"}, Severity: Error, Scope: ScopeCheck | ScopeCompile,
		Broken: func(p *Plan) bool {
			return p.Precision == FP8 && p.Cluster != nil && p.Cluster.Node != nil && p.Cluster.Node.Device != nil && p.Cluster.Node.Device.PeakFP8 <= 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("precision = fp8, but device %s has no fp8 peak", p.Cluster.Node.Device.Name)
		},
		Suggest: func(*Plan) string {
			return "use bf16, or a device with fp8 tensor cores (H100, H200, MI300X), or set its peak_fp8 from its datasheet"
		},
	},
	{
		Name: "runtime-has-no-fp8", Fields: []string{"precision"}, Severity: Error, Scope: ScopeRuntime,
		Broken:  func(p *Plan) bool { return p.Precision == FP8 },
		Message: func(p *Plan) string { return "precision = fp8: the CPU runtime has no fp8 GEMMs" },
		Suggest: func(*Plan) string {
			return "train with precision = fp32 on the CPU runtime; fp8 is modelled by check, explain and compile"
		},
	},
	{
		Name: "runtime-has-no-dropout", At: []string{"model"}, Severity: Error, Scope: ScopeRuntime,
		Broken: func(p *Plan) bool { return p.Model != nil && p.Model.Dropout != 0 },
		Message: func(p *Plan) string {
			return fmt.Sprintf("model %s has dropout = %g: the CPU runtime trains without dropout", p.Model.Name, p.Model.Dropout)
		},
		Suggest: func(*Plan) string {
			return "write dropout = 0 (or leave it out) to train on the CPU runtime; check, explain and compile take any rate"
		},
		Notes: func(p *Plan) []string {
			if sp, ok := p.Model.FieldSpans["dropout"]; ok && sp.IsValid() {
				return []string{fmt.Sprintf("dropout is set at %s", sp)}
			}
			return nil
		},
	},
	{
		// The CPU runtime executes the GPT layout only; a model beyond it
		// is refused rather than trained as something else.
		Name: "runtime-executes-architecture", At: []string{"model"}, Severity: Error, Scope: ScopeRuntime,
		Broken: func(p *Plan) bool { return len(p.Model.NotExecuted()) > 0 },
		Message: func(p *Plan) string {
			var parts []string
			for _, s := range p.Model.NotExecuted() {
				parts = append(parts, s.Field+" = "+s.Value)
			}
			return fmt.Sprintf("model %s uses %s, which the CPU runtime does not execute yet", p.Model.Name, strings.Join(parts, ", "))
		},
		Suggest: func(*Plan) string {
			return "planc check, explain, compile and search model it; planc run trains dense models with layernorm or rmsnorm, gelu or gated FFNs, multi-head, grouped-query or latent attention, learned or rotary positions, and MoE layers with softmax or sigmoid routing (normalize_topk, groups) to gelu or gated experts, with or without biases"
		},
		Notes: func(p *Plan) []string {
			var notes []string
			for _, s := range p.Model.NotExecuted() {
				if sp, ok := p.Model.FieldSpans[s.Field]; ok && sp.IsValid() {
					notes = append(notes, fmt.Sprintf("%s is set at %s", s.Field, sp))
				}
			}
			return notes
		},
	},
	{
		Name: "heads-divide-hidden", At: []string{"model"}, Severity: Error, Scope: ScopeCompile | ScopeRuntime,
		Broken: func(p *Plan) bool {
			m := p.Model
			return p.transformer() && m.Heads > 0 && m.HeadDim == 0 && m.MLA == nil && m.Hidden%m.Heads != 0
		},
		Message: func(p *Plan) string {
			return fmt.Sprintf("model %s: hidden = %d is not divisible by heads = %d", p.Model.Name, p.Model.Hidden, p.Model.Heads)
		},
	},
	{
		Name: "phantom-parts-divide-width", At: []string{"model"}, Severity: Error, Scope: ScopeRuntime,
		Broken: func(p *Plan) bool {
			m, f := p.Model, p.Model.FFNKind
			if !f.IsPhantom() {
				return false
			}
			if f.Parts < 1 {
				return true
			}
			if !p.transformer() {
				return m.Width%f.Parts != 0
			}
			return m.Hidden%f.Parts != 0 || m.FFNWidth()%f.Parts != 0
		},
		Message: func(p *Plan) string {
			m := p.Model
			if !p.transformer() {
				return fmt.Sprintf("model %s: phantom parts %d must divide the width %d", m.Name, m.FFNKind.Parts, m.Width)
			}
			return fmt.Sprintf("model %s: phantom parts %d must divide hidden %d and ffn %d", m.Name, m.FFNKind.Parts, m.Hidden, m.FFNWidth())
		},
	},
}

// epNodes returns the nodes an ep group covers: ep consecutive data ranks
// at one tp index span ep·tp consecutive ranks; with ssmb the group runs
// over tp too.
func epNodes(p *Plan) int {
	span := p.EP * p.TP
	if p.MoE.SSMB {
		span = p.EP
	}
	return (span + p.Cluster.PerNode - 1) / p.Cluster.PerNode
}

func layersWord(m *Model) string {
	if m.Kind == MLPModel {
		return "depth"
	}
	return "layers"
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
