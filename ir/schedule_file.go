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
// value (ALLREDUCE_SEQ is 13), so a version-1 file written before it still
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
)

// ScheduleFileVersion is the version of the schedule file format this
// package writes and reads.
const ScheduleFileVersion = 1

const scheduleMagic = "PLANCSCHED\n"

// PlanFingerprint returns a hash of everything in plan p that a schedule
// depends on: the model's shape, the cluster, every parallel degree, the
// schedule, batch sizes, precision, recomputation, ZeRO and the MoE plan.
// Names and source positions do not count.
func PlanFingerprint(p *Plan) string {
	h := sha256.New()
	m := p.Model
	if m != nil {
		fmt.Fprintf(h, "model %s v%d s%d h%d l%d a%d f%d tie%v w%d d%d ffn%s/%d/%d\n",
			m.Kind, m.Vocab, m.Seq, m.Hidden, m.Layers, m.Heads, m.FFN, m.TieEmbeddings, m.Width, m.Depth,
			m.FFNKind.Kind, m.FFNKind.K, m.FFNKind.Parts)
		if m.MoE != nil {
			fmt.Fprintf(h, "moe %+v\n", *m.MoE)
		}
	}
	if c := p.Cluster; c != nil {
		fmt.Fprintf(h, "cluster nodes%d per%d inter%g/%g\n", c.Nodes, c.PerNode, c.InterBW, c.InterLatency)
		if n := c.Node; n != nil {
			fmt.Fprintf(h, "node dev%d intra%g/%g\n", n.Devices, n.IntraBW, n.IntraLatency)
			if d := n.Device; d != nil {
				fmt.Fprintf(h, "device %g %g %g %g %g\n", d.PeakBF16, d.PeakFP16, d.PeakFP32, d.Memory, d.HBMBandwidth)
			}
		}
	}
	fmt.Fprintf(h, "plan dp%d tp%d pp%d ep%d cp%d vpp%d sp%v cp_mode%s zero%d sched%s gb%d mb%d rc%s prec%s moe%+v\n",
		p.DP, p.TP, p.PP, p.EP, p.CP, p.VPP, p.SP, p.CPMode, p.Zero, p.Schedule, p.GlobalBatch, p.MicroBatch,
		p.Recompute, p.Precision, p.MoE)
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
	Mesh          Mesh         `json:"mesh"`
	Stages        []StageInfo  `json:"stages"`
	Groups        [][]int32    `json:"groups"`
}

// WriteSchedule writes s in the schedule file format.
func WriteSchedule(w io.Writer, s *Schedule) error {
	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	hdr, err := json.Marshal(scheduleHeader{Plan: s.Plan, Fingerprint: s.Fingerprint, Kind: s.Kind, PP: s.PP, VPP: s.VPP,
		MB: s.MB, Zero: s.Zero, SplitBackward: s.SplitBackward, Mesh: s.Mesh, Stages: s.Stages, Groups: s.Groups})
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
	hb := make([]byte, n)
	if _, err := io.ReadFull(cr, hb); err != nil {
		return nil, fmt.Errorf("schedule file: truncated header: %w", err)
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
		SplitBackward: h.SplitBackward, Mesh: h.Mesh, Stages: h.Stages, Groups: h.Groups}
	nr, err := binary.ReadUvarint(cr)
	if err != nil || nr > 1<<24 {
		return nil, fmt.Errorf("schedule file: bad rank count")
	}
	if s.Mesh.TP < 1 || s.Mesh.CP < 1 || s.Mesh.DP < 1 || s.Mesh.PP < 1 || int(nr) != s.Mesh.Size() {
		return nil, fmt.Errorf("schedule file: %d ranks, but its mesh is %s", nr, s.Mesh)
	}
	s.Ranks = make([]RankProgram, nr)
	var rerr error
	sv := func() int64 {
		x, err := binary.ReadVarint(cr)
		if err != nil && rerr == nil {
			rerr = err
		}
		return x
	}
	for i := range s.Ranks {
		na, err := binary.ReadUvarint(cr)
		if err != nil || na > 1<<28 {
			return nil, fmt.Errorf("schedule file: rank %d: bad action count", i)
		}
		acts := make([]Action, na)
		for j := range acts {
			k, err1 := cr.ReadByte()
			c, err2 := cr.ReadByte()
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("schedule file: rank %d: truncated at action %d", i, j)
			}
			if !ActionKind(k).Valid() {
				return nil, fmt.Errorf("schedule file: rank %d: action %d has unknown kind %d", i, j, k)
			}
			acts[j] = Action{Kind: ActionKind(k), Coll: CollKind(c), Stage: int32(sv()), MB: int32(sv()), Peer: int32(sv()),
				Group: int32(sv()), Bucket: int32(sv()), Dep: int32(sv()), Bytes: sv()}
		}
		if rerr != nil {
			return nil, fmt.Errorf("schedule file: rank %d: %w", i, rerr)
		}
		s.Ranks[i] = RankProgram{Rank: i, Coord: s.Mesh.Coord(i), Actions: acts}
	}
	want := cr.h.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(cr.r, sum[:]); err != nil {
		return nil, fmt.Errorf("schedule file: missing checksum")
	}
	if binary.LittleEndian.Uint32(sum[:]) != want {
		return nil, fmt.Errorf("schedule file: checksum mismatch (the file is corrupt)")
	}
	return s, nil
}
