package tailer

import (
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

// jent is one journal entry to write.
type jent = realtest.JournalEntry

// journalDir is a folder of real journal files.
type journalDir struct{ *realtest.Journal }

// newJournalDir returns an empty folder of journal files, or skips.
func newJournalDir(t *testing.T) journalDir {
	t.Helper()
	skipShort(t)
	return journalDir{realtest.NewJournal(t)}
}

// write appends entries to the journal file.
func (d journalDir) write(es ...jent) { d.Write(es...) }

// msgs returns entries of sshd with these messages.
func msgs(texts ...string) []jent {
	var es []jent
	for _, s := range texts {
		es = append(es, jent{Unit: "ssh.service", Ident: "sshd", PID: "100", Msg: s})
	}
	return es
}

// input returns an input reading d, from the beginning, with format message.
func (d journalDir) input(mod ...func(*Journal)) Input {
	j := &Journal{Directory: d.Dir, Format: JournalMessage}
	for _, m := range mod {
		m(j)
	}
	return Input{Journal: j, Start: StartAtBeginning}
}

// logged reports whether the harness's log holds s.
func (h *harness) logged(s string) bool { return strings.Contains(h.logs.String(), s) }
