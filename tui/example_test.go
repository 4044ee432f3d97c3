package tui_test

import (
	"fmt"

	"planc/tui"
)

// A session is the what-if state without the terminal: open a plan, change
// a knob, compare with the original; an illegal value is refused with the
// checker's message.
func ExampleSession() {
	s, diags, _ := tui.Open(tui.Options{File: "../examples/tiny_gpt.plan"})
	if s == nil {
		fmt.Println(diags)
		return
	}
	if _, err := s.Set("tp=2"); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("tp %d → %d: step %.1f ms → %.1f ms, peak %.2f MiB → %.2f MiB\n",
		s.Orig.Plan.TP, s.Cur.Plan.TP, 1e3*s.Orig.Est.StepTime, 1e3*s.Cur.Est.StepTime,
		s.Orig.Est.PeakBytes/(1<<20), s.Cur.Est.PeakBytes/(1<<20))
	if _, err := s.Set("tp=3"); err != nil {
		fmt.Println("tp=3:", err)
	}
	// Output:
	// tp 1 → 2: step 25.9 ms → 15.0 ms, peak 7.00 MiB → 3.86 MiB
	// tp=3: tp = 3 does not divide the 4 attention heads of model tiny_gpt (tp must divide heads: try tp = 1, 2, 4)
}
