package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"unicode/utf16"
)

// The fake's one webhook: id and (secret) token.
const (
	hookID    = "1234567890"
	hookToken = "SECRETtok"
	hookPath  = "/api/webhooks/" + hookID + "/" + hookToken
)

// fake is a Discord webhook as discord-api-docs describe it: 204 with no
// body; 404 Unknown Webhook (10015), 401 Invalid Webhook Token (50027),
// 400 Invalid Form Body (50035) past a limit; 429 with a JSON body
// (retry_after in seconds) and the X-RateLimit-* headers.
type fake struct {
	*httptest.Server

	mu       sync.Mutex // protects the fields below
	limit    int        // requests accepted before 429; 0 for no limit
	noHeader bool       // leave Retry-After out of a 429
	bodies   [][]byte
}

func newFake(t *testing.T) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func jsonError(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func length(s string) int { return len(utf16.Encode([]rune(s))) }

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/api/webhooks/"+hookID+"/wrong":
		jsonError(w, 401, `{"message": "Invalid Webhook Token", "code": 50027}`)
		return
	case r.URL.Path != hookPath:
		jsonError(w, 404, `{"message": "Unknown Webhook", "code": 10015}`)
		return
	case f.limit > 0 && len(f.bodies) >= f.limit:
		w.Header().Set("X-RateLimit-Limit", "5")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Bucket", "abcd")
		if !f.noHeader {
			w.Header().Set("Retry-After", "2")
			w.Header().Set("X-RateLimit-Reset-After", "1.5")
		}
		jsonError(w, 429, `{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}`)
		return
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil || p.Content == "" && len(p.Embeds) == 0 {
		jsonError(w, 400, `{"code": 50006, "message": "Cannot send an empty message"}`)
		return
	}
	total := 0
	for _, e := range p.Embeds {
		total += length(e.Description)
		if e.Footer != nil {
			total += length(e.Footer.Text)
		}
		if length(e.Description) > MaxDescription {
			jsonError(w, 400, `{"code": 50035, "errors": {"embeds": {"0": {"description": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."}]}}}}, "message": "Invalid Form Body"}`)
			return
		}
	}
	if length(p.Content) > MaxContent || total > MaxEmbeds {
		jsonError(w, 400, fmt.Sprintf(`{"code": 50035, "errors": {"embeds": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Embed size exceeds maximum size of 6000 (%d)"}]}}, "message": "Invalid Form Body"}`, total))
		return
	}
	f.bodies = append(f.bodies, body)
	w.WriteHeader(http.StatusNoContent)
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
