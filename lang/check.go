package lang

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"planc/ir"
)

// checker resolves the declarations of all loaded files into an
// ir.Program. It never stops at the first problem: every declaration is
// checked, and a declaration with errors still yields a value so that the
// declarations that use it can be checked too.
type checker struct {
	prog  *ir.Program
	files []*File
	decls map[string]*Decl
	diags ir.Diagnostics

	// set holds the --set overrides, as synthetic items (see overrides.go).
	set overrides
	// setPlan is the plan the overrides apply to ("": every plan).
	setPlan string
	// planExtra are the extra layers for a model or cluster referenced from
	// the plan being checked (its --set model.X / cluster.X overrides).
	planExtra map[string][]*Item

	// clusterAuto records which cluster fields were written auto.
	counted, errors int // see errorCount

	clusterAuto  map[*ir.Cluster]map[string]bool
	clusterSpans map[*ir.Cluster]map[string]ir.Span
	resolving    map[*Decl]bool
}

func newChecker(prog *ir.Program, files []*File) *checker {
	return &checker{
		prog: prog, files: files, decls: map[string]*Decl{},
		clusterAuto: map[*ir.Cluster]map[string]bool{}, clusterSpans: map[*ir.Cluster]map[string]ir.Span{},
		resolving: map[*Decl]bool{},
	}
}

func (c *checker) errorf(span ir.Span, format string, args ...any) *ir.Diagnostic {
	c.diags = append(c.diags, ir.Errorf(span, format, args...))
	return &c.diags[len(c.diags)-1]
}

func (c *checker) warnf(span ir.Span, format string, args ...any) *ir.Diagnostic {
	c.diags = append(c.diags, ir.Warnf(span, format, args...))
	return &c.diags[len(c.diags)-1]
}

func (c *checker) notef(span ir.Span, format string, args ...any) *ir.Diagnostic {
	c.diags = append(c.diags, ir.Diagnostic{Severity: ir.Note, Span: span, Message: fmt.Sprintf(format, args...)})
	return &c.diags[len(c.diags)-1]
}

// errorCount returns the number of errors reported so far. It counts
// only the diagnostics added since its last call, so that calling it for
// every field stays linear.
func (c *checker) errorCount() int {
	for ; c.counted < len(c.diags); c.counted++ {
		if c.diags[c.counted].Severity == ir.Error {
			c.errors++
		}
	}
	return c.errors
}

// result returns the diagnostics sorted by position, without the
// duplicates that come from checking one declaration for several plans.
func (c *checker) result() ir.Diagnostics {
	c.diags.Sort()
	var out ir.Diagnostics
	seen := map[string]bool{}
	for _, d := range c.diags {
		key := fmt.Sprintf("%d|%s|%d|%d|%s", d.Severity, d.Span.File, d.Span.Start.Offset, d.Span.End.Offset, d.Message)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	return out
}

// checkAll declares every name, then resolves every declaration.
func (c *checker) checkAll() {
	var all []*Decl
	for _, f := range c.files {
		for _, d := range f.Decls {
			if first, dup := c.decls[d.Name]; dup {
				c.errorf(d.NameSpan, "%s %s is declared twice", d.Kind, d.Name).Notes =
					[]string{fmt.Sprintf("%s: the first declaration (a %s)", first.NameSpan, first.Kind)}
				continue
			}
			c.decls[d.Name] = d
			all = append(all, d)
		}
	}
	for _, d := range all {
		switch d.Kind {
		case "device":
			c.prog.Devices[d.Name] = c.device(d, nil)
		case "node":
			c.prog.Nodes[d.Name] = c.node(d, nil)
		case "cluster":
			c.prog.Clusters[d.Name] = c.cluster(d, nil)
		case "model":
			c.prog.Models[d.Name] = c.model(d, nil)
		}
	}
	for _, d := range all {
		if d.Kind == "plan" {
			if p := c.plan(d); p != nil {
				c.prog.Plans = append(c.prog.Plans, p)
			}
		}
	}
}

// field is the non-generic part of an ir.Field.
type field struct {
	name   string
	kind   ir.ValueKind
	dim    ir.Dim
	enum   []string
	ref    string
	min    float64
	minSet bool
	max    float64
	maxSet bool
	maxWhy string
	auto   bool
	def    string
}

func fieldOf[T any](f ir.Field[T]) field {
	return field{f.Name, f.Kind, f.Dim, f.Enum, f.Ref, f.Min, f.MinSet, f.Max, f.MaxSet, f.MaxWhy, f.Auto, f.Default}
}

// blockResult is what checkFields learned about one block.
type blockResult struct {
	// written maps each field set in any layer to the item that won.
	written map[string]*Item
	// nested holds, for each block field, its items layer by layer.
	nested map[string][][]*Item
	// auto lists the fields written `auto`.
	auto map[string]bool
	// bad lists the fields whose value was rejected (they stay zero).
	bad map[string]bool
}

// checkFields checks one block of a declaration against its schema and
// stores the values into dst through the fields' Ptr functions. layers[0]
// is the source block; later layers (call arguments, --set) replace the
// fields they set. what names the block in messages ("device h100",
// "plan p's moe block"); at is where missing fields are reported; prefix
// is prepended to field names in spans ("moe."). required, when non-nil,
// decides whether a field without default must be written.
func checkFields[T any](c *checker, what string, at ir.Span, fields []ir.Field[T], layers [][]*Item, dst *T,
	prefix string, spans map[string]ir.Span, required func(name string) bool) blockResult {
	byName := map[string]int{}
	var names []string
	for i, f := range fields {
		byName[f.Name] = i
		names = append(names, f.Name)
	}
	res := blockResult{written: map[string]*Item{}, nested: map[string][][]*Item{}, auto: map[string]bool{}, bad: map[string]bool{}}
	// misspelled maps a field to the unknown field that is probably it
	// (hiden for hidden): the field then counts as rejected, so that it is
	// neither reported missing nor checked at its default.
	misspelled := map[string]*ir.Diagnostic{}
	for li, items := range layers {
		inLayer := map[string]*Item{}
		for _, it := range items {
			i, ok := byName[it.Name]
			if !ok {
				d := c.errorf(it.NameSpan, "unknown field %s in %s", it.Name, what)
				if s := suggest(it.Name, names); s != "" {
					d.Suggestion = fmt.Sprintf("did you mean %s?", s)
					misspelled[s] = d
				} else {
					d.Notes = []string{"the fields are " + strings.Join(names, ", ")}
				}
				continue
			}
			if first, dup := inLayer[it.Name]; dup && li == 0 {
				c.errorf(it.NameSpan, "field %s is set twice in %s", it.Name, what).Notes =
					[]string{fmt.Sprintf("%s: first set here", first.NameSpan)}
				continue
			}
			inLayer[it.Name] = it
			f := fields[i]
			if f.Kind == ir.BlockValue {
				if it.Block == nil {
					c.errorf(it.Value.Span, "%s is a block: write %s { ... }", it.Name, it.Name)
					continue
				}
				res.nested[it.Name] = append(res.nested[it.Name], it.Block.Items)
				res.written[it.Name] = it
				continue
			}
			if it.Block != nil {
				c.errorf(it.NameSpan, "%s is a field, not a block: write %s = VALUE", it.Name, it.Name)
				continue
			}
			res.written[it.Name] = it
		}
	}
	for _, f := range fields {
		if f.Kind == ir.BlockValue {
			continue
		}
		fi := fieldOf(f)
		if _, ok := res.written[f.Name]; !ok && misspelled[f.Name] != nil {
			res.bad[f.Name] = true
			if f.Default == "" && (required == nil || required(f.Name)) {
				d := misspelled[f.Name]
				d.Notes = append(d.Notes, fmt.Sprintf("%s is required (%s)", f.Name, describeField(fi)))
			}
			continue
		}
		if it, ok := res.written[f.Name]; ok {
			spans[prefix+f.Name] = it.Span
			if isAuto(it.Value) {
				if f.Auto {
					res.auto[f.Name] = true
				} else {
					c.errorf(it.Value.Span, "%s cannot be auto", f.Name).Suggestion = "write a value; " + describeField(fi)
				}
				continue
			}
			before := c.errorCount()
			c.setValue(fi, it.Value, f.Ptr(dst))
			if c.errorCount() > before || it.Value.Bad {
				res.bad[f.Name] = true
			}
			continue
		}
		if f.Default == "" {
			if required == nil || required(f.Name) {
				c.errorf(at, "%s is missing field %s (%s)", what, f.Name, describeField(fi))
			}
			continue
		}
		dv := defaultValue(f.Default)
		if isAuto(dv) {
			res.auto[f.Name] = true
			continue
		}
		c.setValue(fi, dv, f.Ptr(dst))
	}
	return res
}

func isAuto(v *Value) bool { return v != nil && v.Kind == NameVal && v.Text == "auto" }

// defaults caches the schema's default values, parsed with the value
// grammar from their source form.
var defaults = map[string]*Value{}

func defaultValue(src string) *Value {
	if v, ok := defaults[src]; ok {
		return v
	}
	v, diags := ParseValue("<default>", []byte(src))
	if diags.HasErrors() || v == nil {
		panic(fmt.Sprintf("lang: the schema's default %q does not parse: %v", src, diags))
	}
	defaults[src] = v
	return v
}

// describeField says what a field takes, for messages.
func describeField(f field) string {
	switch f.kind {
	case ir.IntValue:
		return "an integer"
	case ir.FloatValue:
		return "a number"
	case ir.QuantityValue:
		return f.dim.String() + ", e.g. " + exampleQuantity(f.dim)
	case ir.BoolValue:
		return "true or false"
	case ir.EnumValue:
		return "one of " + strings.Join(f.enum, ", ")
	case ir.RefValue:
		return "the name of a " + f.ref
	case ir.FFNKindValue:
		return "dense or phantom(k: K, parts: P)"
	case ir.TextValue:
		return "a quoted string"
	}
	return "a block"
}

func exampleQuantity(d ir.Dim) string {
	return map[ir.Dim]string{ir.Bytes: "64 GiB", ir.Seconds: "2 us", ir.FLOPRate: "191.5 TFLOP/s",
		ir.ByteRate: "25 GB/s", ir.Watts: "500 W", ir.Dimensionless: "1"}[d]
}

// setValue checks v against field f and stores it through ptr.
func (c *checker) setValue(f field, v *Value, ptr any) {
	if v.Bad && v.Kind == NumberVal {
		return // reported by the parser
	}
	switch p := ptr.(type) {
	case *int:
		if n, ok := c.number(f, v); ok {
			if n != math.Trunc(n) {
				c.errorf(v.Span, "%s must be an integer, not %s", f.name, v.Text)
				return
			}
			// Bounded so that products of a few fields cannot overflow.
			if math.Abs(n) > maxInt {
				c.errorf(v.Span, "%s = %s is too large (at most %d)", f.name, v.Text, maxInt)
				return
			}
			*p = int(n)
		}
	case *float64:
		if f.kind == ir.QuantityValue {
			if q, ok := c.quantity(f, v); ok {
				*p = q
			}
			return
		}
		if n, ok := c.number(f, v); ok {
			*p = n
		}
	case *bool:
		if v.Kind == NameVal && (v.Text == "true" || v.Text == "false") {
			*p = v.Text == "true"
			return
		}
		c.errorf(v.Span, "%s must be true or false, not %s", f.name, v.Text)
	case *ir.Negated:
		if v.Kind == NameVal && (v.Text == "true" || v.Text == "false") {
			*p = v.Text == "false"
			return
		}
		c.errorf(v.Span, "%s must be true or false, not %s", f.name, v.Text)
	case *string:
		if f.kind == ir.TextValue {
			if v.Kind == StringVal {
				*p = v.Str
				return
			}
			c.errorf(v.Span, "%s must be a quoted string, not %s", f.name, valueText(v))
			return
		}
		c.setEnum(f, v, p)
	case *ir.FFNKind:
		c.setFFNKind(f, v, p)
	case **ir.Device:
		if d := c.ref(f, v); d != nil {
			*p = c.device(d, callLayer(c, v))
		}
	case **ir.Node:
		if d := c.ref(f, v); d != nil {
			*p = c.node(d, callLayer(c, v))
		}
	case **ir.Cluster:
		if d := c.ref(f, v); d != nil {
			*p = c.cluster(d, c.withPlanExtra("cluster", callLayer(c, v)))
		}
	case **ir.Model:
		if d := c.ref(f, v); d != nil {
			*p = c.model(d, c.withPlanExtra("model", callLayer(c, v)))
		}
	default:
		panic(fmt.Sprintf("lang: field %s has a Ptr of unsupported type %T", f.name, ptr))
	}
}

// maxInt bounds every integer field.
const maxInt = 1<<31 - 1

// number checks a plain number.
func (c *checker) number(f field, v *Value) (float64, bool) {
	if v.Kind != NumberVal {
		c.errorf(v.Span, "%s must be %s, not %s", f.name, describeField(f), v.Text)
		return 0, false
	}
	if v.Unit != "" {
		if u, known := units[v.Unit]; known {
			c.errorf(v.UnitSpan, "%s is %s, but %s %s is %s", f.name, ir.Dimensionless, v.Text, v.Unit, u.dim).Suggestion = "drop the unit"
		}
		return 0, false
	}
	return c.checkRange(f, v, v.Num)
}

// checkRange checks n, the value of v in SI units, against f's bounds.
func (c *checker) checkRange(f field, v *Value, n float64) (float64, bool) {
	if f.minSet && n < f.min {
		d := c.errorf(v.Span, "%s must be at least %s, not %s", f.name, boundText(f, f.min), valueText(v))
		d.Suggestion = fmt.Sprintf("write %s = %s or more", f.name, boundText(f, f.min))
		return n, false
	}
	if f.maxSet && n > f.max {
		d := c.errorf(v.Span, "%s = %s is too large: at most %s (%s)", f.name, valueText(v), boundText(f, f.max), f.maxWhy)
		d.Suggestion = fmt.Sprintf("write %s = %s or less", f.name, boundText(f, f.max))
		return n, false
	}
	return n, true
}

// boundText prints a bound of f in source syntax: integers in full, other
// numbers with %g, quantities in the SI unit of their dimension.
func boundText(f field, x float64) string {
	num := fmt.Sprintf("%g", x)
	if f.kind == ir.IntValue && math.Abs(x) < 1e15 {
		num = fmt.Sprintf("%d", int64(x))
	}
	if f.kind != ir.QuantityValue || x == 0 {
		return num
	}
	return num + " " + siUnit[f.dim]
}

var siUnit = map[ir.Dim]string{ir.Bytes: "B", ir.Seconds: "s", ir.FLOPRate: "FLOP/s", ir.ByteRate: "B/s", ir.Watts: "W"}

// quantity checks a number with a unit of f's dimension and converts it to
// SI. A bare 0 needs no unit.
func (c *checker) quantity(f field, v *Value) (float64, bool) {
	if v.Kind != NumberVal {
		c.errorf(v.Span, "%s must be %s, not %s", f.name, describeField(f), v.Text)
		return 0, false
	}
	if v.Unit == "" {
		if v.Num == 0 {
			return c.checkRange(f, v, 0)
		}
		d := c.errorf(v.Span, "%s needs a unit: it is %s", f.name, f.dim)
		d.Suggestion = fmt.Sprintf("write it with one of %s, e.g. %s", strings.Join(unitsOf(f.dim), " "), exampleQuantity(f.dim))
		return 0, false
	}
	u, known := units[v.Unit]
	if !known {
		return 0, false // reported by the parser
	}
	if u.dim != f.dim {
		d := c.errorf(v.Span, "%s is %s, but %s %s is %s", f.name, f.dim, v.Text, v.Unit, u.dim)
		d.Suggestion = fmt.Sprintf("use a unit of %s: %s", f.dim, strings.Join(unitsOf(f.dim), " "))
		return 0, false
	}
	q := v.Num * u.scale
	if q < 0 {
		c.errorf(v.Span, "%s must not be negative", f.name)
		return 0, false
	}
	return c.checkRange(f, v, q)
}

// enumWord returns the word an enum value spells, quoted or not.
func enumWord(v *Value) string {
	if v.Kind == StringVal {
		return v.Str
	}
	return v.Text
}

func (c *checker) setEnum(f field, v *Value, p *string) {
	var word string
	switch v.Kind {
	case NameVal, WordVal:
		word = v.Text
	case StringVal:
		word = v.Str
	default:
		c.errorf(v.Span, "%s must be %s, not %s", f.name, describeField(f), valueText(v))
		return
	}
	for _, e := range f.enum {
		if e == word {
			*p = word
			return
		}
	}
	d := c.errorf(v.Span, "%s must be one of %s, not %s", f.name, strings.Join(f.enum, ", "), valueText(v))
	if s := suggest(word, f.enum); s != "" {
		d.Suggestion = fmt.Sprintf("did you mean %s?", s)
	}
}

func valueText(v *Value) string {
	if v.Kind == NumberVal && v.Unit != "" {
		return v.Text + " " + v.Unit
	}
	if v.Kind == CallVal {
		return v.Text + "(...)"
	}
	return v.Text
}

// setFFNKind reads `dense`, `phantom(k: K, parts: P)` or `phantom(K, P)`.
func (c *checker) setFFNKind(f field, v *Value, p *ir.FFNKind) {
	if v.Kind == NameVal && v.Text == "dense" {
		*p = ir.FFNKind{Kind: "dense"}
		return
	}
	if v.Text != "phantom" || v.Kind != CallVal && v.Kind != NameVal {
		d := c.errorf(v.Span, "%s must be dense or phantom(k: K, parts: P), not %s", f.name, valueText(v))
		if s := suggest(v.Text, []string{"dense", "phantom"}); s != "" {
			d.Suggestion = fmt.Sprintf("did you mean %s?", s)
		}
		return
	}
	if v.Kind == NameVal {
		c.errorf(v.Span, "phantom needs its ghost width and part count: phantom(k: K, parts: P)")
		return
	}
	out := ir.FFNKind{Kind: "phantom"}
	vals := map[string]int{}
	for i, a := range v.Args {
		name := a.Name
		if name == "" {
			if i > 1 {
				c.errorf(a.Span, "phantom takes two arguments, k and parts")
				continue
			}
			name = []string{"k", "parts"}[i]
		}
		if name != "k" && name != "parts" {
			d := c.errorf(a.NameSpan, "phantom has no argument %s (it has k and parts)", name)
			if s := suggest(name, []string{"k", "parts"}); s != "" {
				d.Suggestion = fmt.Sprintf("did you mean %s?", s)
			}
			continue
		}
		if _, dup := vals[name]; dup {
			c.errorf(a.Span, "phantom's %s is given twice", name)
			continue
		}
		var n int
		sub := field{name: "phantom " + name, kind: ir.IntValue, min: 1, minSet: true, max: 1 << 16, maxSet: true, maxWhy: "a model dimension no device could hold"}
		c.setValue(sub, a.Value, &n)
		vals[name] = n
	}
	for _, name := range []string{"k", "parts"} {
		if _, ok := vals[name]; !ok {
			c.errorf(v.Span, "phantom is missing %s: write phantom(k: K, parts: P)", name)
		}
	}
	out.K, out.Parts = vals["k"], vals["parts"]
	*p = out
}

// ref finds the declaration a reference names and checks its kind.
func (c *checker) ref(f field, v *Value) *Decl {
	if v.Kind != NameVal && v.Kind != CallVal {
		c.errorf(v.Span, "%s must be %s, not %s", f.name, describeField(f), valueText(v))
		return nil
	}
	nameSpan := v.Span
	nameSpan.End = nameSpan.Start
	nameSpan.End.Col += len(v.Text)
	nameSpan.End.Offset += len(v.Text)
	d, ok := c.decls[v.Text]
	if !ok {
		e := c.errorf(nameSpan, "undefined %s %s", f.ref, v.Text)
		var cands []string
		for n, d := range c.decls {
			if d.Kind == f.ref {
				cands = append(cands, n)
			}
		}
		sort.Strings(cands)
		imp, declared := stdlibDeclarer(f.ref, v.Text)
		switch s := suggest(v.Text, cands); {
		case imp != "" && declared == v.Text:
			e.Suggestion = fmt.Sprintf("add import %q, the stdlib file that declares %s %s", imp, f.ref, v.Text)
		case s != "":
			e.Suggestion = fmt.Sprintf("did you mean %s?", s)
		case imp != "":
			e.Suggestion = fmt.Sprintf("did you mean %s? (import %q declares it)", declared, imp)
		default:
			e.Suggestion = fmt.Sprintf("declare %s %s, or import the file that does", f.ref, v.Text)
		}
		return nil
	}
	if d.Kind != f.ref {
		c.errorf(nameSpan, "%s must name a %s, but %s is a %s", f.name, f.ref, v.Text, d.Kind).Notes =
			[]string{fmt.Sprintf("%s: %s is declared here", d.NameSpan, v.Text)}
		return nil
	}
	if c.resolving[d] {
		c.errorf(nameSpan, "%s %s refers to itself", d.Kind, d.Name)
		return nil
	}
	return d
}

// callLayer turns the arguments of `name(field: value, ...)` into items
// that replace the referenced declaration's fields.
func callLayer(c *checker, v *Value) []*Item {
	if v.Kind != CallVal {
		return nil
	}
	items := []*Item{}
	for _, a := range v.Args {
		if a.Name == "" {
			c.errorf(a.Span, "the arguments of %s(...) must be named after the fields they set", v.Text).Suggestion =
				fmt.Sprintf("write %s(FIELD: %s)", v.Text, valueText(a.Value))
			continue
		}
		items = append(items, &Item{Span: a.Span, Name: a.Name, NameSpan: a.NameSpan, Value: a.Value})
	}
	return items
}

// withPlanExtra adds the --set overrides of a plan's model or cluster to
// the layers of a reference.
func (c *checker) withPlanExtra(kind string, call []*Item) [][]*Item {
	var layers [][]*Item
	if call != nil {
		layers = append(layers, call)
	}
	if extra := c.planExtra[kind]; len(extra) > 0 {
		layers = append(layers, extra)
	}
	return layers
}

func layersOf(d *Decl, extra [][]*Item) [][]*Item {
	return append([][]*Item{d.Body.Items}, extra...)
}

func oneLayer(call []*Item) [][]*Item {
	if call == nil {
		return nil
	}
	return [][]*Item{call}
}

// device resolves a device declaration; with extra layers it returns a
// fresh copy with those fields replaced, else the shared one.
func (c *checker) device(d *Decl, call []*Item) *ir.Device {
	if call == nil {
		if dev, ok := c.prog.Devices[d.Name]; ok {
			return dev
		}
	}
	c.resolving[d] = true
	defer delete(c.resolving, d)
	dev := &ir.Device{Name: d.Name, Span: d.NameSpan}
	checkFields(c, "device "+d.Name, d.NameSpan, ir.DeviceFields, layersOf(d, oneLayer(call)), dev, "", map[string]ir.Span{}, nil)
	if dev.PeakFP16 == 0 {
		dev.PeakFP16 = dev.PeakBF16
	}
	if call == nil {
		c.prog.Devices[d.Name] = dev
	}
	return dev
}

func (c *checker) node(d *Decl, call []*Item) *ir.Node {
	if call == nil {
		if n, ok := c.prog.Nodes[d.Name]; ok {
			return n
		}
	}
	c.resolving[d] = true
	defer delete(c.resolving, d)
	n := &ir.Node{Name: d.Name, Span: d.NameSpan}
	checkFields(c, "node "+d.Name, d.NameSpan, ir.NodeFields, layersOf(d, oneLayer(call)), n, "", map[string]ir.Span{}, nil)
	if call == nil {
		c.prog.Nodes[d.Name] = n
	}
	return n
}

// cluster resolves a cluster. nodes = auto (the cpu cluster) leaves Nodes
// zero: each plan sizes its own copy. per_node = auto means all of the
// node's devices, or, with auto nodes, the whole world.
func (c *checker) cluster(d *Decl, extra [][]*Item) *ir.Cluster {
	if len(extra) == 0 {
		if cl, ok := c.prog.Clusters[d.Name]; ok {
			return cl
		}
	}
	c.resolving[d] = true
	defer delete(c.resolving, d)
	cl := &ir.Cluster{Name: d.Name, Span: d.NameSpan}
	spans := map[string]ir.Span{}
	res := checkFields(c, "cluster "+d.Name, d.NameSpan, ir.ClusterFields, layersOf(d, extra), cl, "", spans, nil)
	c.clusterAuto[cl] = res.auto
	c.clusterSpans[cl] = spans
	if cl.Node != nil && !res.auto["per_node"] && cl.PerNode > cl.Node.Devices && cl.Node.Devices > 0 {
		d := c.errorf(spanOr(spans, "per_node", d.NameSpan), "per_node = %d, but node %s has %d devices", cl.PerNode, cl.Node.Name, cl.Node.Devices)
		d.Suggestion = fmt.Sprintf("use at most %d devices per node", cl.Node.Devices)
	}
	if res.auto["per_node"] && !res.auto["nodes"] && cl.Node != nil {
		cl.PerNode = cl.Node.Devices
	}
	if len(extra) == 0 {
		c.prog.Clusters[d.Name] = cl
	}
	return cl
}

func spanOr(spans map[string]ir.Span, name string, or ir.Span) ir.Span {
	if s, ok := spans[name]; ok {
		return s
	}
	return or
}

// transformerOnly and mlpOnly are the model fields of one kind.
var (
	transformerOnly = []string{"seq", "hidden", "layers", "heads", "ffn", "moe", "mla", "norm", "norm_eps", "mlp", "kv_heads", "head_dim", "position", "rope_theta", "no_bias"}
	mlpOnly         = []string{"width", "depth"}
)

func (c *checker) model(d *Decl, extra [][]*Item) *ir.Model {
	if len(extra) == 0 {
		if m, ok := c.prog.Models[d.Name]; ok {
			return m
		}
	}
	c.resolving[d] = true
	defer delete(c.resolving, d)
	m := &ir.Model{Name: d.Name, Span: d.NameSpan, FieldSpans: map[string]ir.Span{}}
	layers := layersOf(d, extra)
	// The kind decides which fields are required, so read it first.
	kind := ir.Transformer
	for _, items := range layers {
		for _, it := range items {
			if it.Name == "kind" && it.Value != nil && enumWord(it.Value) == string(ir.MLPModel) {
				kind = ir.MLPModel
			} else if it.Name == "kind" && it.Value != nil {
				kind = ir.Transformer
			}
		}
	}
	needed := transformerOnly[:4]
	if kind == ir.MLPModel {
		needed = mlpOnly
	}
	required := func(name string) bool {
		for _, n := range needed {
			if n == name {
				return true
			}
		}
		return false
	}
	what := "model " + d.Name
	res := checkFields(c, what, d.NameSpan, ir.ModelFields, layers, m, "", m.FieldSpans, required)
	wrong := mlpOnly
	if kind == ir.MLPModel {
		wrong = transformerOnly
	}
	for _, name := range wrong {
		if it, ok := res.written[name]; ok {
			c.errorf(it.NameSpan, "%s does not apply to a %s model", name, kind).Suggestion =
				map[ir.ModelKind]string{ir.Transformer: "an mlp model has width and depth; write kind = mlp",
					ir.MLPModel: "an mlp model has only width, depth and ffn_kind"}[kind]
		}
	}
	if moe, ok := res.nested["moe"]; ok && kind == ir.Transformer {
		m.MoE = &ir.MoE{}
		checkFields(c, what+"'s moe block", res.written["moe"].NameSpan, ir.ModelMoEFields, moe, m.MoE, "moe.", m.FieldSpans, nil)
	}
	if mla, ok := res.nested["mla"]; ok && kind == ir.Transformer {
		m.MLA = &ir.MLA{}
		checkFields(c, what+"'s mla block", res.written["mla"].NameSpan, ir.ModelMLAFields, mla, m.MLA, "mla.", m.FieldSpans, nil)
	}
	c.checkModel(m, res)
	if len(extra) == 0 {
		c.prog.Models[d.Name] = m
	}
	return m
}

// checkModel checks the constraints between a model's fields.
func (c *checker) checkModel(m *ir.Model, res blockResult) {
	at := func(name string) ir.Span { return spanOr(m.FieldSpans, name, m.Span) }
	if m.Kind == ir.Transformer {
		if m.FFN == 0 {
			m.FFN = 4 * m.Hidden
		}
		c.checkAttention(m, at)
		if m.Heads > 0 && m.Hidden > 0 && m.HeadDim == 0 && m.MLA == nil && m.Hidden%m.Heads != 0 {
			d := c.errorf(at("heads"), "hidden = %d is not divisible by heads = %d", m.Hidden, m.Heads)
			d.Suggestion = "heads must divide hidden: try " + divisorsText(m.Hidden, m.Heads)
		}
		if m.MoE != nil {
			if m.MoE.TopK > m.MoE.Experts && m.MoE.Experts > 0 {
				c.errorf(at("moe.topk"), "topk = %d exceeds the %d routed experts", m.MoE.TopK, m.MoE.Experts).Suggestion =
					fmt.Sprintf("use topk <= %d", m.MoE.Experts)
			}
			c.checkRouting(m.MoE, at)
			if m.Layers > 0 && m.MoE.FirstDense >= m.Layers {
				c.errorf(at("moe.first_dense"), "first_dense = %d leaves no MoE layer among the %d layers", m.MoE.FirstDense, m.Layers).Suggestion =
					fmt.Sprintf("use first_dense < %d", m.Layers)
			}
		}
	}
	if m.FFNKind.IsPhantom() && m.FFNKind.Parts > 0 {
		width, name := m.FFN, "ffn"
		if m.Kind == ir.MLPModel {
			width, name = m.Width, "width"
		}
		if width > 0 && width%m.FFNKind.Parts != 0 {
			c.errorf(at("ffn_kind"), "phantom parts = %d does not divide %s = %d", m.FFNKind.Parts, name, width).Suggestion =
				"parts must divide " + name + ": try " + divisorsText(width, m.FFNKind.Parts)
		}
	}
}

// checkAttention checks the attention geometry: query heads in whole
// groups per key/value head, and MLA's exclusions.
func (c *checker) checkAttention(m *ir.Model, at func(string) ir.Span) {
	if kv := m.KVHeads; kv > 0 && m.Heads > 0 {
		if kv > m.Heads {
			c.errorf(at("kv_heads"), "kv_heads = %d exceeds the %d query heads", kv, m.Heads).Suggestion =
				fmt.Sprintf("use kv_heads <= %d (kv_heads = heads is multi-head attention, 1 is multi-query)", m.Heads)
		} else if m.Heads%kv != 0 {
			c.errorf(at("kv_heads"), "kv_heads = %d does not divide the %d query heads", kv, m.Heads).Suggestion =
				"each key/value head serves a whole group of query heads: try kv_heads = " + divisorsText(m.Heads, kv)
		}
	}
	if m.MLA != nil {
		for _, f := range []string{"kv_heads", "head_dim"} {
			if _, set := m.FieldSpans[f]; set {
				c.errorf(at(f), "%s does not apply to multi-head latent attention", f).Suggestion =
					"MLA's head widths are qk_nope_head_dim, qk_rope_head_dim and v_head_dim in the mla block"
			}
		}
		if m.MLA.QKRopeHeadDim%2 != 0 {
			c.errorf(at("mla.qk_rope_head_dim"), "qk_rope_head_dim = %d is odd: RoPE rotates pairs", m.MLA.QKRopeHeadDim).Suggestion = "use an even width"
		}
	} else if m.Position == ir.PositionRoPE && m.HeadWidth()%2 != 0 {
		c.errorf(at("position"), "a head width of %d is odd: RoPE rotates pairs of features", m.HeadWidth()).Suggestion = "use an even head_dim"
	}
}

// checkRouting checks group-limited routing: whole groups of experts, and
// no more groups chosen than exist or than the top-k can use.
func (c *checker) checkRouting(moe *ir.MoE, at func(string) ir.Span) {
	if moe.TopKGroups > 0 && moe.Groups == 0 {
		c.errorf(at("moe.topk_groups"), "topk_groups = %d needs groups", moe.TopKGroups).Suggestion = "set moe.groups, the number of expert groups (DeepSeek-V3: 8)"
	}
	if moe.Groups > 0 && moe.Experts > 0 && moe.Experts%moe.Groups != 0 {
		c.errorf(at("moe.groups"), "groups = %d does not divide the %d routed experts", moe.Groups, moe.Experts).Suggestion =
			"try groups = " + divisorsText(moe.Experts, moe.Groups)
	}
	if moe.Groups > 0 && moe.TopKGroups > moe.Groups {
		c.errorf(at("moe.topk_groups"), "topk_groups = %d exceeds the %d groups", moe.TopKGroups, moe.Groups).Suggestion = fmt.Sprintf("use topk_groups <= %d", moe.Groups)
	}
	if moe.Groups > 0 && moe.TopKGroups > 0 && moe.Experts > 0 && moe.TopKGroups*(moe.Experts/moe.Groups) < moe.TopK {
		c.errorf(at("moe.topk_groups"), "topk_groups = %d groups of %d experts hold fewer than topk = %d experts", moe.TopKGroups, moe.Experts/moe.Groups, moe.TopK).Suggestion = "raise topk_groups"
	}
}

// divisorsText lists the divisors of n nearest to near, for suggestions.
func divisorsText(n, near int) string { return ir.DivisorsNear(n, near) }
