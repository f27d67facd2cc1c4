package teams

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
		{"red-digest", batch.Digest{ID: "1", Rule: "disk-full", Color: "red",
			Message: "3 × disk-full on web-01 (11:59:50–12:00:00)\n/dev/sda1 100% full\n+1 more"}},
		{"html-mention", batch.Digest{ID: "2", Rule: "oom", Color: "purple", Format: "html", Mention: "alice@example.com",
			Message: "<b>oom</b><br>killed &lt;java&gt;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if err := notifier(t, f.URL+flowURL).Notify(t.Context(), &tt.d); err != nil {
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
		url    string
		status int
		kind   sender.Kind
		says   []string
	}{
		{name: "404", url: "/workflows/gone/triggers/manual/paths/invoke?sig=" + flowSig, status: 404, kind: sender.Permanent,
			says: []string{"WorkflowNotFound", "deleted or turned off"}},
		{name: "401", url: flowPath + "?sig=SECRETwrong", status: 401, kind: sender.Permanent,
			says: []string{"DirectApiInvalidAuthorizationSignature", "copy the workflow's URL again"}},
		{name: "429", setup: func(f *fake) { f.limit = 1; f.bodies = [][]byte{nil} }, status: 429, kind: sender.RateLimited,
			says: []string{"WorkflowRequestsThrottled", "retry after 2026-03-01T12:00:10Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			url := tt.url
			if url == "" {
				url = flowURL
			}
			err := notifier(t, f.URL+url).Notify(t.Context(), &batch.Digest{Message: "x"})
			sendertest.AssertError(t, err, tt.status, tt.kind, tt.says...)
			sendertest.AssertNoSecret(t, "SECRET", err.Error())
		})
	}
}

func TestNotifyFits28KB(t *testing.T) {
	f := newFake(t)
	msg := strings.Repeat("é a line of the log \"quoted\" <x>\n", 3000)
	if err := notifier(t, f.URL+flowURL).Notify(t.Context(), &batch.Digest{Message: msg}); err != nil {
		t.Fatalf("Notify of a 100 KB digest: %v", err)
	}
	if b := f.bodies[0]; len(b) > Limit || !strings.Contains(string(b), "[cut:") {
		t.Errorf("body %d bytes, cut marked %v", len(b), strings.Contains(string(b), "[cut:"))
	}
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url+flowURL)
	}, &batch.Digest{Message: "x"}, nil)
}

func TestNotifyHostileLine(t *testing.T) {
	for _, format := range []string{"text", "html"} {
		t.Run(format, func(t *testing.T) {
			f := newFake(t)
			d := sendertest.Digest(t, "teams", format, "", sendertest.Hostile)
			if err := notifier(t, f.URL+flowURL).Notify(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			body := string(f.bodies[0])
			sendertest.AssertNoPing(t, body, "[click](", "<at>", "entities", "@everyone", "@here", "<a ", "<http")
		})
	}
}

func TestMention(t *testing.T) {
	for _, m := range []string{"@all", "@here", "@bob", "<at>x@y</at>"} {
		if _, _, ok := mention(m); ok {
			t.Errorf("mention(%q) made a Teams mention", m)
		}
	}
	text, entity, ok := mention("@alice@example.com")
	want := map[string]any{"type": "mention", "text": "<at>alice@example.com</at>",
		"mentioned": map[string]any{"id": "alice@example.com", "name": "alice@example.com"}}
	if !ok || text != "<at>alice@example.com</at>" || !cmp.Equal(want, entity) {
		t.Errorf("mention = %q %v %v", text, entity, ok)
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
	err := notifier(t, srv.URL+flowURL).Notify(ctx, &batch.Digest{Message: "x"})
	if !errors.Is(err, context.Canceled) || sender.KindOf(err) != sender.Retryable {
		t.Fatalf("Notify = %v, want a retryable context.Canceled", err)
	}
	sendertest.AssertNoSecret(t, flowSig, err.Error())
}

func TestNew(t *testing.T) {
	for _, u := range []string{"", "ftp://h/?sig=SECRETsig", "https:///x?sig=SECRETsig"} {
		if _, err := New(Config{WebhookURL: config.Secret(u)}); err == nil {
			t.Errorf("New(%q) accepted", u)
		} else {
			sendertest.AssertNoSecret(t, flowSig, err.Error())
		}
	}
}
