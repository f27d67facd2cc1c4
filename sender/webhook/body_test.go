package webhook

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

// recorder takes any request and keeps its body and content type.
type recorder struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	types  []string
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.bodies, r.types = append(r.bodies, string(b)), append(r.types, req.Header.Get("Content-Type"))
	}))
	t.Cleanup(r.Close)
	return r
}

func templated(t *testing.T, url, text, contentType string) *Notifier {
	t.Helper()
	b, err := rules.NewBodyTemplate(text, config.IsJSON(contentType))
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(Config{URL: config.Secret(url), Host: "web-01", Body: b, ContentType: contentType,
		Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBodyTemplateGolden(t *testing.T) {
	d := &batch.Digest{ID: "d1", Rule: "ssh", Room: "ops", Color: "red", Count: 7, First: epoch.Add(-time.Minute), Last: epoch,
		Lines:   []batch.Line{{Text: `Failed password for "root"`, Count: 6}, {Text: "Failed password for bob", Count: 1}},
		Message: "7 × ssh\nFailed password for \"root\" (×6)\nFailed password for bob"}
	tests := []struct{ name, text, contentType string }{
		{"gotify", `{"title": "{{.rule}} on {{.host}}", "message": {{json .message}}, "priority": {{if eq .color "red"}}8{{else}}4{{end}}}`,
			"application/json"},
		{"lines", `{"room": "{{.room}}", "lines": [{{range $i, $l := .lines}}{{if $i}}, {{end}}{"text": "{{$l.text}}", "n": {{$l.count}}}{{end}}], "first": {{json .first}}}`,
			"application/json"},
		{"plain", "{{upper .color}} {{.rule}}: {{.message}}", "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder(t)
			if err := templated(t, r.URL, tt.text, tt.contentType).Notify(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			if r.types[0] != tt.contentType {
				t.Errorf("Content-Type %q, want %q", r.types[0], tt.contentType)
			}
			got := r.bodies[0]
			if config.IsJSON(tt.contentType) {
				got = sendertest.Pretty(t, []byte(got))
			}
			sendertest.Golden(t, "body-"+tt.name, got)
		})
	}
}

// TestBodyTemplateHostileLine: in a JSON body, log text written inside
// a string by the template (without json) still cannot end the string
// and add keys; it arrives exactly.
func TestBodyTemplateHostileLine(t *testing.T) {
	r := newRecorder(t)
	line := sendertest.Hostile + `", "admin": true, "x": "` + "\x00\x1b\\"
	d := sendertest.Digest(t, "webhook", "text", "", line)
	n := templated(t, r.URL, `{"text": "{{.message}}", "raw": {{json .message}}, "admin": false}`, "application/json")
	if err := n.Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.bodies[0]), &got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.bodies[0])
	}
	if got["text"] != line || got["raw"] != line || got["admin"] != false || len(got) != 3 {
		t.Errorf("body %q", r.bodies[0])
	}
}

// TestBodyTemplateFailsPermanently: a template that fails on a digest
// fails the same way on a retry.
func TestBodyTemplateFailsPermanently(t *testing.T) {
	r := newRecorder(t)
	n := templated(t, r.URL, `{"first": {{json (index .lines 0).text}}}`, "application/json")
	err := n.Notify(t.Context(), &batch.Digest{Room: "ops", Message: "x"})
	if sender.KindOf(err) != sender.Permanent || !strings.Contains(err.Error(), "body_template") {
		t.Fatalf("Notify = %v, want permanent", err)
	}
	if len(r.bodies) != 0 {
		t.Errorf("sent %q", r.bodies)
	}
}

func TestBodyTemplateRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return templated(t, url, `{"text": {{json .message}}}`, "application/json")
	}, &batch.Digest{Message: "x"}, nil)
}
