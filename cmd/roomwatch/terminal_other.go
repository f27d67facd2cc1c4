//go:build unix && !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd

package main

// isTerminal reports false: the command's group then stays in the
// background of a terminal.
func isTerminal(int) bool { return false }
