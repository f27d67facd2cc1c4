// Package matrix sends digests to a Matrix room with an HTML body in the
// rule's colour, once each even when a send is retried, and explains the
// homeserver's refusals. A digest that should reach people (notify: true
// or a mention) is an m.text event, whose push rules notify the room and
// highlight whom m.mentions names; any other is an m.notice, which the
// default push rules never notify about.
package matrix

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier sends digests through one homeserver with one access token. It
// is safe for concurrent use.
type Notifier struct {
	base  string
	token string
	http  sender.HTTP
	now   func() time.Time

	mu      sync.Mutex        // protects aliases
	aliases map[string]string // room alias -> room id, as the homeserver said
}

var (
	_ sender.Notifier = (*Notifier)(nil)
	_ sender.Limited  = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	u, err := sender.CheckURL("url", cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("matrix: %w", err)
	}
	if u.User != nil || u.RawQuery != "" {
		return nil, errors.New("matrix: url must not hold userinfo or a query: give the access token in token")
	}
	if cfg.Token == "" {
		return nil, errors.New("matrix: token is empty")
	}
	n := &Notifier{
		base: strings.TrimRight(u.String(), "/"), token: cfg.Token.Reveal(),
		http: sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: cfg.Now}, now: cfg.Now,
		aliases: map[string]string{},
	}
	if n.now == nil {
		n.now = time.Now
	}
	return n, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// Colors maps HipChat's colours to the HTML body's text colour.
var Colors = map[string]string{
	"red": "#ff0000", "yellow": "#ffaa00", "green": "#2ecc71", "purple": "#800080", "gray": "#808080",
}

// Notify implements sender.Notifier. The transaction id is the digest's
// id, so a retried send of the same digest is stored once.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	roomID, err := n.roomID(ctx, d.Room)
	if err != nil {
		return fmt.Errorf("matrix room %q: %w", d.Room, err)
	}
	format := d.Format
	if format != "html" {
		format = "text"
	}
	body, err := sender.Fit(d.Message, MaxBody, LimitUnit, format, func(msg string) ([]byte, error) {
		if format == "html" {
			return sender.JSON(event(d, sender.Escaper("matrix", "text")(sender.HTMLText(msg)), msg))
		}
		return sender.JSON(event(d, msg, ""))
	})
	if err == nil {
		path := "/_matrix/client/v3/rooms/" + url.PathEscape(roomID) + "/send/m.room.message/" + url.PathEscape(txnID(d))
		var a apiError
		err = n.http.Do(ctx, sender.Post{Method: http.MethodPut, URL: n.base + path, Body: body,
			Header: http.Header{"Authorization": {"Bearer " + n.token}}, Parse: a.parse, Hint: hint})
		var e *sender.Error
		if errors.As(err, &e) && e.RetryAt.IsZero() && a.RetryAfterMs > 0 && a.RetryAfterMs < 86400000 {
			e.RetryAt = n.now().Add(time.Duration(a.RetryAfterMs) * time.Millisecond)
		}
	}
	if err != nil {
		return fmt.Errorf("matrix room %q: %w", d.Room, err)
	}
	return nil
}

// txnID is the digest's id, or for a digest without one a hash of what it
// says, so a retry still reuses it.
func txnID(d *batch.Digest) string {
	if d.ID != "" {
		return "roomwatch-" + d.ID
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(d.Room + "\x00" + d.Rule + "\x00" + d.Message + "\x00" + d.At.String()))
	return "roomwatch-" + strconv.FormatUint(h.Sum64(), 36)
}

// event is an m.text (when the digest notifies or mentions) or m.notice
// with an HTML body. rich is the message as HTML, or "" to make it from
// plain. m.mentions is always set, so clients and homeservers that know
// it ping only whom it names, never on text in the body.
func event(d *batch.Digest, plain, rich string) map[string]any {
	if rich == "" {
		rich = strings.ReplaceAll(html.EscapeString(plain), "\n", "<br>")
	}
	rich = `<font data-mx-color="` + Colors[sender.Color(d.Color, d.ID)] + `">` + rich + `</font>`
	mentions := map[string]any{}
	msgtype := "m.notice"
	if d.Notify || d.Mention != "" {
		msgtype = "m.text"
	}
	if text, pill, m := mention(d.Mention); text != "" {
		plain, rich = text+" "+plain, pill+" "+rich
		mentions = m
	}
	return map[string]any{
		"msgtype": msgtype, "body": plain,
		"format": "org.matrix.custom.html", "formatted_body": rich,
		"m.mentions": mentions,
	}
}

// mention turns a rule's mention into Matrix's: @all, @here and @room
// notify the room; @user:server is that user, as a matrix.to pill.
func mention(m string) (text, pill string, mentions map[string]any) {
	m = strings.TrimSpace(m)
	switch strings.ToLower(m) {
	case "":
		return "", "", nil
	case "@all", "@here", "@room", "@channel", "@everyone":
		return "@room", "@room", map[string]any{"room": true}
	}
	if strings.HasPrefix(m, "@") && strings.Contains(m, ":") && !strings.ContainsAny(m, "<>\"& \t") {
		return m, `<a href="https://matrix.to/#/` + url.PathEscape(m) + `">` + m + `</a>`,
			map[string]any{"user_ids": []string{m}}
	}
	return "", "", nil
}
