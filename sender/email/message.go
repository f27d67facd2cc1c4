package email

import (
	"fmt"
	"html"
	"net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// Colors are the colours of the bar beside an HTML message.
var Colors = map[string]string{
	"red": "#d00000", "yellow": "#e0a000", "green": "#2ecc71", "purple": "#800080", "gray": "#808080",
}

// Subject is "[roomwatch] <colour> <first line>", one line of at most
// SubjectMax characters.
func Subject(color, text string) string {
	prefix := "[roomwatch] " + color + " "
	return prefix + sender.Title(text, SubjectMax-len(prefix))
}

// message builds the mail for d.
func (n *Notifier) message(d *batch.Digest) (*gomail.Msg, error) {
	rcpts, err := mail.ParseAddressList(d.Room)
	if err != nil {
		return nil, fmt.Errorf("room %q is not a list of addresses: %w", d.Room, err)
	}
	m := gomail.NewMsg()
	if err := m.From(n.from); err != nil {
		return nil, err
	}
	m.ToMailAddress(rcpts...)
	color := sender.Color(d.Color, d.ID)
	text := d.Message
	if d.Format == "html" {
		text = sender.HTMLText(text)
	}
	text = sender.Cut(text, Limit, sender.Bytes, "text")
	m.Subject(Subject(color, text))
	if !d.At.IsZero() {
		m.SetDateWithValue(d.At)
	} else {
		m.SetDate()
	}
	if d.ID != "" {
		// The same id on a retry: a mail that arrived although its answer
		// was lost is shown once by clients that thread by Message-ID.
		m.SetMessageIDWithValue(safeID(d.ID) + ".roomwatch@" + safeID(n.host))
	}
	m.SetGenHeader("X-Roomwatch-Rule", sender.Title(d.Rule, 200))
	m.SetBodyString(gomail.TypeTextPlain, text)
	if d.Format == "html" {
		body := sender.Cut(d.Message, Limit, sender.Bytes, "html")
		m.AddAlternativeString(gomail.TypeTextHTML, htmlDocument(Colors[color], body))
	}
	return m, nil
}

// htmlDocument wraps an html message in a page with a colour bar.
func htmlDocument(color, body string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>` +
		`<div style="border-left:6px solid ` + html.EscapeString(color) + `;padding:4px 10px;font-family:sans-serif">` +
		body + `</div></body></html>`
}

// safeID keeps what a Message-ID part may hold.
func safeID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_", r) {
			return r
		}
		return -1
	}, s)
}
