package tailer

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// JournalFields are the journal fields of a Line read from the journal,
// for templates (.unit, .identifier, .priority, .pid, .host).
type JournalFields struct {
	Unit       string // _SYSTEMD_UNIT
	Identifier string // SYSLOG_IDENTIFIER, or _COMM when the entry has none
	Priority   string // the PRIORITY keyword: emerg, alert, crit, err, warning, notice, info or debug; "" when unset
	PID        string // _PID, or SYSLOG_PID when the entry has none
	Host       string // _HOSTNAME
}

// jvalue is one field of a `journalctl --output=json` entry, as bytes.
// journalctl writes a field as a string when it is valid UTF-8, as an
// array of byte values when it is not, as null when it is too large
// (without --all), and as an array of those when the entry has the field
// more than once (decodeEntry keeps the last).
type jvalue []byte

// jentry is the part of a journal entry roomwatch uses.
type jentry struct {
	Cursor     string
	Message    jvalue
	Host       jvalue
	Unit       jvalue
	Identifier jvalue
	Comm       jvalue
	PID        jvalue
	SyslogPID  jvalue
	Priority   jvalue

	cursor, realtime jvalue // as read; Cursor and time() use them
}

// journalOutputFields are the fields journalctl is asked for; it adds the
// cursor and the timestamps itself.
const journalOutputFields = "MESSAGE,_HOSTNAME,_SYSTEMD_UNIT,SYSLOG_IDENTIFIER,_COMM,_PID,SYSLOG_PID,PRIORITY"

// parseEntry decodes one line of `journalctl --output=json`.
func parseEntry(b []byte) (jentry, error) {
	var e jentry
	if err := decodeEntry(b, &e); err != nil {
		return jentry{}, err
	}
	if len(e.cursor) == 0 {
		return jentry{}, errors.New("journal entry without __CURSOR")
	}
	e.Cursor = string(e.cursor)
	return e, nil
}

// time returns when the journal received the entry; the zero time when the
// entry does not say.
func (e *jentry) time() time.Time {
	us, err := strconv.ParseInt(string(e.realtime), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMicro(us)
}

// fields returns the entry's fields for templates.
func (e *jentry) fields() *JournalFields {
	f := &JournalFields{Unit: validString(e.Unit), Host: validString(e.Host),
		Identifier: validString(e.Identifier), PID: validString(e.PID)}
	if f.Identifier == "" {
		f.Identifier = validString(e.Comm)
	}
	if f.PID == "" {
		f.PID = validString(e.SyslogPID)
	}
	if n, err := strconv.Atoi(string(e.Priority)); err == nil && n >= 0 && n < len(priorityNames) {
		f.Priority = priorityNames[n]
	}
	return f
}

// priorityNames are the syslog severities by number, as journalctl names
// them.
var priorityNames = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// JournalFormat says how a journal entry becomes a line's text.
type JournalFormat int

const (
	// JournalSyslog is rsyslog's traditional file format:
	// "Nov 30 18:46:12 web1 sshd[100]: message".
	JournalSyslog JournalFormat = iota
	// JournalMessage is MESSAGE alone.
	JournalMessage
)

// text renders the entry in format f: the bytes of MESSAGE, less one
// trailing newline (as rsyslog drops it), after the syslog header when f
// is JournalSyslog. The header is what rsyslog's traditional template
// writes: the time in the local zone with the day padded by a space,
// _HOSTNAME, then SYSLOG_IDENTIFIER (or _COMM, or "unknown") with the
// process id in brackets when the entry has one (_PID, or SYSLOG_PID).
func (e *jentry) text(f JournalFormat, jf *JournalFields, loc *time.Location) []byte {
	msg := bytes.TrimSuffix(e.Message, []byte("\n"))
	if f == JournalMessage {
		return msg
	}
	b := make([]byte, 0, len(msg)+64)
	if t := e.time(); !t.IsZero() {
		b = t.In(loc).AppendFormat(b, time.Stamp)
		b = append(b, ' ')
	}
	if jf.Host != "" {
		b = append(b, jf.Host...)
		b = append(b, ' ')
	}
	b = append(b, cmpOr(jf.Identifier, "unknown")...)
	if jf.PID != "" {
		b = append(b, '[')
		b = append(b, jf.PID...)
		b = append(b, ']')
	}
	b = append(b, ": "...)
	return append(b, msg...)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// cutText returns b as valid UTF-8, cut (never inside a character) and
// marked like a long file line when it is longer than max bytes.
func cutText(b []byte, max int) (string, bool) {
	if max <= 0 || len(b) <= max {
		return validString(b), false
	}
	cut := max
	for i := 0; i < utf8.UTFMax-1 && cut > 0 && !utf8.RuneStart(b[cut]); i++ {
		cut--
	}
	return validString(b[:cut]) + fmt.Sprintf(" …[cut %d bytes]", len(b)-cut), true
}
