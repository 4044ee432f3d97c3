package collective

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// A runner runs fn on every rank of a job of size ranks (perNode to a
// node) and returns each rank's byte counters and the first error.
type runner func(t testing.TB, size, perNode int, timeout time.Duration, fn func(c Comm) error) (func(rank int) Counters, error)

// transports are the transports whose ranks can run in one test process;
// every test of the package's contract runs on each.
var transports = []struct {
	name string
	run  runner
}{
	{"inproc", runInproc},
	{"tcp", runTCP},
}

func runInproc(t testing.TB, size, perNode int, timeout time.Duration, fn func(c Comm) error) (func(int) Counters, error) {
	w, err := Run(size, perNode, timeout, fn)
	return w.RankBytes, err
}

func total(bytes func(int) Counters, p int) int64 {
	var n int64
	for r := 0; r < p; r++ {
		n += bytes(r).Total()
	}
	return n
}

// freeAddr returns a loopback address with a port that was free.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// runTCP runs every rank as a goroutine with its own TCP transport over
// loopback; the first error in time is returned, as a failing process's
// would be the first printed.
func runTCP(t testing.TB, size, perNode int, timeout time.Duration, fn func(c Comm) error) (func(int) Counters, error) {
	t.Helper()
	// freeAddr's port can be taken by another test's ephemeral listener
	// before the coordinator binds it: try a fresh port then.
	for attempt := 1; ; attempt++ {
		counters, err := runTCPAt(t, freeAddr(t), size, perNode, timeout, fn)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			return counters, err
		}
	}
}

// runTCPAt is runTCP with its coordinator at coord.
func runTCPAt(t testing.TB, coord string, size, perNode int, timeout time.Duration, fn func(c Comm) error) (func(int) Counters, error) {
	t.Helper()
	comms := make([]*TCPComm, size)
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
	}
	for r := 0; r < size; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			node := "0"
			if perNode > 0 {
				node = fmt.Sprint(r / perNode)
			}
			c, err := DialTCP(TCPConfig{Rank: r, Size: size, Coordinator: coord, Token: "test-token", Node: node, Timeout: timeout, ConnectTimeout: max(timeout, 10*time.Second)})
			if err != nil {
				fail(err)
				return
			}
			comms[r] = c
			if err := fn(c); err != nil {
				err = fmt.Errorf("rank %d: %w", r, err)
				fail(err)
				c.Abort(err)
			}
		}(r)
	}
	wg.Wait()
	for _, c := range comms {
		if c != nil {
			c.Close()
		}
	}
	return func(r int) Counters {
		if comms[r] == nil {
			return Counters{}
		}
		return comms[r].Bytes()
	}, first
}

// TestScenarioMatchesInProcess: every transport gives the in-process
// transport's outputs bit for bit, and its byte counters.
func TestScenarioMatchesInProcess(t *testing.T) {
	const p = 3
	want := make([][][]float32, p)
	wantBytes, err := runInproc(t, p, 2, 10*time.Second, func(c Comm) error {
		o, err := scenario(c)
		want[c.Rank()] = o
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range transports[1:] {
		got := make([][][]float32, p)
		bytes, err := tr.run(t, p, 2, 10*time.Second, func(c Comm) error {
			o, err := scenario(c)
			got[c.Rank()] = o
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", tr.name, err)
		}
		for r := 0; r < p; r++ {
			if err := sameOutputs(got[r], want[r]); err != nil {
				t.Errorf("%s rank %d: %v", tr.name, r, err)
			}
			if bytes(r) != wantBytes(r) {
				t.Errorf("%s rank %d: bytes %+v, in-process %+v", tr.name, r, bytes(r), wantBytes(r))
			}
		}
	}
}

// BenchmarkAllReduce: an all-reduce of 1 Mi floats over 4 ranks on each
// transport that runs in one process, side by side (bytes/s are the
// buffer's bytes per all-reduce):
//
//	go test -run '^$' -bench AllReduce ./runtime/collective
func BenchmarkAllReduce(b *testing.B) {
	const p, n = 4, 1 << 20
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			b.SetBytes(4 * n)
			_, err := tr.run(b, p, 0, time.Minute, func(c Comm) error {
				buf := make([]float32, n)
				for i := 0; i < b.N; i++ {
					if err := c.AllReduce(all(p), buf, Sum); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
