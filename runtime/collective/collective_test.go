package collective

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func all(n int) Group {
	g := make(Group, n)
	for i := range g {
		g[i] = i
	}
	return g
}

func TestAllReduceIsDeterministicAndInGroupOrder(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			// Values whose float32 sum depends on the order of addition.
			vals := []float32{1e8, 1, -1e8, 1}
			want := ((vals[0] + vals[1]) + vals[2]) + vals[3]
			for trial := 0; trial < 20; trial++ {
				got := make([]float32, 4)
				_, err := tr.run(t, 4, 0, time.Second, func(c Comm) error {
					// Arrive in a random order.
					time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
					buf := []float32{vals[c.Rank()]}
					if err := c.AllReduce(all(4), buf, Sum); err != nil {
						return err
					}
					got[c.Rank()] = buf[0]
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				for r, v := range got {
					if v != want {
						t.Fatalf("trial %d rank %d: got %v, want %v (group-order sum)", trial, r, v, want)
					}
				}
			}
		})
	}
}

func TestCollectives(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			const p = 3
			type result struct {
				mean, rs, ag []float32
				a2a          [][]float32
				bc, recv     []float32
			}
			res := make([]result, p)
			bytes, err := tr.run(t, p, 2, time.Second, func(c Comm) error {
				r := c.Rank()
				g := all(p)
				var out result
				buf := []float32{float32(r), 10 * float32(r), 1, 2, 3}
				if err := c.AllReduce(g, buf, Mean); err != nil {
					return err
				}
				out.mean = buf
				var err error
				// 7 elements over 3 ranks: chunks 3, 2, 2.
				in := []float32{1, 2, 3, 4, 5, 6, 7}
				if out.rs, err = c.ReduceScatter(g, in, Sum); err != nil {
					return err
				}
				part := make([]float32, r+1) // uneven parts
				for i := range part {
					part[i] = float32(r)
				}
				if out.ag, err = c.AllGather(g, part); err != nil {
					return err
				}
				send := make([][]float32, p)
				for j := range send {
					for k := 0; k < r+j; k++ { // uneven splits
						send[j] = append(send[j], float32(100*r+j))
					}
				}
				if out.a2a, err = c.AllToAll(g, send); err != nil {
					return err
				}
				bc := []float32{float32(r), float32(r)}
				if err := c.Broadcast(g, 1, bc); err != nil {
					return err
				}
				out.bc = bc
				if err := c.Send((r+1)%p, 7, []float32{float32(r), 7}); err != nil {
					return err
				}
				if out.recv, err = c.Recv((r+p-1)%p, 7); err != nil {
					return err
				}
				if err := c.Barrier(g); err != nil {
					return err
				}
				res[r] = out
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for r := 0; r < p; r++ {
				o := res[r]
				if want := []float32{1, 10, 1, 2, 3}; !reflect.DeepEqual(o.mean, want) {
					t.Errorf("rank %d all-reduce mean = %v, want %v", r, o.mean, want)
				}
				wantRS := [][]float32{{3, 6, 9}, {12, 15}, {18, 21}}[r]
				if !reflect.DeepEqual(o.rs, wantRS) {
					t.Errorf("rank %d reduce-scatter = %v, want %v", r, o.rs, wantRS)
				}
				if want := []float32{0, 1, 1, 2, 2, 2}; !reflect.DeepEqual(o.ag, want) {
					t.Errorf("rank %d all-gather = %v, want %v", r, o.ag, want)
				}
				for i := 0; i < p; i++ {
					if len(o.a2a[i]) != i+r {
						t.Errorf("rank %d all-to-all from %d: %d elements, want %d", r, i, len(o.a2a[i]), i+r)
					}
					for _, v := range o.a2a[i] {
						if v != float32(100*i+r) {
							t.Errorf("rank %d all-to-all from %d: got %v", r, i, v)
						}
					}
				}
				if want := []float32{1, 1}; !reflect.DeepEqual(o.bc, want) {
					t.Errorf("rank %d broadcast = %v, want %v", r, o.bc, want)
				}
				if want := []float32{float32((r + p - 1) % p), 7}; !reflect.DeepEqual(o.recv, want) {
					t.Errorf("rank %d recv = %v, want %v", r, o.recv, want)
				}
			}
			// Byte counts by the documented convention; ranks 0,1 on node 0, rank 2
			// on node 1. Ring links: 0->1 intra, 1->2 inter, 2->0 inter.
			var want [p]Counters
			add := func(from, to, elems int) {
				b := int64(elems) * 4
				if from/2 == to/2 {
					want[from].IntraNode += b
				} else {
					want[from].InterNode += b
				}
			}
			for i := 0; i < p; i++ { // all-reduce of 5 elements: chunks 2,2,1
				ch := Chunks(5, p)
				add(i, (i+1)%p, (5-ch[i])+(5-ch[(i+1)%p]))
			}
			for i := 0; i < p; i++ { // reduce-scatter of 7: chunks 3,2,2
				add(i, (i+1)%p, 7-Chunks(7, p)[i])
			}
			for i := 0; i < p; i++ { // all-gather of 1+2+3 = 6, parts i+1
				add(i, (i+1)%p, 6-((i+1)%p+1))
			}
			for i := 0; i < p; i++ { // all-to-all: i sends i+j to j
				for j := 0; j < p; j++ {
					if i != j {
						add(i, j, i+j)
					}
				}
			}
			add(1, 2, 2) // broadcast chain from root 1: 1->2->0
			add(2, 0, 2)
			for i := 0; i < p; i++ {
				add(i, (i+1)%p, 2)
			}
			for r := 0; r < p; r++ {
				if got := bytes(r); got != want[r] {
					t.Errorf("rank %d bytes = %+v, want %+v", r, got, want[r])
				}
			}
		})
	}
}

func TestRingBytesMatchAlphaBetaVolume(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			// For p dividing n, every ring member sends 2(p-1)/p·n elements in an
			// all-reduce: what the cost model multiplies by β.
			for _, p := range []int{2, 4, 8} {
				n := 1024
				bytes, err := tr.run(t, p, 0, time.Second, func(c Comm) error {
					return c.AllReduce(all(p), make([]float32, n), Sum)
				})
				if err != nil {
					t.Fatal(err)
				}
				want := int64(p) * int64(2*(p-1)*n/p) * 4
				if got := total(bytes, p); got != want {
					t.Errorf("p=%d: all-reduce moved %d bytes, want %d", p, got, want)
				}
			}
		})
	}
}

// TestRingTotalsForAnyLength: whatever the chunking, a ring all-reduce
// carries each element over 2(p−1) links (p−1 to reduce, p−1 to
// distribute) and a reduce-scatter or all-gather over p−1, so the bytes
// of all ranks together are 2(p−1)·n·4 and (p−1)·n·4, also when p does not
// divide n (chunks of unequal length).
func TestRingTotalsForAnyLength(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			for _, p := range []int{2, 3, 5} {
				for _, n := range []int{p, 7, 13, 100} {
					ops := []struct {
						name  string
						links int
						run   func(c Comm) error
					}{
						{"all-reduce", 2 * (p - 1), func(c Comm) error { return c.AllReduce(all(p), make([]float32, n), Sum) }},
						{"reduce-scatter", p - 1, func(c Comm) error { _, err := c.ReduceScatter(all(p), make([]float32, n), Sum); return err }},
						{"all-gather", p - 1, func(c Comm) error {
							_, err := c.AllGather(all(p), make([]float32, Chunks(n, p)[c.Rank()]))
							return err
						}},
					}
					for _, op := range ops {
						bytes, err := tr.run(t, p, 0, time.Second, op.run)
						if err != nil {
							t.Fatal(err)
						}
						if got, want := total(bytes, p), int64(op.links*n*4); got != want {
							t.Errorf("p=%d n=%d %s: %d bytes in all, want %d·%d·4 = %d", p, n, op.name, got, op.links, n, want)
						}
					}
				}
			}
		})
	}
}

func TestMissingPeerTimesOut(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			start := time.Now()
			_, err := tr.run(t, 3, 0, 100*time.Millisecond, func(c Comm) error {
				if c.Rank() == 2 {
					return nil // never joins
				}
				return c.AllReduce(all(3), []float32{1}, Sum)
			})
			if err == nil || !strings.Contains(err.Error(), "ranks [2] never arrived") {
				t.Fatalf("err = %v, want a timeout naming rank 2", err)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
			_, err = tr.run(t, 2, 0, 100*time.Millisecond, func(c Comm) error {
				if c.Rank() == 1 {
					_, err := c.Recv(0, 1)
					return err
				}
				return nil
			})
			if err == nil || !strings.Contains(err.Error(), "never sent") {
				t.Fatalf("recv err = %v", err)
			}
		})
	}
}

func TestFailedRankAbortsOthers(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			start := time.Now()
			_, err := tr.run(t, 4, 0, time.Minute, func(c Comm) error {
				if c.Rank() == 3 {
					return fmt.Errorf("out of data")
				}
				return c.Barrier(all(4))
			})
			if err == nil || !strings.Contains(err.Error(), "rank 3: out of data") {
				t.Fatalf("err = %v, want rank 3's error", err)
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("abort did not stop the waiters: %v", time.Since(start))
			}
		})
	}
}

func TestMismatchedCalls(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			_, err := tr.run(t, 2, 0, time.Second, func(c Comm) error {
				if c.Rank() == 0 {
					return c.AllReduce(all(2), []float32{1}, Sum)
				}
				_, err := c.AllGather(all(2), []float32{1})
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "mismatched") {
				t.Fatalf("err = %v, want a mismatch", err)
			}
			_, err = tr.run(t, 2, 0, time.Second, func(c Comm) error {
				return c.AllReduce(all(2), make([]float32, 1+c.Rank()), Sum)
			})
			if err == nil || !strings.Contains(err.Error(), "elements") {
				t.Fatalf("err = %v, want a size mismatch", err)
			}
			_, err = tr.run(t, 2, 0, time.Second, func(c Comm) error {
				_, err := c.ReduceScatter(all(2), make([]float32, 4+c.Rank()), Sum)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "elements") {
				t.Fatalf("reduce-scatter: err = %v, want a size mismatch", err)
			}
			_, err = tr.run(t, 2, 0, time.Second, func(c Comm) error {
				// rank 1's buffer is one short of the parts' 4
				return c.AllGatherInto(all(2), make([]float32, 2), make([]float32, 4-c.Rank()))
			})
			if err == nil || !strings.Contains(err.Error(), "gathers 4 elements into 3") {
				t.Fatalf("all-gather into: err = %v, want a size mismatch", err)
			}
		})
	}
}

func TestAllReduceMax(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			const p = 3
			got := make([][]float32, p)
			_, err := tr.run(t, p, 1, time.Second, func(c Comm) error {
				r := c.Rank()
				buf := []float32{float32(r), -float32(r), 5}
				if err := c.AllReduce(all(p), buf, Max); err != nil {
					return err
				}
				got[r] = buf
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for r, o := range got {
				if want := []float32{p - 1, 0, 5}; !reflect.DeepEqual(o, want) {
					t.Errorf("rank %d all-reduce max = %v, want %v", r, o, want)
				}
			}
		})
	}
}

// TestSharedMeetingsEachWay runs the in-process reduce-scatter and
// all-gathers with a processor per rank, each member doing its own part,
// and where the last member does every part: with fewer processors than
// ranks, and for a small meeting.
func TestSharedMeetingsEachWay(t *testing.T) {
	const p, n = 2, 1100 // chunks of 550: more than one block of the sum
	for _, c := range []struct {
		name       string
		procs      int
		sharedFrom int
	}{{"shared", p, 0}, {"fewer processors", 1, 0}, {"small", p, 1 << 20}} {
		t.Run(c.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(c.procs))
			defer func(v int) { sharedFrom = v }(sharedFrom)
			sharedFrom = c.sharedFrom
			_, err := Run(p, 0, time.Minute, func(c Comm) error {
				r := c.Rank()
				in := make([]float32, n)
				for i := range in {
					in[i] = float32(i + r)
				}
				rs, err := c.ReduceScatter(all(p), in, Sum)
				if err != nil {
					return err
				}
				lo := ChunkOffsets(n, p)[r]
				for i, v := range rs {
					if want := float32(2*(lo+i) + 1); v != want {
						return fmt.Errorf("rank %d reduce-scatter[%d] = %v, want %v", r, i, v, want)
					}
				}
				out := make([]float32, 2*n)
				mine := out[r*n : (r+1)*n]
				for i := range mine {
					mine[i] = float32(r*n + i)
				}
				if err := c.AllGatherInto(all(p), mine, out); err != nil {
					return err
				}
				ag, err := c.AllGather(all(p), mine)
				if err != nil {
					return err
				}
				for i := range out {
					if out[i] != float32(i) || ag[i] != float32(i) {
						return fmt.Errorf("rank %d all-gather[%d] = %v (into) and %v, want %v", r, i, out[i], ag[i], i)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
