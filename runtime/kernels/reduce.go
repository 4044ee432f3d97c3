package kernels

// SumSquares returns Σ x[i]² in float64 (each square of the float32 value
// taken in float64). The global gradient norm is the square root of the
// sum of SumSquares over every gradient shard of the model (each element
// counted once). The order of the additions is fixed by len(x) alone:
// chunks of chunkSize elements, each summed in eight partial sums (element
// i into sum i mod 8, in increasing i, then the eight added pairwise), and
// the chunks' sums added in increasing order. So the result is the same
// under any GOMAXPROCS, while the chunks run on several goroutines and the
// eight independent sums keep the adder busy (one dependent chain of
// float64 additions ran at a quarter of the speed).
func SumSquares(x []float32) float64 {
	n := chunks(len(x))
	if n <= 1 {
		return sumSquares8(x)
	}
	part := make([]float64, n)
	parallelFor(n, len(x)*4, func(t int) {
		lo, hi := chunkRange(t, len(x))
		part[t] = sumSquares8(x[lo:hi])
	})
	var s float64
	for _, v := range part {
		s += v
	}
	return s
}

// sumSquares8 is one chunk of SumSquares: eight partial sums by index mod 8.
func sumSquares8(x []float32) float64 {
	var s [8]float64
	i := sumSquaresVec(&s, x) // the same sums, eight lanes of a vector
	for ; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		s[0] += float64(v[0]) * float64(v[0])
		s[1] += float64(v[1]) * float64(v[1])
		s[2] += float64(v[2]) * float64(v[2])
		s[3] += float64(v[3]) * float64(v[3])
		s[4] += float64(v[4]) * float64(v[4])
		s[5] += float64(v[5]) * float64(v[5])
		s[6] += float64(v[6]) * float64(v[6])
		s[7] += float64(v[7]) * float64(v[7])
	}
	for j := 0; i < len(x); i, j = i+1, j+1 {
		s[j] += float64(x[i]) * float64(x[i])
	}
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}
