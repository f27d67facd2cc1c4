package ntfy

import (
	"context"
	"encoding/json"
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

const token = "tk_SECRETtoken"

func notifier(t *testing.T, url string, tok config.Secret) *Notifier {
	t.Helper()
	n, err := New(Config{URL: url, Token: tok, Now: func() time.Time { return epoch }})
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
		{"red-digest", batch.Digest{ID: "1", Rule: "ssh", Room: "ops-alerts", Color: "red",
			Message: "3 × ssh on web-01 (11:59:50–12:00:00)\nFailed password for root from 1.2.3.4 (×3)"}},
		{"html-gray", batch.Digest{ID: "2", Rule: "oom", Room: "private", Color: "grey", Format: "html",
			Message: "<b>2 × oom</b><br>killed &lt;java&gt;<br>killed &amp; restarted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if err := notifier(t, f.URL, token).Notify(t.Context(), &tt.d); err != nil {
				t.Fatal(err)
			}
			got := f.received()
			sendertest.Golden(t, tt.name, sendertest.Pretty(t, got[0]))
			if h := f.headers[0].Get("Authorization"); h != "Bearer "+token {
				t.Errorf("Authorization = %q", h)
			}
		})
	}
}

// TestColours checks the mapping the README promises: red is high
// priority (4) or above, gray low (2), each with its emoji tag.
func TestColours(t *testing.T) {
	for color, want := range map[string]int{"red": 4, "yellow": 3, "green": 3, "purple": 3, "gray": 2, "grey": 2} {
		f := newFake(t)
		if err := notifier(t, f.URL, "").Notify(t.Context(), &batch.Digest{Room: "ops", Rule: "r", Color: color, Message: "x"}); err != nil {
			t.Fatal(err)
		}
		var p payload
		if err := json.Unmarshal(f.received()[0], &p); err != nil {
			t.Fatal(err)
		}
		if p.Priority != want || len(p.Tags) != 2 || p.Tags[0] == "" {
			t.Errorf("%s: priority %d tags %q, want priority %d and a colour tag", color, p.Priority, p.Tags, want)
		}
		if h := f.headers[0].Get("Authorization"); h != "" {
			t.Errorf("Authorization %q sent without a token", h)
		}
	}
}

func TestNotifyRefusals(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(f *fake)
		tok    config.Secret
		room   string
		status int
		kind   sender.Kind
		says   []string
	}{
		{name: "403 protected topic without token", room: "private", status: 403, kind: sender.Permanent,
			says: []string{"40301 forbidden", "set token"}},
		{name: "401 wrong token", tok: "tk_SECRETwrong", room: "private", status: 401, kind: sender.Permanent,
			says: []string{"40101 unauthorized"}},
		{name: "400 bad topic", room: "bad topic!", status: 400, kind: sender.Permanent,
			says: []string{"40009 invalid request: topic invalid", "change the rule's room"}},
		{name: "429 burst used up", setup: func(f *fake) { f.burst = 1; f.requests = 1 }, room: "ops", status: 429,
			kind: sender.RateLimited, says: []string{"42901", "one every 5 seconds"}},
		{name: "500", setup: func(f *fake) { f.fail = []int{500} }, room: "ops", status: 500, kind: sender.Retryable,
			says: []string{"50001 internal server error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			err := notifier(t, f.URL, tt.tok).Notify(t.Context(), &batch.Digest{Room: tt.room, Message: "x"})
			var e *sender.Error
			if !errors.As(err, &e) || e.Status != tt.status || e.Kind != tt.kind {
				t.Fatalf("Notify = %v, want %v status %d", err, tt.kind, tt.status)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			sendertest.AssertNoSecret(t, "SECRETwrong", err.Error())
		})
	}
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url, token)
	}, &batch.Digest{Room: "ops", Message: "x"}, nil)
}

// TestLimit: a message past 4,096 bytes is cut at a line, says how much
// was cut, and the server takes it as a message (not an attachment).
func TestLimit(t *testing.T) {
	f := newFake(t)
	msg := strings.Repeat("Failed password for ünïcode root from 203.0.113.5 port 22 ssh2\n", 200)
	if err := notifier(t, f.URL, "").Notify(t.Context(), &batch.Digest{Room: "ops", Message: msg}); err != nil {
		t.Fatal(err)
	}
	var p payload
	if err := json.Unmarshal(f.received()[0], &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Message) > Limit || !strings.Contains(p.Message, "more bytes]") || !strings.HasPrefix(p.Message, msg[:100]) {
		t.Errorf("message of %d bytes, ends %q", len(p.Message), p.Message[max(0, len(p.Message)-60):])
	}
}

// TestNotifyHostileLine: ntfy renders text as text, so only control
// characters are dangerous; the title is one line.
func TestNotifyHostileLine(t *testing.T) {
	f := newFake(t)
	line := sendertest.Hostile + " \x1b[31mred\r\n"
	d := sendertest.Digest(t, "ntfy", "text", "", line)
	if err := notifier(t, f.URL, "").Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	var p payload
	if err := json.Unmarshal(f.received()[0], &p); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(p.Message+p.Title, "\x1b\r") || strings.Contains(p.Title, "\n") {
		t.Errorf("control characters or a line break reached ntfy: %q / %q", p.Title, p.Message)
	}
	if !strings.Contains(p.Message, "[click](http://evil)") {
		t.Errorf("log text was changed beyond its control characters: %q", p.Message)
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
	err := notifier(t, srv.URL, token).Notify(ctx, &batch.Digest{Room: "ops", Message: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify = %v", err)
	}
	sendertest.AssertNoSecret(t, token, err.Error())
}
