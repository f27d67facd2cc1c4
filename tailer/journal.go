package tailer

// The journal is read the way Vector's journald source reads it: through
// a `journalctl --follow --output=json` child process (no cgo, and the
// host's own journalctl understands the host's journal files). Each entry
// handed on gets the next number of its input's Cursor, so the engine's
// Hold/Handled bookkeeping works as for a file; the journal's own cursor
// of every entry not yet safe is kept beside it, and the one at
// Cursor.Safe is what positions.json keeps.
//
// Resuming: journalctl starts at the saved cursor itself (--cursor) and
// the entry at that cursor, read again, is skipped. That is
// --after-cursor, with one thing more: when the first entry is not the
// saved one, the cursor no longer exists (the journal was rotated away or
// vacuumed), journalctl has sought to the oldest entry after it, and the
// log says so.
//
// journalctl is run with --merge: with --follow alone it reads only the
// current boot, and entries written before a reboot while roomwatch was
// down would be lost.

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Journal says which entries of the systemd journal an input reads. Units
// and identifiers are alternatives: an entry of one of the units, or with
// one of the identifiers, is read; with neither, every entry is.
type Journal struct {
	// Units are _SYSTEMD_UNIT values; globs (path.Match syntax, such as
	// user@*.service) are allowed. A name without a dot gets ".service".
	Units []string
	// Identifiers are SYSLOG_IDENTIFIER values ("kernel" for the kernel).
	Identifiers []string
	// Priority is the least severe priority read: a keyword (emerg,
	// alert, crit, err, warning, notice, info, debug) or 0..7; "" reads
	// every priority.
	Priority string
	// Directory, when set, is read instead of the system journal.
	Directory string
	// Format says how an entry becomes the line's text.
	Format JournalFormat
	// Command is the journalctl to run; "" finds journalctl on PATH.
	Command string
}

// ParsePriority returns the number of a priority keyword or digit.
func ParsePriority(s string) (int, error) {
	if i := slices.Index(priorityNames, s); i >= 0 {
		return i, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 7 {
		return n, nil
	}
	return 0, fmt.Errorf("want one of %s or 0..7, got %q", strings.Join(priorityNames, ", "), s)
}

// units returns the unit names as _SYSTEMD_UNIT has them.
func (j *Journal) units() []string {
	out := make([]string, len(j.Units))
	for i, u := range j.Units {
		if !strings.Contains(u, ".") && !hasMeta(u) {
			u += ".service"
		}
		out[i] = u
	}
	return out
}

// globs reports whether a unit is a glob. journalctl expands a glob only
// against the units already in the journal when it starts, so a unit that
// logs for the first time later would be missed: with a glob, units and
// identifiers are matched here instead.
func (j *Journal) globs() bool { return slices.ContainsFunc(j.Units, hasMeta) }

// name is the File of the input's lines.
func (j *Journal) name() string {
	if j.Directory != "" {
		return "journal:" + j.Directory
	}
	return "journal"
}

// key identifies the input in the positions file: the entries it reads.
func (j *Journal) key() string {
	b, _ := json.Marshal(struct {
		Units       []string `json:"units,omitempty"`
		Identifiers []string `json:"identifiers,omitempty"`
		Priority    string   `json:"priority,omitempty"`
		Directory   string   `json:"directory,omitempty"`
	}{j.units(), j.Identifiers, j.Priority, j.Directory})
	return "journal " + string(b)
}

// command returns the journalctl to run.
func (j *Journal) command() string { return cmpOr(j.Command, "journalctl") }

// args returns journalctl's arguments, without where to start.
func (j *Journal) args() []string {
	a := []string{"--merge", "--output=json", "--all", "--no-pager", "--output-fields=" + journalOutputFields}
	if j.Directory != "" {
		a = append(a, "--directory="+j.Directory)
	}
	if j.Priority != "" {
		if n, err := ParsePriority(j.Priority); err == nil && n < 7 {
			a = append(a, "--priority="+strconv.Itoa(n))
		}
	}
	if j.globs() {
		return a
	}
	for _, u := range j.units() {
		a = append(a, "_SYSTEMD_UNIT="+u)
	}
	if len(j.Units) > 0 && len(j.Identifiers) > 0 {
		a = append(a, "+")
	}
	for _, id := range j.Identifiers {
		a = append(a, "SYSLOG_IDENTIFIER="+id)
	}
	return a
}

// wanted reports whether an entry passes the unit and identifier filters
// that journalctl did not apply (see globs).
func (j *Journal) wanted(e *jentry) bool {
	if !j.globs() || len(j.Units) == 0 && len(j.Identifiers) == 0 {
		return true
	}
	unit := string(e.Unit)
	for _, u := range j.units() {
		if ok, _ := path.Match(u, unit); ok {
			return true
		}
	}
	return slices.Contains(j.Identifiers, string(e.Identifier))
}

// journalSource is one journal input while a Tailer runs.
type journalSource struct {
	in  *Input
	j   *Journal
	key string
	log *slog.Logger
	cur *Cursor // numbers the entries handed on
	// tail makes the first start learn the newest entry's cursor (a first
	// run with start: end); set by New, cleared by Run.
	tail bool
	// zone is the time zone of syslog lines; set by Run.
	zone *time.Location

	mu     sync.Mutex // protects base and resume
	base   int64      // the Cursor offset resume[0] belongs to
	resume []string   // resume[i]: the journal cursor to read after once the entries before base+i are handled; "" from the oldest entry
}

// newJournalSource returns the source of in, resuming after the journal
// cursor after ("" from the oldest entry).
func newJournalSource(in *Input, log *slog.Logger, after string) *journalSource {
	return &journalSource{in: in, j: in.Journal, key: in.Journal.key(), cur: NewCursor(0),
		log: log.With("input", in.Journal.name()), resume: []string{after}}
}

// safe returns the journal cursor to save: the one after which reading
// resumes without losing a line that is not handled or still held. It
// forgets the cursors before it.
func (s *journalSource) safe() string {
	at := s.cur.Safe()
	s.mu.Lock()
	defer s.mu.Unlock()
	i := int(at - s.base)
	if i <= 0 {
		return s.resume[0]
	}
	i = min(i, len(s.resume)-1)
	c := s.resume[i]
	clear(s.resume[:i])
	s.resume = s.resume[i:]
	s.base += int64(i)
	return c
}

// settled reports whether no handed-on entry is held.
func (s *journalSource) settled() bool {
	s.cur.mu.Lock()
	done := s.cur.done
	s.cur.mu.Unlock()
	return s.cur.Safe() >= done
}

// errJournalExited is journalctl ending while it should follow.
var errJournalExited = errors.New("journalctl exited")
