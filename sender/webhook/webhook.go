// Package webhook posts every digest as one JSON document holding all its
// fields, for receivers that do their own formatting, or as the body a
// body_template makes, so any service with a simple JSON or text API is
// reachable. The log text in it is data: exactly what the rule rendered,
// with no chat escaping (in a JSON body template, escaped as JSON).
package webhook

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
)

// Notifier posts digests to one URL. It is safe for concurrent use.
type Notifier struct {
	url         string
	header      http.Header
	host        string
	body        Renderer // nil: the JSON document
	contentType string
	http        sender.HTTP
}

var _ sender.Notifier = (*Notifier)(nil)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	if _, err := sender.CheckURL("url", cfg.URL.Reveal()); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	h := http.Header{}
	for k, v := range cfg.Headers {
		h.Set(k, v.Reveal())
	}
	return &Notifier{url: cfg.URL.Reveal(), header: h, host: cfg.Host, body: cfg.Body, contentType: cfg.ContentType,
		http: sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: cfg.Now}}, nil
}

// Document is the JSON body of each request.
type Document struct {
	ID      string             `json:"id"` // unique per digest, the same on a retry
	Host    string             `json:"host"`
	Rule    string             `json:"rule"`
	Room    string             `json:"room"`
	Color   string             `json:"color"` // random already resolved
	Format  string             `json:"format"`
	Notify  bool               `json:"notify"`
	Mention string             `json:"mention,omitempty"`
	Group   map[string]string  `json:"group,omitempty"`
	Count   int                `json:"count"`
	First   time.Time          `json:"first"`
	Last    time.Time          `json:"last"`
	At      time.Time          `json:"at"`
	Lines   []rules.DigestLine `json:"lines"` // as a digest shows them: varying parts with their values
	More    int                `json:"more"`
	Message string             `json:"message"`
}

// DocumentOf returns the document for d.
func DocumentOf(d *batch.Digest, host string) Document {
	lines := batch.DigestLines(d)
	return Document{
		ID: d.ID, Host: host, Rule: d.Rule, Room: d.Room, Color: sender.Color(d.Color, d.ID), Format: d.Format,
		Notify: d.Notify, Mention: d.Mention, Group: d.Group, Count: d.Count, First: d.First, Last: d.Last,
		At: d.At, Lines: lines, More: d.More, Message: d.Message,
	}
}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	if n.body != nil {
		if err := n.notifyTemplated(ctx, d); err != nil {
			return fmt.Errorf("webhook room %q: %w", d.Room, err)
		}
		return nil
	}
	body, err := sender.JSON(DocumentOf(d, n.host))
	if err == nil {
		err = n.http.Do(ctx, sender.Post{URL: n.url, Header: n.header, Body: body, Hint: hint})
	}
	if err != nil {
		return fmt.Errorf("webhook room %q: %w", d.Room, err)
	}
	return nil
}

func hint(status int, _ string) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "the receiver refused the credentials: check the headers"
	case http.StatusNotFound:
		return "the receiver has no such path: check the url"
	}
	return ""
}
