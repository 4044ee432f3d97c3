package collective

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// BenchmarkInProcMeetings times the in-process transport's collectives of
// two ranks back to back, at a phantom layer's ghosts (1 Ki floats) and a
// tiny transformer's flat parameters (220 Ki floats, ZeRO-1's gather and
// reduce-scatter); bytes/s are the full buffer's bytes per call:
//
//	go test -run '^$' -bench InProcMeetings -cpu 2 ./runtime/collective
func BenchmarkInProcMeetings(b *testing.B) {
	const p = 2
	for _, n := range []int{1 << 10, 220 << 10} {
		for _, kind := range []string{"all-reduce", "reduce-scatter", "all-gather", "all-gather-into"} {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				benchMeetings(b, p, n, kind)
			})
		}
	}
}

// BenchmarkSharedOrSerial times the reduce-scatter and the all-gather into
// a buffer of two ranks with every member doing its own part (shared)
// against the last member doing all (serial), by size: where sharedFrom
// should lie.
//
//	go test -run '^$' -bench SharedOrSerial -cpu 2 ./runtime/collective
func BenchmarkSharedOrSerial(b *testing.B) {
	const p = 2
	defer func(v int) { sharedFrom = v }(sharedFrom)
	for _, n := range []int{1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10} {
		for _, kind := range []string{"reduce-scatter", "all-gather-into"} {
			for _, mode := range []string{"shared", "serial"} {
				b.Run(fmt.Sprintf("%s/%d/%s", kind, n, mode), func(b *testing.B) {
					sharedFrom = 0
					if mode == "serial" {
						sharedFrom = math.MaxInt
					}
					benchMeetings(b, p, n, kind)
				})
			}
		}
	}
}

// benchMeetings runs b.N collectives of kind over p in-process ranks on
// buffers of n floats; bytes/s are the full buffer's bytes per call.
func benchMeetings(b *testing.B, p, n int, kind string) {
	b.SetBytes(4 * int64(n))
	_, err := Run(p, 0, time.Minute, func(c Comm) error {
		buf := make([]float32, n)
		for i := range buf {
			buf[i] = float32(i % 7)
		}
		mine := buf[c.Rank()*n/p : (c.Rank()+1)*n/p]
		for i := 0; i < b.N; i++ {
			var err error
			switch kind {
			case "all-reduce":
				err = c.AllReduce(all(p), buf, Sum)
			case "reduce-scatter":
				_, err = c.ReduceScatter(all(p), buf, Sum)
			case "all-gather":
				_, err = c.AllGather(all(p), buf[:n/p])
			case "all-gather-into":
				err = c.AllGatherInto(all(p), mine, buf)
			default:
				return fmt.Errorf("no collective %q", kind)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
