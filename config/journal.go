package config

import (
	"path"
	"slices"
	"strconv"
	"strings"
)

// Journal is the `journal` key of an input: entries of the systemd journal.
type Journal struct {
	Units       []string `yaml:"units"`       // _SYSTEMD_UNIT values; globs allowed
	Identifiers []string `yaml:"identifiers"` // SYSLOG_IDENTIFIER values
	Priority    string   `yaml:"priority"`    // emerg..debug or 0..7: the least severe read
	Directory   string   `yaml:"directory"`   // journal files to read instead of the system journal
	Start       string   `yaml:"start"`       // end | beginning
	Format      string   `yaml:"format"`      // syslog | message
}

// Priorities are the journal's priority keywords, by number.
var Priorities = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// journalInput checks an input that reads the journal, and reports
// whether it is one. `journal: {}` and a bare `journal:` both read the
// whole system journal.
func (c *checker) journalInput(in *Input, label string) bool {
	if in.Journal == nil && !c.cfg.Written(in, "journal") {
		return false
	}
	if in.Journal == nil {
		in.Journal = &Journal{}
	}
	j := in.Journal
	at := c.at(in, "journal", in.At)
	for _, k := range []string{"path", "exclude", "start", "multiline"} {
		if c.cfg.Written(in, k) {
			c.errorf(c.cfg.KeyAt(in, k, in.At), label, "at most one of path & journal may be configured; %s is for path inputs", k)
		}
	}
	for i, u := range j.Units {
		if _, err := path.Match(u, ""); u == "" || err != nil {
			c.errorf(c.at(j, "units", at), label, "journal: units[%d]: want a unit name or glob like ssh.service or user@*.service, got %q", i, u)
		}
	}
	for i, id := range j.Identifiers {
		if id == "" {
			c.errorf(c.at(j, "identifiers", at), label, "journal: identifiers[%d]: must not be empty", i)
		}
	}
	if n, err := strconv.Atoi(j.Priority); !slices.Contains(Priorities, j.Priority) && (err != nil || n < 0 || n > 7) &&
		(j.Priority != "" || c.cfg.Written(j, "priority")) {
		c.errorf(c.at(j, "priority", at), label, "journal: priority: want one of %s or 0..7, got %q", strings.Join(Priorities, ", "), j.Priority)
	}
	c.oneOf(at, j, label+": journal", "start", j.Start, "end", "beginning")
	c.oneOf(at, j, label+": journal", "format", j.Format, "syslog", "message")
	if j.Directory != "" {
		j.Directory = c.cfg.Resolve(j.Directory)
	}
	switch {
	case in.MaxLineBytes < 0:
		c.errorf(c.at(in, "max_line_bytes", in.At), label, "max_line_bytes: must not be negative")
	case in.MaxLineBytes == 0:
		in.MaxLineBytes = DefaultMaxLineBytes
	}
	return true
}
