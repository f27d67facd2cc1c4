package mattermost

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
		{"red-mention", batch.Digest{ID: "1", Rule: "disk-full", Room: "#ops", Color: "red", Mention: "@all", At: epoch,
			Message: "3 × disk-full on web-01 (11:59:50–12:00:00)\n/dev/sda1 100% full"}},
		{"html-user", batch.Digest{ID: "2", Rule: "oom", Room: "town-square", Color: "green", Format: "html", Mention: "@alice",
			Message: "<b>oom</b><br>killed &lt;java&gt; [x](y)"}},
		{"no-room", batch.Digest{ID: "3", Rule: "r", Color: "gray", Message: "hello"}},
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
		room   string
		status int
		kind   sender.Kind
		says   []string
	}{
		{name: "400 invalid webhook", path: "/hooks/gone", status: 400, kind: sender.Permanent,
			says: []string{"Invalid webhook.", "was deleted"}},
		{name: "404 channel", room: "nope", status: 404, kind: sender.Permanent,
			says: []string{"Couldn't find the channel.", "town-square"}},
		{name: "403 locked", room: "secret", status: 403, kind: sender.Permanent,
			says: []string{"not permitted", "locked to its own channel"}},
		{name: "429", setup: func(f *fake) { f.limit = 1; f.bodies = [][]byte{nil} }, status: 429, kind: sender.RateLimited,
			says: []string{"limit exceeded", "retry after 2026-03-01T12:00:01Z"}},
		{name: "501 disabled", setup: func(f *fake) { f.disabled = true }, status: 501, kind: sender.Retryable,
			says: []string{"disabled by the system admin"}},
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
			err := notifier(t, f.URL+path).Notify(t.Context(), &batch.Digest{Room: tt.room, Message: "x"})
			sendertest.AssertError(t, err, tt.status, tt.kind, tt.says...)
			sendertest.AssertNoSecret(t, "SECRETxyz", err.Error())
		})
	}
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url+hookPath)
	}, &batch.Digest{Room: "ops", Message: "x"}, nil)
}

func TestNotifyHostileLine(t *testing.T) {
	for _, format := range []string{"text", "html"} {
		t.Run(format, func(t *testing.T) {
			f := newFake(t)
			d := sendertest.Digest(t, "mattermost", format, "", sendertest.Hostile)
			if err := notifier(t, f.URL+hookPath).Notify(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			p := f.received(t)[0]
			if p.Text != "" {
				t.Errorf("top-level text %q, want none without a mention", p.Text)
			}
			a := p.Attachments[0]
			for _, text := range []string{a.Text, a.Fallback} {
				sendertest.AssertNoPing(t, text, "@channel", "@here", "@all", "@everyone", " [click]", "<!", "<http")
			}
			if !strings.Contains(a.Text, `\[click\](http://evil)`) {
				t.Errorf("link not shown as text: %q", a.Text)
			}
		})
	}
}

func TestMention(t *testing.T) {
	got := Mention("@all @here @everyone @alice a@b.c")
	if diff := cmp.Diff("@channel @here @channel @alice a@b.c", got); diff != "" {
		t.Errorf("Mention mismatch (-want +got):\n%s", diff)
	}
}

func TestNotifyCut(t *testing.T) {
	f := newFake(t)
	msg := strings.Repeat("é line\n", 5000)
	if err := notifier(t, f.URL+hookPath).Notify(t.Context(), &batch.Digest{Mention: "@here", Message: msg}); err != nil {
		t.Fatal(err)
	}
	p := f.received(t)[0]
	if n := utf8.RuneCountInString(p.Attachments[0].Text) + utf8.RuneCountInString(p.Text); n > Limit {
		t.Errorf("post holds %d runes, limit %d", n, Limit)
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
	sendertest.AssertNoSecret(t, "SECRETxyz", err.Error())
}

func TestNew(t *testing.T) {
	for _, u := range []string{"", "ftp://h/SECRETxyz", "https:///SECRETxyz"} {
		if _, err := New(Config{WebhookURL: config.Secret(u)}); err == nil {
			t.Errorf("New(%q) accepted", u)
		} else {
			sendertest.AssertNoSecret(t, "SECRETxyz", err.Error())
		}
	}
	if l, u := notifier(t, "https://mm/hooks/x").Limit(); l != 16383 || u != sender.Runes {
		t.Errorf("Limit() = %d %v", l, u)
	}
}
