//go:build !planc_llvm

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench/matmul needs cgo, llc and OpenBLAS: go run -tags planc_llvm ./bench/matmul")
	os.Exit(2)
}
