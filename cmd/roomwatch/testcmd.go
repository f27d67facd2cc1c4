package main

import (
	"fmt"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/pipeline"
)

func cmdTest(args []string, e *env) int {
	fs := newFlags("test", "-c FILE [--json] [--unmatched [N]] [LOG...]", e)
	config := fs.String("c", config.DefaultPath, "config `file`")
	asJSON := fs.Bool("json", false, "print one JSON object")
	var unmatched unmatchedFlag
	fs.Var(&unmatched, "unmatched", "after the summary, print up to N lines (default 20) that no rule matched")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	logs := unmatched.takeCount(fs.Args())
	cfg, err := loadConfig(*config, e)
	if err != nil {
		printConfigError(e, err)
		return exitUsage
	}
	rep, err := pipeline.Test(cfg, logs, e.stdin, pipeline.TestOptions{Unmatched: unmatched.n})
	if err != nil {
		fmt.Fprintf(e.stderr, "roomwatch test: %v\n", err)
		return exitFailed
	}
	if *asJSON {
		if err := rep.WriteJSON(e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "roomwatch test: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	rep.Print(e.stdout)
	return exitOK
}
