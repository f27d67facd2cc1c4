package main

import (
	"errors"
	"fmt"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/internal/terminal"
	"github.com/roomwatch/roomwatch/rules"
)

func cmdCheck(args []string, e *env) int {
	fs := newFlags("check", "[-c FILE | FILE]", e)
	file := fs.String("c", config.DefaultPath, "config `file` to check")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return exitUsage
	}
	if fs.NArg() == 1 {
		*file = fs.Arg(0)
	}
	cfg, err := loadConfig(*file, e)
	if err == nil {
		if errs := checkDestinations(cfg.Config); len(errs) > 0 {
			err = errs
		}
	}
	if cfg != nil {
		for _, w := range cfg.Warnings {
			fmt.Fprintf(e.stderr, "%s: warning: %s\n", terminal.Escape(w.At.String()), terminal.Escape(w.Msg))
		}
	}
	if err != nil {
		printConfigError(e, err)
		return exitFailed
	}
	for _, w := range cfg.BlindSpots() {
		fmt.Fprintf(e.stderr, "%s: warning: %s\n", w.At, w.Msg)
	}
	fmt.Fprintf(e.stdout, "%s: ok: %s, %s, %s\n", *file,
		plural(len(cfg.Set.Rules()), "rule"), plural(len(cfg.Destinations), "destination"), plural(len(cfg.Inputs), "input"))
	return exitOK
}

// loadConfig loads and compiles a config file with the escapers of the
// senders, so that log text is neutralised for each destination.
func loadConfig(file string, e *env) (*rules.Loaded, error) {
	return rules.Load(file, ruleOptions(e))
}

// printConfigError prints every problem of a config, one per line.
func printConfigError(e *env, err error) {
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, x := range errs {
			fmt.Fprintln(e.stderr, terminal.Escape(x.Error()))
		}
		fmt.Fprintf(e.stderr, "%s found\n", plural(len(errs), "problem"))
		return
	}
	fmt.Fprintf(e.stderr, "roomwatch: %s\n", terminal.Escape(err.Error()))
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
