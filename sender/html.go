package sender

import "strings"

// maxEntity is longer than any HTML character reference name.
const maxEntity = 40

// outsideMarkup moves the cut point p back so that msg[:p] does not end
// inside a tag or a character reference.
func outsideMarkup(msg string, p int) int {
	s := msg[:p]
	if lt := strings.LastIndexByte(s, '<'); lt > strings.LastIndexByte(s, '>') {
		p, s = lt, s[:lt]
	}
	amp := strings.LastIndexByte(s, '&')
	if amp < 0 || p-amp > maxEntity {
		return p
	}
	for _, c := range []byte(s[amp+1:]) {
		if !isEntityByte(c) {
			return p
		}
	}
	// "&amp" or "&#3" without its ';': an unfinished reference.
	return amp
}

func isEntityByte(c byte) bool {
	return c == '#' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// voidElements never have a closing tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true,
	"track": true, "wbr": true,
}

// closeTags returns the closing tags for the elements left open at the end
// of s, innermost first.
func closeTags(s string) string {
	var open []string
	for {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			break
		}
		tag := s[lt+1 : lt+gt]
		s = s[lt+gt+1:]
		open = applyTag(open, tag)
	}
	var b strings.Builder
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i] + ">")
	}
	return b.String()
}

// applyTag updates the stack of open elements with one tag's inside.
func applyTag(open []string, tag string) []string {
	if tag == "" || tag[0] == '!' || tag[0] == '?' || strings.HasSuffix(tag, "/") {
		return open
	}
	closing := tag[0] == '/'
	if closing {
		tag = tag[1:]
	}
	name := strings.ToLower(tag)
	if i := strings.IndexAny(name, " \t\r\n/"); i >= 0 {
		name = name[:i]
	}
	if name == "" || voidElements[name] || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return open
	}
	if !closing {
		return append(open, name)
	}
	for i := len(open) - 1; i >= 0; i-- {
		if open[i] == name {
			return open[:i]
		}
	}
	return open
}
