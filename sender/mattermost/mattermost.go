// Package mattermost sends digests to a Mattermost incoming webhook: one
// post with one attachment whose bar shows the rule's colour, in the
// rule's room, and explains Mattermost's refusals.
package mattermost

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/internal/incoming"
)

// Notifier posts digests to one Mattermost incoming webhook. It is safe for
// concurrent use.
type Notifier struct {
	hook *incoming.Hook
}

var (
	_ sender.Notifier = (*Notifier)(nil)
	_ sender.Limited  = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	h, err := incoming.New(incoming.Options{
		Service: "mattermost", WebhookURL: cfg.WebhookURL, Username: cfg.Username,
		Timeout: cfg.Timeout, Client: cfg.Client, Now: cfg.Now, Parse: reason, Hint: hint,
	})
	if err != nil {
		return nil, err
	}
	return &Notifier{hook: h}, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// payload is the body of an incoming webhook post (Slack-compatible).
type (
	payload    = incoming.Payload
	attachment = incoming.Attachment
)

// Colors maps HipChat's colours to the attachment bar.
var Colors = incoming.Colors

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	return n.hook.Post(ctx, d.Room, n.payload(d))
}

func (n *Notifier) payload(d *batch.Digest) payload {
	msg := d.Message
	if d.Format == "html" {
		msg = sender.MattermostText(sender.HTMLText(msg))
	}
	mention := Mention(d.Mention)
	msg = sender.Cut(msg, Limit-LimitUnit.Len(mention)-1, LimitUnit, "text")
	return payload{
		// Mattermost takes a channel's name (town-square) or @user.
		Channel:  strings.TrimPrefix(d.Room, "#"),
		Username: n.hook.Username,
		Text:     mention,
		Attachments: []attachment{{
			Color:    Colors[sender.Color(d.Color, d.ID)],
			Fallback: sender.Summary(msg),
			Text:     msg,
			Footer:   sender.MattermostText(d.Rule),
		}},
	}
}

// Mention turns a rule's mention field into Mattermost's: @all, @channel
// and @everyone ping the channel, @here who is online, @name that user.
// Anything else is shown as text.
func Mention(m string) string {
	var out []string
	for _, f := range strings.Fields(m) {
		switch strings.ToLower(f) {
		case "@all", "@channel", "@everyone":
			out = append(out, "@channel")
		case "@here":
			out = append(out, "@here")
		default:
			if name, ok := strings.CutPrefix(f, "@"); ok && incoming.PlainName(name) {
				out = append(out, "@"+name)
			} else {
				out = append(out, sender.MattermostText(f))
			}
		}
	}
	return strings.Join(out, " ")
}

// apiError is Mattermost's error body.
type apiError struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// reason returns Mattermost's message and error id.
func reason(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		return ""
	}
	if e.ID != "" {
		return e.Message + " (" + e.ID + ")"
	}
	return e.Message
}

// hint says what Mattermost's answer usually means.
func hint(status int, reason string) string {
	switch {
	case strings.Contains(reason, "incoming_webhook.invalid"):
		return "the webhook was deleted or its URL is wrong: create a new one"
	case strings.Contains(reason, "incoming_webhook.channel_locked"):
		return "the hook is locked to its own channel: leave the room out or unlock the hook"
	case strings.Contains(reason, "incoming_webhook.disabled"):
		return "a system admin disabled incoming webhooks"
	case status == http.StatusNotFound:
		return "the room names no channel the hook can post to: use the channel's name (town-square) or @user"
	case status == http.StatusForbidden:
		return "the hook may not post to this channel"
	case status == http.StatusUnauthorized:
		return "the server refused the hook"
	case status == http.StatusTooManyRequests:
		return "rate limited by the server's rate limiting settings"
	}
	return ""
}
