package telegram

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func notifier(t *testing.T, url, token string) *Notifier {
	t.Helper()
	n, err := New(Config{APIURL: url, Token: config.Secret(token), Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPayloadGolden(t *testing.T) {
	tests := []struct {
		name string
		d    batch.Digest
	}{
		{"red-text", batch.Digest{ID: "1", Rule: "ssh", Room: "-1001234567890", Color: "red", Notify: true,
			Message: "3 × ssh on web-01 (11:59:50–12:00:00)\nFailed password for root from 1.2.3.4 (×3) & <more>"}},
		{"html-mention", batch.Digest{ID: "2", Rule: "oom", Room: "@opschannel", Color: "purple", Format: "html", Mention: "@alice @all",
			Message: `<b>2 × oom</b><br>killed &lt;java&gt; &nbsp;<span style="color:red">x</span><br><a href="https://wiki/oom" title="t">runbook</a><p>para`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if err := notifier(t, f.URL, botToken).Notify(t.Context(), &tt.d); err != nil {
				t.Fatal(err)
			}
			sendertest.Golden(t, tt.name, sendertest.Pretty(t, f.bodies[0]))
		})
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<b>a</b><br>b", "<b>a</b>\nb"},
		{"<b>open <i>both", "<b>open <i>both</i></b>"},
		{"</i>stray close", "stray close"},
		{"&nbsp;&#169;&copy; 1 < 2 & 3", "\u00a0©© 1 &lt; 2 &amp; 3"},
		{`<a href="javascript:alert(1)">x</a>`, "x"},
		{`<a href='https://e.x/?a=1&amp;b=2' onclick="x">y</a>`, `<a href="https://e.x/?a=1&amp;b=2">y</a>`},
		{"<table><tr><td>a</td></tr></table>", "a"},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if _, err := parseHTML(Sanitize(tt.in)); err != nil {
			t.Errorf("Telegram would refuse Sanitize(%q): %v", tt.in, err)
		}
	}
}

func TestNotifyRefusals(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(f *fake)
		token  string
		room   string
		status int
		kind   sender.Kind
		says   []string
	}{
		{name: "401 unknown token", token: "123456789:AAHSECRETwrongWRONGwrong", room: "-1001234567890", status: 401,
			kind: sender.Permanent, says: []string{`"Unauthorized"`, "check token"}},
		{name: "400 chat not found", room: "-1005", status: 400, kind: sender.Permanent,
			says: []string{"Bad Request: chat not found", "add the bot"}},
		{name: "400 migrated", room: "-42", status: 400, kind: sender.Permanent,
			says: []string{"migrate_to_chat_id -1001234567890", "new chat id"}},
		{name: "403 kicked", room: "-100999", status: 403, kind: sender.Permanent,
			says: []string{"bot was kicked", "add it again"}},
		{name: "429 retry_after", setup: func(f *fake) { f.limit = 1; f.received = make([]sent, 1) }, room: "-1001234567890",
			status: 429, kind: sender.RateLimited, says: []string{"retry after 35", "retry after 2026-03-01T12:00:35Z"}},
		{name: "502", setup: func(f *fake) { f.fail = []int{502} }, room: "-1001234567890", status: 502, kind: sender.Retryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			token := cmpOr(tt.token, botToken)
			err := notifier(t, f.URL, token).Notify(t.Context(), &batch.Digest{Room: tt.room, Message: "x"})
			var e *sender.Error
			if !errors.As(err, &e) || e.Status != tt.status || e.Kind != tt.kind {
				t.Fatalf("Notify = %v, want %v status %d", err, tt.kind, tt.status)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			sendertest.AssertNoSecret(t, "SECRET", err.Error())
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url, botToken)
	}, &batch.Digest{Room: "-1001234567890", Message: "x"}, nil)
}

// TestLimit: a digest past 4,096 characters is cut, says so, and the Bot
// API takes it; an html one stays balanced.
func TestLimit(t *testing.T) {
	for _, format := range []string{"text", "html"} {
		f := newFake(t)
		line := "Failed password for 😀 root from 203.0.113.5 port 22 ssh2"
		msg := strings.Repeat(line+"\n", 150)
		if format == "html" {
			msg = "<b>150 × ssh</b>" + strings.Repeat("<br><i>"+line+"</i> &amp;", 150)
		}
		err := notifier(t, f.URL, botToken).Notify(t.Context(), &batch.Digest{Room: "-1001234567890", Format: format, Message: msg})
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if got := f.received[0].Text; !strings.Contains(got, "more characters]") {
			t.Errorf("%s: the cut is not said: …%q", format, got[len(got)-80:])
		}
	}
}

// TestNotifyHostileLine: log text can neither mention, forge a link nor
// break the HTML.
func TestNotifyHostileLine(t *testing.T) {
	for _, format := range []string{"text", "html"} {
		f := newFake(t)
		line := sendertest.Hostile + " @durov </b><b> &amp; \x1b[2J"
		d := sendertest.Digest(t, "telegram", format, "", line)
		if err := notifier(t, f.URL, botToken).Notify(t.Context(), d); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		got := f.received[0].Text
		sendertest.AssertNoPing(t, got, "@everyone", "@here", "@durov", "@all", "\x1b")
		if !strings.Contains(got, "<a href=x>y</a>") || !strings.Contains(got, "[click](http://evil)") {
			t.Errorf("%s: the line does not arrive as text: %q", format, got)
		}
		if !f.received[0].Silent {
			t.Errorf("%s: a rule without notify or mention pinged the chat", format)
		}
	}
}

// TestTokenNeverLeaks: the token is in the URL path; no error shows it,
// whether the server refuses, the request is cancelled or the api_url
// does not answer.
func TestTokenNeverLeaks(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		cancel()
		<-r.Context().Done()
	}))
	defer srv.Close()
	err := notifier(t, srv.URL, botToken).Notify(ctx, &batch.Digest{Room: "-1", Message: "x"})
	if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("Notify = %v", err)
	}
	sendertest.AssertNoSecret(t, botToken, err.Error())
	down := notifier(t, "http://127.0.0.1:1", botToken)
	err = down.Notify(t.Context(), &batch.Digest{Room: "-1", Message: "x"})
	if sender.KindOf(err) != sender.Retryable {
		t.Errorf("server down: %v", err)
	}
	sendertest.AssertNoSecret(t, botToken, err.Error())
	leak := errors.New(`Post "http://x/bot` + botToken + `/sendMessage": EOF`)
	sendertest.AssertNoSecret(t, botToken, sender.Scrub(leak, botToken).Error())
}
