package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const apiKey = "SECRETkey"

// fake is a receiver that wants "Authorization: Bearer SECRETkey": 401
// without it, 200 with it, recording what it took.
type fake struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	header http.Header
}

func newFake(t *testing.T) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+apiKey {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		f.bodies, f.header = append(f.bodies, body), r.Header.Clone()
	}))
	t.Cleanup(f.Close)
	return f
}

func notifier(t *testing.T, url, key string) *Notifier {
	t.Helper()
	n, err := New(Config{URL: config.Secret(url), Host: "web-01", Now: func() time.Time { return epoch },
		Headers: map[string]config.Secret{"Authorization": config.Secret("Bearer " + key), "X-Team": "ops"}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDocumentGolden(t *testing.T) {
	f := newFake(t)
	d := &batch.Digest{ID: "d1", Rule: "ssh", Room: "ops", Color: "purple", Format: "text", Notify: true, Mention: "@here",
		Group: map[string]string{"ip": "10.0.0.1"}, Count: 7, First: epoch.Add(-time.Minute), Last: epoch, At: epoch,
		Lines: []batch.Line{{Text: "Failed password for root <!channel>", Count: 6}, {Text: "Failed password for bob", Count: 1}},
		More:  0, Message: "7 × ssh\nFailed password for root <!channel> (×6)\nFailed password for bob"}
	if err := notifier(t, f.URL+"/hook", apiKey).Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	sendertest.Golden(t, "document", sendertest.Pretty(t, f.bodies[0]))
	if got := f.header.Get("X-Team"); got != "ops" {
		t.Errorf("X-Team = %q", got)
	}
}

func TestNotifyRefused(t *testing.T) {
	f := newFake(t)
	err := notifier(t, f.URL+"/hook", "SECRETwrong").Notify(t.Context(), &batch.Digest{Message: "x"})
	var e *sender.Error
	if !errors.As(err, &e) || e.Status != 401 || e.Kind != sender.Permanent || !strings.Contains(err.Error(), "check the headers") {
		t.Fatalf("Notify = %v", err)
	}
	sendertest.AssertNoSecret(t, "SECRETwrong", err.Error())
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url, apiKey)
	}, &batch.Digest{Message: "x"}, nil)
}

// TestNotifyHostileLine checks that the log text arrives as data: exactly
// the line, neither escaped for a chat nor able to break the JSON.
func TestNotifyHostileLine(t *testing.T) {
	f := newFake(t)
	line := sendertest.Hostile + "\"}\x00"
	d := sendertest.Digest(t, "webhook", "text", "", line)
	if err := notifier(t, f.URL, apiKey).Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	var doc Document
	if err := json.Unmarshal(f.bodies[0], &doc); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]rules.DigestLine{{Text: line, Count: 1}}, doc.Lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if doc.Mention != "" {
		t.Errorf("mention %q from a log line", doc.Mention)
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
	err := notifier(t, srv.URL+"/SECRETpath", apiKey).Notify(ctx, &batch.Digest{Message: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify = %v", err)
	}
	sendertest.AssertNoSecret(t, "SECRETpath", err.Error())
	sendertest.AssertNoSecret(t, apiKey, err.Error())
}
