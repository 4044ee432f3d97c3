package tensor

import "testing"

func TestArenaReusesBuffersAcrossSteps(t *testing.T) {
	var a Arena
	sizes := []int{8, 3, 100, 3}
	var first [][]float32
	for step := 0; step < 3; step++ {
		a.Reset()
		var got [][]float32
		for i, n := range sizes {
			var b []float32
			if i%2 == 0 {
				b = a.Zeroed(n)
				for _, v := range b {
					if v != 0 {
						t.Fatalf("step %d: Zeroed(%d) holds %v", step, n, v)
					}
				}
			} else {
				b = a.Uninit(n)
			}
			if len(b) != n || cap(b) != n {
				t.Fatalf("step %d: buffer %d has len %d cap %d, want %d", step, i, len(b), cap(b), n)
			}
			for j := range b {
				b[j] = float32(step + 1) // dirty it for the next step
			}
			got = append(got, b)
		}
		if step == 0 {
			first = got
			continue
		}
		for i := range got {
			if &got[i][0] != &first[i][0] {
				t.Errorf("step %d: buffer %d was reallocated", step, i)
			}
		}
	}
	// Distinct requests of one step never share memory.
	if &first[1][0] == &first[3][0] {
		t.Error("two buffers of one step share memory")
	}
	// A larger request grows that slot only.
	a.Reset()
	if b := a.Uninit(16); len(b) != 16 {
		t.Fatalf("grown buffer has len %d", len(b))
	}
	if bufs, vals := a.Held(); bufs != 4 || vals != 16+3+100+3 {
		t.Errorf("held %d buffers, %d values; want 4, 122", bufs, vals)
	}
}
