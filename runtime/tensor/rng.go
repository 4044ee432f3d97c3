package tensor

import "math"

// RNG is a splitmix64 generator: a 64-bit state advanced by the golden-ratio
// increment and finalized by Stafford's "mix13" variant. It is tiny, fast,
// passes BigCrush, and is trivial to reproduce in any language.
//
//	state += 0x9E3779B97F4A7C15
//	z := state
//	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
//	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
//	return z ^ (z >> 31)
type RNG struct {
	state uint64
}

// NewRNG returns a generator whose state is seed.
func NewRNG(seed uint64) *RNG { return &RNG{state: seed} }

// FNV1a64 is the 64-bit FNV-1a hash of s's bytes (offset basis
// 0xcbf29ce484222325, prime 0x100000001b3).
func FNV1a64(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}

// NewParamRNG returns the generator of the parameter called name under the
// run's seed: its state is FNV1a64(name) XOR seed. Because the state depends
// only on the name and the seed, every rank that generates a parameter gets
// the same stream, whichever plan it runs.
func NewParamRNG(seed uint64, name string) *RNG {
	return NewRNG(FNV1a64(name) ^ seed)
}

// Uint64 returns the next splitmix64 output.
func (r *RNG) Uint64() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Float64 returns a uniform value in [0, 1): the top 53 bits of Uint64
// times 2⁻⁵³.
func (r *RNG) Float64() float64 {
	return float64(r.Uint64()>>11) * (1.0 / (1 << 53))
}

// Normal returns a standard normal value by the Box–Muller transform, one
// value per two draws (the sine half is discarded, so that the i-th value
// depends on draws 2i and 2i+1 only):
//
//	u1 := (float64(Uint64()>>11) + 1) * 2⁻⁵³   // in (0, 1]
//	u2 := float64(Uint64()>>11) * 2⁻⁵³         // in [0, 1)
//	return sqrt(-2·ln(u1)) · cos(2π·u2)
//
// computed in float64.
func (r *RNG) Normal() float64 {
	u1 := (float64(r.Uint64()>>11) + 1) * (1.0 / (1 << 53))
	u2 := float64(r.Uint64()>>11) * (1.0 / (1 << 53))
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// FillNormal fills dst in order with float32(std·Normal()) (the product is
// taken in float64 and rounded once to float32). A mean of zero is implied.
func (r *RNG) FillNormal(dst []float32, std float64) {
	for i := range dst {
		dst[i] = float32(std * r.Normal())
	}
}

// InitNormal returns the whole parameter called name, of the given shape,
// drawn from normal(0, std) by the generator NewParamRNG(seed, name), in
// row-major order. Shard it after generating it whole.
func InitNormal(seed uint64, name string, std float64, shape ...int) *Tensor {
	t := New(shape...)
	NewParamRNG(seed, name).FillNormal(t.Data, std)
	return t
}

// Fill sets every element of t to v (for example 1 for LayerNorm gains).
func (t *Tensor) Fill(v float32) {
	for i := range t.Data {
		t.Data[i] = v
	}
}
