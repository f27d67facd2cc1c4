package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// TestReportJSONAsEncoder: the report written a message at a time is
// byte for byte what json.Encoder with a two-space indent writes, for
// empty, nil and full reports with text that JSON escapes.
func TestReportJSONAsEncoder(t *testing.T) {
	full := &testReport{
		Lines: 3, Matched: 2, Seconds: 0.25, LinesPerSec: 12,
		Rules: []*ruleReport{
			{Name: "ssh", Action: "notify", Matches: 2, Samples: []testSample{
				{File: "-", Line: "Failed <root> & \"x\"", Captures: map[string]string{"ip": "1.2.3.4", "a": "\u2028"}},
			}},
			{Name: "quiet", Action: "drop"},
		},
		Messages: []testMessage{
			{Destination: "hc", Room: "Ops", Color: "red", Format: "html", Notify: true, Rule: "ssh", Count: 2, Text: "<b>2 ×</b>\nline\ttab"},
			{Destination: "hc", Room: "Ops", Color: "yellow", Format: "text", Rule: "other", Count: 1, Text: ""},
		},
	}
	// More messages than one round of blocks on every CPU writes.
	many := &testReport{Rules: []*ruleReport{}}
	for i := range 1000 {
		many.Messages = append(many.Messages, testMessage{Destination: "hc", Room: "Ops", Rule: "r", Count: i, Text: fmt.Sprintf("line <%d>", i)})
	}
	for name, rep := range map[string]*testReport{
		"full":           full,
		"many messages":  many,
		"nil slices":     {},
		"empty messages": {Rules: []*ruleReport{}, Messages: []testMessage{}, Seconds: 1e-9},
	} {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			t.Fatal(err)
		}
		if err := writeReportJSON(&got, rep); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: written\n%s\nwant\n%s", name, got.String(), want.String())
		}
	}
}
