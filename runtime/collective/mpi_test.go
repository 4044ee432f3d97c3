//go:build planc_mpi

package collective

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// MPIRun returns the mpirun command line that starts np copies of args:
// --oversubscribe (more ranks than cores), and --allow-run-as-root when
// running as root (CI containers). It skips the test when mpirun is
// missing, or fails it under CI (PLANC_CI=1).
func mpiRun(t *testing.T, np int, args ...string) *exec.Cmd {
	t.Helper()
	path, err := exec.LookPath("mpirun")
	if err != nil {
		if os.Getenv("PLANC_CI") == "1" {
			t.Fatal("mpirun not found (CI installs openmpi-bin)")
		}
		t.Skip("mpirun not found: install openmpi-bin to run the MPI transport's tests")
	}
	a := []string{"--oversubscribe", "-np", itoa(np)}
	if os.Geteuid() == 0 {
		a = append(a, "--allow-run-as-root")
	}
	cmd := exec.Command(path, append(a, args...)...)
	// Open MPI's shared-memory transport copies with process_vm_readv by
	// default, which containers often forbid; the tests do not need it.
	cmd.Env = append(os.Environ(), "OMPI_MCA_btl_vader_single_copy_mechanism=none")
	return cmd
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestMPIScenario runs the scenario under mpirun on 3 ranks; each rank
// compares its outputs and byte counters with the in-process transport's
// (computed in the same process), nodes as a plan with 2 ranks per node
// would place them.
func TestMPIScenario(t *testing.T) {
	if os.Getenv("PLANC_MPI_WORKER") == "1" {
		t.Skip("worker")
	}
	cmd := mpiRun(t, 3, os.Args[0], "-test.run=^TestMPIWorker$", "-test.count=1")
	cmd.Env = append(cmd.Env, "PLANC_MPI_WORKER=1")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Count(string(out), "mpi worker ok") != 3 {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
}

func TestMPIWorker(t *testing.T) {
	if os.Getenv("PLANC_MPI_WORKER") != "1" {
		t.Skip("runs under mpirun (TestMPIScenario)")
	}
	c, err := DialMPI(20 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := c.Size()
	if nodes := c.Nodes(); len(nodes) != p || nodes[0] != 0 {
		t.Fatalf("nodes %v", nodes)
	}
	c.SetNodes(func() []int { // as rank/2
		n := make([]int, p)
		for r := range n {
			n[r] = r / 2
		}
		return n
	}())
	want := make([][][]float32, p)
	wantBytes, err := runInproc(t, p, 2, 10*time.Second, func(ic Comm) error {
		o, err := scenario(ic)
		want[ic.Rank()] = o
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := scenario(c)
	if err != nil {
		c.Abort(err)
		t.Fatal(err)
	}
	if err := sameOutputs(got, want[c.Rank()]); err != nil {
		t.Fatalf("rank %d: %v", c.Rank(), err)
	}
	if c.Bytes() != wantBytes(c.Rank()) {
		t.Fatalf("rank %d: bytes %+v, in-process %+v", c.Rank(), c.Bytes(), wantBytes(c.Rank()))
	}
	os.Stdout.WriteString("mpi worker ok\n")
}

// TestMPINamesAHungRank: rank 0 waits in a collective for rank 1, which
// waits to set up a group with rank 2, which computes without answering:
// both time out, and their errors name rank 2.
func TestMPINamesAHungRank(t *testing.T) {
	if os.Getenv("PLANC_MPI_WORKER") == "1" {
		t.Skip("worker")
	}
	cmd := mpiRun(t, 3, os.Args[0], "-test.run=^TestMPIHangWorker$", "-test.count=1")
	cmd.Env = append(cmd.Env, "PLANC_MPI_WORKER=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("mpirun succeeded:\n%s", out)
	}
	for _, want := range []string{
		"rank 1 waited 1s for the other members to set up group [1,2]: ranks [2] never came: rank 2 does not answer",
		"rank 0 waited 1s for all-reduce(sum) #1 on group [0,1], which did not complete: rank 1 waits for the other members to set up group [1,2], where rank 2 does not answer",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}

func TestMPIHangWorker(t *testing.T) {
	if os.Getenv("PLANC_MPI_WORKER") != "1" {
		t.Skip("runs under mpirun (TestMPINamesAHungRank)")
	}
	c, err := DialMPI(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var opErr error
	switch c.Rank() {
	case 0:
		if opErr = c.Barrier(Group{0, 1}); opErr == nil {
			time.Sleep(100 * time.Millisecond) // rank 1 times out first
			opErr = c.AllReduce(Group{0, 1}, []float32{1}, Sum)
		}
	case 1:
		if opErr = c.Barrier(Group{0, 1}); opErr == nil {
			opErr = c.AllReduce(Group{1, 2}, []float32{1}, Sum)
		}
	default:
		time.Sleep(20 * time.Second) // hung in computation
	}
	os.Stdout.WriteString(fmt.Sprintf("rank %d: %v\n", c.Rank(), opErr))
	time.Sleep(5 * time.Second) // let the others finish asking
	c.Abort(opErr)
	c.Close()
}
