package sendertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/tailer"
)

// Hostile is a log line that tries every mention and link forgery the
// chat destinations know: Slack's <!channel>, <@U> and <url|text>,
// Discord's @everyone and <@id>, Matrix's @room, Markdown links and HTML.
const Hostile = `<!channel> @everyone @here <@123> <@&456> <#C1> [click](http://evil) <a href=x>y</a> <http://evil|bank> @all @channel @room`

// destKeys are the smallest valid keys of each destination type.
var destKeys = map[string]string{
	"hipchat":      "url: https://hipchat.invalid\n    token: t",
	"slack":        "webhook_url: https://hooks.invalid/services/T/B/X",
	"mattermost":   "webhook_url: https://mm.invalid/hooks/x",
	"discord":      "webhook_url: https://discord.invalid/api/webhooks/1/x",
	"teams":        "webhook_url: https://teams.invalid/workflows/x",
	"matrix":       "url: https://matrix.invalid\n    token: t",
	"webhook":      "url: https://hook.invalid/x",
	"alertmanager": "url: https://am.invalid",
	"console":      "output: stderr",
	"email":        "smtp: mail.invalid:587\n    from: roomwatch@example.com",
	"ntfy":         "url: https://ntfy.invalid",
	"telegram":     "token: 123456789:AAHsecretsecretsecret",
	"googlechat":   "webhook_url: https://chat.invalid/v1/spaces/AAA/messages?key=k&token=t",
}

// destRooms are rooms of the types that take no room named "ops".
var destRooms = map[string]string{"email": "ops@example.com", "telegram": "-1001234567890"}

// Digest renders lines through a one-rule config for destType, the way the
// daemon does: rules escapes the log text for the destination and format
// (with sender.Escaper), and a batcher renders the digest. mention is the
// rule's mention field, "" for none. The rule is named "hostile", sends
// to room "ops" in red (an address for email, a chat id for telegram,
// "!ops:example.org" for Matrix, which needs a room id),
// and groups by nothing.
func Digest(t testing.TB, destType, format, mention string, lines ...string) *batch.Digest {
	t.Helper()
	room := "ops"
	switch {
	case destType == "matrix":
		room = "'!ops:example.org'"
	case destRooms[destType] != "":
		room = fmt.Sprintf("%q", destRooms[destType])
	}
	yaml := fmt.Sprintf("destinations:\n  d:\n    type: %s\n    %s\nrules:\n  - name: hostile\n    match: '.'\n"+
		"    room: %s\n    color: red\n    format: %s\n", destType, destKeys[destType], room, format)
	if mention != "" {
		yaml += fmt.Sprintf("    mention: %q\n", mention)
	}
	cfg, err := rules.Parse([]byte(yaml), "hostile.yaml", rules.Options{Escape: sender.Escaper, Host: "web-01"})
	if err != nil {
		t.Fatalf("config: %v\n%s", err, yaml)
	}
	var got []*batch.Digest
	b := batch.New(batch.Options{Host: "web-01", Send: func(d *batch.Digest) { d.Release(); got = append(got, d) }})
	for _, l := range lines {
		for _, m := range cfg.Set.Match(tailer.Line{Text: l}, nil) {
			b.Add(m)
		}
	}
	b.Flush()
	if len(got) != 1 {
		t.Fatalf("%d digests, want 1", len(got))
	}
	return got[0]
}

// AssertNoPing fails t if text holds one of the forged mentions or links
// of Hostile as the platform would read them. Each platform's tests pass
// the tokens that are live in its syntax.
func AssertNoPing(t testing.TB, text string, live ...string) {
	t.Helper()
	for _, s := range live {
		if strings.Contains(text, s) {
			t.Errorf("text holds a live %q: %q", s, text)
		}
	}
}

// Pretty indents a JSON body for a golden file.
func Pretty(t testing.TB, body []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, body)
	}
	return b.String() + "\n"
}
