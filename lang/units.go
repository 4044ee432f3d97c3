package lang

import (
	"math"
	"strconv"
	"strings"

	"planc/ir"
)

// unit is one unit of the language: its dimension and its size in SI base
// units (bytes, seconds, FLOP/s, bytes per second, watts).
type unit struct {
	dim   ir.Dim
	scale float64
}

// units lists every unit of docs/language.md. SI prefixes are decimal, Ki Mi Gi Ti
// binary; b is a bit.
var units = map[string]unit{
	"B": {ir.Bytes, 1}, "kB": {ir.Bytes, 1e3}, "MB": {ir.Bytes, 1e6}, "GB": {ir.Bytes, 1e9}, "TB": {ir.Bytes, 1e12},
	"KiB": {ir.Bytes, 1 << 10}, "MiB": {ir.Bytes, 1 << 20}, "GiB": {ir.Bytes, 1 << 30}, "TiB": {ir.Bytes, 1 << 40},

	"s": {ir.Seconds, 1}, "ms": {ir.Seconds, 1e-3}, "us": {ir.Seconds, 1e-6}, "ns": {ir.Seconds, 1e-9},

	"FLOP/s": {ir.FLOPRate, 1}, "MFLOP/s": {ir.FLOPRate, 1e6}, "GFLOP/s": {ir.FLOPRate, 1e9},
	"TFLOP/s": {ir.FLOPRate, 1e12}, "PFLOP/s": {ir.FLOPRate, 1e15},

	"B/s": {ir.ByteRate, 1}, "kB/s": {ir.ByteRate, 1e3}, "MB/s": {ir.ByteRate, 1e6}, "GB/s": {ir.ByteRate, 1e9},
	"TB/s": {ir.ByteRate, 1e12}, "KiB/s": {ir.ByteRate, 1 << 10}, "MiB/s": {ir.ByteRate, 1 << 20},
	"GiB/s": {ir.ByteRate, 1 << 30}, "Mb/s": {ir.ByteRate, 1e6 / 8}, "Gb/s": {ir.ByteRate, 1e9 / 8},
	"Tb/s": {ir.ByteRate, 1e12 / 8},

	"W": {ir.Watts, 1}, "kW": {ir.Watts, 1e3},
}

func unitNames() []string {
	names := make([]string, 0, len(units))
	for n := range units {
		names = append(names, n)
	}
	return names
}

// unitsOf lists the units of one dimension, for messages.
func unitsOf(d ir.Dim) []string {
	var names []string
	for _, n := range []string{"B", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "s", "ms", "us", "ns",
		"FLOP/s", "GFLOP/s", "TFLOP/s", "PFLOP/s", "B/s", "MB/s", "GB/s", "TB/s", "GiB/s", "Gb/s", "W", "kW"} {
		if units[n].dim == d {
			names = append(names, n)
		}
	}
	return names
}

// parseNumberText parses a number of the language: an optional sign,
// digits with single underscores between them (51_200), an optional
// fraction and an optional exponent (1e-3, 3.5e9).
func parseNumberText(t string) (float64, bool) {
	s := t
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	digits := func(s string) (rest string, ok bool) {
		i := 0
		for i < len(s) && (isDigit(s[i]) || s[i] == '_' && i > 0 && i+1 < len(s) && isDigit(s[i+1]) && isDigit(s[i-1])) {
			i++
		}
		return s[i:], i > 0
	}
	rest, ok := digits(s)
	if !ok {
		return 0, false
	}
	if strings.HasPrefix(rest, ".") {
		if rest, ok = digits(rest[1:]); !ok {
			return 0, false
		}
	}
	if rest != "" && (rest[0] == 'e' || rest[0] == 'E') {
		rest = rest[1:]
		if rest != "" && (rest[0] == '-' || rest[0] == '+') {
			rest = rest[1:]
		}
		if rest, ok = digits(rest); !ok {
			return 0, false
		}
	}
	if rest != "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}
