package ir

import (
	"reflect"
	"slices"
	"testing"
)

func TestMeshMegatronOrder(t *testing.T) {
	m := Mesh{TP: 2, CP: 1, DP: 4, PP: 2, EP: 2}
	tests := []struct {
		axis Axis
		rank int
		want []int
	}{
		{AxisTP, 5, []int{4, 5}},
		{AxisDP, 0, []int{0, 2, 4, 6}},
		{AxisPP, 3, []int{3, 11}},
		{AxisEP, 2, []int{0, 2}},
		{AxisEP, 5, []int{5, 7}},
		{AxisEDP, 2, []int{2, 6}},
		{AxisDPCP, 1, []int{1, 3, 5, 7}},
	}
	for _, tt := range tests {
		if got := m.Group(tt.axis, tt.rank); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Group(%s, %d) = %v, want %v", tt.axis, tt.rank, got, tt.want)
		}
	}
	ssmb := Mesh{TP: 2, CP: 1, DP: 2, PP: 1, EP: 4, SSMB: true}
	if got := ssmb.Group(AxisEP, 3); !reflect.DeepEqual(got, []int{0, 1, 2, 3}) {
		t.Errorf("ssmb ep group = %v", got)
	}
	for r := 0; r < m.Size(); r++ {
		if m.Rank(m.Coord(r)) != r {
			t.Fatalf("Rank(Coord(%d)) != %d", r, r)
		}
	}
	if n := len(m.Groups(AxisTP)); n != 8 {
		t.Errorf("tp groups = %d, want 8", n)
	}
}

// TestMeshGroupsPartitionRanks checks every mesh of a grid by brute force
// over its ranks: along each axis the groups partition the ranks into
// groups of the axis's degree, every member of a group sees the same group
// and its own index in it; the members of a tp, cp, dp or pp group differ
// only in that coordinate (dp·cp groups in those two); tp groups are runs
// of consecutive ranks (Megatron order); an ep group and an edp group
// meet in exactly one rank and together tile a stage's data ranks (and its
// tp ranks too with ssmb), all within one pipeline stage and, without
// ssmb, one tp index.
func TestMeshGroupsPartitionRanks(t *testing.T) {
	var meshes []Mesh
	for _, tp := range []int{1, 2, 4} {
		for _, cp := range []int{1, 2} {
			for _, dp := range []int{1, 2, 4} {
				for _, pp := range []int{1, 3} {
					for _, ep := range []int{1, 2, 4, 8} {
						for _, ssmb := range []bool{false, true} {
							data := dp * cp
							if ssmb {
								data *= tp
							}
							if data%ep == 0 {
								meshes = append(meshes, Mesh{TP: tp, CP: cp, DP: dp, PP: pp, EP: ep, SSMB: ssmb})
							}
						}
					}
				}
			}
		}
	}
	axes := []Axis{AxisTP, AxisCP, AxisDP, AxisPP, AxisDPCP, AxisEP, AxisEDP}
	for _, m := range meshes {
		n := m.Size()
		for _, axis := range axes {
			owner := make([]int, n)
			for i := range owner {
				owner[i] = -1
			}
			for gi, g := range m.Groups(axis) {
				if len(g) != m.Degree(axis) {
					t.Errorf("%v: %s group %v has %d ranks, want the degree %d", m, axis, g, len(g), m.Degree(axis))
				}
				for i, r := range g {
					if owner[r] >= 0 {
						t.Errorf("%v: rank %d in two %s groups", m, r, axis)
					}
					owner[r] = gi
					if !reflect.DeepEqual(m.Group(axis, r), g) || m.Index(axis, r) != i {
						t.Errorf("%v: rank %d sees %s group %v at index %d, its group is %v (index %d)", m, r, axis, m.Group(axis, r), m.Index(axis, r), g, i)
					}
					a, b := m.Coord(g[0]), m.Coord(r)
					free := map[Axis]Coord{ // the coordinates a group may vary in
						AxisTP: {TP: 1}, AxisCP: {CP: 1}, AxisDP: {DP: 1}, AxisPP: {PP: 1}, AxisDPCP: {DP: 1, CP: 1},
						AxisEP: {DP: 1, CP: 1}, AxisEDP: {DP: 1, CP: 1},
					}[axis]
					if m.SSMB && (axis == AxisEP || axis == AxisEDP) {
						free.TP = 1
					}
					if (free.TP == 0 && a.TP != b.TP) || (free.CP == 0 && a.CP != b.CP) || (free.DP == 0 && a.DP != b.DP) || (free.PP == 0 && a.PP != b.PP) {
						t.Errorf("%v: %s group %v mixes coordinates %+v and %+v", m, axis, g, a, b)
					}
					if axis == AxisTP && r != g[0]+i {
						t.Errorf("%v: tp group %v is not a run of consecutive ranks", m, g)
					}
				}
			}
			for r, o := range owner {
				if o < 0 {
					t.Errorf("%v: rank %d in no %s group", m, r, axis)
				}
			}
		}
		for r := 0; r < n; r++ {
			common := 0
			for _, x := range m.Group(AxisEP, r) {
				for _, y := range m.Group(AxisEDP, r) {
					if x == y {
						common++
					}
				}
			}
			if common != 1 {
				t.Errorf("%v: rank %d's ep and edp groups share %d ranks, want 1 (itself)", m, r, common)
			}
		}
	}
}

// TestGroupFirst: GroupFirst names the first rank and the size of the
// group Group lists, on every axis of meshes with and without ssmb.
func TestGroupFirst(t *testing.T) {
	for _, m := range []Mesh{
		{TP: 2, CP: 2, DP: 4, PP: 2, EP: 4},
		{TP: 2, CP: 1, DP: 4, PP: 3, EP: 8, SSMB: true},
		{TP: 1, CP: 3, DP: 2, PP: 1, EP: 2},
	} {
		for _, axis := range []Axis{AxisTP, AxisCP, AxisDP, AxisPP, AxisDPCP, AxisEP, AxisEDP} {
			for r := range m.Size() {
				g := m.Group(axis, r)
				first, size := m.GroupFirst(axis, r)
				if first != g[0] || size != len(g) {
					t.Errorf("%v %s rank %d: GroupFirst = (%d, %d), Group = %v", m, axis, r, first, size, g)
				}
			}
		}
	}
}

// TestKVGroups: kv groups are blocks of tp/kv_heads consecutive tp ranks
// inside each tp group; without replication a group of one.
func TestKVGroups(t *testing.T) {
	m := Mesh{TP: 4, CP: 1, DP: 2, PP: 1, EP: 1, KV: 2}
	if got := m.Groups(AxisKV); !slices.EqualFunc(got, [][]int{{0, 1}, {2, 3}, {4, 5}, {6, 7}}, slices.Equal) {
		t.Errorf("kv groups %v", got)
	}
	if first, n := m.GroupFirst(AxisKV, 7); first != 6 || n != 2 || m.Degree(AxisKV) != 2 {
		t.Errorf("GroupFirst(kv, 7) = %d, %d; degree %d", first, n, m.Degree(AxisKV))
	}
	if g := (Mesh{TP: 2, CP: 1, DP: 1, PP: 1, EP: 1}).Group(AxisKV, 1); !slices.Equal(g, []int{1}) {
		t.Errorf("no replication: kv group of rank 1 is %v", g)
	}
	p := &Plan{TP: 4, Model: &Model{Kind: Transformer, Heads: 8, KVHeads: 2}}
	if k := KVReplication(p); k != 2 {
		t.Errorf("KVReplication(tp 4, kv_heads 2) = %d", k)
	}
	for _, tp := range []int{1, 2} {
		p.TP = tp
		if k := KVReplication(p); k != 1 {
			t.Errorf("KVReplication(tp %d, kv_heads 2) = %d", tp, k)
		}
	}
}
