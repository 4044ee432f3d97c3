//go:build !planc_llvm

package llvmk

import "testing"

func TestSelectWithoutTheTag(t *testing.T) {
	ops, done, err := Select(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	done()
	if _, ok := ops.(GoOps); !ok {
		t.Errorf("Select(false) = %T, want GoOps", ops)
	}
	if _, _, err := Select(nil, true); err == nil {
		t.Error("Select(true) without -tags planc_llvm succeeded")
	}
}
