//go:build !planc_llvm

package llvmk

import (
	"fmt"

	"planc/ir"
)

// Available reports whether this binary was built with the generated host
// kernels (-tags planc_llvm).
const Available = false

// Select returns [GoOps]; asking for the generated kernels is an error in
// a binary built without -tags planc_llvm.
func Select(p *ir.Plan, useLLVM bool) (ops Ops, close func(), err error) {
	if useLLVM {
		return nil, nil, fmt.Errorf("the LLVM host kernels need a planc built with -tags planc_llvm (and llc at run time)")
	}
	return GoOps{}, func() {}, nil
}

// BuildPlanLibrary and LoadPlanLibrary need the generated host kernels
// (-tags planc_llvm).
func BuildPlanLibrary(p *ir.Plan) ([]byte, error) {
	return nil, fmt.Errorf("the LLVM host kernels need a planc built with -tags planc_llvm (and llc)")
}

// SelectLibrary is Select for kernels compiled ahead of time (a trainer
// binary's): without -tags planc_llvm there are none.
func SelectLibrary(p *ir.Plan, lib []byte) (ops Ops, close func(), err error) {
	return nil, nil, fmt.Errorf("this binary was built without the LLVM host kernels (-tags planc_llvm)")
}
