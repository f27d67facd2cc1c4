package telegram

import (
	"html"
	"regexp"
	"strings"
)

// allowed are the tags of Telegram's HTML style that roomwatch keeps
// (without attributes, except a's href).
var allowed = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true, "strike": true,
	"del": true, "code": true, "pre": true, "blockquote": true, "a": true,
}

// breaks are tags that end a line in HTML but do not exist in Telegram.
var breaks = map[string]bool{"br": true, "p": true, "div": true, "li": true, "tr": true}

var (
	tagRE  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>`)
	hrefRE = regexp.MustCompile(`(?i)\bhref\s*=\s*("([^"]*)"|'([^']*)')`)
)

// Sanitize turns a message of format html into Telegram's HTML: the
// tags Telegram knows are kept without attributes (a keeps an http(s)
// href), <br> and block ends become line breaks, other tags go, every
// entity is written the way Telegram reads it (&lt; &gt; &amp; &quot;),
// a stray < or & is escaped, and the elements are balanced.
func Sanitize(s string) string {
	var b strings.Builder
	var open []string
	last := 0
	for _, m := range tagRE.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(text(s[last:m[0]]))
		last = m[1]
		closing, name, attrs := s[m[2]:m[3]] == "/", strings.ToLower(s[m[4]:m[5]]), s[m[6]:m[7]]
		switch {
		case breaks[name]:
			if name == "br" || closing {
				b.WriteByte('\n')
			}
		case !allowed[name]:
		case closing:
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == name {
					for j := len(open) - 1; j >= i; j-- {
						b.WriteString("</" + open[j] + ">")
					}
					open = open[:i]
					break
				}
			}
		case name == "a":
			href := link(attrs)
			if href == "" {
				continue
			}
			b.WriteString(`<a href="` + html.EscapeString(href) + `">`)
			open = append(open, name)
		default:
			b.WriteString("<" + name + ">")
			open = append(open, name)
		}
	}
	b.WriteString(text(s[last:]))
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i] + ">")
	}
	return strings.TrimRight(b.String(), "\n")
}

// text re-escapes a run of text between tags.
func text(s string) string {
	return html.EscapeString(html.UnescapeString(s))
}

// link returns an a tag's href when it is an http(s) URL.
func link(attrs string) string {
	m := hrefRE.FindStringSubmatch(attrs)
	if m == nil {
		return ""
	}
	u := html.UnescapeString(m[2] + m[3])
	if l := strings.ToLower(u); strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") {
		return u
	}
	return ""
}
