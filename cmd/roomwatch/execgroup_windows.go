package main

import (
	"io"
	"os"
	"syscall"
)

// groupAttr is nil: Windows has no process groups to signal.
func groupAttr(io.Reader) *syscall.SysProcAttr { return nil }

// signal stops the command itself: Windows delivers no signals, so any
// signal ends it.
func (g *group) signal(syscall.Signal) {
	if p, err := os.FindProcess(g.pid); err == nil {
		_ = p.Kill()
	}
}
