//go:build !amd64

package kernels

func addVec(dst, src []float32) int { return 0 }

func lnParamsVec(dgamma, dbeta, x, dy []float32, mu, rs float32) int { return 0 }
