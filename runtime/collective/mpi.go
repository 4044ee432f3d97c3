//go:build planc_mpi

package collective

/*
#cgo pkg-config: ompi
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

static int planc_init(int *provided) {
	int inited = 0;
	MPI_Initialized(&inited);
	if (inited) { *provided = MPI_THREAD_SERIALIZED; return 0; }
	return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, provided);
}
static MPI_Comm planc_world(void) { return MPI_COMM_WORLD; }
static int planc_world_rank(int *r) { return MPI_Comm_rank(MPI_COMM_WORLD, r); }
static int planc_world_size(int *n) { return MPI_Comm_size(MPI_COMM_WORLD, n); }
static void planc_errors_return(void) { MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN); }

// planc_node_leaders gives every rank the world rank of the first rank on
// its node (MPI's shared-memory split).
static int planc_node_leaders(int *leaders) {
	MPI_Comm node;
	int e = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
	if (e) return e;
	int me, lead;
	MPI_Comm_rank(MPI_COMM_WORLD, &me);
	lead = me;
	e = MPI_Allreduce(&me, &lead, 1, MPI_INT, MPI_MIN, node);
	if (e) return e;
	MPI_Comm_free(&node);
	return MPI_Allgather(&lead, 1, MPI_INT, leaders, 1, MPI_INT, MPI_COMM_WORLD);
}

// planc_group_comm makes the communicator of the world ranks ranks[0..n),
// in that order; only they call it.
static int planc_group_comm(int *ranks, int n, int tag, MPI_Comm *out) {
	MPI_Group wg, g;
	MPI_Comm_group(MPI_COMM_WORLD, &wg);
	MPI_Group_incl(wg, n, ranks, &g);
	int e = MPI_Comm_create_group(MPI_COMM_WORLD, g, tag, out);
	MPI_Group_free(&g);
	MPI_Group_free(&wg);
	return e;
}
static int planc_dup_world(MPI_Comm *out) { return MPI_Comm_dup(MPI_COMM_WORLD, out); }

static int planc_ialltoallv(float *sb, int *sc, int *sd, float *rb, int *rc, int *rd, MPI_Comm c, MPI_Request *r) {
	return MPI_Ialltoallv(sb, sc, sd, MPI_FLOAT, rb, rc, rd, MPI_FLOAT, c, r);
}
static int planc_iallgather_int(int *mine, int *all, MPI_Comm c, MPI_Request *r) {
	return MPI_Iallgather(mine, 1, MPI_INT, all, 1, MPI_INT, c, r);
}
static int planc_ialltoall_int(int *sb, int *rb, MPI_Comm c, MPI_Request *r) {
	return MPI_Ialltoall(sb, 1, MPI_INT, rb, 1, MPI_INT, c, r);
}
static int planc_iallgatherv(float *sb, int n, float *rb, int *rc, int *rd, MPI_Comm c, MPI_Request *r) {
	return MPI_Iallgatherv(sb, n, MPI_FLOAT, rb, rc, rd, MPI_FLOAT, c, r);
}
static int planc_ibcast(float *b, int n, int root, MPI_Comm c, MPI_Request *r) {
	return MPI_Ibcast(b, n, MPI_FLOAT, root, c, r);
}
static int planc_ibarrier(MPI_Comm c, MPI_Request *r) { return MPI_Ibarrier(c, r); }
static int planc_isend(float *b, int n, int to, MPI_Comm c, MPI_Request *r) {
	return MPI_Isend(b, n, MPI_FLOAT, to, 0, c, r);
}
static int planc_test(MPI_Request *r, int *done) { return MPI_Test(r, done, MPI_STATUS_IGNORE); }
static int planc_iprobe(int from, MPI_Comm c, int *found, int *count) {
	MPI_Status st;
	int e = MPI_Iprobe(from, 0, c, found, &st);
	if (e == 0 && *found) e = MPI_Get_count(&st, MPI_FLOAT, count);
	return e;
}
static int planc_recv(float *b, int n, int from, MPI_Comm c) {
	return MPI_Recv(b, n, MPI_FLOAT, from, 0, c, MPI_STATUS_IGNORE);
}
static int planc_isend_bytes(char *b, int n, int to, int tag, MPI_Comm c, MPI_Request *r) {
	return MPI_Isend(b, n, MPI_CHAR, to, tag, c, r);
}
static int planc_iprobe_bytes(int from, int tag, MPI_Comm c, int *found, int *src, int *count) {
	MPI_Status st;
	int e = MPI_Iprobe(from, tag, c, found, &st);
	if (e == 0 && *found) {
		*src = st.MPI_SOURCE;
		e = MPI_Get_count(&st, MPI_CHAR, count);
	}
	return e;
}
static int planc_recv_bytes(char *b, int n, int from, int tag, MPI_Comm c) {
	return MPI_Recv(b, n, MPI_CHAR, from, tag, c, MPI_STATUS_IGNORE);
}
static int planc_any_source(void) { return MPI_ANY_SOURCE; }
static int planc_finalize(void) { return MPI_Finalize(); }
static int planc_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
static void planc_error_string(int code, char *out, int n) {
	int len = 0;
	char buf[MPI_MAX_ERROR_STRING];
	MPI_Error_string(code, buf, &len);
	strncpy(out, buf, n - 1);
	out[n - 1] = 0;
}
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// The MPI transport (Open MPI through cgo, build tag planc_mpi): one
// process per rank, started by mpirun or srun.
//
// Each group of the plan gets its own communicator (MPI_Comm_create_group
// over the group's ranks in group order, made when the group is first
// used); the collectives are MPI's non-blocking ones on it, polled until
// they complete or the timeout passes: all-reduce and reduce-scatter are
// an MPI_Ialltoallv that gives member i every member's chunk i, which it
// reduces in Go in group order (so results are bit for bit those of the
// in-process transport, whatever MPI's own reduction order), then, for
// all-reduce, an MPI_Iallgatherv of the reduced chunks; all-gather is an
// MPI_Iallgather of the lengths and an MPI_Iallgatherv; all-to-all-v an
// MPI_Ialltoall of the counts and an MPI_Ialltoallv; broadcast
// MPI_Ibcast; barrier MPI_Ibarrier. Point-to-point messages are
// MPI_Isend on a duplicate of the world communicator, each carrying its
// 64-bit tag in its first two words; the receiver probes the sender's
// next message and keeps those of other tags until they are asked for.
//
// Nodes are MPI's: MPI_Comm_split_type(MPI_COMM_TYPE_SHARED). The byte
// counters follow the package's convention (counts.go), as in-process.
//
// Buffers handed to MPI's non-blocking calls live in C memory, as cgo
// requires of memory that C keeps after a call returns. MPI is
// initialized with MPI_THREAD_SERIALIZED, and every call holds mu.

// MPIComm is this process's rank of an MPI job. Build it with [DialMPI].
type MPIComm struct {
	mu      sync.Mutex
	rank    int
	size    int
	timeout time.Duration
	nodes   []int
	sent    *counter
	seq     map[string]uint64
	groups  map[string]C.MPI_Comm
	p2p     C.MPI_Comm
	// statusComm carries the questions "what do you wait for?" (tag 1)
	// and their answers (tag 2), served while a rank polls.
	statusComm C.MPI_Comm
	status     atomic.Value             // waitStatus
	ready      map[string]map[int]bool  // group key -> members ready to create it
	stash      map[[2]int64][][]float32 // (from, tag) -> messages that arrived early
	pending    []pendingSend
	aborted    error
	closed     bool
}

type pendingSend struct {
	req C.MPI_Request
	buf unsafe.Pointer
}

var mpiOnce struct {
	sync.Mutex
	comm *MPIComm
}

func mpiErr(code C.int) error {
	if code == 0 {
		return nil
	}
	buf := (*C.char)(C.malloc(512))
	defer C.free(unsafe.Pointer(buf))
	C.planc_error_string(code, buf, 512)
	return fmt.Errorf("MPI error %d: %s", int(code), C.GoString(buf))
}

// DialMPI initializes MPI (once per process) and returns this process's
// rank of the job; operations fail after timeout (0: DefaultTimeout).
func DialMPI(timeout time.Duration) (*MPIComm, error) {
	mpiOnce.Lock()
	defer mpiOnce.Unlock()
	if mpiOnce.comm != nil {
		return mpiOnce.comm, nil
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var provided C.int
	if err := mpiErr(C.planc_init(&provided)); err != nil {
		return nil, fmt.Errorf("mpi: init: %w", err)
	}
	if provided < C.MPI_THREAD_SERIALIZED {
		return nil, fmt.Errorf("mpi: the MPI library gives thread level %d, planc needs MPI_THREAD_SERIALIZED", int(provided))
	}
	C.planc_errors_return()
	var r, n C.int
	C.planc_world_rank(&r)
	C.planc_world_size(&n)
	// The set-up below uses blocking collectives over every rank; meet
	// first in a barrier polled to the deadline, so that a rank that never
	// starts fails the others instead of hanging them.
	var req C.MPI_Request
	if err := mpiErr(C.planc_ibarrier(C.planc_world(), &req)); err != nil {
		return nil, fmt.Errorf("mpi: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		var done C.int
		if err := mpiErr(C.planc_test(&req, &done)); err != nil {
			return nil, fmt.Errorf("mpi: %w", err)
		}
		if done != 0 {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("mpi: rank %d waited %v for the other %d ranks to start", int(r), timeout, int(n)-1)
		}
		time.Sleep(time.Millisecond)
	}
	c := &MPIComm{rank: int(r), size: int(n), timeout: timeout, seq: map[string]uint64{},
		groups: map[string]C.MPI_Comm{}, stash: map[[2]int64][][]float32{}, ready: map[string]map[int]bool{}}
	leaders := make([]C.int, c.size)
	if err := mpiErr(C.planc_node_leaders(&leaders[0])); err != nil {
		return nil, fmt.Errorf("mpi: finding the nodes: %w", err)
	}
	index := map[C.int]int{}
	for _, l := range leaders {
		if _, ok := index[l]; !ok {
			index[l] = len(index)
		}
		c.nodes = append(c.nodes, index[l])
	}
	c.sent = newCounter(func(r int) int { return c.nodes[r] }, c.size, c.rank)
	if err := mpiErr(C.planc_dup_world(&c.p2p)); err != nil {
		return nil, fmt.Errorf("mpi: %w", err)
	}
	if err := mpiErr(C.planc_dup_world(&c.statusComm)); err != nil {
		return nil, fmt.Errorf("mpi: %w", err)
	}
	mpiOnce.comm = c
	return c, nil
}

func (c *MPIComm) Rank() int       { return c.rank }
func (c *MPIComm) Size() int       { return c.size }
func (c *MPIComm) Bytes() Counters { return c.sent.get(c.rank) }

// Nodes returns the node of every rank (MPI's shared-memory split,
// numbered by first appearance in rank order).
func (c *MPIComm) Nodes() []int { return append([]int(nil), c.nodes...) }

// SetNodes replaces the node layout the byte counters use (a trainer run
// with --layout=plan on machines laid out otherwise).
func (c *MPIComm) SetNodes(nodes []int) {
	c.nodes = append([]int(nil), nodes...)
	c.sent = newCounter(func(r int) int { return c.nodes[r] }, c.size, c.rank)
}

// Waiting says which operation the rank is waiting in ("" when none).
func (c *MPIComm) Waiting() string {
	s, _ := c.status.Load().(waitStatus)
	return s.What
}

const (
	tagStatusQuery = 1
	tagStatusReply = 2
	tagGroupReady  = 3 // "I am about to create this group's communicator"
)

// serve answers the questions other ranks asked this one (c.mu held).
func (c *MPIComm) serve() {
	for {
		var found, src, count C.int
		if C.planc_iprobe_bytes(C.planc_any_source(), tagStatusQuery, c.statusComm, &found, &src, &count) != 0 || found == 0 {
			return
		}
		q := C.malloc(C.size_t(max(count, 1)))
		C.planc_recv_bytes((*C.char)(q), count, src, tagStatusQuery, c.statusComm)
		C.free(q)
		st, _ := c.status.Load().(waitStatus)
		b, _ := json.Marshal(st)
		buf := C.CBytes(b)
		var req C.MPI_Request
		if C.planc_isend_bytes((*C.char)(buf), C.int(len(b)), src, tagStatusReply, c.statusComm, &req) != 0 {
			C.free(buf)
			return
		}
		c.pending = append(c.pending, pendingSend{req: req, buf: buf})
	}
}

// ask asks rank r what it waits for (c.mu held), answering others'
// questions meanwhile.
func (c *MPIComm) ask(r int) (waitStatus, bool) {
	q := C.malloc(1)
	var req C.MPI_Request
	if C.planc_isend_bytes((*C.char)(q), 1, C.int(r), tagStatusQuery, c.statusComm, &req) != 0 {
		C.free(q)
		return waitStatus{}, false
	}
	c.pending = append(c.pending, pendingSend{req: req, buf: q})
	deadline := time.Now().Add(askTimeout)
	for time.Now().Before(deadline) {
		c.serve()
		var found, src, count C.int
		if C.planc_iprobe_bytes(C.int(r), tagStatusReply, c.statusComm, &found, &src, &count) != 0 {
			return waitStatus{}, false
		}
		if found != 0 {
			b := C.malloc(C.size_t(max(count, 1)))
			C.planc_recv_bytes((*C.char)(b), count, C.int(r), tagStatusReply, c.statusComm)
			var st waitStatus
			err := json.Unmarshal(C.GoBytes(b, count), &st)
			C.free(b)
			return st, err == nil
		}
		time.Sleep(time.Millisecond)
	}
	return waitStatus{}, false
}

// Abort makes every later operation of this rank fail; Close then ends
// the whole job (MPI_Abort) instead of finalizing, so that no rank waits
// for this one.
func (c *MPIComm) Abort(err error) {
	c.mu.Lock()
	if c.aborted == nil {
		c.aborted = err
	}
	c.mu.Unlock()
}

// Close finalizes MPI, or aborts the job when a rank failed here.
func (c *MPIComm) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.aborted != nil {
		C.planc_abort(1)
		return nil
	}
	// Let the sends still in flight complete (their receivers have them
	// or will); then finalize.
	deadline := time.Now().Add(c.timeout)
	for _, p := range c.pending {
		var done C.int
		for done == 0 && time.Now().Before(deadline) {
			C.planc_test(&p.req, &done)
			if done == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		if done != 0 {
			C.free(p.buf)
		}
	}
	c.pending = nil
	return mpiErr(C.planc_finalize())
}

// group returns g's communicator, making it on first use (c.mu held).
// MPI_Comm_create_group blocks until every member calls it, with no
// deadline, so the members first tell each other, by messages polled to
// the deadline, that they are about to: a member that never comes fails
// the others with the usual diagnosis instead of hanging them.
func (c *MPIComm) group(g Group) (C.MPI_Comm, error) {
	k := g.key()
	if comm, ok := c.groups[k]; ok {
		return comm, nil
	}
	if err := c.meetToCreate(g); err != nil {
		return nil, err
	}
	ranks := make([]C.int, len(g))
	for i, r := range g {
		ranks[i] = C.int(r)
	}
	h := fnv.New32a()
	h.Write([]byte(k))
	var comm C.MPI_Comm
	if err := mpiErr(C.planc_group_comm(&ranks[0], C.int(len(g)), C.int(h.Sum32()%30000), &comm)); err != nil {
		return comm, fmt.Errorf("mpi: making the communicator of group [%s]: %w", k, err)
	}
	c.groups[k] = comm
	return comm, nil
}

// meetToCreate sends "ready for group g" to g's other members and waits
// until each has sent it too.
func (c *MPIComm) meetToCreate(g Group) error {
	k := g.key()
	what := fmt.Sprintf("the other members to set up group [%s]", k)
	var others []int
	for _, r := range g {
		if r != c.rank {
			others = append(others, r)
			b := C.CBytes([]byte(k))
			var req C.MPI_Request
			if err := mpiErr(C.planc_isend_bytes((*C.char)(b), C.int(len(k)), C.int(r), tagGroupReady, c.statusComm, &req)); err != nil {
				C.free(b)
				return fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
			}
			c.pending = append(c.pending, pendingSend{req: req, buf: b})
		}
	}
	c.status.Store(waitStatus{What: what, From: others})
	defer c.status.Store(waitStatus{})
	deadline := time.Now().Add(c.timeout)
	for {
		var missing []int
		for _, r := range others {
			if !c.ready[k][r] {
				missing = append(missing, r)
			}
		}
		if len(missing) == 0 {
			delete(c.ready, k)
			return nil
		}
		if c.aborted != nil {
			return fmt.Errorf("collective: rank %d: waiting for %s aborted: %w", c.rank, what, c.aborted)
		}
		var found, src, count C.int
		if err := mpiErr(C.planc_iprobe_bytes(C.planc_any_source(), tagGroupReady, c.statusComm, &found, &src, &count)); err != nil {
			return fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
		}
		if found != 0 {
			b := C.malloc(C.size_t(max(count, 1)))
			C.planc_recv_bytes((*C.char)(b), count, src, tagGroupReady, c.statusComm)
			gk := string(C.GoBytes(b, count))
			C.free(b)
			if c.ready[gk] == nil {
				c.ready[gk] = map[int]bool{}
			}
			c.ready[gk][int(src)] = true
			continue
		}
		if time.Now().After(deadline) {
			why := diagnose(c.rank, what, missing, c.ask)
			return fmt.Errorf("collective: rank %d waited %v for %s: ranks %v never came: %s", c.rank, c.timeout, what, missing, why)
		}
		c.serve()
		c.mu.Unlock()
		time.Sleep(100 * time.Microsecond)
		c.mu.Lock()
	}
}

// cbuf is a float32 buffer in C memory.
type cbuf struct {
	p unsafe.Pointer
	n int
}

func newCbuf(n int) cbuf {
	return cbuf{p: C.calloc(C.size_t(max(n, 1)), 4), n: n}
}

func (b cbuf) floats() []float32 { return unsafe.Slice((*float32)(b.p), max(b.n, 1))[:b.n] }
func (b cbuf) f() *C.float       { return (*C.float)(b.p) }
func (b cbuf) free()             { C.free(b.p) }

// ints is an int array in C memory.
type cints struct {
	p unsafe.Pointer
	n int
}

func newCints(vals []int) cints {
	b := cints{p: C.calloc(C.size_t(max(len(vals), 1)), C.size_t(unsafe.Sizeof(C.int(0)))), n: len(vals)}
	s := b.slice()
	for i, v := range vals {
		s[i] = C.int(v)
	}
	return b
}
func (b cints) slice() []C.int { return unsafe.Slice((*C.int)(b.p), max(b.n, 1))[:b.n] }
func (b cints) c() *C.int      { return (*C.int)(b.p) }
func (b cints) free()          { C.free(b.p) }
func (b cints) ints() []int {
	out := make([]int, b.n)
	for i, v := range b.slice() {
		out[i] = int(v)
	}
	return out
}

// wait polls req until it completes, the job is aborted or the timeout
// passes. MPI cannot say which member has not joined a collective, so a
// timeout names the group's other members as the candidates.
func (c *MPIComm) wait(req *C.MPI_Request, what string, g Group) error {
	var others []int
	for _, r := range g {
		if r != c.rank {
			others = append(others, r)
		}
	}
	c.status.Store(waitStatus{What: what, From: others})
	defer c.status.Store(waitStatus{})
	deadline := time.Now().Add(c.timeout)
	pause := time.Microsecond
	for {
		var done C.int
		if err := mpiErr(C.planc_test(req, &done)); err != nil {
			return fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
		}
		if done != 0 {
			return nil
		}
		if c.aborted != nil {
			return fmt.Errorf("collective: rank %d: %s aborted: %w", c.rank, what, c.aborted)
		}
		if time.Now().After(deadline) {
			why := diagnose(c.rank, what, others, c.ask)
			return fmt.Errorf("collective: rank %d waited %v for %s, which did not complete: %s", c.rank, c.timeout, what, why)
		}
		c.serve()
		c.mu.Unlock()
		time.Sleep(pause)
		pause = min(2*pause, time.Millisecond)
		c.mu.Lock()
	}
}

// start numbers an operation on g and returns its description.
func (c *MPIComm) start(g Group, op string) (int, string, error) {
	me := g.Index(c.rank)
	if me < 0 {
		return 0, "", fmt.Errorf("collective: rank %d calls %s on group [%s] without being a member", c.rank, op, g.key())
	}
	if c.aborted != nil {
		return 0, "", fmt.Errorf("collective: rank %d: %s aborted: %w", c.rank, op, c.aborted)
	}
	seq := c.seq[g.key()]
	c.seq[g.key()] = seq + 1
	return me, fmt.Sprintf("%s #%d on group [%s]", op, seq, g.key()), nil
}

// alltoallv sends sizes[j] floats from send (concatenated in member order)
// to member j and receives recvSizes[i] from member i.
func (c *MPIComm) alltoallv(comm C.MPI_Comm, g Group, send []float32, sizes, recvSizes []int, what string) ([]float32, error) {
	sb := newCbuf(len(send))
	defer sb.free()
	copy(sb.floats(), send)
	total := 0
	for _, n := range recvSizes {
		total += n
	}
	rb := newCbuf(total)
	defer rb.free()
	sc, sd := newCints(sizes), newCints(offsets(sizes))
	rc, rd := newCints(recvSizes), newCints(offsets(recvSizes))
	defer sc.free()
	defer sd.free()
	defer rc.free()
	defer rd.free()
	var req C.MPI_Request
	if err := mpiErr(C.planc_ialltoallv(sb.f(), sc.c(), sd.c(), rb.f(), rc.c(), rd.c(), comm, &req)); err != nil {
		return nil, fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
	}
	if err := c.wait(&req, what, g); err != nil {
		return nil, err
	}
	return append([]float32(nil), rb.floats()...), nil
}

func offsets(sizes []int) []int {
	off := make([]int, len(sizes))
	for i := 1; i < len(sizes); i++ {
		off[i] = off[i-1] + sizes[i-1]
	}
	return off
}

func checkCount(n int) error {
	if n > math.MaxInt32 {
		return fmt.Errorf("collective: a buffer of %d elements exceeds MPI's int counts", n)
	}
	return nil
}

// reduceOwnChunk gives member me every member's chunk me and reduces them
// in group order.
func (c *MPIComm) reduceOwnChunk(comm C.MPI_Comm, g Group, me int, buf []float32, op ReduceOp, what string) ([]float32, error) {
	n, p := len(buf), len(g)
	ch := Chunks(n, p)
	recv := make([]int, p)
	for i := range recv {
		recv[i] = ch[me]
	}
	got, err := c.alltoallv(comm, g, buf, ch, recv, what)
	if err != nil {
		return nil, err
	}
	inputs := make([]any, p)
	for i := range inputs {
		inputs[i] = got[i*ch[me] : (i+1)*ch[me]]
	}
	return reduce(inputs, op), nil
}

// agreeLength checks that every member gives n elements (an all-gather of
// the lengths), so that a mismatch is an error and not a wrong result.
func (c *MPIComm) lengths(comm C.MPI_Comm, g Group, n int, what string) ([]int, error) {
	mine := newCints([]int{n})
	defer mine.free()
	all := newCints(make([]int, len(g)))
	defer all.free()
	var req C.MPI_Request
	if err := mpiErr(C.planc_iallgather_int(mine.c(), all.c(), comm, &req)); err != nil {
		return nil, err
	}
	if err := c.wait(&req, what, g); err != nil {
		return nil, err
	}
	return all.ints(), nil
}

func (c *MPIComm) sameLengths(comm C.MPI_Comm, g Group, n int, what string) error {
	ls, err := c.lengths(comm, g, n, what)
	if err != nil {
		return err
	}
	for i, m := range ls {
		if m != n {
			return fmt.Errorf("collective: %s: rank %d gives %d elements, rank %d gives %d", what, c.rank, n, g[i], m)
		}
	}
	return nil
}

func (c *MPIComm) AllReduce(g Group, buf []float32, op ReduceOp) error {
	if len(g) == 1 && g[0] == c.rank {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	me, what, err := c.start(g, "all-reduce("+op.String()+")")
	if err != nil {
		return err
	}
	comm, err := c.group(g)
	if err == nil {
		err = checkCount(len(buf))
	}
	if err == nil {
		err = c.sameLengths(comm, g, len(buf), what)
	}
	if err != nil {
		return err
	}
	mine, err := c.reduceOwnChunk(comm, g, me, buf, op, what)
	if err != nil {
		return err
	}
	ch := Chunks(len(buf), len(g))
	sb := newCbuf(len(mine))
	defer sb.free()
	copy(sb.floats(), mine)
	rb := newCbuf(len(buf))
	defer rb.free()
	rc, rd := newCints(ch), newCints(offsets(ch))
	defer rc.free()
	defer rd.free()
	var req C.MPI_Request
	if err := mpiErr(C.planc_iallgatherv(sb.f(), C.int(len(mine)), rb.f(), rc.c(), rd.c(), comm, &req)); err != nil {
		return fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
	}
	if err := c.wait(&req, what, g); err != nil {
		return err
	}
	copy(buf, rb.floats())
	c.sent.add(g, allReduceTransfers(len(buf), len(g)))
	return nil
}

func (c *MPIComm) ReduceScatter(g Group, in []float32, op ReduceOp) ([]float32, error) {
	if len(g) == 1 && g[0] == c.rank {
		return append([]float32(nil), in...), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	me, what, err := c.start(g, "reduce-scatter("+op.String()+")")
	if err != nil {
		return nil, err
	}
	comm, err := c.group(g)
	if err == nil {
		err = checkCount(len(in))
	}
	if err == nil {
		err = c.sameLengths(comm, g, len(in), what)
	}
	if err != nil {
		return nil, err
	}
	out, err := c.reduceOwnChunk(comm, g, me, in, op, what)
	if err != nil {
		return nil, err
	}
	c.sent.add(g, reduceScatterTransfers(len(in), len(g)))
	return out, nil
}

func (c *MPIComm) AllGatherInto(g Group, part, out []float32) error {
	return gatherThenCopy(c, g, part, out)
}

func (c *MPIComm) AllGather(g Group, part []float32) ([]float32, error) {
	if len(g) == 1 && g[0] == c.rank {
		return append([]float32(nil), part...), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, what, err := c.start(g, "all-gather")
	if err != nil {
		return nil, err
	}
	comm, err := c.group(g)
	if err != nil {
		return nil, err
	}
	sizes, err := c.lengths(comm, g, len(part), what)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, n := range sizes {
		total += n
	}
	if err := checkCount(total); err != nil {
		return nil, err
	}
	sb := newCbuf(len(part))
	defer sb.free()
	copy(sb.floats(), part)
	rb := newCbuf(total)
	defer rb.free()
	rc, rd := newCints(sizes), newCints(offsets(sizes))
	defer rc.free()
	defer rd.free()
	var req C.MPI_Request
	if err := mpiErr(C.planc_iallgatherv(sb.f(), C.int(len(part)), rb.f(), rc.c(), rd.c(), comm, &req)); err != nil {
		return nil, fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
	}
	if err := c.wait(&req, what, g); err != nil {
		return nil, err
	}
	c.sent.add(g, allGatherTransfers(sizes))
	return append([]float32(nil), rb.floats()...), nil
}

func (c *MPIComm) AllToAll(g Group, send [][]float32) ([][]float32, error) {
	if len(send) != len(g) {
		return nil, fmt.Errorf("collective: all-to-all on group [%s]: rank %d gives %d chunks for %d members", g.key(), c.rank, len(send), len(g))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, what, err := c.start(g, "all-to-all")
	if err != nil {
		return nil, err
	}
	comm, err := c.group(g)
	if err != nil {
		return nil, err
	}
	sizes := chunkSizes(send)
	sc, rc := newCints(sizes), newCints(make([]int, len(g)))
	defer sc.free()
	defer rc.free()
	var req C.MPI_Request
	if err := mpiErr(C.planc_ialltoall_int(sc.c(), rc.c(), comm, &req)); err != nil {
		return nil, fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
	}
	if err := c.wait(&req, what, g); err != nil {
		return nil, err
	}
	recvSizes := rc.ints()
	var flat []float32
	for _, s := range send {
		flat = append(flat, s...)
	}
	if err := checkCount(len(flat)); err != nil {
		return nil, err
	}
	got, err := c.alltoallv(comm, g, flat, sizes, recvSizes, what)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(g))
	off := 0
	for i, n := range recvSizes {
		out[i] = got[off : off+n : off+n]
		off += n
	}
	c.sent.add(g, allToAllTransfers(g.Index(c.rank), sizes))
	return out, nil
}

func (c *MPIComm) Broadcast(g Group, root int, buf []float32) error {
	ri := g.Index(root)
	if ri < 0 {
		return fmt.Errorf("collective: broadcast on group [%s]: root %d is not a member", g.key(), root)
	}
	if len(g) == 1 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, what, err := c.start(g, fmt.Sprintf("broadcast(root %d)", root))
	if err != nil {
		return err
	}
	comm, err := c.group(g)
	if err == nil {
		err = c.sameLengths(comm, g, len(buf), what)
	}
	if err != nil {
		return err
	}
	b := newCbuf(len(buf))
	defer b.free()
	copy(b.floats(), buf)
	var req C.MPI_Request
	if err := mpiErr(C.planc_ibcast(b.f(), C.int(len(buf)), C.int(ri), comm, &req)); err != nil {
		return fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
	}
	if err := c.wait(&req, what, g); err != nil {
		return err
	}
	copy(buf, b.floats())
	c.sent.add(g, broadcastTransfers(ri, len(buf), len(g)))
	return nil
}

func (c *MPIComm) Barrier(g Group) error {
	if len(g) == 1 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, what, err := c.start(g, "barrier")
	if err != nil {
		return err
	}
	comm, err := c.group(g)
	if err != nil {
		return err
	}
	var req C.MPI_Request
	if err := mpiErr(C.planc_ibarrier(comm, &req)); err != nil {
		return fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
	}
	return c.wait(&req, what, g)
}

// reap frees the buffers of completed sends.
func (c *MPIComm) reap() {
	keep := c.pending[:0]
	for _, p := range c.pending {
		var done C.int
		C.planc_test(&p.req, &done)
		if done != 0 {
			C.free(p.buf)
		} else {
			keep = append(keep, p)
		}
	}
	c.pending = keep
}

func (c *MPIComm) Send(to int, tag int64, buf []float32) error {
	if to < 0 || to >= c.size || to == c.rank {
		return fmt.Errorf("collective: rank %d sends to invalid rank %d", c.rank, to)
	}
	if err := checkCount(len(buf) + 2); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aborted != nil {
		return fmt.Errorf("collective: send %d->%d aborted: %w", c.rank, to, c.aborted)
	}
	c.reap()
	b := newCbuf(len(buf) + 2)
	f := b.floats()
	f[0] = math.Float32frombits(uint32(uint64(tag)))
	f[1] = math.Float32frombits(uint32(uint64(tag) >> 32))
	copy(f[2:], buf)
	var req C.MPI_Request
	if err := mpiErr(C.planc_isend(b.f(), C.int(len(f)), C.int(to), c.p2p, &req)); err != nil {
		b.free()
		return fmt.Errorf("collective: rank %d: send to rank %d: %w", c.rank, to, err)
	}
	c.pending = append(c.pending, pendingSend{req: req, buf: b.p})
	c.sent.count(c.rank, to, len(buf))
	return nil
}

func (c *MPIComm) Recv(from int, tag int64) ([]float32, error) {
	if from < 0 || from >= c.size || from == c.rank {
		return nil, fmt.Errorf("collective: rank %d receives from invalid rank %d", c.rank, from)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]int64{int64(from), tag}
	seqKey := fmt.Sprintf("t%d<%d", tag, from)
	seq := c.seq[seqKey]
	c.seq[seqKey] = seq + 1
	what := fmt.Sprintf("message #%d (tag %d) from rank %d", seq, tag, from)
	c.status.Store(waitStatus{What: what, From: []int{from}})
	defer c.status.Store(waitStatus{})
	deadline := time.Now().Add(c.timeout)
	pause := time.Microsecond
	for {
		if q := c.stash[k]; len(q) > 0 {
			c.stash[k] = q[1:]
			return q[0], nil
		}
		if c.aborted != nil {
			return nil, fmt.Errorf("collective: rank %d: receive of %s aborted: %w", c.rank, what, c.aborted)
		}
		c.reap()
		var found, count C.int
		if err := mpiErr(C.planc_iprobe(C.int(from), c.p2p, &found, &count)); err != nil {
			return nil, fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
		}
		if found != 0 {
			b := newCbuf(int(count))
			err := mpiErr(C.planc_recv(b.f(), count, C.int(from), c.p2p))
			f := append([]float32(nil), b.floats()...)
			b.free()
			if err != nil {
				return nil, fmt.Errorf("collective: rank %d: %s: %w", c.rank, what, err)
			}
			if len(f) < 2 {
				return nil, fmt.Errorf("collective: rank %d: a message from rank %d without its tag", c.rank, from)
			}
			t := int64(uint64(math.Float32bits(f[0])) | uint64(math.Float32bits(f[1]))<<32)
			mk := [2]int64{int64(from), t}
			c.stash[mk] = append(c.stash[mk], f[2:])
			continue
		}
		if time.Now().After(deadline) {
			why := diagnose(c.rank, what, []int{from}, c.ask)
			return nil, fmt.Errorf("collective: rank %d waited %v for %s, which never sent it: %s", c.rank, c.timeout, what, why)
		}
		c.serve()
		c.mu.Unlock()
		time.Sleep(pause)
		pause = min(2*pause, time.Millisecond)
		c.mu.Lock()
	}
}
