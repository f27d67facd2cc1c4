// Package slack sends digests to a Slack incoming webhook: one message
// with one attachment whose bar shows the rule's colour, and explains
// Slack's refusals.
package slack

import (
	"context"
	"net/http"
	"strings"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/internal/incoming"
)

// Notifier posts digests to one Slack incoming webhook. It is safe for
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
		Service: "slack", WebhookURL: cfg.WebhookURL, Username: cfg.Username,
		Timeout: cfg.Timeout, Client: cfg.Client, Now: cfg.Now, Hint: hint,
	})
	if err != nil {
		return nil, err
	}
	return &Notifier{hook: h}, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// payload is the body of an incoming webhook post.
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
	p := payload{Username: n.hook.Username, Text: Mention(d.Mention), Attachments: []attachment{a}}
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
			if id, ok := strings.CutPrefix(f, "@"); ok && incoming.PlainName(id) {
				out = append(out, "<@"+id+">")
			} else {
				out = append(out, sender.SlackText(f))
			}
		}
	}
	return strings.Join(out, " ")
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
