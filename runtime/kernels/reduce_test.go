package kernels

import (
	"math"
	"runtime"
	"testing"

	"planc/runtime/tensor"
)

// TestSumSquares checks SumSquares against a float64 sum in one chain
// (within rounding) and its bits under GOMAXPROCS 1, 2 and 3, on lengths
// around the chunk and lane boundaries.
func TestSumSquares(t *testing.T) {
	r := tensor.NewRNG(5)
	for _, n := range []int{0, 1, 7, 8, 9, 100, chunkSize - 1, chunkSize, chunkSize + 13, 3*chunkSize + 5} {
		x := randSlice(r, n)
		var want float64
		for _, v := range x {
			want += float64(v) * float64(v)
		}
		var bits []uint64
		for _, procs := range []int{1, 2, 3} {
			old := runtime.GOMAXPROCS(procs)
			got := SumSquares(x)
			runtime.GOMAXPROCS(old)
			if math.Abs(got-want) > 1e-12*math.Max(1, want) {
				t.Fatalf("n=%d procs=%d: %v, want %v", n, procs, got, want)
			}
			bits = append(bits, math.Float64bits(got))
		}
		if bits[0] != bits[1] || bits[0] != bits[2] {
			t.Fatalf("n=%d: bits differ with GOMAXPROCS: %x", n, bits)
		}
	}
}

func BenchmarkSumSquares(b *testing.B) {
	x := randSlice(tensor.NewRNG(1), 3<<20)
	for b.Loop() {
		SumSquares(x)
	}
	b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
}

// The AVX-512 partial sums must be the scalar loop's, bit for bit.
func TestSumSquaresVectorMatchesScalar(t *testing.T) {
	defer func() { forceGeneric = false }()
	r := tensor.NewRNG(6)
	for _, n := range []int{8, 15, 64, 1000, chunkSize, chunkSize + 7} {
		x := randSlice(r, n)
		for i := range x {
			x[i] *= float32(math.Pow(10, float64(i%13-6)))
		}
		var got [2]float64
		for k, scalar := range []bool{false, true} {
			forceGeneric = scalar
			got[k] = sumSquares8(x)
		}
		if math.Float64bits(got[0]) != math.Float64bits(got[1]) {
			t.Fatalf("n=%d: vector %v, scalar %v", n, got[0], got[1])
		}
	}
}
