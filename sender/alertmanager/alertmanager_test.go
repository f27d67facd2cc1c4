package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/sendertest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var labelNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// fake is Alertmanager's POST /api/v2/alerts: 200 with no body; 400 with a
// JSON string saying what is wrong (no labels, a bad label name, start
// after end); 404 elsewhere.
type fake struct {
	*httptest.Server
	mu     sync.Mutex
	alerts []Alert
	bodies [][]byte
}

func newFake(t *testing.T) *fake {
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	bad := func(msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(msg)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/am/api/v2/alerts" {
		http.NotFound(w, r)
		return
	}
	var alerts []Alert
	if err := json.Unmarshal(body, &alerts); err != nil {
		bad("parsing alerts body: " + err.Error())
		return
	}
	for _, a := range alerts {
		if len(a.Labels) == 0 {
			bad("at least one label pair required")
			return
		}
		for k := range a.Labels {
			if !labelNameRE.MatchString(k) {
				bad("invalid label set: invalid name \"" + k + "\"")
				return
			}
		}
		if !a.EndsAt.IsZero() && a.EndsAt.Before(a.StartsAt) {
			bad("start time must be before end time")
			return
		}
	}
	f.alerts = append(f.alerts, alerts...)
	f.bodies = append(f.bodies, body)
}

func notifier(t *testing.T, url string) *Notifier {
	t.Helper()
	n, err := New(Config{URL: config.Secret(url), Host: "web-01", Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAlertGolden(t *testing.T) {
	f := newFake(t)
	d := &batch.Digest{ID: "d1", Rule: "ssh-bruteforce", Room: "ops", Color: "purple", Group: map[string]string{"ip": "10.0.0.1", "9x": "y"},
		Count: 7, First: epoch.Add(-time.Minute), Last: epoch, At: epoch,
		Message: "7 × ssh-bruteforce on web-01\nFailed password for root from 10.0.0.1 (×7)"}
	if err := notifier(t, f.URL+"/am/").Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	sendertest.Golden(t, "alert", sendertest.Pretty(t, f.bodies[0]))
}

// TestEndsAtFromPost checks that endsAt counts from the POST, not from
// when the digest was closed: a digest delivered late (after an outage)
// arrives firing, and a rule with a long interval does not resolve
// between two of its digests.
func TestEndsAtFromPost(t *testing.T) {
	tests := []struct {
		name    string
		resolve time.Duration // the destination's resolve_after
		d       batch.Digest
		want    time.Duration // endsAt - now
	}{
		{"on time", 0, batch.Digest{At: epoch, First: epoch.Add(-time.Minute), Interval: 2 * time.Minute}, 5 * time.Minute},
		{"after a 40m outage", 0, batch.Digest{At: epoch.Add(-40 * time.Minute), First: epoch.Add(-41 * time.Minute)}, 5 * time.Minute},
		{"interval 6m", 0, batch.Digest{At: epoch, First: epoch, Interval: 6 * time.Minute}, 12 * time.Minute},
		{"resolve_after set", 90 * time.Second, batch.Digest{At: epoch.Add(-time.Hour), First: epoch.Add(-time.Hour), Interval: 6 * time.Minute}, 90 * time.Second},
		{"send", 0, batch.Digest{}, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := notifier(t, "http://am")
			n.resolve = tt.resolve
			tt.d.Rule = "r"
			a := n.AlertOf(&tt.d)
			if got := a.EndsAt.Sub(epoch); got != tt.want {
				t.Errorf("endsAt = now + %v, want now + %v", got, tt.want)
			}
			if a.StartsAt.After(epoch) || !tt.d.First.IsZero() && !a.StartsAt.Equal(tt.d.First) {
				t.Errorf("startsAt = %v, want the first match %v", a.StartsAt, tt.d.First)
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	n := notifier(t, "http://am")
	for color, want := range map[string]string{"red": "critical", "yellow": "warning", "purple": "warning", "green": "info", "gray": "info", "": "warning"} {
		if got := n.AlertOf(&batch.Digest{Rule: "r", Color: color}).Labels["severity"]; got != want {
			t.Errorf("severity of %q = %q, want %q", color, got, want)
		}
	}
}

func TestNotifyStatuses(t *testing.T) {
	f := newFake(t)
	err := notifier(t, f.URL+"/nope").Notify(t.Context(), &batch.Digest{Rule: "r", Message: "x"})
	var e *sender.Error
	if !errors.As(err, &e) || e.Status != 404 || e.Kind != sender.Permanent || !strings.Contains(err.Error(), "base URL") {
		t.Errorf("Notify to a wrong path = %v", err)
	}
	n := notifier(t, f.URL+"/am")
	n.resolve = -time.Hour // endsAt before startsAt
	err = n.Notify(t.Context(), &batch.Digest{Rule: "r", At: epoch, First: epoch, Message: "x"})
	if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(err.Error(), `"start time must be before end time"`) {
		t.Errorf("Notify of a bad alert = %v", err)
	}
}

func TestNotifyRetryTests(t *testing.T) {
	sendertest.RetryTests(t, func(t *testing.T, url string) sender.Notifier {
		return notifier(t, url)
	}, &batch.Digest{Rule: "r", Message: "x"}, nil)
}

// TestNotifyHostileLine checks that a log line stays data: the exact text
// in the description, no label made from it unless group_by asks.
func TestNotifyHostileLine(t *testing.T) {
	f := newFake(t)
	d := sendertest.Digest(t, "alertmanager", "text", "", sendertest.Hostile)
	if err := notifier(t, f.URL+"/am").Notify(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	a := f.alerts[0]
	if a.Annotations["description"] != sendertest.Hostile {
		t.Errorf("description %q, want the line", a.Annotations["description"])
	}
	want := map[string]string{"alertname": "hostile", "room": "ops", "severity": "critical", "instance": "web-01"}
	if diff := cmp.Diff(want, a.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
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
	u := strings.Replace(srv.URL, "http://", "http://user:SECRETpw@", 1)
	err := notifier(t, u).Notify(ctx, &batch.Digest{Rule: "r", Message: "x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify = %v", err)
	}
	sendertest.AssertNoSecret(t, "SECRETpw", err.Error())
}
