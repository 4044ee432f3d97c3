package passes_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"planc/ir"
	"planc/lang"
	"planc/passes"
)

// zero3Plan is GPT-22B (Korthikanti et al.'s) at sequence 512 under ZeRO-3
// on Selene's DGX A100 nodes, at a fixed global batch of 2048 sequences,
// each rank running one micro-batch: as dp doubles, each rank's compute
// halves while the parameters it gathers per step (every layer in forward
// and again in backward) stay the same.
const zero3Plan = `
import "hw/selene"
import "models/gpt"

plan z3 {
  model        = gpt_22b
  cluster      = selene(nodes: %d)
  dp           = %d
  zero         = 3
  global_batch = 2048
  micro_batch  = %d
  recompute    = full
}
`

// TestZero3SlowerPerTokenAsDPDoubles: over dp = 256 … 2048 the device time
// per token must grow at every doubling (compute halves, the gathers do
// not), and once the gathers outweigh the compute the job itself gets no
// faster per token. The step can never beat what each node's NICs must
// receive: every rank's node takes in the whole of every gathered layer,
// twice per micro-batch, plus the gradients' reduce-scatter.
func TestZero3SlowerPerTokenAsDPDoubles(t *testing.T) {
	const (
		nicBW  = 200e9 // Selene: 8 × 200 Gb/s HDR per node
		tokens = 2048 * 512
	)
	var prevDevice, prevStep, gathered float64
	for _, dp := range []int{256, 512, 1024, 2048} {
		file := filepath.Join(t.TempDir(), "z3.plan")
		if err := os.WriteFile(file, []byte(fmt.Sprintf(zero3Plan, dp/8, dp, 2048/dp)), 0o644); err != nil {
			t.Fatal(err)
		}
		prog, diags := lang.Load([]string{file}, lang.Options{Overrides: []string{"model.seq=512"}})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		u, d := passes.Compile(prog, prog.Plan("z3"), passes.Options{})
		if d.HasErrors() {
			t.Fatal(d)
		}
		c := u.Cost
		var gather, scatter float64
		for _, s := range c.Comm {
			switch s.Kind {
			case ir.AllGather:
				gather += s.Bytes
			case ir.ReduceScatter:
				scatter += s.Bytes
			}
		}
		device := c.StepTime * float64(dp) / tokens // device-seconds per token
		t.Logf("dp %4d  step %7.3f s  compute %7.3f s  exposed comm %7.3f s  device-µs/token %8.1f  gathered %.1f GiB/rank",
			dp, c.StepTime, c.Compute, c.ExposedComm, 1e6*device, gather/(1<<30))
		if gathered == 0 {
			gathered = gather
		} else if gather != gathered {
			t.Errorf("dp %d: %g bytes gathered per rank, %g at dp 256: the premise (constant gather volume) broke", dp, gather, gathered)
		}
		if floor := (gather + scatter) / nicBW; c.StepTime < floor {
			t.Errorf("dp %d: step %.3f s, below the %.3f s its node's NICs need", dp, c.StepTime, floor)
		}
		if prevDevice > 0 && device <= prevDevice {
			t.Errorf("dp %d: %.1f device-µs per token, no more than %.1f at dp/2", dp, 1e6*device, 1e6*prevDevice)
		}
		if dp == 2048 && c.StepTime < prevStep {
			t.Errorf("dp 2048: step %.3f s, faster than dp 1024's %.3f s although the gathers outweigh the compute", c.StepTime, prevStep)
		}
		prevDevice, prevStep = device, c.StepTime
	}
}
