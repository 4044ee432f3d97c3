package exec

import (
	"syscall"
	"unsafe"
)

// bigFloats returns n zeroed float32s for a stage's flat parameter,
// gradient and moment buffers. Above 4 MiB it asks the kernel to back the
// buffer with 2 MiB pages (MADV_HUGEPAGE: Linux's transparent huge pages
// are often in madvise mode, and the Go heap never asks): the products
// read weights and add weight gradients along strided rows, one 4 KiB
// page per row, and the TLB misses cost them about 5% with the operands
// out of cache. Only the aligned 2 MiB blocks inside the buffer change;
// an error (no THP) leaves ordinary pages.
func bigFloats(n int) []float32 {
	b := make([]float32, n)
	const page = 4096
	if n*4 < 4<<20 {
		return b
	}
	p := uintptr(unsafe.Pointer(&b[0]))
	skip := (page - p%page) % page // to the first page boundary
	size := (uintptr(n)*4 - skip) &^ (page - 1)
	_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&b[0]), skip)), size), syscall.MADV_HUGEPAGE)
	return b
}
