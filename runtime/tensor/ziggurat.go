package tensor

import "math"

// The ziggurat method (Marsaglia and Tsang, "The Ziggurat Method for
// Generating Random Variables", J. Stat. Softw. 5(8), 2000), with 256
// layers on 64-bit draws: the normal density's right half is covered by
// 255 rectangles of equal area v and a base strip of area v (a rectangle
// to r plus the tail beyond it). Each draw picks a layer and a point in
// it; about 99% of draws fall inside the density and cost one Uint64, a
// table read, a comparison and a product, against Box–Muller's two draws,
// a logarithm, a square root and a cosine (RNG.Normal): the way numpy's
// Generator.standard_normal and Go's math/rand NormFloat64 draw.
const (
	zigLayers = 256
	zigR      = 3.6541528853610088 // the base strip's right edge x₂₅₅
	zigV      = 4.92867323399e-3   // each layer's area
	zigScale  = 1 << 53            // the draw's magnitude bits
)

// zig holds the layers: x[i] the right edge of layer i's rectangle
// (x[0] the base strip's equivalent width v/f(r)), k[i] the magnitude
// below which a point of layer i lies under the density for sure
// (⌊2⁵³·x[i−1]/x[i]⌋; 0 for the top layer), w[i] = x[i]/2⁵³, f[i] =
// exp(−x[i]²/2) (f[0] = 1, the top).
var zig = zigTables()

type zigTable struct {
	k    [zigLayers]uint64
	w, f [zigLayers]float64
}

// zigTables builds the tables by Marsaglia and Tsang's recurrence,
// x[i−1] = sqrt(−2·ln(v/x[i] + f(x[i]))), from x[255] = r down, in
// float64.
func zigTables() *zigTable {
	t := &zigTable{}
	x := zigR
	q := zigV / math.Exp(-0.5*x*x)
	t.k[0] = uint64(x / q * zigScale)
	t.w[0] = q / zigScale
	t.w[zigLayers-1] = x / zigScale
	t.f[0] = 1
	t.f[zigLayers-1] = math.Exp(-0.5 * x * x)
	for i := zigLayers - 2; i >= 1; i-- {
		prev := x
		x = math.Sqrt(-2 * math.Log(zigV/x+math.Exp(-0.5*x*x)))
		t.k[i+1] = uint64(x / prev * zigScale)
		t.w[i] = x / zigScale
		t.f[i] = math.Exp(-0.5 * x * x)
	}
	t.k[1] = 0
	return t
}

// ZigguratNormal returns a standard normal value by the ziggurat method.
// Each attempt takes one Uint64 u: layer i = u & 255, the sign from bit 8
// (set: negative), the magnitude j = u >> 11 (53 bits), x = j·w[i]. The
// value is ±x when j < k[i]. Otherwise, in the base strip (i = 0), it is
// ±(r + t) for the first tail pair t = −ln(u₁)/r, s = −ln(u₂) with
// 2s ≥ t², each uᵢ = (Uint64()>>11 + 1)·2⁻⁵³; in another layer it is ±x
// when f[i] + (f[i−1] − f[i])·Float64() < exp(−x²/2); else a new attempt.
// The tables are built by zigTables.
func (r *RNG) ZigguratNormal() float64 {
	for {
		u := r.Uint64()
		i := u & (zigLayers - 1)
		neg := u&(1<<8) != 0
		j := u >> 11
		x := float64(int64(j)) * zig.w[i] // (j < 2⁵³: the signed conversion is one instruction)
		switch {
		case j < zig.k[i]:
		case i == 0:
			x = zigR + r.zigTail()
		case zig.f[i]+(zig.f[i-1]-zig.f[i])*r.Float64() >= math.Exp(-0.5*x*x):
			continue
		}
		if neg {
			return -x
		}
		return x
	}
}

// zigTail draws the excess over r of a normal value beyond r (Marsaglia's
// exponential rejection).
func (r *RNG) zigTail() float64 {
	for {
		t := -math.Log(r.openUnit()) / zigR
		s := -math.Log(r.openUnit())
		if s+s >= t*t {
			return t
		}
	}
}

// openUnit returns a uniform value in (0, 1].
func (r *RNG) openUnit() float64 {
	return (float64(r.Uint64()>>11) + 1) * (1.0 / (1 << 53))
}

// FillZigguratNormal fills dst in order with float32(std·ZigguratNormal()).
func (r *RNG) FillZigguratNormal(dst []float32, std float64) {
	// ZigguratNormal's first attempt inline, on a local copy of the state
	// (stores to dst would otherwise reload it): most values end there
	t := zig
	for i := range dst {
		st := r.state + 0x9E3779B97F4A7C15
		z := (st ^ (st >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		u := z ^ (z >> 31)
		l := u & (zigLayers - 1)
		if j := u >> 11; j < t.k[l] {
			r.state = st
			x := float64(int64(j)) * t.w[l]
			x = math.Float64frombits(math.Float64bits(x) ^ (u>>8&1)<<63) // the sign, without a branch to mispredict
			dst[i] = float32(std * x)
			continue
		}
		dst[i] = float32(std * r.ZigguratNormal()) // the attempt again, whole
	}
}
