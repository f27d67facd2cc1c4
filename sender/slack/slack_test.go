package slack

import (
	"context"
	"errors"
	"fmt"
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
		{"red-mention", batch.Digest{ID: "1", Rule: "disk-full", Room: "#ops", Color: "red", Mention: "@all", At: epoch,
			Message: "3 × disk-full on web-01 (11:59:50–12:00:00)\n/dev/sda1 100% full &amp; more"}},
		{"html-user", batch.Digest{ID: "2", Rule: "oom", Room: "Ops", Color: "purple", Format: "html", Mention: "@U0123",
			Message: "<b>oom</b><br>killed &lt;java&gt;"}},
		{"defaults", batch.Digest{ID: "3", Rule: "r", Room: "@alice", Color: "grey", Message: "hello"}},
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
		{name: "404 no_service", path: "/services/T0001/B0001/gone", status: 404, kind: sender.Permanent,
			says: []string{`"no_service"`, "webhook was removed"}},
		{name: "404 channel_not_found", room: "#nope", status: 404, kind: sender.Permanent,
			says: []string{`"channel_not_found"`, "does not exist"}},
		{name: "410 channel_is_archived", room: "#old", status: 410, kind: sender.Permanent,
			says: []string{`"channel_is_archived"`, "archived"}},
		{name: "403 action_prohibited", room: "#locked", status: 403, kind: sender.Permanent,
			says: []string{`"action_prohibited"`, "admin restricted"}},
		{name: "400 user_not_found", room: "@nobody", status: 400, kind: sender.Permanent,
			says: []string{`"user_not_found"`}},
		{name: "429", setup: func(f *fake) { f.limit = 1; f.bodies = [][]byte{nil} }, status: 429, kind: sender.RateLimited,
			says: []string{"rate_limited", "retry after 2026-03-01T12:00:30Z"}},
		{name: "500 rollup_error", setup: func(f *fake) { f.fail = []int{500} }, status: 500, kind: sender.Retryable,
			says: []string{"rollup_error"}},
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
			sendertest.AssertNoSecret(t, "gone", err.Error())
		})
	}
}

func TestNotifyInvalidPayload(t *testing.T) {
	f := newFake(t)
	err := notifier(t, f.URL+hookPath).Notify(t.Context(), &batch.Digest{Message: "x"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(f.URL+hookPath, "application/json", strings.NewReader("{"))
	if err != nil {
		t.Fatal(err)
	}
	got := sender.CheckResponse(resp, epoch, nil, hint)
	if !strings.Contains(fmt.Sprint(got), "could not read") {
		t.Errorf("bad body: %v", got)
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
			d := sendertest.Digest(t, "slack", format, "", sendertest.Hostile)
			if err := notifier(t, f.URL+hookPath).Notify(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			p := f.received(t)[0]
			if p.Text != "" {
				t.Errorf("top-level text %q, want none without a mention", p.Text)
			}
			a := p.Attachments[0]
			for _, text := range []string{a.Text, a.Fallback} {
				sendertest.AssertNoPing(t, text, "<!", "<@", "<#", "<http", "<a", "@everyone", "@here", "@channel", "@all")
			}
			if !strings.Contains(a.Text, "&lt;!channel&gt;") || !strings.Contains(a.Text, "&lt;http://evil|bank&gt;") {
				t.Errorf("hostile text not shown as text: %q", a.Text)
			}
		})
	}
}

func TestNotifyMention(t *testing.T) {
	f := newFake(t)
	d := sendertest.Digest(t, "slack", "text", "@U42", sendertest.Hostile)
	if err := notifier(t, f.URL+hookPath).Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	if got := f.received(t)[0].Text; got != "<@U42>" {
		t.Errorf("mention text = %q", got)
	}
}

func TestMention(t *testing.T) {
	got := Mention("@all @channel @here @everyone @U1 @bad<!x> plain")
	want := "<!channel> <!channel> <!here> <!everyone> <@U1> @\u2060bad&lt;!x&gt; plain"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Mention mismatch (-want +got):\n%s", diff)
	}
}

func TestNotifyCut(t *testing.T) {
	f := newFake(t)
	msg := strings.Repeat("line &amp; more\n", 5000)
	if err := notifier(t, f.URL+hookPath).Notify(t.Context(), &batch.Digest{Message: msg}); err != nil {
		t.Fatal(err)
	}
	got := f.received(t)[0].Attachments[0].Text
	if n := LimitUnit.Len(got); n > Limit || !strings.Contains(got, "[cut:") || strings.HasSuffix(strings.Split(got, "\n…")[0], "&am") {
		t.Errorf("cut text: %d chars, ends %q", n, got[len(got)-60:])
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
	for _, u := range []string{"", "ftp://h/SECRETxyz", "https:///SECRETxyz", "https://h/%zzSECRETxyz"} {
		_, err := New(Config{WebhookURL: config.Secret(u)})
		if err == nil {
			t.Errorf("New(%q) accepted", u)
			continue
		}
		sendertest.AssertNoSecret(t, "SECRETxyz", err.Error())
	}
	n := notifier(t, "https://hooks.slack.com/services/T/B/X")
	if l, u := n.Limit(); l != 40000 || u != sender.Runes {
		t.Errorf("Limit() = %d %v", l, u)
	}
}

// golden compares got with testdata/name.golden, or rewrites it with -update.
