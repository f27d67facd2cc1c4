package main

import "fmt"

func cmdExec(args []string, e *env) int {
	fmt.Fprintln(e.stderr, "roomwatch exec: not available in this build")
	return exitUsage
}
