// Package teams sends digests to a Microsoft Teams Workflows webhook as an
// Adaptive Card whose style shows the rule's colour, and explains the
// refusals of the workflow service.
package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier posts digests to one Workflows webhook. It is safe for
// concurrent use.
type Notifier struct {
	url  string
	http sender.HTTP
}

var (
	_ sender.Notifier = (*Notifier)(nil)
	_ sender.Limited  = (*Notifier)(nil)
)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	if _, err := sender.CheckURL("webhook_url", cfg.WebhookURL.Reveal()); err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return &Notifier{url: cfg.WebhookURL.Reveal(), http: sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: cfg.Now}}, nil
}

// Limit implements sender.Limited.
func (n *Notifier) Limit() (int, sender.Unit) { return Limit, LimitUnit }

// Styles maps HipChat's colours to Adaptive Card container styles; the
// heading's text colour is the same name, capitalised.
var Styles = map[string]string{
	"red": "attention", "yellow": "warning", "green": "good", "purple": "accent", "gray": "default",
}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	msg := d.Message
	if d.Format == "html" {
		msg = sender.Escaper("teams", "text")(sender.HTMLText(msg))
	}
	body, err := sender.Fit(msg, Limit, LimitUnit, "text", func(msg string) ([]byte, error) {
		return sender.JSON(message(d, msg))
	})
	if err == nil {
		err = n.http.Do(ctx, sender.Post{URL: n.url, Body: body, Parse: reason, Hint: hint})
	}
	if err != nil {
		return fmt.Errorf("teams: %w", err)
	}
	return nil
}

// message is the webhook body: a message with one Adaptive Card. Each line
// is its own TextBlock, because a TextBlock's Markdown joins lines.
func message(d *batch.Digest, msg string) map[string]any {
	style := Styles[sender.Color(d.Color, d.ID)]
	var items []any
	for i, line := range strings.Split(msg, "\n") {
		tb := map[string]any{"type": "TextBlock", "text": line, "wrap": true, "spacing": "None"}
		if i == 0 {
			tb["weight"], tb["color"], tb["spacing"] = "Bolder", strings.ToUpper(style[:1])+style[1:], "Default"
		}
		items = append(items, tb)
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard", "version": "1.4",
		"msteams": map[string]any{"width": "full"},
		"body":    []any{map[string]any{"type": "Container", "style": style, "bleed": true, "items": items}},
	}
	if text, entity, ok := mention(d.Mention); ok {
		card["body"] = append([]any{map[string]any{"type": "TextBlock", "text": text, "wrap": true}}, card["body"].([]any)...)
		card["msteams"].(map[string]any)["entities"] = []any{entity}
	}
	return map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": nil, "content": card,
		}},
	}
}

// mention turns a rule's mention of a person (@user@example.com, their
// Entra ID user principal name) into a Teams mention. Teams webhooks
// cannot ping a whole channel, so @all and @here are not sent.
func mention(m string) (string, map[string]any, bool) {
	upn := strings.TrimPrefix(strings.TrimSpace(m), "@")
	if !strings.Contains(upn, "@") || strings.ContainsAny(upn, "<>&\" \t") {
		return "", nil, false
	}
	text := "<at>" + upn + "</at>"
	return text, map[string]any{"type": "mention", "text": text, "mentioned": map[string]any{"id": upn, "name": upn}}, true
}

// apiError is the workflow service's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func reason(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Error.Message == "" && e.Error.Code == "" {
		return ""
	}
	return strings.TrimSpace(e.Error.Code + ": " + e.Error.Message)
}

// hint says what the workflow service's answer usually means.
func hint(status int, reason string) string {
	switch status {
	case http.StatusBadRequest:
		return "the workflow could not read the card"
	case http.StatusUnauthorized, http.StatusForbidden:
		return "the URL's signature (sig=) was refused: copy the workflow's URL again"
	case http.StatusNotFound:
		return "the workflow was deleted or turned off, or its URL is wrong"
	case http.StatusRequestEntityTooLarge:
		return "the message is over Teams' 28 KB limit"
	case http.StatusTooManyRequests:
		return "throttled: Teams allows about 4 requests a second per webhook"
	}
	return ""
}
