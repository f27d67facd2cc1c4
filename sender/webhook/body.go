package webhook

import (
	"cmp"
	"context"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
)

// TemplateData is what a body_template sees: the fields of
// digest_template (count, first, last, rule, room, host, group, lines,
// more, folded) plus message (the rendered digest) and color (random
// already resolved).
func TemplateData(d *batch.Digest, host string) map[string]any {
	lines := make([]map[string]any, len(d.Lines))
	for i, l := range batch.DigestLines(d) {
		lines[i] = rules.LineData(l)
	}
	group := d.Group
	if group == nil {
		group = map[string]string{}
	}
	return map[string]any{
		"count": d.Count, "first": d.First.Round(0), "last": d.Last.Round(0), "rule": d.Rule, "room": d.Room,
		"host": host, "group": group, "lines": lines, "more": d.More, "folded": d.Folded,
		"message": d.Message, "color": sender.Color(d.Color, d.ID),
	}
}

// notifyTemplated posts the body the template makes. A template that
// fails on this digest is a permanent failure: sending it again would
// fail the same way.
func (n *Notifier) notifyTemplated(ctx context.Context, d *batch.Digest) error {
	body, err := n.body.Render(TemplateData(d, n.host))
	if err != nil {
		return &sender.Error{Kind: sender.Permanent, Err: err}
	}
	h := n.header.Clone()
	h.Set("Content-Type", cmp.Or(n.contentType, "application/json"))
	return n.http.Do(ctx, sender.Post{URL: n.url, Header: h, Body: body, Hint: hint})
}
