package rules

import (
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/tailer"
)

// TailerJournal returns a journal input's settings as the tailer takes
// them.
func TailerJournal(j *config.Journal) *tailer.Journal {
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
