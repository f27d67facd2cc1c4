package tailer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

// journalRemote is where Debian installs systemd-journal-remote.
const journalRemote = "/lib/systemd/systemd-journal-remote"

// jent is one journal entry to write. Zero fields are left out.
type jent struct {
	Unit, Ident, Priority, PID, Host string
	Msg                              string // written length-prefixed, so any bytes go
	Time                             time.Time
	Boot                             string // _BOOT_ID; a fixed one when empty
}

// journalDir writes real journal files with systemd-journal-remote, from
// journal export format, into one file of a folder that journalctl reads
// with --directory.
type journalDir struct {
	t    *testing.T
	Dir  string
	bin  string
	file string // the journal file written to
	seq  int    // entries written, for default times
}

// newJournalDir returns an empty folder of journal files. It skips the test
// (fails it in CI) when systemd-journal-remote or journalctl is missing.
func newJournalDir(t *testing.T) *journalDir {
	t.Helper()
	skipShort(t)
	bin := realtest.LookPath(t, "systemd-journal-remote", "Debian package systemd-journal-remote", journalRemote)
	realtest.LookPath(t, "journalctl", "Debian package systemd")
	dir := t.TempDir()
	return &journalDir{t: t, Dir: dir, bin: bin, file: filepath.Join(dir, "x.journal")}
}

// journalBase is when the default entry times start: 2025-11-30 18:46:12 UTC.
var journalBase = time.Unix(1764528372, 0)

// write appends the entries to the journal file.
func (d *journalDir) write(es ...jent) {
	d.t.Helper()
	var b bytes.Buffer
	for _, e := range es {
		d.seq++
		if e.Time.IsZero() {
			e.Time = journalBase.Add(time.Duration(d.seq) * time.Second)
		}
		exportEntry(&b, e, d.seq)
	}
	src := filepath.Join(d.t.TempDir(), "entries.export")
	if err := os.WriteFile(src, b.Bytes(), 0o644); err != nil {
		d.t.Fatal(err)
	}
	out, err := exec.Command(d.bin, "--split-mode=none", "-o", d.file, src).CombinedOutput()
	if err != nil {
		d.t.Fatalf("systemd-journal-remote: %v\n%s", err, out)
	}
}

// exportEntry writes e in journal export format.
func exportEntry(b *bytes.Buffer, e jent, seq int) {
	field := func(k, v string) {
		if v == "" {
			return
		}
		fmt.Fprintf(b, "%s=%s\n", k, v)
	}
	field("__REALTIME_TIMESTAMP", fmt.Sprint(e.Time.UnixMicro()))
	field("__MONOTONIC_TIMESTAMP", fmt.Sprint(1000000+seq))
	field("_BOOT_ID", cmpOr(e.Boot, "0123456789abcdef0123456789abcdef"))
	field("_HOSTNAME", cmpOr(e.Host, "web1"))
	field("_SYSTEMD_UNIT", e.Unit)
	field("SYSLOG_IDENTIFIER", e.Ident)
	field("_PID", e.PID)
	field("PRIORITY", cmpOr(e.Priority, "6"))
	b.WriteString("MESSAGE\n")
	binary.Write(b, binary.LittleEndian, uint64(len(e.Msg)))
	b.WriteString(e.Msg)
	b.WriteString("\n\n")
}

// msgs returns entries of sshd with these messages.
func msgs(texts ...string) []jent {
	var es []jent
	for _, s := range texts {
		es = append(es, jent{Unit: "ssh.service", Ident: "sshd", PID: "100", Msg: s})
	}
	return es
}

// journalInput returns an input reading d with format message.
func (d *journalDir) input(mod ...func(*Journal)) Input {
	j := &Journal{Directory: d.Dir, Format: JournalMessage}
	for _, m := range mod {
		m(j)
	}
	return Input{Journal: j, Start: StartAtBeginning}
}

// texts returns the texts of lines.
func texts(ls []Line) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Text)
	}
	return out
}

// logged reports whether the harness's log holds s.
func (h *harness) logged(s string) bool { return strings.Contains(h.logs.String(), s) }
