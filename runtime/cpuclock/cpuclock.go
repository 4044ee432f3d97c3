// Package cpuclock reads the CPU time a thread or the whole process has
// used: the work a benchmark or calibration did, apart from the time other
// processes took the cores away from it. Where the operating system gives
// no such clock, the functions report ok = false and callers fall back to
// the wall clock.
package cpuclock
