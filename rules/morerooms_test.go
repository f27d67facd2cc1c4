package rules

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/config"
)

// TestMoreRoomsErrors checks that `check` catches, at their place, the
// mistakes in the e-mail, ntfy, Telegram, Google Chat and templated
// webhook destinations that would otherwise be dead letters at 3 a.m.,
// without printing a secret.
func TestMoreRoomsErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "email without server or sender, bad starttls, password alone",
			yaml: "destinations:\n  m:\n    type: email\n    starttls: sometimes\n    password_env: SMTP_PASS\n" +
				"rules:\n  - {name: a, match: x, room: 'ops@example.com, bob'}\n",
			want: []string{
				`roomwatch.yaml:3:5: destination "m": smtp is required for type email (host:port, e.g. mail.example.com:587)`,
				`roomwatch.yaml:3:5: destination "m": from is required for type email (the sender address)`,
				`roomwatch.yaml:3:5: destination "m": username and password go together: set both or neither`,
				`roomwatch.yaml:4:15: destination "m": starttls: "sometimes" is not one of auto, always, never`,
				`roomwatch.yaml:7:31: rule "a": room "ops@example.com, bob": want the recipient address(es), comma-separated`,
			},
		},
		{
			name: "email bad port and sender, tls with starttls, clear-text password",
			yaml: "destinations:\n  m:\n    type: email\n    smtp: mail.example.com:smtp\n    from: 'x\\ny'\n" +
				"    username: u\n    password_env: SMTP_PASS\n    starttls: never\n" +
				"rules:\n  - {name: a, match: x}\n",
			want: []string{
				`roomwatch.yaml:4:11: destination "m": smtp: port "smtp" is not a number from 1 to 65535`,
				`roomwatch.yaml:5:11: destination "m": from: "x\\ny" is not an e-mail address`,
				`roomwatch.yaml:8:15: destination "m": starttls: never would send the password in clear text`,
				`roomwatch.yaml:10:5: rule "a": room is required for email destination "m": the recipient address(es), comma-separated`,
			},
		},
		{
			name: "telegram token shape and chat id",
			yaml: "destinations:\n  tg:\n    type: telegram\n    token_env: SMTP_PASS\n    api_url: 'ftp://x'\n" +
				"rules:\n  - {name: a, match: x, room: ops}\n",
			want: []string{
				`roomwatch.yaml:4:16: destination "tg": token: not a bot token (want the 123456789:AAH… token that @BotFather gave)`,
				`roomwatch.yaml:5:14: destination "tg": api_url: want an http or https URL without a query, got "ftp://x"`,
				`roomwatch.yaml:7:31: rule "a": room "ops": want the chat id (-1001234567890) or a public channel's @name`,
			},
		},
		{
			name: "ntfy topic and googlechat hook",
			yaml: "destinations:\n  n:\n    type: ntfy\n  g:\n    type: googlechat\n" +
				"rules:\n  - {name: a, match: x, destination: n, room: 'my topic'}\n  - {name: b, match: x, destination: g}\n",
			want: []string{
				`roomwatch.yaml:5:5: destination "g": webhook_url is required for type googlechat (or webhook_url_file or webhook_url_env)`,
				`roomwatch.yaml:7:47: rule "a": room "my topic": want the topic: 1 to 64 letters, digits, - and _`,
			},
		},
		{
			name: "webhook body template",
			yaml: "destinations:\n  h:\n    type: webhook\n    url: https://x.example\n    body_template: '{\"text\": {{.mesage}}}'\n" +
				"  j:\n    type: webhook\n    url: https://x.example\n    body_template: '{\"text\": {{.message}}}'\n" +
				"  k:\n    type: webhook\n    url: https://x.example\n    content_type: 'text/plain'\n" +
				"rules:\n  - {name: a, match: x, destination: h}\n",
			want: []string{
				`roomwatch.yaml:5:20: destination "h": body_template: 1:11: at <.mesage>: map has no entry for key "mesage"`,
				`roomwatch.yaml:9:20: destination "j": body_template: the body is not valid JSON (quote text with {{json .message}})`,
				`roomwatch.yaml:13:19: destination "k": content_type: needs body_template (the default body is JSON)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions()
			opts.LookupEnv = func(k string) (string, bool) { return "SECRETvalue", k == "SMTP_PASS" }
			_, err := Parse([]byte(tt.yaml), "roomwatch.yaml", opts)
			got := errorLines(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			if err != nil && strings.Contains(err.Error(), "SECRETvalue") {
				t.Errorf("errors leak the secret: %v", err)
			}
		})
	}
}

// TestEmailPortWarnings: a port that does not match the TLS mode is a
// warning at check, not a hung delivery at 3 a.m.
func TestEmailPortWarnings(t *testing.T) {
	yaml := "destinations:\n" +
		"  a: {type: email, smtp: 'mail.example.com:465', from: 'rw@example.com'}\n" +
		"  b: {type: email, smtp: 'mail.example.com:587', from: 'rw@example.com', tls: true}\n" +
		"  c: {type: email, smtp: 'mail.example.com:465', from: 'rw@example.com', tls: true}\n" +
		"rules:\n  - {name: r, match: x, destination: a, room: 'ops@example.com'}\n"
	cfg, err := Parse([]byte(yaml), "roomwatch.yaml", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`roomwatch.yaml:2:26: destination "a": smtp: port 465 is implicit TLS; set tls: true`,
		`roomwatch.yaml:3:79: destination "b": tls: port 587 usually speaks STARTTLS, not implicit TLS; drop tls: true`,
	}
	if diff := cmp.Diff(want, errorLines(t, cfg.Warnings)); diff != "" {
		t.Errorf("warnings mismatch (-want +got):\n%s", diff)
	}
}

// TestMoreRoomsValid loads one of each new destination and fills their
// defaults.
func TestMoreRoomsValid(t *testing.T) {
	yaml := "destinations:\n" +
		"  m: {type: email, smtp: 'mail.example.com:587', from: 'roomwatch <rw@example.com>', username: u, password_env: SMTP_PASS}\n" +
		"  n: {type: ntfy}\n" +
		"  tg: {type: telegram, token_env: BOT}\n" +
		"  g: {type: googlechat, webhook_url_env: HOOK}\n" +
		"  h: {type: webhook, url: 'https://x.example', body_template: '{\"text\": {{json .message}}, \"n\": {{.count}}}'}\n" +
		"rules:\n" +
		"  - {name: a, match: x, destination: m, room: 'ops@example.com, Bob <bob@example.com>'}\n" +
		"  - {name: b, match: x, destination: n, room: ops-alerts}\n" +
		"  - {name: c, match: x, destination: tg, room: '-1001234567890'}\n" +
		"  - {name: d, match: x, destination: tg, room: '@opschannel'}\n" +
		"  - {name: e, match: x, destination: g}\n" +
		"  - {name: f, match: x, destination: h}\n"
	opts := testOptions()
	env := map[string]string{"SMTP_PASS": "p", "BOT": "123456789:AAHabcdefghijklmnop", "HOOK": "https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t"}
	opts.LookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cfg, err := Parse([]byte(yaml), "roomwatch.yaml", opts)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Destinations
	if d["m"].StartTLS != "auto" || d["n"].URL.Reveal() != config.DefaultNtfyURL || d["tg"].APIURL != config.DefaultTelegramURL {
		t.Errorf("defaults: starttls %q, ntfy url %q, api_url %q", d["m"].StartTLS, d["n"].URL.Reveal(), d["tg"].APIURL)
	}
	if d["h"].Body == nil || d["h"].ContentType != "application/json" {
		t.Errorf("webhook body %v, content type %q", d["h"].Body, d["h"].ContentType)
	}
}
