// Command roomwatch watches logs and tells the chat room: it tails log
// files or standard input, matches every line against YAML regex rules,
// debounces matches into digests and posts them to chat rooms.
//
// Only main knows every package: it parses flags, loads the config, wires
// tailer, rules, batch and sender together, and handles signals.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/roomwatch/roomwatch/config"
)

func main() { os.Exit(run(os.Args[1:], stdio())) }

// Exit statuses shared by the commands.
const (
	exitOK      = 0
	exitFailed  = 1 // the command ran and something failed (a delivery, a check)
	exitUsage   = 2 // bad flags or arguments
	exitCmdGone = 127
)

// env is what a command may touch of the outside world, so that tests can
// run commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	lookup func(string) (string, bool)
}

func stdio() *env {
	return &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, lookup: os.LookupEnv}
}

type command struct {
	name    string
	summary string
	run     func(args []string, e *env) int
}

func commands() []command {
	return []command{
		{"run", "the daemon: tail the configured inputs, match, debounce, deliver", cmdRun},
		{"pipe", "read standard input, pass it through to stdout, match, deliver", cmdPipe},
		{"exec", "run a command, pass its output through, report when it fails", cmdExec},
		{"send", "send one notification now", cmdSend},
		{"outbox", "list what waits in the outbox; retry dead letters", cmdOutbox},
		{"check", "validate a config and every rule", cmdCheck},
		{"test", "run rules over logs and show what would be sent, sending nothing", cmdTest},
		{"version", "print version information", cmdVersion},
		{"completion", "print a shell completion script: bash, zsh or fish", cmdCompletion},
		{"man", "print the manual page (roff; man -l - reads it)", cmdMan},
	}
}

func run(args []string, e *env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	name := args[0]
	if name == "help" && len(args) > 1 {
		// help CMD is CMD --help.
		name, args = args[1], []string{args[1], "--help"}
	}
	if name == "-h" || name == "--help" || name == "-help" || name == "help" {
		usage(e.stdout)
		return exitOK
	}
	if name == "--version" || name == "-version" {
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], e)
		}
	}
	names := make([]string, 0, len(commands()))
	for _, c := range commands() {
		names = append(names, c.name)
	}
	fmt.Fprintf(e.stderr, "roomwatch: unknown command %q%s\n\n", name, config.DidYouMean(name, names))
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "roomwatch watches logs and tells the chat room.")
	fmt.Fprintln(w, "\nUsage:\n  roomwatch <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'roomwatch help <command>' (or 'roomwatch <command> --help') for a command's flags.")
}

// newFlags returns a flag set that reports errors to e.stderr and does not
// exit, with a usage line naming the command.
func newFlags(name, synopsis string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: roomwatch %s %s\n\nFlags:\n", name, synopsis)
		printFlags(fs)
	}
	return fs
}

// printFlags lists the flags as users write them: -c, --room.
func printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		arg, usage := flag.UnquoteUsage(f)
		line := "  " + dash + f.Name
		if arg != "" {
			line += " " + arg
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if f.DefValue != "" && f.DefValue != "false" {
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintln(fs.Output(), line)
	})
}

// parseFlags parses args and returns -1 to go on, or the exit status.
func parseFlags(fs *flag.FlagSet, args []string) int {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return -1
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	default:
		return exitUsage
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
