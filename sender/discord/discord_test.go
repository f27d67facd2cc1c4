package discord

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func notifier(t *testing.T, url string) *Notifier {
	t.Helper()
	n, err := New(Config{WebhookURL: config.Secret(url), Username: "roomwatch", Now: func() time.Time { return epoch }})
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
		{"red-everyone", batch.Digest{ID: "1", Rule: "disk-full", Room: "ops", Color: "red", Mention: "@all", At: epoch,
			Message: "3 × disk-full on web-01 (11:59:50–12:00:00)\n/dev/sda1 100% full"}},
		{"html-user", batch.Digest{ID: "2", Rule: "oom", Color: "purple", Format: "html", Mention: "@80351110224678912",
			Message: "<b>oom</b><br>killed &lt;java&gt;"}},
		{"quiet", batch.Digest{ID: "3", Color: "green", Message: "hello"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if err := notifier(t, f.URL+hookPath).Notify(t.Context(), &tt.d); err != nil {
				t.Fatal(err)
			}
			sendertest.Golden(t, tt.name, sendertest.Pretty(t, f.bodies[0]))
		})
	}
}

func TestNotifyStatuses(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(f *fake)
		path   string
		msg    string
		status int
		kind   sender.Kind
		says   []string
	}{
		{name: "404 unknown webhook", path: "/api/webhooks/1/SECRETtok", status: 404, kind: sender.Permanent,
			says: []string{"Unknown Webhook (code 10015)", "the webhook was deleted"}},
		{name: "401 token", path: "/api/webhooks/" + hookID + "/wrong", status: 401, kind: sender.Permanent,
			says: []string{"Invalid Webhook Token (code 50027)"}},
		{name: "400 empty", msg: "", status: 400, kind: sender.Permanent, says: []string{"empty message (code 50006)"}},
		{name: "429 headers", setup: func(f *fake) { f.limit = 1; f.bodies = [][]byte{nil} }, msg: "x", status: 429,
			kind: sender.RateLimited, says: []string{"You are being rate limited.", "retry after 2026-03-01T12:00:02Z"}},
		{name: "429 body only", setup: func(f *fake) { f.limit = 1; f.noHeader = true; f.bodies = [][]byte{nil} }, msg: "x",
			status: 429, kind: sender.RateLimited, says: []string{"retry after 2026-03-01T12:00:01Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			path := tt.path
			if path == "" {
				path = hookPath
			}
			d := &batch.Digest{Message: tt.msg}
			n := notifier(t, f.URL+path)
			var err error
			if tt.msg == "" && tt.path == "" {
				// The notifier never sends an empty message; post one
				// directly to see the fake answer.
				err = n.http.Do(t.Context(), sender.Post{URL: n.url, Body: []byte(`{"content":""}`), Parse: new(apiError).parse})
			} else {
				err = n.Notify(t.Context(), d)
			}
			sendertest.AssertError(t, err, tt.status, tt.kind, tt.says...)
			sendertest.AssertNoSecret(t, hookToken, err.Error())
		})
	}
}

func TestNotifyLimits(t *testing.T) {
	f := newFake(t)
	long := strings.Repeat("😀 line of a stack trace\n", 1000)
	d := &batch.Digest{Rule: strings.Repeat("r", 300), Mention: strings.Repeat("@x ", 1000), Message: long}
	if err := notifier(t, f.URL+hookPath).Notify(t.Context(), d); err != nil {
		t.Fatalf("Notify of a long digest: %v", err)
	}
	e := f.received(t)[0].Embeds[0]
	if !strings.Contains(e.Description, "[cut:") {
		t.Errorf("description not marked as cut: ...%q", e.Description[len(e.Description)-40:])
	}
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url+hookPath)
	}, &batch.Digest{Message: "x"}, nil)
}

func TestNotifyHostileLine(t *testing.T) {
	for _, format := range []string{"text", "html"} {
		t.Run(format, func(t *testing.T) {
			f := newFake(t)
			d := sendertest.Digest(t, "discord", format, "", sendertest.Hostile)
			if err := notifier(t, f.URL+hookPath).Notify(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			p := f.received(t)[0]
			if p.Content != "" {
				t.Errorf("content %q, want none without a mention", p.Content)
			}
			// What keeps @everyone, @here and <@123> in the text from
			// pinging: Discord parses no mention the payload does not
			// allow, and embeds never ping. The text is left as it was.
			if diff := cmp.Diff(allowedMentions{Parse: []string{}}, p.AllowedMentions); diff != "" {
				t.Errorf("allowed_mentions (-want +got):\n%s", diff)
			}
			text := p.Embeds[0].Description
			sendertest.AssertNoPing(t, text, " <@", " [click]", " <http", " <a", "\u2060")
			if !strings.Contains(text, "@everyone @here") {
				t.Errorf("@everyone @here not shown as written: %q", text)
			}
			if !strings.Contains(text, `\[click\](http://evil)`) {
				t.Errorf("link not shown as text: %q", text)
			}
		})
	}
}

func TestMention(t *testing.T) {
	tests := []struct {
		in      string
		content string
		allowed allowedMentions
	}{
		{"", "", allowedMentions{Parse: []string{}}},
		{"@all", "@everyone", allowedMentions{Parse: []string{"everyone"}}},
		{"@here", "@here", allowedMentions{Parse: []string{"everyone"}}},
		{"@123", "<@123>", allowedMentions{Parse: []string{}, Users: []string{"123"}}},
		{"@&456", "<@&456>", allowedMentions{Parse: []string{}, Roles: []string{"456"}}},
		{"@alice", "@alice", allowedMentions{Parse: []string{}}},
	}
	for _, tt := range tests {
		content, allowed := Mention(tt.in)
		if content != tt.content {
			t.Errorf("Mention(%q) content = %q, want %q", tt.in, content, tt.content)
		}
		if diff := cmp.Diff(tt.allowed, allowed); diff != "" {
			t.Errorf("Mention(%q) allowed (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestNotifyCancelLeaksNoSecret(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		cancel()
		<-r.Context().Done()
	}))
	defer srv.Close()
	err := notifier(t, srv.URL+hookPath).Notify(ctx, &batch.Digest{Message: "x"})
	if !errors.Is(err, context.Canceled) || sender.KindOf(err) != sender.Retryable {
		t.Fatalf("Notify = %v, want a retryable context.Canceled", err)
	}
	sendertest.AssertNoSecret(t, hookToken, err.Error())
}

func TestNew(t *testing.T) {
	for _, u := range []string{"", "ftp://h/SECRETtok", "https:///SECRETtok"} {
		if _, err := New(Config{WebhookURL: config.Secret(u)}); err == nil {
			t.Errorf("New(%q) accepted", u)
		} else {
			sendertest.AssertNoSecret(t, hookToken, err.Error())
		}
	}
	if l, u := notifier(t, "https://discord.com/api/webhooks/1/x").Limit(); l != 4096 || u != sender.UTF16 {
		t.Errorf("Limit() = %d %v", l, u)
	}
}
