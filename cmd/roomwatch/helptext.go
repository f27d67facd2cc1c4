package main

import (
	"regexp"
	"strings"
)

// The manual page and the shell completions are made from what the
// commands print for --help, so that the three can never drift apart.

// subcommands names the words a command takes before its flags; each has
// flags of its own.
var subcommands = map[string][]string{"outbox": {"list", "retry"}}

// helpFlag is one flag as a command's --help lists it.
type helpFlag struct {
	name  string // without dashes
	arg   string // the argument's placeholder ("file", "string"), or "" for a switch
	usage string
}

// dashes returns the flag as users write it: -c, --room.
func (f helpFlag) dashes() string {
	if len(f.name) == 1 {
		return "-" + f.name
	}
	return "--" + f.name
}

// commandHelp is what one command (or "outbox list") prints for --help.
type commandHelp struct {
	name     string // "pipe", "outbox list"
	summary  string
	synopsis string // the usage line without "Usage: "
	flags    []helpFlag
}

// helpOf runs the command with --help in-process and reads back what it
// printed.
func helpOf(c command, sub string) commandHelp {
	var out strings.Builder
	e := &env{
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &out,
		getenv: func(string) string { return "" },
		lookup: func(string) (string, bool) { return "", false },
	}
	args := []string{"--help"}
	name := c.name
	if sub != "" {
		args = []string{sub, "--help"}
		name += " " + sub
	}
	c.run(args, e)
	h := parseHelp(out.String())
	h.name, h.summary = name, c.summary
	return h
}

// allHelp returns the help of every command, subcommands after their
// command.
func allHelp() []commandHelp {
	var hs []commandHelp
	for _, c := range commands() {
		hs = append(hs, helpOf(c, ""))
		for _, sub := range subcommands[c.name] {
			hs = append(hs, helpOf(c, sub))
		}
	}
	return hs
}

var (
	usageLine = regexp.MustCompile(`(?m)^Usage: (.*)$`)
	flagLine  = regexp.MustCompile(`^  (-{1,2})([A-Za-z0-9][A-Za-z0-9-]*)(?: (\S+))?$`)
)

// parseHelp reads the usage line and the flags out of printFlags's output.
func parseHelp(text string) commandHelp {
	var h commandHelp
	if m := usageLine.FindStringSubmatch(text); m != nil {
		h.synopsis = strings.TrimSpace(m[1])
	}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		m := flagLine.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		f := helpFlag{name: m[2], arg: m[3]}
		var usage []string
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "    \t") {
			i++
			usage = append(usage, strings.TrimPrefix(lines[i], "    \t"))
		}
		f.usage = strings.Join(usage, " ")
		h.flags = append(h.flags, f)
	}
	return h
}

// flagValues returns the words a flag's value may be, or nil when it is
// free text (or a file, see takesFile).
func flagValues(f helpFlag) []string {
	switch f.name {
	case "color":
		return []string{"yellow", "green", "red", "purple", "gray", "random"}
	case "format":
		return []string{"text", "html"}
	}
	return nil
}

// takesFile reports whether a flag's value is a path.
func takesFile(f helpFlag) bool {
	a := strings.ToLower(f.arg)
	return a == "file" || a == "dir" || a == "path"
}
