package trainer

import (
	"fmt"
	"os"
	"sync"

	"planc/ir"
	"planc/runtime/collective"
)

// job is this process's place in the job: its rank and transport (nil
// comm: every rank runs in this process).
type job struct {
	rank  int
	comm  collective.Comm
	close func()

	mu    sync.Mutex
	stage string
}

func (j *job) setDoing(s string) {
	j.mu.Lock()
	j.stage = s
	j.mu.Unlock()
}

// doing says what the rank is doing: its step, and the operation it is
// waiting in, when the transport knows.
func (j *job) doing() string {
	j.mu.Lock()
	s := j.stage
	j.mu.Unlock()
	if s == "" {
		s = "starting"
	}
	if w, ok := j.comm.(interface{ Waiting() string }); ok {
		if op := w.Waiting(); op != "" {
			s += ", waiting for " + op
		}
	}
	return s
}

// planNodes returns the node of every rank as the plan's cluster places
// them: rank r on node r/per_node.
func planNodes(p *ir.Plan) []int {
	n := p.WorldSize()
	per := 0
	if p.Cluster != nil {
		per = p.Cluster.PerNode
	}
	nodes := make([]int, n)
	for r := range nodes {
		nodes[r] = collective.PerNodeLayout(per)(r)
	}
	return nodes
}

// join sets up the transport the options ask for.
func join(o *options, p *ir.Plan) (*job, error) {
	world := p.WorldSize()
	if world == 1 && o.transport != "mpi" {
		o.transport = "inproc" // one rank talks to no one
	}
	switch o.transport {
	case "inproc":
		return &job{rank: 0, close: func() {}}, nil
	case "tcp":
		return joinTCP(o, p)
	case "mpi":
		c, err := collective.DialMPI(o.timeout)
		if err != nil {
			return nil, err
		}
		j := &job{rank: c.Rank(), comm: c, close: func() { c.Close() }}
		if c.Size() != world {
			err = fmt.Errorf("plan %s runs on %d ranks (dp %d · tp %d · pp %d · cp %d), but MPI started %d: run mpirun -np %d", p.Name, world, p.DP, p.TP, p.PP, p.CP, c.Size(), world)
		} else if o.layout == "plan" {
			c.SetNodes(planNodes(p))
		} else {
			err = checkLayout(p, c.Nodes(), "MPI's shared-memory split")
		}
		if err != nil {
			c.Close()
			return nil, err
		}
		return j, nil
	}
	return nil, fmt.Errorf("--transport=%s: want tcp, mpi or inproc", o.transport)
}

func joinTCP(o *options, p *ir.Plan) (*job, error) {
	world := p.WorldSize()
	if o.size < 0 {
		o.size = world
	}
	if o.size != world {
		return nil, fmt.Errorf("plan %s runs on %d ranks (dp %d · tp %d · pp %d · cp %d), but the job has %d (--world-size or $WORLD_SIZE)", p.Name, world, p.DP, p.TP, p.PP, p.CP, o.size)
	}
	if o.rank < 0 || o.rank >= world {
		return nil, fmt.Errorf("tcp: give each process its rank, 0..%d (--rank or $RANK)", world-1)
	}
	if o.coordinator == "" {
		return nil, fmt.Errorf("tcp: give rank 0's rendezvous address (--coordinator HOST:PORT, or $MASTER_ADDR and $MASTER_PORT)")
	}
	node := ""
	from := "the host names"
	switch {
	case o.layout == "plan":
		node = fmt.Sprint(planNodes(p)[o.rank])
	case o.localRank >= 0:
		node = fmt.Sprint(o.rank - o.localRank) // torchrun numbers ranks machine by machine
		from = "LOCAL_RANK"
	default:
		node, _ = os.Hostname()
	}
	c, err := collective.DialTCP(collective.TCPConfig{
		Rank: o.rank, Size: world, Coordinator: o.coordinator, Bind: o.bind, Token: o.token,
		Node: node, Timeout: o.timeout,
		Log: func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) },
	})
	if err != nil {
		return nil, err
	}
	if err := checkLayout(p, c.Nodes(), from); err != nil {
		c.Close()
		return nil, err
	}
	return &job{rank: o.rank, comm: c, close: func() { c.Close() }}, nil
}

// checkLayout refuses a job whose ranks share nodes otherwise than the
// plan says.
func checkLayout(p *ir.Plan, nodes []int, from string) error {
	want := planNodes(p)
	for r := range nodes {
		for q := range nodes {
			if (nodes[r] == nodes[q]) != (want[r] == want[q]) {
				per := "one node"
				if p.Cluster != nil && p.Cluster.PerNode > 0 {
					per = fmt.Sprintf("%d ranks per node (cluster per_node = %d)", p.Cluster.PerNode, p.Cluster.PerNode)
				}
				return fmt.Errorf("the job's ranks sit on nodes %v (from %s), but plan %s puts them on %v, %s: ranks %d and %d differ. The byte counters and rbd's pilots follow the plan's nodes: run on machines that match it, rebuild with --set cluster.per_node=N, or pass --layout=plan to count by the plan's nodes", nodes, from, p.Name, want, per, r, q)
			}
		}
	}
	return nil
}
