package sender

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCutExamples(t *testing.T) {
	tests := []struct {
		name   string
		msg    string
		limit  int
		unit   Unit
		format string
		want   string
	}{
		{"fits", "short", 10, Runes, "text", "short"},
		{"fits exactly", "12345", 5, Runes, "text", "12345"},
		{"line boundary", "line one\nline two\nline three is long\nline four\n", 46, Runes, "text",
			"line one\nline two\n… [cut: 29 more characters]"},
		{"rune boundary", strings.Repeat("é", 50), 40, Bytes, "text",
			"ééééééé\n… [cut: 86 more bytes]"},
		{"utf16 astral", strings.Repeat("😀", 30), 40, UTF16, "text",
			"😀😀😀😀😀😀\n… [cut: 48 more characters]"},
		{"html tag", "<b>bold</b> <i>italic text here</i> and more text", 45, Runes, "html",
			"<b>bold</b> \n… [cut: 37 more characters]"},
		{"html entity", "a &amp; b &amp; c &amp; d &amp; e &amp; f", 40, Runes, "html",
			"a &amp; b \n… [cut: 31 more characters]"},
		{"html open element closed", "<pre>aaaa\nbbbb\ncccc\ndddd\neeee\nffff\ngggg\nhhhh</pre>", 45, Runes, "html",
			"<pre>aaaa\n</pre>\n… [cut: 40 more characters]"},
		{"short marker", "abcdefghij", 3, Runes, "text", "ab…"},
		{"marker only", "abcdefghij", 3, Bytes, "text", "…"},
		{"bare prefix", "abcdefghij", 2, Bytes, "text", "ab"},
		{"zero", "abc", 0, Runes, "text", ""},
		{"invalid utf-8 replaced", "a\xffb", 10, Runes, "text", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Cut(tt.msg, tt.limit, tt.unit, tt.format)
			if got != tt.want {
				t.Errorf("Cut(%q, %d) =\n%q\nwant\n%q", tt.msg, tt.limit, got, tt.want)
			}
		})
	}
}

// pieces are the building blocks of random messages: multi-byte runes,
// astral runes, newlines, tags, entities and invalid bytes.
var pieces = []string{
	"a", "b", "word ", "\n", "é", "€", "😀", "中文", "&amp;", "&lt;", "&#39;",
	"<b>", "</b>", "<pre>", "</pre>", "<br>", "<a href=\"x\">", "</a>", "\xff", "\xe2\x82",
}

func randomMessage(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(400) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func TestCutProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		msg := randomMessage(r)
		limit := r.IntN(300)
		unit := Unit(r.IntN(3))
		format := []string{"text", "html"}[r.IntN(2)]
		got := Cut(msg, limit, unit, format)
		valid := strings.ToValidUTF8(msg, "\uFFFD")
		if n := unit.Len(got); n > limit {
			t.Fatalf("case %d: Cut(%q, %d, %v) = %q measures %d", i, msg, limit, unit, got, n)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("case %d: Cut(%q) = %q is not valid UTF-8", i, msg, got)
		}
		if unit.Len(valid) <= limit {
			if got != valid {
				t.Fatalf("case %d: Cut changed a message that fits: %q -> %q", i, msg, got)
			}
			continue
		}
		body := got
		if k := strings.LastIndex(got, "…"); k >= 0 {
			body = strings.TrimSuffix(got[:k], "\n")
		}
		if format == "html" {
			body = trimClosers(body)
			if strings.LastIndexByte(body, '<') > strings.LastIndexByte(body, '>') {
				t.Fatalf("case %d: Cut(%q) = %q ends inside a tag", i, msg, got)
			}
			if a := strings.LastIndexByte(body, '&'); a >= 0 && !strings.Contains(body[a:], ";") {
				t.Fatalf("case %d: Cut(%q) = %q ends inside an entity", i, msg, got)
			}
		}
		if !strings.HasPrefix(valid, body) {
			t.Fatalf("case %d: Cut(%q) = %q is not a prefix", i, msg, got)
		}
	}
}

// trimClosers removes the closing tags Cut appends.
func trimClosers(s string) string {
	for strings.HasSuffix(s, ">") {
		i := strings.LastIndex(s, "</")
		if i < 0 || strings.ContainsAny(s[i+2:len(s)-1], "<> ") {
			break
		}
		s = s[:i]
	}
	return s
}

func TestCutMarkerCountsAll(t *testing.T) {
	msg := strings.Repeat("x", 100) + "\n" + strings.Repeat("y", 5000)
	got := Cut(msg, 200, Runes, "text")
	kept := strings.Index(got, "\n… ")
	if !strings.Contains(got, "[cut: 5000 more characters]") || kept != 100 {
		t.Errorf("Cut = %q, want the first line and a marker counting the rest", got)
	}
}

func TestCutLargeMessage(t *testing.T) {
	msg := strings.Repeat("<b>&amp;@all</b>\n", 1<<16) // ~1 MB
	got := Cut(msg, 10000, UTF16, "html")
	if UTF16.Len(got) > 10000 || !strings.HasSuffix(got, "more characters]") {
		t.Errorf("Cut of 1 MB: %d units, tail %q", UTF16.Len(got), got[len(got)-40:])
	}
}
