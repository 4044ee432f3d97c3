package collective_test

import (
	"fmt"
	"time"

	"planc/runtime/collective"
)

// Four ranks, two per node, all-reduce their rank numbers; the transport
// counts the ring's bytes per link level: one element in chunks of
// (1, 0, 0, 0) crosses links 0→1 once, 1→2 and 2→3 twice and 3→0 once.
func ExampleRun() {
	sums := make([]float32, 4)
	w, err := collective.Run(4, 2, time.Second, func(c collective.Comm) error {
		buf := []float32{float32(c.Rank())}
		if err := c.AllReduce(collective.Group{0, 1, 2, 3}, buf, collective.Sum); err != nil {
			return err
		}
		sums[c.Rank()] = buf[0]
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b := w.Bytes()
	fmt.Println(sums, b.IntraNode, b.InterNode)
	// Output: [6 6 6 6] 12 12
}
