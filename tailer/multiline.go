package tailer

import (
	"fmt"
	"regexp"
	"time"
)

// DefaultMultilineTimeout is how long an open multiline event waits for
// another line when Multiline.Timeout is not set.
const DefaultMultilineTimeout = time.Second

// Multiline joins continuation lines (a stack trace) to the line that starts
// their event.
type Multiline struct {
	// Start matches the first line of an event. A line that does not match
	// it joins the event before it, separated by "\n".
	Start *regexp.Regexp
	// Timeout closes an open event when no line followed it for this long;
	// 0 means DefaultMultilineTimeout.
	Timeout time.Duration
}

// timeout returns the effective timeout of m.
func (m *Multiline) timeout() time.Duration {
	if m.Timeout > 0 {
		return m.Timeout
	}
	return DefaultMultilineTimeout
}

// joiner builds multiline events out of lines. An event's text is held to
// max bytes; further continuation lines still extend its End but are cut.
type joiner struct {
	start   *regexp.Regexp
	max     int
	open    bool
	ev      Line   // the open event, Text unset
	text    []byte // text of the open event
	dropped int64  // bytes of continuation lines cut from the open event
}

// newJoiner returns a joiner for m, or nil when m is nil (no joining).
func newJoiner(m *Multiline, max int) *joiner {
	if m == nil || m.Start == nil {
		return nil
	}
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	return &joiner{start: m.Start, max: max}
}

// add takes the next line and returns the event it closes, if any.
func (j *joiner) add(l Line) (Line, bool) {
	if !j.open {
		j.begin(l)
		return Line{}, false
	}
	if j.start.MatchString(l.Text) {
		ev, _ := j.flush()
		j.begin(l)
		return ev, true
	}
	// A cut continuation line joins as it is shown, marker and all: an
	// event keeps the place of one cut only (its first line's, or of the
	// lines left out at its end).
	text := l.Shown()
	if len(j.text)+1+len(text) <= j.max {
		j.text = append(j.text, '\n')
		j.text = append(j.text, text...)
	} else {
		j.dropped += int64(1 + len(l.Text))
	}
	j.ev.Truncated = j.ev.Truncated || l.Truncated
	j.ev.End = l.End
	return Line{}, false
}

// begin opens an event with l as its first line.
func (j *joiner) begin(l Line) {
	j.open = true
	j.ev = l
	j.text = append(j.text[:0], l.Text...)
	j.dropped = 0
}

// flush closes and returns the open event, if any.
func (j *joiner) flush() (Line, bool) {
	if !j.open {
		return Line{}, false
	}
	ev := j.ev
	ev.Text = string(j.text)
	switch {
	case j.dropped > 0 && ev.Cut == 0:
		ev.Cut, ev.CutAt, ev.Truncated = j.dropped, len(ev.Text), true
	case j.dropped > 0:
		ev.Text += fmt.Sprintf(" …[cut %d bytes]", j.dropped)
	}
	j.open = false
	j.ev = Line{}
	if cap(j.text) > 4<<10 {
		j.text = nil
	}
	return ev, true
}
