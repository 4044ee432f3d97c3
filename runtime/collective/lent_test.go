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
// whatever the sizes (growing, shrinking), on every transport.
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
					send := make([][]float32, p)
					for j := range send {
						send[j] = make([]float32, lentSize(k, r, j))
						for q := range send[j] {
							send[j][q] = lentValue(k, r, j, q)
						}
					}
					recv, err := AllToAllLent(c, g, send)
					if err != nil {
						return err
					}
					for j := range send { // the sender may reuse its own buffers at once
						clear(send[j])
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
