package slack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// hookPath is the secret path of the fake's one incoming webhook.
const hookPath = "/services/T0001/B0001/SECRETxyz"

// fake is a Slack incoming webhook as Slack documents it: 200 "ok";
// plain-text error codes (400 invalid_payload, 403 action_prohibited,
// 404 channel_not_found / no_service, 410 channel_is_archived, 500
// rollup_error); 429 with Retry-After past its limit.
type fake struct {
	*httptest.Server

	mu       sync.Mutex // protects the fields below
	limit    int        // requests accepted before 429; 0 for no limit
	fail     []int      // statuses (500) for the next requests
	bodies   [][]byte   // accepted bodies
	channels map[string]string
}

func newFake(t *testing.T) *fake {
	f := &fake{channels: map[string]string{
		"#ops": "", "@alice": "", "#old": "channel_is_archived", "#locked": "action_prohibited", "@nobody": "user_not_found",
	}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	answer := func(code int, text string) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, text)
	}
	if r.Method != http.MethodPost || r.URL.Path != hookPath {
		answer(http.StatusNotFound, "no_service")
		return
	}
	if len(f.fail) > 0 {
		code := f.fail[0]
		f.fail = f.fail[1:]
		answer(code, "rollup_error")
		return
	}
	if f.limit > 0 && len(f.bodies) >= f.limit {
		w.Header().Set("Retry-After", strconv.Itoa(30))
		answer(http.StatusTooManyRequests, "rate_limited")
		return
	}
	var p payload
	if json.Unmarshal(body, &p) != nil || p.Text == "" && len(p.Attachments) == 0 {
		answer(http.StatusBadRequest, "invalid_payload")
		return
	}
	if p.Channel != "" {
		problem, ok := f.channels[p.Channel]
		switch {
		case !ok:
			answer(http.StatusNotFound, "channel_not_found")
			return
		case problem == "channel_is_archived":
			answer(http.StatusGone, problem)
			return
		case problem == "action_prohibited":
			answer(http.StatusForbidden, problem)
			return
		case problem != "":
			answer(http.StatusBadRequest, problem)
			return
		}
	}
	f.bodies = append(f.bodies, body)
	answer(http.StatusOK, "ok")
}

// received returns the accepted payloads.
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
