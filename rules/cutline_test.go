package rules

import (
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/tailer"
)

// TestCutLineMatching checks what rules see of an overlong line: its real
// start and end, never the cut marker; and that the rendered line shows
// the marker.
func TestCutLineMatching(t *testing.T) {
	set := mustParse(t, `destinations:
  o: {type: console}
rules:
  - {name: digits, match: '\d+ bytes', continue: true}
  - {name: panic, match: 'PANIC$', continue: true}
  - {name: start, match: '^x+$', continue: true}
  - {name: head, match: '^x{3}'}
`).Set
	// What tailer makes of "x"*200 + " PANIC" with max_line_bytes 100.
	line := tailer.Line{Text: strings.Repeat("x", 75) + "\n" + strings.Repeat("x", 19) + " PANIC",
		Truncated: true, Cut: 112, CutAt: 75}
	var got []string
	for _, m := range set.Match(line, nil) {
		got = append(got, m.Rule.Name)
		if !strings.Contains(m.Text, " …[cut 112 bytes]… ") {
			t.Errorf("rule %s renders %q, want the cut marker in it", m.Rule.Name, m.Text)
		}
	}
	if strings.Join(got, ",") != "panic,head" {
		t.Errorf("rules matched %v, want [panic head]: the marker is not log text, the end is the line's end, '.' does not span the cut", got)
	}
}

func TestMaxLineBytesBound(t *testing.T) {
	_, err := Parse([]byte(`destinations: {o: {type: console}}
inputs: [{path: /var/log/x.log, max_line_bytes: 9223372036854775807}]
rules: [{name: r, match: x}]
`), "c.yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), "c.yaml:2:") || !strings.Contains(err.Error(), "max_line_bytes: at most 16777216") {
		t.Errorf("Parse = %v, want max_line_bytes refused with its place", err)
	}
}
