package exec

import (
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"planc/ir"
	"planc/runtime/ckpt"
	"planc/runtime/collective"
)

// TrainRanks runs plan p's steps with one Trainer per rank, each given its
// own comm (the entry point of a job whose ranks are processes), and
// returns rank 0's losses, the job's bytes and rank 0's final checkpoint.
func trainRanks(t *testing.T, cfg Config, comms []collective.Comm, steps int) ([]float64, collective.Counters, *ckpt.Checkpoint) {
	t.Helper()
	n := len(comms)
	losses := make([][]float64, n)
	bytes := make([]collective.Counters, n)
	var saved *ckpt.Checkpoint
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r := range comms {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c := cfg
			c.Comm = comms[r]
			tr, err := NewTrainer(c)
			if err != nil {
				errs[r] = err
				comms[r].Abort(err)
				return
			}
			for tr.NextStep() < steps {
				res, err := tr.Step()
				if err != nil {
					errs[r] = err
					return
				}
				losses[r] = append(losses[r], res.Loss)
			}
			ck, err := tr.GatherCheckpoint()
			if err != nil {
				errs[r] = err
				return
			}
			if (ck != nil) != (r == 0) {
				errs[r] = fmt.Errorf("rank %d got a checkpoint: %v", r, ck != nil)
			}
			if r == 0 {
				saved = ck
			}
			bytes[r] = tr.Bytes()
		}(r)
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	for r := 1; r < n; r++ {
		for i := range losses[0] {
			if losses[r][i] != losses[0][i] || bytes[r] != bytes[0] {
				t.Fatalf("rank %d reports step %d loss %v bytes %+v, rank 0 %v %+v", r, i, losses[r][i], bytes[r], losses[0][i], bytes[0])
			}
		}
	}
	return losses[0], bytes[0], saved
}

// dialRanks returns a transport per rank of plan p: handles on one
// in-process world, or TCP transports over loopback (nodes by the plan's
// per_node).
func dialRanks(t *testing.T, transport string, p *ir.Plan) []collective.Comm {
	t.Helper()
	n := p.WorldSize()
	comms := make([]collective.Comm, n)
	if transport == "inproc" {
		w := collective.NewWorld(n, p.Cluster.PerNode, 30*time.Second)
		for r := range comms {
			comms[r] = w.Comm(r)
		}
		return comms
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	coord := ln.Addr().String()
	ln.Close()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r := range comms {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c, err := collective.DialTCP(collective.TCPConfig{Rank: r, Size: n, Coordinator: coord, Token: "t", Node: fmt.Sprint(r / p.Cluster.PerNode), Timeout: 30 * time.Second})
			comms[r], errs[r] = c, err
			if err == nil {
				t.Cleanup(func() { c.Close() })
			}
		}(r)
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	return comms
}

// TestRankPerCommMatchesInProcess checks the per-rank entry point
// (Config.Comm): losses, bytes and the checkpoint equal the in-process
// trainer's bit for bit.
func TestRankPerCommMatchesInProcess(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    func() *ir.Model
		opts string
	}{
		{"gpt dp2 tp2", tinyGPT, "dp=2 tp=2 per_node=2"},
		{"moe dp2 ep2", tinyMoE, "dp=2 ep=2"},
		{"gpt pp2 dp2 zero1", tinyGPT, "pp=2 dp=2 zero=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const steps = 3
			p := plan(tc.m(), tc.opts)
			want, tr := train(t, p, steps)
			for _, transport := range []string{"inproc", "tcp"} {
				comms := dialRanks(t, transport, p)
				got, bytes, ck := trainRanks(t, Config{Plan: p, Timeout: 30 * time.Second}, comms, steps)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s: step %d: loss %v, in-process %v", transport, i, got[i], want[i])
					}
				}
				if bytes != tr.Bytes() {
					t.Errorf("%s: bytes %+v, in-process %+v", transport, bytes, tr.Bytes())
				}
				ref := tr.Checkpoint()
				for name, w := range ref.Tensors {
					g := ck.Tensors[name]
					for i := range w.Data {
						if g.Data[i] != w.Data[i] {
							t.Fatalf("%s: checkpoint %s[%d] = %v, in-process %v", transport, name, i, g.Data[i], w.Data[i])
						}
					}
				}
			}
		})
	}
}
