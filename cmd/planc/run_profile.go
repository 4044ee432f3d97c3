package main

import (
	"fmt"
	"io"

	"planc/runtime/exec"
	"planc/runtime/llvmk"
)

// profileSummary is `planc run --profile`'s table: the kernels behind
// llvmk.Ops by op kind and direction, then communication (collectives and
// receives, waiting included) and the rest of the ranks' time: the kernels
// called directly (embedding, cross-entropy, residual adds, head
// split/merge), allocation, copies and scheduling.
type profileSummary struct {
	Rows []llvmk.ProfileRow `json:"rows"`
	// RankSeconds is the run's time summed over ranks; KernelSeconds,
	// CommSeconds and OtherSeconds split it.
	RankSeconds   float64 `json:"rank_seconds"`
	KernelSeconds float64 `json:"kernel_seconds"`
	CommSeconds   float64 `json:"comm_seconds"`
	OtherSeconds  float64 `json:"other_seconds"`
	// Instrs times the unit's program as it ran: each op kind's
	// instructions (everything they do, allocation and the collectives
	// they issue included), each conversion, each action other than F and
	// B; StepMS is a row's milliseconds per step (summed over ranks), what
	// the cost model's per-op times compare with.
	Instrs []instrRow `json:"instructions,omitempty"`
	// Pipeline splits each pipeline rank's step by its actions (ms per
	// step and rank, the mean over the ranks at that position), beside
	// the cost model's per-stage table; only under pp > 1.
	Pipeline []pipeRow `json:"pipeline,omitempty"`
}

// pipeRow is exec.PipeRow in milliseconds per step and rank.
type pipeRow struct {
	PPRank   int     `json:"pp_rank"`
	Ranks    int     `json:"ranks"`
	Forward  float64 `json:"forward_ms"`
	Backward float64 `json:"backward_ms"`
	Weight   float64 `json:"weight_ms"`
	Receive  float64 `json:"receive_ms"`
	Send     float64 `json:"send_ms"`
	Other    float64 `json:"other_ms"`
}

// addPipeline adds the pipeline ranks' rows (none under pp = 1).
func (s *profileSummary) addPipeline(rows []exec.PipeRow, steps int) {
	if len(rows) < 2 {
		return
	}
	for _, r := range rows {
		ms := func(sec float64) float64 { return 1e3 * sec / float64(max(steps, 1)*max(r.Ranks, 1)) }
		s.Pipeline = append(s.Pipeline, pipeRow{r.PPRank, r.Ranks, ms(r.Forward), ms(r.Backward), ms(r.Weight), ms(r.Receive), ms(r.Send), ms(r.Other)})
	}
}

type instrRow struct {
	exec.InstrRow
	StepMS float64 `json:"ms_per_step"`
}

func (s *profileSummary) addInstrs(rows []exec.InstrRow, steps int) {
	for _, r := range rows {
		s.Instrs = append(s.Instrs, instrRow{r, 1e3 * r.Seconds / float64(max(steps, 1))})
	}
}

func newProfileSummary(rows []llvmk.ProfileRow, rankSeconds, commSeconds float64) *profileSummary {
	s := &profileSummary{Rows: rows, RankSeconds: rankSeconds, CommSeconds: commSeconds}
	for _, r := range rows {
		s.KernelSeconds += r.Seconds
	}
	s.OtherSeconds = max(0, rankSeconds-s.KernelSeconds-commSeconds)
	return s
}

func (s *profileSummary) write(w io.Writer) {
	share := func(sec float64) string { return fmt.Sprintf("%5.1f%%", 100*sec/max(s.RankSeconds, 1e-12)) }
	fmt.Fprintf(w, "profile (time summed over ranks):\n  %-10s %-9s %8s %10s %7s %8s\n", "op", "direction", "calls", "rank-s", "share", "GFLOP/s")
	for _, r := range s.Rows {
		gf := "-"
		if r.Flops > 0 && r.Seconds > 0 {
			gf = fmt.Sprintf("%.1f", r.Flops/r.Seconds/1e9)
		}
		fmt.Fprintf(w, "  %-10s %-9s %8d %10.3f %7s %8s\n", r.Op, r.Direction, r.Calls, r.Seconds, share(r.Seconds), gf)
	}
	fmt.Fprintf(w, "  %-29s %10.3f %7s\n", "kernels above", s.KernelSeconds, share(s.KernelSeconds))
	fmt.Fprintf(w, "  %-29s %10.3f %7s\n", "communication", s.CommSeconds, share(s.CommSeconds))
	fmt.Fprintf(w, "  %-29s %10.3f %7s\n", "other (see below)", s.OtherSeconds, share(s.OtherSeconds))
	fmt.Fprintln(w, "  other: kernels called directly (embedding, cross-entropy, residual adds, head split/merge), allocation, copies, scheduling")
	if len(s.Instrs) == 0 {
		return
	}
	fmt.Fprintf(w, "the unit's program as it ran (instructions by op kind, conversions, actions; summed over ranks):\n  %-28s %-9s %8s %10s %7s %10s\n", "op", "direction", "calls", "rank-s", "share", "ms/step")
	for _, r := range s.Instrs {
		fmt.Fprintf(w, "  %-28s %-9s %8d %10.3f %7s %10.3f\n", r.What, r.Direction, r.Calls, r.Seconds, share(r.Seconds), r.StepMS)
	}
	if len(s.Pipeline) == 0 {
		return
	}
	fmt.Fprintf(w, "per pipeline rank, ms per step and rank (explain's per-stage table gives forward, backward and weight per micro-batch; receive includes the wait for the neighbour: the bubble):\n  %-8s %5s %9s %9s %9s %9s %9s %9s\n", "pp rank", "ranks", "forward", "backward", "weight", "receive", "send", "other")
	for _, r := range s.Pipeline {
		fmt.Fprintf(w, "  %-8d %5d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", r.PPRank, r.Ranks, r.Forward, r.Backward, r.Weight, r.Receive, r.Send, r.Other)
	}
}
