package ntfy

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"unicode/utf8"
)

// fake is an ntfy server as its documentation and error table describe
// it: JSON publishing on POST /; errors as {"code","http","error","link"}
// (40009 topic invalid, 40007 priority invalid, 40024 invalid JSON, 40014
// a message over message-size-limit with attachments disabled, 41303 a
// JSON body over 16K, 40101 a wrong token, 40301 no access to a
// protected topic, 42901 past the visitor's request burst); 200 with the
// message as JSON.
type fake struct {
	*httptest.Server

	mu        sync.Mutex // protects the fields below
	burst     int        // requests a visitor may make; 0 for no limit
	requests  int
	fail      []int             // statuses (500, 502) for the next requests
	protected map[string]string // topic -> the token that may publish
	bodies    [][]byte
	headers   []http.Header
}

var topicRE = regexp.MustCompile(`^[-_A-Za-z0-9]{1,64}$`)

func newFake(t *testing.T) *fake {
	f := &fake{protected: map[string]string{"private": "tk_SECRETtoken"}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func answer(w http.ResponseWriter, code, http int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http)
	fmt.Fprintf(w, `{"code":%d,"http":%d,"error":%q,"link":"https://ntfy.sh/docs/publish/"}`+"\n", code, http, msg)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxJSON+1))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	switch {
	case len(f.fail) > 0:
		code := f.fail[0]
		f.fail = f.fail[1:]
		answer(w, 50001, code, "internal server error")
		return
	case f.burst > 0 && f.requests > f.burst:
		answer(w, 42901, 429, "limit reached: too many requests, please be nice")
		return
	case r.Method != http.MethodPost && r.Method != http.MethodPut || r.URL.Path != "/":
		answer(w, 40401, 404, "page not found")
		return
	case len(body) > maxJSON:
		answer(w, 41303, 413, "JSON body too large")
		return
	}
	var m struct {
		Topic    string   `json:"topic"`
		Message  string   `json:"message"`
		Title    string   `json:"title"`
		Priority int      `json:"priority"`
		Tags     []string `json:"tags"`
	}
	auth := r.Header.Get("Authorization")
	switch {
	case json.Unmarshal(body, &m) != nil:
		answer(w, 40024, 400, "invalid request: request body must be valid JSON")
	case !topicRE.MatchString(m.Topic):
		answer(w, 40009, 400, "invalid request: topic invalid")
	case m.Priority < 0 || m.Priority > 5:
		answer(w, 40007, 400, "invalid priority parameter")
	case !utf8.ValidString(m.Message):
		answer(w, 40011, 400, "invalid message: message must be UTF-8 encoded")
	case len(m.Message) > Limit:
		answer(w, 40014, 400, "invalid request: attachments not allowed")
	case auth != "" && auth != "Bearer tk_SECRETtoken":
		answer(w, 40101, 401, "unauthorized")
	case f.protected[m.Topic] != "" && auth != "Bearer "+f.protected[m.Topic]:
		answer(w, 40301, 403, "forbidden")
	default:
		f.bodies = append(f.bodies, body)
		f.headers = append(f.headers, r.Header.Clone())
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"hwQ2YpKdmg","time":1772366400,"expires":1772409600,"event":"message","topic":%q,"message":%q}`+"\n",
			m.Topic, m.Message)
	}
}

// received returns the accepted bodies.
func (f *fake) received() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.bodies...)
}
