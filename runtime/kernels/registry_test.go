package kernels

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	"planc/ir"
)

// TestEveryOpKindHasItsGoKernels: each kind of the op registry is bound
// here to the Go kernels its row names, or its row says why it has none.
func TestEveryOpKindHasItsGoKernels(t *testing.T) {
	for _, k := range ir.OpKinds {
		info := k.Info()
		bound := ByKind[k]
		switch {
		case len(info.GoKernels) == 0 && info.NoGo == "":
			t.Errorf("%s: the registry names no Go kernel and no reason for none", k)
		case len(info.GoKernels) == 0:
			if bound != nil {
				t.Errorf("%s: the registry says it has no Go kernel (%s), but ByKind binds %d", k, info.NoGo, len(bound))
			}
		case len(bound) != len(info.GoKernels):
			t.Errorf("%s: the registry names %v, ByKind binds %d functions", k, info.GoKernels, len(bound))
		default:
			for i, f := range bound {
				name := strings.TrimPrefix(runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name(), "planc/runtime/kernels.")
				if name != info.GoKernels[i] {
					t.Errorf("%s: kernel %d is %s, the registry names %s", k, i, name, info.GoKernels[i])
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
