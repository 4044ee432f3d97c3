package ir

// This file holds folded schedules: the programs of one block of data-
// parallel replicas stand for every block, so that building, verifying and
// simulating a schedule costs what is distinct, not what is repeated.
//
// Data-parallel replicas run the same program: a rank's pipeline peers
// have its dp index, and its groups are either its replica block's (the
// model-parallel group of the gradient norm, the tied-embedding pair, an
// expert-parallel group) or span every replica (the data-parallel
// reduction, the expert-data-parallel group, the world). Moving every dp
// index by FoldDP ("a block") therefore maps the schedule onto itself.
// A folded schedule stores the programs of the ranks whose dp index is
// below FoldDP; rank r of block b runs the program of rank r − b·FoldDP
// (same pp, cp, tp) with every peer and every block-local group moved by b
// blocks ([Schedule.Program]), and [Schedule.Expand] writes that out.

import (
	"fmt"
	"slices"
)

// Folded reports whether s stores only the ranks of its first FoldDP data-
// parallel indices.
func (s *Schedule) Folded() bool { return s.FoldDP > 0 && s.FoldDP < s.Mesh.DP }

// Blocks returns how many replica blocks the stored ranks stand for (1
// when s is not folded).
func (s *Schedule) Blocks() int {
	if !s.Folded() {
		return 1
	}
	return s.Mesh.DP / s.FoldDP
}

// Stored reports whether rank r's program is stored in s.
func (s *Schedule) Stored(r int) bool { return !s.Folded() || s.Mesh.Coord(r).DP < s.FoldDP }

// Rep returns the stored rank whose program rank r runs, and how many
// blocks r is moved from it.
func (s *Schedule) Rep(r int) (rep, block int) {
	if !s.Folded() {
		return r, 0
	}
	c := s.Mesh.Coord(r)
	block = c.DP / s.FoldDP
	c.DP %= s.FoldDP
	return s.Mesh.Rank(c), block
}

// MoveRank returns rank x moved by block replica blocks (dp index + block
// · FoldDP, modulo dp).
func (s *Schedule) MoveRank(x, block int) int {
	if block == 0 {
		return x
	}
	c := s.Mesh.Coord(x)
	c.DP = (c.DP + block*s.FoldDP) % s.Mesh.DP
	return s.Mesh.Rank(c)
}

// spansBlocks reports whether group g holds every replica block's
// members (it is its own image when moved by a block); otherwise it must
// lie inside block 0, which [Schedule.CheckStructure] checks.
func (s *Schedule) spansBlocks(g []int32) bool {
	if !s.Folded() {
		return true
	}
	in := NewMemberSet(g)
	for _, x := range g {
		if !in.Has(int32(s.MoveRank(int(x), 1))) {
			return false
		}
	}
	return true
}

// checkFolded checks what a folded schedule's readers rely on: only the
// stored ranks have programs, their peers are stored ranks, and each
// group they use spans every block or lies in block 0.
func (s *Schedule) checkFolded(c *structureCheck) {
	if !s.Folded() {
		return
	}
	if s.FoldDP < 1 || s.Mesh.DP%s.FoldDP != 0 {
		c.bad("a folded schedule's block of %d replicas does not divide dp = %d", s.FoldDP, s.Mesh.DP)
		return
	}
	used := make([]bool, len(s.Groups))
	for r, rp := range s.Ranks {
		if !s.Stored(r) {
			if len(rp.Actions) > 0 && c.bad("rank %d of a folded schedule is not stored, but has a program", r) {
				return
			}
			continue
		}
		for i, a := range rp.Actions {
			if a.Peer >= 0 && !s.Stored(int(a.Peer)) {
				if c.bad("rank %d: action %d: peer %d is in another replica block", r, i, a.Peer) {
					return
				}
			}
			if a.Group >= 0 {
				used[a.Group] = true
			}
		}
	}
	for g, u := range used {
		if !u || s.spansBlocks(s.Groups[g]) {
			continue
		}
		for _, x := range s.Groups[g] {
			if !s.Stored(int(x)) {
				if c.bad("group g%d spans some replica blocks but not all", g) {
					return
				}
				break
			}
		}
	}
}

// Program returns rank r's actions: the stored program, or its
// representative's with peers and block-local groups moved (groups moved
// are looked up in moved, which [Schedule.Expand] fills; nil: the
// representative's group ids are kept, which only a reader that does not
// follow groups may use).
func (s *Schedule) Program(r int, moved func(g int32, block int) int32) []Action {
	rep, b := s.Rep(r)
	acts := s.Ranks[rep].Actions
	if b == 0 {
		return acts
	}
	out := make([]Action, len(acts))
	for i, a := range acts {
		if a.Peer >= 0 {
			a.Peer = int32(s.MoveRank(int(a.Peer), b))
		}
		if a.Group >= 0 && moved != nil {
			a.Group = moved(a.Group, b)
		}
		out[i] = a
	}
	return out
}

// Expand returns the schedule with every rank's program written out. Its
// groups are numbered in order of first use, rank by rank, each rank
// asking first for the groups its representative's GroupUse lists (the
// order in which the builder asked for them), so that the expanded
// schedule is exactly the one built unfolded. An unfolded s is returned as
// it is.
func (s *Schedule) Expand() *Schedule {
	if !s.Folded() {
		return s
	}
	return s.Refold(s.Mesh.DP)
}

// Refold returns s folded with a block of k data-parallel indices, k a
// multiple of s.FoldDP that divides dp (k = dp: expanded): the programs of
// the ranks below k written out, groups numbered as Expand numbers them.
func (s *Schedule) Refold(k int) *Schedule {
	if !s.Folded() || k == s.FoldDP {
		return s
	}
	if k%s.FoldDP != 0 || s.Mesh.DP%k != 0 {
		panic(fmt.Sprintf("ir.Schedule.Refold: a block of %d does not fold a schedule folded by %d with dp %d", k, s.FoldDP, s.Mesh.DP))
	}
	out := *s
	out.FoldDP, out.GroupUse = k, nil
	if k == s.Mesh.DP {
		out.FoldDP = 0
	}
	out.Groups = nil
	out.Ranks = make([]RankProgram, len(s.Ranks))
	spans := make([]int8, len(s.Groups)) // 0 unknown, 1 spans blocks, 2 block-local
	type key struct{ g, b int32 }
	ids := map[key]int32{}
	moved := func(g int32, b int) int32 {
		if spans[g] == 0 {
			spans[g] = 2
			if s.spansBlocks(s.Groups[g]) {
				spans[g] = 1
			}
		}
		k := key{g, int32(b)}
		if spans[g] == 1 {
			k.b = 0
		}
		if id, ok := ids[k]; ok {
			return id
		}
		members := make([]int32, len(s.Groups[g]))
		for i, x := range s.Groups[g] {
			members[i] = int32(s.MoveRank(int(x), int(k.b)))
		}
		id := int32(len(out.Groups))
		out.Groups = append(out.Groups, members)
		ids[k] = id
		return id
	}
	if out.FoldDP > 0 {
		out.GroupUse = make([][]int32, len(s.Ranks))
	}
	for r := range s.Ranks {
		out.Ranks[r] = RankProgram{Rank: r, Coord: s.Mesh.Coord(r)}
		if out.FoldDP > 0 && out.Ranks[r].Coord.DP >= k {
			continue
		}
		rep, b := s.Rep(r)
		var use []int32
		if rep < len(s.GroupUse) {
			for _, g := range s.GroupUse[rep] {
				use = append(use, moved(g, b))
			}
		}
		if out.GroupUse != nil {
			out.GroupUse[r] = use
		}
		acts := s.Program(r, nil)
		prog := make([]Action, len(acts))
		for i, a := range acts {
			if a.Group >= 0 {
				a.Group = moved(a.Group, b)
			}
			prog[i] = a
		}
		out.Ranks[r].Actions = prog
	}
	return &out
}

// ActionBytes is the memory one action takes in a schedule (the size of
// [Action]), for estimates of what a schedule needs.
const ActionBytes = 40

// MemberSet answers membership in a group: by binary search when the
// group is in ascending order (every group a builder makes is), else by a
// map. Groups of a million ranks are asked often; a map of them is slow
// to build.
type MemberSet struct {
	g      []int32
	sorted bool
	m      map[int32]bool
}

// NewMemberSet returns the member set of group g.
func NewMemberSet(g []int32) MemberSet {
	sorted := true
	for i := 1; i < len(g); i++ {
		if g[i] <= g[i-1] {
			sorted = false
			break
		}
	}
	if sorted {
		return MemberSet{g: g, sorted: true}
	}
	m := make(map[int32]bool, len(g))
	for _, x := range g {
		m[x] = true
	}
	return MemberSet{g: g, m: m}
}

// Has reports whether rank x is a member.
func (ms MemberSet) Has(x int32) bool {
	if !ms.sorted {
		return ms.m[x]
	}
	_, ok := slices.BinarySearch(ms.g, x)
	return ok
}

// StrictlyAscending reports whether g lists distinct ranks in ascending
// order.
func StrictlyAscending(g []int32) bool { return NewMemberSet(g).sorted }
