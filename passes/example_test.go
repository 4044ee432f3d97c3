package passes_test

import (
	"fmt"

	"planc/lang"
	"planc/passes"
)

// Compile a plan and read its memory and cost reports.
func ExampleCompile() {
	prog, diags := lang.Load([]string{repoFile("examples/calibration.plan")}, lang.Options{})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	u, diags := passes.Compile(prog, prog.Plan("cal_22b_selective"), passes.Options{VerifyEach: true})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	w := u.Memory.WorstRank()
	fmt.Printf("%s\n", u.Mesh)
	fmt.Printf("peak %.1f GiB of %.0f GiB\n", w.Peak/(1<<30), u.Memory.Capacity/(1<<30))
	fmt.Printf("step %.2f s, MFU %.1f%%\n", u.Cost.StepTime, 100*u.Cost.MFU)
	// Output:
	// tp=8 cp=1 dp=1 pp=1 = 8 ranks
	// peak 51.6 GiB of 80 GiB
	// step 1.06 s, MFU 43.3%
}
