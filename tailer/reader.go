package tailer

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// readBufSize is the size of one read from a source.
const readBufSize = 64 << 10

// bufPool holds read buffers. A reader gives its buffer back whenever it has
// consumed everything it read, so that an idle file holds no buffer.
var bufPool = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

// rawLine is one line cut from a byte stream, before it becomes a Line.
type rawLine struct {
	text      string
	truncated bool
	off, end  int64
	cut       int64 // bytes left out of an overlong line (see Line.Cut)
	cutAt     int   // where in text they were
}

// lineReader splits a byte stream into lines. Whatever the length of a line,
// it keeps at most max (+3, to find a rune boundary) bytes of it: the rest of
// an overlong line is counted and skipped, never buffered.
type lineReader struct {
	r       io.Reader
	max     int
	buf     *[]byte // nil while nothing unread is buffered
	rd, wr  int     // unread data is (*buf)[rd:wr]
	off     int64   // stream offset of the next unread byte
	start   int64   // stream offset where the current line starts
	pending []byte  // kept bytes of the current unfinished line
	tail    []byte  // the last tailBytes(max) bytes of the current unfinished line
	n       int64   // bytes of the current line seen so far, newline excluded
	last    byte    // last byte of the current line seen so far
	reads   uint64  // reads that brought data: a source stamps lines once per read
	// block is the buffer's data as one string, made for the first line
	// that lies wholly in it: such lines are slices of it rather than a
	// string each. "" until then; every read starts a new one.
	block string
}

// newLineReader returns a lineReader for r whose first byte is at offset off.
func newLineReader(r io.Reader, max int, off int64) *lineReader {
	if max <= 0 {
		max = DefaultMaxLineBytes
	}
	max = min(max, MaxLineBytesLimit)
	return &lineReader{r: r, max: max, off: off, start: off}
}

// next returns the next complete line. When no complete line is available
// it returns the reader's error (io.EOF at the end of the data so far); the
// bytes of an unfinished line are kept for the next call.
func (lr *lineReader) next() (rawLine, error) {
	for {
		if l, ok := lr.buffered(); ok {
			return l, nil
		}
		if err := lr.fill(); err != nil {
			return rawLine{}, err
		}
	}
}

// buffered returns the next line if it is complete in what was read
// already; otherwise it keeps the bytes of the unfinished line and reports
// false. It never reads, so it never blocks.
func (lr *lineReader) buffered() (rawLine, bool) {
	if lr.rd >= lr.wr {
		return rawLine{}, false
	}
	data := (*lr.buf)[lr.rd:lr.wr]
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		lr.rd += i + 1
		lr.off += int64(i + 1)
		if lr.n == 0 {
			// The whole line is in the buffer: no copy.
			lr.count(data[:i])
			return lr.finish(data[:i], lr.rd-i-1), true
		}
		lr.keep(data[:i])
		return lr.finish(lr.pending, -1), true
	}
	lr.keep(data)
	lr.off += int64(len(data))
	lr.rd = lr.wr
	return rawLine{}, false
}

// fill reads more data into the empty buffer. It gives the buffer back to
// the pool when the read brings nothing.
func (lr *lineReader) fill() error {
	if lr.buf == nil {
		lr.buf = bufPool.Get().(*[]byte)
	}
	n, err := lr.r.Read(*lr.buf)
	lr.rd, lr.wr = 0, n
	lr.block = ""
	if n > 0 {
		lr.reads++
		return nil
	}
	bufPool.Put(lr.buf)
	lr.buf = nil
	if err == nil {
		// A Read of nothing without error: report it as the end of the
		// data for now, so that a caller waits instead of spinning.
		err = io.EOF
	}
	return err
}

// count records b as part of the current line without keeping it.
func (lr *lineReader) count(b []byte) {
	if len(b) > 0 {
		lr.n += int64(len(b))
		lr.last = b[len(b)-1]
	}
}

// keep records b as part of the current line and copies into pending no
// more than max+3 bytes of the line.
func (lr *lineReader) keep(b []byte) {
	lr.count(b)
	if room := lr.max + utf8.UTFMax - 1 - len(lr.pending); room > 0 {
		lr.pending = append(lr.pending, b[:min(room, len(b))]...)
	}
	lr.keepTail(b)
}

// keepTail records b as the latest bytes of the current line, keeping
// only the last tailBytes(max) of them, for the end of an overlong line.
func (lr *lineReader) keepTail(b []byte) {
	t := tailBytes(lr.max)
	if t == 0 {
		return
	}
	if len(b) >= t {
		lr.tail = append(lr.tail[:0], b[len(b)-t:]...)
		return
	}
	lr.tail = append(lr.tail, b...)
	if over := len(lr.tail) - t; over > 0 {
		lr.tail = lr.tail[:copy(lr.tail, lr.tail[over:])]
	}
}

// finish turns the current line, whose kept bytes are b, into a rawLine
// and starts the next one. at is where b starts in the buffer, or -1 if
// b is not in it.
func (lr *lineReader) finish(b []byte, at int) rawLine {
	n := lr.n
	if n > 0 && lr.last == '\r' {
		n--
	}
	whole := int64(len(b)) == lr.n // b is all of the line, not its kept head
	b = b[:min(int64(len(b)), n)]
	l := rawLine{off: lr.start, end: lr.off}
	if n > int64(lr.max) {
		tail := lr.tail
		if whole {
			tail = b[n-int64(min(int64(tailBytes(lr.max)), n)):]
		} else if lr.last == '\r' && len(tail) > 0 {
			tail = tail[:len(tail)-1]
		}
		l = lr.cutLine(l, b, tail, n)
	} else {
		l.text = lr.text(b, at)
	}
	lr.tail = lr.tail[:0]
	lr.start, lr.n, lr.last = lr.off, 0, 0
	if cap(lr.pending) > 4<<10 {
		lr.pending = nil // do not keep the memory of one long line
	} else {
		lr.pending = lr.pending[:0]
	}
	return l
}

// cutLine fills l for an overlong line of n bytes whose head is in b and
// whose last bytes are tail: the text rules match is the head, then "\n",
// then the tail, all on whole runes (see Line.Cut).
func (lr *lineReader) cutLine(l rawLine, b, tail []byte, n int64) rawLine {
	cut := lr.max - tailBytes(lr.max)
	for i := 0; i < utf8.UTFMax-1 && cut > 0 && cut < len(b) && !utf8.RuneStart(b[cut]); i++ {
		cut--
	}
	for i := 0; i < utf8.UTFMax-1 && len(tail) > 0 && !utf8.RuneStart(tail[0]); i++ {
		tail = tail[1:]
	}
	head := validString(b[:cut])
	l.text, l.cutAt, l.truncated = head, len(head), true
	l.cut = n - int64(cut) - int64(len(tail))
	if len(tail) > 0 {
		l.text = head + "\n" + validString(tail)
	}
	return l
}

// tailBytes is how much of the end of an overlong line is kept, out of
// max: a quarter, at most 4 KiB, so that a pattern anchored at the end
// (`PANIC$`) still sees the line's real end.
func tailBytes(max int) int { return min(max/4, 4<<10) }

// flush returns the unfinished line, if any, as a line: the end of a
// stream, or of a file that will not grow any more.
func (lr *lineReader) flush() (rawLine, bool) {
	if lr.off == lr.start {
		return rawLine{}, false
	}
	return lr.finish(lr.pending, -1), true
}

// text returns b, which starts at at in the buffer (or is not in it if at
// is negative), as valid UTF-8: a slice of the buffer's block string
// where it can.
//
// A slice keeps the whole block (64 KiB) alive: whatever keeps a line's
// text, or a part of it, past the handling of the line (a digest's
// sample, a group value, the rule tester's samples) keeps a copy
// (strings.Clone).
func (lr *lineReader) text(b []byte, at int) string {
	if at < 0 || !utf8.Valid(b) {
		return validString(b)
	}
	if lr.block == "" {
		lr.block = string((*lr.buf)[:lr.wr])
	}
	return lr.block[at : at+len(b)]
}

// validString returns b as a string with invalid UTF-8 replaced by U+FFFD.
func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
