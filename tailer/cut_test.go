package tailer

import (
	"math"
	"strings"
	"testing"
)

// TestLineReaderHugeLimitStraddlingReads checks that a limit past
// MaxLineBytesLimit (up to the largest int) cannot overflow: a line that
// straddles two reads comes out whole, not empty.
func TestLineReaderHugeLimitStraddlingReads(t *testing.T) {
	first := strings.Repeat("x", readBufSize-6)
	in := first + "\nERROR straddles the read\n"
	for _, max := range []int{math.MaxInt, math.MaxInt - 2, MaxLineBytesLimit + 1} {
		got := readAll(t, strings.NewReader(in), max)
		if len(got) != 2 || got[0].text != first || got[1].text != "ERROR straddles the read" {
			t.Errorf("max %d: lines %q, want the two lines whole", max, texts(got))
		}
	}
}

func texts(ls []rawLine) []string {
	var out []string
	for _, l := range ls {
		s := l.text
		if len(s) > 40 {
			s = s[:20] + "…" + s[len(s)-20:]
		}
		out = append(out, s)
	}
	return out
}

// TestLineShown checks how a cut line is shown: the marker where the bytes
// were, between the head and the tail.
func TestLineShown(t *testing.T) {
	long := strings.Repeat("a", 150) + " PANIC"
	ls := readAll(t, strings.NewReader(long+"\n"), 100)
	if len(ls) != 1 {
		t.Fatalf("lines: %q", texts(ls))
	}
	l := Line{Text: ls[0].text, Cut: ls[0].cut, CutAt: ls[0].cutAt}
	if !strings.HasSuffix(l.Text, "\naaaaaaaaaaaaaaaaaaa PANIC") || strings.Contains(l.Text, "cut") {
		t.Errorf("Text = %q, want the head, a newline and the last 25 bytes, no marker", l.Text)
	}
	want := strings.Repeat("a", 75) + " …[cut 56 bytes]… " + strings.Repeat("a", 19) + " PANIC"
	if got := l.Shown(); got != want {
		t.Errorf("Shown() = %q, want %q", got, want)
	}
	if got := (Line{Text: "plain"}).Shown(); got != "plain" {
		t.Errorf("Shown() of an uncut line = %q", got)
	}
	// A multiline event whose end was left out shows the marker at its end.
	ev := Line{Text: "start\n  more", Cut: 9, CutAt: 12}
	if got := ev.Shown(); got != "start\n  more …[cut 9 bytes]" {
		t.Errorf("Shown() of a cut event = %q", got)
	}
}
