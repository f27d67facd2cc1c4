package hipchattest

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rateHeaders returns the six rate-limit headers of a response, by the
// exact names HipChat used.
func rateHeaders(h http.Header) map[string]string {
	m := map[string]string{}
	for _, k := range []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset",
		"X-FloodControl-Limit", "X-FloodControl-Remaining", "X-FloodControl-Reset"} {
		if v, ok := h[http.CanonicalHeaderKey(k)]; ok {
			m[k] = v[0]
		}
	}
	return m
}

func unix(d time.Duration) string { return strconv.FormatInt(epoch.Add(d).Unix(), 10) }

func TestFloodControl(t *testing.T) {
	s, c := start(t, Options{FloodLimit: 2})
	post := func() result { return do(t, "POST", s.URL+"/v2/room/1/notification", "admin", `{"message":"x"}`) }
	if r := post(); r.status != 204 {
		t.Fatalf("first: %d", r.status)
	}
	c.t = epoch.Add(10 * time.Second)
	r := post()
	want := map[string]string{
		"X-Ratelimit-Limit": "500", "X-Ratelimit-Remaining": "498", "X-Ratelimit-Reset": unix(5 * time.Minute),
		"X-FloodControl-Limit": "2", "X-FloodControl-Remaining": "0", "X-FloodControl-Reset": unix(time.Minute),
	}
	if diff := cmp.Diff(want, rateHeaders(r.header)); r.status != 204 || diff != "" {
		t.Fatalf("second: status %d, headers (-want +got):\n%s", r.status, diff)
	}
	r = post()
	if r.status != 429 || errorOf(r)["type"] != "Too Many Requests" || rateHeaders(r.header)["X-FloodControl-Remaining"] != "0" {
		t.Fatalf("third: status %d %v %v, want 429", r.status, r.body, r.header)
	}
	// Another room has its own flood control.
	if r := do(t, "POST", s.URL+"/v2/room/2/notification", "admin", `{"message":"x"}`); r.status != 204 {
		t.Fatalf("other room: %d", r.status)
	}
	c.t = epoch.Add(time.Minute) // the first message leaves the window
	if r := post(); r.status != 204 {
		t.Fatalf("after reset: %d", r.status)
	}
}

func TestTokenWindow(t *testing.T) {
	s, c := start(t, Options{RateLimit: 2, RateWindow: time.Minute})
	get := func(tok string) result { return do(t, "GET", s.URL+"/v2/room/1", tok, "") }
	get("admin")
	get("admin")
	r := get("admin")
	if r.status != 429 || rateHeaders(r.header)["X-Ratelimit-Remaining"] != "0" || rateHeaders(r.header)["X-Ratelimit-Reset"] != unix(time.Minute) {
		t.Fatalf("third request: %d %v, want 429 with reset", r.status, rateHeaders(r.header))
	}
	if r := get("viewer"); r.status != 200 {
		t.Fatalf("other token: %d, want its own window", r.status)
	}
	c.t = epoch.Add(time.Minute + time.Second)
	if r := get("admin"); r.status != 200 || rateHeaders(r.header)["X-Ratelimit-Remaining"] != "1" {
		t.Fatalf("after the window: %d %v", r.status, rateHeaders(r.header))
	}
}

func TestHeadersOnErrors(t *testing.T) {
	s, _ := start(t, Options{})
	for _, tok := range []string{"", "admin"} {
		r := do(t, "POST", s.URL+"/v2/room/99/notification", tok, "")
		if got := len(rateHeaders(r.header)); got != 6 {
			t.Errorf("token %q: %d rate-limit headers on a %d, want 6", tok, got, r.status)
		}
	}
}

func TestFaultInjection(t *testing.T) {
	hooked := 0
	s, _ := start(t, Options{Hook: func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("X-Hook") == "" {
			return false
		}
		hooked++
		w.WriteHeader(http.StatusTeapot)
		return true
	}})
	s.FailNext(2, 503)
	var got []int
	for range 3 {
		got = append(got, do(t, "POST", s.URL+"/v2/room/1/notification", "admin", `{"message":"x"}`).status)
	}
	if diff := cmp.Diff([]int{503, 503, 204}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL+"/v2/room/1", nil)
	req.Header.Set("X-Hook", "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || hooked != 1 || s.Requests() != 4 {
		t.Errorf("hook: status %d, hooked %d, requests %d", resp.StatusCode, hooked, s.Requests())
	}
}

func TestNewServerWithoutTest(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	s.AddRoom(1, "ops")
	s.AddToken("t", Token{Room: 1})
	if r := do(t, "POST", s.URL+"/v2/room/ops/notification", "t", `{"message":"x"}`); r.status != 204 {
		t.Fatalf("status %d", r.status)
	}
	if s.Handler() == nil {
		t.Fatal("no handler")
	}
}
