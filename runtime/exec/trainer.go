package exec

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"planc/ir"
	"planc/passes"
	"planc/passes/sched"
	"planc/runtime/ckpt"
	"planc/runtime/collective"
	"planc/runtime/data"
	"planc/runtime/kernels"
	"planc/runtime/llvmk"
	"planc/runtime/optim"
	"planc/runtime/tensor"
)

// Config is what a training run needs.
type Config struct {
	Plan *ir.Plan
	// Data feeds transformers (nil: the default corpus); mlp models make
	// their own data.
	Data *data.Stream
	// Steps overrides Plan.Train.Steps when > 0.
	Steps int
	// Resume, when set, restores parameters, moments and the step count.
	Resume *ckpt.Checkpoint
	// Timeout bounds every collective wait (0: collective.DefaultTimeout).
	Timeout time.Duration
	// BucketParams is the gradient bucket size in parameters (0:
	// sched.DefaultBucketParams, as planc compile). Buckets hold whole
	// parameter units (sched.BucketLayout), so a smaller size gives more
	// buckets without splitting a layer.
	BucketParams int
	// Schedule, when set, is executed instead of the one the trainer
	// builds (a compiled schedule file); it must be the plan's, and its
	// gradient buckets, reductions and gathers are the ones executed.
	Schedule *ir.Schedule
	// Unit, when set, is the plan's compiled unit (passes.Compile), whose
	// layer partition and parameter table the trainer runs; nil: the
	// trainer compiles the plan.
	Unit *ir.Unit
	// Ops runs the hot kernels (matmuls, layernorm, gelu, attention,
	// AdamW); nil: the Go kernels ([llvmk.GoOps]). [llvmk.Select] returns
	// the generated host kernels for a plan; the caller closes them.
	Ops llvmk.Ops
	// Comm, when set, makes this process one rank of a job that spans
	// processes or machines (a TCP or MPI transport): the trainer runs
	// only rank Comm.Rank()'s actions and reaches the other ranks through
	// Comm, whose Size must be the plan's world size. Step then returns
	// the whole job's result on every rank and [Trainer.GatherCheckpoint]
	// assembles checkpoints on rank 0. Nil: every rank runs as a
	// goroutine of this process (an in-process world).
	Comm collective.Comm
	// Profile, when set, times every instruction and action the ranks
	// execute (planc run --profile).
	Profile *InstrProfile
}

// StepResult is what one step reports.
type StepResult struct {
	Step    int     // 0-based step index
	Loss    float64 // the step's loss: mean over the global batch's micro-batches
	LR      float64
	Tokens  int // tokens (or mlp samples) processed in the step
	Elapsed time.Duration
	// CommTime is the time ranks spent inside collectives and p2p calls,
	// summed over ranks, in the step.
	CommTime time.Duration
	Drops    int64 // token copies dropped by capacity dispatch
	// ByKind splits the step's bytes and communication time by kind: tp
	// (tensor-parallel collectives, sp's included), dp (gradient reduction
	// and ZeRO gathers), pp (pipeline sends), ep (MoE dispatch and combine,
	// rbd's included), ssmb, cp, phantom, tied, norm, kv (the sums of
	// replicated key/value heads' gradients over their kv groups).
	ByKind map[string]KindStats
}

// Trainer runs a plan's steps. Build it with [NewTrainer].
type Trainer struct {
	plan  *ir.Plan
	m     *ir.Model
	sched *ir.Schedule
	world *collective.World
	ranks []*rank
	comms []*timedComm
	opt   optim.Config
	specs ir.ParamTable // the compiled unit's
	// progs are the unit's stage programs, which the ranks interpret.
	progs    []*ir.StageProgram
	Steps    int // steps of the run
	step     int // next step to run
	stepsRun int

	// local is the one rank this process runs when the job spans
	// processes (Config.Comm), -1 when every rank runs here; bytes then
	// accumulates the job's step traffic (see Bytes).
	local int
	comm  collective.Comm
	bytes collective.Counters
	// crew runs ranks 1… of an in-process world's steps (started at the
	// first step; stopped when the trainer is collected).
	crew *crew
}

// Schedule returns the schedule the trainer executes.
func (t *Trainer) Schedule() *ir.Schedule { return t.sched }

// Bytes returns the bytes sent so far by all ranks, by link level.
// When the job spans processes it is the sum over the steps run of every
// rank's step traffic (the job's bookkeeping messages are not counted).
func (t *Trainer) Bytes() collective.Counters {
	if t.local >= 0 {
		return t.bytes
	}
	return t.world.Bytes()
}

// NextStep returns the index of the step that Step will run.
func (t *Trainer) NextStep() int { return t.step }

// Ranks is how many ranks this trainer runs (every rank of the plan in
// one process; this process's share in a distributed run).
func (t *Trainer) Ranks() int { return len(t.ranks) }

// Validate reports whether the runtime can execute plan p: every rule of
// ir.PlanConstraints that the runtime applies (those of the compiler and
// those about this runtime), as diagnostics at the plan's source spans.
func Validate(p *ir.Plan) error {
	if p.Model == nil {
		return fmt.Errorf("plan %s has no model", p.Name)
	}
	if p.Auto != nil && len(p.Auto) > 0 {
		var names []string
		for n := range p.Auto {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("plan %s still has auto fields %v: resolve them (planc compile) or set them with --set", p.Name, names)
	}
	if p.MicroBatch < 1 || p.DP < 1 || p.TP < 1 || p.PP < 1 || p.CP < 1 || p.MicroBatches() < 1 {
		return fmt.Errorf("plan %s: degrees and micro_batch must be at least 1 and global_batch %d at least dp %d · micro_batch %d", p.Name, p.GlobalBatch, p.DP, p.MicroBatch)
	}
	return ir.CheckPlan(p, ir.ScopeRuntime, nil).Err()
}

// NewTrainer builds the ranks of plan cfg.Plan, initializes (or restores)
// their parameters, and lowers the plan to its schedule.
func NewTrainer(cfg Config) (*Trainer, error) {
	steps, bucket, err := prepareConfig(&cfg)
	if err != nil {
		return nil, err
	}
	p := cfg.Plan
	unit, err := compileUnit(cfg)
	if err != nil {
		return nil, err
	}
	if err := checkExecutable(unit); err != nil {
		return nil, err
	}
	t := &Trainer{plan: p, m: p.Model, opt: optim.FromPlan(p.Train, steps), specs: unit.Params, progs: unit.Programs, Steps: steps, local: -1}
	s, err := t.buildSchedule(cfg, unit, bucket)
	if err != nil {
		return nil, err
	}
	t.sched = s
	if err := t.checkMemory(s); err != nil {
		return nil, err
	}
	perNode, err := t.connect(cfg, s)
	if err != nil {
		return nil, err
	}
	var teacher []*tensor.Tensor
	if t.m.Kind == ir.MLPModel {
		teacher = teacherWeights(t.m, uint64(int64(p.Train.Seed)))
	}
	src, err := t.initialState(cfg)
	if err != nil {
		return nil, err
	}
	if err := t.buildRanks(cfg, s, perNode, teacher, src); err != nil {
		return nil, err
	}
	if err := t.checkExecution(cfg, s); err != nil {
		return nil, err
	}
	return t, nil
}

// prepareConfig validates cfg's plan and its data (defaulting cfg.Data
// for token models), and returns the run's steps and gradient bucket size.
func prepareConfig(cfg *Config) (steps, bucket int, err error) {
	p := cfg.Plan
	if err := Validate(p); err != nil {
		return 0, 0, err
	}
	m := p.Model
	if m.Kind != ir.MLPModel {
		if cfg.Data == nil {
			cfg.Data = data.Default()
		}
		if err := cfg.Data.Check(m.Vocab, m.Seq); err != nil {
			return 0, 0, err
		}
	}
	steps = p.Train.Steps
	if cfg.Steps > 0 {
		steps = cfg.Steps
	}
	bucket = cfg.BucketParams
	if bucket <= 0 {
		bucket = sched.DefaultBucketParams
	}
	return steps, bucket, nil
}

// buildSchedule sizes the compiled unit's stages (the pipeline pass's
// layer partition and each stage's local parameter counts) and lowers the
// plan to its schedule, or checks cfg.Schedule against it and returns that.
func (t *Trainer) buildSchedule(cfg Config, unit *ir.Unit, bucket int) (*ir.Schedule, error) {
	p, m := t.plan, t.m
	layers := unit.Partition()
	nStages := p.PP * max(p.VPP, 1)
	if len(layers) != nStages {
		return nil, fmt.Errorf("internal error: plan %s: the compiled unit has %d stages, the plan %d", p.Name, len(layers), nStages)
	}
	infos := ir.StageInfos(layers)
	if m.Kind == ir.MLPModel && p.TP > 1 && !m.FFNKind.IsPhantom() {
		for _, in := range infos[:nStages-1] {
			if in.EndLayer%2 == 1 {
				return nil, fmt.Errorf("plan %s: a pipeline stage ends after mlp layer %d, a column-parallel layer whose output is split over tp; choose pp so that stages hold whole layer pairs", p.Name, in.EndLayer-1)
			}
		}
	}
	sz := sched.Sizes{Layers: layers, ParamBytes: 4, GradBytes: 4, BucketParams: int64(bucket)}
	if m.Kind == ir.MLPModel {
		sz.Boundary = int64(p.MicroBatch * m.Width / max(p.TP, 1) * 4)
	} else {
		// b·(s/cp)·h per rank, in 1/tp chunks (sp's rows, or Megatron's
		// scatter/gather of the replicated tensor)
		sz.Boundary = int64(p.MicroBatch * m.Seq / max(p.CP, 1) * m.Hidden / max(p.TP, 1) * 4)
	}
	ep := max(p.EP, 1)
	for s := range infos {
		var n, ne int64
		held := t.specs.Stage(infos[s], 0, ep)
		for _, sp := range held {
			k := int64(sp.LocalNumel(p.TP))
			if sp.Expert && ep > 1 {
				ne += k
			} else {
				n += k
			}
		}
		sz.StageParams = append(sz.StageParams, n)
		sz.StageExpertParams = append(sz.StageExpertParams, ne)
		sz.StageUnits = append(sz.StageUnits, ir.StageUnits(held, p.TP, ep))
		sz.StageSeqParams = append(sz.StageSeqParams, seqPartialParams(p, held))
		sz.StageKVParams = append(sz.StageKVParams, kvReplicatedParams(p, held))
	}
	if m.TieEmbeddings && m.Kind != ir.MLPModel {
		sz.TiedParams = int64(m.Vocab / p.TP * m.Hidden) // each tp rank sums its vocabulary shard
	}
	s, diags := sched.Build(p, sz)
	if diags.HasErrors() {
		return nil, fmt.Errorf("plan %s: %s", p.Name, diags[0].Message)
	}
	if cfg.Schedule != nil {
		if err := compatible(cfg.Schedule, s); err != nil {
			return nil, err
		}
		s = cfg.Schedule
	}
	return s, nil
}

// connect joins the job's communicator cfg.Comm (checking its size) or
// makes an in-process world for every rank of s, and returns the plan's
// ranks per node (0 when the plan has no cluster).
func (t *Trainer) connect(cfg Config, s *ir.Schedule) (int, error) {
	p := t.plan
	perNode := 0
	if p.Cluster != nil {
		perNode = p.Cluster.PerNode
	}
	if cfg.Comm != nil {
		if cfg.Comm.Size() != s.Mesh.Size() {
			return 0, fmt.Errorf("plan %s runs on %d ranks (dp %d · tp %d · pp %d · cp %d), but the job has %d", p.Name, s.Mesh.Size(), p.DP, p.TP, p.PP, p.CP, cfg.Comm.Size())
		}
		t.local, t.comm = cfg.Comm.Rank(), cfg.Comm
	} else {
		t.world = collective.NewWorld(s.Mesh.Size(), perNode, cfg.Timeout)
	}
	return perNode, nil
}

// initSource gives the whole tensors and AdamW moments the ranks' stages
// shard: cfg.Resume's, or freshly initialized ones (no moments).
type initSource struct {
	resume *ckpt.Checkpoint
	seed   uint64
	wholes map[string]*tensor.Tensor
}

// initialState checks cfg.Resume (when set) against the model and sets
// the trainer's next step from it, and returns the source of the ranks'
// initial parameters and moments.
func (t *Trainer) initialState(cfg Config) (*initSource, error) {
	src := &initSource{resume: cfg.Resume, seed: uint64(int64(t.plan.Train.Seed)), wholes: map[string]*tensor.Tensor{}}
	if cfg.Resume != nil {
		if err := CheckCheckpoint(cfg.Resume, t.m); err != nil {
			return nil, err
		}
		step, _ := strconv.Atoi(cfg.Resume.Meta["step"])
		t.step = step
	}
	return src, nil
}

// whole returns the whole tensor of parameter sp (made once).
func (src *initSource) whole(sp *paramSpec) (*tensor.Tensor, error) {
	if w, ok := src.wholes[sp.Name]; ok {
		return w, nil
	}
	var w *tensor.Tensor
	if src.resume != nil {
		w = src.resume.Tensors[sp.Name]
		if w == nil {
			return nil, fmt.Errorf("checkpoint has no tensor %q", sp.Name)
		}
		if !sameShape(w.Shape, sp.Shape) {
			return nil, fmt.Errorf("checkpoint tensor %q has shape %v, the model %v", sp.Name, w.Shape, sp.Shape)
		}
	} else {
		w = wholeInit(sp, src.seed)
	}
	src.wholes[sp.Name] = w
	return w, nil
}

// moment returns the checkpoint's AdamW moment kind ("m" or "v") of
// parameter name, nil when there is none.
func (src *initSource) moment(kind, name string) []float32 {
	if src.resume == nil {
		return nil
	}
	if w := src.resume.Tensors["optim."+kind+"."+name]; w != nil {
		return w.Data
	}
	return nil
}

// buildRanks makes every rank of s with its stages, their parameters and
// moments taken from src.
func (t *Trainer) buildRanks(cfg Config, s *ir.Schedule, perNode int, teacher []*tensor.Tensor, src *initSource) error {
	p, m := t.plan, t.m
	seed := int64(p.Train.Seed)
	mb := p.MicroBatches()
	nodeSize := perNode
	if nodeSize <= 0 {
		nodeSize = s.Mesh.Size()
	}
	for r := 0; r < s.Mesh.Size(); r++ {
		c := s.Mesh.Coord(r)
		tc := &timedComm{Comm: t.rankComm(r)}
		rk := &rank{
			id: r, coord: c, plan: p, m: m, params: t.specs, comm: tc, tc: tc, mesh: s.Mesh, tp: p.TP,
			tpG: toGroup(s.Mesh.Group(ir.AxisTP, r)), seed: seed, data: cfg.Data,
			totalMB: p.GlobalBatch / p.MicroBatch, localMB: mb, split: s.SplitBackward, sp: p.SP && p.TP > 1, ssmb: p.MoE.SSMB && p.TP > 1 && m.MoE != nil,
			rbd: p.MoE.RBD && p.EP > 1 && m.MoE != nil, perNode: nodeSize,
			stages: map[int]*stage{}, teacher: teacher, ops: cfg.Ops, prof: cfg.Profile,
		}
		for si, info := range s.Stages {
			if info.PP != c.PP {
				continue
			}
			st, err := t.newStage(s, rk, si, info, src)
			if err != nil {
				return err
			}
			rk.stages[si] = st
		}
		t.ranks = append(t.ranks, rk)
		t.comms = append(t.comms, tc)
	}
	return nil
}

// newStage makes rank rk's stage si (info): its local parameter shards,
// ownership, and the owned ranges' AdamW moments, filled from src.
func (t *Trainer) newStage(s *ir.Schedule, rk *rank, si int, info ir.StageInfo, src *initSource) (*stage, error) {
	p, r, c := t.plan, rk.id, rk.coord
	ep := max(p.EP, 1)
	st := &stage{info: info, off: map[string]int{}, frames: map[int]*frame{}, deferred: map[int][]func(){}}
	st.prog = t.progs[info.Index]
	epIdx := 0
	if ep > 1 {
		epIdx = s.Mesh.Index(ir.AxisEP, r)
	}
	st.specs = t.specs.Stage(info, epIdx, ep)
	n := 0
	st.nDense = -1
	for _, sp := range st.specs {
		if sp.Expert && ep > 1 && st.nDense < 0 {
			st.nDense = n
		}
		idx := sp.LocalIndex(c.TP, p.TP)
		st.off[sp.Name] = n
		st.index = append(st.index, idx)
		n += len(idx)
	}
	if st.nDense < 0 {
		st.nDense = n
	}
	st.p, st.g = bigFloats(n), bigFloats(n)
	st.decay = make([]bool, n)
	if err := t.setOwnership(rk, st, si); err != nil {
		return nil, err
	}
	// AdamW moments exist only for the owned ranges (ZeRO shards
	// the optimizer state over the data ranks).
	owned := 0
	for _, o := range st.owned {
		owned += o[1] - o[0]
	}
	st.m, st.v = bigFloats(owned), bigFloats(owned)
	momentAt := st.momentIndex()
	for i, sp := range st.specs {
		w, err := src.whole(sp)
		if err != nil {
			return nil, err
		}
		o := st.off[sp.Name]
		mm, vv := src.moment("m", sp.Name), src.moment("v", sp.Name)
		for j, wi := range st.index[i] {
			st.p[o+j] = w.Data[wi]
			st.decay[o+j] = sp.Decay
			if k := momentAt[o+j]; mm != nil && vv != nil && k >= 0 {
				st.m[k], st.v[k] = mm[wi], vv[wi]
			}
		}
	}
	if src.resume != nil && len(st.specs) > 0 && src.moment("m", st.specs[0].Name) == nil {
		return nil, fmt.Errorf("checkpoint has no optimizer state (optim.m.%s)", st.specs[0].Name)
	}
	if err := initBalance(t.m, st, src.resume); err != nil {
		return nil, err
	}
	return st, nil
}

// checkExecution checks that the trainer's ranks can execute schedule s
// (its collectives and sequence-parallel sums), blaming cfg.Schedule when
// it came from a file.
func (t *Trainer) checkExecution(cfg Config, s *ir.Schedule) error {
	err := t.checkSchedule(s)
	if err == nil {
		err = t.checkSeqSums(s)
	}
	if err == nil {
		err = t.checkKVSums(s)
	}
	if err != nil {
		if cfg.Schedule != nil {
			return fmt.Errorf("the schedule file cannot be executed by this runtime: %w", err)
		}
		return fmt.Errorf("internal error: %w", err)
	}
	return nil
}

// checkMemory refuses a run whose buffers would not fit in this host's
// available memory (half of MemAvailable, or 8 GiB when unknown): every
// rank keeps its parameters, gradients and two AdamW moments in float32,
// the whole tensors exist once while they are sharded, and each rank holds
// the activations of its in-flight micro-batches (estimated as 16·hidden +
// 3·ffn/tp floats per token and layer).
func (t *Trainer) checkMemory(s *ir.Schedule) error {
	p, m := t.plan, t.m
	var whole, local int64
	for _, sp := range t.specs {
		whole += int64(sp.Numel())
	}
	ep := max(p.EP, 1)
	var act int64
	for r := 0; r < s.Mesh.Size(); r++ {
		c := s.Mesh.Coord(r)
		epIdx := 0
		if ep > 1 {
			epIdx = s.Mesh.Index(ir.AxisEP, r)
		}
		layers := 0
		for _, info := range s.Stages {
			if info.PP != c.PP {
				continue
			}
			layers += info.EndLayer - info.FirstLayer
			for _, sp := range t.specs.Stage(info, epIdx, ep) {
				local += int64(sp.LocalNumel(p.TP))
			}
		}
		if m.Kind == ir.MLPModel {
			act += int64(s.MB) * int64(layers) * int64(p.MicroBatch) * int64(3*m.Width)
		} else {
			tokens := int64(p.MicroBatch) * int64(m.Seq) / int64(max(p.CP, 1))
			act += int64(s.MB) * int64(layers) * tokens * int64(16*m.Hidden+3*ffnWidth(m)/max(p.TP, 1))
		}
	}
	need := 4 * (whole + 4*local + act)
	limit := availableMemory() / 2
	if need > limit {
		return fmt.Errorf("plan %s: training model %s (%.3g parameters) for real on this CPU needs about %.1f GiB (parameters, gradients and AdamW moments of every rank, activations), more than the %.1f GiB it may use here; planc run is for models that fit this machine (use planc explain or simulate for large plans)",
			p.Name, m.Name, float64(whole), float64(need)/(1<<30), float64(limit)/(1<<30))
	}
	return nil
}

// availableMemory returns MemAvailable from /proc/meminfo, or 16 GiB.
func availableMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemAvailable:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 16 << 30
}

// compatible reports whether a given schedule can run on the ranks that the
// trainer builds for the plan (whose own schedule is ours).
func compatible(given, ours *ir.Schedule) error {
	if given.Mesh.Size() != ours.Mesh.Size() || given.Mesh.TP != ours.Mesh.TP || given.Mesh.DP != ours.Mesh.DP || given.Mesh.PP != ours.Mesh.PP || given.Mesh.CP != ours.Mesh.CP {
		return fmt.Errorf("the schedule's mesh is %s, the plan's %s", given.Mesh, ours.Mesh)
	}
	if given.MB != ours.MB || len(given.Stages) != len(ours.Stages) {
		return fmt.Errorf("the schedule has %d stages and %d micro-batches, the plan %d and %d", len(given.Stages), given.MB, len(ours.Stages), ours.MB)
	}
	for i, st := range given.Stages {
		o := ours.Stages[i]
		if st.FirstLayer != o.FirstLayer || st.EndLayer != o.EndLayer || st.PP != o.PP {
			return fmt.Errorf("the schedule's stage %d holds layers [%d,%d) on pipeline rank %d; the runtime places [%d,%d) on %d", i, st.FirstLayer, st.EndLayer, st.PP, o.FirstLayer, o.EndLayer, o.PP)
		}
	}
	return nil
}

// compileUnit returns the compiled unit whose partition and parameter table
// the trainer runs: cfg.Unit, or the plan compiled by the pass table (the
// schedule passes skipped: the trainer lowers its own, or runs
// cfg.Schedule).
func compileUnit(cfg Config) (*ir.Unit, error) {
	u := cfg.Unit
	if u == nil {
		var diags ir.Diagnostics
		u, diags = passes.Compile(nil, cfg.Plan, passes.Options{Skip: map[string]bool{"schedule": true, "verify-schedule": true}})
		if u == nil || len(u.Graph.Stages) == 0 || u.Params == nil {
			for _, d := range diags {
				if d.Severity == ir.Error {
					return nil, fmt.Errorf("plan %s does not compile: %s", cfg.Plan.Name, d.Message)
				}
			}
			return nil, fmt.Errorf("plan %s does not compile", cfg.Plan.Name)
		}
	}
	if len(u.Graph.Stages) == 0 || u.Params == nil {
		return nil, fmt.Errorf("plan %s: the compiled unit has no pipeline partition or parameter table", cfg.Plan.Name)
	}
	return u, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func toGroup(g []int) collective.Group { return collective.Group(g) }

func sameRanks(a collective.Group, b []int) bool {
	return len(a) == len(b) && slices.Equal([]int(a), b)
}

// setOwnership takes a stage's gradient buckets from the schedule (see
// bucketRanges), and computes the ranges this rank updates and the
// elements it adds to the gradient norm.
func (t *Trainer) setOwnership(rk *rank, st *stage, si int) error {
	n := len(st.p)
	nd := st.nDense
	var err error
	st.buckets, st.expertBucket, err = bucketRanges(st, max(t.plan.EP, 1), max(t.plan.TP, 1))
	if err != nil {
		return err
	}

	mesh := t.sched.Mesh
	dpIdx, dpSize := mesh.Index(ir.AxisDPCP, rk.id), mesh.DP*mesh.CP
	edpIdx, edpSize := dpIdx, dpSize
	if mesh.EP > 1 {
		edpIdx, edpSize = mesh.Index(ir.AxisEDP, rk.id), len(mesh.Group(ir.AxisEDP, rk.id))
	}
	for bi, b := range st.buckets {
		idx, size := dpIdx, dpSize
		if st.expertBucket[bi] {
			idx, size = edpIdx, edpSize
		}
		if t.plan.Zero >= 1 && size > 1 {
			off := collective.ChunkOffsets(b[1]-b[0], size)
			st.owned = append(st.owned, [2]int{b[0] + off[idx], b[0] + off[idx+1]})
		} else {
			st.owned = append(st.owned, b)
		}
	}
	// The norm's group is the world under ZeRO or ep (each replica's
	// elements must then count once: the owner's chunk under ZeRO, the
	// first replica's otherwise), else one data replica's ranks.
	worldNorm := t.plan.Zero >= 1 || mesh.EP > 1
	normMask := make([]bool, n)
	ownedMask := make([]bool, n)
	for _, o := range st.owned {
		for i := o[0]; i < o[1]; i++ {
			ownedMask[i] = true
		}
	}
	for i, sp := range st.specs {
		o := st.off[sp.Name]
		count := true
		// the same values sit on every tp rank, but for the routed
		// experts under ssmb with ep: the ep group then spans tp, and
		// each tp rank holds other experts
		if sp.Shard == ir.ShardNone && rk.coord.TP != 0 && !(sp.Expert && rk.ssmb && mesh.EP > 1) {
			count = false
		}
		if sp.Tied && !st.info.Embedding {
			count = false // the head's copy of the tied embedding
		}
		if !worldNorm && rk.coord.CP != 0 {
			count = false // the cp ranks of a replica hold the same reduced gradients
		}
		if worldNorm && t.plan.Zero == 0 {
			if o >= nd && nd < n {
				count = count && edpIdx == 0
			} else {
				count = count && dpIdx == 0
			}
		}
		for j := range st.index[i] {
			normMask[o+j] = count && ownedMask[o+j]
		}
		// a replicated key/value head's columns count on the first
		// rank of the kv group that holds copies of them
		if rep, _ := sp.Replicated(t.plan.TP); len(rep) > 0 && mesh.Index(ir.AxisKV, rk.id) != 0 {
			for _, j := range rep {
				normMask[o+int(j)] = false
			}
		}
	}
	st.normRuns = st.normRuns[:0]
	for i := 0; i < n; {
		if !normMask[i] {
			i++
			continue
		}
		j := i
		for j < n && normMask[j] {
			j++
		}
		st.normRuns = append(st.normRuns, [2]int{i, j})
		i = j
	}
	return nil
}

// timedComm measures the time a rank spends in communication and the
// bytes it sends, by the kind of communication (set by rank.on).
type timedComm struct {
	collective.Comm
	spent  time.Duration
	kind   string
	byKind map[string]KindStats
}

// KindStats are the bytes one kind of communication sent and the rank
// time spent in it.
type KindStats struct {
	collective.Counters
	Time time.Duration
}

func (c *timedComm) account(start time.Time, before collective.Counters) {
	d := time.Since(start)
	c.spent += d
	after := c.Comm.Bytes()
	k := c.kind
	if k == "" {
		k = "other"
	}
	if c.byKind == nil {
		c.byKind = map[string]KindStats{}
	}
	s := c.byKind[k]
	s.IntraNode += after.IntraNode - before.IntraNode
	s.InterNode += after.InterNode - before.InterNode
	s.Time += d
	c.byKind[k] = s
}

func (c *timedComm) AllReduce(g collective.Group, buf []float32, op collective.ReduceOp) error {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.AllReduce(g, buf, op)
}
func (c *timedComm) ReduceScatter(g collective.Group, in []float32, op collective.ReduceOp) ([]float32, error) {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.ReduceScatter(g, in, op)
}
func (c *timedComm) AllGather(g collective.Group, part []float32) ([]float32, error) {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.AllGather(g, part)
}
func (c *timedComm) AllGatherInto(g collective.Group, part, out []float32) error {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.AllGatherInto(g, part, out)
}
func (c *timedComm) Recv(from int, tag int64) ([]float32, error) {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.Recv(from, tag)
}
func (c *timedComm) AllToAll(g collective.Group, send [][]float32) ([][]float32, error) {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.AllToAll(g, send)
}
func (c *timedComm) AllToAllLent(g collective.Group, send [][]float32) ([][]float32, error) {
	defer c.account(time.Now(), c.Comm.Bytes())
	return collective.AllToAllLent(c.Comm, g, send)
}
func (c *timedComm) AllToAllBuffer(g collective.Group, n int) []float32 {
	return collective.AllToAllBuffer(c.Comm, g, n)
}
func (c *timedComm) Broadcast(g collective.Group, root int, buf []float32) error {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.Broadcast(g, root, buf)
}
func (c *timedComm) Barrier(g collective.Group) error {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.Barrier(g)
}
func (c *timedComm) Send(to int, tag int64, buf []float32) error {
	defer c.account(time.Now(), c.Comm.Bytes())
	return c.Comm.Send(to, tag, buf)
}

// p2pTag identifies a pipeline message: its kind (activation or gradient),
// the sending stage and the micro-batch, as the schedule's sends and recvs
// match.
func p2pTag(kind ir.ActionKind, senderStage, mb int32) int64 {
	return int64(kind)<<40 | int64(senderStage)<<20 | int64(mb)
}

// Step runs one training step on every rank and returns its loss.
func (t *Trainer) Step() (StepResult, error) {
	if t.local >= 0 {
		return t.stepLocal()
	}
	start := time.Now()
	step := t.step
	lr := t.opt.LRAt(step)
	errs := make([]error, len(t.ranks))
	run := func(i int, rk *rank) {
		defer func() {
			if p := recover(); p != nil {
				errs[i] = fmt.Errorf("rank %d panicked: %v", rk.id, p)
				t.world.Abort(errs[i])
			}
		}()
		if err := t.runRank(rk, t.sched.Ranks[rk.id].Actions, lr); err != nil {
			errs[i] = fmt.Errorf("rank %d: %w", rk.id, err)
			t.world.Abort(errs[i])
		}
	}
	for i, rk := range t.ranks {
		rk.step, rk.lossSum, rk.drops = step, 0, 0
		t.comms[i].spent = 0
		t.comms[i].byKind = nil
	}
	// The first rank runs on this goroutine: one rank's step starts no
	// goroutine (a new one woke an idle processor to take it, and this
	// one parked until it ended: two hand-offs a step); the others on
	// the trainer's crew, which lives from step to step.
	if len(t.ranks) == 1 {
		run(0, t.ranks[0])
	} else {
		if t.crew == nil {
			t.crew = newCrew(len(t.ranks) - 1)
			runtime.AddCleanup(t, (*crew).stop, t.crew)
		}
		t.crew.run(func(i int) { run(i, t.ranks[i]) })
	}
	for _, err := range errs {
		if err != nil {
			return StepResult{}, err
		}
	}
	res := StepResult{Step: step, LR: lr, Elapsed: time.Since(start), ByKind: map[string]KindStats{}}
	for i, rk := range t.ranks {
		res.Loss += rk.lossSum
		res.Drops += rk.drops
		res.CommTime += t.comms[i].spent
		for k, v := range t.comms[i].byKind {
			s := res.ByKind[k]
			s.Counters = s.Counters.Add(v.Counters)
			s.Time += v.Time
			res.ByKind[k] = s
		}
	}
	if t.m.Kind == ir.MLPModel {
		res.Tokens = t.plan.GlobalBatch
	} else {
		res.Tokens = t.plan.GlobalBatch * t.m.Seq
	}
	t.step++
	return res, nil
}

// runRank executes one rank's actions of one step.
func (t *Trainer) runRank(rk *rank, acts []ir.Action, lr float64) error {
	for _, st := range rk.stages {
		clear(st.g)
	}
	recvF := map[[2]int][]float32{}
	recvB := map[[2]int][]float32{}
	outF := map[[2]int][]float32{}
	outB := map[[2]int][]float32{}
	rk.normSq = -1
	for _, a := range acts {
		rk.action = a
		t0 := rk.clock()
		key := [2]int{int(a.Stage), int(a.MB)}
		st := rk.stages[int(a.Stage)]
		switch a.Kind {
		case ir.ActF:
			var in []float32
			if a.Stage > 0 {
				if x, ok := recvF[key]; ok {
					in = x
					delete(recvF, key)
				} else {
					in = outF[[2]int{int(a.Stage) - 1, int(a.MB)}]
					delete(outF, [2]int{int(a.Stage) - 1, int(a.MB)})
				}
				if in == nil {
					return fmt.Errorf("F of stage %d micro-batch %d has no input", a.Stage, a.MB)
				}
			}
			out, err := rk.forward(st, int(a.MB), in)
			if err != nil {
				return err
			}
			if out != nil {
				outF[key] = out
			}
		case ir.ActB:
			var dy []float32
			if !st.info.Head {
				if g, ok := recvB[key]; ok {
					dy = g
					delete(recvB, key)
				} else {
					dy = outB[[2]int{int(a.Stage) + 1, int(a.MB)}]
					delete(outB, [2]int{int(a.Stage) + 1, int(a.MB)})
				}
				if dy == nil {
					return fmt.Errorf("B of stage %d micro-batch %d has no output gradient", a.Stage, a.MB)
				}
			}
			dx, err := rk.backward(st, int(a.MB), dy)
			if err != nil {
				return err
			}
			if dx != nil {
				outB[key] = dx
			}
		case ir.ActW:
			rk.runDeferred(st, int(a.MB))
		case ir.ActSendF:
			rk.on("pp")
			x, err := boundaryChunk(rk, outF[key], t.progs[a.Stage+1].InputGather)
			delete(outF, key)
			if err != nil {
				return err
			}
			if err := rk.comm.Send(int(a.Peer), p2pTag(ir.ActSendF, a.Stage, a.MB), x); err != nil {
				return err
			}
		case ir.ActRecvF:
			rk.on("pp")
			x, err := rk.comm.Recv(int(a.Peer), p2pTag(ir.ActSendF, a.Stage-1, a.MB))
			if err != nil {
				return err
			}
			if recvF[key], err = boundaryGather(rk, x, st.prog.InputGather); err != nil {
				return err
			}
		case ir.ActSendB:
			rk.on("pp")
			g, err := boundaryChunk(rk, outB[key], t.progs[a.Stage-1].OutputGradGather)
			delete(outB, key)
			if err != nil {
				return err
			}
			if err := rk.comm.Send(int(a.Peer), p2pTag(ir.ActSendB, a.Stage, a.MB), g); err != nil {
				return err
			}
		case ir.ActRecvB:
			rk.on("pp")
			g, err := rk.comm.Recv(int(a.Peer), p2pTag(ir.ActSendB, a.Stage+1, a.MB))
			if err != nil {
				return err
			}
			if recvB[key], err = boundaryGather(rk, g, st.prog.OutputGradGather); err != nil {
				return err
			}
		case ir.ActReduceGrad:
			if err := t.reduceGrad(rk, st, a); err != nil {
				return err
			}
		case ir.ActAllReduceTied:
			if err := t.sumTied(rk, a); err != nil {
				return err
			}
		case ir.ActAllGatherParams:
			if err := t.gatherParams(rk, a); err != nil {
				return err
			}
		case ir.ActAllReduceSeq:
			if err := t.sumSeq(rk, st, a); err != nil {
				return err
			}
		case ir.ActAllReduceKV:
			if err := t.sumKV(rk, st, a); err != nil {
				return err
			}
		case ir.ActGradNorm:
			if err := t.gradNorm(rk, a); err != nil {
				return err
			}
		case ir.ActOptimizer:
			if err := t.optimize(rk, lr); err != nil {
				return err
			}
			if err := rk.balance(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("action %s not executed by the runtime", a.Kind)
		}
		if rk.prof != nil {
			if a.Kind != ir.ActF && a.Kind != ir.ActB {
				rk.record(actionLabel(a.Kind), "step", t0)
			}
			rk.prof.addAction(rk.id, rk.coord.PP, a.Kind, t0)
		}
	}
	return nil
}

// boundaryChunk returns what this rank sends of pipeline tensor x (the
// same on every tp rank) to a stage that all-gathers it over tp with
// gather: its own contiguous 1/tp of x (Megatron-LM's scatter/gather of
// pipeline tensors), or all of x when the receiver gathers nothing.
func boundaryChunk(rk *rank, x []float32, gather *ir.Collective) ([]float32, error) {
	if gather == nil || x == nil {
		return x, nil
	}
	if n := rk.mesh.Degree(gather.Axis); len(x)%n != 0 {
		return nil, fmt.Errorf("pipeline tensor of %d values does not split into %d equal chunks for %s", len(x), n, gather.Name)
	}
	return rk.ownRows(x, gather.Axis), nil
}

// boundaryGather all-gathers the chunks of a pipeline tensor that the tp
// ranks of the neighbouring stage sent (nil gather: x arrived whole).
func boundaryGather(rk *rank, x []float32, gather *ir.Collective) ([]float32, error) {
	if gather == nil {
		return x, nil
	}
	whole, err := rk.collective(gather, x)
	if err != nil {
		return nil, fmt.Errorf("pipeline gather %s: %w", gather.Name, err)
	}
	return whole, nil
}

// tpPartial reports whether, under sp, the gradient of sp is a partial
// sum over the tp ranks: the parameters replicated over tp that act on
// each rank's own tokens (LayerNorms, the biases added after a
// reduce-scatter, wpe, added to each rank's slice after the embedding's
// reduce-scatter). wte and lm_head are split by vocabulary and see every
// token (the head's input is all-gathered, the embedding's output
// gradient too), so their gradients are whole. MoE layers run whole on every rank,
// so their gradients are already complete.
//
// Under ssmb each tp rank routes its own tokens, so the router's and the
// shared experts' gradients are partial too (the routed experts' reduce
// over edp, which then spans tp).
func tpPartial(rk *rank, sp *paramSpec) bool {
	moe := strings.Contains(sp.Name, ".moe.")
	switch {
	case rk.sp && sp.Shard == ir.ShardNone && !moe:
		return true
	case rk.ssmb && moe && !sp.Expert:
		return true
	}
	return false
}

// seqPartialParams counts the elements, on one rank, of the parameters
// among specs whose gradients are partial sums over tp under plan p (see
// tpPartial): the sizes of the schedule's ALLREDUCE_SEQ actions.
func seqPartialParams(p *ir.Plan, specs []*paramSpec) int64 {
	probe := &rank{sp: p.SP && p.TP > 1, ssmb: p.MoE.SSMB && p.TP > 1 && p.Model.MoE != nil}
	var n int64
	for _, sp := range specs {
		if tpPartial(probe, sp) {
			n += int64(tensor.Numel(sp.LocalShape(p.TP)...))
		}
	}
	return n
}

// sumSeq executes ALLREDUCE_SEQ: it all-reduces over the action's group
// (the rank's tp group) the gradients of stage st that sp or ssmb leaves
// as partial sums (Megatron's all-reduce of sequence-parallel parameters'
// gradients), as one buffer. The schedule issues it after the stage's
// data-parallel reductions and tied sum; with ZeRO the tp ranks' flat
// layouts and owned chunks coincide, so the sum is exact on the owned
// elements, the only ones the optimizer and the norm read.
func (t *Trainer) sumSeq(rk *rank, st *stage, a ir.Action) error {
	rk.on("tp")
	if st == nil {
		return fmt.Errorf("ALLREDUCE_SEQ of stage %d, which rank %d does not hold", a.Stage, rk.id)
	}
	var buf []float32
	for _, sp := range st.specs {
		if tpPartial(rk, sp) {
			buf = append(buf, st.gr(sp.Name)...)
		}
	}
	if err := rk.comm.AllReduce(t.group(a), buf, collective.Sum); err != nil {
		return err
	}
	for _, sp := range st.specs {
		if tpPartial(rk, sp) {
			n := copy(st.gr(sp.Name), buf)
			buf = buf[n:]
		}
	}
	return nil
}

// kvReplicatedParams counts the elements, on one rank, of the replicated
// key/value columns among specs (see ir.Param.Replicated): the sizes of
// the schedule's ALLREDUCE_KV actions.
func kvReplicatedParams(p *ir.Plan, specs []*paramSpec) int64 {
	var n int64
	for _, sp := range specs {
		rep, _ := sp.Replicated(p.TP)
		n += int64(len(rep))
	}
	return n
}

// sumKV executes ALLREDUCE_KV: it all-reduces over the action's group
// (the rank's kv group: the tp ranks holding copies of the same key/value
// head) the gradients of stage st's replicated key/value columns, each
// copy's a partial sum from its rank's query heads, as one buffer. Like
// ALLREDUCE_SEQ it follows the stage's data-parallel reductions; under
// ZeRO the kv peers' flat layouts and owned chunks coincide, so the sum
// is exact on the owned elements.
func (t *Trainer) sumKV(rk *rank, st *stage, a ir.Action) error {
	rk.on("kv")
	if st == nil {
		return fmt.Errorf("ALLREDUCE_KV of stage %d, which rank %d does not hold", a.Stage, rk.id)
	}
	var buf []float32
	for _, sp := range st.specs {
		rep, _ := sp.Replicated(t.plan.TP)
		g := st.gr(sp.Name)
		for _, j := range rep {
			buf = append(buf, g[j])
		}
	}
	if err := rk.comm.AllReduce(t.group(a), buf, collective.Sum); err != nil {
		return err
	}
	for _, sp := range st.specs {
		rep, _ := sp.Replicated(t.plan.TP)
		g := st.gr(sp.Name)
		for _, j := range rep {
			g[j], buf = buf[0], buf[1:]
		}
	}
	return nil
}

// checkKVSums refuses a schedule whose ALLREDUCE_KV actions this runtime
// cannot execute exactly: every stage a rank holds with replicated
// key/value columns needs exactly one, over the rank's kv group, after
// the stage's last backward (or W); a stage without them has none.
func (t *Trainer) checkKVSums(s *ir.Schedule) error {
	gradKind := ir.ActB
	if s.SplitBackward {
		gradKind = ir.ActW
	}
	for _, rk := range t.ranks {
		r := rk.id
		kvAt, lastAt := map[int]int{}, map[int]int{}
		kvG := s.Mesh.Group(ir.AxisKV, r)
		for i, a := range s.Ranks[r].Actions {
			st := int(a.Stage)
			switch a.Kind {
			case gradKind:
				lastAt[st] = i
			case ir.ActAllReduceKV:
				where := fmt.Sprintf("rank %d, action %d (%s)", r, i, s.ActionString(a))
				if rk.stages[st] == nil {
					return fmt.Errorf("schedule: %s names stage %d, which this rank does not hold", where, st)
				}
				if _, dup := kvAt[st]; dup {
					return fmt.Errorf("schedule: %s: a second ALLREDUCE_KV of stage %d", where, st)
				}
				if g := s.GroupOf(a); !slices.Equal(kvG, int32s(g)) {
					return fmt.Errorf("schedule: %s sums over %v, not the ranks %v that hold copies of this rank's key/value heads", where, g, kvG)
				}
				kvAt[st] = i
			}
		}
		for si, stg := range rk.stages {
			i, ok := kvAt[si]
			switch n := kvReplicatedParams(t.plan, stg.specs); {
			case n > 0 && !ok:
				return fmt.Errorf("schedule: rank %d never sums the gradients of the replicated key/value heads of stage %d (no ALLREDUCE_KV; a schedule file from before that action must be recompiled)", r, si)
			case n == 0 && ok:
				return fmt.Errorf("schedule: rank %d, action %d: ALLREDUCE_KV of stage %d, which holds no replicated key/value heads", r, i, si)
			case ok && i < lastAt[si]:
				return fmt.Errorf("schedule: rank %d, action %d: ALLREDUCE_KV of stage %d comes before the stage's last backward", r, i, si)
			}
		}
	}
	return nil
}

// checkSeqSums refuses a schedule whose ALLREDUCE_SEQ actions this
// runtime cannot execute exactly: every stage a rank holds with tp-partial
// gradients needs exactly one, over the rank's tp group, after the
// stage's last backward (or W), after each of its REDUCE_GRADs and, on a
// stage holding a copy of the tied embedding, after ALLREDUCE_TIED (the
// order that package passes/sched documents; the vocab-parallel wte's
// gradient is whole over tp, so the tied sum no longer meets a tp-partial
// copy, but the order is the schedule's contract); a stage without such
// gradients has none. A schedule file written before ALLREDUCE_SEQ existed
// fails here and must be recompiled.
func (t *Trainer) checkSeqSums(s *ir.Schedule) error {
	gradKind := ir.ActB
	if s.SplitBackward {
		gradKind = ir.ActW
	}
	for _, rk := range t.ranks {
		r := rk.id
		seqAt := map[int]int{}
		lastAt := map[int]int{} // the last action that must come before the sum
		tiedAt := -1
		for i, a := range s.Ranks[r].Actions {
			st := int(a.Stage)
			switch a.Kind {
			case gradKind, ir.ActReduceGrad:
				lastAt[st] = i
			case ir.ActAllReduceTied:
				tiedAt = i
			case ir.ActAllReduceSeq:
				where := fmt.Sprintf("rank %d, action %d (%s)", r, i, s.ActionString(a))
				stg := rk.stages[st]
				if stg == nil {
					return fmt.Errorf("schedule: %s names stage %d, which this rank does not hold", where, st)
				}
				if _, dup := seqAt[st]; dup {
					return fmt.Errorf("schedule: %s: a second ALLREDUCE_SEQ of stage %d", where, st)
				}
				if g := s.GroupOf(a); !sameRanks(rk.tpG, int32s(g)) {
					return fmt.Errorf("schedule: %s sums over %v, not the rank's tp group %v", where, g, rk.tpG)
				}
				seqAt[st] = i
			}
		}
		for si, stg := range rk.stages {
			partial := false
			for _, sp := range stg.specs {
				partial = partial || tpPartial(rk, sp)
			}
			i, ok := seqAt[si]
			switch {
			case partial && !ok:
				return fmt.Errorf("schedule: rank %d never sums the tp-partial gradients of stage %d (no ALLREDUCE_SEQ; a schedule file from before that action must be recompiled)", r, si)
			case !partial && ok:
				return fmt.Errorf("schedule: rank %d, action %d: ALLREDUCE_SEQ of stage %d, whose gradients are whole on every tp rank", r, i, si)
			case ok && i < lastAt[si]:
				return fmt.Errorf("schedule: rank %d, action %d: ALLREDUCE_SEQ of stage %d comes before the stage's last backward or one of its REDUCE_GRADs", r, i, si)
			case ok && tiedAt > i && (stg.info.Embedding || stg.info.Head) && sched.TiedAcrossStages(t.plan):
				return fmt.Errorf("schedule: rank %d, action %d: ALLREDUCE_SEQ of stage %d comes before ALLREDUCE_TIED (package passes/sched's order: the tp sum after the tied sum)", r, i, si)
			}
		}
	}
	return nil
}

func int32s(g []int32) []int {
	out := make([]int, len(g))
	for i, x := range g {
		out[i] = int(x)
	}
	return out
}

// sumTied executes ALLREDUCE_TIED: it adds the two gradients of a tied
// embedding, held by the first and the last virtual stage, by an
// all-reduce over the action's group (the ranks of the two stages), or
// locally when one rank holds both (a one-member group: zb-v, pp = 1
// interleaved). The schedule issues it before either copy's bucket is
// reduced over the data ranks, so both copies hold the same whole sum when
// they are reduced, whatever chunk of them each rank owns under ZeRO.
func (t *Trainer) sumTied(rk *rank, a ir.Action) error {
	rk.on("tied")
	n := len(t.sched.Stages)
	first, last := rk.stages[0], rk.stages[n-1]
	g := t.group(a)
	switch {
	case len(g) == 1:
		if first == nil || last == nil || first == last {
			return fmt.Errorf("ALLREDUCE_TIED on rank %d alone, which does not hold both copies of the tied embedding", rk.id)
		}
		g0, g1 := first.gr("wte"), last.gr("wte")
		for i := range g0 {
			g0[i] += g1[i]
		}
		copy(g1, g0)
		return nil
	case first != nil && last != nil:
		return fmt.Errorf("ALLREDUCE_TIED over %v on rank %d, which holds both copies of the tied embedding", g, rk.id)
	case first == nil && last == nil:
		return fmt.Errorf("ALLREDUCE_TIED on rank %d, which holds no copy of the tied embedding", rk.id)
	}
	st := first
	if st == nil {
		st = last
	}
	return rk.comm.AllReduce(g, st.gr("wte"), collective.Sum)
}

func (t *Trainer) group(a ir.Action) collective.Group {
	g32 := t.sched.GroupOf(a)
	g := make(collective.Group, len(g32))
	for i, x := range g32 {
		g[i] = int(x)
	}
	return g
}

// reduceGrad executes REDUCE_GRAD: the all-reduce of one gradient bucket
// over its group, or its reduce-scatter, after which the rank holds the
// sum of its own chunk and zeros in the others. The zeros make repeated
// reduce-scatters accumulate (ZeRO-3 reduces every micro-batch): the next
// micro-batch adds its local gradient to every chunk, and the next
// reduce-scatter sums, into the owner's chunk, the owner's running sum and
// every member's new local gradient, each counted once.
func (t *Trainer) reduceGrad(rk *rank, st *stage, a ir.Action) error {
	rk.on("dp")
	if int(a.Bucket) >= len(st.buckets) {
		return fmt.Errorf("REDUCE_GRAD bucket %d of stage %d: the stage has %d buckets", a.Bucket, a.Stage, len(st.buckets))
	}
	b := st.buckets[a.Bucket]
	g := t.group(a)
	buf := st.g[b[0]:b[1]]
	if a.Coll == ir.ReduceScatter {
		part, err := rk.comm.ReduceScatter(g, buf, collective.Sum)
		if err != nil {
			return err
		}
		off := collective.ChunkOffsets(len(buf), len(g))
		i := g.Index(rk.id)
		clear(buf[:off[i]])
		copyUnlessSame(buf[off[i]:off[i+1]], part)
		clear(buf[off[i+1]:])
		return nil
	}
	return rk.comm.AllReduce(g, buf, collective.Sum)
}

// copyUnlessSame copies src to dst unless they are the same elements (a
// transport that reduces in place returns the input's own chunk).
func copyUnlessSame(dst, src []float32) {
	if len(src) > 0 && &dst[0] == &src[0] {
		return
	}
	copy(dst, src)
}

// gatherParams all-gathers the owned chunks of parameters: of one bucket
// after the optimizer (ZeRO-1/2), or of a whole stage before its use
// (ZeRO-3).
func (t *Trainer) gatherParams(rk *rank, a ir.Action) error {
	rk.on("dp")
	st := rk.stages[int(a.Stage)]
	g := t.group(a)
	var bks [][2]int
	if a.MB < 0 {
		bks = [][2]int{st.buckets[a.Bucket]}
	} else {
		// ZeRO-3: the buckets of the parameter class that shards over the
		// action's group: the routed experts' when it is the
		// expert-data-parallel group (ep > 1), else the dense ones.
		expert := t.sched.Mesh.EP > 1 && sameRanks(g, t.sched.Mesh.Group(ir.AxisEDP, rk.id))
		if expert && sameRanks(g, t.sched.Mesh.Group(ir.AxisDPCP, rk.id)) {
			return fmt.Errorf("ALLGATHER_PARAMS of stage %d: the data-parallel and expert-data-parallel groups are the same ranks", a.Stage)
		}
		for i, b := range st.buckets {
			if st.expertBucket[i] == expert {
				bks = append(bks, b)
			}
		}
	}
	return gatherBuckets(rk, st, g, bks)
}

// gatherBuckets all-gathers the members' chunks of buckets bks over g.
func gatherBuckets(rk *rank, st *stage, g collective.Group, bks [][2]int) error {
	i := g.Index(rk.id)
	if len(bks) == 1 {
		// The members' chunks of one bucket lie in group order: gather
		// straight into it, around this rank's own chunk.
		b := bks[0]
		off := collective.ChunkOffsets(b[1]-b[0], len(g))
		return rk.comm.AllGatherInto(g, st.p[b[0]+off[i]:b[0]+off[i+1]], st.p[b[0]:b[1]])
	}
	// Several buckets (ZeRO-3's stage): the members' chunks go through a
	// buffer kept with the stage, member-major (member 0's chunk of every
	// bucket, then member 1's, ...), this rank's written in its place.
	total := 0
	for _, b := range bks {
		total += b[1] - b[0]
	}
	if cap(st.gathered) < total {
		st.gathered = make([]float32, total)
	}
	all := st.gathered[:total]
	var mine []float32
	pos := 0
	for m := range g {
		start := pos
		for _, b := range bks {
			off := collective.ChunkOffsets(b[1]-b[0], len(g))
			n := off[m+1] - off[m]
			if m == i {
				copy(all[pos:pos+n], st.p[b[0]+off[m]:b[0]+off[m+1]])
			}
			pos += n
		}
		if m == i {
			mine = all[start:pos]
		}
	}
	if err := rk.comm.AllGatherInto(g, mine, all); err != nil {
		return err
	}
	pos = 0
	for m := range g {
		for _, b := range bks {
			off := collective.ChunkOffsets(b[1]-b[0], len(g))
			n := off[m+1] - off[m]
			if m != i {
				copy(st.p[b[0]+off[m]:b[0]+off[m+1]], all[pos:pos+n])
			}
			pos += n
		}
	}
	return nil
}

// sumSquares returns the rank's contribution to the squared global norm.
func (rk *rank) sumSquares() float64 {
	var s float64
	keys := make([]int, 0, len(rk.stages))
	for k := range rk.stages {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		st := rk.stages[k]
		s += SumSquaresRuns(st.g, st.normRuns)
	}
	return s
}

// SumSquaresRuns returns Σ g[i]² over the [lo, hi) runs of g, in float64
// (kernels.SumSquares): a rank's share of the squared gradient norm over
// the elements it counts, computed before every optimizer step (planc
// calibrate times it with the update).
func SumSquaresRuns(g []float32, runs [][2]int) float64 {
	var s float64
	for _, run := range runs {
		s += kernels.SumSquares(g[run[0]:run[1]])
	}
	return s
}

// gradNorm all-reduces the squared norm as a float64 carried in two
// float32s (high part and remainder), so the sum keeps float64 precision.
func (t *Trainer) gradNorm(rk *rank, a ir.Action) error {
	rk.on("norm")
	s := rk.sumSquares()
	hi := float32(s)
	lo := float32(s - float64(hi))
	buf := []float32{hi, lo}
	if err := rk.comm.AllReduce(t.group(a), buf, collective.Sum); err != nil {
		return err
	}
	rk.normSq = float64(buf[0]) + float64(buf[1])
	return nil
}

func (t *Trainer) optimize(rk *rank, lr float64) error {
	if rk.normSq < 0 { // one rank: no GRAD_NORM action
		rk.normSq = rk.sumSquares()
	}
	if math.IsNaN(rk.normSq) || math.IsInf(rk.normSq, 0) {
		return fmt.Errorf("step %d: the gradient norm is %v (training diverged)", rk.step, rk.normSq)
	}
	scale := t.opt.ClipScale(rk.normSq)
	k := rk.step + 1
	for _, st := range rk.stages {
		if st.updates == nil {
			st.updates = st.updateRuns()
		}
		for _, u := range st.updates {
			lo, hi, mo := u.lo, u.hi, u.moment
			s := &optim.State{Param: st.p[lo:hi], Grad: st.g[lo:hi], M: st.m[mo : mo+hi-lo], V: st.v[mo : mo+hi-lo], Decay: st.decay[lo]}
			rk.kern().AdamWStep(t.opt, s, k, lr, scale)
		}
	}
	return nil
}

// updateRun is a range [lo, hi) of the flat buffer that one AdamW call
// updates: owned by the rank, of one weight-decay setting; its moments
// start at moment in the owned moments.
type updateRun struct{ lo, hi, moment int }

// updateRuns splits the owned ranges where weight decay changes. Both are
// fixed when the stage is built, so the optimizer takes them once (a scan
// of every element per step cost 2% of a hidden-256 step).
func (st *stage) updateRuns() []updateRun {
	runs := []updateRun{}
	mo := 0 // position in the owned moments
	for _, o := range st.owned {
		lo := o[0]
		for lo < o[1] {
			hi := lo + 1
			for hi < o[1] && st.decay[hi] == st.decay[lo] {
				hi++
			}
			runs = append(runs, updateRun{lo, hi, mo})
			mo += hi - lo
			lo = hi
		}
	}
	return runs
}
