package service

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/batch"
)

// The token of the HipChat destination, and a Slack webhook whose path is
// a secret: neither may appear on the status page or in its JSON, even
// when Slack refuses the webhook and the error is shown.
const (
	statusToken     = "personal-token"
	statusHookToken = "T000/B000/XXXXsecretXXXX"
)

const statusConfig = `destinations:
  hipchat: {type: hipchat, url_env: HIPCHAT_URL, token_env: HIPCHAT_TOKEN}
  team: {type: slack, webhook_url_env: SLACK_HOOK}
inputs:
  - path: "-"
defaults: {debounce: {wait: 0s, interval: 1m}}
rules:
  - {name: drop-noise, match: 'noise', action: drop}
  - {name: disk, match: 'disk full', room: Ops, destination: hipchat, color: red}
  - {name: brute, match: 'Failed password from (?P<ip>\S+)', room: Ops, destination: hipchat, group_by: [ip], threshold: {count: 5, within: 10m}}
  - {name: chat, match: 'to slack', destination: team}
`

// statusDaemon runs the daemon on input to its end and returns it, with
// a Slack hook that refuses every post as a revoked webhook does.
func statusDaemon(t *testing.T, input string) *harness {
	t.Helper()
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "no_service")
	}))
	t.Cleanup(slack.Close)
	h := startDaemon(t, statusConfig, nil, strings.NewReader(input), map[string]string{
		"HIPCHAT_TOKEN": statusToken, "SLACK_HOOK": slack.URL + "/services/" + statusHookToken,
	})
	if err := h.wait(); err != nil {
		t.Fatalf("run: %v\n%s", err, h.logs)
	}
	return h
}

const statusInput = "disk full on /var <script>alert(1)</script>\n" +
	"noise\n" +
	"Failed password from 203.0.113.5\n" +
	"please to slack\n" +
	"all good\n"

func TestStatusJSON(t *testing.T) {
	h := statusDaemon(t, statusInput)
	code, body := h.get("/status.json")
	if code != http.StatusOK {
		t.Fatalf("/status.json: %d %s", code, body)
	}
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if st.Lines != 5 || st.Matched != 3 { // a line that a drop rule took is not matched
		t.Errorf("lines %d matched %d, want 5 and 3", st.Lines, st.Matched)
	}
	rules := map[string]RuleStatus{}
	for _, r := range st.Rules {
		rules[r.Name] = r
	}
	if r := rules["disk"]; r.Matches != 1 || r.LastMatch == nil || r.Destination != "hipchat" || r.Room != "Ops" {
		t.Errorf("rule disk: %+v", r)
	}
	if r := rules["drop-noise"]; r.Action != "drop" {
		t.Errorf("rule drop-noise: %+v", r)
	}
	if r := rules["brute"]; r.Threshold != "5 matches within 10m0s" {
		t.Errorf("rule brute threshold %q", r.Threshold)
	}
	if r := rules["chat"]; r.LastMatch == nil {
		t.Errorf("rule chat has no last match: %+v", r)
	}
	dests := map[string]DestStatus{}
	for _, d := range st.Destinations {
		dests[d.Name] = d
	}
	if d := dests["hipchat"]; d.Type != "hipchat" || d.Sent != 1 || d.Failed != 0 || d.LastError != "" {
		t.Errorf("destination hipchat: %+v", d)
	}
	if d := dests["team"]; d.Type != "slack" || d.Sent != 0 || d.Failed != 1 || d.FailingSince == nil || !strings.Contains(d.LastError, "404") {
		t.Errorf("destination team: %+v", d)
	}
	if len(st.Recent) != 1 {
		t.Fatalf("recent: %+v", st.Recent)
	}
	if m := st.Recent[0]; m.Destination != "hipchat" || m.Room != "Ops" || m.Color != "red" || m.Rule != "disk" ||
		m.Count != 1 || !strings.Contains(m.FirstLine, "disk full on /var") {
		t.Errorf("recent[0]: %+v", m)
	}
	if len(st.Inputs) != 1 || st.Inputs[0].Path != "-" || st.Inputs[0].Lines != 5 || st.Inputs[0].LastLine == nil {
		t.Errorf("inputs: %+v", st.Inputs)
	}
	noSecret(t, body)
}

func TestStatusPageEscapesLogText(t *testing.T) {
	h := statusDaemon(t, statusInput)
	code, page := h.get("/")
	if code != http.StatusOK {
		t.Fatalf("/: %d %s", code, page)
	}
	if strings.Contains(page, "<script") {
		t.Errorf("the page holds a script element from the log:\n%s", page)
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the log line is not shown escaped:\n%s", page)
	}
	for _, want := range []string{`<meta http-equiv="refresh" content="10">`, "<b>disk</b>", "no_service"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	noSecret(t, page)
}

func TestStatusHeaders(t *testing.T) {
	h := statusDaemon(t, "all good\n")
	for _, path := range []string{"/", "/status.json"} {
		rec := httptest.NewRecorder()
		h.s.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("%s: Content-Security-Policy %q lets something run", path, csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
	}
	// Read-only: nothing but GET.
	rec := httptest.NewRecorder()
	h.s.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x")))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", rec.Code)
	}
	if code, _ := h.get("/nothing-here"); code != http.StatusNotFound {
		t.Errorf("GET /nothing-here: %d, want 404", code)
	}
}

// TestStatusOpenDigests looks at a running daemon: a key held below its
// threshold and a digest collecting matches are listed with their state.
func TestStatusOpenDigests(t *testing.T) {
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	cfg := strings.Replace(statusConfig, "wait: 0s", "wait: 1h", 1)
	h := startDaemon(t, cfg, nil, pr, map[string]string{"HIPCHAT_TOKEN": statusToken, "SLACK_HOOK": "http://127.0.0.1:1/x"})
	fmt.Fprint(pw, "disk full\ndisk full\nFailed password from 198.51.100.7\n")
	deadline := time.Now().Add(20 * time.Second)
	for h.s.en.Lines() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the daemon did not read the lines")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, body := h.get("/status.json")
	var st Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range st.Open {
		got = append(got, fmt.Sprintf("%s %s %s %d due=%v", o.Rule, o.Group, o.Phase, o.Lines, o.Due != nil))
	}
	want := []string{"disk  collecting 2 due=true", "brute 198.51.100.7 held 1 due=false"}
	if diff := cmp.Diff(want, got); diff != "" || st.OpenTotal != 2 {
		t.Errorf("open digests (-want +got):\n%s (total %d)", diff, st.OpenTotal)
	}
	for _, r := range st.Rules {
		if r.Name == "brute" && r.Held != 1 {
			t.Errorf("rule brute holds %d, want 1", r.Held)
		}
	}
	_, page := h.get("/")
	for _, want := range []string{"held below its threshold", "goes out in 59 min", "5 matches within 10m0s, 1 held"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func noSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{statusToken, statusHookToken, "XXXXsecretXXXX"} {
		if strings.Contains(s, secret) {
			t.Errorf("the status shows the secret %q", secret)
		}
	}
}

func TestRecentMessagesKeepsTheLast20NewestFirst(t *testing.T) {
	var r recentMessages
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := range 25 {
		r.add(at.Add(time.Duration(i)*time.Second), "d", &batch.Digest{Rule: fmt.Sprint(i), Message: "line " + fmt.Sprint(i) + "\nmore"})
	}
	got := r.list()
	if len(got) != maxRecent {
		t.Fatalf("kept %d, want %d", len(got), maxRecent)
	}
	if got[0].Rule != "24" || got[19].Rule != "5" || got[0].FirstLine != "line 24" {
		t.Errorf("newest %+v, oldest %+v", got[0], got[19])
	}
}

func TestFirstLineIsCutAtARune(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	got := firstLine(&batch.Digest{Message: long})
	if !strings.HasSuffix(got, "…") || len(got) > maxFirstLine+len("…") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("firstLine cut = %q (%d bytes)", got, len(got))
	}
}

func TestActivityTimes(t *testing.T) {
	var a activity
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a.sample(t0, map[string]uint64{"f": 1}, map[string]uint64{"r": 0})
	a.sample(t0.Add(time.Second), map[string]uint64{"f": 1}, map[string]uint64{"r": 2})
	got := a.snapshot()
	if !got.files["f"].Equal(t0) {
		t.Errorf("file f last line %v, want %v (no new line since)", got.files["f"], t0)
	}
	if !got.rules["r"].Equal(t0.Add(time.Second)) {
		t.Errorf("rule r last match %v", got.rules["r"])
	}
}
