package exec

import (
	"planc/ir"
	"planc/runtime/kernels"
)

// The context-parallel layout is ir.CPChunks: cp rank c holds chunks c and
// 2·cp−1−c of 2·cp equal chunks of every sequence (one contiguous segment
// when 2·cp does not divide it), so that every rank's causal attention
// work is equal. A rank's seq/cp local positions of a sequence are its
// chunks in order (the lower chunk's first): every token-local op is
// indifferent to the layout; the embedding's positions, the loss's
// targets, RoPE's tables, MoE routing's token order and attention read it
// from here.

// chunks returns this rank's cp chunks.
func (r *rank) chunks() []ir.CPChunk { return r.chunksOf(r.coord.CP) }

// chunksOf returns cp rank c's chunks.
func (r *rank) chunksOf(c int) []ir.CPChunk { return ir.CPChunks(r.m.Seq, r.mesh.CP, c) }

// segPositions are the absolute positions of this rank's seq/cp local
// positions of a sequence.
func (r *rank) segPositions() []int32 {
	pos := make([]int32, 0, r.segLen())
	for _, ch := range r.chunks() {
		for t := 0; t < ch.N; t++ {
			pos = append(pos, int32(ch.Pos+t))
		}
	}
	return pos
}

// Chunk-major tensors. Attention runs one kernel call per chunk, and a
// kernel reads each head's rows contiguously: a head-major tensor of the
// rank's positions (p heads × seq/cp rows × w) is rearranged so that
// chunk i's p × n × w lie together, at p·local·w. With one chunk the two
// layouts coincide.

// chunkOf is chunk ch's part of chunk-major x.
func chunkOf(x []float32, ch ir.CPChunk, p, w int) []float32 {
	return x[p*ch.Local*w : p*(ch.Local+ch.N)*w]
}

// toChunkMajor writes head-major x (p × sl × w) into dst chunk-major.
func toChunkMajor(dst, x []float32, chs []ir.CPChunk, p, w int) {
	sl := len(x) / (p * w)
	for _, ch := range chs {
		part := chunkOf(dst, ch, p, w)
		for i := 0; i < p; i++ {
			copy(part[i*ch.N*w:(i+1)*ch.N*w], x[(i*sl+ch.Local)*w:(i*sl+ch.Local+ch.N)*w])
		}
	}
}

// fromChunkMajor is toChunkMajor's inverse: chunk-major x into head-major
// dst (p × sl × w).
func fromChunkMajor(dst, x []float32, chs []ir.CPChunk, p, w int) {
	sl := len(x) / (p * w)
	for _, ch := range chs {
		part := chunkOf(x, ch, p, w)
		for i := 0; i < p; i++ {
			copy(dst[(i*sl+ch.Local)*w:(i*sl+ch.Local+ch.N)*w], part[i*ch.N*w:(i+1)*ch.N*w])
		}
	}
}

// chunkMajor returns head-major x chunk-major: x itself with one chunk,
// else a copy (a buffer of b's).
func chunkMajor(b bufs, x []float32, chs []ir.CPChunk, p, w int) []float32 {
	if len(chs) == 1 {
		return x
	}
	out := b.allocOut(len(x))
	toChunkMajor(out, x, chs, p, w)
	return out
}

// chunkAcc returns the chunk-major buffer of a gradient the size of x
// that kernels add into: x itself with one chunk (then unchunk has
// nothing to do), else a zeroed buffer of b's.
func chunkAcc(b bufs, x []float32, chs []ir.CPChunk) []float32 {
	if len(chs) == 1 {
		return x
	}
	return b.alloc(len(x))
}

// unchunk writes chunkAcc's buffer x back into head-major dst.
func unchunk(dst, x []float32, chs []ir.CPChunk, p, w int) {
	if len(chs) > 1 {
		fromChunkMajor(dst, x, chs, p, w)
	}
}

// mergeOut writes attention's output as token rows y ([batch·sl,
// heads·w]), the output projection's input: from head-major a.o, or,
// where the rank holds several chunks (a.o nil), straight from
// chunk-major a.oc, with no head-major copy between.
func (r *rank) mergeOut(y []float32, a *attnActs, batch, sl, heads, w int) {
	if a.o != nil {
		kernels.MergeHeads(y, a.o, batch, sl, heads, w)
		return
	}
	p := batch * heads
	for _, ch := range r.chunks() {
		o := chunkOf(a.oc, ch, p, w)
		for bh := 0; bh < p; bh++ {
			row := (bh/heads)*sl + ch.Local // the chunk's first token row
			h := bh % heads
			for t := 0; t < ch.N; t++ {
				dst := ((row+t)*heads + h) * w
				copy(y[dst:dst+w], o[(bh*ch.N+t)*w:(bh*ch.N+t+1)*w])
			}
		}
	}
}

// splitOut is mergeOut's adjoint: it writes the gradient dy of the token
// rows into do in the layout of a's output (head-major, or chunk-major
// where a.o is nil: what the backward of allgather, lss and ring reads).
func (r *rank) splitOut(do, dy []float32, a *attnActs, batch, sl, heads, w int) {
	if a.o != nil {
		kernels.SplitHeads(do, dy, batch, sl, heads, w)
		return
	}
	p := batch * heads
	for _, ch := range r.chunks() {
		o := chunkOf(do, ch, p, w)
		for bh := 0; bh < p; bh++ {
			row := (bh/heads)*sl + ch.Local
			h := bh % heads
			for t := 0; t < ch.N; t++ {
				src := ((row+t)*heads + h) * w
				copy(o[(bh*ch.N+t)*w:(bh*ch.N+t+1)*w], dy[src:src+w])
			}
		}
	}
}
