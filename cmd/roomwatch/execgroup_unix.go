//go:build unix

package main

import (
	"io"
	"os"
	"syscall"
)

// groupAttr starts the command in a process group of its own. When our
// standard input is a terminal, that group becomes the terminal's
// foreground group, so the command may still read it (a password prompt)
// instead of being stopped by SIGTTIN, and the keyboard's Ctrl-C reaches
// it directly.
func groupAttr(stdin io.Reader) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if f, ok := stdin.(*os.File); ok && isTerminal(int(f.Fd())) {
		attr.Foreground, attr.Ctty = true, int(f.Fd())
	}
	return attr
}

// signal sends sig to the whole group.
func (g *group) signal(sig syscall.Signal) {
	_ = syscall.Kill(-g.pid, sig)
}
