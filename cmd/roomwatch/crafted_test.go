package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// craftedConfig holds rules a user writes, group_by on a capture (the
// capture path of the engine), and the alert that must not wait.
const craftedConfig = `
destinations:
  hc: {type: hipchat, url_env: HIPCHAT_URL, token_env: HIPCHAT_TOKEN}
defaults: {room: Ops, format: text}
rules:
  - name: ssh-failed
    match: 'ssh: Failed password for .*from (?P<ip>.*) port (?P<port>\d+)'
    group_by: [ip]
  - name: sshd-user
    match: 'sshd.*user (?P<user>.*) from (?P<ip>\S+)'
    group_by: [user]
  - name: foo
    match: 'foo.*b(?P<x>.*)c'
    group_by: [x]
  - name: alert
    match: 'ALERT (?P<what>\w+)'
    group_by: [what]
`

// craftedInput returns, for each rule of craftedConfig, a line of n bytes
// of its literal pieces that it does not match (the worst case of an
// engine that retries at every piece), then an ordinary alert.
func craftedInput(n int) []byte {
	var b bytes.Buffer
	for _, l := range []struct{ piece, end string }{
		{"ssh: Failed password for from ", " port x"},
		{"sshd user ", " from "},
		{"foob", "x"},
	} {
		b.WriteString(strings.Repeat(l.piece, n/len(l.piece)+1)[:n-len(l.end)] + l.end + "\n")
	}
	b.WriteString("ALERT disk-full on /var\n")
	return b.Bytes()
}

// TestCraftedLinesDoNotDelayAlerts runs `roomwatch pipe` over three
// crafted lines (one per rule, each of the rule's literal pieces, which
// once cost seconds to tens of seconds at 16 to 64 KiB) followed by an
// ordinary alert, with lines of 4 KiB and of 64 KiB (max_line_bytes): the
// alert is delivered, and the run with 64 KiB lines takes no more than
// the linear cost of reading 16 times as much, with a generous margin
// for a busy machine.
func TestCraftedLinesDoNotDelayAlerts(t *testing.T) {
	took := map[int]time.Duration{}
	for _, n := range []int{4 << 10, 64 << 10} {
		in := craftedInput(n)
		t0 := time.Now()
		code, _, got := pipeInProcess(t, craftedConfig, in)
		took[n] = time.Since(t0)
		if code != exitOK {
			t.Fatalf("%d KiB lines: exit %d", n>>10, code)
		}
		alerts := 0
		for _, m := range got {
			if strings.Contains(m.Message, "ALERT disk-full on /var") {
				alerts++
			}
			if len(m.Message) > 0 && !strings.Contains(m.Message, "ALERT") {
				t.Errorf("%d KiB lines: a crafted line was matched: %.200q", n>>10, m.Message)
			}
		}
		if alerts != 1 {
			t.Fatalf("%d KiB lines: %d notifications with the alert, want 1 (got %d in all)", n>>10, alerts, len(got))
		}
	}
	t.Logf("pipe over three crafted lines and an alert: %v with 4 KiB lines, %v with 64 KiB lines", took[4<<10], took[64<<10])
	if limit := 16*took[4<<10] + 3*time.Second; took[64<<10] > limit {
		t.Errorf("with 64 KiB crafted lines the alert took %v, with 4 KiB %v: more than %v, matching is not linear",
			took[64<<10], took[4<<10], limit)
	}
}
