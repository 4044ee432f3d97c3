package exec

import (
	"fmt"
	"math"
	"testing"

	"planc/ir"
	"planc/runtime/cpuclock"
)

// TestCPChunksCoverTheSequence checks the layout's contract: the cp ranks'
// chunks hold every position of a sequence once, each rank seq/cp of
// them, in local order; 2·cp equal chunks (rank c: c and 2·cp−1−c) when
// 2·cp divides seq, else one contiguous segment.
func TestCPChunksCoverTheSequence(t *testing.T) {
	for _, c := range []struct{ seq, cp, chunks int }{
		{64, 1, 1}, {64, 2, 2}, {64, 4, 2}, {256, 2, 2}, {36, 4, 1}, {15, 3, 1}, {24, 3, 2},
	} {
		t.Run(fmt.Sprintf("seq=%d cp=%d", c.seq, c.cp), func(t *testing.T) {
			seen := make([]int, c.seq)
			for r := 0; r < c.cp; r++ {
				chs := ir.CPChunks(c.seq, c.cp, r)
				if len(chs) != c.chunks {
					t.Fatalf("rank %d holds %d chunks, want %d", r, len(chs), c.chunks)
				}
				local := 0
				for _, ch := range chs {
					if ch.Local != local {
						t.Errorf("rank %d: chunk at position %d starts at local row %d, want %d", r, ch.Pos, ch.Local, local)
					}
					local += ch.N
					for p := ch.Pos; p < ch.Pos+ch.N; p++ {
						seen[p]++
					}
				}
				if local != c.seq/c.cp {
					t.Errorf("rank %d holds %d positions, want seq/cp = %d", r, local, c.seq/c.cp)
				}
				if c.chunks == 2 {
					h := c.seq / (2 * c.cp)
					if chs[0].Pos != r*h || chs[1].Pos != (2*c.cp-1-r)*h {
						t.Errorf("rank %d holds chunks at %d and %d, want %d and %d", r, chs[0].Pos, chs[1].Pos, r*h, (2*c.cp-1-r)*h)
					}
				}
			}
			for p, n := range seen {
				if n != 1 {
					t.Fatalf("position %d held %d times", p, n)
				}
			}
		})
	}
}

// TestCPAttentionWorkIsBalanced is the load-balanced layout's point: under
// every cp_mode each cp rank's attention kernels score the same number of
// query-key pairs, 1/cp of the causal pairs of the whole sequence
// (seq·(seq+1)/2 per head and sequence). On contiguous segments rank c
// would score (2c+1)/cp² of them: at cp = 2, 1/4 and 3/4.
func TestCPAttentionWorkIsBalanced(t *testing.T) {
	for _, c := range []struct {
		model func() *ir.Model
		opts  string
	}{
		{tinyGPT, "cp=2 cp_mode=allgather"}, {tinyGPT, "cp=2 cp_mode=lss"}, {tinyGPT, "cp=4 cp_mode=lss"},
		{tinyGPT, "cp=2 cp_mode=ring"}, {tinyGPT, "cp=4 cp_mode=ring"}, {tinyGPT, "cp=2 cp_mode=ulysses"},
		{tinyGPT, "cp=2 cp_mode=lss dp=2"}, {tinyGPT, "cp=2 cp_mode=ring tp=2"},
		{tinyLlama, "cp=4 cp_mode=ring"}, {tinyLlama, "cp=2 cp_mode=allgather"}, // grouped-query attention, RoPE
		{tinyMLA, "cp=2 cp_mode=lss"}, {tinyMLA, "cp=2 cp_mode=ring"}, // MLA
	} {
		m := c.model()
		t.Run(m.Name+" "+c.opts, func(t *testing.T) {
			p := plan(m, c.opts)
			_, tr := train(t, p, 1)
			S := int64(m.Seq)
			perSeqHead := S * (S + 1) / 2
			// every layer's attention, once per sequence of the rank's
			// micro-batches and per head this rank holds
			seqs := int64(p.GlobalBatch / p.DP)
			want := int64(m.Layers) * seqs * int64(m.Heads/p.TP) * perSeqHead / int64(p.CP)
			for _, rk := range tr.ranks {
				if rk.scored != want {
					t.Errorf("rank %d (cp %d) scored %d query-key pairs, want %d (1/cp of the causal pairs)", rk.id, rk.coord.CP, rk.scored, want)
				}
			}
		})
	}
}

// TestCPContiguousFallbackIsUnbalanced pins what the counter measures: when
// 2·cp does not divide the sequence the ranks hold contiguous segments, and
// the later ones score more pairs (rank c: (2c+1)/cp² of the causal pairs
// plus the diagonal's share).
func TestCPContiguousFallbackIsUnbalanced(t *testing.T) {
	m := tinyGPT()
	m.Seq = 36 // 4 | 36, 8 ∤ 36
	p := plan(m, "cp=4 cp_mode=allgather")
	_, tr := train(t, p, 1)
	sl := int64(m.Seq / p.CP)
	for _, rk := range tr.ranks {
		c := int64(rk.coord.CP)
		// queries c·sl … (c+1)·sl−1 each see position+1 keys
		perSeqHead := sl*c*sl + sl*(sl+1)/2
		want := int64(m.Layers) * int64(p.GlobalBatch) * int64(m.Heads) * perSeqHead
		if rk.scored != want {
			t.Errorf("rank %d scored %d query-key pairs, want %d", rk.id, rk.scored, want)
		}
	}
}

// BenchmarkCPAttentionPerRank times one cp rank's attention kernels (one
// layer's forward and backward for one micro-batch, the per-chunk copies
// included) under cp_mode = lss at examples/lss_cpu.plan's shapes
// (tiny_long_gpt: seq 256, micro-batch 2, 4 heads of 16) at cp = 2, per
// rank: on the contiguous segment each rank held before the load-balanced
// layout (one call, the segment's queries against the whole sequence's
// keys) and on its two chunks (wholeKeysForward/Backward, as the runtime
// runs them). The slowest rank sets the pace of every collective. Run it
// on one processor and read cpu-ns/op (the process CPU clock, steady
// under load):
//
//	go test ./runtime/exec -run XXX -bench CPAttentionPerRank -cpu 1 -benchtime 200x
func BenchmarkCPAttentionPerRank(b *testing.B) {
	m := tinyGPT()
	m.Seq, m.Layers = 256, 2
	p := plan(m, "cp=2 cp_mode=lss")
	tr, err := NewTrainer(Config{Plan: p, Steps: 1})
	if err != nil {
		b.Fatal(err)
	}
	for _, layout := range []string{"contiguous", "balanced"} {
		for _, rk := range tr.ranks {
			b.Run(fmt.Sprintf("%s/rank%d", layout, rk.coord.CP), func(b *testing.B) {
				benchRankAttention(b, rk, layout == "balanced")
			})
		}
	}
}

func benchRankAttention(b *testing.B, rk *rank, balanced bool) {
	pq, pk, d, w := rk.attnDimsCP()
	sl, S := rk.segLen(), rk.m.Seq
	fill := func(n int, seed float32) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(math.Sin(float64(seed) + float64(i)*0.37))
		}
		return x
	}
	a := &attnActs{q: fill(pq*sl*d, 1), o: make([]float32, pq*sl*w), lse: make([]float32, pq*sl)}
	k, v := fill(pk*S*d, 2), fill(pk*S*w, 3)
	do := fill(pq*sl*w, 4)
	c := rk.coord.CP
	b.ResetTimer()
	c0, _ := cpuclock.Process()
	for i := 0; i < b.N; i++ {
		dq, dK, dV := make([]float32, len(a.q)), make([]float32, len(k)), make([]float32, len(v))
		if balanced {
			rk.wholeKeysForward(newBufs{}, a, k, v)
			rk.wholeKeysBackward(newBufs{}, a, do, dq, k, v, dK, dV)
		} else {
			sh := rk.attnShape(sl, S, c*sl, 0)
			rk.attnFwd(a.o, a.lse, a.q, k, v, sh, rk.kvHeads())
			rk.attnBwd(dq, dK, dV, do, a.q, k, v, a.o, a.lse, sh, rk.kvHeads())
		}
	}
	c1, _ := cpuclock.Process()
	b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
}

// TestCPContiguousFallbackMatchesSerial holds the one-segment layout (2·cp
// does not divide the sequence) to the serial losses, as
// TestParallelPlansMatchSerial holds the two-chunk one.
func TestCPContiguousFallbackMatchesSerial(t *testing.T) {
	for _, c := range []struct {
		model      func() *ir.Model
		base, opts string
	}{
		{tinyGPT, "", "cp=4 cp_mode=allgather"},
		{tinyGPT, "", "cp=4 cp_mode=ulysses"},
		{tinyMoE, "dispatch=capacity cf=1.0", "cp=4 cp_mode=lss ep=2"},
	} {
		t.Run(c.opts, func(t *testing.T) {
			m := c.model()
			m.Seq = 36 // 4 | 36, 8 ∤ 36
			const steps = 3
			want, _ := train(t, plan(m, c.base), steps)
			got, _ := train(t, plan(m, c.base+" "+c.opts), steps)
			if d := relDiff(got[0], want[0]); d > 1e-6 {
				t.Errorf("first-step loss %.9g, serial %.9g (rel %.2g > 1e-6)", got[0], want[0], d)
			}
			for i := range got {
				if d := relDiff(got[i], want[i]); d > 1e-4 {
					t.Errorf("step %d loss %.9g, serial %.9g (rel %.2g > 1e-4)", i, got[i], want[i], d)
				}
			}
		})
	}
}
