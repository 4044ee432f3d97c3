// Package trainer is the program inside a trainer binary (`planc build`):
// a compiled plan and its schedule, embedded in the executable, trained on
// one of three transports: every rank a goroutine of one process
// (inproc), one process per rank over TCP (tcp), or under MPI (mpi, in a
// binary built with the planc_mpi tag).
//
// # Contract
//
// A [Program] carries the resolved plan (every import inlined, as the JSON
// of its ir.Plan), the compiled schedule file and the plan's fingerprint
// (ir.PlanFingerprint). At start the trainer decodes the plan, checks that
// its fingerprint is the embedded one, reads the schedule against it, and
// hands both to package exec, which rebuilds the schedule from the plan
// and refuses to run when the embedded one differs from it. The binary
// needs no plan file and no planc.
//
// The job must have the plan's world size, and its ranks must sit on nodes
// as the plan's cluster puts them (rank r on node r/per_node), because
// the byte counters and rbd's pilot ranks follow the plan's nodes; a job
// laid out otherwise is refused before it trains (--layout=plan counts by
// the plan's nodes whatever the machines).
//
// Every rank prints errors; rank 0 prints the steps and the summary, and
// writes the checkpoints, each whole or not at all (written to a temporary
// file and renamed).
package trainer

import (
	"bytes"
	"encoding/json"
	"fmt"

	"planc/ir"
)

// Program is what planc build embeds in a trainer binary.
type Program struct {
	// Plan is the JSON of the resolved *ir.Plan.
	Plan []byte
	// Schedule is the compiled schedule in the schedule file format.
	Schedule []byte
	// Fingerprint is ir.PlanFingerprint of the plan.
	Fingerprint string
	// Transport is the default transport: tcp or mpi.
	Transport string
	// Origin says where the plan came from (files, plan name, overrides),
	// for --describe.
	Origin string
	// Kernels is go or llvm; Library, for llvm, is the plan's host kernels
	// compiled ahead of time (llvmk.BuildPlanLibrary), loaded without any
	// LLVM tool.
	Kernels string
	Library []byte
}

// Encode returns the Program of plan p and its compiled schedule s.
func Encode(p *ir.Plan, s *ir.Schedule, transport, origin string) (Program, error) {
	pj, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return Program{}, fmt.Errorf("encoding plan %s: %w", p.Name, err)
	}
	var sb bytes.Buffer
	if err := ir.WriteSchedule(&sb, s); err != nil {
		return Program{}, fmt.Errorf("encoding the schedule of plan %s: %w", p.Name, err)
	}
	pr := Program{Plan: pj, Schedule: sb.Bytes(), Fingerprint: ir.PlanFingerprint(p), Transport: transport, Origin: origin}
	// Decode it back now, so that a plan that does not survive the trip
	// fails planc build rather than the trainer.
	if _, _, err := pr.Load(); err != nil {
		return Program{}, err
	}
	return pr, nil
}

// Load decodes the embedded plan and schedule and checks the fingerprint.
func (pr Program) Load() (*ir.Plan, *ir.Schedule, error) {
	var p ir.Plan
	if err := json.Unmarshal(pr.Plan, &p); err != nil {
		return nil, nil, fmt.Errorf("the embedded plan does not decode: %w", err)
	}
	if fp := ir.PlanFingerprint(&p); fp != pr.Fingerprint {
		return nil, nil, fmt.Errorf("the embedded plan's fingerprint is %s, the binary was built for %s", fp, pr.Fingerprint)
	}
	s, err := ir.ReadSchedule(bytes.NewReader(pr.Schedule), &p)
	if err != nil {
		return nil, nil, fmt.Errorf("the embedded schedule: %w", err)
	}
	return &p, s, nil
}
