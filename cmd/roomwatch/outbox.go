package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/internal/terminal"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/sender"
)

// cmdOutbox is `roomwatch outbox list|retry -c FILE`: what waits in the
// outbox, and dead letters put back in it.
func cmdOutbox(args []string, e *env) int {
	const usage = "Usage: roomwatch outbox list|retry [-c FILE] [--destination NAME] [DEAD-LETTER-FILE...]"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(e.stderr, usage)
		return exitOK
	}
	if len(args) == 0 || (args[0] != "list" && args[0] != "retry") {
		fmt.Fprintln(e.stderr, usage)
		return exitUsage
	}
	sub := args[0]
	fs := newFlags("outbox "+sub, "[-c FILE] [--destination NAME] [DEAD-LETTER-FILE...]", e)
	config := fs.String("c", config.DefaultPath, "config `file` whose state_dir holds the outbox")
	dest := fs.String("destination", "", "only this destination `name`")
	if code := parseFlags(fs, args[1:]); code >= 0 {
		return code
	}
	cfg, err := loadConfig(*config, e)
	if err != nil {
		printConfigError(e, err)
		return exitUsage
	}
	root := pipeline.OutboxRoot(cfg)
	if root == "" {
		fmt.Fprintf(e.stderr, "roomwatch outbox: %s sets no state_dir, so there is no outbox\n", *config)
		return exitFailed
	}
	var dirs []string
	for name := range cfg.Destinations {
		if *dest == "" || *dest == name {
			dirs = append(dirs, sender.DestinationDir(root, name))
		}
	}
	if sub == "list" {
		return listOutbox(e, dirs)
	}
	return retryDead(e, dirs, fs.Args())
}

// listOutbox prints every waiting digest and dead letter, oldest first.
func listOutbox(e *env, dirs []string) int {
	n := 0
	slices.Sort(dirs)
	for _, dir := range dirs {
		for _, sub := range []string{dir, filepath.Join(dir, sender.DeadDir)} {
			names, err := sender.ListRecords(sub)
			if err != nil {
				fmt.Fprintf(e.stderr, "roomwatch outbox: %v\n", err)
				return exitFailed
			}
			for _, name := range names {
				path := filepath.Join(sub, name)
				r, err := sender.ReadRecord(path)
				if err != nil {
					fmt.Fprintf(e.stdout, "unreadable %s: %s\n", terminal.Escape(path), terminal.Escape(err.Error()))
					continue
				}
				n++
				state := "waiting"
				if sub != dir {
					state = "dead"
				}
				fmt.Fprintf(e.stdout, "%s %s %s (%s, queued %s, %d attempts)\n  %s\n",
					state, terminal.Escape(r.Destination), terminal.Escape(r.Digest.Key.String()), plural(r.Digest.Count, "line"),
					r.Queued.Format(time.RFC3339), r.Attempts, terminal.Escape(path))
				if r.Error != "" {
					fmt.Fprintf(e.stdout, "  error: %s\n", terminal.Escape(r.Error))
				}
			}
		}
	}
	fmt.Fprintf(e.stderr, "%s in the outbox\n", plural(n, "digest"))
	return exitOK
}

// retryDead moves dead letters (the files named, or every one) back into
// their outbox.
func retryDead(e *env, dirs []string, files []string) int {
	if len(files) == 0 {
		for _, dir := range dirs {
			names, err := sender.ListRecords(filepath.Join(dir, sender.DeadDir))
			if err != nil {
				fmt.Fprintf(e.stderr, "roomwatch outbox: %v\n", err)
				return exitFailed
			}
			for _, n := range names {
				files = append(files, filepath.Join(dir, sender.DeadDir, n))
			}
		}
	}
	code := exitOK
	moved := 0
	for _, f := range files {
		if filepath.Base(filepath.Dir(f)) != sender.DeadDir {
			fmt.Fprintf(e.stderr, "roomwatch outbox: %s is not in a %s folder\n", f, sender.DeadDir)
			code = exitFailed
			continue
		}
		if err := sender.Retry(f); err != nil {
			fmt.Fprintf(e.stderr, "roomwatch outbox: %v\n", err)
			code = exitFailed
			continue
		}
		moved++
	}
	fmt.Fprintf(e.stderr, "%s moved back to the outbox; roomwatch sends them when it next starts\n", plural(moved, "dead letter"))
	return code
}
