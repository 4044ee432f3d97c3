package ckpt

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planc/runtime/tensor"
)

// TestDataChecksum: every data byte is covered by the checksum in the
// metadata: flipping any one is refused; the checksum does not show in the
// metadata read back; a file without one (another tool's) still reads.
func TestDataChecksum(t *testing.T) {
	good, err := sample().Encode()
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(good)
	if !strings.Contains(string(good[8:8+n]), `"data_crc32c":"`) {
		t.Fatalf("no checksum in the header: %s", good[8:8+n])
	}
	for i := 8 + int(n); i < len(good); i++ {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x01
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "checksum") {
			t.Fatalf("data byte %d flipped: err = %v", i-8-int(n), err)
		}
	}
	c, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Meta[checksumKey]; ok {
		t.Error("the checksum is in the metadata read back")
	}
	// Without the key: the header's own text, the key removed.
	hdr := strings.Replace(string(good[8:8+n]), `"data_crc32c":"`+c2hex(good, n)+`",`, "", 1)
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	plain := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	plain = append(append(plain, hdr...), good[8+n:]...)
	if _, err := Parse(plain); err != nil {
		t.Errorf("a file without a checksum: %v", err)
	}
}

func c2hex(b []byte, n uint64) string {
	h := string(b[8 : 8+n])
	i := strings.Index(h, `"data_crc32c":"`) + len(`"data_crc32c":"`)
	return h[i : i+8]
}

// TestNonFiniteRefused: a NaN or infinite value is refused on write and on
// load, naming the tensor.
func TestNonFiniteRefused(t *testing.T) {
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		c := sample()
		c.Tensors["h.0.attn.qkv.weight"] = tensor.FromData([]float32{1, v}, 2)
		if _, err := c.Encode(); err == nil || !strings.Contains(err.Error(), `"h.0.attn.qkv.weight"`) {
			t.Errorf("write of %v: err = %v", v, err)
		}
	}
	// A NaN written by another tool (the checksum made to match) is
	// refused on load.
	good, _ := sample().Encode()
	n := binary.LittleEndian.Uint64(good)
	bad := append([]byte(nil), good...)
	hdr := string(bad[8 : 8+n])
	i := strings.Index(hdr, `"data_crc32c":"`)
	bad = append(bad[:8+i:8+i], []byte(strings.Repeat(" ", len(`"data_crc32c":"00000000",`)))...)
	bad = append(bad, hdr[i+len(`"data_crc32c":"00000000",`):]...)
	bad = append(bad, good[8+n:]...)
	binary.LittleEndian.PutUint32(bad[len(bad)-4:], math.Float32bits(float32(math.NaN())))
	if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("a NaN on load: err = %v", err)
	}
}

// TestStaleTemporaryFiles: the temporary file of a killed write is removed
// by the next write of the same target and by CleanStale; other files
// stay.
func TestStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p-step000002.safetensors")
	stale := []string{".p-step000002.safetensors.tmp123", ".p-step000004.safetensors.tmp77"}
	keep := []string{"p-step000001.safetensors", ".p-step000002.safetensors.tmpX", "notes.txt"}
	for _, f := range append(append([]string(nil), stale...), keep...) {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644)
	}
	if err := Write(path, sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, stale[0])); !os.IsNotExist(err) {
		t.Errorf("the same target's stale temporary file is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, stale[1])); err != nil {
		t.Errorf("another target's temporary file went with the write: %v", err)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(dir, stale[1]), old, old)
	if got := CleanStale(dir, time.Hour); len(got) != 1 || got[0] != stale[1] {
		t.Errorf("CleanStale removed %v, want [%s]", got, stale[1])
	}
	for _, f := range append(keep, filepath.Base(path)) {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was removed", f)
		}
	}
}

// TestCheckSpace: a checkpoint larger than the free space is refused with
// both sizes; a small one fits.
func TestCheckSpace(t *testing.T) {
	dir := t.TempDir()
	if err := CheckSpace(dir, 1<<10); err != nil {
		t.Errorf("1 KiB: %v", err)
	}
	free, ok := freeSpace(dir)
	if !ok {
		t.Skip("this system does not report free space")
	}
	err := CheckSpace(dir, int64(free)+1<<40)
	if err == nil || !strings.Contains(err.Error(), "MiB free") {
		t.Errorf("beyond the free space: %v", err)
	}
	if c := sample(); c.Size() < int64(len(mustEncode(t, c))) {
		t.Errorf("Size %d is below the encoded %d bytes", c.Size(), len(mustEncode(t, c)))
	}
}

func mustEncode(t *testing.T, c *Checkpoint) []byte {
	b, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
