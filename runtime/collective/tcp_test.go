package collective

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) log(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// intrude dials addr and answers its challenge with a wrong token.
func intrude(t *testing.T, addr string) {
	t.Helper()
	conn, err := dialRetry(addr, time.Now().Add(5*time.Second))
	if err != nil {
		t.Errorf("intruder: %v", err)
		return
	}
	defer conn.Close()
	err = answerChallenge(conn, "wrong-token", purposeCoordinator, 1, time.Now().Add(5*time.Second))
	if err == nil {
		t.Errorf("intruder with a wrong token at %s was accepted", addr)
	}
}

// TestTCPRefusesWrongToken: a peer without the job's token is refused and
// logged, at the rendezvous and during the job, and the job goes on.
func TestTCPRefusesWrongToken(t *testing.T) {
	coord := freeAddr(t)
	var logs logLines
	const p = 2
	comms := make([]*TCPComm, p)
	errs := make([]error, p)
	sums := make([]float32, p)
	var wg sync.WaitGroup
	start := func(r int) {
		defer wg.Done()
		c, err := DialTCP(TCPConfig{Rank: r, Size: p, Coordinator: coord, Token: "secret", Timeout: 10 * time.Second, Log: logs.log})
		if err != nil {
			errs[r] = err
			return
		}
		comms[r] = c
		if err := c.Barrier(all(p)); err != nil {
			errs[r] = err
			return
		}
		if r == 0 {
			intrude(t, coord)                    // the coordinator, after the rendezvous
			intrude(t, c.lns[0].Addr().String()) // rank 0's data listener
		}
		if err := c.Barrier(all(p)); err != nil {
			errs[r] = err
			return
		}
		buf := []float32{float32(r + 1)}
		errs[r] = c.AllReduce(all(p), buf, Sum)
		sums[r] = buf[0]
	}
	wg.Add(1)
	go start(0)
	intrude(t, coord) // during the rendezvous, before rank 1 registers
	wg.Add(1)
	go start(1)
	wg.Wait()
	for r, c := range comms {
		if errs[r] != nil {
			t.Fatalf("rank %d: %v", r, errs[r])
		}
		if sums[r] != 3 {
			t.Errorf("rank %d: sum %v, want 3", r, sums[r])
		}
		c.Close()
	}
	if got := strings.Count(logs.String(), "wrong job token"); got != 3 {
		t.Errorf("%d refusals for a wrong token logged, want 3:\n%s", got, logs.String())
	}
}

// TestTCPPeerGone: a rank whose process dies (its connections close)
// fails every rank waiting on it at once, naming it, long before the
// timeout.
func TestTCPPeerGone(t *testing.T) {
	start := time.Now()
	_, err := runTCP(t, 3, 0, time.Minute, func(c Comm) error {
		if c.Rank() == 2 {
			c.(*TCPComm).Close() // as kill -9 would
			return nil
		}
		return c.AllReduce(all(3), []float32{1}, Sum)
	})
	if err == nil || !strings.Contains(err.Error(), "rank 2 is gone") || !strings.Contains(err.Error(), "all-reduce(sum)") {
		t.Fatalf("err = %v, want one naming rank 2 and the all-reduce", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("took %v; a closed connection should fail at once", d)
	}
}

// TestTCPBoundsMessages: a frame announcing more than MaxMessage bytes
// ends the connection instead of allocating it.
func TestTCPBoundsMessages(t *testing.T) {
	c := &TCPComm{cfg: TCPConfig{MaxMessage: 1 << 10}}
	a, b := net.Pipe()
	go func() {
		p := &tcpPeer{conn: a, w: newWriter(a)}
		big := &TCPComm{cfg: TCPConfig{MaxMessage: 1 << 20, Timeout: time.Second}}
		big.writeFrame(p, frameData, "g0,1", 0, 0, "all-gather", make([]float32, 1024))
		a.Close()
	}()
	_, _, _, err := c.readFrame(newReader(b))
	if err == nil || !strings.Contains(err.Error(), "exceeds the 1024-byte bound") {
		t.Fatalf("err = %v, want the bound", err)
	}
	io.Copy(io.Discard, b)
}

// TestTCPNamesTheRankAtTheEndOfTheWaits: rank 0 waits for rank 1, which
// waits for rank 2, which is busy elsewhere: the timeout's error follows
// the chain and names rank 2.
func TestTCPNamesTheRankAtTheEndOfTheWaits(t *testing.T) {
	_, err := runTCP(t, 3, 0, 300*time.Millisecond, func(c Comm) error {
		switch c.Rank() {
		case 0:
			time.Sleep(50 * time.Millisecond) // rank 1 times out first
			return c.AllReduce(Group{0, 1}, []float32{1}, Sum)
		case 1:
			if err := c.AllReduce(Group{1, 2}, []float32{1}, Sum); err != nil {
				return err
			}
			return c.AllReduce(Group{0, 1}, []float32{1}, Sum)
		}
		time.Sleep(3 * time.Second) // computing, not waiting
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "rank 2 is not waiting for another rank") {
		t.Fatalf("err = %v, want rank 2 named as not waiting", err)
	}
	_, err = runTCP(t, 3, 0, 300*time.Millisecond, func(c Comm) error {
		switch c.Rank() {
		case 0:
			return c.AllReduce(Group{0, 1}, []float32{1}, Sum)
		case 1:
			if err := c.AllReduce(Group{1, 2}, []float32{1}, Sum); err != nil {
				return err
			}
			return c.AllReduce(Group{0, 1}, []float32{1}, Sum)
		}
		time.Sleep(3 * time.Second)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "rank 2 is not waiting") {
		t.Fatalf("err = %v, want the chain 0 → 1 → 2 followed", err)
	}
}

// FuzzTCPFrame: the frame reader takes bytes from the network; whatever
// they are it returns a frame or an error without panicking or
// allocating past the bound, and a frame it reads writes back as the same
// bytes.
func FuzzTCPFrame(f *testing.F) {
	var buf bytes.Buffer
	w := newWriter(&buf)
	c := &TCPComm{cfg: TCPConfig{MaxMessage: 1 << 12, Timeout: time.Second}}
	p := &tcpPeer{conn: nopConn{}, w: w}
	c.writeFrame(p, frameData, "g0,1", 7, 1, "all-reduce(sum) of 3 elements", []float32{1, -2, 3.5})
	f.Add(buf.Bytes())
	f.Add([]byte{frameAbort, 3, 0, 'a', 'b', 'c', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{frameData, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		kind, key, fr, err := c.readFrame(newReader(bytes.NewReader(in)))
		if err != nil {
			return
		}
		if int64(len(fr.data))*4 > c.cfg.MaxMessage {
			t.Fatalf("read %d elements past the bound", len(fr.data))
		}
		var out bytes.Buffer
		q := &tcpPeer{conn: nopConn{}, w: newWriter(&out)}
		if err := c.writeFrame(q, kind, key.ch, key.seq, key.phase, fr.op, fr.data); err != nil {
			return // a header too long to write back (the reader allows any)
		}
		if !bytes.HasPrefix(in, out.Bytes()) {
			t.Fatalf("the frame writes back as %x, read from %x", out.Bytes(), in)
		}
	})
}

// nopConn is a net.Conn whose deadlines do nothing (writeFrame sets one).
type nopConn struct{ net.Conn }

func (nopConn) SetWriteDeadline(time.Time) error { return nil }

// TestTCPRefusesAnImpostor: a rank does not join a listener that cannot
// prove it holds the token (a fake coordinator).
func TestTCPRefusesAnImpostor(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		// The impostor's challenge, then an acceptance it cannot prove.
		conn.Write(append([]byte(handshakeMagic), make([]byte, nonceSize)...))
		io.ReadFull(conn, make([]byte, 4+32+nonceSize))
		conn.Write(make([]byte, 1+32))
	}()
	_, err = DialTCP(TCPConfig{Rank: 1, Size: 2, Coordinator: ln.Addr().String(), Token: "secret", Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "does not hold the job's token") {
		t.Fatalf("err = %v, want the impostor refused", err)
	}
}

// TestTCPBindsAnyInterface: ranks that listen on every interface (--bind
// 0.0.0.0, to reach other machines) are reached at the address they
// registered from, and rank 0 at the coordinator's host.
func TestTCPBindsAnyInterface(t *testing.T) {
	coord := freeAddr(t)
	const p = 3
	comms := make([]*TCPComm, p)
	errs := make([]error, p)
	var wg sync.WaitGroup
	for r := 0; r < p; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c, err := DialTCP(TCPConfig{Rank: r, Size: p, Coordinator: coord, Bind: "0.0.0.0", Token: "t", Timeout: 10 * time.Second})
			if err != nil {
				errs[r] = err
				return
			}
			comms[r] = c
			errs[r] = c.AllReduce(all(p), []float32{1}, Sum)
		}(r)
	}
	wg.Wait()
	for r, c := range comms {
		if errs[r] != nil {
			t.Errorf("rank %d: %v", r, errs[r])
		}
		if c != nil {
			if host, _, _ := net.SplitHostPort(c.addrs[0]); host != "127.0.0.1" {
				t.Errorf("rank %d reaches rank 0 at %s, want the coordinator's host 127.0.0.1", r, c.addrs[0])
			}
			if host, _, _ := net.SplitHostPort(c.addrs[2]); host != "127.0.0.1" {
				t.Errorf("rank %d reaches rank 2 at %s, want the address it registered from", r, c.addrs[2])
			}
			c.Close()
		}
	}
}

// TestTCPRefusesALoopbackRankFromAnotherHost: a rank that reaches the
// coordinator over the network but listens on loopback only could not be
// reached by the others: it is refused with the flag to use.
func TestTCPRefusesALoopbackRankFromAnotherHost(t *testing.T) {
	var ext string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			ext = n.IP.String()
			break
		}
	}
	if ext == "" {
		t.Skip("no non-loopback IPv4 address to stand for another host")
	}
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	coord := net.JoinHostPort(ext, port)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			bind := "0.0.0.0"
			if r == 1 {
				bind = "" // loopback
			}
			c, err := DialTCP(TCPConfig{Rank: r, Size: 2, Coordinator: coord, Bind: bind, Token: "t", Timeout: 2 * time.Second})
			errs[r] = err
			if c != nil {
				c.Close()
			}
		}(r)
	}
	wg.Wait()
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "listens on loopback only: start it with --bind 0.0.0.0") {
		t.Errorf("rank 1: err = %v, want the loopback refusal", errs[1])
	}
	if errs[0] == nil || !strings.Contains(errs[0].Error(), "ranks [1] never registered") {
		t.Errorf("rank 0: err = %v, want rank 1 named", errs[0])
	}
}
