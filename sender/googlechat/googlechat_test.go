package googlechat

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

func notifier(t *testing.T, url string) *Notifier {
	t.Helper()
	n, err := New(Config{WebhookURL: config.Secret(url), Now: func() time.Time { return epoch }})
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
		{"red-all", batch.Digest{ID: "1", Rule: "ssh", Color: "red", Mention: "@all users/123456",
			Message: "3 × ssh on web-01 (11:59:50–12:00:00)\nFailed password for root from 1.2.3.4 (×3)"}},
		{"html-gray", batch.Digest{ID: "2", Rule: "oom", Color: "gray", Format: "html",
			Message: "<b>2 × oom</b><br>killed &lt;users/all&gt;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if err := notifier(t, f.url()).Notify(t.Context(), &tt.d); err != nil {
				t.Fatal(err)
			}
			sendertest.Golden(t, tt.name, sendertest.Pretty(t, f.bodies[0]))
		})
	}
}

func TestNotifyRefusals(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(f *fake)
		url    func(f *fake) string
		status int
		kind   sender.Kind
		says   []string
	}{
		{name: "403 wrong token", url: func(f *fake) string { return f.URL + hookPath + "?key=" + hookKey + "&token=SECRETwrong" },
			status: 403, kind: sender.Permanent, says: []string{"PERMISSION_DENIED", "create a new one"}},
		{name: "404 space", url: func(f *fake) string { return f.URL + "/v1/spaces/SECRETgone/messages?key=k&token=t" },
			status: 404, kind: sender.Permanent, says: []string{"NOT_FOUND", "check webhook_url"}},
		{name: "429", setup: func(f *fake) { f.limit = 1; f.bodies = make([][]byte, 1) }, status: 429, kind: sender.RateLimited,
			says: []string{"RESOURCE_EXHAUSTED", "one message a second"}},
		{name: "503", setup: func(f *fake) { f.fail = []int{503} }, status: 503, kind: sender.Retryable, says: []string{"UNAVAILABLE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			url := f.url()
			if tt.url != nil {
				url = tt.url(f)
			}
			err := notifier(t, url).Notify(t.Context(), &batch.Digest{Message: "x"})
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

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url+hookPath+"?key=k&token=t")
	}, &batch.Digest{Message: "x"}, nil)
}

// TestLimit: past 32,000 bytes the message is cut, says so, and fits.
func TestLimit(t *testing.T) {
	f := newFake(t)
	msg := strings.Repeat("Failed password for \"root\" from 203.0.113.5 port 22 ssh2 ✓\n", 1000)
	if err := notifier(t, f.url()).Notify(t.Context(), &batch.Digest{Message: msg}); err != nil {
		t.Fatal(err)
	}
	if len(f.bodies[0]) > Limit || !strings.Contains(f.texts[0], "more bytes]") {
		t.Errorf("body of %d bytes, ends %q", len(f.bodies[0]), f.texts[0][len(f.texts[0])-40:])
	}
}

// TestNotifyHostileLine: Google Chat's <users/all> and <url|text> in log
// text mention and link nothing; a rule's own mention does.
func TestNotifyHostileLine(t *testing.T) {
	for _, format := range []string{"text", "html"} {
		f := newFake(t)
		line := sendertest.Hostile + " <users/all> <users/123> <https://evil|bank> \x1b[2J"
		d := sendertest.Digest(t, "googlechat", format, "", line)
		if err := notifier(t, f.url()).Notify(t.Context(), d); err != nil {
			t.Fatal(err)
		}
		sendertest.AssertNoPing(t, f.texts[0], "<users/", "<https://", "<http://", "@all", "@here", "](", "\x1b")
	}
	f := newFake(t)
	d := sendertest.Digest(t, "googlechat", "text", "@all", "disk full <users/all>")
	if err := notifier(t, f.url()).Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	if strings.Count(f.texts[0], "<users/all>") != 1 {
		t.Errorf("want exactly the rule's own mention: %q", f.texts[0])
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
	err := notifier(t, srv.URL+hookPath+"?key="+hookKey+"&token="+hookToken).Notify(ctx, &batch.Digest{Message: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify = %v", err)
	}
	sendertest.AssertNoSecret(t, hookKey, err.Error())
	sendertest.AssertNoSecret(t, hookToken, err.Error())
}
