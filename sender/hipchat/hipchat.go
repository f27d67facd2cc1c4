// Package hipchat sends digests as HipChat API v2 room notifications (or,
// for a room written "@user@example.com", private messages), exactly as
// the API expects them, and explains HipChat's refusals.
package hipchat

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier posts digests to a HipChat API v2 server. It is safe for
// concurrent use.
type Notifier struct {
	base  string // base URL without trailing slash
	token string
	from  string
	http  sender.HTTP
}

var (
	_ sender.Notifier  = (*Notifier)(nil)
	_ sender.Limited   = (*Notifier)(nil)
	_ sender.Throttled = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	base, err := parseBase(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		return nil, errors.New("hipchat: token is empty")
	}
	return &Notifier{
		base:  base,
		token: cfg.Token.Reveal(),
		from:  cutFrom(cfg.From),
		http:  sender.HTTP{Client: cfg.Client, Timeout: cmp.Or(cfg.Timeout, DefaultTimeout), Now: cfg.Now},
	}, nil
}

// Limit implements sender.Limited: HipChat takes at most 10,000
// characters.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// RateLimits implements sender.Throttled: HipChat's flood control allows
// 30 messages a minute per room, and a token 500 requests per 5 minutes.
func (n *Notifier) RateLimits() sender.Limits { return sender.DefaultLimits["hipchat"] }

// notification is the body of POST /v2/room/{room}/notification.
type notification struct {
	Color         string `json:"color"`
	Message       string `json:"message"`
	MessageFormat string `json:"message_format"`
	Notify        bool   `json:"notify"`
	From          string `json:"from,omitempty"`
}

// private is the body of POST /v2/user/{user}/message.
type private struct {
	Message       string `json:"message"`
	Notify        bool   `json:"notify"`
	MessageFormat string `json:"message_format"`
}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	path, body, err := n.request(d)
	if err != nil {
		return fmt.Errorf("hipchat room %q: %w", d.Room, err)
	}
	if err := n.post(ctx, path, body); err != nil {
		return fmt.Errorf("hipchat room %q: %w", d.Room, err)
	}
	return nil
}

// request builds the path and the JSON body for d.
func (n *Notifier) request(d *batch.Digest) (string, []byte, error) {
	msg, format := d.Message, d.Format
	if format != "text" {
		format = "html"
	}
	if d.Mention != "" {
		// Mentions ping only in text format.
		msg, format = d.Mention+" "+msg, "text"
	}
	msg = sender.Cut(msg, Limit, LimitUnit, format)
	if strings.TrimSpace(msg) == "" {
		return "", nil, &sender.Error{Kind: sender.Permanent, Reason: "the message is empty"}
	}
	if user, ok := userOf(d.Room); ok {
		body, err := sender.JSON(private{Message: msg, Notify: d.Notify, MessageFormat: format})
		return "/v2/user/" + url.PathEscape(user) + "/message", body, err
	}
	if err := checkRoom(d.Room); err != nil {
		return "", nil, err
	}
	body, err := sender.JSON(notification{
		Color: color(d.Color), Message: msg, MessageFormat: format, Notify: d.Notify, From: n.from,
	})
	return "/v2/room/" + url.PathEscape(d.Room) + "/notification", body, err
}

// userOf returns the user a room names: "@user@example.com" is a private
// message to that email; "@name" to that mention name.
func userOf(room string) (string, bool) {
	if len(room) < 2 || room[0] != '@' {
		return "", false
	}
	if strings.Contains(room[1:], "@") {
		return room[1:], true
	}
	return room, true
}

// checkRoom refuses what HipChat cannot address.
func checkRoom(room string) error {
	switch {
	case room == "":
		return &sender.Error{Kind: sender.Permanent, Reason: "no room given"}
	case strings.Contains(room, "/"):
		return &sender.Error{Kind: sender.Permanent, Reason: "a room name holding '/' cannot be addressed on HipChat, even escaped",
			Hint: "use the room's numeric id (shown in the room's API ID or by GET /v2/room)"}
	}
	return nil
}

// color returns HipChat's name for c: lower case, grey spelt gray, yellow
// (HipChat's default) when empty.
func color(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	switch c {
	case "":
		return "yellow"
	case "grey":
		return "gray"
	}
	return c
}

// post sends one request and classifies the outcome.
func (n *Notifier) post(ctx context.Context, path string, body []byte) error {
	return n.http.Do(ctx, sender.Post{
		URL:    n.base + path,
		Header: http.Header{"Authorization": {"Bearer " + n.token}, "Accept": {"application/json"}},
		Body:   body,
		Parse:  n.reason,
		Hint:   hint,
	})
}
