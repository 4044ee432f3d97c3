// Package ckpt reads and writes planc checkpoints in the safetensors format
// (https://github.com/huggingface/safetensors), so that other tools can load
// them: 8 bytes of little-endian uint64 header length N, then N bytes of
// JSON header, then the raw tensor data.
//
// The header maps each tensor name to {"dtype":"F32","shape":[...],
// "data_offsets":[begin,end]} (byte offsets into the data that follows the
// header) and holds a "__metadata__" object of strings. planc writes every
// tensor as whole, unsharded, little-endian float32, in name order, densely
// packed; the reader accepts any order but requires the tensors to cover the
// data exactly, without holes or overlaps, as the format demands.
//
// # Tensor names
//
// Weights of linear layers are stored in×out (y = x·W + b), the layout of
// planc's kernels; transpose them for PyTorch's nn.Linear (out×in).
//
// Transformers (L layers, hidden h, vocabulary V, sequence s, FFN width f):
//
//	wte                              [V, h]    token embedding (also the head when tied)
//	wpe                              [s, h]    position embedding
//	h.N.ln1.weight, h.N.ln1.bias     [h]       pre-attention LayerNorm of layer N
//	h.N.attn.qkv.weight              [h, 3h]   fused q|k|v columns, heads of h/heads consecutive in each
//	h.N.attn.qkv.bias                [3h]
//	h.N.attn.out.weight              [h, h]
//	h.N.attn.out.bias                [h]
//	h.N.ln2.weight, h.N.ln2.bias     [h]
//	h.N.mlp.fc1.weight, .bias        [h, f], [f]   dense FFN layer N
//	h.N.mlp.fc2.weight, .bias        [f, h], [h]
//	h.N.moe.router.weight            [h, E]    MoE layer N (no bias)
//	h.N.moe.experts.E.fc1.weight ... [h, fe] ... routed expert E (fc1/fc2 weight and bias)
//	h.N.moe.shared.S.fc1.weight ...  [h, fe] ... shared expert S
//	ln_f.weight, ln_f.bias           [h]
//	lm_head.weight                   [h, V]    only when tie_embeddings = false
//
// MLP models (depth D, width w):
//
//	layers.N.weight [w, w], layers.N.bias [w]   N = 0..D-1
//
// Optimizer state: for every parameter P, its AdamW moments as
// "optim.m.P" and "optim.v.P" (same shape).
//
// # Metadata
//
//	format       "planc"
//	model        the model's name
//	fingerprint  a hash of the model's architecture (see runtime/exec)
//	step         optimizer steps completed
//
// [Write] is atomic: it writes a temporary file in the target's folder,
// syncs it, and renames it over the target, so an existing checkpoint is
// either replaced whole or left as it was. [Read] and [Parse] validate the
// whole file and report truncation and corruption as errors, never panics.
package ckpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"planc/runtime/tensor"
)

// Checkpoint is a set of named whole tensors and string metadata.
type Checkpoint struct {
	Meta    map[string]string
	Tensors map[string]*tensor.Tensor
}

// New returns an empty checkpoint.
func New() *Checkpoint {
	return &Checkpoint{Meta: map[string]string{}, Tensors: map[string]*tensor.Tensor{}}
}

type headerEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// maxHeader bounds the JSON header (the safetensors reference uses 100 MB).
const maxHeader = 100 << 20

// Encode returns the checkpoint's safetensors bytes.
func (c *Checkpoint) Encode() ([]byte, error) {
	names := make([]string, 0, len(c.Tensors))
	for n := range c.Tensors {
		if n == "__metadata__" {
			return nil, fmt.Errorf("ckpt: a tensor may not be called __metadata__")
		}
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{}
	if len(c.Meta) > 0 {
		header["__metadata__"] = c.Meta
	}
	var off int64
	for _, n := range names {
		t := c.Tensors[n]
		size := int64(len(t.Data)) * 4
		header[n] = headerEntry{DType: "F32", Shape: t.Shape, DataOffsets: [2]int64{off, off + size}}
		off += size
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("ckpt: %w", err)
	}
	// Pad the header with spaces to a multiple of 8 so the data is aligned.
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	out := make([]byte, 8+len(hj)+int(off))
	binary.LittleEndian.PutUint64(out, uint64(len(hj)))
	copy(out[8:], hj)
	p := 8 + len(hj)
	for _, n := range names {
		for _, v := range c.Tensors[n].Data {
			binary.LittleEndian.PutUint32(out[p:], math.Float32bits(v))
			p += 4
		}
	}
	return out, nil
}

// Write saves the checkpoint to path atomically (see the package doc).
func Write(path string, c *Checkpoint) error {
	b, err := c.Encode()
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("ckpt: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("ckpt: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("ckpt: writing %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("ckpt: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("ckpt: writing %s: %w", path, err)
	}
	// Make the rename itself durable.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Read loads and validates the checkpoint at path.
func Read(path string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ckpt: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("ckpt: %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates safetensors bytes.
func Parse(b []byte) (*Checkpoint, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("truncated: %d bytes, shorter than the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxHeader {
		return nil, fmt.Errorf("corrupt: header length %d exceeds %d bytes", n, maxHeader)
	}
	if uint64(len(b)-8) < n {
		return nil, fmt.Errorf("truncated: header of %d bytes but only %d bytes follow", n, len(b)-8)
	}
	hj := b[8 : 8+n]
	data := b[8+n:]
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(hj))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("corrupt header: %v", err)
	}
	c := New()
	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &c.Meta); err != nil {
				return nil, fmt.Errorf("corrupt header: __metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("corrupt header: tensor %q: %v", name, err)
		}
		if e.DType != "F32" {
			return nil, fmt.Errorf("tensor %q has dtype %q; planc reads only F32", name, e.DType)
		}
		numel := int64(1)
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && numel > math.MaxInt32/int64(d)) {
				return nil, fmt.Errorf("corrupt header: tensor %q has shape %v", name, e.Shape)
			}
			numel *= int64(d)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end-begin != numel*4 {
			return nil, fmt.Errorf("corrupt header: tensor %q of shape %v has data_offsets [%d, %d]; %d elements need %d bytes", name, e.Shape, begin, end, numel, numel*4)
		}
		if end > int64(len(data)) {
			return nil, fmt.Errorf("truncated: tensor %q ends at byte %d of the data, which holds %d bytes", name, end, len(data))
		}
		t := tensor.New(e.Shape...)
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[begin+4*int64(i):]))
		}
		c.Tensors[name] = t
		spans = append(spans, span{name, begin, end})
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	var at int64
	for _, s := range spans {
		if s.begin != at {
			if s.begin < at {
				return nil, fmt.Errorf("corrupt header: tensor %q overlaps the one before it", s.name)
			}
			return nil, fmt.Errorf("corrupt header: a hole of %d bytes before tensor %q", s.begin-at, s.name)
		}
		at = s.end
	}
	if at != int64(len(data)) {
		return nil, fmt.Errorf("corrupt: %d bytes of data after the last tensor", int64(len(data))-at)
	}
	return c, nil
}
