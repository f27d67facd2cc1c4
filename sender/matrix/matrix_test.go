package matrix

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

func notifier(t *testing.T, url, token string) *Notifier {
	t.Helper()
	n, err := New(Config{URL: url, Token: config.Secret(token), Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEventGolden(t *testing.T) {
	tests := []struct {
		name string
		d    batch.Digest
	}{
		{"red-room", batch.Digest{ID: "d1", Rule: "disk-full", Room: room, Color: "red", Mention: "@all",
			Message: "3 × disk-full on web-01\n/dev/sda1 100% <full> & more"}},
		{"html-user", batch.Digest{ID: "d2", Rule: "oom", Room: room, Color: "green", Format: "html", Mention: "@alice:example.org",
			Message: "<b>oom</b><br>killed &lt;java&gt;"}},
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

func TestNotifyRetryStoredOnce(t *testing.T) {
	f := newFake(t)
	n := notifier(t, f.URL, botToken)
	d := &batch.Digest{ID: "same", Room: room, Message: "x"}
	for range 3 {
		if err := n.Notify(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Notify(t.Context(), &batch.Digest{ID: "other", Room: room, Message: "y"}); err != nil {
		t.Fatal(err)
	}
	if len(f.events) != 2 {
		t.Errorf("%d events stored, want 2 (a retried digest once)", len(f.events))
	}
}

func TestNotifyStatuses(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(f *fake)
		token  string
		room   string
		status int
		kind   sender.Kind
		says   []string
	}{
		{name: "401 unknown token", token: "SECRETwrong", room: room, status: 401, kind: sender.Permanent,
			says: []string{"M_UNKNOWN_TOKEN", "expired"}},
		{name: "403 not in room", token: botToken, room: "!other:example.org", status: 403, kind: sender.Permanent,
			says: []string{"M_FORBIDDEN", "the bot is not in the room"}},
		{name: "429", setup: func(f *fake) { f.limit = 1; f.events = []map[string]any{nil} }, token: botToken, room: room,
			status: 429, kind: sender.RateLimited, says: []string{"M_LIMIT_EXCEEDED", "retry after 2026-03-01T12:00:02Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			err := notifier(t, f.URL, tt.token).Notify(t.Context(), &batch.Digest{ID: "1", Room: tt.room, Message: "x"})
			sendertest.AssertError(t, err, tt.status, tt.kind, tt.says...)
			sendertest.AssertNoSecret(t, tt.token, err.Error())
		})
	}
}

func TestNotifyRoomAlias(t *testing.T) {
	f := newFake(t)
	n := notifier(t, f.URL, botToken)
	for range 2 {
		if err := n.Notify(t.Context(), &batch.Digest{ID: newID(), Room: roomAlias, Message: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.events) != 2 || f.lookups != 1 {
		t.Errorf("%d events after %d alias lookups, want 2 after 1", len(f.events), f.lookups)
	}
	err := n.Notify(t.Context(), &batch.Digest{Room: "#nope:example.org", Message: "x"})
	if sender.KindOf(err) != sender.Permanent || !strings.Contains(err.Error(), "M_NOT_FOUND") || !strings.Contains(err.Error(), "no room has this alias") {
		t.Errorf("Notify(unknown alias) = %v", err)
	}
	err = n.Notify(t.Context(), &batch.Digest{Room: "ops", Message: "x"})
	if sender.KindOf(err) != sender.Permanent || !strings.Contains(err.Error(), "room id or alias") {
		t.Errorf("Notify(name) = %v", err)
	}
}

var ids int

func newID() string { ids++; return fmt.Sprint("id", ids) }

// TestMsgtype: a digest that should reach people is m.text, so that the
// homeserver's push rules notify; any other is m.notice, which they never
// do (.m.rule.suppress_notices).
func TestMsgtype(t *testing.T) {
	tests := []struct {
		notify   bool
		mention  string
		want     string
		mentions map[string]any
	}{
		{false, "", "m.notice", map[string]any{}},
		{true, "", "m.text", map[string]any{}},
		{false, "@alice:example.org", "m.text", map[string]any{"user_ids": []any{"@alice:example.org"}}},
		{false, "@here", "m.text", map[string]any{"room": true}},
	}
	for _, tt := range tests {
		f := newFake(t)
		d := &batch.Digest{ID: "d", Room: room, Notify: tt.notify, Mention: tt.mention, Message: "disk full"}
		if err := notifier(t, f.URL, botToken).Notify(t.Context(), d); err != nil {
			t.Fatal(err)
		}
		ev := f.events[0]
		if ev["msgtype"] != tt.want {
			t.Errorf("notify %v mention %q: msgtype %v, want %s", tt.notify, tt.mention, ev["msgtype"], tt.want)
		}
		if diff := cmp.Diff(tt.mentions, ev["m.mentions"]); diff != "" {
			t.Errorf("notify %v mention %q: m.mentions (-want +got):\n%s", tt.notify, tt.mention, diff)
		}
	}
}

func TestNotifyFits(t *testing.T) {
	f := newFake(t)
	msg := strings.Repeat("<b>é</b> a &amp; line<br>", 10000)
	if err := notifier(t, f.URL, botToken).Notify(t.Context(), &batch.Digest{Room: room, Format: "html", Message: msg}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.bodies[0]); n > MaxBody {
		t.Errorf("body %d bytes, want at most %d", n, MaxBody)
	}
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url, botToken)
	}, &batch.Digest{ID: "1", Room: room, Message: "x"}, nil)
}

func TestNotifyHostileLine(t *testing.T) {
	for _, format := range []string{"text", "html"} {
		t.Run(format, func(t *testing.T) {
			f := newFake(t)
			d := sendertest.Digest(t, "matrix", format, "", sendertest.Hostile)
			d.Room = room
			if err := notifier(t, f.URL, botToken).Notify(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			ev := f.events[0]
			if diff := cmp.Diff(map[string]any{}, ev["m.mentions"]); diff != "" {
				t.Errorf("m.mentions (-want +got):\n%s", diff)
			}
			sendertest.AssertNoPing(t, ev["formatted_body"].(string), "<a ", "<a>", "matrix.to")
			// m.mentions is empty, so homeservers that know it ping no
			// one; older ones (Dendrite 0.13) read only @room in the body.
			sendertest.AssertNoPing(t, ev["body"].(string), "@room", "\u2060@", "@\u2060e", "@\u2060h")
			if !strings.Contains(ev["body"].(string), "@everyone @here") {
				t.Errorf("body changed more than @room: %q", ev["body"])
			}
			if !strings.Contains(ev["formatted_body"].(string), "&lt;") {
				t.Errorf("formatted_body not escaped: %q", ev["formatted_body"])
			}
		})
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
	err := notifier(t, srv.URL, botToken).Notify(ctx, &batch.Digest{ID: "1", Room: room, Message: "x"})
	if !errors.Is(err, context.Canceled) || sender.KindOf(err) != sender.Retryable {
		t.Fatalf("Notify = %v, want a retryable context.Canceled", err)
	}
	sendertest.AssertNoSecret(t, botToken, err.Error())
}

func TestNew(t *testing.T) {
	for _, c := range []Config{{Token: "t"}, {URL: "https://h/?access_token=SECRETtoken", Token: "t"}, {URL: "https://h"}} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%q) accepted", c.URL)
		} else {
			sendertest.AssertNoSecret(t, botToken, err.Error())
		}
	}
}
