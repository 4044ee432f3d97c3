package collective

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// The TCP transport: one process per rank, every pair of ranks joined by
// one TCP connection.
//
// Rendezvous: rank 0 listens on the coordinator address; every rank
// (rank 0 too) opens a data listener, and the ranks other than 0 register
// their data address and node with the coordinator, which answers, once all
// have registered, with every rank's address and node. Then rank i dials
// every rank j < i. Every connection, to the coordinator or between ranks,
// opens with a challenge: the acceptor sends a random nonce and the dialer
// answers with its rank and HMAC-SHA256(token, nonce, purpose, rank), and
// a nonce of its own, which the acceptor answers likewise (both ends prove
// they hold the token; it never crosses the wire). A dialer without the
// job's token is refused, logged, and the job goes on;
// the listeners stay open for the whole job so that late intruders are
// refused (and logged) too.
//
// Collectives are direct exchanges (every member sends each other member
// its share), so a reduction adds every element's contributions in group
// order, exactly as the in-process transport does: results are bit for bit
// the same. The byte counters follow the package's ring convention, as the
// in-process transport's do (counts.go), not the bytes on the wire.
//
// Bounds: a message larger than MaxMessage is a protocol error; a peer's
// received but unconsumed messages are held up to QueueBytes, after which
// its connection stops being read (TCP flow control then slows the
// sender). Every wait (rendezvous, handshake, receive, a write to a slow
// peer, a full queue) ends at the timeout with an error naming the rank
// and the operation.

// TCPConfig configures one rank of a TCP job.
type TCPConfig struct {
	Rank, Size int
	// Coordinator is the rendezvous address (host:port) that rank 0
	// listens on and every other rank dials (torchrun's MASTER_ADDR and
	// MASTER_PORT).
	Coordinator string
	// Bind is the host this rank's listeners bind: "" is loopback
	// (127.0.0.1), so a job reaches other machines only when told to
	// (0.0.0.0, or an interface's address).
	Bind string
	// Token is the job's secret; every rank must be given the same.
	Token string
	// Node names this rank's machine: ranks with equal names share a node
	// for the byte counters ("" counts as its own name "").
	Node string
	// Timeout bounds every wait (0: DefaultTimeout); ConnectTimeout the
	// rendezvous and the connections between ranks (0: Timeout).
	Timeout, ConnectTimeout time.Duration
	// MaxMessage bounds one message in bytes (0: 1 GiB); QueueBytes the
	// unconsumed messages held per peer (0: 256 MiB).
	MaxMessage, QueueBytes int64
	// Log receives refused connections and other notices (nil: dropped).
	Log func(format string, args ...any)
}

// TCPComm is one rank's handle on a TCP job. Build it with [DialTCP];
// Close it when the job ends.
type TCPComm struct {
	cfg     TCPConfig
	nodes   []int    // node of each rank, numbered by first appearance
	addrs   []string // each rank's data address, from the coordinator
	sent    *counter
	seq     map[string]uint64
	peers   []*tcpPeer
	lns     []net.Listener
	mu      sync.Mutex
	cond    *sync.Cond
	box     map[mailKey]frame
	aborted error
	told    bool // this rank has sent its abort message
	closed  bool
	status  atomic.Value // waitStatus: what the rank waits for
	asks    map[int]chan waitStatus
}

// Waiting says which operation the rank is waiting in ("" when none).
func (c *TCPComm) Waiting() string {
	s, _ := c.status.Load().(waitStatus)
	return s.What
}

type tcpPeer struct {
	rank   int
	conn   net.Conn
	wmu    sync.Mutex
	w      *bufio.Writer
	queued int64 // bytes held in the mailbox (guarded by TCPComm.mu)
	gone   error // why the connection ended (guarded by TCPComm.mu)
}

// mailKey identifies one message: its sender, its channel (a group's
// collectives, or a point-to-point tag), the sequence number on that
// channel and the phase within the operation.
type mailKey struct {
	from  int
	ch    string
	seq   uint64
	phase uint8
}

type frame struct {
	op   string
	data []float32
}

const (
	frameData        = 1
	frameAbort       = 2
	frameStatusQuery = 3 // what do you wait for?
	frameStatusReply = 4 // a waitStatus, as JSON in the channel field

	purposeCoordinator = 'c'
	purposeData        = 'd'
	handshakeMagic     = "PLANC-TCP2"
	nonceSize          = 32
)

// DialTCP joins the job: it rendezvouses at the coordinator, connects to
// every other rank and returns when all are connected, or fails after the
// timeout naming the ranks that never came.
func DialTCP(cfg TCPConfig) (*TCPComm, error) {
	if cfg.Size < 1 || cfg.Rank < 0 || cfg.Rank >= cfg.Size {
		return nil, fmt.Errorf("tcp: rank %d is not in a job of %d ranks", cfg.Rank, cfg.Size)
	}
	if cfg.Token == "" {
		return nil, errors.New("tcp: the job needs a token that every rank shares (a peer without it is refused)")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = cfg.Timeout
	}
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = 1 << 30
	}
	if cfg.QueueBytes <= 0 {
		cfg.QueueBytes = 256 << 20
	}
	if cfg.Bind == "" {
		cfg.Bind = "127.0.0.1"
	}
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	c := &TCPComm{cfg: cfg, seq: map[string]uint64{}, box: map[mailKey]frame{}, peers: make([]*tcpPeer, cfg.Size), asks: map[int]chan waitStatus{}}
	c.cond = sync.NewCond(&c.mu)
	deadline := time.Now().Add(cfg.ConnectTimeout)
	if err := c.connect(deadline); err != nil {
		c.Close()
		return nil, fmt.Errorf("tcp: rank %d: %w", cfg.Rank, err)
	}
	return c, nil
}

// registration is what a rank tells the coordinator, and table what the
// coordinator answers.
type registration struct {
	Size int
	Host string
	Port int
	Node string
}

type table struct {
	Addrs []string
	Nodes []string
	Err   string `json:",omitempty"`
}

func (c *TCPComm) connect(deadline time.Time) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(c.cfg.Bind, "0"))
	if err != nil {
		return err
	}
	c.lns = append(c.lns, ln)
	port := ln.Addr().(*net.TCPAddr).Port
	me := registration{Size: c.cfg.Size, Host: c.cfg.Bind, Port: port, Node: c.cfg.Node}
	var tab table
	if c.cfg.Rank == 0 {
		tab, err = c.coordinate(me, deadline)
	} else {
		tab, err = c.register(me, deadline)
	}
	if err != nil {
		return err
	}
	c.addrs = tab.Addrs
	index := map[string]int{}
	for _, n := range tab.Nodes {
		if _, ok := index[n]; !ok {
			index[n] = len(index)
		}
		c.nodes = append(c.nodes, index[n])
	}
	c.sent = newCounter(func(r int) int { return c.nodes[r] }, c.cfg.Size, c.cfg.Rank)

	// Accept the higher ranks while dialing the lower ones.
	accepted := make(chan error, 1)
	go func() { accepted <- c.acceptPeers(ln, deadline) }()
	for j := 0; j < c.cfg.Rank; j++ {
		conn, err := dialRetry(tab.Addrs[j], deadline)
		if err != nil {
			return fmt.Errorf("connecting to rank %d at %s: %w", j, tab.Addrs[j], err)
		}
		if err := answerChallenge(conn, c.cfg.Token, purposeData, c.cfg.Rank, deadline); err != nil {
			conn.Close()
			return fmt.Errorf("rank %d refused this rank: %w", j, err)
		}
		c.addPeer(j, conn)
	}
	if err := <-accepted; err != nil {
		return err
	}
	go c.refuseLate(ln, purposeData, "every rank is already connected")
	return nil
}

// coordinate is rank 0's side of the rendezvous.
func (c *TCPComm) coordinate(me registration, deadline time.Time) (table, error) {
	ln, err := net.Listen("tcp", c.coordinatorBind())
	if err != nil {
		return table{}, fmt.Errorf("coordinator: %w", err)
	}
	c.lns = append(c.lns, ln)
	regs := make([]*registration, c.cfg.Size)
	conns := make([]net.Conn, c.cfg.Size)
	if ip := net.ParseIP(me.Host); ip == nil || ip.IsUnspecified() {
		// Rank 0 listens on every interface: the others reach it at the
		// coordinator's host, which they dial already.
		if h, _, err := net.SplitHostPort(c.cfg.Coordinator); err == nil && h != "" {
			me.Host = h
		}
	}
	regs[0] = &me
	missing := c.cfg.Size - 1
	for missing > 0 {
		conn, rank, err := c.acceptOne(ln, purposeCoordinator, deadline)
		if err != nil {
			var lost []int
			for r, g := range regs {
				if g == nil {
					lost = append(lost, r)
				}
			}
			return table{}, fmt.Errorf("coordinator: ranks %v never registered: %w", lost, err)
		}
		if conn == nil {
			continue // refused, logged
		}
		var reg registration
		conn.SetDeadline(deadline)
		if err := json.NewDecoder(io.LimitReader(conn, 1<<16)).Decode(&reg); err != nil {
			c.cfg.Log("tcp: coordinator: rank %d sent a bad registration: %v", rank, err)
			conn.Close()
			continue
		}
		if regs[rank] != nil || reg.Size != c.cfg.Size {
			why := fmt.Sprintf("rank %d registered twice", rank)
			if reg.Size != c.cfg.Size {
				why = fmt.Sprintf("rank %d says the job has %d ranks, the coordinator %d", rank, reg.Size, c.cfg.Size)
			}
			c.cfg.Log("tcp: coordinator: refused %s: %s", conn.RemoteAddr(), why)
			json.NewEncoder(conn).Encode(table{Err: why})
			conn.Close()
			continue
		}
		from, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
		if ip := net.ParseIP(reg.Host); ip == nil || ip.IsUnspecified() {
			reg.Host = from
		} else if ip.IsLoopback() && !net.ParseIP(from).IsLoopback() {
			why := fmt.Sprintf("rank %d, on %s, listens on loopback only: start it with --bind 0.0.0.0 (or its address) so that the other machines reach it", rank, from)
			c.cfg.Log("tcp: coordinator: refused rank %d: %s", rank, why)
			json.NewEncoder(conn).Encode(table{Err: why})
			conn.Close()
			continue
		}
		regs[rank], conns[rank] = &reg, conn
		missing--
	}
	var tab table
	for _, r := range regs {
		tab.Addrs = append(tab.Addrs, net.JoinHostPort(r.Host, strconv.Itoa(r.Port)))
		tab.Nodes = append(tab.Nodes, r.Node)
	}
	for r, conn := range conns[1:] {
		conn.SetDeadline(deadline)
		if err := json.NewEncoder(conn).Encode(tab); err != nil {
			return table{}, fmt.Errorf("coordinator: answering rank %d: %w", r+1, err)
		}
		conn.Close()
	}
	go c.refuseLate(ln, purposeCoordinator, "the job's ranks have all registered")
	return tab, nil
}

// coordinatorBind is the address rank 0 listens on: the coordinator's
// port on the bind host.
func (c *TCPComm) coordinatorBind() string {
	_, port, err := net.SplitHostPort(c.cfg.Coordinator)
	if err != nil {
		port = c.cfg.Coordinator
	}
	return net.JoinHostPort(c.cfg.Bind, port)
}

// register is the other ranks' side of the rendezvous.
func (c *TCPComm) register(me registration, deadline time.Time) (table, error) {
	conn, err := dialRetry(c.cfg.Coordinator, deadline)
	if err != nil {
		return table{}, fmt.Errorf("reaching the coordinator at %s (rank 0, which listens on loopback unless started with --bind): %w", c.cfg.Coordinator, err)
	}
	defer conn.Close()
	if err := answerChallenge(conn, c.cfg.Token, purposeCoordinator, c.cfg.Rank, deadline); err != nil {
		return table{}, fmt.Errorf("the coordinator at %s refused this rank: %w", c.cfg.Coordinator, err)
	}
	conn.SetDeadline(deadline)
	if err := json.NewEncoder(conn).Encode(me); err != nil {
		return table{}, err
	}
	var tab table
	if err := json.NewDecoder(io.LimitReader(conn, 1<<24)).Decode(&tab); err != nil {
		return table{}, fmt.Errorf("waiting for the coordinator's table of ranks: %w", err)
	}
	if tab.Err != "" {
		return table{}, fmt.Errorf("the coordinator refused this rank: %s", tab.Err)
	}
	if len(tab.Addrs) != c.cfg.Size || len(tab.Nodes) != c.cfg.Size {
		return table{}, fmt.Errorf("the coordinator's table lists %d ranks, the job has %d", len(tab.Addrs), c.cfg.Size)
	}
	return tab, nil
}

func dialRetry(addr string, deadline time.Time) (net.Conn, error) {
	for {
		d := net.Dialer{Deadline: deadline}
		conn, err := d.Dial("tcp", addr)
		if err == nil {
			return conn, nil
		}
		if time.Now().Add(50 * time.Millisecond).After(deadline) {
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// acceptPeers accepts the data connections of ranks above this one.
func (c *TCPComm) acceptPeers(ln net.Listener, deadline time.Time) error {
	missing := c.cfg.Size - 1 - c.cfg.Rank
	for missing > 0 {
		conn, rank, err := c.acceptOne(ln, purposeData, deadline)
		if err != nil {
			var lost []int
			for r := c.cfg.Rank + 1; r < c.cfg.Size; r++ {
				if c.peer(r) == nil {
					lost = append(lost, r)
				}
			}
			return fmt.Errorf("ranks %v never connected: %w", lost, err)
		}
		if conn == nil {
			continue
		}
		if rank <= c.cfg.Rank || c.peer(rank) != nil {
			c.cfg.Log("tcp: rank %d: refused %s claiming rank %d: not expected or already connected", c.cfg.Rank, conn.RemoteAddr(), rank)
			conn.Close()
			continue
		}
		c.addPeer(rank, conn)
		missing--
	}
	return nil
}

// acceptOne accepts one connection and checks its token; a refused one
// returns a nil conn (and is logged).
func (c *TCPComm) acceptOne(ln net.Listener, purpose byte, deadline time.Time) (net.Conn, int, error) {
	if tl, ok := ln.(*net.TCPListener); ok {
		tl.SetDeadline(deadline)
	}
	conn, err := ln.Accept()
	if err != nil {
		return nil, 0, err
	}
	rank, err := challenge(conn, c.cfg.Token, purpose, c.cfg.Size, deadline)
	if err != nil {
		c.cfg.Log("tcp: rank %d: refused a connection from %s: %v", c.cfg.Rank, conn.RemoteAddr(), err)
		conn.Close()
		return nil, 0, nil
	}
	return conn, rank, nil
}

// refuseLate keeps a listener open for the whole job, refusing and
// logging every connection.
func (c *TCPComm) refuseLate(ln net.Listener, purpose byte, why string) {
	if tl, ok := ln.(*net.TCPListener); ok {
		tl.SetDeadline(time.Time{})
	}
	for {
		conn, err := ln.Accept()
		if err != nil {
			return // closed
		}
		go func() {
			defer conn.Close()
			rank, err := challenge(conn, c.cfg.Token, purpose, c.cfg.Size, time.Now().Add(c.cfg.Timeout))
			if err != nil {
				c.cfg.Log("tcp: rank %d: refused a connection from %s: %v", c.cfg.Rank, conn.RemoteAddr(), err)
				return
			}
			c.cfg.Log("tcp: rank %d: refused a connection from %s claiming rank %d: %s", c.cfg.Rank, conn.RemoteAddr(), rank, why)
		}()
	}
}

func mac(token string, nonce []byte, purpose byte, rank int) []byte {
	h := hmac.New(sha256.New, []byte(token))
	h.Write(nonce)
	h.Write([]byte{purpose})
	binary.Write(h, binary.LittleEndian, uint32(rank))
	return h.Sum(nil)
}

// challenge is the acceptor's side of the handshake; it returns the
// dialer's rank. The acceptor then proves that it holds the token too, on
// the dialer's nonce, so that a rank does not register with an impostor.
func challenge(conn net.Conn, token string, purpose byte, size int, deadline time.Time) (int, error) {
	conn.SetDeadline(deadline)
	defer conn.SetDeadline(time.Time{})
	nonce := make([]byte, nonceSize)
	rand.Read(nonce)
	if _, err := conn.Write(append([]byte(handshakeMagic), nonce...)); err != nil {
		return 0, err
	}
	var ans [4 + sha256.Size + nonceSize]byte
	if _, err := io.ReadFull(conn, ans[:]); err != nil {
		return 0, fmt.Errorf("no answer to the token challenge: %w", err)
	}
	rank := int(binary.LittleEndian.Uint32(ans[:4]))
	if !hmac.Equal(ans[4:4+sha256.Size], mac(token, nonce, purpose, rank)) {
		return 0, fmt.Errorf("wrong job token (claimed rank %d)", rank)
	}
	if rank >= size {
		return 0, fmt.Errorf("rank %d is not in a job of %d ranks", rank, size)
	}
	proof := mac(token, ans[4+sha256.Size:], purpose|0x80, rank)
	if _, err := conn.Write(append([]byte{1}, proof...)); err != nil {
		return 0, err
	}
	return rank, nil
}

// answerChallenge is the dialer's side of the handshake.
func answerChallenge(conn net.Conn, token string, purpose byte, rank int, deadline time.Time) error {
	conn.SetDeadline(deadline)
	defer conn.SetDeadline(time.Time{})
	hello := make([]byte, len(handshakeMagic)+nonceSize)
	if _, err := io.ReadFull(conn, hello); err != nil {
		return fmt.Errorf("no challenge: %w", err)
	}
	if string(hello[:len(handshakeMagic)]) != handshakeMagic {
		return errors.New("not a planc TCP rank")
	}
	mine := make([]byte, nonceSize)
	rand.Read(mine)
	ans := binary.LittleEndian.AppendUint32(nil, uint32(rank))
	ans = append(ans, mac(token, hello[len(handshakeMagic):], purpose, rank)...)
	ans = append(ans, mine...)
	if _, err := conn.Write(ans); err != nil {
		return err
	}
	var ok [1 + sha256.Size]byte
	if _, err := io.ReadFull(conn, ok[:]); err != nil {
		return errors.New("the token was refused (the ranks were given different tokens?)")
	}
	if !hmac.Equal(ok[1:], mac(token, mine, purpose|0x80, rank)) {
		return fmt.Errorf("the peer at %s does not hold the job's token: not joining it", conn.RemoteAddr())
	}
	return nil
}

func (c *TCPComm) peer(r int) *tcpPeer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peers[r]
}

func (c *TCPComm) addPeer(r int, conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	p := &tcpPeer{rank: r, conn: conn, w: newWriter(conn)}
	c.mu.Lock()
	c.peers[r] = p
	c.mu.Unlock()
	go c.read(p)
}

// read moves a peer's frames into the mailbox until its connection ends.
func (c *TCPComm) read(p *tcpPeer) {
	r := newReader(p.conn)
	for {
		kind, key, f, err := c.readFrame(r)
		if err != nil {
			c.mu.Lock()
			if p.gone == nil {
				p.gone = err
			}
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		switch kind {
		case frameAbort:
			c.setAborted(fmt.Errorf("rank %d aborted the job: %s", p.rank, key.ch))
			continue
		case frameStatusQuery:
			st, _ := c.status.Load().(waitStatus)
			b, _ := json.Marshal(st)
			go c.writeFrame(p, frameStatusReply, string(b), 0, 0, "", nil)
			continue
		case frameStatusReply:
			var st waitStatus
			json.Unmarshal([]byte(key.ch), &st)
			c.mu.Lock()
			ch := c.asks[p.rank]
			delete(c.asks, p.rank)
			c.mu.Unlock()
			if ch != nil {
				ch <- st
			}
			continue
		}
		size := int64(len(f.data)) * 4
		c.mu.Lock()
		if err := c.waitRoom(p, size); err != nil {
			p.gone = err
			c.cond.Broadcast()
			c.mu.Unlock()
			p.conn.Close()
			return
		}
		key.from = p.rank
		c.box[key] = f
		p.queued += size
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// waitRoom waits (c.mu held) until p's queue has room for size more bytes.
func (c *TCPComm) waitRoom(p *tcpPeer, size int64) error {
	if p.queued == 0 || p.queued+size <= c.cfg.QueueBytes {
		return nil
	}
	deadline := time.Now().Add(c.cfg.Timeout)
	t := time.AfterFunc(c.cfg.Timeout, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer t.Stop()
	for p.queued > 0 && p.queued+size > c.cfg.QueueBytes {
		if c.closed {
			return errors.New("closed")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("rank %d's unreceived messages stayed above the %d-byte bound for %v", p.rank, c.cfg.QueueBytes, c.cfg.Timeout)
		}
		c.cond.Wait()
	}
	return nil
}

// A frame: kind u8, channel (u16 length, bytes), seq u64, phase u8, op (u8
// length, bytes), n u64, then n float32 little-endian.
func (c *TCPComm) readFrame(r *bufio.Reader) (byte, mailKey, frame, error) {
	var k mailKey
	var f frame
	kind, err := r.ReadByte()
	if err != nil {
		return 0, k, f, err
	}
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, k, f, err
	}
	ch := make([]byte, binary.LittleEndian.Uint16(hdr[:]))
	if _, err := io.ReadFull(r, ch); err != nil {
		return 0, k, f, err
	}
	var mid [10]byte
	if _, err := io.ReadFull(r, mid[:]); err != nil {
		return 0, k, f, err
	}
	op := make([]byte, mid[9])
	if _, err := io.ReadFull(r, op); err != nil {
		return 0, k, f, err
	}
	var nb [8]byte
	if _, err := io.ReadFull(r, nb[:]); err != nil {
		return 0, k, f, err
	}
	n := binary.LittleEndian.Uint64(nb[:])
	if n > uint64(c.cfg.MaxMessage/4) {
		return 0, k, f, fmt.Errorf("a message of %d elements exceeds the %d-byte bound", n, c.cfg.MaxMessage)
	}
	f.op = string(op)
	f.data = make([]float32, n)
	if littleEndian {
		// The wire's little-endian float32s are the slice's memory.
		if _, err := io.ReadFull(r, floatBytes(f.data)); err != nil {
			return 0, k, f, err
		}
	} else {
		raw := make([]byte, 4*n)
		if _, err := io.ReadFull(r, raw); err != nil {
			return 0, k, f, err
		}
		for i := range f.data {
			f.data[i] = float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	}
	k = mailKey{ch: string(ch), seq: binary.LittleEndian.Uint64(mid[:8]), phase: mid[8]}
	return kind, k, f, nil
}

func (c *TCPComm) writeFrame(p *tcpPeer, kind byte, ch string, seq uint64, phase uint8, op string, data []float32) error {
	if len(ch) > 1<<16-1 || len(op) > 255 {
		return fmt.Errorf("tcp: header too long (%q, %q)", ch, op)
	}
	if int64(len(data))*4 > c.cfg.MaxMessage {
		return fmt.Errorf("tcp: a message of %d elements to rank %d exceeds the %d-byte bound", len(data), p.rank, c.cfg.MaxMessage)
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.conn.SetWriteDeadline(time.Now().Add(c.cfg.Timeout))
	w := p.w
	w.WriteByte(kind)
	w.Write(binary.LittleEndian.AppendUint16(nil, uint16(len(ch))))
	w.WriteString(ch)
	var mid [10]byte
	binary.LittleEndian.PutUint64(mid[:8], seq)
	mid[8], mid[9] = phase, byte(len(op))
	w.Write(mid[:])
	w.WriteString(op)
	w.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(data))))
	if littleEndian {
		w.Write(floatBytes(data))
	} else {
		var b [4]byte
		for _, v := range data {
			binary.LittleEndian.PutUint32(b[:], float32bits(v))
			w.Write(b[:])
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("rank %d is gone (writing to it: %v)", p.rank, err)
	}
	return nil
}

func (c *TCPComm) setAborted(err error) {
	c.mu.Lock()
	if c.aborted == nil {
		c.aborted = err
	}
	c.cond.Broadcast()
	c.mu.Unlock()
}

// Abort fails every pending and later operation of this rank and tells
// every peer, which fails theirs. A rank aborted by a peer's message
// tells the others too when it aborts itself: its abort message then
// reaches each peer before its connection closes (one connection keeps
// order), so that no peer mistakes this rank's exit for the cause.
func (c *TCPComm) Abort(err error) {
	c.mu.Lock()
	if c.aborted == nil {
		c.aborted = err
	}
	told := c.told
	c.told = true
	c.cond.Broadcast()
	c.mu.Unlock()
	if told {
		return
	}
	msg := fmt.Sprintf("rank %d: %v", c.cfg.Rank, err)
	if len(msg) > 1<<16-1 {
		msg = msg[:1<<16-1]
	}
	// To every peer at once: a hung peer's full buffers delay the others'
	// messages by nothing, and this rank's exit by at most one timeout.
	var wg sync.WaitGroup
	for _, p := range c.peers {
		if p != nil {
			wg.Add(1)
			go func() { defer wg.Done(); c.writeFrame(p, frameAbort, msg, 0, 0, "", nil) }()
		}
	}
	wg.Wait()
}

// Close ends the job's connections and listeners.
func (c *TCPComm) Close() error {
	c.mu.Lock()
	c.closed = true
	c.cond.Broadcast()
	c.mu.Unlock()
	for _, ln := range c.lns {
		ln.Close()
	}
	for _, p := range c.peers {
		if p != nil {
			p.conn.Close()
		}
	}
	return nil
}

func (c *TCPComm) Rank() int       { return c.cfg.Rank }
func (c *TCPComm) Size() int       { return c.cfg.Size }
func (c *TCPComm) Bytes() Counters { return c.sent.get(c.cfg.Rank) }

// Nodes returns the node of every rank, as the ranks reported them at the
// rendezvous (numbered by first appearance in rank order).
func (c *TCPComm) Nodes() []int { return append([]int(nil), c.nodes...) }

// post sends one message of an operation.
func (c *TCPComm) post(to int, ch string, seq uint64, phase uint8, op string, data []float32) error {
	c.mu.Lock()
	err := c.aborted
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("collective: rank %d: %s aborted: %w", c.cfg.Rank, op, err)
	}
	p := c.peers[to]
	err = c.writeFrame(p, frameData, ch, seq, phase, op, data)
	if err == nil {
		return nil
	}
	// The peer is gone: its connection may still hold its abort message,
	// the cause; the reader sees it before the end of the stream.
	t := time.AfterFunc(time.Second, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer t.Stop()
	deadline := time.Now().Add(time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	for p.gone == nil && c.aborted == nil && !c.closed && time.Now().Before(deadline) {
		c.cond.Wait()
	}
	if c.aborted != nil {
		return fmt.Errorf("collective: rank %d: %s aborted: %w", c.cfg.Rank, op, c.aborted)
	}
	return fmt.Errorf("collective: rank %d: %s: %w", c.cfg.Rank, op, err)
}

// await returns the messages of one operation phase from the given ranks,
// in their order, or an error naming the ranks still missing at the
// deadline (or the one whose connection ended).
func (c *TCPComm) await(from []int, ch string, seq uint64, phase uint8, op, what string) ([][]float32, error) {
	defer c.status.Store(waitStatus{})
	out := make([][]float32, len(from))
	got := make([]bool, len(from))
	deadline := time.Now().Add(c.cfg.Timeout)
	t := time.AfterFunc(c.cfg.Timeout, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer t.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		left := 0
		for i, r := range from {
			if got[i] {
				continue
			}
			k := mailKey{from: r, ch: ch, seq: seq, phase: phase}
			f, ok := c.box[k]
			if !ok {
				left++
				continue
			}
			delete(c.box, k)
			c.peers[r].queued -= int64(len(f.data)) * 4
			if f.op != op {
				err := fmt.Errorf("collective: mismatched operations (%s): rank %d calls %s, rank %d called %s", what, c.cfg.Rank, op, r, f.op)
				c.cond.Broadcast()
				return nil, err
			}
			out[i], got[i] = f.data, true
		}
		c.cond.Broadcast() // queues shrank
		if left == 0 {
			return out, nil
		}
		if c.aborted != nil {
			return nil, fmt.Errorf("collective: rank %d: %s aborted: %w", c.cfg.Rank, what, c.aborted)
		}
		var missing []int
		for i, r := range from {
			if !got[i] {
				if p := c.peers[r]; p.gone != nil {
					return nil, fmt.Errorf("collective: rank %d waited for %s: rank %d is gone (%v)", c.cfg.Rank, what, r, p.gone)
				}
				missing = append(missing, r)
			}
		}
		if c.closed {
			return nil, fmt.Errorf("collective: rank %d: %s: the transport is closed", c.cfg.Rank, what)
		}
		c.status.Store(waitStatus{What: what, From: missing})
		if time.Now().After(deadline) {
			c.mu.Unlock()
			why := diagnose(c.cfg.Rank, what, missing, c.ask)
			c.mu.Lock()
			if ch[0] == 't' { // a point-to-point message
				return nil, fmt.Errorf("collective: rank %d waited %v for %s, which never sent it: %s", c.cfg.Rank, c.cfg.Timeout, what, why)
			}
			return nil, fmt.Errorf("collective: rank %d waited %v for %s: ranks %v never arrived: %s", c.cfg.Rank, c.cfg.Timeout, what, missing, why)
		}
		c.cond.Wait()
	}
}

// ask asks rank r what it waits for.
func (c *TCPComm) ask(r int) (waitStatus, bool) {
	p := c.peers[r]
	if p == nil {
		return waitStatus{}, false
	}
	ch := make(chan waitStatus, 1)
	c.mu.Lock()
	gone := p.gone
	c.asks[r] = ch
	c.mu.Unlock()
	if gone != nil || c.writeFrame(p, frameStatusQuery, "", 0, 0, "", nil) != nil {
		return waitStatus{}, false
	}
	select {
	case st := <-ch:
		return st, true
	case <-time.After(askTimeout):
		return waitStatus{}, false
	}
}

// littleEndian says whether this machine's float32s are laid out as the
// wire's (little-endian), so that payloads are copied as memory.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// floatBytes is the memory of s as bytes.
func floatBytes(s []float32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), 4*len(s))
}

func newWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 1<<16) }
func newReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 1<<16) }
