package llvm

import (
	"os"
	"path/filepath"
	"testing"

	"planc/ir"
)

// TestEveryOpKindHasItsLLVMKernels: each kind of the op registry is bound
// here to the kernels its row names, or its row says why it has none.
func TestEveryOpKindHasItsLLVMKernels(t *testing.T) {
	for _, k := range ir.OpKinds {
		info := k.Info()
		bound := ByKind[k]
		switch {
		case len(info.LLVMKernels) == 0 && info.NoLLVM == "":
			t.Errorf("%s: the registry names no LLVM kernel and no reason for none", k)
		case len(info.LLVMKernels) == 0:
			if bound != nil {
				t.Errorf("%s: the registry says it has no LLVM kernel (%s), but ByKind binds %d", k, info.NoLLVM, len(bound))
			}
		default:
			var ops []string
			seen := map[string]bool{}
			for _, s := range bound {
				if op := s.kernel().op; !seen[op] {
					seen[op] = true
					ops = append(ops, op)
				}
			}
			if len(ops) != len(info.LLVMKernels) {
				t.Errorf("%s: the registry names %v, ByKind binds %v", k, info.LLVMKernels, ops)
				continue
			}
			for i := range ops {
				if ops[i] != info.LLVMKernels[i] {
					t.Errorf("%s: kernel %d is %s, the registry names %s", k, i, ops[i], info.LLVMKernels[i])
				}
			}
		}
	}
	for k := range ByKind {
		if k.Info() == nil {
			t.Errorf("ByKind binds %q, which the registry does not know", k)
		}
	}
}

// TestOpKindKernelsAssemble: the kernels bound to the op kinds form a
// module that llvm-as verifies and llc lowers, for every target, to an
// object (x86-64), a code object (gfx90a) or PTX (sm_80, sm_90) defining
// every kernel (sm_90 only with an llc that knows it).
func TestOpKindKernelsAssemble(t *testing.T) {
	tc := FindToolchain()
	tool(t, tc.LLVMAs, "llvm-as")
	tool(t, tc.LLC, "llc")
	var specs []Spec
	for _, k := range ir.OpKinds {
		specs = append(specs, ByKind[k]...)
	}
	for _, tg := range Targets {
		t.Run(tg.Name, func(t *testing.T) {
			m, err := Generate("op_kinds", specs, tg)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			ll := filepath.Join(dir, "m.ll")
			if err := os.WriteFile(ll, []byte(m.LL), 0o644); err != nil {
				t.Fatal(err)
			}
			runTool(t, tc.LLVMAs, ll, "-o", os.DevNull)
			if ok, why := tc.Lowers(tg); !ok {
				skipOrFailInCI(t, "IR verified by llvm-as; not lowered: "+why)
			}
			if tg.Kind == AMDGPU {
				tool(t, tc.LLD, "ld.lld")
				tool(t, tc.ReadELF, "llvm-readelf")
			}
			a, err := Build(m, dir, "m", tc)
			if err != nil {
				t.Fatal(err)
			}
			checkKernelsDefined(t, tc, a, m)
		})
	}
}
