package cpuclock

import (
	"runtime"
	"testing"
	"time"
)

// TestClocksCountWorkNotSleep: a busy loop advances both clocks by about
// its length; a sleep advances the thread's clock by next to nothing.
func TestClocksCountWorkNotSleep(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0, ok := Thread()
	if !ok {
		t.Skip("no thread CPU clock on this system")
	}
	p0, _ := Process()
	time.Sleep(20 * time.Millisecond)
	t1, _ := Thread()
	if d := t1 - t0; d > 5*time.Millisecond {
		t.Errorf("thread clock advanced %v over a 20 ms sleep", d)
	}
	x := 0.0
	for start := time.Now(); time.Since(start) < 20*time.Millisecond; {
		x += 1e-9
	}
	t2, _ := Thread()
	p2, _ := Process()
	if t2-t1 <= 0 || p2-p0 < t2-t1-time.Millisecond {
		t.Errorf("20 ms of work: thread clock +%v, process clock +%v (%g)", t2-t1, p2-p0, x)
	}
}
