package rules

import (
	"path"

	"github.com/roomwatch/roomwatch/tailer"
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

// journalInput checks an input that reads the journal, and reports
// whether it is one. `journal: {}` and a bare `journal:` both read the
// whole system journal.
func (c *compiler) journalInput(in *Input, label string) bool {
	if in.Journal == nil && !c.cfg.written(in, "journal") {
		return false
	}
	if in.Journal == nil {
		in.Journal = &Journal{}
	}
	j := in.Journal
	at := c.at(in, "journal", in.At)
	for _, k := range []string{"path", "exclude", "start", "multiline"} {
		if c.cfg.written(in, k) {
			c.errorf(c.cfg.keyPlace(in, k, in.At), label, "at most one of path & journal may be configured; %s is for path inputs", k)
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
	if _, err := tailer.ParsePriority(j.Priority); err != nil && (j.Priority != "" || c.cfg.written(j, "priority")) {
		c.errorf(c.at(j, "priority", at), label, "journal: priority: %v", err)
	}
	c.oneOf(in, j, label+": journal", "start", j.Start, "end", "beginning")
	c.oneOf(in, j, label+": journal", "format", j.Format, "syslog", "message")
	if j.Directory != "" {
		j.Directory = c.cfg.resolve(j.Directory)
	}
	if in.MaxLineBytes < 0 {
		c.errorf(c.at(in, "max_line_bytes", in.At), label, "max_line_bytes: must not be negative")
	} else if in.MaxLineBytes == 0 {
		in.MaxLineBytes = tailer.DefaultMaxLineBytes
	}
	return true
}

// TailerJournal returns the journal input as the tailer takes it.
func (j *Journal) TailerJournal() *tailer.Journal {
	tj := &tailer.Journal{Units: j.Units, Identifiers: j.Identifiers, Priority: j.Priority, Directory: j.Directory}
	if j.Format == "message" {
		tj.Format = tailer.JournalMessage
	}
	return tj
}

// journalData adds a journal entry's fields to a line template's data:
// .unit, .identifier, .priority and .pid, empty for lines of files, and
// .host, the entry's _HOSTNAME where it has one.
func journalData(data map[string]any, f *tailer.JournalFields, escape func(string) string) {
	if f == nil {
		f = &noJournal
	}
	data["unit"], data["identifier"] = escape(f.Unit), escape(f.Identifier)
	data["priority"], data["pid"] = escape(f.Priority), escape(f.PID)
	if f.Host != "" {
		data["host"] = escape(f.Host)
	}
}

// noJournal are the journal fields of a line read from a file.
var noJournal tailer.JournalFields
