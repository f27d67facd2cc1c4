package tailer

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// errEntryJSON is a line of journalctl's output that is not the flat JSON
// object --output=json writes.
var errEntryJSON = errors.New("journal entry: not a JSON object of fields")

// decodeEntry fills e from one line of `journalctl --output=json`: a flat
// object whose values are strings, arrays of byte values, null, or arrays
// of those (a field the entry has more than once). It scans the object
// itself rather than through encoding/json, which took most of the time
// of a journal input: only the fields of jentry are kept.
func decodeEntry(b []byte, e *jentry) error {
	d := entryScanner{b: b}
	if !d.skipSpace() || d.b[d.i] != '{' {
		return errEntryJSON
	}
	d.i++
	if !d.skipSpace() {
		return errEntryJSON
	}
	if d.b[d.i] == '}' {
		return nil
	}
	for {
		if !d.skipSpace() {
			return errEntryJSON
		}
		key, ok := d.str()
		if !ok || !d.skipSpace() || d.b[d.i] != ':' {
			return errEntryJSON
		}
		d.i++
		dst := e.field(key)
		if !d.value(dst) {
			return errEntryJSON
		}
		if !d.skipSpace() {
			return errEntryJSON
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			return nil
		default:
			return errEntryJSON
		}
	}
}

// field returns where the value of key goes, or nil to skip it.
func (e *jentry) field(key []byte) *jvalue {
	switch string(key) {
	case "MESSAGE":
		return &e.Message
	case "_HOSTNAME":
		return &e.Host
	case "_SYSTEMD_UNIT":
		return &e.Unit
	case "SYSLOG_IDENTIFIER":
		return &e.Identifier
	case "_COMM":
		return &e.Comm
	case "_PID":
		return &e.PID
	case "SYSLOG_PID":
		return &e.SyslogPID
	case "PRIORITY":
		return &e.Priority
	case "__CURSOR":
		return &e.cursor
	case "__REALTIME_TIMESTAMP":
		return &e.realtime
	}
	return nil
}

// entryScanner reads one JSON object.
type entryScanner struct {
	b []byte
	i int
}

// skipSpace skips white space and reports whether bytes are left.
func (d *entryScanner) skipSpace() bool {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\r', '\n':
			d.i++
		default:
			return true
		}
	}
	return false
}

// str reads a string and returns its bytes, unescaped. Without escapes
// they are a slice of the line.
func (d *entryScanner) str() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start, escaped := d.i, false
	for d.i++; d.i < len(d.b); d.i++ {
		k := bytes.IndexAny(d.b[d.i:], `"\\`)
		if k < 0 {
			break
		}
		d.i += k
		if d.b[d.i] == '\\' {
			escaped = true
			d.i++
			continue
		}
		d.i++
		if !escaped {
			return d.b[start+1 : d.i-1], true
		}
		var s string
		if json.Unmarshal(d.b[start:d.i], &s) != nil {
			return nil, false
		}
		return []byte(s), true
	}
	return nil, false
}

// value reads a value into dst (nil: skips it). Of a repeated field, the
// last value is kept.
func (d *entryScanner) value(dst *jvalue) bool {
	if !d.skipSpace() {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		s, ok := d.str()
		if ok && dst != nil {
			*dst = s
		}
		return ok
	case c == 'n':
		if len(d.b)-d.i < 4 || string(d.b[d.i:d.i+4]) != "null" {
			return false
		}
		d.i += 4
		if dst != nil {
			*dst = nil
		}
		return true
	case c == '[':
		return d.array(dst)
	}
	return false
}

// array reads an array: the bytes of a value that is not valid UTF-8, or
// the values of a repeated field.
func (d *entryScanner) array(dst *jvalue) bool {
	d.i++
	var bytes []byte
	numbers := false
	for first := true; ; first = false {
		if !d.skipSpace() {
			return false
		}
		if d.b[d.i] == ']' && first {
			d.i++
			break
		}
		if c := d.b[d.i]; c >= '0' && c <= '9' {
			j := d.i
			for j < len(d.b) && d.b[j] >= '0' && d.b[j] <= '9' {
				j++
			}
			n, err := strconv.ParseUint(string(d.b[d.i:j]), 10, 8)
			if err != nil {
				return false
			}
			bytes, numbers, d.i = append(bytes, byte(n)), true, j
		} else if !d.value(dst) {
			return false
		}
		if !d.skipSpace() {
			return false
		}
		if d.b[d.i] == ']' {
			d.i++
			break
		}
		if d.b[d.i] != ',' {
			return false
		}
		d.i++
	}
	if numbers && dst != nil {
		*dst = bytes
	}
	return true
}
