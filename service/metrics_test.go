package service

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/internal/sdnotifytest"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
)

const metricsConfig = `destinations:
  hipchat: {type: hipchat, url_env: HIPCHAT_URL, token_env: HIPCHAT_TOKEN}
  file: {type: console, output: digests.txt}
inputs:
  - path: "-"
rules:
  - {name: disk, match: 'disk full', room: Ops, destination: hipchat, continue: true}
  - {name: cpu, match: 'cpu hot', room: Ops, destination: hipchat}
  - {name: any-error, match: 'ERROR', room: all, destination: file}
`

func TestMetricsAfterKnownInput(t *testing.T) {
	input := "ERROR disk full on /var\nERROR disk full on /home\ncpu hot\nall good\nERROR other\n"
	h := startDaemon(t, metricsConfig, nil, strings.NewReader(input), map[string]string{"HIPCHAT_TOKEN": "personal-token"})
	if err := h.wait(); err != nil {
		t.Fatalf("run: %v\n%s", err, h.logs)
	}
	code, page := h.get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, page)
	}
	want := []string{
		`roomwatch_config_last_reload_successful 1`,
		`roomwatch_config_reloads_total{result="failure"} 0`,
		`roomwatch_config_reloads_total{result="success"} 0`,
		`roomwatch_destination_failing_seconds{destination="file"} 0`,
		`roomwatch_destination_failing_seconds{destination="hipchat"} 0`,
		`roomwatch_digests_failed_total{destination="file"} 0`,
		`roomwatch_digests_failed_total{destination="hipchat"} 0`,
		`roomwatch_digests_merged_total{destination="file"} 0`,
		`roomwatch_digests_merged_total{destination="hipchat"} 0`,
		`roomwatch_digests_retried_total{destination="file"} 0`,
		`roomwatch_digests_retried_total{destination="hipchat"} 0`,
		`roomwatch_digests_sent_total{destination="file"} 1`,
		`roomwatch_digests_sent_total{destination="hipchat"} 2`,
		`roomwatch_healthy 1`,
		`roomwatch_lines_matched_total 4`,
		`roomwatch_lines_read_total{file="-"} 5`,
		`roomwatch_open_digests 0`,
		`roomwatch_outbox_depth{destination="file"} 0`,
		`roomwatch_outbox_depth{destination="hipchat"} 0`,
		`roomwatch_outbox_oldest_age_seconds{destination="file"} 0`,
		`roomwatch_outbox_oldest_age_seconds{destination="hipchat"} 0`,
		"roomwatch_positions_recovered_total 0",
		`roomwatch_rule_matches_total{rule="any-error"} 3`,
		`roomwatch_rule_matches_total{rule="cpu"} 1`,
		`roomwatch_rule_matches_total{rule="disk"} 2`,
	}
	if diff := cmp.Diff(want, roomwatchMetrics(page)); diff != "" {
		t.Errorf("metrics mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(page, `roomwatch_build_info{commit=`) || !strings.Contains(page, "go_goroutines ") {
		t.Errorf("build info or Go runtime metrics missing:\n%s", page)
	}
	if n := len(h.srv.Notifications()); n != 2 {
		t.Errorf("HipChat got %d notifications, want 2", n)
	}
}

func TestMetricsBytesBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("follows a real file")
	}
	ns := sdnotifytest.Capture(t)
	t.Setenv("WATCHDOG_USEC", "20000") // STATUS every 10ms
	config := "state_dir: .\ndestinations:\n  file: {type: console, output: digests.txt}\n" +
		"inputs:\n  - {path: app.log, start: beginning}\nrules:\n  - {name: a, match: x, destination: file, room: r}\n"
	h := startDaemon(t, config, map[string]string{"app.log": "one\ntwo\n"}, nil, nil)
	if _, err := ns.Wait(reRead(2), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(h.dir, "app.log")
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("partial") // no newline: read, not handled
	f.Close()
	_, page := h.get("/metrics")
	for _, want := range []string{
		`roomwatch_file_bytes_behind{file="` + log + `"} 7`,
		`roomwatch_lines_read_total{file="` + log + `"} 2`,
	} {
		if !strings.Contains(page, want+"\n") {
			t.Errorf("metrics lack %s:\n%s", want, strings.Join(roomwatchMetrics(page), "\n"))
		}
	}
}

func TestCountingNotifierCounts(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := t0
	results := []error{
		&sender.Error{Kind: sender.Retryable, Status: 503},
		&sender.Error{Kind: sender.RateLimited, Status: 429},
		nil,
		&sender.Error{Kind: sender.Permanent, Status: 401},
		errors.New("connection refused"), // unclassified: retryable
	}
	i := 0
	tr := &countingNotifier{now: func() time.Time { return now }}
	tr.cur.Store(&liveNotifier{n: sender.NotifierFunc(func(context.Context, *batch.Digest) error { i++; return results[i-1] })})
	var failing []time.Time
	for range results {
		_ = tr.Notify(t.Context(), &batch.Digest{})
		failing = append(failing, tr.stats().FailingSince)
		now = now.Add(time.Minute)
	}
	want := destStats{Sent: 1, Failed: 1, Retried: 3, FailingSince: t0.Add(3 * time.Minute),
		LastError: "connection refused", LastErrorAt: t0.Add(4 * time.Minute)}
	if diff := cmp.Diff(want, tr.stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	wantFailing := []time.Time{t0, t0, {}, t0.Add(3 * time.Minute), t0.Add(3 * time.Minute)}
	if diff := cmp.Diff(wantFailing, failing); diff != "" {
		t.Errorf("failing since, after each attempt (-want +got):\n%s", diff)
	}
}

func TestHealthOf(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		stats map[string]destStats
		want  string
	}{
		{"all fine", map[string]destStats{"a": {Sent: 3}}, ""},
		{"failing briefly", map[string]destStats{"a": {FailingSince: now.Add(-4 * time.Minute)}}, ""},
		{"failing too long", map[string]destStats{"a": {FailingSince: now.Add(-6 * time.Minute)}, "b": {}},
			`destination "a" failing for 6m0s (health.max_failing 5m0s)`},
		{"outbox over cap", map[string]destStats{"b": {OutboxOverCap: true}}, `destination "b": outbox over its cap`},
		{"both, sorted", map[string]destStats{"b": {OutboxOverCap: true}, "a": {FailingSince: now.Add(-time.Hour)}},
			`destination "a" failing for 1h0m0s (health.max_failing 5m0s); destination "b": outbox over its cap`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := healthOf(tt.stats, 5*time.Minute, now); got != tt.want {
				t.Errorf("healthOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHealthzTurnsUnhealthy(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tr := &countingNotifier{now: func() time.Time { return t0 }}
	tr.cur.Store(&liveNotifier{n: sender.NotifierFunc(func(context.Context, *batch.Digest) error {
		return &sender.Error{Kind: sender.Retryable, Status: 502}
	})})
	o := &Service{stats: map[string]*countingNotifier{"hipchat": tr}}
	o.cfg.Store(&rules.Loaded{Config: &config.Config{Health: config.Health{MaxFailing: config.Duration(5 * time.Minute)}}})
	h := &harness{s: o}
	steps := []struct {
		at       time.Duration
		fail     bool
		wantCode int
		wantBody string
	}{
		{0, false, 200, "ok\n"},
		{time.Minute, true, 200, "ok\n"}, // failing since t0
		{5 * time.Minute, false, 200, "ok\n"},
		{5*time.Minute + time.Second, false, 503, "destination \"hipchat\" failing for 5m1s (health.max_failing 5m0s)\n"},
	}
	for _, s := range steps {
		if s.fail {
			_ = tr.Notify(t.Context(), &batch.Digest{})
		}
		o.now = func() time.Time { return t0.Add(s.at) }
		code, body := h.get("/healthz")
		if code != s.wantCode || body != s.wantBody {
			t.Errorf("at %s: /healthz = %d %q, want %d %q", s.at, code, body, s.wantCode, s.wantBody)
		}
	}
}
