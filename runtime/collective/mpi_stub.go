//go:build !planc_mpi

package collective

import (
	"errors"
	"time"
)

// MPIComm is the MPI transport's rank handle; this build has no MPI (see
// mpi.go, build tag planc_mpi).
type MPIComm struct{ Comm }

// DialMPI fails: this binary was built without MPI.
func DialMPI(timeout time.Duration) (*MPIComm, error) {
	return nil, errors.New("this binary was built without MPI: build it with planc build --transport=mpi (needs Open MPI's headers and mpicc), or use --transport=tcp")
}

func (c *MPIComm) Nodes() []int     { return nil }
func (c *MPIComm) SetNodes(n []int) {}
func (c *MPIComm) Close() error     { return nil }
func (c *MPIComm) Waiting() string  { return "" }
