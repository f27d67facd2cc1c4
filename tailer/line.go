// Package tailer owns the sources of log lines: standard input (Stdin) and
// followed files (Tailer). It turns bytes into Line values (valid UTF-8,
// without "\r\n", cut at a size limit, joined into multiline events when
// asked), follows files by name through rename and copytruncate rotation,
// and keeps, per file identity (device, inode and a fingerprint of the
// first bytes), how far the lines have been safely handled, so that a
// restart resumes where it stopped. The rotation rules are written down in
// follow.go.
package tailer

import (
	"strconv"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// DefaultMaxLineBytes is the length at which a line is cut when a source
// does not set its own limit.
const DefaultMaxLineBytes = config.DefaultMaxLineBytes

// MaxLineBytesLimit is the largest max_line_bytes: a larger value is
// refused at check and taken as this by a source.
const MaxLineBytesLimit = config.MaxLineBytesLimit

// Line is one line (or one multiline event) read from a source.
type Line struct {
	// Text is the line without its newline, always valid UTF-8.
	Text string
	// File names the source: a path, or "-" for standard input.
	File string
	// Time is when the line was read.
	Time time.Time
	// Truncated reports that the line was longer than the limit and cut.
	Truncated bool
	// Cut is how many bytes of an overlong line were left out, and CutAt
	// where in Text they were. Text then holds what rules match: the
	// line's head, and, when the limit leaves room for it, a "\n" at
	// CutAt and the line's last bytes, so that `^ERROR` and `PANIC$` see
	// the line's real start and end, `.` never spans the gap, and the cut
	// marker is no log text (`\d+ bytes` does not match it). Shown puts
	// the marker in for people to read.
	Cut   int64
	CutAt int
	// Cursor tracks the position of the file the line came from. It is nil
	// for sources whose position is not kept (standard input).
	Cursor *Cursor
	// Offset is the byte offset at which the line starts in its file.
	Offset int64
	// End is the byte offset just past the line and its newline.
	End int64
	// Journal holds the fields of a journal entry; nil for other sources.
	// For journal lines Offset and End number the entries of the input.
	Journal *JournalFields
}

// Shown returns Text as people should see it: for a cut line, with the
// marker " …[cut N bytes]" where the bytes were left out.
func (l Line) Shown() string {
	if l.Cut <= 0 || l.CutAt < 0 || l.CutAt > len(l.Text) {
		return l.Text
	}
	marker := " …[cut " + strconv.FormatInt(l.Cut, 10) + " bytes]"
	if l.CutAt < len(l.Text) && l.Text[l.CutAt] == '\n' {
		return l.Text[:l.CutAt] + marker + "… " + l.Text[l.CutAt+1:]
	}
	return l.Text[:l.CutAt] + marker + l.Text[l.CutAt:]
}

// Cursor keeps how far a file's lines have been handled, so that a saved
// read position never moves past a matched line whose digest is not yet
// safe. Lines are handed on in order; a consumer calls Handled for every
// line once it is done with it, and Hold (then later Release) for a line
// that must be read again after a crash until its digest is safe.
//
// All methods are safe for concurrent use and for a nil *Cursor (they do
// nothing then).
type Cursor struct {
	mu    sync.Mutex
	done  int64         // protected by mu; offset up to which lines are handled
	holds map[int64]int // protected by mu; start offsets held by open digests
}

// NewCursor returns a Cursor whose lines up to offset are already handled.
func NewCursor(offset int64) *Cursor {
	return &Cursor{done: offset, holds: map[int64]int{}}
}

// Hold keeps the safe position at or before off until Release(off).
func (c *Cursor) Hold(off int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.holds[off]++
	c.mu.Unlock()
}

// Release undoes one Hold(off).
func (c *Cursor) Release(off int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if n := c.holds[off]; n > 1 {
		c.holds[off] = n - 1
	} else {
		delete(c.holds, off)
	}
	c.mu.Unlock()
}

// Handled records that every line ending at or before end is handled.
func (c *Cursor) Handled(end int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if end > c.done {
		c.done = end
	}
	c.mu.Unlock()
}

// Safe returns the offset from which reading must resume after a crash:
// the start of the oldest held line, or else the end of the handled lines.
func (c *Cursor) Safe() int64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	safe := c.done
	for off := range c.holds {
		if off < safe {
			safe = off
		}
	}
	return safe
}

// Reset forgets handled lines and holds, after the file was truncated or
// replaced and is read again from offset.
func (c *Cursor) Reset(offset int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.done = offset
	clear(c.holds)
	c.mu.Unlock()
}
