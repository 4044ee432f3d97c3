package ir

import (
	"reflect"
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
