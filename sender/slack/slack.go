// Package slack sends digests to a Slack incoming webhook: one message
// with one attachment whose bar shows the rule's colour, and explains
// Slack's refusals.
package slack

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier posts digests to one Slack incoming webhook. It is safe for
// concurrent use.
type Notifier struct {
	url      string
	username string
	http     sender.HTTP
}

var (
	_ sender.Notifier = (*Notifier)(nil)
	_ sender.Limited  = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	if _, err := sender.CheckURL("webhook_url", cfg.WebhookURL.Reveal()); err != nil {
		return nil, fmt.Errorf("slack: %w", err)
	}
	return &Notifier{
		url:      cfg.WebhookURL.Reveal(),
		username: cfg.Username,
		http:     sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: cfg.Now},
	}, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// payload is the body of an incoming webhook post.
type payload struct {
	Channel     string       `json:"channel,omitempty"`
	Username    string       `json:"username,omitempty"`
	Text        string       `json:"text,omitempty"`
	Attachments []attachment `json:"attachments"`
}

type attachment struct {
	Color    string `json:"color"`
	Fallback string `json:"fallback"`
	Text     string `json:"text"`
	Footer   string `json:"footer,omitempty"`
	Ts       int64  `json:"ts,omitempty"`
}

// Colors maps HipChat's colours to the attachment bar.
var Colors = map[string]string{
	"red": "danger", "yellow": "warning", "green": "good", "gray": "#808080", "purple": "#800080",
}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	body, err := sender.JSON(n.payload(d))
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	err = n.http.Do(ctx, sender.Post{URL: n.url, Body: body, Hint: hint})
	if err != nil {
		return fmt.Errorf("slack room %q: %w", d.Room, err)
	}
	return nil
}

func (n *Notifier) payload(d *batch.Digest) payload {
	msg := d.Message
	if d.Format == "html" {
		msg = sender.SlackText(sender.HTMLText(msg))
	}
	// Cut as html: the text holds entities (&amp;) that must stay whole.
	msg = sender.Cut(msg, Limit, LimitUnit, "html")
	a := attachment{
		Color:    Colors[sender.Color(d.Color, d.ID)],
		Fallback: sender.Summary(msg),
		Text:     msg,
		Footer:   sender.SlackText(d.Rule),
	}
	if !d.At.IsZero() {
		a.Ts = d.At.Unix()
	}
	p := payload{Username: n.username, Text: Mention(d.Mention), Attachments: []attachment{a}}
	// New-style app webhooks post to their own channel and ignore this;
	// a legacy hook takes it when the room names a channel or a person.
	if strings.HasPrefix(d.Room, "#") || strings.HasPrefix(d.Room, "@") {
		p.Channel = d.Room
	}
	return p
}

// Mention turns a rule's mention field into Slack's mention syntax:
// @all and @channel ping the channel, @here who is active, @everyone the
// workspace, @U123 that user. Anything else is shown as text.
func Mention(m string) string {
	var out []string
	for _, f := range strings.Fields(m) {
		switch strings.ToLower(f) {
		case "@all", "@channel":
			out = append(out, "<!channel>")
		case "@here":
			out = append(out, "<!here>")
		case "@everyone":
			out = append(out, "<!everyone>")
		default:
			if id, ok := strings.CutPrefix(f, "@"); ok && plainName(id) {
				out = append(out, "<@"+id+">")
			} else {
				out = append(out, sender.SlackText(f))
			}
		}
	}
	return strings.Join(out, " ")
}

// plainName reports whether s is a user id or name that needs no escaping.
func plainName(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
}

// hint says what Slack's answer (a plain-text error code) usually means.
func hint(status int, reason string) string {
	switch reason {
	case "invalid_payload":
		return "Slack could not read the message"
	case "user_not_found":
		return "the channel override names a user Slack does not know"
	case "channel_not_found":
		return "the channel override names a channel that does not exist or the hook cannot reach"
	case "channel_is_archived":
		return "the channel was archived: unarchive it or point the hook at another channel"
	case "action_prohibited":
		return "a workspace admin restricted posting to this channel"
	case "posting_to_general_channel_denied":
		return "only admins may post to #general"
	case "no_service", "no_team", "invalid_token", "no_active_hooks":
		return "the webhook was removed or disabled, or its URL is wrong: create a new one"
	}
	switch status {
	case http.StatusNotFound, http.StatusGone:
		return "the webhook was removed or its URL is wrong"
	case http.StatusForbidden:
		return "the hook may not post here"
	case http.StatusTooManyRequests:
		return "rate limited: Slack allows about one message a second per hook"
	}
	return ""
}
