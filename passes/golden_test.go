package passes_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"planc/ir"
	"planc/passes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden pins the distributed IR of tiny_gpt and tiny_moe under the
// plans of tinyCases marked golden (serial, dp2·tp2, pp2 with tied
// embeddings, ep2 in both dispatch modes, cp2 lss, ...): one txtar archive
// per plan in testdata, holding the plan's settings, the IR and its memory
// and time summary. Regenerate with `go test ./passes -run Golden -update`.
func TestGolden(t *testing.T) {
	for _, c := range tinyCases() {
		if !c.golden {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			prog, p := loadPlan(t, c.file, c.plan)
			if c.set != nil {
				c.set(p)
			}
			fitCPU(p)
			u, ds := passes.Compile(prog, p, passes.Options{VerifyEach: true})
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			var irText, summary bytes.Buffer
			u.Print(&irText)
			w := u.Memory.WorstRank()
			fmt.Fprintf(&summary, "peak %s (pp rank %d): params %s grads %s optimizer %s activations %s\n",
				ir.FormatBytes(w.Peak), w.PPRank, ir.FormatBytes(w.Params), ir.FormatBytes(w.Grads), ir.FormatBytes(w.Optimizer), ir.FormatBytes(w.Activations))
			fmt.Fprintf(&summary, "step %.6g s: compute %.6g, exposed comm %.6g, bubble %.6g, optimizer %.6g\n",
				u.Cost.StepTime, u.Cost.Compute, u.Cost.ExposedComm, u.Cost.Bubble, u.Cost.Optimizer)
			arch := &txtar.Archive{
				Comment: []byte(fmt.Sprintf("%s: plan %s of %s with the changes of tinyCases\n", c.name, c.plan, c.file)),
				Files:   []txtar.File{{Name: "ir", Data: irText.Bytes()}, {Name: "summary", Data: summary.Bytes()}},
			}
			path := filepath.Join("testdata", c.name+".txtar")
			if *update {
				if err := os.WriteFile(path, txtar.Format(arch), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			want := txtar.Parse(data)
			for i, f := range arch.Files {
				if i >= len(want.Files) || want.Files[i].Name != f.Name {
					t.Fatalf("%s: golden file lacks section %s", path, f.Name)
				}
				if !bytes.Equal(want.Files[i].Data, f.Data) {
					t.Errorf("%s: section %s differs from the golden file (run with -update and review the diff):\n%s", path, f.Name, firstDiff(want.Files[i].Data, f.Data))
				}
			}
		})
	}
}

// firstDiff shows the first differing line.
func firstDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) && i < len(bl); i++ {
		if !bytes.Equal(al[i], bl[i]) {
			return fmt.Sprintf("line %d:\n-%s\n+%s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}
