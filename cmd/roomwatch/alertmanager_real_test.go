package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/realtest"
)

// realAM is a real Prometheus Alertmanager started by a test, with
// a webhook receiver that records what Alertmanager itself notifies.
type realAM struct {
	t    *testing.T
	addr string // 127.0.0.1:PORT
	dir  string
	bin  string
	hook *webhookSink
}

// amWebhook is one notification of Alertmanager's webhook receiver.
type amWebhook struct {
	Status string    `json:"status"`
	Alerts []amAlert `json:"alerts"`
	At     time.Time `json:"-"` // when it arrived
}

// amAlert is an alert as Alertmanager reports it (GET /api/v2/alerts) or
// notifies it (webhook).
type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      json.RawMessage   `json:"status"`
}

// webhookSink records Alertmanager's webhook notifications.
type webhookSink struct {
	*httptest.Server
	mu  sync.Mutex // protects got
	got []amWebhook
}

func (s *webhookSink) notifications() []amWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]amWebhook(nil), s.got...)
}

// newAlertmanager prepares an Alertmanager at a free port; start starts
// it, so a test can point roomwatch at it while it is still down.
func newAlertmanager(t *testing.T) *realAM {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a real Alertmanager")
	}
	bin := realtest.LookPath(t, "prometheus-alertmanager", "Debian package prometheus-alertmanager", "/usr/bin/alertmanager")
	am := &realAM{t: t, addr: realtest.Addr(t), dir: t.TempDir(), bin: bin, hook: &webhookSink{}}
	am.hook.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n amWebhook
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &n); err != nil {
			t.Errorf("webhook body: %v: %s", err, body)
		}
		n.At = time.Now()
		am.hook.mu.Lock()
		am.hook.got = append(am.hook.got, n)
		am.hook.mu.Unlock()
	}))
	t.Cleanup(am.hook.Close)
	// Every alert is its own group, notified a second after it changes.
	writeFile(t, filepath.Join(am.dir, "am.yml"), fmt.Sprintf(`route:
  receiver: hook
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{url: '%s/hook', send_resolved: true}]
`, am.hook.URL))
	return am
}

func (am *realAM) url() string { return "http://" + am.addr }

// start runs Alertmanager and waits until it is ready.
func (am *realAM) start() {
	am.t.Helper()
	startServer(am.t, am.dir, am.bin, "--config.file=am.yml", "--storage.path="+filepath.Join(am.dir, "data"),
		"--web.listen-address="+am.addr, "--cluster.listen-address=", "--log.level=warn")
	waitHTTP(am.t, "Alertmanager", am.url()+"/-/ready")
}

// alerts returns the alerts Alertmanager holds as firing (resolved ones
// are not listed) whose alertname is name.
func (am *realAM) alerts(name string) []amAlert {
	am.t.Helper()
	var all []amAlert
	getJSON(am.t, am.url()+"/api/v2/alerts", "", &all)
	var out []amAlert
	for _, a := range all {
		if a.Labels["alertname"] == name {
			out = append(out, a)
		}
	}
	return out
}

// received returns Alertmanager's alertmanager_alerts_received_total for
// status firing and resolved.
func (am *realAM) received() (firing, resolved string) {
	am.t.Helper()
	resp, err := http.Get(am.url() + "/metrics")
	if err != nil {
		am.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var f, r float64
	for _, l := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(l, " ")
		if !ok || !strings.HasPrefix(name, "alertmanager_alerts_received_total{") {
			continue
		}
		v, _ := strconv.ParseFloat(value, 64)
		switch {
		case strings.Contains(name, `status="firing"`):
			f += v
		case strings.Contains(name, `status="resolved"`):
			r += v
		}
	}
	firing, resolved = strconv.FormatFloat(f, 'f', -1, 64), strconv.FormatFloat(r, 'f', -1, 64)
	return firing, resolved
}

// webhooks returns the webhook notifications about alerts named name.
func (am *realAM) webhooks(name string) []amWebhook {
	var out []amWebhook
	for _, n := range am.hook.notifications() {
		if len(n.Alerts) > 0 && n.Alerts[0].Labels["alertname"] == name {
			out = append(out, n)
		}
	}
	return out
}
