package sender

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unit is what a destination counts when it limits a message's size.
type Unit int

const (
	// Runes counts Unicode code points.
	Runes Unit = iota
	// Bytes counts UTF-8 bytes.
	Bytes
	// UTF16 counts UTF-16 code units: a code point above U+FFFF counts
	// twice. It is never less than Runes, so it is the safe choice when a
	// server's "characters" are not documented.
	UTF16
)

// String names the unit as the cut marker says it.
func (u Unit) String() string {
	if u == Bytes {
		return "bytes"
	}
	return "characters"
}

// runeLen is the size of r in unit u.
func (u Unit) runeLen(r rune, size int) int {
	switch u {
	case Bytes:
		return size
	case UTF16:
		if r > 0xFFFF {
			return 2
		}
	}
	return 1
}

// Len measures s in unit u.
func (u Unit) Len(s string) int {
	switch u {
	case Bytes:
		return len(s)
	case Runes:
		return utf8.RuneCountInString(s)
	}
	n := 0
	for _, r := range s {
		n += u.runeLen(r, 0)
	}
	return n
}

// Cut fits msg into limit (counted in unit). A message that fits is
// returned unchanged, except that invalid UTF-8 is always replaced by
// U+FFFD. A longer one is cut at the last line boundary that fits (or, if
// that would lose more than half, at a rune boundary) and ends with a
// marker saying how much was cut, e.g. "… [cut: 1234 more characters]";
// the marker counts toward limit. With format "html" the cut is never
// inside a tag or an entity, and elements left open are closed. If even
// the marker does not fit, the result is a shorter marker or a bare
// prefix; the result never exceeds limit.
func Cut(msg string, limit int, unit Unit, format string) string {
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "\uFFFD")
	}
	if limit <= 0 {
		return ""
	}
	total := unit.Len(msg)
	if total <= limit {
		return msg
	}
	html := format == "html"
	for _, long := range []bool{true, false} {
		// The marker is sized for the whole message: the real count is
		// smaller, so the real marker is never longer.
		budget := limit - unit.Len(marker(total, unit, long))
		if long {
			budget-- // the newline before it
		}
		for budget >= 0 {
			out := cutTo(msg, budget, unit, html, long)
			n := unit.Len(out)
			if n <= limit {
				return out
			}
			budget -= n - limit
		}
	}
	if html {
		return ""
	}
	return msg[:cutPoint(msg, limit, unit, false)]
}

// cutTo cuts msg to at most budget units and appends closing tags (html)
// and the marker.
func cutTo(msg string, budget int, unit Unit, html, long bool) string {
	p := cutPoint(msg, budget, unit, html)
	var b strings.Builder
	b.WriteString(msg[:p])
	if html {
		b.WriteString(closeTags(msg[:p]))
	}
	if long && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteByte('\n')
	}
	b.WriteString(marker(unit.Len(msg[p:]), unit, long))
	return b.String()
}

// marker says that n units of the message were cut.
func marker(n int, unit Unit, long bool) string {
	if !long {
		return "…"
	}
	return "… [cut: " + strconv.Itoa(n) + " more " + unit.String() + "]"
}

// cutPoint returns the byte offset where msg is cut so that msg[:p]
// measures at most budget.
func cutPoint(msg string, budget int, unit Unit, html bool) int {
	p, n := 0, 0
	for i, r := range msg {
		w := unit.runeLen(r, utf8.RuneLen(r))
		if n+w > budget {
			break
		}
		n += w
		p = i + utf8.RuneLen(r)
	}
	if html {
		p = outsideMarkup(msg, p)
	}
	nl := strings.LastIndexByte(msg[:p], '\n')
	if nl >= 0 && nl+1 >= p/2 && (!html || outsideMarkup(msg, nl+1) == nl+1) {
		p = nl + 1
	}
	return p
}

// Limited is implemented by a Notifier whose destination caps the size of
// one message, so that digests can be packed to fit before they are sent.
type Limited interface {
	// Limit returns the size of the largest message, counted in unit.
	Limit() (n int, unit Unit)
}
