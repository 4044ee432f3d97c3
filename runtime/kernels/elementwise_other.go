//go:build !amd64

package kernels

import "math"

func addVec(dst, src []float32) int { return 0 }

func lnParamsVec(dgamma, dbeta, x, dy []float32, mu, rs float32) int { return 0 }

func lnFwdOutVec(y, x, gamma, beta []float32, mu, rs float32) int { return 0 }

func lnBwdDxVec(dx, dy, x, gamma []float32, mu, rs, sg, sgx float32) int { return 0 }

func scaleVec(x []float32, s float32) int { return 0 }

func attnDSVec(dp, p []float32, delta, scale float32) int { return 0 }

func maxVec(x []float32) (float32, int) { return float32(math.Inf(-1)), 0 }

func sumSquaresVec(s *[8]float64, x []float32) int { return 0 }
