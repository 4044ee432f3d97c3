package ir

// This file holds the schedule file: the versioned binary form of a
// [Schedule] that `planc compile -o FILE.sched` writes and the runtime loads.
//
// Layout (version 1), all integers little-endian or varint as said:
//
//	magic      "PLANCSCHED\n"                      11 bytes
//	version    uvarint                              ScheduleFileVersion
//	header     uvarint length, then that many bytes of JSON: the
//	           scheduleHeader below (plan name, plan fingerprint, schedule
//	           kind, pp, vpp, micro-batches, zero, split_backward, the mesh,
//	           the stages with their gradient bucket layout "Buckets", and
//	           the groups)
//	ranks      uvarint count; for each rank in order, uvarint action
//	           count, then per action: byte kind, byte coll, then
//	           varint (zig-zag) stage, mb, peer, group, bucket, dep, bytes
//	checksum   uint32 CRC-32 (IEEE) of every byte before it
//
// Kinds and collective codes are the numeric values of [ActionKind] and
// [CollKind]; version 1 fixes them. A kind added later takes the next free
// value (ALLREDUCE_SEQ is 13, ALLREDUCE_KV 14), so a version-1 file written before it still
// reads exactly as it was meant; a reader that predates a kind rejects a
// file that uses it as having an unknown kind. The runtime refuses an older
// file of a plan that needs a newer kind (an sp or ssmb plan without its
// ALLREDUCE_SEQ actions) and asks for a recompilation. A reader rejects a file whose magic,
// version or checksum is wrong, and (given the plan) one whose plan
// fingerprint differs from the plan's: a schedule is only valid for the
// exact plan it was compiled from. A file whose stages carry no "Buckets"
// (written before the layout was part of the header) still reads and
// simulates; the runtime refuses to train with it and asks for a
// recompilation.

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"strings"
)

// ScheduleFileVersion is the version of the schedule file format this
// package writes and reads.
const ScheduleFileVersion = 1

const scheduleMagic = "PLANCSCHED\n"

// PlanFingerprint returns a hash of everything in plan p that a schedule
// depends on: the model's shape, the cluster, every parallel degree, the
// schedule, batch sizes, precision, recomputation, ZeRO, the MoE plan and
// the overlap switches. Names and source positions do not count.
func PlanFingerprint(p *Plan) string {
	h := sha256.New()
	m := p.Model
	if m != nil {
		fmt.Fprintf(h, "model %s v%d s%d h%d l%d a%d f%d tie%v w%d d%d ffn%s/%d/%d\n",
			m.Kind, m.Vocab, m.Seq, m.Hidden, m.Layers, m.Heads, m.FFN, m.TieEmbeddings, m.Width, m.Depth,
			m.FFNKind.Kind, m.FFNKind.K, m.FFNKind.Parts)
		if e := m.MoE; e != nil {
			// spelt as before the routing vocabulary existed, so that
			// existing schedule files keep their fingerprints
			fmt.Fprintf(h, "moe {Experts:%d Shared:%d TopK:%d ExpertFFN:%d Every:%d FirstDense:%d Router:%s AuxLoss:%v NormalizeTopK:%v}\n",
				e.Experts, e.Shared, e.TopK, e.ExpertFFN, e.Every, e.FirstDense, e.Router, e.AuxLoss, e.NormalizeTopK)
			if e.Groups != 0 || e.TopKGroups != 0 || e.BiasBalance {
				fmt.Fprintf(h, "routing g%d tg%d bias%v/%g\n", e.Groups, e.TopKGroups, e.BiasBalance, e.BiasRate)
			}
		}
		if (m.NormEps != 0 && m.NormEps != 1e-5) || m.Norm == NormRMS || m.MLP.Gated() || m.KVHeads != 0 || m.HeadDim != 0 || m.Position == PositionRoPE || m.NoBias || m.MLA != nil {
			fmt.Fprintf(h, "arch %s/%g %s kv%d hd%d %s/%g nobias%v\n", m.Norm, m.NormEps, m.MLP, m.KVHeads, m.HeadDim, m.Position, m.RopeTheta, m.NoBias)
			if m.MLA != nil {
				fmt.Fprintf(h, "mla %+v\n", *m.MLA)
			}
		}
	}
	if c := p.Cluster; c != nil {
		fmt.Fprintf(h, "cluster nodes%d per%d inter%g/%g\n", c.Nodes, c.PerNode, c.InterBW, c.InterLatency)
		if n := c.Node; n != nil {
			fmt.Fprintf(h, "node dev%d intra%g/%g\n", n.Devices, n.IntraBW, n.IntraLatency)
			if d := n.Device; d != nil {
				fmt.Fprintf(h, "device %g %g %g %g %g\n", d.PeakBF16, d.PeakFP16, d.PeakFP32, d.Memory, d.HBMBandwidth)
				if d.PeakFP8 != 0 {
					fmt.Fprintf(h, "fp8 %g\n", d.PeakFP8)
				}
			}
		}
	}
	fmt.Fprintf(h, "plan dp%d tp%d pp%d ep%d cp%d vpp%d sp%v cp_mode%s zero%d sched%s gb%d mb%d rc%s prec%s moe%+v\n",
		p.DP, p.TP, p.PP, p.EP, p.CP, p.VPP, p.SP, p.CPMode, p.Zero, p.Schedule, p.GlobalBatch, p.MicroBatch,
		p.Recompute, p.Precision, p.MoE)
	if p.Attention == AttentionFused {
		fmt.Fprintf(h, "attention %s\n", p.Attention)
	}
	if p.Overlap != (OverlapPlan{}) { // plans that keep the default keep their fingerprints
		fmt.Fprintf(h, "overlap %+v\n", p.Overlap)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// scheduleHeader is the JSON header of a schedule file.
type scheduleHeader struct {
	Plan          string       `json:"plan"`
	Fingerprint   string       `json:"fingerprint"`
	Kind          ScheduleKind `json:"kind"`
	PP            int          `json:"pp"`
	VPP           int          `json:"vpp"`
	MB            int          `json:"micro_batches"`
	Zero          int          `json:"zero"`
	SplitBackward bool         `json:"split_backward"`
	SerialGrads   bool         `json:"serial_grad_reduce,omitempty"`
	Mesh          Mesh         `json:"mesh"`
	Stages        []StageInfo  `json:"stages"`
	Groups        [][]int32    `json:"groups"`
}

// WriteSchedule writes s in the schedule file format.
// A folded schedule is written expanded.
func WriteSchedule(w io.Writer, s *Schedule) error {
	s = s.Expand()
	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	hdr, err := json.Marshal(scheduleHeader{Plan: s.Plan, Fingerprint: s.Fingerprint, Kind: s.Kind, PP: s.PP, VPP: s.VPP,
		MB: s.MB, Zero: s.Zero, SplitBackward: s.SplitBackward, SerialGrads: s.SerialGradReduce, Mesh: s.Mesh, Stages: s.Stages, Groups: s.Groups})
	if err != nil {
		return err
	}
	var buf [binary.MaxVarintLen64]byte
	uv := func(x uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], x)]) }
	sv := func(x int64) { bw.Write(buf[:binary.PutVarint(buf[:], x)]) }
	bw.WriteString(scheduleMagic)
	uv(ScheduleFileVersion)
	uv(uint64(len(hdr)))
	bw.Write(hdr)
	uv(uint64(len(s.Ranks)))
	for _, rp := range s.Ranks {
		uv(uint64(len(rp.Actions)))
		for _, a := range rp.Actions {
			bw.WriteByte(byte(a.Kind))
			bw.WriteByte(byte(a.Coll))
			sv(int64(a.Stage))
			sv(int64(a.MB))
			sv(int64(a.Peer))
			sv(int64(a.Group))
			sv(int64(a.Bucket))
			sv(int64(a.Dep))
			sv(a.Bytes)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], crc.Sum32())
	_, err = w.Write(sum[:])
	return err
}

// crcReader feeds every byte it reads into a hash.
type crcReader struct {
	r *bufio.Reader
	h hash.Hash32
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	return n, err
}

func (c *crcReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.h.Write([]byte{b})
	}
	return b, err
}

// ReadSchedule reads a schedule file. When plan is not nil, a file compiled
// from a different plan (another fingerprint) is rejected.
func ReadSchedule(r io.Reader, plan *Plan) (*Schedule, error) {
	cr := &crcReader{r: bufio.NewReaderSize(r, 1<<16), h: crc32.NewIEEE()}
	magic := make([]byte, len(scheduleMagic))
	if _, err := io.ReadFull(cr, magic); err != nil || string(magic) != scheduleMagic {
		return nil, errors.New("not a planc schedule file (bad magic)")
	}
	version, err := binary.ReadUvarint(cr)
	if err != nil {
		return nil, fmt.Errorf("schedule file: %w", err)
	}
	if version != ScheduleFileVersion {
		return nil, fmt.Errorf("schedule file has format version %d, this planc reads version %d: recompile it with `planc compile -o FILE.sched`", version, ScheduleFileVersion)
	}
	n, err := binary.ReadUvarint(cr)
	if err != nil || n > 1<<30 {
		return nil, fmt.Errorf("schedule file: bad header length")
	}
	// Read, never allocate, what the file claims: a short file with a
	// large count fails at its end, not at a huge allocation.
	hb, err := io.ReadAll(io.LimitReader(cr, int64(n)))
	if err != nil || uint64(len(hb)) != n {
		return nil, fmt.Errorf("schedule file: truncated header")
	}
	var h scheduleHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, fmt.Errorf("schedule file: bad header: %w", err)
	}
	if plan != nil {
		if want := PlanFingerprint(plan); want != h.Fingerprint {
			return nil, fmt.Errorf("schedule file was compiled for plan %q (fingerprint %s), which is not plan %q as it is now (fingerprint %s): recompile it", h.Plan, h.Fingerprint, plan.Name, want)
		}
	}
	s := &Schedule{Plan: h.Plan, Fingerprint: h.Fingerprint, Kind: h.Kind, PP: h.PP, VPP: h.VPP, MB: h.MB, Zero: h.Zero,
		SplitBackward: h.SplitBackward, SerialGradReduce: h.SerialGrads, Mesh: h.Mesh, Stages: h.Stages, Groups: h.Groups}
	nr, err := binary.ReadUvarint(cr)
	if err != nil || nr > 1<<24 {
		return nil, fmt.Errorf("schedule file: bad rank count")
	}
	hc := &structureCheck{}
	if s.checkHeader(hc); len(hc.probs) > 0 {
		return nil, fmt.Errorf("schedule file: bad header: %s", strings.Join(hc.probs, "; "))
	}
	if int(nr) != s.Mesh.Size() {
		return nil, fmt.Errorf("schedule file: %d ranks, but its mesh is %s", nr, s.Mesh)
	}
	s.Ranks = make([]RankProgram, 0, min(nr, 1<<12))
	var rerr error
	sv := func() int64 {
		x, err := binary.ReadVarint(cr)
		if err != nil && rerr == nil {
			rerr = err
		}
		return x
	}
	for i := 0; i < int(nr); i++ {
		na, err := binary.ReadUvarint(cr)
		if err != nil || na > 1<<28 {
			return nil, fmt.Errorf("schedule file: rank %d: bad action count", i)
		}
		acts := make([]Action, 0, min(na, 1<<12))
		for j := 0; j < int(na); j++ {
			k, err1 := cr.ReadByte()
			c, err2 := cr.ReadByte()
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("schedule file: rank %d: truncated at action %d", i, j)
			}
			if !ActionKind(k).Valid() {
				return nil, fmt.Errorf("schedule file: rank %d: action %d has unknown kind %d", i, j, k)
			}
			acts = append(acts, Action{Kind: ActionKind(k), Coll: CollKind(c), Stage: narrow(sv()), MB: narrow(sv()), Peer: narrow(sv()),
				Group: narrow(sv()), Bucket: narrow(sv()), Dep: narrow(sv()), Bytes: sv()})
		}
		if rerr != nil {
			return nil, fmt.Errorf("schedule file: rank %d: %w", i, rerr)
		}
		s.Ranks = append(s.Ranks, RankProgram{Rank: i, Coord: s.Mesh.Coord(i), Actions: acts})
	}
	want := cr.h.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(cr.r, sum[:]); err != nil {
		return nil, fmt.Errorf("schedule file: missing checksum")
	}
	if binary.LittleEndian.Uint32(sum[:]) != want {
		return nil, fmt.Errorf("schedule file: checksum mismatch (the file is corrupt)")
	}
	// A valid checksum says the file is as written, not that what was
	// written is sound: a file is input, checked before any use.
	if probs := s.CheckStructure(); len(probs) > 0 {
		return nil, fmt.Errorf("schedule file: malformed schedule: %s", strings.Join(probs, "; "))
	}
	return s, nil
}

// narrow converts a field read as an int64 to the int32 of [Action]; a
// value outside int32 becomes math.MinInt32, which every range check
// rejects.
func narrow(x int64) int32 {
	if x < math.MinInt32 || x > math.MaxInt32 {
		return math.MinInt32
	}
	return int32(x)
}

// CheckStructure checks what every reader of a schedule relies on before
// it indexes anything: a mesh of positive degrees within [MaxWorld] ranks
// whose pp is the header's, one program per rank in rank order, stages
// numbered 0..PP·VPP-1 on pipeline ranks of the mesh, groups of distinct
// ranks of the mesh, and actions whose kind, collective, stage,
// micro-batch, peer, group, bucket and dependency are all in range. It
// says nothing of whether the schedule is correct (the verifier of
// package passes/sched does); it is what makes that question safe to ask
// of a file. It returns the first problems found (at most 20), nil if
// none.
func (s *Schedule) CheckStructure() []string {
	c := &structureCheck{}
	if s.checkHeader(c); len(c.probs) == 0 {
		s.checkPrograms(c)
	}
	return c.probs
}

// structureCheck collects the problems of CheckStructure, at most 20.
type structureCheck struct{ probs []string }

// bad records a problem and reports whether the list is full.
func (c *structureCheck) bad(format string, args ...any) bool {
	if len(c.probs) < 20 {
		c.probs = append(c.probs, fmt.Sprintf(format, args...))
	}
	return len(c.probs) >= 20
}

// checkHeader checks everything but the rank programs.
func (s *Schedule) checkHeader(c *structureCheck) {
	bad := c.bad
	m := s.Mesh
	if m.TP < 1 || m.CP < 1 || m.DP < 1 || m.PP < 1 || m.EP < 1 {
		bad("mesh %s has a degree below 1", m)
		return
	}
	if w := float64(m.TP) * float64(m.CP) * float64(m.DP) * float64(m.PP); w > MaxWorld {
		bad("mesh %s has more than %d ranks", m, MaxWorld)
		return
	}
	if m.EP > 1 {
		if _, n := m.expertIndex(Coord{}); n%m.EP != 0 {
			bad("mesh %s: ep = %d does not divide the %d ranks ep is carved from", m, m.EP, n)
		}
	}
	if s.PP != m.PP {
		bad("the header says pp = %d, but the mesh has pp = %d", s.PP, m.PP)
	}
	if s.VPP < 1 || s.VPP > 1<<10 {
		bad("vpp = %d is out of range", s.VPP)
	}
	if s.MB < 1 || s.MB > MaxMicroBatches {
		bad("%d micro-batches is out of range (1 to %d)", s.MB, MaxMicroBatches)
	}
	if s.Zero < 0 || s.Zero > 3 {
		bad("zero = %d is not a ZeRO stage", s.Zero)
	}
	if len(c.probs) > 0 {
		return
	}
	if len(s.Stages) != s.PP*s.VPP {
		bad("%d stages, but pp·vpp = %d", len(s.Stages), s.PP*s.VPP)
	}
	for i, st := range s.Stages {
		if st.Index != i || st.PP < 0 || st.PP >= m.PP || st.Chunk < 0 || st.Chunk >= s.VPP || st.FirstLayer < 0 || st.EndLayer < st.FirstLayer {
			bad("stage %d is malformed (index %d, pp %d, chunk %d, layers [%d,%d))", i, st.Index, st.PP, st.Chunk, st.FirstLayer, st.EndLayer)
		}
		if nb := len(st.GradBuckets) + len(st.ExpertGradBuckets); len(st.Buckets) > 0 && len(st.Buckets) != nb {
			bad("stage %d: %d bucket layouts for %d gradient buckets", i, len(st.Buckets), nb)
		}
	}
	n := m.Size()
	for gi, g := range s.Groups {
		if len(g) == 0 || len(g) > n {
			if bad("group g%d has %d members (the mesh has %d ranks)", gi, len(g), n) {
				return
			}
			continue
		}
		if StrictlyAscending(g) { // distinct: only the ends can be out of range
			for _, x := range []int32{g[0], g[len(g)-1]} {
				if (x < 0 || int(x) >= n) && bad("group g%d: member %d is out of range (ranks 0..%d)", gi, x, n-1) {
					return
				}
			}
			continue
		}
		seen := make(map[int32]bool, len(g))
		for _, x := range g {
			if x < 0 || int(x) >= n || seen[x] {
				if bad("group g%d: member %d is out of range or repeated (ranks 0..%d)", gi, x, n-1) {
					return
				}
				break
			}
			seen[x] = true
		}
	}
}

// checkPrograms checks the rank programs of a schedule whose header passed.
func (s *Schedule) checkPrograms(c *structureCheck) {
	bad := c.bad
	m, n := s.Mesh, s.Mesh.Size()
	buckets := make([]int, len(s.Stages))
	for i, st := range s.Stages {
		buckets[i] = len(st.GradBuckets) + len(st.ExpertGradBuckets)
	}
	if len(s.Ranks) != n {
		bad("%d rank programs, but the mesh has %d ranks", len(s.Ranks), n)
		return
	}
	if s.checkFolded(c); len(c.probs) > 0 {
		return
	}
	for r, rp := range s.Ranks {
		if rp.Rank != r || rp.Coord != m.Coord(r) {
			if bad("rank program %d is labelled rank %d at %+v", r, rp.Rank, rp.Coord) {
				return
			}
		}
		for i, a := range rp.Actions {
			if p := s.actionProblem(a, i, n, buckets); p != "" {
				if bad("rank %d: action %d %s: %s", r, i, a.Kind, p) {
					return
				}
			}
		}
	}
}

// actionProblem says what is out of range in action i of a rank, or "".
func (s *Schedule) actionProblem(a Action, i, ranks int, buckets []int) string {
	switch {
	case !a.Kind.Valid():
		return fmt.Sprintf("unknown kind %d", a.Kind)
	case a.Coll != CollNone && !a.Coll.Valid():
		return fmt.Sprintf("unknown collective %d", a.Coll)
	case a.Stage < -1 || int(a.Stage) >= len(s.Stages):
		return fmt.Sprintf("stage %d out of range", a.Stage)
	case a.MB < -1 || int(a.MB) >= s.MB:
		return fmt.Sprintf("micro-batch %d out of range", a.MB)
	case a.Peer < -1 || int(a.Peer) >= ranks:
		return fmt.Sprintf("peer %d out of range", a.Peer)
	case a.Group < -1 || int(a.Group) >= len(s.Groups):
		return fmt.Sprintf("group %d out of range", a.Group)
	case a.Bucket < -1 || a.Bucket >= 0 && (a.Stage < 0 || int(a.Bucket) >= buckets[a.Stage]):
		return fmt.Sprintf("bucket %d out of range", a.Bucket)
	case a.Dep < -1 || int(a.Dep) >= i:
		return fmt.Sprintf("dependency %d is not an earlier action", a.Dep)
	case a.Bytes < 0:
		return fmt.Sprintf("negative size %d", a.Bytes)
	case a.Kind.IsCompute() || a.Kind.IsP2P() || a.Kind == ActReduceGrad || a.Kind == ActAllReduceSeq || a.Kind == ActAllReduceKV:
		if a.Kind != ActOptimizer && a.Stage < 0 {
			return "no stage"
		}
	}
	return ""
}
