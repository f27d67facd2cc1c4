// Package telegram sends digests to a Telegram chat through a bot's
// sendMessage, as HTML restricted to the tags Telegram allows, and
// explains the Bot API's refusals.
package telegram

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier sends digests through one bot. It is safe for concurrent use.
type Notifier struct {
	url   string // .../bot<token>/sendMessage: a secret
	token string
	http  sender.HTTP
	now   func() time.Time
}

var (
	_ sender.Notifier  = (*Notifier)(nil)
	_ sender.Limited   = (*Notifier)(nil)
	_ sender.Throttled = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	base := cmp.Or(cfg.APIURL, config.DefaultTelegramURL)
	if _, err := sender.CheckURL("api_url", base); err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	if cfg.Token == "" || strings.ContainsAny(cfg.Token.Reveal(), "/?#% \t\r\n") {
		return nil, errors.New("telegram: token is empty or not a bot token")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Notifier{
		url:   strings.TrimRight(base, "/") + "/bot" + cfg.Token.Reveal() + "/sendMessage",
		token: cfg.Token.Reveal(),
		http:  sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: now},
		now:   now,
	}, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// RateLimits implements sender.Throttled: Telegram asks bots to send at
// most one message a second to a chat, 20 a minute to a group, and 30 a
// second in all.
func (n *Notifier) RateLimits() sender.Limits {
	return sender.Limits{PerRoom: sender.Rate{Events: 20, Per: time.Minute}, PerDestination: sender.Rate{Events: 30, Per: time.Second}}
}

// payload is the body of sendMessage.
type payload struct {
	ChatID             string      `json:"chat_id"`
	Text               string      `json:"text"`
	ParseMode          string      `json:"parse_mode"`
	LinkPreviewOptions linkPreview `json:"link_preview_options"`
	DisableNotify      bool        `json:"disable_notification,omitempty"`
}

type linkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

// Marks are the colour marks at the start of a message: Telegram has no
// colours.
var Marks = map[string]string{"red": "🔴", "yellow": "🟡", "green": "🟢", "purple": "🟣", "gray": "⚪"}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	body, err := sender.JSON(n.payload(d))
	var retryAfter float64
	if err == nil {
		err = n.http.Do(ctx, sender.Post{URL: n.url, Body: body, Hint: hint,
			Parse: func(b []byte) string { r, after := parse(b); retryAfter = after; return r }})
	}
	var e *sender.Error
	if errors.As(err, &e) && e.Kind == sender.RateLimited && retryAfter > 0 {
		if at := n.now().Add(time.Duration(retryAfter * float64(time.Second))); at.After(e.RetryAt) {
			e.RetryAt = at
		}
	}
	if err != nil {
		return sender.Scrub(fmt.Errorf("telegram chat %q: %w", d.Room, err), n.token)
	}
	return nil
}

func (n *Notifier) payload(d *batch.Digest) payload {
	msg := d.Message
	if d.Format == "html" {
		msg = Sanitize(msg)
	} else {
		// Log text is neutralised already; the rest is the rule's own
		// template, shown as written.
		msg = html.EscapeString(msg)
	}
	head := Marks[sender.Color(d.Color, d.ID)]
	if m := mention(d.Mention); m != "" {
		head += " " + m
	}
	msg = sender.Cut(head+" "+msg, Limit, LimitUnit, "html")
	return payload{ChatID: d.Room, Text: msg, ParseMode: "HTML", LinkPreviewOptions: linkPreview{IsDisabled: true},
		DisableNotify: !d.Notify && d.Mention == ""}
}

// mention keeps the @usernames of a rule's mention field; Telegram has
// no @all or @here (and no username is shorter than 5 characters).
func mention(m string) string {
	var out []string
	for _, f := range strings.Fields(m) {
		if name, ok := strings.CutPrefix(f, "@"); ok && len(name) >= 5 &&
			strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == "" {
			out = append(out, "@"+name)
		}
	}
	return strings.Join(out, " ")
}
