package rules

import (
	"strings"
	"testing"
	"time"
)

func TestPlural(t *testing.T) {
	tests := []struct {
		n    any
		noun string
		more []string
		want string
	}{
		{1, "failure", nil, "1 failure"},
		{2, "failure", nil, "2 failures"},
		{0, "failure", nil, "0 failures"},
		{"1", "root password failure", nil, "1 root password failure"},
		{3, "match", nil, "3 matches"},
		{3, "entry", nil, "3 entries"},
		{3, "day", nil, "3 days"},
		{2, "person", []string{"people"}, "2 people"},
		{1, "person", []string{"people"}, "1 person"},
	}
	for _, tt := range tests {
		got, err := plural(tt.n, tt.noun, tt.more...)
		if err != nil || got != tt.want {
			t.Errorf("plural(%v, %q) = %q, %v; want %q", tt.n, tt.noun, got, err, tt.want)
		}
	}
	if _, err := plural("many", "x"); err == nil {
		t.Error("plural of a word is not an error")
	}
}

// A digest_template with plural reads naturally at any count, and the
// lines' values are there for templates.
func TestDigestTemplatePluralAndValues(t *testing.T) {
	cfg := mustParse(t, `destinations:
  o: {type: console}
rules:
  - name: ssh
    match: 'Failed password for (?P<user>\S+)'
    destination: o
    digest_template: '{{plural .count "root password failure"}}{{range .lines}}{{range .values}}:{{range .values}} {{.text}}={{.count}}{{end}}{{end}}{{end}}'
`)
	r := cfg.Set.Rules()[0]
	at := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		d    DigestData
		want string
	}{
		{DigestData{Count: 1, First: at, Last: at, Lines: []DigestLine{{Text: "x", Count: 1}}}, "1 root password failure"},
		{DigestData{Count: 6, First: at, Last: at, Lines: []DigestLine{{Text: "x", Count: 6, Values: []DigestField{
			{Values: []DigestValue{{Text: "1.1.1.1", Count: 1}, {Text: "203.0.113.5", Count: 5}}}}}}},
			"6 root password failures: 1.1.1.1=1 203.0.113.5=5"},
	} {
		got, err := r.RenderDigest(tt.d)
		if err != nil || strings.TrimSpace(got) != tt.want {
			t.Errorf("RenderDigest = %q, %v; want %q", got, err, tt.want)
		}
	}
}
