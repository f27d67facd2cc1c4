package sender

import (
	"strings"
	"unicode/utf8"
)

// Title returns the first non-empty line of a plain-text message as a
// one-line title of at most max runes: control characters (CR included)
// replaced, tabs made spaces, and a longer line cut with "…". It never
// holds a line break, so it is safe as a mail subject or a header value.
func Title(msg string, max int) string {
	s := strings.ReplaceAll(printable(Summary(msg)), "\t", " ")
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	i := 0
	for range max - 1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}
