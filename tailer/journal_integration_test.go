package tailer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestJournalFollow(t *testing.T) {
	d := newJournalDir(t)
	h := start(t, TailerOptions{Inputs: []Input{d.input()}, StateDir: t.TempDir()})
	d.write(msgs("one")...)
	h.expect("one")
	d.write(msgs("two", "three")...)
	lines := h.expect("two", "three")
	want := &JournalFields{Unit: "ssh.service", Identifier: "sshd", Priority: "info", PID: "100", Host: "web1"}
	if diff := cmp.Diff(want, lines[0].Journal); diff != "" {
		t.Errorf("fields mismatch (-want +got):\n%s", diff)
	}
	if lines[0].File != "journal:"+d.Dir || lines[1].Offset != lines[0].End {
		t.Errorf("lines: file %q, offsets %d-%d %d-%d", lines[0].File, lines[0].Offset, lines[0].End, lines[1].Offset, lines[1].End)
	}
	h.stop()
}

func TestJournalSyslogFormat(t *testing.T) {
	d := newJournalDir(t)
	day := func(hms string) time.Time {
		at, err := time.Parse(time.DateTime, hms)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	d.write(
		jent{Unit: "ssh.service", Ident: "sshd", PID: "100", Msg: "Failed password for root from 1.2.3.4 port 22 ssh2", Time: day("2025-11-30 18:46:12")},
		jent{Ident: "kernel", Priority: "3", Msg: "Out of memory: Killed process 4242 (java)", Time: day("2025-11-30 18:46:13")},
		jent{Ident: "sudo", PID: "7", Msg: "ends with a newline\n", Time: day("2025-11-30 18:46:14")},
		jent{Msg: "no identifier", Time: day("2025-11-30 18:46:15")},
		jent{Ident: "CRON", PID: "812", Host: "db2", Msg: "(root) CMD (run-parts /etc/cron.hourly)", Time: day("2025-12-03 09:05:01")},
		jent{Ident: "app", PID: "9", Msg: "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad", Time: day("2025-12-03 09:05:02")},
		jent{Ident: "app", PID: "9", Msg: "bin\xff\xfeary", Time: day("2025-12-03 09:05:03")},
	)
	in := d.input(func(j *Journal) { j.Format = JournalSyslog })
	h := start(t, TailerOptions{Inputs: []Input{in}}, func(tl *Tailer) { tl.zone = time.UTC })
	lines := h.expect(
		"Nov 30 18:46:12 web1 sshd[100]: Failed password for root from 1.2.3.4 port 22 ssh2",
		"Nov 30 18:46:13 web1 kernel: Out of memory: Killed process 4242 (java)",
		"Nov 30 18:46:14 web1 sudo[7]: ends with a newline",
		"Nov 30 18:46:15 web1 unknown: no identifier",
		"Dec  3 09:05:01 db2 CRON[812]: (root) CMD (run-parts /etc/cron.hourly)",
		"Dec  3 09:05:02 web1 app[9]: Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad",
		"Dec  3 09:05:03 web1 app[9]: bin\uFFFDary",
	)
	h.stop()
	if lines[1].Journal.Priority != "err" || lines[1].Journal.PID != "" {
		t.Errorf("kernel fields: %+v", lines[1].Journal)
	}
	// journalctl's own short format is the same line, but for the day,
	// which it pads with a zero where rsyslog pads with a space.
	cmd := exec.Command("journalctl", "--directory="+d.Dir, "--output=short", "--no-pager", "--merge")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	short := strings.Split(string(out), "\n")
	for i := range 5 {
		want := strings.Replace(lines[i].Text, "Dec  3", "Dec 03", 1)
		if short[i] != want {
			t.Errorf("line %d: journalctl -o short says\n%q, roomwatch\n%q", i, short[i], want)
		}
	}
}

func TestJournalFilters(t *testing.T) {
	d := newJournalDir(t)
	d.write(
		jent{Unit: "ssh.service", Ident: "sshd", PID: "1", Msg: "ssh info"},
		jent{Unit: "ssh.service", Ident: "sshd", PID: "1", Priority: "4", Msg: "ssh warning"},
		jent{Unit: "cron.service", Ident: "CRON", PID: "2", Msg: "cron"},
		jent{Unit: "user@1000.service", Ident: "systemd", PID: "3", Msg: "user 1000"},
		jent{Unit: "session-4.scope", Ident: "sudo", PID: "4", Priority: "5", Msg: "sudo"},
		jent{Ident: "kernel", Priority: "2", Msg: "kernel crit"},
	)
	tests := []struct {
		name string
		j    Journal
		want []string
	}{
		{"all", Journal{}, []string{"ssh info", "ssh warning", "cron", "user 1000", "sudo", "kernel crit"}},
		{"unit", Journal{Units: []string{"ssh.service"}}, []string{"ssh info", "ssh warning"}},
		{"unit without suffix", Journal{Units: []string{"ssh", "cron"}}, []string{"ssh info", "ssh warning", "cron"}},
		{"unit glob", Journal{Units: []string{"user@*.service"}}, []string{"user 1000"}},
		{"identifiers", Journal{Identifiers: []string{"sudo", "kernel"}}, []string{"sudo", "kernel crit"}},
		{"units or identifiers", Journal{Units: []string{"ssh.service"}, Identifiers: []string{"kernel"}}, []string{"ssh info", "ssh warning", "kernel crit"}},
		{"glob or identifiers", Journal{Units: []string{"c*"}, Identifiers: []string{"kernel"}}, []string{"cron", "kernel crit"}},
		{"priority", Journal{Priority: "warning"}, []string{"ssh warning", "kernel crit"}},
		{"priority number and unit", Journal{Units: []string{"ssh.service", "session-*.scope"}, Priority: "5"}, []string{"ssh warning", "sudo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := d.input(func(j *Journal) { *j = tt.j; j.Directory, j.Format = d.Dir, JournalMessage })
			h := start(t, TailerOptions{Inputs: []Input{in}})
			h.expect(tt.want...)
			h.stop()
		})
	}
}

// A glob matches a unit that logs for the first time after the start
// (journalctl would expand it only against the units it saw at start).
func TestJournalGlobNewUnit(t *testing.T) {
	d := newJournalDir(t)
	d.write(jent{Unit: "user@1000.service", Ident: "systemd", Msg: "old"})
	in := d.input(func(j *Journal) { j.Units = []string{"user@*.service"} })
	h := start(t, TailerOptions{Inputs: []Input{in}})
	h.expect("old")
	d.write(jent{Unit: "cron.service", Ident: "CRON", Msg: "not this"}, jent{Unit: "user@1001.service", Ident: "systemd", Msg: "new unit"})
	h.expect("new unit")
	h.stop()
}

func TestJournalResume(t *testing.T) {
	d := newJournalDir(t)
	state := t.TempDir()
	opts := TailerOptions{Inputs: []Input{d.input()}, StateDir: state}
	d.write(msgs("1")...)
	h := start(t, opts)
	h.expect("1")
	h.stop()

	d.write(msgs("2 while stopped")...)
	h = start(t, opts)
	h.expect("2 while stopped")
	d.write(msgs("3")...)
	h.expect("3")
	h.stop()

	// A held entry is read again after a restart; nothing before it is.
	h = start(t, opts)
	d.write(msgs("4 held", "5")...)
	lines := h.expect("4 held", "5")
	lines[0].Cursor.Hold(lines[0].Offset)
	h.stop()
	h = start(t, opts)
	h.expect("4 held", "5")
	h.stop()
	h = start(t, opts)
	h.stop()
}

// Resuming reads every entry after the saved cursor, however many there
// are: journalctl --follow alone shows no more than ten entries of what
// is already in the journal, and the rest only once a new entry comes.
func TestJournalResumeBacklog(t *testing.T) {
	d := newJournalDir(t)
	state := t.TempDir()
	opts := TailerOptions{Inputs: []Input{d.input()}, StateDir: state}
	d.write(msgs("first")...)
	h := start(t, opts)
	h.expect("first")
	h.stop()

	var backlog []string
	for i := range 25 {
		backlog = append(backlog, fmt.Sprintf("while stopped %d", i+1))
	}
	d.write(msgs(backlog...)...)
	h = start(t, opts)
	lines := h.expect(backlog...)
	// A crash with every entry but the first of the backlog held reads
	// them all again.
	lines[1].Cursor.Hold(lines[1].Offset)
	h.cancel()
	<-h.done
	h.cancel = nil
	if err := h.tl.SavePositions(); err != nil {
		t.Fatal(err)
	}
	h = start(t, opts)
	h.expect(backlog[1:]...)
	h.stop()
}

// start: end skips the entries already there at the first start, and
// saves where it began at once: after a crash before any entry, what was
// written meanwhile is read.
func TestJournalStartEnd(t *testing.T) {
	d := newJournalDir(t)
	state := t.TempDir()
	d.write(msgs("old 1", "old 2")...)
	in := d.input()
	in.Start = StartAtEnd
	opts := TailerOptions{Inputs: []Input{in}, StateDir: state}
	h := start(t, opts)
	var p positions
	var err error
	// Run saves right after Ready.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if p, _, err = loadPositions(state); err != nil || len(p.Journals) > 0 {
			break
		}
	}
	if err != nil || len(p.Journals) != 1 || p.Journals[0].Cursor == "" {
		t.Fatalf("positions right after the start: %+v, %v", p, err)
	}
	h.cancel() // a crash: no save on the way out
	<-h.done
	h.cancel = nil

	d.write(msgs("while down")...)
	h = start(t, opts)
	h.expect("while down")
	d.write(msgs("new")...)
	h.expect("new")
	h.stop()
}

// A saved cursor whose journal file was vacuumed resumes at the oldest
// entry and says so.
func TestJournalVacuumedCursor(t *testing.T) {
	d := newJournalDir(t)
	state := t.TempDir()
	opts := TailerOptions{Inputs: []Input{d.input()}, StateDir: state}
	d.write(msgs("a", "b")...)
	h := start(t, opts)
	h.expect("a", "b")
	h.stop()

	if err := os.Remove(d.File); err != nil {
		t.Fatal(err)
	}
	d.File = filepath.Join(d.Dir, "y.journal")
	d.write(msgs("c", "d")...)
	h = start(t, opts)
	h.expect("c", "d")
	h.stop()
	if !h.logged("the saved journal cursor no longer exists") {
		t.Errorf("the lost cursor is not logged:\n%s", h.logs.String())
	}
}

// journalctl exiting is restarted after the last entry read: nothing is
// lost or read twice.
func TestJournalctlRestarted(t *testing.T) {
	d := newJournalDir(t)
	script := filepath.Join(t.TempDir(), "journalctl")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec timeout 0.5 journalctl \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := d.input(func(j *Journal) { j.Command = script })
	h := start(t, TailerOptions{Inputs: []Input{in}})
	d.write(msgs("before")...)
	h.expect("before")
	time.Sleep(time.Second) // journalctl exits and is started again
	d.write(msgs("after")...)
	h.expect("after")
	h.stop()
	if !h.logged("journalctl exited") {
		t.Errorf("the exit is not logged:\n%s", h.logs.String())
	}
}

func TestJournalStartErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		j    Journal
		want string
	}{
		{"no journalctl", Journal{Directory: dir, Command: "/nonexistent/journalctl"}, "/nonexistent/journalctl not found: install it"},
		{"no directory", Journal{Directory: filepath.Join(dir, "nope")}, "does not exist: set directory to a folder of journal files"},
		{"not a directory", Journal{Directory: file}, "is not a directory"},
		{"bad priority", Journal{Directory: dir, Priority: "loud"}, `priority: want one of emerg, alert`},
	}
	if _, err := exec.LookPath("journalctl"); err != nil {
		t.Skip("journalctl is not installed")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(TailerOptions{Inputs: []Input{{Journal: &tt.j}}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want %q", err, tt.want)
			}
		})
	}
}
