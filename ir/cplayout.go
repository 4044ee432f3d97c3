package ir

// CPChunk is a run of positions that a context-parallel rank holds of
// every sequence.
type CPChunk struct {
	Local int // its first row among the rank's seq/cp positions of a sequence
	Pos   int // its first position in the sequence
	N     int // its positions
}

// CPChunks is context parallelism's token layout, which the runtime
// executes and the kernels are generated for: the positions of a sequence
// of seq tokens that cp rank c holds, in the rank's local order. The
// sequence is cut into 2·cp equal chunks and rank c holds chunks c and
// 2·cp−1−c (Megatron-LM's load-balanced context parallelism, which Llama
// 3's training uses too): under the causal mask the queries of chunk i
// see i+1 chunks of keys, so every rank's queries see 2·cp+1 chunks' worth
// and every rank does the same attention work, as the cost model charges
// it. When 2·cp does not divide seq, rank c holds the contiguous segment
// [c·seq/cp, (c+1)·seq/cp) (one chunk; its causal work grows with c).
func CPChunks(seq, cp, c int) []CPChunk {
	if cp > 1 && seq%(2*cp) == 0 {
		h := seq / (2 * cp)
		return []CPChunk{{Local: 0, Pos: c * h, N: h}, {Local: h, Pos: (2*cp - 1 - c) * h, N: h}}
	}
	sl := seq / max(cp, 1)
	return []CPChunk{{Local: 0, Pos: c * sl, N: sl}}
}
