//go:build planc_llvm

package llvmk

import "planc/ir"

var _ Ops = (*Kernels)(nil)

// Available reports whether this binary was built with the generated host
// kernels (-tags planc_llvm).
const Available = true

// Select returns the kernels a run of plan p uses: the generated host
// kernels when useLLVM is set, else [GoOps]. close releases them.
func Select(p *ir.Plan, useLLVM bool) (ops Ops, close func(), err error) {
	if !useLLVM {
		return GoOps{}, func() {}, nil
	}
	k, err := LoadPlan(p)
	if err != nil {
		return nil, nil, err
	}
	return k, func() { k.Close() }, nil
}

// SelectLibrary is Select for kernels compiled ahead of time into lib by
// [BuildPlanLibrary] (a trainer binary's): no LLVM tool is needed.
func SelectLibrary(p *ir.Plan, lib []byte) (ops Ops, close func(), err error) {
	k, err := LoadPlanLibrary(p, lib)
	if err != nil {
		return nil, nil, err
	}
	return k, func() { k.Close() }, nil
}
