// Package incoming is what Slack's and Mattermost's incoming webhooks
// share: a post of one message with one attachment whose bar shows the
// rule's colour, and the notifier's plumbing around it. Each service keeps
// its own text escaping, mentions, limits and error hints.
package incoming

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Payload is the body of an incoming webhook post.
type Payload struct {
	Channel     string       `json:"channel,omitempty"`
	Username    string       `json:"username,omitempty"`
	Text        string       `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is the one attachment of a post.
type Attachment struct {
	Color    string `json:"color"`
	Fallback string `json:"fallback"`
	Text     string `json:"text"`
	Footer   string `json:"footer,omitempty"`
	Ts       int64  `json:"ts,omitempty"` // Slack only
}

// Colors maps HipChat's colours to the attachment bar.
var Colors = map[string]string{
	"red": "danger", "yellow": "warning", "green": "good", "gray": "#808080", "purple": "#800080",
}

// Hook posts payloads to one incoming webhook. It is safe for concurrent
// use.
type Hook struct {
	service  string // names the service in errors: "slack"
	url      string
	Username string // the hook's username override, "" for none
	http     sender.HTTP
	parse    func(body []byte) string
	hint     func(status int, reason string) string
}

// Options configure a Hook.
type Options struct {
	// Service names the service in errors: "slack", "mattermost".
	Service string
	// WebhookURL is the hook's secret URL; Username overrides its name.
	WebhookURL config.Secret
	Username   string
	// Timeout, Client and Now are as in sender.HTTP.
	Timeout time.Duration
	Client  *http.Client
	Now     func() time.Time
	// Parse and Hint explain the service's refusals (see sender.Post).
	Parse func(body []byte) string
	Hint  func(status int, reason string) string
}

// New checks the webhook URL and returns a Hook. It sends nothing.
func New(opts Options) (*Hook, error) {
	if _, err := sender.CheckURL("webhook_url", opts.WebhookURL.Reveal()); err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Service, err)
	}
	return &Hook{
		service:  opts.Service,
		url:      opts.WebhookURL.Reveal(),
		Username: opts.Username,
		http:     sender.HTTP{Client: opts.Client, Timeout: opts.Timeout, Now: opts.Now},
		parse:    opts.Parse,
		hint:     opts.Hint,
	}, nil
}

// Post sends p, a post to room, and classifies the answer.
func (h *Hook) Post(ctx context.Context, room string, p Payload) error {
	body, err := sender.JSON(p)
	if err != nil {
		return fmt.Errorf("%s: %w", h.service, err)
	}
	if err := h.http.Do(ctx, sender.Post{URL: h.url, Body: body, Parse: h.parse, Hint: h.hint}); err != nil {
		return fmt.Errorf("%s room %q: %w", h.service, room, err)
	}
	return nil
}

// PlainName reports whether s is a user id or name that needs no
// escaping.
func PlainName(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
}
