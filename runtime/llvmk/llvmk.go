//go:build planc_llvm

package llvmk

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

static void *planc_dlopen(const char *path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }
static const char *planc_dlerror(void) { const char *e = dlerror(); return e ? e : "unknown dlopen error"; }
static void *planc_dlsym(void *h, const char *name) { return dlsym(h, name); }
static int planc_dlclose(void *h) { return dlclose(h); }

typedef void (*planc_kernel12)(uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t,
                               uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t);

// planc_call calls a generated kernel: all its parameters are pointers or
// int64 counts (INTEGER class), so passing twelve is ABI-correct for any
// kernel with at most twelve (the caller owns the stack arguments).
static void planc_call(void *fn, const uintptr_t *a) {
	((planc_kernel12)fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
}
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"planc/codegen/llvm"
	"planc/ir"
)

// Kernels is a loaded library of generated host kernels.
type Kernels struct {
	handle unsafe.Pointer
	syms   map[string]*symbol
	// Module is the generated module (its kernels and IR text).
	Module *llvm.Module
	// Dir holds the .ll, .o and .so that Load built.
	Dir       string
	fallbacks atomic.Int64
	calls     atomic.Int64
	fbMu      sync.Mutex
	fbShapes  map[string]int64 // fallbacks by Go kernel and shape
}

// symbol is one loaded kernel and the calls it ran.
type symbol struct {
	fn    unsafe.Pointer
	op    string
	calls atomic.Int64
	// rng is what the kernel's item range counts; from is the index of
	// its runtime count among the arguments (-1: constant); grain as
	// llvm.Kernel.Grain.
	rng   llvm.ItemCount
	from  int
	grain int
	// split learns whether splitting this kernel's calls over the cores
	// pays on this machine.
	split splitChoice
}

// items returns the number of items in the range of a call with args.
func (s *symbol) items(args []arg) int {
	if s.from < 0 {
		return s.rng.N
	}
	return int(args[s.from]) * s.rng.Per
}

// HostSupported reports whether this CPU runs the x86-64-v3 code that the
// host target emits (AVX2 and FMA), and why not.
func HostSupported() (bool, string) {
	if runtime.GOARCH != "amd64" || runtime.GOOS != "linux" {
		return false, "host kernels need linux/amd64, this is " + runtime.GOOS + "/" + runtime.GOARCH
	}
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false, err.Error()
	}
	for _, f := range []string{" avx2", " fma"} {
		if !strings.Contains(string(info), f) {
			return false, "the CPU lacks" + f
		}
	}
	return true, ""
}

// LoadPlan builds and loads the host kernels of plan p's shapes.
func LoadPlan(p *ir.Plan) (*Kernels, error) {
	specs, err := llvm.ForPlan(p)
	if err != nil {
		return nil, err
	}
	return Load(p.Name, specs)
}

// Load generates the host kernels of specs, compiles them with llc, links
// them into a shared library in a temporary folder and loads it.
func Load(name string, specs []llvm.Spec) (*Kernels, error) {
	return LoadTarget(name, specs, HostTarget())
}

// HostTarget is the x86-64 target for this machine's CPU: x86-64-v4
// (AVX-512, wider matmul micro-kernels) where the CPU has it and llc knows
// it, else x86-64-v3. A library built for another machine (a trainer
// binary) uses the plain x86-64 target instead.
func HostTarget() llvm.Target {
	t, _ := llvm.LookupTarget("x86-64")
	if !hostHasAVX512() {
		return t
	}
	v4 := t
	v4.CPU = "x86-64-v4"
	if tc := llvm.FindToolchain(); tc.LLC == "" || tc.LLCFor(v4) != tc.LLC {
		return t
	}
	return v4
}

// hostHasAVX512 reports whether /proc/cpuinfo lists the AVX-512 subsets of
// x86-64-v4 (F, BW, CD, DQ, VL).
func hostHasAVX512() bool {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false
	}
	for _, f := range []string{" avx512f", " avx512bw", " avx512cd", " avx512dq", " avx512vl"} {
		if !strings.Contains(string(info), f) {
			return false
		}
	}
	return true
}

// LoadTarget is Load for a host target variant (such as one with
// ItemLoop set, which runs the GPU kernels' per-item code on the CPU).
func LoadTarget(name string, specs []llvm.Spec, t llvm.Target) (*Kernels, error) {
	m, dir, so, err := buildLibrary(name, specs, t)
	if err != nil {
		return nil, err
	}
	return openLibrary(m, dir, so)
}

// buildLibrary generates the host kernels of specs and compiles them with
// llc into dir/kernels.so.
func buildLibrary(name string, specs []llvm.Spec, t llvm.Target) (*llvm.Module, string, string, error) {
	if t.Kind != llvm.Host {
		return nil, "", "", fmt.Errorf("llvmk: %s is not a host target", t.Name)
	}
	if ok, why := HostSupported(); !ok {
		return nil, "", "", fmt.Errorf("llvmk: %s", why)
	}
	tc := llvm.FindToolchain()
	if tc.LLC == "" {
		return nil, "", "", fmt.Errorf("llvmk: llc not found (apt-get install llvm-14)")
	}
	m, err := llvm.Generate(name, specs, t)
	if err != nil {
		return nil, "", "", err
	}
	dir, err := os.MkdirTemp("", "planc-llvmk-")
	if err != nil {
		return nil, "", "", err
	}
	a, err := llvm.Build(m, dir, "kernels", tc)
	if err != nil {
		return nil, "", "", err
	}
	if a.Object == "" {
		return nil, "", "", fmt.Errorf("llvmk: no object built: %s", strings.Join(a.Notes, "; "))
	}
	so := filepath.Join(dir, "kernels.so")
	if err := llvm.SharedLibrary(tc, a.Object, so); err != nil {
		return nil, "", "", err
	}
	return m, dir, so, nil
}

// BuildPlanLibrary compiles plan p's host kernels (llc and a linker needed
// here) and returns the shared library's bytes, for [LoadPlanLibrary] to
// load where no LLVM tool is installed (planc build --kernels=llvm).
func BuildPlanLibrary(p *ir.Plan) ([]byte, error) {
	specs, err := llvm.ForPlan(p)
	if err != nil {
		return nil, err
	}
	t, _ := llvm.LookupTarget("x86-64")
	_, dir, so, err := buildLibrary(p.Name, specs, t)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	return os.ReadFile(so)
}

// LoadPlanLibrary loads plan p's host kernels from a library that
// BuildPlanLibrary built for the same plan: the module is generated again
// (in Go, for the kernels' names and ops), but nothing is compiled.
func LoadPlanLibrary(p *ir.Plan, lib []byte) (*Kernels, error) {
	if ok, why := HostSupported(); !ok {
		return nil, fmt.Errorf("llvmk: %s", why)
	}
	specs, err := llvm.ForPlan(p)
	if err != nil {
		return nil, err
	}
	t, _ := llvm.LookupTarget("x86-64")
	m, err := llvm.Generate(p.Name, specs, t)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "planc-llvmk-")
	if err != nil {
		return nil, err
	}
	so := filepath.Join(dir, "kernels.so")
	if err := os.WriteFile(so, lib, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return openLibrary(m, dir, so)
}

// openLibrary loads so and finds every kernel of m in it.
func openLibrary(m *llvm.Module, dir, so string) (*Kernels, error) {
	cpath := C.CString(so)
	defer C.free(unsafe.Pointer(cpath))
	h := C.planc_dlopen(cpath)
	if h == nil {
		return nil, fmt.Errorf("llvmk: dlopen %s: %s", so, C.GoString(C.planc_dlerror()))
	}
	k := &Kernels{handle: h, syms: map[string]*symbol{}, Module: m, Dir: dir, fbShapes: map[string]int64{}}
	for _, kd := range m.Kernels {
		cn := C.CString(kd.Name)
		sym := C.planc_dlsym(h, cn)
		C.free(unsafe.Pointer(cn))
		if sym == nil {
			k.Close()
			return nil, fmt.Errorf("llvmk: %s has no symbol %s", so, kd.Name)
		}
		from := -1
		for i, p := range kd.Params {
			if kd.Range.From != "" && p.Name == kd.Range.From {
				from = i
			}
		}
		k.syms[kd.Name] = &symbol{fn: sym, op: kd.Op, rng: kd.Range, from: from, grain: max(kd.Grain, 1)}
	}
	return k, nil
}

// Close unloads the library and removes its folder.
func (k *Kernels) Close() error {
	if k.handle != nil {
		C.planc_dlclose(k.handle)
		k.handle = nil
	}
	return os.RemoveAll(k.Dir)
}

// Fallbacks returns how many calls ran a Go kernel because no generated
// kernel had their shapes, and Calls how many ran a generated one.
func (k *Kernels) Fallbacks() int64 { return k.fallbacks.Load() }

// Calls returns how many calls ran a generated kernel.
func (k *Kernels) Calls() int64 { return k.calls.Load() }

// fallback counts one call of Go kernel op at shape (its dimensions) that
// ran because no generated kernel had the shape.
func (k *Kernels) fallback(op string, shape ...int) {
	k.fallbacks.Add(1)
	key := op + fmt.Sprint(shape)
	k.fbMu.Lock()
	k.fbShapes[key]++
	k.fbMu.Unlock()
}

// Usage returns the calls so far: per generated kernel op (matmul,
// layernorm_fwd, ...) the kernel calls, and per Go kernel and shape the
// calls that fell back to it.
func (k *Kernels) Usage() Usage {
	u := Usage{Generated: map[string]int64{}, Fallback: map[string]int64{}}
	for _, s := range k.syms {
		if n := s.calls.Load(); n > 0 {
			u.Generated[s.op] += n
		}
	}
	k.fbMu.Lock()
	for key, n := range k.fbShapes {
		u.Fallback[key] = n
	}
	k.fbMu.Unlock()
	return u
}

// Has reports whether the library holds the kernel of spec.
func (k *Kernels) Has(spec llvm.Spec) bool { _, ok := k.syms[spec.Name()]; return ok }

// arg is one kernel argument: a buffer or a count.
type arg = uintptr

func f32(s []float32) arg {
	if len(s) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&s[0]))
}

func i32(s []int32) arg {
	if len(s) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&s[0]))
}

func count(n int) arg { return uintptr(n) }

// maxArgs is the number of arguments planc_call passes.
const maxArgs = 12

// parallelMinWork is runtime/kernels' threshold: a call of less work (in
// multiply-adds, or the like) stays on the calling goroutine, since
// starting a goroutine costs more than it saves there.
const parallelMinWork = 1 << 22

// call runs the kernel of spec over all its items on the calling goroutine
// if the library has it, and reports whether it did. args are the
// kernel's parameters but the item range, which call appends. The buffers
// behind args stay reachable through keep until the call returns (the Go
// heap does not move objects; keep pins liveness).
func (k *Kernels) call(spec llvm.Spec, keep []any, args ...arg) bool {
	return k.callSplit(spec, 0, keep, args...)
}

// callSplit is call for a kernel of about work multiply-adds: with work
// of at least parallelMinWork and more than one core, the item range may
// be split into one part per core (at multiples of the kernel's grain),
// the parts running at the same time on their own goroutines (items write
// disjoint outputs, and what an item computes does not depend on the
// range it is in). Whether it is split is the kernel's splitChoice: what
// its calls measured faster on this machine.
func (k *Kernels) callSplit(spec llvm.Spec, work int, keep []any, args ...arg) bool {
	sym, ok := k.syms[spec.Name()]
	if !ok {
		return false
	}
	var a [maxArgs]arg
	n := copy(a[:], args)
	items := sym.items(args)
	parts := 1
	if work >= parallelMinWork {
		parts = min(runtime.GOMAXPROCS(0), (items+sym.grain-1)/sym.grain)
	}
	var t0 time.Time
	learn := parts > 1
	if learn {
		if !sym.split.pick() {
			parts = 1
		}
		t0 = time.Now()
	}
	if parts <= 1 {
		a[n], a[n+1] = 0, arg(items)
		C.planc_call(sym.fn, (*C.uintptr_t)(unsafe.Pointer(&a[0])))
	} else {
		// Parts of equal size in grains, the caller running the last.
		grains := (items + sym.grain - 1) / sym.grain
		per := (grains + parts - 1) / parts * sym.grain
		var wg sync.WaitGroup
		for lo := 0; lo < items; lo += per {
			p := a
			p[n], p[n+1] = arg(lo), arg(min(lo+per, items))
			if lo+per >= items {
				C.planc_call(sym.fn, (*C.uintptr_t)(unsafe.Pointer(&p[0])))
				break
			}
			wg.Go(func() { C.planc_call(sym.fn, (*C.uintptr_t)(unsafe.Pointer(&p[0]))) })
		}
		wg.Wait()
	}
	if learn {
		sym.split.record(parts > 1, time.Since(t0), work)
	}
	runtime.KeepAlive(keep)
	k.calls.Add(1)
	sym.calls.Add(1)
	return true
}
