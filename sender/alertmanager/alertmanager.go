// Package alertmanager posts each digest as one alert to a Prometheus
// Alertmanager, so that the roomwatches of a fleet feed one (clustered)
// Alertmanager that groups, silences and routes across hosts.
package alertmanager

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

// Notifier posts alerts to one Alertmanager. It is safe for concurrent use.
type Notifier struct {
	url     string
	host    string
	resolve time.Duration
	http    sender.HTTP
	now     func() time.Time
}

var _ sender.Notifier = (*Notifier)(nil)

// New checks cfg and returns a Notifier. It sends nothing.
func New(cfg Config) (*Notifier, error) {
	u, err := sender.CheckURL("url", cfg.URL.Reveal())
	if err != nil {
		return nil, fmt.Errorf("alertmanager: %w", err)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/api/v2/alerts"
	n := &Notifier{url: u.String(), host: cfg.Host, resolve: cfg.ResolveAfter,
		http: sender.HTTP{Client: cfg.Client, Timeout: cfg.Timeout, Now: cfg.Now}, now: cfg.Now}
	if n.now == nil {
		n.now = time.Now
	}
	return n, nil
}

// Severities maps HipChat's colours to the severity label.
var Severities = map[string]string{
	"red": "critical", "yellow": "warning", "purple": "warning", "green": "info", "gray": "info",
}

// Alert is one alert of POST /api/v2/alerts.
type Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// ResolveAfter returns how long after a POST the alert of d resolves by
// itself: the configured resolve_after, else the larger of
// DefaultResolveAfter and twice the rule's interval, so that a condition
// that keeps matching is posted again (at most one interval later) before
// its alert ends.
func (n *Notifier) ResolveAfter(d *batch.Digest) time.Duration {
	if n.resolve != 0 {
		return n.resolve
	}
	return max(DefaultResolveAfter, 2*d.Interval)
}

// AlertOf returns the alert for d as posted now: labels alertname (the
// rule), room, severity, instance and the group_by values; annotations
// summary and description; endsAt ResolveAfter after now, never after the
// digest was closed, so that a digest delivered late (after an outage,
// from the outbox) still arrives firing.
func (n *Notifier) AlertOf(d *batch.Digest) Alert {
	labels := map[string]string{"alertname": d.Rule, "room": d.Room,
		"severity": Severities[sender.Color(d.Color, d.ID)], "instance": n.host}
	for k, v := range d.Group {
		name := labelName(k)
		if _, taken := labels[name]; taken {
			name = "group_" + name
		}
		labels[name] = v
	}
	for k, v := range labels {
		if v == "" {
			delete(labels, k) // an empty label is no label
		}
	}
	msg := d.Message
	if d.Format == "html" {
		msg = sender.HTMLText(msg)
	}
	now := n.now()
	start := d.First
	if start.IsZero() || start.After(now) {
		start = now
	}
	return Alert{
		Labels:      labels,
		Annotations: map[string]string{"summary": sender.Summary(msg), "description": msg},
		StartsAt:    start.UTC(), EndsAt: now.Add(n.ResolveAfter(d)).UTC(),
	}
}

// labelName makes a capture name a valid label name: [a-zA-Z_][a-zA-Z0-9_]*.
func labelName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || strings.HasPrefix(string(b), "__") {
		return "group" + string(b)
	}
	return string(b)
}

// Notify implements sender.Notifier.
func (n *Notifier) Notify(ctx context.Context, d *batch.Digest) error {
	body, err := sender.JSON([]Alert{n.AlertOf(d)})
	if err == nil {
		err = n.http.Do(ctx, sender.Post{URL: n.url, Body: body, Parse: reason, Hint: hint})
	}
	if err != nil {
		return fmt.Errorf("alertmanager: %w", err)
	}
	return nil
}

// reason reads Alertmanager's error: a JSON string or {"message"}.
func reason(body []byte) string {
	var s string
	if json.Unmarshal(body, &s) == nil {
		return s
	}
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil {
		return e.Message
	}
	return ""
}

func hint(status int, _ string) string {
	switch status {
	case http.StatusBadRequest:
		return "Alertmanager refused the alert"
	case http.StatusNotFound:
		return "no Alertmanager API v2 at this url: give the base URL (http://host:9093)"
	case http.StatusUnauthorized, http.StatusForbidden:
		return "a proxy in front of Alertmanager refused the request"
	}
	return ""
}
