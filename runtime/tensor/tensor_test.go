package tensor

import (
	"math"
	"testing"
)

func TestSplitmix64KnownValues(t *testing.T) {
	// Reference outputs of splitmix64 seeded with 0 (from the public
	// reference implementation by Sebastiano Vigna).
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	r := NewRNG(0)
	for i, w := range want {
		if got := r.Uint64(); got != w {
			t.Errorf("draw %d = %#x, want %#x", i, got, w)
		}
	}
}

func TestFNV1a64KnownValues(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"", 0xcbf29ce484222325},
		{"a", 0xaf63dc4c8601ec8c},
		{"foobar", 0x85944171f73967e8},
	}
	for _, tc := range tests {
		if got := FNV1a64(tc.in); got != tc.want {
			t.Errorf("FNV1a64(%q) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
}

func TestInitNormalDependsOnNameAndSeedOnly(t *testing.T) {
	a := InitNormal(7, "h.0.attn.qkv.w", 0.02, 64, 192)
	b := InitNormal(7, "h.0.attn.qkv.w", 0.02, 64, 192)
	for i := range a.Data {
		if math.Float32bits(a.Data[i]) != math.Float32bits(b.Data[i]) {
			t.Fatalf("element %d differs between identical calls", i)
		}
	}
	c := InitNormal(7, "h.1.attn.qkv.w", 0.02, 64, 192)
	d := InitNormal(8, "h.0.attn.qkv.w", 0.02, 64, 192)
	same := func(x, y *Tensor) int {
		n := 0
		for i := range x.Data {
			if x.Data[i] == y.Data[i] {
				n++
			}
		}
		return n
	}
	if n := same(a, c); n > 10 {
		t.Errorf("another name shares %d values", n)
	}
	if n := same(a, d); n > 10 {
		t.Errorf("another seed shares %d values", n)
	}
	// A prefix of a larger tensor equals a smaller tensor: values are drawn
	// in row-major order from one stream.
	e := InitNormal(7, "h.0.attn.qkv.w", 0.02, 10)
	for i := range e.Data {
		if e.Data[i] != a.Data[i] {
			t.Fatalf("prefix element %d differs", i)
		}
	}
}

func TestNormalMoments(t *testing.T) {
	r := NewParamRNG(1, "moments")
	const n = 200000
	var s, s2 float64
	for i := 0; i < n; i++ {
		x := r.Normal()
		s += x
		s2 += x * x
	}
	mean, variance := s/n, s2/n-(s/n)*(s/n)
	if math.Abs(mean) > 0.01 || math.Abs(variance-1) > 0.02 {
		t.Errorf("mean %.4f variance %.4f, want 0 and 1", mean, variance)
	}
}

func TestRowsViewSharesStorage(t *testing.T) {
	x := New(4, 3)
	for i := range x.Data {
		x.Data[i] = float32(i)
	}
	v := x.Rows(1, 3)
	if v.Shape[0] != 2 || v.Shape[1] != 3 || v.Data[0] != 3 {
		t.Fatalf("view %v data %v", v.Shape, v.Data)
	}
	v.Data[0] = 100
	if x.Data[3] != 100 {
		t.Error("view does not share storage")
	}
	c := Cols(x, 1, 3)
	if c.Shape[0] != 4 || c.Shape[1] != 2 || c.Data[0] != 1 || c.Data[1] != 2 || c.Data[2] != 4 {
		t.Errorf("Cols gave %v %v", c.Shape, c.Data)
	}
}

// TestInitNormalHasTheAskedStd: a 256×256 initialisation at std 0.02 has
// sample mean within 4 standard errors of 0 and sample standard deviation
// within 2% of 0.02 (the standard error of a std over 65,536 draws is
// about 0.3%), and its shape is the one asked for.
func TestInitNormalHasTheAskedStd(t *testing.T) {
	x := InitNormal(3, "h.0.mlp.fc.w", 0.02, 256, 256)
	if len(x.Data) != 256*256 {
		t.Fatalf("%d elements, want 65536", len(x.Data))
	}
	var s, s2 float64
	for _, v := range x.Data {
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	n := float64(len(x.Data))
	mean := s / n
	std := math.Sqrt(s2/n - mean*mean)
	if math.Abs(mean) > 4*0.02/math.Sqrt(n) || math.Abs(std/0.02-1) > 0.02 {
		t.Errorf("mean %.3g std %.5f, want 0 and 0.02", mean, std)
	}
}
