package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/config"
)

// testEnv is the environment the tests' *_env secrets see.
var testEnv = map[string]string{"SLACK_URL": "https://hooks.slack.com/services/T/B/x", "EMPTY": ""}

func testOptions() Options {
	return Options{
		Host: "web-01",
		LookupEnv: func(k string) (string, bool) {
			v, ok := testEnv[k]
			return v, ok
		},
	}
}

// errorLines returns err's problems, one string each; nil for no error.
func errorLines(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var es config.Errors
	if !errors.As(err, &es) {
		t.Fatalf("error is %T, want config.Errors: %v", err, err)
	}
	return strings.Split(es.Error(), "\n")
}

// header is a valid start for configs whose rules are under test: one
// console destination (lines 1-4).
const header = `destinations:
  out:
    type: console
rules:
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "syntax error",
			yaml: "rules:\n  - name: a\n    match: a: b\n",
			want: []string{"roomwatch.yaml:3:1: yaml: mapping values are not allowed in this context"},
		},
		{
			name: "unknown top-level key",
			yaml: "rulez: []\n",
			want: []string{`roomwatch.yaml:1:1: unknown key "rulez"; did you mean "rules"?`},
		},
		{
			name: "unknown destination key",
			yaml: "destinations:\n  ops:\n    type: console\n    tokn: x\n",
			want: []string{`roomwatch.yaml:4:5: destination "ops": unknown key "tokn"; did you mean "token"?`},
		},
		{
			name: "unknown rule key names the rule",
			yaml: header + "  - name: r\n    match: x\n    colour: red\n",
			want: []string{`roomwatch.yaml:7:5: rule "r": unknown key "colour"; did you mean "color"?`},
		},
		{
			name: "unknown key in a rule without a name",
			yaml: header + "  - match: x\n    colour: red\n",
			want: []string{
				`roomwatch.yaml:5:5: rules[0]: name is required`,
				`roomwatch.yaml:6:5: rules[0]: unknown key "colour"; did you mean "color"?`,
			},
		},
		{
			name: "wrong types",
			yaml: header + "  - name: r\n    match: x\n    notify: maybe\n    debounce: {max_lines: lots}\n    group_by: ip\n",
			want: []string{
				`roomwatch.yaml:7:13: rule "r": notify: want true or false, got "maybe"`,
				`roomwatch.yaml:8:27: rule "r": debounce: max_lines: want an integer, got "lots"`,
				`roomwatch.yaml:9:15: rule "r": group_by: want a list, got "ip"`,
			},
		},
		{
			name: "mapping where a list is expected",
			yaml: "inputs:\n  path: /var/log/x\n",
			want: []string{`roomwatch.yaml:2:3: inputs: want a list, got a mapping`},
		},
		{
			name: "duplicate key",
			yaml: header + "  - name: r\n    match: x\n    name: s\n",
			want: []string{`roomwatch.yaml:7:5: rule "r": duplicate key "name" (first at line 5)`},
		},
		{
			name: "bad duration",
			yaml: "shutdown_timeout: 5 minutes\n",
			want: []string{`roomwatch.yaml:1:19: shutdown_timeout: want a duration like 30s or 5m, got "5 minutes"`},
		},
		{
			name: "bad regexes",
			yaml: header + "  - name: disk-full\n    match: 'disk (full'\n    unless: 'a\\q'\n" +
				"inputs:\n  - path: x\n    multiline: {start: '['}\n",
			want: []string{
				`roomwatch.yaml:6:12: rule "disk-full": match: missing closing )`,
				"roomwatch.yaml:7:13: rule \"disk-full\": unless: invalid escape sequence: `\\q`",
				`roomwatch.yaml:10:24: inputs[0]: multiline: start: missing closing ]`,
			},
		},
		{
			name: "rule without name or match",
			yaml: header + "  - color: red\n",
			want: []string{
				`roomwatch.yaml:5:5: rules[0]: name is required`,
				`roomwatch.yaml:5:5: rules[0]: match is required`,
			},
		},
		{
			name: "drop rule needs match too",
			yaml: header + "  - name: d\n    action: drop\n",
			want: []string{`roomwatch.yaml:5:5: rule "d": match is required`},
		},
		{
			name: "duplicate rule names",
			yaml: header + "  - name: a\n    match: x\n  - name: a\n    match: y\n",
			want: []string{`roomwatch.yaml:7:11: rule "a": name: duplicate rule name, first at roomwatch.yaml:5:11`},
		},
		{
			name: "bad action colour format",
			yaml: header + "  - name: a\n    match: x\n    action: page\n    color: blue\n    format: md\n",
			want: []string{
				`roomwatch.yaml:7:13: rule "a": action: want notify or drop, got "page"`,
				`roomwatch.yaml:8:12: rule "a": color: want yellow, green, red, purple, gray or random, got "blue"`,
				`roomwatch.yaml:9:13: rule "a": format: want text or html, got "md"`,
			},
		},
		{
			name: "unknown destination type and missing type",
			yaml: "destinations:\n  a:\n    type: irc\n  b:\n    url: x\n",
			want: []string{
				`roomwatch.yaml:3:11: destination "a": type: unknown type "irc" (want hipchat, slack, mattermost, discord, teams, matrix, webhook, alertmanager, console, email, ntfy, telegram or googlechat)`,
				`roomwatch.yaml:5:5: destination "b": type is required`,
			},
		},
		{
			name: "rule naming an undefined destination",
			yaml: header + "  - name: a\n    match: x\n    destination: ops\n",
			want: []string{`roomwatch.yaml:7:18: rule "a": destination: unknown destination "ops" (defined: out)`},
		},
		{
			name: "defaults naming an undefined destination is reported once",
			yaml: "destinations:\n  out: {type: console}\ndefaults:\n  destination: ops\nrules:\n" +
				"  - {name: a, match: x}\n  - {name: b, match: y}\n",
			want: []string{`roomwatch.yaml:4:16: defaults: destination: unknown destination "ops" (defined: out)`},
		},
		{
			name: "no destination chosen among several",
			yaml: "destinations:\n  a: {type: console}\n  b: {type: console}\nrules:\n  - {name: r, match: x}\n",
			want: []string{`roomwatch.yaml:5:5: rule "r": destination is required: 2 destinations are defined; set destination here or in defaults`},
		},
		{
			name: "keys not allowed for the type",
			yaml: "destinations:\n  ops:\n    type: hipchat\n    url: https://h.example.com\n    token_env: SLACK_URL\n    username: bot\n    headers: {X: y}\n",
			want: []string{
				`roomwatch.yaml:6:5: destination "ops": key "username" is not allowed for type hipchat (allowed: type, timeout, url, url_file, url_env, token, token_file, token_env, from, rate_limit, outbox_max_bytes)`,
				`roomwatch.yaml:7:5: destination "ops": key "headers" is not allowed for type hipchat (allowed: type, timeout, url, url_file, url_env, token, token_file, token_env, from, rate_limit, outbox_max_bytes)`,
			},
		},
		{
			name: "at most one form of a secret, required keys",
			yaml: "destinations:\n  ops:\n    type: hipchat\n    token_env: SLACK_URL\n    token_file: t\n  s:\n    type: slack\n",
			want: []string{
				`roomwatch.yaml:3:5: destination "ops": at most one of token & token_file & token_env must be configured`,
				`roomwatch.yaml:3:5: destination "ops": url is required for type hipchat (or url_file or url_env)`,
				`roomwatch.yaml:7:5: destination "s": webhook_url is required for type slack (or webhook_url_file or webhook_url_env)`,
			},
		},
		{
			name: "env secrets must be set",
			yaml: "destinations:\n  a:\n    type: slack\n    webhook_url_env: NOPE\n  b:\n    type: slack\n    webhook_url_env: EMPTY\n",
			want: []string{
				`roomwatch.yaml:4:22: destination "a": webhook_url_env: environment variable NOPE is not set`,
				`roomwatch.yaml:7:22: destination "b": webhook_url_env: environment variable EMPTY is empty`,
			},
		},
		{
			name: "url must be http",
			yaml: "destinations:\n  a:\n    type: alertmanager\n    url: ftp://x\n",
			want: []string{`roomwatch.yaml:4:10: destination "a": url: want an http or https URL`},
		},
		{
			name: "input problems",
			yaml: "inputs:\n  - start: end\n  - path: x\n    start: middle\n    exclude: ['[']\n    multiline: {timeout: 2s}\n",
			want: []string{
				`roomwatch.yaml:2:5: inputs[0]: path or journal is required`,
				`roomwatch.yaml:4:12: inputs[1]: start: want end or beginning, got "middle"`,
				`roomwatch.yaml:5:15: inputs[1]: exclude: bad pattern "[": syntax error in pattern`,
				`roomwatch.yaml:6:16: inputs[1]: multiline: start is required`,
			},
		},
		{
			name: "group_by names a capture match lacks",
			yaml: header + "  - name: a\n    match: '(?P<ip>\\S+) (x)'\n    group_by: [ip, user]\n",
			want: []string{`roomwatch.yaml:7:20: rule "a": group_by: match has no capture named "user"`},
		},
		{
			name: "threshold and debounce bounds",
			yaml: header + "  - name: a\n    match: x\n    threshold: {count: 0, within: 0s}\n    debounce: {wait: -1s, interval: -2s, max_lines: 0}\n",
			want: []string{
				`roomwatch.yaml:7:24: rule "a": threshold: count: must be at least 1`,
				`roomwatch.yaml:7:35: rule "a": threshold: within: must be more than 0`,
				`roomwatch.yaml:8:22: rule "a": debounce: wait: must not be negative`,
				`roomwatch.yaml:8:37: rule "a": debounce: interval: must not be negative`,
				`roomwatch.yaml:8:53: rule "a": debounce: max_lines: must be at least 1`,
			},
		},
		{
			name: "hipchat room and from",
			yaml: "destinations:\n  h:\n    type: hipchat\n    url: https://h.example.com\n    token_env: SLACK_URL\n    from: " +
				strings.Repeat("x", 65) + "\nrules:\n  - {name: a, match: x, room: a/b}\n  - {name: b, match: y}\n",
			want: []string{
				`roomwatch.yaml:6:11: destination "h": from: longer than 64 characters`,
				`roomwatch.yaml:8:31: rule "a": room "a/b": HipChat cannot address a room name holding '/'; use the room's numeric id`,
				`roomwatch.yaml:9:5: rule "b": room is required for hipchat destination "h"`,
			},
		},
		{
			name: "discord username and matrix room",
			yaml: "destinations:\n  d:\n    type: discord\n    webhook_url: https://discord.example/api/webhooks/1/x\n    username: Ops-Clyde\n" +
				"  m:\n    type: matrix\n    url: https://matrix.example.org\n    token_env: SLACK_URL\n" +
				"  a:\n    type: alertmanager\n    url: http://am.example:9093\n    resolve_after: 0s\n" +
				"rules:\n  - {name: a, match: x, destination: m, room: Ops}\n  - {name: b, match: y, destination: m, room: '#ops:example.org'}\n" +
				"  - {name: c, match: z, destination: m, room: '!abc:example.org:8448'}\n  - {name: d, match: w, destination: m, room: 'ops:example.org'}\n",
			want: []string{
				`roomwatch.yaml:5:15: destination "d": username "Ops-Clyde": Discord refuses a webhook username containing "clyde"`,
				`roomwatch.yaml:13:20: destination "a": resolve_after: must be more than 0`,
				`roomwatch.yaml:15:47: rule "a": room "Ops": want a Matrix room id (!abc:example.org) or alias (#ops:example.org) for destination "m"`,
				`roomwatch.yaml:18:47: rule "d": room "ops:example.org": want a Matrix room id (!abc:example.org) or alias (#ops:example.org) for destination "m"`,
			},
		},
		{
			name: "templates that do not parse or name missing fields",
			yaml: header + "  - name: a\n    match: '(?P<level>crit)'\n    template: '{{.level}} {{.nope}}'\n" +
				"  - name: b\n    match: y\n    template: '{{.line'\n    digest_template: '{{.group.ip}}'\n",
			want: []string{
				`roomwatch.yaml:7:15: rule "a": template: 1:13: at <.nope>: map has no entry for key "nope"`,
				`roomwatch.yaml:10:15: rule "b": template: 1: unclosed action`,
				`roomwatch.yaml:11:22: rule "b": digest_template: 1:8: at <.group.ip>: map has no entry for key "ip"`,
			},
		},
		{
			name: "defaults template problems: a parse error once, a missing capture per rule",
			yaml: "destinations:\n  o: {type: console}\ndefaults:\n  template: '{{.level}}'\n  digest_template: '{{.count'\n" +
				"rules:\n  - {name: a, match: '(?P<level>x)'}\n  - {name: b, match: y}\n  - {name: c, match: z}\n",
			want: []string{
				`roomwatch.yaml:4:13: rule "b": template: 1:2: at <.level>: map has no entry for key "level"`,
				`roomwatch.yaml:4:13: rule "c": template: 1:2: at <.level>: map has no entry for key "level"`,
				`roomwatch.yaml:5:20: defaults: digest_template: 1: unclosed action`,
			},
		},
		{
			name: "mention",
			yaml: header + "  - name: a\n    match: x\n    mention: '<!channel>'\n",
			want: []string{`roomwatch.yaml:7:14: rule "a": mention: want @all, @here, @name, a user id or an email, got "<!channel>"`},
		},
		{
			name: "keys not allowed in defaults",
			yaml: "defaults:\n  name: x\n  match: y\n",
			want: []string{
				`roomwatch.yaml:2:3: defaults: key "name" is not allowed in defaults`,
				`roomwatch.yaml:3:3: defaults: key "match" is not allowed in defaults`,
			},
		},
		{
			name: "top-level values",
			yaml: "log: {level: loud, format: xml}\nlisten: 9472\n",
			want: []string{
				`roomwatch.yaml:1:14: log: level: want debug, info, warn or error, got "loud"`,
				`roomwatch.yaml:1:28: log: format: want text or json, got "xml"`,
				`roomwatch.yaml:2:9: listen: want host:port, got "9472"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "roomwatch.yaml", testOptions())
			if diff := cmp.Diff(tt.want, errorLines(t, err)); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseAliasBomb checks that aliases which expand a small file into a
// huge one are an error, found quickly.
func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x: &g [")
	for i := range 2000 {
		fmt.Fprintf(&b, "g%d, ", i)
	}
	b.WriteString("g]\ny: &r {name: a, match: x, group_by: *g}\nrules: [")
	for range 2000 {
		b.WriteString("*r, ")
	}
	b.WriteString("*r]\n")
	_, err := Parse([]byte(b.String()), "bomb.yaml", testOptions())
	if err == nil || !strings.Contains(err.Error(), "document too large") {
		t.Errorf("Parse of an alias bomb: err = %.300v, want document too large", err)
	}
}
