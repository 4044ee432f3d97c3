// Package llvm lowers a plan's compute kernels to LLVM IR, specialized to
// the plan's shapes and shard sizes (every dimension that the plan fixes is
// a constant in the emitted code), for three targets: the x86-64 host,
// AMD GPUs (amdgcn gfx90a, HSA code objects) and NVIDIA GPUs (nvptx64, PTX).
//
// Contract: [ForPlan] derives the kernel specs of a plan from ir.Plan alone;
// [Generate] turns any list of [Spec] into one [Module] whose LL text is
// accepted by LLVM 14's llvm-as and llc for the module's target. Every
// kernel has the same parameters on every target: pointers to float32 or
// int32 buffers and int64 counts, in the order [Kernel.Params] lists them,
// the last two always lo and hi, the range of items [lo, hi) that the call
// computes ([Kernel.Range] says what an item is on the module's target).
// Items write disjoint outputs, so calls over disjoint ranges may run at
// the same time (the host runtime splits a call over its cores this way).
// On the host a kernel is a C-ABI function; on the GPUs it is a kernel
// entry (amdgpu_kernel, ptx_kernel) with global (addrspace 1) pointers
// that runs one parallel item per work-item (item lo + global id),
// launched with work-groups of [GPUBlockSize] and
// ceil((hi−lo)/GPUBlockSize) groups. The numeric semantics
// of each kernel is documented on its spec type and equals the Go kernels'
// in runtime/kernels (runtime/llvmk checks it).
//
// The github.com/llir/llvm types stop at this package: other packages see
// only specs, kernel descriptions and IR text. tools.go runs LLVM's tools
// (llc, ld.lld) to turn the text into objects.
package llvm

import (
	"fmt"
	"sort"
	"strings"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/metadata"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// GPUBlockSize is the work-group (thread-block) size every GPU kernel is
// compiled for and must be launched with.
const GPUBlockSize = 256

// Target is one code-generation target.
type Target struct {
	Name       string // x86-64, gfx90a, sm_80, sm_90
	Triple     string
	DataLayout string
	CPU        string // llc -mcpu
	Attrs      string // llc -mattr
	Kind       TargetKind
	// ItemLoop, on the host, runs every kernel as a loop over the per-item
	// code that the GPU targets run (no blocked matmul), so that tests can
	// check the GPU kernels' arithmetic on the CPU.
	ItemLoop bool
}

// TargetKind tells the host from the GPU families.
type TargetKind int

const (
	Host TargetKind = iota
	AMDGPU
	NVPTX
)

// Targets lists the supported targets by name.
var Targets = []Target{
	{Name: "x86-64", Triple: "x86_64-unknown-linux-gnu", Kind: Host, CPU: "x86-64-v3",
		DataLayout: "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"},
	{Name: "gfx90a", Triple: "amdgcn-amd-amdhsa", Kind: AMDGPU, CPU: "gfx90a",
		DataLayout: "e-p:64:64-p1:64:64-p2:32:32-p3:32:32-p4:64:64-p5:32:32-p6:32:32-i64:64-v16:16-v24:32-v32:32-v48:64-v96:128-v192:256-v256:256-v512:512-v1024:1024-v2048:2048-n32:64-S32-A5-G1-ni:7"},
	{Name: "sm_80", Triple: "nvptx64-nvidia-cuda", Kind: NVPTX, CPU: "sm_80", Attrs: "+ptx70",
		DataLayout: "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"},
	{Name: "sm_90", Triple: "nvptx64-nvidia-cuda", Kind: NVPTX, CPU: "sm_90", Attrs: "+ptx78",
		DataLayout: "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"},
}

// LookupTarget returns the target called name.
func LookupTarget(name string) (Target, error) {
	var names []string
	for _, t := range Targets {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return Target{}, fmt.Errorf("unknown target %q (have %s)", name, strings.Join(names, ", "))
}

// ParamKind is the type of a kernel parameter.
type ParamKind int

const (
	F32Ptr ParamKind = iota // float32 buffer
	I32Ptr                  // int32 buffer
	Int64                   // a count
)

func (k ParamKind) String() string {
	return [...]string{"f32*", "i32*", "i64"}[k]
}

// Param is one kernel parameter.
type Param struct {
	Name string
	Kind ParamKind
}

// Kernel describes one emitted kernel.
type Kernel struct {
	Name   string
	Op     string  // matmul, layernorm_fwd, ...
	Params []Param // in call order
	// Items is the number of parallel items (GPU work-items) when it is a
	// constant; 0 when it depends on a runtime count parameter (ItemsFrom
	// names it, and ItemsPer multiplies it).
	Items     int
	ItemsFrom string
	ItemsPer  int
	// Range is what the item range [lo, hi) of a call counts on the
	// module's target: the GPU items above, except where the host runs
	// its own routine (the matmul counts rows of C there, the attention
	// kernels (batch, head) problems).
	Range ItemCount
	// Grain: a range whose lo is a multiple of it runs fastest (the
	// rows of the host matmul's micro-kernel); 1 for most kernels.
	Grain int
}

// ItemCount is a number of items: N when it is a constant, else the
// runtime count parameter From times Per.
type ItemCount struct {
	N    int
	From string
	Per  int
}

// Spec is a kernel to generate: an op with its shapes baked in.
type Spec interface {
	// Name is the kernel's symbol; it encodes the op and every shape.
	Name() string
	kernel() kernelDef
}

// kernelDef is what a spec contributes to the generator.
type kernelDef struct {
	op     string
	params []Param
	// items returns the number of parallel items; itemsFrom/itemsPer
	// describe it when it is not constant.
	items     int
	itemsFrom string
	itemsPer  int
	// body emits the work of item i.
	body func(b *fnBuilder, i value.Value)
	// host, when set, replaces the loop over items on the host (the
	// matmul's blocked micro-kernel): it computes host items [lo, hi),
	// hostItems of them in all (rows of C, attention problems).
	host      func(b *fnBuilder, lo, hi value.Value)
	hostItems ItemCount
	// rowTiled: the host routine computes rows in tiles of the
	// micro-kernel's rows (Kernel.Grain).
	rowTiled bool
	// wide lets the loop vectorizer use 512-bit vectors on x86-64-v4 (it
	// prefers 256 bits): for lane-wise loops of much arithmetic per
	// element (gelu, silu), where it pays; the same bits either way.
	wide bool
	// noalias promises that no two buffer parameters overlap, so that
	// LLVM keeps an output row in registers across a loop that reads the
	// inputs.
	noalias bool
}

// Module is a generated LLVM module.
type Module struct {
	Target  Target
	Name    string
	Kernels []Kernel
	// LL is the textual IR (LLVM 14 dialect).
	LL string
}

// moduleBuilder owns the llir module while it is being built.
type moduleBuilder struct {
	t          Target
	m          *ir.Module
	intrinsics map[string]*ir.Func
	helpers    map[string]*ir.Func
}

// intrinsic declares (once) an overloaded intrinsic such as llvm.fma for
// the given return type; the name gets the type suffix (.f32, .v8f32).
func (mb *moduleBuilder) intrinsic(base string, ret types.Type, params ...types.Type) *ir.Func {
	name := base
	if strings.HasPrefix(base, "llvm.fma") || strings.HasPrefix(base, "llvm.sqrt") || strings.HasPrefix(base, "llvm.floor") {
		name += "." + typeSuffix(ret)
	}
	if f, ok := mb.intrinsics[name]; ok {
		return f
	}
	ps := make([]*ir.Param, len(params))
	for i, t := range params {
		ps[i] = ir.NewParam("", t)
	}
	f := mb.m.NewFunc(name, ret, ps...)
	mb.intrinsics[name] = f
	return f
}

func typeSuffix(t types.Type) string {
	switch t := t.(type) {
	case *types.VectorType:
		return fmt.Sprintf("v%d%s", t.Len, typeSuffix(t.ElemType))
	case *types.FloatType:
		return "f32"
	}
	panic("codegen/llvm: no intrinsic suffix for " + t.String())
}

// ptrType returns a pointer to elem in the target's global address space.
func (mb *moduleBuilder) ptrType(elem types.Type) *types.PointerType {
	p := types.NewPointer(elem)
	if mb.t.Kind != Host {
		p.AddrSpace = 1
	}
	return p
}

func (mb *moduleBuilder) paramType(k ParamKind) types.Type {
	switch k {
	case F32Ptr:
		return mb.ptrType(types.Float)
	case I32Ptr:
		return mb.ptrType(types.I32)
	}
	return types.I64
}

// Generate emits one module holding the kernels of specs for target t.
// Specs with the same name are emitted once.
func Generate(name string, specs []Spec, t Target) (*Module, error) {
	mb := &moduleBuilder{t: t, m: ir.NewModule(), intrinsics: map[string]*ir.Func{}, helpers: map[string]*ir.Func{}}
	mb.m.SourceFilename = name
	mb.m.TargetTriple = t.Triple
	mb.m.DataLayout = t.DataLayout
	out := &Module{Target: t, Name: name}
	seen := map[string]bool{}
	var annotations []metadata.Node
	for _, s := range specs {
		if seen[s.Name()] {
			continue
		}
		seen[s.Name()] = true
		def := s.kernel()
		def.params = append(def.params[:len(def.params):len(def.params)], Param{"lo", Int64}, Param{"hi", Int64})
		f := mb.emit(s.Name(), def)
		rng, grain := ItemCount{N: def.items, From: def.itemsFrom, Per: def.itemsPer}, 1
		if mb.hostRoutine(def) {
			rng = def.hostItems
			if def.rowTiled {
				_, grain = mb.hostBlocking()
			}
		}
		out.Kernels = append(out.Kernels, Kernel{Name: s.Name(), Op: def.op, Params: def.params,
			Items: def.items, ItemsFrom: def.itemsFrom, ItemsPer: def.itemsPer, Range: rng, Grain: grain})
		if t.Kind == NVPTX {
			annotations = append(annotations, &metadata.Tuple{MetadataID: -1, Fields: []metadata.Field{
				f, &metadata.String{Value: "kernel"}, i32c(1)}})
		}
	}
	if len(annotations) > 0 {
		// Number the tuples so that the named node refers to them.
		for i, n := range annotations {
			tu := n.(*metadata.Tuple)
			tu.MetadataID = metadata.MetadataID(i)
			mb.m.MetadataDefs = append(mb.m.MetadataDefs, tu)
		}
		mb.m.NamedMetadataDefs["nvvm.annotations"] = &metadata.NamedDef{Name: "nvvm.annotations", Nodes: annotations}
	}
	sort.Slice(out.Kernels, func(i, j int) bool { return out.Kernels[i].Name < out.Kernels[j].Name })
	out.LL = mb.m.String()
	return out, nil
}

// emit writes one kernel function.
func (mb *moduleBuilder) emit(name string, def kernelDef) *ir.Func {
	params := make([]*ir.Param, len(def.params))
	for i, p := range def.params {
		params[i] = ir.NewParam(p.Name, mb.paramType(p.Kind))
		if p.Kind != Int64 {
			params[i].Attrs = append(params[i].Attrs, enum.ParamAttrNoCapture)
			if def.noalias {
				params[i].Attrs = append(params[i].Attrs, enum.ParamAttrNoAlias)
			}
		}
	}
	f := mb.m.NewFunc(name, types.Void, params...)
	f.FuncAttrs = append(f.FuncAttrs, enum.FuncAttrNoUnwind)
	switch mb.t.Kind {
	case Host:
		f.FuncAttrs = append(f.FuncAttrs, ir.AttrPair{Key: "target-cpu", Value: mb.t.CPU})
		if vl, _ := mb.hostBlocking(); vl == 16 && def.wide {
			f.FuncAttrs = append(f.FuncAttrs, ir.AttrPair{Key: "prefer-vector-width", Value: "512"},
				ir.AttrPair{Key: "min-legal-vector-width", Value: "512"})
		}
	case AMDGPU:
		f.CallingConv = enum.CallingConvAMDGPUKernel
		f.FuncAttrs = append(f.FuncAttrs, ir.AttrPair{Key: "amdgpu-flat-work-group-size", Value: fmt.Sprintf("1,%d", GPUBlockSize)})
	case NVPTX:
		f.CallingConv = enum.CallingConvPTXKernel
	}
	b := &fnBuilder{mod: mb, f: f, params: map[string]value.Value{}}
	for i, p := range def.params {
		b.params[p.Name] = params[i]
	}
	b.cur = f.NewBlock("entry")
	// The range is clamped to the items there are.
	lo := b.p("lo")
	switch {
	case mb.hostRoutine(def):
		def.host(b, lo, b.imin(b.p("hi"), b.count(def.hostItems)))
	case mb.t.Kind == Host:
		hi := b.imin(b.p("hi"), b.count(ItemCount{def.items, def.itemsFrom, def.itemsPer}))
		b.forEach(lo, hi, 1, func(i value.Value) { def.body(b, i) })
	default:
		hi := b.imin(b.p("hi"), b.count(ItemCount{def.items, def.itemsFrom, def.itemsPer}))
		item := b.add(lo, b.globalID())
		b.ifThen(b.slt(item, hi), func() { def.body(b, item) })
	}
	b.cur.NewRet(nil)
	return f
}

// hostRoutine reports whether def runs its own host routine (not the
// loop over its GPU items) on the module's target.
func (mb *moduleBuilder) hostRoutine(def kernelDef) bool {
	return mb.t.Kind == Host && def.host != nil && !mb.t.ItemLoop
}

// count returns n as a value: a constant or the runtime count times Per.
func (b *fnBuilder) count(n ItemCount) value.Value {
	if n.From == "" {
		return i64c(int64(n.N))
	}
	return b.mulc(b.p(n.From), int64(n.Per))
}

// globalID returns workgroup.id.x * GPUBlockSize + workitem.id.x as i64.
func (b *fnBuilder) globalID() value.Value {
	var tid, wg string
	switch b.mod.t.Kind {
	case AMDGPU:
		tid, wg = "llvm.amdgcn.workitem.id.x", "llvm.amdgcn.workgroup.id.x"
	case NVPTX:
		tid, wg = "llvm.nvvm.read.ptx.sreg.tid.x", "llvm.nvvm.read.ptx.sreg.ctaid.x"
	}
	t := b.cur.NewCall(b.mod.intrinsic(tid, types.I32))
	g := b.cur.NewCall(b.mod.intrinsic(wg, types.I32))
	t64 := b.cur.NewZExt(t, types.I64)
	g64 := b.cur.NewZExt(g, types.I64)
	return b.add(b.mulc(g64, GPUBlockSize), t64)
}

// keep constant imported for helpers in other files.
var _ = constant.NewInt
