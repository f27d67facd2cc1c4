package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/tailer"
)

// TestTemplateTimesHaveNoMonotonicReading checks that .time, .first and
// .last print as plain times: a time.Now value carries a monotonic clock
// reading, which its String method would otherwise show as "m=+0.0042".
func TestTemplateTimesHaveNoMonotonicReading(t *testing.T) {
	cfg := mustParse(t, `
destinations:
  o: {type: console}
rules:
  - name: a
    match: x
    template: 'at {{.time}}'
    digest_template: '{{.first}} to {{.last}}'
`)
	r := cfg.Set.Rules()[0]
	now := time.Now()
	line := r.RenderLine(tailer.Line{Text: "x", File: "f", Time: now}, nil)
	if want := "at " + now.Round(0).String(); line != want {
		t.Errorf("RenderLine = %q, want %q", line, want)
	}
	digest, err := r.RenderDigest(DigestData{Count: 1, First: now, Last: now})
	if err != nil {
		t.Fatalf("RenderDigest: %v", err)
	}
	if strings.Contains(digest, "m=") {
		t.Errorf("RenderDigest = %q, shows the monotonic clock reading", digest)
	}
}
