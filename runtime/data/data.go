// Package data supplies the token streams that planc trains and evaluates
// on, and the order in which a run draws its samples.
//
// # Sources
//
// [Load] reads a token stream from a path:
//
//   - a text file: byte-level tokens (vocabulary 256), one token per byte;
//   - a `.bin` file: llm.c token files, recognized by their 1024-byte
//     header of 256 little-endian int32 (magic 20240520 version 1 with uint16
//     tokens, or magic 20240801 version 7 with uint32 tokens; header[2] is the
//     token count), or, without that header, nanoGPT's headerless
//     little-endian uint16 tokens;
//   - a folder: every regular file in it whose name does not start with "."
//     in sorted name order, concatenated; either all `.bin` token files or
//     all text.
//
// The empty path means the default corpus ([Default]), embedded in the planc
// binary so that every machine that builds planc has it: the text of The Go
// Programming Language Specification and The Go Memory Model, as shipped in
// the Go distribution (GOROOT/doc/go_spec.html and go_mem.html, Copyright
// The Go Authors, distributed under the Go project's BSD-style license,
// https://go.dev/LICENSE), converted from HTML to plain text (tags removed,
// entities decoded); about 250 KB of English prose and code.
//
// # Sample order
//
// A training sample is seq+1 consecutive tokens (inputs and shifted
// targets). Sample i (0-based, i < global batch) of step t (0-based) of a
// run with seed s starts at token offset
//
//	h = mix(mix(mix(uint64(s)) ^ uint64(t)) ^ uint64(i))
//	offset = h mod (N - seq)
//
// where N is the stream's length and mix is one step of SplitMix64 (see
// [Mix]): it first adds the golden-ratio increment 0x9E3779B97F4A7C15 and
// then applies the finalizer; the finalizer alone gives another order.
// With seed 1 the first values of h are 0xb18a02f46d8d86c3,
// 0x6c5795e14b3b7e33, 0x1cf38a51a82265f3 (step 0, indices 0, 1, 2). The
// order depends only on the seed, step and index, never on the plan: under
// data parallelism each dp rank takes its own contiguous slice of the
// global batch's indices. docs/semantics.md states the whole definition.
//
// # Evaluation windows
//
// [Stream.Window] w is tokens [w·(seq+1), (w+1)·(seq+1)): consecutive,
// non-overlapping windows from the start of the stream.
package data

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed corpus.txt
var defaultCorpus string

// Stream is a sequence of tokens.
type Stream struct {
	// Name says where the tokens came from (a path, or "default corpus").
	Name string
	// Tokens holds the token ids.
	Tokens []int32
	// MaxToken is the largest id present (for checking a model's vocab).
	MaxToken int32
}

// Default returns the embedded default corpus as byte-level tokens.
func Default() *Stream {
	return fromBytes("default corpus", []byte(defaultCorpus))
}

func fromBytes(name string, b []byte) *Stream {
	s := &Stream{Name: name, Tokens: make([]int32, len(b))}
	for i, c := range b {
		s.Tokens[i] = int32(c)
		if int32(c) > s.MaxToken {
			s.MaxToken = int32(c)
		}
	}
	return s
}

// Load reads the tokens at path (see the package doc); "" is the default
// corpus.
func Load(path string) (*Stream, error) {
	if path == "" {
		return Default(), nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("data: %s does not exist", path)
		}
		return nil, fmt.Errorf("data: %w", err)
	}
	var s *Stream
	if fi.IsDir() {
		s, err = loadDir(path)
	} else {
		s, err = loadFile(path)
	}
	if err != nil {
		return nil, err
	}
	if len(s.Tokens) == 0 {
		return nil, fmt.Errorf("data: %s holds no tokens", path)
	}
	return s, nil
}

func loadDir(dir string) (*Stream, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	var names []string
	bins := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			continue
		}
		names = append(names, e.Name())
		if strings.HasSuffix(e.Name(), ".bin") {
			bins++
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("data: folder %s holds no files", dir)
	}
	if bins != 0 && bins != len(names) {
		return nil, fmt.Errorf("data: folder %s mixes .bin token files and text files; use one kind", dir)
	}
	sort.Strings(names)
	out := &Stream{Name: dir}
	for _, n := range names {
		s, err := loadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		out.Tokens = append(out.Tokens, s.Tokens...)
		out.MaxToken = max(out.MaxToken, s.MaxToken)
	}
	return out, nil
}

// llm.c header constants.
const (
	headerInts      = 256
	headerBytes     = headerInts * 4
	magicGPT2       = 20240520 // version 1: uint16 tokens
	magicLlama3     = 20240801 // version 7: uint32 tokens
	versionGPT2     = 1
	versionLlama3   = 7
	maxPlainVocab16 = 1 << 16
)

func loadFile(path string) (*Stream, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("data: %s is empty", path)
	}
	if !strings.HasSuffix(path, ".bin") {
		return fromBytes(path, b), nil
	}
	return parseBin(path, b)
}

func parseBin(path string, b []byte) (*Stream, error) {
	s := &Stream{Name: path}
	if len(b) >= headerBytes {
		magic := binary.LittleEndian.Uint32(b[0:])
		version := binary.LittleEndian.Uint32(b[4:])
		count := int64(binary.LittleEndian.Uint32(b[8:]))
		width := 0
		switch {
		case magic == magicGPT2 && version == versionGPT2:
			width = 2
		case magic == magicLlama3 && version == versionLlama3:
			width = 4
		case magic == magicGPT2 || magic == magicLlama3:
			return nil, fmt.Errorf("data: %s: llm.c header with magic %d has unsupported version %d (want %d for 20240520, %d for 20240801)", path, magic, version, versionGPT2, versionLlama3)
		}
		if width > 0 {
			body := b[headerBytes:]
			if int64(len(body)) != count*int64(width) {
				return nil, fmt.Errorf("data: %s: header says %d tokens (%d bytes) but the file holds %d bytes after the header; truncated or corrupt", path, count, count*int64(width), len(body))
			}
			s.Tokens = make([]int32, count)
			for i := range s.Tokens {
				var t uint32
				if width == 2 {
					t = uint32(binary.LittleEndian.Uint16(body[2*i:]))
				} else {
					t = binary.LittleEndian.Uint32(body[4*i:])
				}
				if t > 1<<31-1 {
					return nil, fmt.Errorf("data: %s: token %d is %d, out of range", path, i, t)
				}
				s.Tokens[i] = int32(t)
				s.MaxToken = max(s.MaxToken, int32(t))
			}
			return s, nil
		}
	}
	// nanoGPT: headerless uint16.
	if len(b)%2 != 0 {
		return nil, fmt.Errorf("data: %s: %d bytes is not a whole number of uint16 tokens (nanoGPT .bin) and there is no llm.c header", path, len(b))
	}
	s.Tokens = make([]int32, len(b)/2)
	for i := range s.Tokens {
		t := int32(binary.LittleEndian.Uint16(b[2*i:]))
		s.Tokens[i] = t
		s.MaxToken = max(s.MaxToken, t)
	}
	return s, nil
}

// Check reports whether the stream can feed a model with this vocabulary
// and sequence length: every token below vocab, and at least seq+2 tokens
// (one sample plus one offset to draw from).
func (s *Stream) Check(vocab, seq int) error {
	if int(s.MaxToken) >= vocab {
		return fmt.Errorf("data: %s holds token %d, outside the model's vocabulary of %d", s.Name, s.MaxToken, vocab)
	}
	if len(s.Tokens) < seq+2 {
		return fmt.Errorf("data: %s holds %d tokens; a sequence of %d needs at least %d", s.Name, len(s.Tokens), seq, seq+2)
	}
	return nil
}

// Mix is one step of SplitMix64 as a bijective 64-bit hash: it adds the
// golden-ratio increment, then finalizes (all modulo 2⁶⁴):
//
//	x += 0x9E3779B97F4A7C15
//	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
//	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
//	return x ^ (x >> 31)
func Mix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// Offset returns the start of sample index of step under seed for samples
// of seq+1 tokens (see the package doc). The stream must pass [Stream.Check].
func (s *Stream) Offset(seed int64, step, index, seq int) int {
	h := Mix(Mix(Mix(uint64(seed))^uint64(step)) ^ uint64(index))
	return int(h % uint64(len(s.Tokens)-seq))
}

// Sample returns the seq+1 tokens of sample index of step.
func (s *Stream) Sample(seed int64, step, index, seq int) []int32 {
	o := s.Offset(seed, step, index, seq)
	return s.Tokens[o : o+seq+1]
}

// Windows returns how many whole evaluation windows of seq+1 tokens the
// stream holds.
func (s *Stream) Windows(seq int) int { return len(s.Tokens) / (seq + 1) }

// Window returns evaluation window w: tokens [w·(seq+1), (w+1)·(seq+1)).
func (s *Stream) Window(w, seq int) []int32 {
	return s.Tokens[w*(seq+1) : (w+1)*(seq+1)]
}
