//go:build unix

package tailer

import "syscall"

// nofileLimit returns the soft limit on open files (which the Go runtime
// raises to the hard limit at start), or 0 if it cannot be read.
func nofileLimit() int64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<40 {
		return 0
	}
	return int64(rl.Cur)
}
