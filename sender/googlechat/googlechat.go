// Package googlechat posts digests to a Google Chat space's incoming
// webhook as a text message, and explains Google's refusals.
package googlechat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier posts digests to one incoming webhook. It is safe for
// concurrent use.
type Notifier struct {
	url  string
	http sender.HTTP
}

var (
	_ sender.Notifier  = (*Notifier)(nil)
	_ sender.Limited   = (*Notifier)(nil)
	_ sender.Throttled = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	if _, err := sender.CheckURL("webhook_url", cfg.WebhookURL.Reveal()); err != nil {
		return nil, fmt.Errorf("googlechat: %w", err)
	}
	return &Notifier{url: cfg.WebhookURL.Reveal(),
		http: sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: cfg.Now}}, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// RateLimits implements sender.Throttled: Google Chat takes one message
// a second per space from a webhook.
func (n *Notifier) RateLimits() sender.Limits {
	return sender.Limits{PerDestination: sender.Rate{Events: 60, Per: time.Minute}}
}

// payload is a text message.
type payload struct {
	Text string `json:"text"`
}

// Marks are the colour marks at the start of a message: a text message
// has no colours.
var Marks = map[string]string{"red": "🔴", "yellow": "🟡", "green": "🟢", "purple": "🟣", "gray": "⚪"}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	msg := d.Message
	if d.Format == "html" {
		msg = sender.GoogleChatText(sender.HTMLText(msg))
	}
	head := Marks[sender.Color(d.Color, d.ID)]
	if m := Mention(d.Mention); m != "" {
		head += " " + m
	}
	body, err := sender.Fit(head+" "+msg, Limit, LimitUnit, "text", func(m string) ([]byte, error) {
		return sender.JSON(payload{Text: m})
	})
	if err == nil {
		err = n.http.Do(ctx, sender.Post{URL: n.url, Body: body, Parse: parse, Hint: hint,
			Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}}})
	}
	if err != nil {
		return fmt.Errorf("googlechat: %w", err)
	}
	return nil
}

// Mention turns a rule's mention field into Google Chat's syntax: @all
// (or @here) mentions everyone in the space, users/123 or @123 that user.
func Mention(m string) string {
	var out []string
	for _, f := range strings.Fields(m) {
		id := strings.TrimPrefix(strings.TrimPrefix(f, "@"), "users/")
		switch {
		case id == "all" || id == "here" || id == "channel":
			out = append(out, "<users/all>")
		case id != "" && strings.Trim(id, "0123456789") == "":
			out = append(out, "<users/"+id+">")
		default:
			out = append(out, sender.GoogleChatText(f))
		}
	}
	return strings.Join(out, " ")
}

// apiError is Google's error body.
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

func parse(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Error.Message == "" {
		return ""
	}
	if e.Error.Status != "" {
		return e.Error.Status + ": " + e.Error.Message
	}
	return e.Error.Message
}

// hint says what Google's answer usually means.
func hint(status int, reason string) string {
	switch {
	case strings.HasPrefix(reason, "PERMISSION_DENIED"), status == http.StatusForbidden:
		return "the webhook was deleted or its key or token is wrong: create a new one in the space's Apps & integrations"
	case strings.HasPrefix(reason, "NOT_FOUND"), status == http.StatusNotFound:
		return "no such space or webhook: check webhook_url"
	case strings.HasPrefix(reason, "INVALID_ARGUMENT"):
		return "Google Chat could not read the message"
	case status == http.StatusTooManyRequests:
		return "rate limited: a space takes about one message a second"
	}
	return ""
}
