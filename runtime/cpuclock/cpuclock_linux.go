package cpuclock

import (
	"syscall"
	"time"
	"unsafe"
)

// Thread returns the CPU time the calling thread has used
// (CLOCK_THREAD_CPUTIME_ID): meaningful for code locked to its thread
// (runtime.LockOSThread) or run on one Go processor.
func Thread() (time.Duration, bool) {
	const clockThreadCPUTime = 3
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

// Process returns the CPU time (user and system) every thread of this
// process has used.
func Process() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
