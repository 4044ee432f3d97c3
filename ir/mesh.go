package ir

import (
	"fmt"
	"strings"
)

// Axis names a dimension of the device mesh.
type Axis string

const (
	AxisTP  Axis = "tp"
	AxisCP  Axis = "cp"
	AxisEP  Axis = "ep"  // expert parallel: carved out of the data ranks
	AxisEDP Axis = "edp" // expert data parallel: the replicas of one expert shard
	AxisDP  Axis = "dp"
	AxisPP  Axis = "pp"
	// AxisDPCP is dp and cp together: the ranks that hold the same
	// non-expert parameter shard (the gradient reduction group, and LSS's
	// single gradient average).
	AxisDPCP Axis = "dpcp"
	// AxisKV is the tp ranks that hold the same key/value head when tp
	// exceeds a grouped-query model's kv_heads (each head replicated over
	// tp/kv_heads consecutive tp ranks, see ParamPart): their gradients of
	// the head's columns are partial sums over the group.
	AxisKV Axis = "kv"
)

// Mesh maps the plan's parallel degrees onto ranks in Megatron order: tp
// innermost, then cp, then dp, then pp outermost, so that tp groups are
// consecutive ranks and stay inside a node. Expert parallelism does not add
// ranks: an ep group is a block of ep consecutive data ranks (same tp index)
// in the order (cp inner, dp outer); with SSMB the block runs over tp too
// (tp innermost), because then the tp ranks hold different tokens.
//
// KV is the number of consecutive tp ranks that hold each key/value head
// (the size of an AxisKV group): tp/kv_heads when tp exceeds a
// grouped-query model's kv_heads, else 1 (0 reads as 1).
type Mesh struct {
	TP, CP, DP, PP, EP int
	SSMB               bool
	KV                 int `json:",omitempty"`
}

// NewMesh returns the mesh of a resolved plan.
func NewMesh(p *Plan) Mesh {
	return Mesh{TP: p.TP, CP: p.CP, DP: p.DP, PP: p.PP, EP: max(p.EP, 1), SSMB: p.MoE.SSMB, KV: KVReplication(p)}
}

// KVReplication returns how many tp ranks hold each key/value head of plan
// p: tp/kv_heads when tp exceeds the kv_heads of a grouped-query (not
// latent) attention model, else 1.
func KVReplication(p *Plan) int {
	m := p.Model
	if m == nil || m.Kind != Transformer || m.MLA != nil || m.Heads == 0 || p.TP <= m.KV() || p.TP%m.KV() != 0 {
		return 1
	}
	return p.TP / m.KV()
}

// kv is the size of an AxisKV group.
func (m Mesh) kv() int { return max(m.KV, 1) }

// Coord is a rank's index along each axis.
type Coord struct{ TP, CP, DP, PP int }

// Size returns the number of ranks.
func (m Mesh) Size() int { return m.TP * m.CP * m.DP * m.PP }

// Rank returns the rank at c.
func (m Mesh) Rank(c Coord) int {
	return ((c.PP*m.DP+c.DP)*m.CP+c.CP)*m.TP + c.TP
}

// Coord returns the coordinates of rank r.
func (m Mesh) Coord(r int) Coord {
	var c Coord
	c.TP = r % m.TP
	r /= m.TP
	c.CP = r % m.CP
	r /= m.CP
	c.DP = r % m.DP
	c.PP = r / m.DP
	return c
}

// expertIndex is a rank's position in the flattened order that ep and edp
// groups are cut from, and the length of that order within one stage.
func (m Mesh) expertIndex(c Coord) (idx, n int) {
	d := c.DP*m.CP + c.CP
	if m.SSMB {
		return d*m.TP + c.TP, m.DP * m.CP * m.TP
	}
	return d, m.DP * m.CP
}

// Group returns the ranks of rank r's group along axis, in ascending order
// of the group-local index (that order is the ring order of collectives).
func (m Mesh) Group(axis Axis, r int) []int {
	c := m.Coord(r)
	var g []int
	switch axis {
	case AxisTP:
		for i := 0; i < m.TP; i++ {
			c.TP = i
			g = append(g, m.Rank(c))
		}
	case AxisKV:
		k := m.kv()
		for i := c.TP / k * k; i < (c.TP/k+1)*k; i++ {
			c.TP = i
			g = append(g, m.Rank(c))
		}
	case AxisCP:
		for i := 0; i < m.CP; i++ {
			c.CP = i
			g = append(g, m.Rank(c))
		}
	case AxisDP:
		for i := 0; i < m.DP; i++ {
			c.DP = i
			g = append(g, m.Rank(c))
		}
	case AxisPP:
		for i := 0; i < m.PP; i++ {
			c.PP = i
			g = append(g, m.Rank(c))
		}
	case AxisDPCP:
		for d := 0; d < m.DP; d++ {
			for k := 0; k < m.CP; k++ {
				c.DP, c.CP = d, k
				g = append(g, m.Rank(c))
			}
		}
	case AxisEP:
		// the ep block of idx: EP consecutive expert indices
		idx, _ := m.expertIndex(c)
		for j := idx / m.EP * m.EP; j < (idx/m.EP+1)*m.EP; j++ {
			g = append(g, m.fromExpertIndex(j, c))
		}
	case AxisEDP:
		// the indices with idx's position in their ep block
		idx, n := m.expertIndex(c)
		for j := idx % m.EP; j < n; j += m.EP {
			g = append(g, m.fromExpertIndex(j, c))
		}
	default:
		panic(fmt.Sprintf("ir.Mesh.Group: unknown axis %q", axis))
	}
	return g
}

func (m Mesh) fromExpertIndex(j int, c Coord) int {
	if m.SSMB {
		c.TP = j % m.TP
		j /= m.TP
	}
	c.CP = j % m.CP
	c.DP = j / m.CP
	return m.Rank(c)
}

// GroupFirst returns the first (smallest) rank of rank r's group along
// axis and the group's size, in constant time: what identifies the group
// without listing it (Group lists it in time proportional to its size).
func (m Mesh) GroupFirst(axis Axis, r int) (first, size int) {
	c := m.Coord(r)
	switch axis {
	case AxisTP:
		c.TP = 0
		return m.Rank(c), m.TP
	case AxisKV:
		c.TP = c.TP / m.kv() * m.kv()
		return m.Rank(c), m.kv()
	case AxisCP:
		c.CP = 0
		return m.Rank(c), m.CP
	case AxisDP:
		c.DP = 0
		return m.Rank(c), m.DP
	case AxisPP:
		c.PP = 0
		return m.Rank(c), m.PP
	case AxisDPCP:
		c.DP, c.CP = 0, 0
		return m.Rank(c), m.DP * m.CP
	case AxisEP, AxisEDP:
		idx, n := m.expertIndex(c)
		if axis == AxisEP {
			return m.fromExpertIndex(idx/m.EP*m.EP, c), m.EP
		}
		return m.fromExpertIndex(idx%m.EP, c), n / m.EP
	}
	panic(fmt.Sprintf("ir.Mesh.GroupFirst: unknown axis %q", axis))
}

// Groups returns every distinct group along axis, each in ring order,
// ordered by their smallest rank.
func (m Mesh) Groups(axis Axis) [][]int {
	seen := make([]bool, m.Size())
	var out [][]int
	for r := 0; r < m.Size(); r++ {
		if seen[r] {
			continue
		}
		g := m.Group(axis, r)
		for _, x := range g {
			seen[x] = true
		}
		out = append(out, g)
	}
	return out
}

// Index returns r's position within its group along axis.
func (m Mesh) Index(axis Axis, r int) int {
	for i, x := range m.Group(axis, r) {
		if x == r {
			return i
		}
	}
	return -1
}

// String prints the mesh shape, e.g. "tp=2 cp=1 dp=4 pp=2 (ep=4) = 16 ranks".
func (m Mesh) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tp=%d cp=%d dp=%d pp=%d", m.TP, m.CP, m.DP, m.PP)
	if m.EP > 1 {
		fmt.Fprintf(&b, " (ep=%d", m.EP)
		if m.SSMB {
			b.WriteString(" over tp·cp·dp")
		} else {
			b.WriteString(" over cp·dp")
		}
		b.WriteString(")")
	}
	if m.kv() > 1 {
		fmt.Fprintf(&b, " (kv=%d over tp)", m.kv())
	}
	fmt.Fprintf(&b, " = %d ranks", m.Size())
	return b.String()
}
