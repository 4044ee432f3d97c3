//go:build !amd64

package optim

var forceScalar = false

func stepVector(s *State, k *stepConsts) int { return 0 }
