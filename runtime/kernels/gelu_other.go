//go:build !amd64

package kernels

func geluForwardVec(y, x []float32) bool { return false }

func geluBackwardVec(dx, dy, x []float32) bool { return false }
