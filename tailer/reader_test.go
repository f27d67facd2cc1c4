package tailer

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// readAll reads every line of r, flushing the partial last line at EOF.
func readAll(t *testing.T, r io.Reader, max int) []rawLine {
	t.Helper()
	lr := newLineReader(r, max, 0)
	var got []rawLine
	for {
		l, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		got = append(got, l)
	}
	if l, ok := lr.flush(); ok {
		got = append(got, l)
	}
	return got
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want []rawLine
	}{
		{"empty input", "", 0, nil},
		{"lines", "a\nbc\n", 0, []rawLine{{text: "a", off: 0, end: 2}, {text: "bc", off: 2, end: 5}}},
		{"partial last line", "a\nbc", 0, []rawLine{{text: "a", off: 0, end: 2}, {text: "bc", off: 2, end: 4}}},
		{"empty lines", "\n\nx\n\n", 0, []rawLine{{off: 0, end: 1}, {off: 1, end: 2}, {text: "x", off: 2, end: 4}, {off: 4, end: 5}}},
		{"crlf", "a\r\nb\r\n\r\n", 0, []rawLine{{text: "a", off: 0, end: 3}, {text: "b", off: 3, end: 6}, {off: 6, end: 8}}},
		{"inner cr kept", "a\rb\n", 0, []rawLine{{text: "a\rb", off: 0, end: 4}}},
		{"invalid utf8", "a\xffb\xc3\n", 0, []rawLine{{text: "a\uFFFDb\uFFFD", off: 0, end: 5}}},
		{"binary garbage", "\x00\x01\xfe\xfe\xfe\x02\n", 0, []rawLine{{text: "\x00\x01\uFFFD\x02", off: 0, end: 7}}},
		{"at limit", "abcd\r\n", 4, []rawLine{{text: "abcd", off: 0, end: 6}}},
		{"over limit", "abcdef\nxy\n", 4, []rawLine{
			{text: "abc\nf", truncated: true, off: 0, end: 7, cut: 2, cutAt: 3},
			{text: "xy", off: 7, end: 10},
		}},
		{"cut at rune boundary", "ab\u00e9\u00e9\n", 3, []rawLine{{text: "ab", truncated: true, off: 0, end: 7, cut: 4, cutAt: 2}}},
		{"overlong crlf keeps its end", "abcdefgh\r\n", 8, []rawLine{{text: "abcdefgh", off: 0, end: 10}}},
		{"overlong crlf", "abcdefghij\r\n", 8, []rawLine{{text: "abcdef\nij", truncated: true, off: 0, end: 12, cut: 2, cutAt: 6}}},
		{"tail on a rune boundary", "abcdefgh\u00e9z\n", 8, []rawLine{{text: "abcdef\nz", truncated: true, off: 0, end: 12, cut: 4, cutAt: 6}}},
		{"overlong partial last line", "abcdef", 2, []rawLine{{text: "ab", truncated: true, off: 0, end: 6, cut: 4, cutAt: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				got := readAll(t, r, tt.max)
				if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(rawLine{})); diff != "" {
					t.Errorf("lines mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLineReaderLongLineSmallLimit(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 1<<20)
	in := append(append([]byte("first\n"), long...), "\nlast\n"...)
	got := readAll(t, bytes.NewReader(in), 10)
	want := []rawLine{
		{text: "first", off: 0, end: 6},
		{text: "xxxxxxxx\nxx", truncated: true, off: 6, end: 6 + 1<<20 + 1, cut: 1048566, cutAt: 8},
		{text: "last", off: 6 + 1<<20 + 1, end: 6 + 1<<20 + 6},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(rawLine{})); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
}

// endless yields one line that never ends.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), e.n)
	for i := range p[:n] {
		p[i] = 'y'
	}
	e.n -= n
	return int(n), nil
}

func TestLineReaderDoesNotBufferOverlongLine(t *testing.T) {
	lr := newLineReader(&endless{n: 64 << 20}, 100, 0)
	if _, err := lr.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("next = %v, want EOF", err)
	}
	if got := cap(lr.pending); got > 4<<10 {
		t.Errorf("pending holds %d bytes of a 64 MiB line, want at most a few KiB", got)
	}
	l, ok := lr.flush()
	if !ok || !l.truncated || l.end != 64<<20 {
		t.Errorf("flush = %+v, %v; want a truncated line ending at %d", l, ok, 64<<20)
	}
}

func TestLineReaderResumesPartialLine(t *testing.T) {
	var buf bytes.Buffer
	lr := newLineReader(&buf, 0, 100)
	buf.WriteString("hel")
	if _, err := lr.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("next on partial line = %v, want EOF", err)
	}
	buf.WriteString("lo\nnext")
	got, err := lr.next()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rawLine{text: "hello", off: 100, end: 106}, got, cmp.AllowUnexported(rawLine{})); diff != "" {
		t.Errorf("line mismatch (-want +got):\n%s", diff)
	}
}

// TestLineReaderAcrossReads: lines wholly inside one read are slices of
// that read's block string, the others are copied; whatever the reads'
// sizes, every line comes out as written.
func TestLineReaderAcrossReads(t *testing.T) {
	var in strings.Builder
	var want []string
	for i := range 3000 {
		l := strings.Repeat(string(rune('a'+i%26)), i%150) + "é"
		want = append(want, l)
		in.WriteString(l + "\n")
	}
	for _, r := range []io.Reader{
		strings.NewReader(in.String()),
		iotest.HalfReader(strings.NewReader(in.String())),
		&chunkReader{s: in.String(), n: 1000},
	} {
		var got []string
		for _, l := range readAll(t, r, 0) {
			got = append(got, l.text)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%T: lines mismatch (-want +got):\n%s", r, diff)
		}
	}
}

// chunkReader returns at most n bytes a read.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}
