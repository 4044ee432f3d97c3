//go:build !linux

package exec

// bigFloats returns n zeroed float32s (see bigbuf_linux.go).
func bigFloats(n int) []float32 { return make([]float32, n) }
