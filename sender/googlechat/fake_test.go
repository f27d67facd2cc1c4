package googlechat

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const (
	hookPath  = "/v1/spaces/AAAAbcd/messages"
	hookKey   = "AIzaSECRETkey"
	hookToken = "SECRETtoken"
)

// fake is a Google Chat incoming webhook as Google documents it: POST
// {"text"} to /v1/spaces/S/messages?key=K&token=T; 200 with the message
// resource; errors as {"error":{"code","message","status"}}: 400
// INVALID_ARGUMENT (bad JSON, no text, over 32,000 bytes), 403
// PERMISSION_DENIED (wrong key or token), 404 NOT_FOUND (no such
// space), 429 RESOURCE_EXHAUSTED past its quota, 500/503.
type fake struct {
	*httptest.Server

	mu     sync.Mutex // protects the fields below
	limit  int        // messages accepted before 429; 0 for no limit
	fail   []int
	bodies [][]byte
	texts  []string
}

func newFake(t *testing.T) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func googleError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	fmt.Fprintf(w, "{\n  \"error\": {\n    \"code\": %d,\n    \"message\": %q,\n    \"status\": %q\n  }\n}\n", code, msg, status)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	switch {
	case !strings.HasPrefix(r.URL.Path, "/v1/spaces/") || r.Method != http.MethodPost:
		googleError(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return
	case r.URL.Path != hookPath:
		googleError(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return
	case q.Get("key") != hookKey || q.Get("token") != hookToken:
		googleError(w, 403, "PERMISSION_DENIED", "The caller does not have permission")
		return
	case len(f.fail) > 0:
		code := f.fail[0]
		f.fail = f.fail[1:]
		googleError(w, code, "UNAVAILABLE", "The service is currently unavailable.")
		return
	case f.limit > 0 && len(f.bodies) >= f.limit:
		googleError(w, 429, "RESOURCE_EXHAUSTED",
			"Resource has been exhausted (e.g. check quota).")
		return
	case len(body) > Limit:
		googleError(w, 400, "INVALID_ARGUMENT", "Message too large.")
		return
	}
	var m struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		googleError(w, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
		return
	}
	if strings.TrimSpace(m.Text) == "" {
		googleError(w, 400, "INVALID_ARGUMENT", "Message cannot be empty. Discarding empty message.")
		return
	}
	f.bodies = append(f.bodies, body)
	f.texts = append(f.texts, m.Text)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	fmt.Fprintf(w, `{"name":"spaces/AAAAbcd/messages/x.y","text":%q,"thread":{"name":"spaces/AAAAbcd/threads/z"}}`, m.Text)
}

func (f *fake) url() string { return f.URL + hookPath + "?key=" + hookKey + "&token=" + hookToken }
