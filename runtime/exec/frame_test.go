package exec

import (
	"testing"
	"unsafe"

	"planc/ir"
)

// TestReleaseDeadBackwardBuffers: at the end of an instruction's
// backward, the buffers backward took go back to the stage's pool unless
// a live gradient holds them (whole or a part: the same array); the
// forward's buffers stay, and a released buffer taken again by the same
// frame goes back once when the frame ends.
func TestReleaseDeadBackwardBuffers(t *testing.T) {
	st := &stage{frames: map[int]*frame{}}
	f := st.newFrame()
	st.frames[0] = f
	in := &ir.Instr{Kind: ir.InstrOp, In: []string{"x"}, Out: []string{"y"}}
	fwd, _ := st.take(f, 8) // an activation
	f.bwdFrom = len(f.owned)
	dy, _ := st.take(f, 16)      // the output's gradient: dead after the backward
	scratch, _ := st.take(f, 32) // the kernel's scratch
	dx, _ := st.take(f, 64)      // the input's gradient, a part of it live
	f.vals["x"] = fwd
	f.grads["y"], f.grads["x"] = dy, dx[8:16]
	st.releaseDead(f, in)

	for _, c := range []struct {
		name   string
		n      int
		pooled bool
	}{{"activation", 8, false}, {"output gradient", 16, true}, {"scratch", 32, true}, {"live input gradient", 64, false}} {
		if got := len(st.pool[c.n]) == 1; got != c.pooled {
			t.Errorf("%s: in the pool %v, want %v", c.name, got, c.pooled)
		}
	}
	if _, ok := f.grads["y"]; ok {
		t.Errorf("the output's gradient is still in the frame")
	}
	if again, recycled := st.take(f, 32); !recycled || backing(again) != backing(scratch) {
		t.Fatalf("the released scratch was not handed out again")
	}
	st.endFrame(0)
	for n, bufs := range st.pool {
		if len(bufs) != 1 {
			t.Errorf("after the frame's end the pool holds %d buffers of %d elements, want 1", len(bufs), n)
		}
	}
}

// TestBackwardHoldsLessThanItsForward: a serial step's stage allocates its
// forward's activations and, beside them, only the gradients live at
// once: at most half as many bytes again (each instruction's dead buffers
// are recycled at once; held to the frame's end they were as many bytes as
// the forward's).
func TestBackwardHoldsLessThanItsForward(t *testing.T) {
	tr, err := NewTrainer(Config{Plan: plan(tinyGPT(), ""), Steps: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	rk := tr.ranks[0]
	st := rk.stages[0]
	if _, err := rk.runForward(st, 0, nil); err != nil {
		t.Fatal(err)
	}
	fwd := 0
	for _, b := range st.frames[0].owned {
		fwd += len(b)
	}
	if _, err := rk.runBackward(st, 0, nil); err != nil {
		t.Fatal(err)
	}
	all := 0
	for n, bufs := range st.pool {
		all += n * len(bufs)
	}
	if all > fwd*3/2 {
		t.Errorf("the stage holds %d floats of buffers, its forward %d: backward holds %.2f times the forward's", all, fwd, float64(all-fwd)/float64(fwd))
	}
	t.Logf("forward %.2f MiB, all buffers %.2f MiB", float64(fwd)*4/(1<<20), float64(all)*4/(1<<20))
}

// TestQKVKeepsOnlyItsSplit: the fused projection's output, once split into
// q, k and v, goes back to the pool at once (it is no input of any
// backward: the projection keeps its input), so a micro-batch in flight
// holds q, k and v only.
func TestQKVKeepsOnlyItsSplit(t *testing.T) {
	tr, err := NewTrainer(Config{Plan: plan(tinyGPT(), ""), Steps: 1})
	if err != nil {
		t.Fatal(err)
	}
	rk := tr.ranks[0]
	st := rk.stages[0]
	f := st.newFrame()
	st.frames[0] = f
	seen := 0
	for _, in := range st.prog.Instrs {
		before := len(f.owned)
		c := &call{r: rk, st: st, f: f, in: in}
		if err := c.forward(); err != nil {
			t.Fatal(err)
		}
		if in.Kind != ir.InstrOp || in.Op.Kind != ir.OpQKV {
			continue
		}
		seen++
		held, want := 0, 0
		for _, b := range f.owned[before:] {
			held += len(b)
		}
		for _, v := range in.Out {
			want += len(f.vals[v])
		}
		if held != want {
			t.Errorf("%s holds %d floats after its forward, its q, k and v %d", in.Name(), held, want)
		}
	}
	if seen == 0 {
		t.Fatal("no qkv instruction in the program")
	}
}

// TestPoolBuffersComeFromTheArena: the pool's new buffers are carved one
// after another from the stage's chunk, 64-byte aligned and zeroed, and
// what a stage sends on is a copy, so that its own buffers all come back
// to the pool (an arena buffer handed away would never return to it).
func TestPoolBuffersComeFromTheArena(t *testing.T) {
	st := &stage{frames: map[int]*frame{}}
	f := st.newFrame()
	st.frames[0] = f
	a, _ := st.take(f, 100)
	b, _ := st.take(f, 7)
	if &a[:cap(a)][cap(a)-1] == &b[:cap(b)][cap(b)-1] || cap(a) != 100 || cap(b) != 7 {
		t.Fatalf("carved buffers overlap or spill: caps %d, %d", cap(a), cap(b))
	}
	for _, x := range [][]float32{a, b} {
		if uintptr(unsafe.Pointer(&x[0]))%64 != 0 {
			t.Errorf("a buffer of %d floats at %p, not 64-byte aligned", len(x), &x[0])
		}
	}
	if got := uintptr(unsafe.Pointer(&b[0])) - uintptr(unsafe.Pointer(&a[0])); got != 112*4 {
		t.Errorf("the second buffer starts %d bytes after the first, want %d", got, 112*4)
	}
	big, _ := st.take(f, arenaLargest+1)
	if len(st.arena) != arenaChunk-112-16 {
		t.Errorf("a buffer above arenaLargest came from the chunk (%d floats left)", len(st.arena))
	}
	a[0] = 1
	sent := handOff(a)
	if &sent[0] == &a[0] || sent[0] != 1 {
		t.Fatalf("handOff did not copy")
	}
	st.endFrame(0)
	if len(st.pool[100]) != 1 || len(st.pool[7]) != 1 || len(st.pool[len(big)]) != 1 {
		t.Errorf("not every buffer came back to the pool: %v", st.pool)
	}
}
