// Package ntfy publishes digests to an ntfy topic (ntfy.sh or a server of
// one's own) as JSON: title, message, priority and tags from the rule's
// colour, and explains ntfy's refusals.
package ntfy

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier publishes digests to one ntfy server. It is safe for concurrent
// use.
type Notifier struct {
	url    string
	header http.Header
	http   sender.HTTP
}

var (
	_ sender.Notifier = (*Notifier)(nil)
	_ sender.Limited  = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	raw := cmp.Or(cfg.URL, config.DefaultNtfyURL)
	if _, err := sender.CheckURL("url", raw); err != nil {
		return nil, fmt.Errorf("ntfy: %w", err)
	}
	h := http.Header{}
	if cfg.Token != "" {
		h.Set("Authorization", "Bearer "+cfg.Token.Reveal())
	}
	return &Notifier{url: strings.TrimRight(raw, "/") + "/", header: h,
		http: sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: cfg.Now}}, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// RateLimits implements sender.Throttled: an ntfy server lets a client
// publish a burst of 60 requests, then one every 5 seconds.
func (n *Notifier) RateLimits() sender.Limits {
	return sender.Limits{PerDestination: sender.Rate{Events: 60, Per: 5 * time.Minute}}
}

// payload is ntfy's "publish as JSON" body.
type payload struct {
	Topic    string   `json:"topic"`
	Title    string   `json:"title"`
	Message  string   `json:"message"`
	Priority int      `json:"priority"`
	Tags     []string `json:"tags"`
}

// Priorities maps a colour to ntfy's priority: 5 max, 4 high, 3 default,
// 2 low, 1 min.
var Priorities = map[string]int{"red": 4, "yellow": 3, "purple": 3, "green": 3, "gray": 2}

// Tags maps a colour to the tag ntfy shows as an emoji before the title.
var Tags = map[string]string{
	"red": "rotating_light", "yellow": "warning", "green": "white_check_mark", "purple": "purple_circle", "gray": "white_circle",
}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	body, err := n.body(d)
	if err == nil {
		err = n.http.Do(ctx, sender.Post{URL: n.url, Header: n.header, Body: body, Parse: parse, Hint: hint})
	}
	if err != nil {
		return fmt.Errorf("ntfy topic %q: %w", d.Room, err)
	}
	return nil
}

func (n *Notifier) body(d *batch.Digest) ([]byte, error) {
	msg := d.Message
	if d.Format == "html" {
		msg = sender.Printable(sender.HTMLText(msg))
	}
	color := sender.Color(d.Color, d.ID)
	p := payload{Topic: d.Room, Priority: Priorities[color], Tags: []string{Tags[color], d.Rule}}
	build := func(m string) ([]byte, error) {
		p.Message, p.Title = m, title(m)
		return sender.JSON(p)
	}
	msg = sender.Cut(msg, Limit, LimitUnit, "text")
	return sender.Fit(msg, maxJSON, LimitUnit, "text", build)
}

// title is the message's first line, short enough for a notification.
func title(msg string) string {
	return sender.Title(msg, 120)
}

// ntfyError is the body of every ntfy error.
type ntfyError struct {
	Code  int    `json:"code"`
	HTTP  int    `json:"http"`
	Error string `json:"error"`
}

func parse(body []byte) string {
	var e ntfyError
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return ""
	}
	return fmt.Sprintf("%d %s", e.Code, e.Error)
}

// hint says what ntfy's answer usually means.
func hint(status int, reason string) string {
	switch {
	case strings.HasPrefix(reason, "40101 "), strings.HasPrefix(reason, "40301 "):
		return "the topic is protected: set token (tk_…) to an access token allowed to publish to it"
	case strings.HasPrefix(reason, "40009 "), strings.HasPrefix(reason, "40010 "):
		return "the server refuses this topic name: change the rule's room"
	case strings.HasPrefix(reason, "42908 "):
		return "the daily message quota is used up"
	case status == http.StatusTooManyRequests:
		return "rate limited: ntfy allows a burst of 60 requests, then one every 5 seconds"
	case status == http.StatusNotFound:
		return "no ntfy server at this url"
	}
	return ""
}
