package exec

import (
	"math/rand/v2"
	"testing"
)

// TestTakeClassPoolStaysSmall: the MoE block's buffers, whose sizes move
// with the routing from one micro-batch to the next, are served from the
// pool's free buffers of a larger class when their own class has none, so
// the pool holds about what one micro-batch needs at once, not a set of
// buffers for every class the sizes ever reached (it grew so under ep).
func TestTakeClassPoolStaysSmall(t *testing.T) {
	const perFrame = 4
	st := &stage{frames: map[int]*frame{}}
	rng := rand.New(rand.NewPCG(1, 2))
	for mb := 0; mb < 500; mb++ {
		f := st.newFrame()
		st.frames[mb] = f
		c := &call{st: st, f: f, mb: mb}
		for i := 0; i < perFrame; i++ {
			n := 1000 + rng.IntN(900) // classes 1024 … 1920: seven of them
			b := c.takeClass(n, true)
			if len(b) != n {
				t.Fatalf("takeClass(%d) gave %d elements", n, len(b))
			}
			for _, v := range b {
				if v != 0 {
					t.Fatalf("takeClass(%d, zero) gave a buffer not cleared", n)
				}
			}
			for j := range b {
				b[j] = 1
			}
		}
		st.endFrame(mb)
	}
	buffers := 0
	for _, free := range st.pool {
		buffers += len(free)
	}
	if buffers > 2*perFrame {
		t.Errorf("the pool holds %d buffers in %d classes after 500 micro-batches of %d buffers each, want at most %d", buffers, len(st.pool), perFrame, 2*perFrame)
	}
}
