package mattermost

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// hookPath is the secret path of the fake's one incoming webhook.
const hookPath = "/hooks/SECRETxyz"

// fake is a Mattermost incoming webhook as Mattermost documents it: 200
// text/plain "ok"; JSON app errors (400 invalid webhook or payload, 403
// channel locked, 404 channel not found, 501 webhooks disabled); 429
// "limit exceeded" with Retry-After and X-Ratelimit-* when its rate
// limiting is on.
type fake struct {
	*httptest.Server

	mu       sync.Mutex // protects the fields below
	limit    int        // requests accepted before 429; 0 for no limit
	disabled bool
	bodies   [][]byte
	channels map[string]bool // name -> locked
}

func newFake(t *testing.T) *fake {
	f := &fake{channels: map[string]bool{"town-square": false, "ops": false, "@alice": false, "secret": true}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func appError(w http.ResponseWriter, status int, id, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"id":%q,"message":%q,"detailed_error":"","request_id":"r1","status_code":%d}`, id, msg, status)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limit > 0 && len(f.bodies) >= f.limit {
		w.Header().Set("X-Ratelimit-Limit", "10")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", "1")
		w.Header().Set("Retry-After", "1")
		http.Error(w, "limit exceeded", http.StatusTooManyRequests)
		return
	}
	if f.disabled {
		appError(w, http.StatusNotImplemented, "web.incoming_webhook.disabled.app_error", "Incoming webhooks have been disabled by the system admin.")
		return
	}
	if r.URL.Path != hookPath {
		appError(w, http.StatusBadRequest, "web.incoming_webhook.invalid.app_error", "Invalid webhook.")
		return
	}
	var p payload
	if json.Unmarshal(body, &p) != nil || p.Text == "" && len(p.Attachments) == 0 {
		appError(w, http.StatusBadRequest, "web.incoming_webhook.parse.app_error", "Unable to parse incoming data.")
		return
	}
	if p.Channel != "" {
		locked, ok := f.channels[p.Channel]
		if !ok {
			appError(w, http.StatusNotFound, "web.incoming_webhook.channel.app_error", "Couldn't find the channel.")
			return
		}
		if locked {
			appError(w, http.StatusForbidden, "web.incoming_webhook.channel_locked.app_error", "This webhook is not permitted to post to the requested channel.")
			return
		}
	}
	f.bodies = append(f.bodies, body)
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "ok")
}

func (f *fake) received(t *testing.T) []payload {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]payload, len(f.bodies))
	for i, b := range f.bodies {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
