package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"planc/ir"
	"planc/runtime/sim"
)

// traceWarnBytes is the trace size above which planc simulate warns
// before writing: Perfetto's UI struggles with JSON traces beyond a few
// hundred MB.
var traceWarnBytes int64 = 256 << 20

// writeTrace writes simulate's --trace file: the ranks that ranksSpec
// selects (all identical ranks folded into one track when empty), gzipped
// when the name ends in .gz, with a warning first when it is large.
func writeTrace(path, ranksSpec string, s *ir.Schedule, res *sim.Result, stderr io.Writer) int {
	var opt sim.TraceOptions
	if ranksSpec != "" {
		ranks, err := sim.ParseRanks(ranksSpec, len(s.Ranks))
		if err != nil {
			fmt.Fprintf(stderr, "planc simulate: --ranks: %v\n", err)
			return exitUsage
		}
		opt.Ranks = ranks
	}
	gz := strings.HasSuffix(path, ".gz")
	if size := sim.TraceSize(res, opt); size > traceWarnBytes {
		what := fmt.Sprintf("about %d MB of JSON", size>>20)
		if gz {
			what += " before compression"
		}
		fmt.Fprintf(stderr, "planc simulate: warning: the trace %s holds %s, more than Perfetto's UI opens comfortably; select ranks with --ranks (e.g. --ranks 0-%d) or leave them folded\n",
			path, what, min(len(s.Ranks), 8)-1)
	}
	err := writeFileAtomically(path, func(w *bufio.Writer) error {
		if !gz {
			return sim.WriteChromeTrace(w, s, res, opt)
		}
		zw := gzip.NewWriter(w)
		if err := sim.WriteChromeTrace(zw, s, res, opt); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil {
		fmt.Fprintf(stderr, "planc simulate: %v\n", err)
		return exitError
	}
	return exitOK
}
