// Package discord sends digests to a Discord webhook as one embed in the
// rule's colour, lets it ping only whom the rule names, and explains
// Discord's refusals.
package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier posts digests to one Discord webhook. It is safe for
// concurrent use.
type Notifier struct {
	url      string
	username string
	http     sender.HTTP
	now      func() time.Time
}

var (
	_ sender.Notifier = (*Notifier)(nil)
	_ sender.Limited  = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	if _, err := sender.CheckURL("webhook_url", cfg.WebhookURL.Reveal()); err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	n := &Notifier{
		url:      cfg.WebhookURL.Reveal(),
		username: cfg.Username,
		http:     sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: cfg.Now},
		now:      cfg.Now,
	}
	if n.now == nil {
		n.now = time.Now
	}
	return n, nil
}

// Limit implements sender.Limited: the message goes in an embed's
// description.
func (n *Notifier) Limit() (int, sender.Unit) { return MaxDescription, LimitUnit }

// payload is the body of an execute-webhook request.
type payload struct {
	Username        string          `json:"username,omitempty"`
	Content         string          `json:"content,omitempty"`
	Embeds          []embed         `json:"embeds"`
	AllowedMentions allowedMentions `json:"allowed_mentions"`
}

type embed struct {
	Description string  `json:"description"`
	Color       int     `json:"color"`
	Footer      *footer `json:"footer,omitempty"`
	Timestamp   string  `json:"timestamp,omitempty"`
}

type footer struct {
	Text string `json:"text"`
}

// allowedMentions says whom the message may ping; empty Parse with no
// users or roles pings nobody, whatever the text holds.
type allowedMentions struct {
	Parse []string `json:"parse"`
	Users []string `json:"users,omitempty"`
	Roles []string `json:"roles,omitempty"`
}

// Colors maps HipChat's colours to embed colours.
var Colors = map[string]int{
	"red": 0x992D22, "yellow": 0xFFC441, "green": 0x2ECC71, "gray": 0x95A5A6, "purple": 0x800080,
}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	body, err := sender.JSON(payloadOf(d, n.username))
	if err != nil {
		return fmt.Errorf("discord: %w", err)
	}
	var a apiError
	err = n.http.Do(ctx, sender.Post{URL: n.url, Body: body, Parse: a.parse, Hint: hint})
	var e *sender.Error
	if errors.As(err, &e) && e.RetryAt.IsZero() && a.RetryAfter > 0 && a.RetryAfter < 86400 {
		// No header said when; the body's retry_after (seconds) does.
		e.RetryAt = n.now().Add(time.Duration(a.RetryAfter * float64(time.Second)))
	}
	if err != nil {
		return fmt.Errorf("discord room %q: %w", d.Room, err)
	}
	return nil
}

func payloadOf(d *batch.Digest, username string) payload {
	msg := d.Message
	if d.Format == "html" {
		msg = sender.DiscordText(sender.HTMLText(msg))
	}
	e := embed{Color: Colors[sender.Color(d.Color, d.ID)]}
	if d.Rule != "" {
		e.Footer = &footer{Text: cutRunes(d.Rule, 256)}
	}
	if !d.At.IsZero() {
		e.Timestamp = d.At.UTC().Format(time.RFC3339)
	}
	budget := MaxEmbeds
	if e.Footer != nil {
		budget -= LimitUnit.Len(e.Footer.Text)
	}
	e.Description = sender.Cut(msg, min(MaxDescription, budget), LimitUnit, "text")
	content, allowed := Mention(d.Mention)
	return payload{Username: username, Content: content, Embeds: []embed{e}, AllowedMentions: allowed}
}

// Mention turns a rule's mention field into Discord's content and the
// mentions it allows: @all, @everyone and @here ping as Discord says,
// @123 (a user id) and @&456 (a role id) ping that user or role. Anything
// else is shown as text and pings nobody.
func Mention(m string) (string, allowedMentions) {
	allowed := allowedMentions{Parse: []string{}}
	var out []string
	for _, f := range strings.Fields(m) {
		switch strings.ToLower(f) {
		case "@all", "@everyone", "@channel":
			out = append(out, "@everyone")
			allowed.Parse = appendOnce(allowed.Parse, "everyone")
		case "@here":
			out = append(out, "@here")
			allowed.Parse = appendOnce(allowed.Parse, "everyone")
		default:
			if id, ok := strings.CutPrefix(f, "@&"); ok && digits(id) {
				out, allowed.Roles = append(out, "<@&"+id+">"), append(allowed.Roles, id)
			} else if id, ok := strings.CutPrefix(f, "@"); ok && digits(id) {
				out, allowed.Users = append(out, "<@"+id+">"), append(allowed.Users, id)
			} else {
				out = append(out, sender.DiscordText(f))
			}
		}
	}
	return cutRunes(strings.Join(out, " "), MaxContent), allowed
}

func appendOnce(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func digits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// cutRunes cuts s to n runes (config text: no marker).
func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
