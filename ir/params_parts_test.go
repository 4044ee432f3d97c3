package ir

import (
	"slices"
	"testing"
)

// TestShardPartsLocalIndex: each tp rank holds its heads of every part —
// grouped-query attention's q, k, v (kv heads split, and replicated when
// tp exceeds them) and a gated FFN's gate and up columns — and with equal
// parts it is ShardQKV.
func TestShardPartsLocalIndex(t *testing.T) {
	gqa := &Param{Shape: []int{1, 16}, Shard: ShardParts, Parts: []ParamPart{{4, 2}, {2, 2}, {2, 2}}} // q 0-7, k 8-11, v 12-15
	gated := &Param{Shape: []int{2, 8}, Shard: ShardParts, Parts: []ParamPart{{4, 1}, {4, 1}}}        // gate 0-3, up 4-7
	for _, tc := range []struct {
		name  string
		p     *Param
		i, tp int
		want  []int32
		local []int
	}{
		{"gqa tp2 rank1: q heads 2-3, kv head 1", gqa, 1, 2, []int32{4, 5, 6, 7, 10, 11, 14, 15}, []int{1, 8}},
		{"gqa tp4 rank1: q head 1, kv head 0 replicated", gqa, 1, 4, []int32{2, 3, 8, 9, 12, 13}, []int{1, 6}},
		{"gqa tp4 rank2: q head 2, kv head 1", gqa, 2, 4, []int32{4, 5, 10, 11, 14, 15}, []int{1, 6}},
		{"gated tp2 rank1: gate 2-3, up 6-7, every row", gated, 1, 2, []int32{2, 3, 6, 7, 10, 11, 14, 15}, []int{2, 4}},
	} {
		got := tc.p.LocalIndex(tc.i, tc.tp)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if ls := tc.p.LocalShape(tc.tp); !slices.Equal(ls, tc.local) {
			t.Errorf("%s: local shape %v, want %v", tc.name, ls, tc.local)
		}
	}
	thirds := &Param{Shape: []int{3, 12}, Shard: ShardQKV}
	parts := &Param{Shape: []int{3, 12}, Shard: ShardParts, Parts: []ParamPart{{2, 2}, {2, 2}, {2, 2}}}
	for i := range 2 {
		if a, b := thirds.LocalIndex(i, 2), parts.LocalIndex(i, 2); !slices.Equal(a, b) {
			t.Errorf("rank %d: ShardQKV %v, equal parts %v", i, a, b)
		}
	}
}

// TestReplicatedKVColumns: the local positions of replicated key/value
// columns (every row's k and v heads when tp exceeds kv_heads) and the
// size of the group sharing them; nothing when the heads are split.
func TestReplicatedKVColumns(t *testing.T) {
	gqa := &Param{Name: "qkv", Shape: []int{2, 16}, Shard: ShardParts, Parts: []ParamPart{{4, 2}, {2, 2}, {2, 2}}}
	for _, tc := range []struct {
		tp    int
		want  []int32
		share int
	}{
		{1, nil, 1},
		{2, nil, 1},
		// local row [q head | k head | v head] of 6 columns: k and v replicated by 2
		{4, []int32{2, 3, 4, 5, 8, 9, 10, 11}, 2},
	} {
		got, share := gqa.Replicated(tc.tp)
		if !slices.Equal(got, tc.want) || share != tc.share {
			t.Errorf("tp %d: %v shared by %d, want %v shared by %d", tc.tp, got, share, tc.want, tc.share)
		}
	}
	gated := &Param{Shape: []int{2, 8}, Shard: ShardParts, Parts: []ParamPart{{4, 1}, {4, 1}}}
	if got, share := gated.Replicated(4); got != nil || share != 1 {
		t.Errorf("gated fc1 at tp 4: %v shared by %d, want nothing", got, share)
	}
}
