package data

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultCorpus(t *testing.T) {
	s := Default()
	if len(s.Tokens) < 200_000 {
		t.Fatalf("default corpus has %d tokens, want at least 200000", len(s.Tokens))
	}
	if !strings.Contains(defaultCorpus, "Go is a general-purpose language") {
		t.Fatal("default corpus is not the Go specification's text")
	}
	if err := s.Check(256, 64); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func llmc(magic, version uint32, tokens []uint32, width int, declared uint32) []byte {
	b := make([]byte, headerBytes+width*len(tokens))
	binary.LittleEndian.PutUint32(b[0:], magic)
	binary.LittleEndian.PutUint32(b[4:], version)
	binary.LittleEndian.PutUint32(b[8:], declared)
	for i, tk := range tokens {
		if width == 2 {
			binary.LittleEndian.PutUint16(b[headerBytes+2*i:], uint16(tk))
		} else {
			binary.LittleEndian.PutUint32(b[headerBytes+4*i:], tk)
		}
	}
	return b
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	text := write(t, dir, "a.txt", []byte("hello"))
	nano := write(t, dir, "nano.bin", []byte{1, 0, 2, 1, 255, 255})
	v1 := write(t, dir, "v1.bin", llmc(magicGPT2, 1, []uint32{5, 50256, 7}, 2, 3))
	v7 := write(t, dir, "v7.bin", llmc(magicLlama3, 7, []uint32{128000, 9}, 4, 2))
	folder := filepath.Join(dir, "texts")
	os.Mkdir(folder, 0o755)
	write(t, folder, "b.txt", []byte("world"))
	write(t, folder, "a.txt", []byte("hello "))
	write(t, folder, ".hidden", []byte("skip"))

	tests := []struct {
		path string
		want []int32
	}{
		{text, []int32{'h', 'e', 'l', 'l', 'o'}},
		{nano, []int32{1, 258, 65535}},
		{v1, []int32{5, 50256, 7}},
		{v7, []int32{128000, 9}},
		{folder, []int32{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'}},
	}
	for _, tc := range tests {
		s, err := Load(tc.path)
		if err != nil {
			t.Errorf("Load(%s): %v", tc.path, err)
			continue
		}
		if !reflect.DeepEqual(s.Tokens, tc.want) {
			t.Errorf("Load(%s) = %v, want %v", tc.path, s.Tokens, tc.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	empty := write(t, dir, "empty.txt", nil)
	odd := write(t, dir, "odd.bin", []byte{1, 2, 3})
	trunc := write(t, dir, "trunc.bin", llmc(magicGPT2, 1, []uint32{1, 2}, 2, 10))
	badver := write(t, dir, "badver.bin", llmc(magicGPT2, 3, []uint32{1, 2}, 2, 2))
	emptyDir := filepath.Join(dir, "none")
	os.Mkdir(emptyDir, 0o755)
	mixed := filepath.Join(dir, "mixed")
	os.Mkdir(mixed, 0o755)
	write(t, mixed, "a.txt", []byte("x"))
	write(t, mixed, "b.bin", []byte{1, 0})

	tests := []struct{ path, want string }{
		{filepath.Join(dir, "missing.txt"), "does not exist"},
		{empty, "is empty"},
		{odd, "not a whole number"},
		{trunc, "truncated"},
		{badver, "unsupported version"},
		{emptyDir, "holds no files"},
		{mixed, "mixes"},
	}
	for _, tc := range tests {
		_, err := Load(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s) err = %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
	}
	short := &Stream{Name: "short", Tokens: make([]int32, 10)}
	if err := short.Check(256, 64); err == nil || !strings.Contains(err.Error(), "needs at least 66") {
		t.Errorf("short stream: %v", err)
	}
	big := &Stream{Name: "big", Tokens: make([]int32, 100), MaxToken: 300}
	if err := big.Check(256, 8); err == nil || !strings.Contains(err.Error(), "outside the model's vocabulary") {
		t.Errorf("vocab check: %v", err)
	}
}

func TestSampleOrderDependsOnlyOnSeed(t *testing.T) {
	s := Default()
	a := s.Offset(1, 3, 5, 64)
	if b := s.Offset(1, 3, 5, 64); a != b {
		t.Fatal("offsets not deterministic")
	}
	distinct := map[int]bool{}
	for i := 0; i < 64; i++ {
		distinct[s.Offset(1, 0, i, 64)] = true
	}
	if len(distinct) < 60 {
		t.Errorf("64 samples drew only %d distinct offsets", len(distinct))
	}
	if s.Offset(2, 3, 5, 64) == a {
		t.Error("seed does not change the order")
	}
	for w := 0; w < 3; w++ {
		win := s.Window(w, 64)
		if len(win) != 65 || &win[0] != &s.Tokens[w*65] {
			t.Fatalf("window %d wrong", w)
		}
	}
}

// TestSampleStaysInsideTheStream: on the shortest stream a sequence
// allows (seq+2 tokens, so a sample starts at 0 or 1), every sample holds
// seq+1 tokens of the stream, and over many draws both starts occur. Mix
// is splitmix64's output function: Mix(0) is splitmix64's first output
// seeded with 0 in Vigna's reference implementation.
func TestSampleStaysInsideTheStream(t *testing.T) {
	if got := Mix(0); got != 0xe220a8397b1dcdaf {
		t.Errorf("Mix(0) = %#x, want splitmix64's 0xe220a8397b1dcdaf", got)
	}
	const seq = 6
	s := &Stream{Name: "tight", Tokens: []int32{0, 1, 2, 3, 4, 5, 6, 7}}
	if err := s.Check(256, seq); err != nil {
		t.Fatal(err)
	}
	starts := map[int]int{}
	for step := 0; step < 20; step++ {
		for i := 0; i < 8; i++ {
			smp := s.Sample(3, step, i, seq)
			if len(smp) != seq+1 || smp[0] < 0 || int(smp[seq]) >= len(s.Tokens) {
				t.Fatalf("step %d sample %d: %v", step, i, smp)
			}
			for j := range smp {
				if smp[j] != smp[0]+int32(j) {
					t.Fatalf("step %d sample %d is not a contiguous run: %v", step, i, smp)
				}
			}
			starts[int(smp[0])]++
		}
	}
	if len(starts) != 2 || starts[0] == 0 || starts[1] == 0 {
		t.Errorf("sample starts over 160 draws: %v, want both 0 and 1", starts)
	}
}

// TestSampleOrderDocumented pins the sample order that docs/semantics.md
// states (values computed independently from its definition, golden-ratio
// increment first): h for seed 1 and the first indices of steps 0 and 1,
// and their offsets in the embedded corpus for seq 64.
func TestSampleOrderDocumented(t *testing.T) {
	s := Default()
	if len(s.Tokens) != 252035 {
		t.Fatalf("the embedded corpus holds %d tokens; docs/semantics.md says 252,035", len(s.Tokens))
	}
	for _, c := range []struct {
		step, index int
		h           uint64
		offset      int
	}{
		{0, 0, 0xb18a02f46d8d86c3, 200320},
		{0, 1, 0x6c5795e14b3b7e33, 123593},
		{0, 2, 0x1cf38a51a82265f3, 18078},
		{0, 3, 0xdb538f85fe401082, 227896},
		{1, 0, 0x5775264a9a7e1b09, 241088},
	} {
		if h := Mix(Mix(Mix(1)^uint64(c.step)) ^ uint64(c.index)); h != c.h {
			t.Errorf("step %d index %d: h = %#x, documented %#x", c.step, c.index, h, c.h)
		}
		if o := s.Offset(1, c.step, c.index, 64); o != c.offset {
			t.Errorf("step %d index %d: offset %d, documented %d", c.step, c.index, o, c.offset)
		}
	}
}
