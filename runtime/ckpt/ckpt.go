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
//	data_crc32c  the CRC-32C (Castagnoli) of the data after the header, in
//	             hex: a flipped data byte is refused on load. Files without
//	             it (other tools' safetensors) are read unchecked.
//
// Every value must be finite: a NaN or an infinity is refused, on write
// and on load, with the tensor's name (a diverged run is not a starting
// point).
//
// [Write] is atomic: it writes a temporary file in the target's folder
// (".NAME.tmpNNN"), syncs it, and renames it over the target, so an
// existing checkpoint is either replaced whole or left as it was; the
// temporary files of writes that were killed are removed by the next
// successful write of the same target and by [CleanStale]. [Read] and
// [Parse] validate the whole file and report truncation and corruption as
// errors, never panics. [CheckSpace] says whether a folder has room for a
// checkpoint before a run starts.
package ckpt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

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

// checksumKey is the metadata key of the data checksum.
const checksumKey = "data_crc32c"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// nonFinite returns an error naming tensor name if it holds a NaN or an
// infinity.
func nonFinite(name string, t *tensor.Tensor) error {
	for i, v := range t.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("tensor %q holds %v at element %d (of %d): a checkpoint holds finite values only", name, v, i, len(t.Data))
		}
	}
	return nil
}

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
	var off int64
	entries := map[string]headerEntry{}
	for _, n := range names {
		t := c.Tensors[n]
		if err := nonFinite(n, t); err != nil {
			return nil, fmt.Errorf("ckpt: %w", err)
		}
		size := int64(len(t.Data)) * 4
		entries[n] = headerEntry{DType: "F32", Shape: t.Shape, DataOffsets: [2]int64{off, off + size}}
		off += size
	}
	data := make([]byte, off)
	p := 0
	for _, n := range names {
		for _, v := range c.Tensors[n].Data {
			binary.LittleEndian.PutUint32(data[p:], math.Float32bits(v))
			p += 4
		}
	}
	meta := map[string]string{checksumKey: fmt.Sprintf("%08x", crc32.Checksum(data, castagnoli))}
	for k, v := range c.Meta {
		if k != checksumKey {
			meta[k] = v
		}
	}
	header := map[string]any{"__metadata__": meta}
	for n, e := range entries {
		header[n] = e
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
	copy(out[8+len(hj):], data)
	return out, nil
}

// Size returns the bytes Write would write for c, without encoding it (a
// bound: the header is estimated generously).
func (c *Checkpoint) Size() int64 {
	size := int64(8 + 256)
	for k, v := range c.Meta {
		size += int64(len(k) + len(v) + 8)
	}
	for n, t := range c.Tensors {
		size += int64(len(n)+96+12*len(t.Shape)) + 4*int64(len(t.Data))
	}
	return size
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
	// The temporary files of earlier writes of this target that were
	// killed before their rename are garbage now.
	removeTemps(dir, func(name string) bool { return isTempOf(name, filepath.Base(path)) }, 0)
	return nil
}

// isTempOf reports whether name is a temporary file of a write of target:
// "." + target + ".tmp" + digits.
func isTempOf(name, target string) bool {
	rest, ok := strings.CutPrefix(name, "."+target+".tmp")
	if !ok || rest == "" {
		return false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// removeTemps removes the files of dir that match and are older than age.
func removeTemps(dir string, match func(string) bool, age time.Duration) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		if e.IsDir() || !match(e.Name()) {
			continue
		}
		if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < age {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}

// CleanStale removes from dir the temporary files of checkpoint writes
// that were killed (".NAME.safetensors.tmpNNN") and are older than age (a
// write in progress elsewhere keeps its file); it returns their names.
func CleanStale(dir string, age time.Duration) []string {
	return removeTemps(dir, func(name string) bool {
		i := strings.LastIndex(name, ".tmp")
		return strings.HasPrefix(name, ".") && i > 0 && strings.HasSuffix(name[:i], ".safetensors") && isTempOf(name, name[1:i])
	}, age)
}

// CheckSpace returns an error when the file system of dir has less free
// space than a checkpoint of need bytes (and room for its temporary file:
// the old checkpoint stays until the rename), or nil when it has room or
// cannot tell.
func CheckSpace(dir string, need int64) error {
	free, ok := freeSpace(dir)
	if !ok || free >= uint64(need) {
		return nil
	}
	return fmt.Errorf("ckpt: %s has %.3g MiB free, but one checkpoint needs %.3g MiB: free some space or choose another --checkpoint-dir", dir, float64(free)/(1<<20), float64(need)/(1<<20))
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
	if want, ok := c.Meta[checksumKey]; ok {
		if got := fmt.Sprintf("%08x", crc32.Checksum(data, castagnoli)); got != want {
			return nil, fmt.Errorf("corrupt: the data's checksum is %s, the header says %s (a byte of the tensors changed)", got, want)
		}
		delete(c.Meta, checksumKey) // a property of the file, not of the model
	}
	names := make([]string, 0, len(c.Tensors))
	for n := range c.Tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := nonFinite(n, c.Tensors[n]); err != nil {
			return nil, err
		}
	}
	return c, nil
}
