package llvm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Toolchain is the set of LLVM tools found on this machine; a missing
// tool has an empty path. LLVMVersion is llc's major version.
type Toolchain struct {
	LLC, LLVMAs, LLD, FileCheck, ReadELF string
	LLVMVersion                          int
}

// toolVersions lists the versioned names tried before the plain one. LLVM 14
// comes first: llir/llvm v0.3.6 prints its dialect, and its llc, ld.lld and
// llvm-readelf agree on the code-object format the tests read. A newer llc
// is used only for a target that LLVM 14 cannot lower (sm_90).
var toolVersions = []int{14, 20, 19, 18, 17, 16, 15}

// findTool returns the first of name-14, /usr/lib/llvm-14/bin/name, the
// plain name, then newer versioned names.
func findTool(name string) string {
	cands := []string{fmt.Sprintf("%s-%d", name, 14), fmt.Sprintf("/usr/lib/llvm-%d/bin/%s", 14, name), name}
	for _, v := range toolVersions[1:] {
		cands = append(cands, fmt.Sprintf("%s-%d", name, v), fmt.Sprintf("/usr/lib/llvm-%d/bin/%s", v, name))
	}
	for _, c := range cands {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	return ""
}

// newerLLCs lists installed llc binaries newer than LLVM 14, newest first.
func newerLLCs() []string {
	var out []string
	for _, v := range toolVersions[1:] {
		for _, c := range []string{fmt.Sprintf("llc-%d", v), fmt.Sprintf("/usr/lib/llvm-%d/bin/llc", v)} {
			if p, err := exec.LookPath(c); err == nil {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// FindToolchain locates llc, llvm-as, ld.lld, FileCheck and llvm-readelf.
func FindToolchain() Toolchain {
	tc := Toolchain{LLC: findTool("llc"), LLVMAs: findTool("llvm-as"), LLD: findTool("ld.lld"),
		FileCheck: findTool("FileCheck"), ReadELF: findTool("llvm-readelf")}
	tc.LLVMVersion = llvmVersion(tc.LLC)
	return tc
}

func llvmVersion(llc string) int {
	if llc == "" {
		return 0
	}
	out, _ := exec.Command(llc, "--version").Output()
	if m := regexp.MustCompile(`LLVM version (\d+)`).FindSubmatch(out); m != nil {
		v, _ := strconv.Atoi(string(m[1]))
		return v
	}
	return 0
}

func knowsCPU(llc string, t Target) bool {
	arch := map[TargetKind]string{Host: "x86-64", AMDGPU: "amdgcn", NVPTX: "nvptx64"}[t.Kind]
	out, _ := exec.Command(llc, "-march="+arch, "-mcpu=help").CombinedOutput()
	return regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(t.CPU) + `\s`).Match(out)
}

// LLCFor returns the llc that lowers modules for t: the primary one (LLVM
// 14) when it knows t's CPU, else the newest installed llc that does (LLVM
// 14 has no sm_90), else "".
func (tc Toolchain) LLCFor(t Target) string {
	if tc.LLC == "" {
		return ""
	}
	if knowsCPU(tc.LLC, t) {
		return tc.LLC
	}
	for _, llc := range newerLLCs() {
		if llc != tc.LLC && knowsCPU(llc, t) {
			return llc
		}
	}
	return ""
}

// Lowers reports whether some installed llc can lower modules for t, and
// if not, why.
func (tc Toolchain) Lowers(t Target) (bool, string) {
	if tc.LLC == "" {
		return false, "llc is not installed"
	}
	if tc.LLCFor(t) == "" {
		return false, fmt.Sprintf("llc (LLVM %d) does not know -mcpu=%s, and no newer llc (apt-get install llvm-16) is installed", tc.LLVMVersion, t.CPU)
	}
	return true, ""
}

func run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// LLCArgs returns the llc options that lower a module for t.
func LLCArgs(t Target) []string {
	args := []string{"-O3", "-mtriple=" + t.Triple, "-mcpu=" + t.CPU}
	if t.Attrs != "" {
		args = append(args, "-mattr="+t.Attrs)
	}
	if t.Kind == Host {
		args = append(args, "-relocation-model=pic")
	}
	return args
}

// Artefacts are the files Build wrote.
type Artefacts struct {
	LL     string // the textual module
	Object string // x86-64 or amdgcn relocatable object
	Code   string // gfx90a HSA code object (.hsaco), or the PTX (.ptx)
	Notes  []string
}

// Build writes m's .ll into dir as base.ll and, where the tools exist and
// know the target, lowers it: x86-64 to base.o, gfx90a to base.o and the
// code object base.hsaco (ld.lld -shared), nvptx to base.ptx. Missing
// tools are reported in Notes, not as errors.
func Build(m *Module, dir, base string, tc Toolchain) (Artefacts, error) {
	var a Artefacts
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return a, err
	}
	a.LL = filepath.Join(dir, base+".ll")
	if err := os.WriteFile(a.LL, []byte(m.LL), 0o644); err != nil {
		return a, err
	}
	if tc.LLVMAs != "" {
		if err := run(tc.LLVMAs, a.LL, "-o", os.DevNull); err != nil {
			return a, err
		}
	} else {
		a.Notes = append(a.Notes, "llvm-as not found: the module was not verified")
	}
	ok, why := tc.Lowers(m.Target)
	if !ok {
		a.Notes = append(a.Notes, fmt.Sprintf("%s: wrote %s only: %s", m.Target.Name, filepath.Base(a.LL), why))
		return a, nil
	}
	args := LLCArgs(m.Target)
	switch m.Target.Kind {
	case Host, AMDGPU:
		a.Object = filepath.Join(dir, base+".o")
		src := a.LL
		if m.Target.Kind == Host {
			var note string
			if src, note = optimizeHost(tc.LLCFor(m.Target), m.Target, a.LL, filepath.Join(dir, base+".opt.ll")); note != "" {
				a.Notes = append(a.Notes, note)
			}
		}
		if err := run(tc.LLCFor(m.Target), append(args, "-filetype=obj", src, "-o", a.Object)...); err != nil {
			return a, err
		}
		if m.Target.Kind == AMDGPU {
			if tc.LLD == "" {
				a.Notes = append(a.Notes, "ld.lld not found (apt-get install lld-14): no .hsaco")
				return a, nil
			}
			a.Code = filepath.Join(dir, base+".hsaco")
			if err := run(tc.LLD, "-shared", a.Object, "-o", a.Code); err != nil {
				return a, err
			}
		}
	case NVPTX:
		a.Code = filepath.Join(dir, base+".ptx")
		if err := run(tc.LLCFor(m.Target), append(args, a.LL, "-o", a.Code)...); err != nil {
			return a, err
		}
	}
	return a, nil
}

// optimizeHost runs opt -O2 (the optimizer of the same LLVM as llc) on a
// host module, which vectorizes the elementwise loops (GELU, SiLU, the
// exponentials of softmax) that the kernels write one element at a time;
// llc alone does not vectorize loops. (-O3 made the router's top-k pick
// wrong experts, TestHostKernelsMatchGoKernels: not understood yet, so
// -O2.) The IR carries no fast-math flags, so
// opt keeps every rounding (no reassociation, no contraction). It returns
// the file to lower: the optimized one, or the input with a note when opt
// is missing or fails.
func optimizeHost(llc string, t Target, in, out string) (string, string) {
	opt := filepath.Join(filepath.Dir(llc), strings.Replace(filepath.Base(llc), "llc", "opt", 1))
	if _, err := exec.LookPath(opt); err != nil {
		return in, "opt not found beside " + llc + ": host kernels lowered unoptimized (loops not vectorized)"
	}
	if err := run(opt, "-O2", "-mtriple="+t.Triple, "-mcpu="+t.CPU, "-S", in, "-o", out); err != nil {
		return in, fmt.Sprintf("opt failed, host kernels lowered unoptimized: %v", err)
	}
	return out, ""
}

// SharedLibrary links a host object into a shared library that dlopen
// loads, with ld.lld or, without it, the system C compiler.
func SharedLibrary(tc Toolchain, object, out string) error {
	if tc.LLD != "" {
		return run(tc.LLD, "-shared", object, "-o", out)
	}
	for _, cc := range []string{"cc", "gcc", "clang"} {
		if p, err := exec.LookPath(cc); err == nil {
			return run(p, "-shared", object, "-o", out)
		}
	}
	return fmt.Errorf("no linker: install lld-14 or a C compiler")
}

// KernelNames returns the names of m's kernels, sorted.
func (m *Module) KernelNames() []string {
	names := make([]string, len(m.Kernels))
	for i, k := range m.Kernels {
		names[i] = k.Name
	}
	sort.Strings(names)
	return names
}
