package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestReportJSONAsEncoder: the report written a message at a time is
// byte for byte what json.Encoder with a two-space indent writes, for
// empty, nil and full reports with text that JSON escapes.
func TestReportJSONAsEncoder(t *testing.T) {
	full := &TestReport{
		Lines: 3, Matched: 2, Seconds: 0.25, LinesPerSec: 12,
		Rules: []*RuleReport{
			{Name: "ssh", Action: "notify", Matches: 2, Samples: []TestSample{
				{File: "-", Line: "Failed <root> & \"x\"", Captures: map[string]string{"ip": "1.2.3.4", "a": "\u2028"}},
			}},
			{Name: "quiet", Action: "drop"},
		},
		Messages: []TestMessage{
			{Destination: "hc", Room: "Ops", Color: "red", Format: "html", Notify: true, Rule: "ssh", Count: 2, Text: "<b>2 ×</b>\nline\ttab"},
			{Destination: "hc", Room: "Ops", Color: "yellow", Format: "text", Rule: "other", Count: 1, Text: ""},
		},
	}
	// More messages than one round of blocks on every CPU writes.
	many := &TestReport{Rules: []*RuleReport{}}
	for i := range 1000 {
		many.Messages = append(many.Messages, TestMessage{Destination: "hc", Room: "Ops", Rule: "r", Count: i, Text: fmt.Sprintf("line <%d>", i)})
	}
	for name, rep := range map[string]*TestReport{
		"full":           full,
		"many messages":  many,
		"nil slices":     {},
		"empty messages": {Rules: []*RuleReport{}, Messages: []TestMessage{}, Seconds: 1e-9},
	} {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			t.Fatal(err)
		}
		if err := rep.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: written\n%s\nwant\n%s", name, got.String(), want.String())
		}
	}
}

// TestJSONStringAsEncodingJSON: the report's string quoting is
// encoding/json's, for every byte and many runes alone and in text, and
// for invalid UTF-8.
func TestJSONStringAsEncodingJSON(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: quoted %s, encoding/json %s", s, got, want)
		}
	}
	for c := range 256 {
		check(string([]byte{byte(c)}))
		check("a" + string([]byte{byte(c)}) + "b<>&\"\\")
	}
	for r := rune(0); r <= 0x10FFFF; r += 1 + r/64 {
		check("x" + string(r) + "y")
	}
	for _, s := range []string{"", "\u2028\u2029", "é\xffé", "\xe2\x80", "\xed\xa0\x80", "\x7f\x00\u00ad", strings.Repeat("<a href=\"x\">&amp;</a>\n", 9)} {
		check(s)
	}
}

func FuzzJSONString(f *testing.F) {
	f.Add("a<b>\"c\"\n\xff\u2028")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: quoted %s, encoding/json %s", s, got, want)
		}
	})
}
