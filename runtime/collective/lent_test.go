package collective

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestAllToAllLent: what a rank receives by AllToAllLent stays intact
// until its next call on the group, however the members arrive and
// whatever the sizes (growing, shrinking), and wherever the chunks are
// written (the transport's buffer, asked for once or twice, or the
// caller's), on every transport.
func TestAllToAllLent(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			const p, rounds = 4, 40
			_, err := tr.run(t, p, 0, 5*time.Second, func(c Comm) error {
				r, g := c.Rank(), all(p)
				rng := rand.New(rand.NewPCG(uint64(r), 1))
				var prev [][]float32
				var prevRound int
				for k := 0; k < rounds; k++ {
					// the previous round's chunks, read just before the next call
					time.Sleep(time.Duration(rng.IntN(200)) * time.Microsecond)
					if err := checkLent(prev, prevRound, r); err != nil {
						return err
					}
					send := lentChunks(c, g, k, r, rng.IntN(3))
					recv, err := AllToAllLent(c, g, send)
					if err != nil {
						return err
					}
					if &send[0][:cap(send[0])][cap(send[0])-1] != &send[p-1][:cap(send[p-1])][cap(send[p-1])-1] {
						for j := range send { // the sender may reuse its own buffers at once
							clear(send[j])
						}
					}
					prev, prevRound = recv, k
					if err := checkLent(prev, prevRound, r); err != nil {
						return err
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

// lentChunks returns rank from's chunks of round k: in buffers of its own
// (how 0), or in the transport's AllToAllBuffer, asked for once (how 1) or
// first for fewer elements and then again (how 2).
func lentChunks(c Comm, g Group, k, from, how int) [][]float32 {
	sizes := make([]int, len(g))
	total := 0
	for j := range sizes {
		sizes[j] = lentSize(k, from, j)
		total += sizes[j]
	}
	var buf []float32
	if how == 2 {
		AllToAllBuffer(c, g, total/2)
	}
	if how > 0 {
		buf = AllToAllBuffer(c, g, total)
	}
	send := make([][]float32, len(g))
	for j, n := range sizes {
		if buf != nil {
			send[j], buf = buf[:n], buf[n:]
		} else {
			send[j] = make([]float32, n)
		}
		for q := range send[j] {
			send[j][q] = lentValue(k, from, j, q)
		}
	}
	return send
}

// lentSize is what rank from sends rank to in round k: it grows and
// shrinks over the rounds, and differs by pair (all-to-all-v).
func lentSize(k, from, to int) int { return 1 + (k*37+from*11+to*5)%300 }

func lentValue(k, from, to, q int) float32 {
	return float32(k*1_000_000 + from*100_000 + to*10_000 + q)
}

func checkLent(recv [][]float32, k, me int) error {
	for from, chunk := range recv {
		if len(chunk) != lentSize(k, from, me) {
			return fmt.Errorf("round %d: rank %d got %d elements from %d, want %d", k, me, len(chunk), from, lentSize(k, from, me))
		}
		for q, v := range chunk {
			if v != lentValue(k, from, me, q) {
				return fmt.Errorf("round %d: rank %d got %v from %d at %d, want %v (written over before its next call)", k, me, v, from, q, lentValue(k, from, me, q))
			}
		}
	}
	return nil
}

// TestAllToAllLentReusesItsBuffers: the in-process AllToAllLent allocates
// no memory per call for the chunks (two buffers per rank and group, in
// turn), where AllToAll allocates every chunk.
func TestAllToAllLentReusesItsBuffers(t *testing.T) {
	const p, rounds, n = 4, 100, 4096 // 16 KiB chunks, as tiny_moe's exchange
	allocated := func(lent bool) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Run(p, 0, 5*time.Second, func(c Comm) error {
			send := make([][]float32, p)
			for j := range send {
				send[j] = make([]float32, n)
			}
			for k := 0; k < rounds; k++ {
				var err error
				if lent {
					_, err = AllToAllLent(c, all(p), send)
				} else {
					_, err = c.AllToAll(all(p), send)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	chunks := uint64(p * p * rounds * n * 4)
	plain, lent := allocated(false), allocated(true)
	t.Logf("allocated over %d calls of %d ranks: AllToAll %d KiB, AllToAllLent %d KiB (the chunks: %d KiB)", rounds, p, plain>>10, lent>>10, chunks>>10)
	if plain < chunks {
		t.Errorf("AllToAll allocated %d bytes, less than its chunks' %d: the comparison measures nothing", plain, chunks)
	}
	if lent > chunks/10 {
		t.Errorf("AllToAllLent allocated %d bytes, want under a tenth of the chunks' %d", lent, chunks)
	}
}

// TestAllToAllLentWithAllToAllIsAMismatch: a member that lends and one that
// does not cannot meet (the second would keep chunks the first writes over).
func TestAllToAllLentWithAllToAllIsAMismatch(t *testing.T) {
	_, err := Run(2, 0, time.Second, func(c Comm) error {
		send := [][]float32{{1}, {2}}
		var err error
		if c.Rank() == 0 {
			_, err = AllToAllLent(c, all(2), send)
		} else {
			_, err = c.AllToAll(all(2), send)
		}
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "mismatched") {
		t.Fatalf("err = %v, want a mismatch", err)
	}
}

// TestAllToAllBufferIsNotCopied: chunks written into the in-process
// transport's AllToAllBuffer reach the members as they are (the receiver
// reads the sender's memory), and a chunk that is not there is copied.
func TestAllToAllBufferIsNotCopied(t *testing.T) {
	const p = 3
	sent := make([][]float32, p)
	got := make([][][]float32, p)
	_, err := Run(p, 0, time.Second, func(c Comm) error {
		r, g := c.Rank(), all(p)
		buf := AllToAllBuffer(c, g, 2*p)
		if len(buf) != 2*p {
			return fmt.Errorf("rank %d: AllToAllBuffer gave %d elements, want %d", r, len(buf), 2*p)
		}
		send := make([][]float32, p)
		for j := range send {
			send[j] = buf[2*j : 2*j]
			send[j] = append(send[j], float32(r), float32(j))
		}
		if r == 0 {
			send[1] = []float32{0, 1} // elsewhere: copied (all of rank 0's chunks then)
		}
		sent[r] = buf
		recv, err := AllToAllLent(c, g, send)
		got[r] = recv
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for r := 0; r < p; r++ {
		for from := 0; from < p; from++ {
			chunk := got[r][from]
			if len(chunk) != 2 || chunk[0] != float32(from) || chunk[1] != float32(r) {
				t.Errorf("rank %d from %d: got %v, want [%d %d]", r, from, chunk, from, r)
				continue
			}
			inBuf := &chunk[0] == &sent[from][2*r]
			if want := from != 0; inBuf != want {
				t.Errorf("rank %d from %d: the chunk is the sender's buffer: %v, want %v", r, from, inBuf, want)
			}
		}
	}
}

// TestAllToAllLentTurns: however a rank asks for AllToAllBuffer (not at
// all, once, or again for more) and wherever it writes its chunks, a call
// never writes over the memory of the call before it (its members may
// still read it), while every call's chunks arrive whole.
func TestAllToAllLentTurns(t *testing.T) {
	_, err := Run(1, 0, time.Second, func(c Comm) error {
		g := all(1)
		rng := rand.New(rand.NewPCG(7, 7))
		var prev []float32
		for k := 0; k < 300; k++ {
			n := 1 + rng.IntN(64)
			if k%50 == 49 {
				n = 100 * k // growing past every earlier size
			}
			var send []float32
			switch how := rng.IntN(4); how {
			case 0:
				send = make([]float32, n)
			case 1, 2:
				if how == 2 {
					AllToAllBuffer(c, g, 1+rng.IntN(n))
				}
				send = AllToAllBuffer(c, g, n)[:n]
			case 3: // asked for, then not used
				AllToAllBuffer(c, g, n)
				send = make([]float32, n)
			}
			for q := range send {
				send[q] = float32(k)
			}
			recv, err := AllToAllLent(c, g, [][]float32{send})
			if err != nil {
				return err
			}
			got := recv[0]
			if len(got) != n || got[0] != float32(k) || got[n-1] != float32(k) {
				return fmt.Errorf("call %d: got %d elements (%v…), want %d of %d", k, len(got), got[:1], n, k)
			}
			for _, v := range prev {
				if v != float32(k-1) {
					return fmt.Errorf("call %d wrote over call %d's chunk: %v", k, k-1, v)
				}
			}
			prev = got
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
