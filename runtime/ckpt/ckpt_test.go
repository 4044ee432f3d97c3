package ckpt

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"planc/runtime/tensor"
)

func sample() *Checkpoint {
	c := New()
	c.Meta["model"] = "tiny"
	c.Meta["step"] = "3"
	c.Tensors["wte"] = tensor.FromData([]float32{1, 2, 3, 4, 5, 6}, 3, 2)
	c.Tensors["ln_f.bias"] = tensor.FromData([]float32{-1.5, 0}, 2)
	c.Tensors["scalar"] = tensor.FromData([]float32{7})
	return c
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.safetensors")
	want := sample()
	if err := Write(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Meta, want.Meta) {
		t.Errorf("meta = %v, want %v", got.Meta, want.Meta)
	}
	for n, w := range want.Tensors {
		g := got.Tensors[n]
		if g == nil || !g.SameShape(w) || !reflect.DeepEqual(g.Data, w.Data) {
			t.Errorf("tensor %s = %v, want %v", n, g, w)
		}
	}
	// The header is the safetensors layout: length, then JSON.
	b, _ := os.ReadFile(path)
	n := binary.LittleEndian.Uint64(b)
	if !strings.Contains(string(b[8:8+n]), `"wte":{"dtype":"F32","shape":[3,2],"data_offsets":[`) {
		t.Errorf("header is not safetensors: %s", b[8:8+n])
	}
}

func TestCorruptAndTruncated(t *testing.T) {
	good, _ := sample().Encode()
	n := binary.LittleEndian.Uint64(good)
	hdr := string(good[8 : 8+n])
	withHeader := func(h string, data []byte) []byte {
		b := make([]byte, 8, 8+len(h)+len(data))
		binary.LittleEndian.PutUint64(b, uint64(len(h)))
		b = append(b, h...)
		return append(b, data...)
	}
	data := good[8+n:]
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"short length", good[:5], "truncated"},
		{"cut in header", good[:20], "truncated"},
		{"cut in data", good[:len(good)-3], "truncated"},
		{"huge header", append([]byte{0, 0, 0, 0, 0, 0, 0, 0x7f}, good[8:]...), "header length"},
		{"not json", withHeader("{not json", data), "corrupt header"},
		{"bad dtype", withHeader(strings.Replace(hdr, "F32", "F16", 1), data), "dtype"},
		{"bad offsets", withHeader(strings.Replace(hdr, `"shape":[3,2]`, `"shape":[3,3]`, 1), data), "data_offsets"},
		{"trailing bytes", append(append([]byte(nil), good...), 1, 2, 3, 4), "after the last tensor"},
		{"bad metadata", withHeader(`{"__metadata__":{"step":3}}`, nil), "__metadata__"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestWriteIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	// A write that fails (a tensor named like the metadata) leaves the old
	// file untouched and no temporary behind.
	bad := sample()
	bad.Tensors["__metadata__"] = tensor.New(1)
	if err := Write(path, bad); err == nil {
		t.Fatal("bad write succeeded")
	}
	// A write into a folder we cannot create files in fails cleanly too.
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	if os.Getuid() != 0 {
		if err := Write(filepath.Join(ro, "x.safetensors"), sample()); err == nil {
			t.Error("write into a read-only folder succeeded")
		}
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("failed write changed the existing checkpoint")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// FuzzParse feeds arbitrary bytes to Parse. Nothing may panic, and
// whatever parses must encode and parse back to the same metadata, names,
// shapes and bit patterns (NaN payloads included).
func FuzzParse(f *testing.F) {
	good, _ := sample().Encode()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:8])
	empty, _ := New().Encode()
	f.Add(empty)
	nan := New()
	nan.Tensors["nan"] = tensor.FromData([]float32{float32(math.NaN()), float32(math.Inf(-1)), -0.0}, 3)
	nanBytes, _ := nan.Encode()
	f.Add(nanBytes)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err != nil {
			return
		}
		again, err := c.Encode()
		if err != nil {
			t.Fatalf("a parsed checkpoint does not encode: %v", err)
		}
		d, err := Parse(again)
		if err != nil {
			t.Fatalf("re-encoded checkpoint does not parse: %v", err)
		}
		if !reflect.DeepEqual(d.Meta, c.Meta) {
			t.Fatalf("round trip changed metadata %v to %v", c.Meta, d.Meta)
		}
		if len(d.Tensors) != len(c.Tensors) {
			t.Fatalf("round trip kept %d of %d tensors", len(d.Tensors), len(c.Tensors))
		}
		for name, x := range c.Tensors {
			y := d.Tensors[name]
			if y == nil || !y.SameShape(x) || len(y.Data) != len(x.Data) {
				t.Fatalf("round trip changed tensor %q from %v to %v", name, x, y)
			}
			for i := range x.Data {
				if math.Float32bits(x.Data[i]) != math.Float32bits(y.Data[i]) {
					t.Fatalf("round trip changed %s[%d] from %#x to %#x", name, i, math.Float32bits(x.Data[i]), math.Float32bits(y.Data[i]))
				}
			}
		}
	})
}
