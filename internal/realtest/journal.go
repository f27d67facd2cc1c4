package realtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// JournalRemote is where Debian installs systemd-journal-remote.
const JournalRemote = "/lib/systemd/systemd-journal-remote"

// JournalEntry is one journal entry to write. Empty fields are left out,
// but for the defaults named.
type JournalEntry struct {
	Unit, Ident, PID string
	Priority         string // "6" when empty
	Host             string // "web1" when empty
	Msg              string // written length-prefixed, so any bytes go
	Time             time.Time
	Boot             string // _BOOT_ID; a fixed one when empty
}

// Journal writes real journal files with systemd-journal-remote, from
// journal export format, into one file of a folder that journalctl reads
// with --directory.
type Journal struct {
	t    testing.TB
	Dir  string // the folder
	File string // the journal file written to; may be changed between writes
	bin  string
	seq  int // entries written, for default times
}

// JournalBase is when default entry times start: 2025-11-30 18:46:12 UTC,
// one second more per entry.
var JournalBase = time.Unix(1764528372, 0)

// NewJournal returns an empty folder for journal files. It skips the test
// (fails it in CI) when systemd-journal-remote or journalctl is missing.
func NewJournal(t testing.TB) *Journal {
	t.Helper()
	bin := LookPath(t, "systemd-journal-remote", "Debian package systemd-journal-remote", JournalRemote)
	LookPath(t, "journalctl", "Debian package systemd")
	dir := t.TempDir()
	return &Journal{t: t, Dir: dir, File: filepath.Join(dir, "x.journal"), bin: bin}
}

// Write appends the entries to the journal file.
func (j *Journal) Write(es ...JournalEntry) {
	j.t.Helper()
	var b bytes.Buffer
	for _, e := range es {
		j.seq++
		if e.Time.IsZero() {
			e.Time = JournalBase.Add(time.Duration(j.seq) * time.Second)
		}
		exportEntry(&b, e, j.seq)
	}
	src := filepath.Join(j.t.TempDir(), "entries.export")
	if err := os.WriteFile(src, b.Bytes(), 0o644); err != nil {
		j.t.Fatal(err)
	}
	out, err := exec.Command(j.bin, "--split-mode=none", "-o", j.File, src).CombinedOutput()
	if err != nil {
		j.t.Fatalf("systemd-journal-remote: %v\n%s", err, out)
	}
}

// exportEntry writes e in journal export format.
func exportEntry(b *bytes.Buffer, e JournalEntry, seq int) {
	field := func(k, v, def string) {
		if v == "" {
			v = def
		}
		if v != "" {
			fmt.Fprintf(b, "%s=%s\n", k, v)
		}
	}
	field("__REALTIME_TIMESTAMP", fmt.Sprint(e.Time.UnixMicro()), "")
	field("__MONOTONIC_TIMESTAMP", fmt.Sprint(1000000+seq), "")
	field("_BOOT_ID", e.Boot, "0123456789abcdef0123456789abcdef")
	field("_HOSTNAME", e.Host, "web1")
	field("_SYSTEMD_UNIT", e.Unit, "")
	field("SYSLOG_IDENTIFIER", e.Ident, "")
	field("_PID", e.PID, "")
	field("PRIORITY", e.Priority, "6")
	b.WriteString("MESSAGE\n")
	_ = binary.Write(b, binary.LittleEndian, uint64(len(e.Msg)))
	b.WriteString(e.Msg)
	b.WriteString("\n\n")
}
