package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/sender"
)

// TestAlertmanagerFiring sends digests and one-off messages to a real
// Alertmanager and reads back, through its API and the webhook it
// notifies, that they are firing with the right labels and annotations,
// that endsAt is resolve_after after the POST (5m, or twice a rule's 6m
// interval), and that two sends are two alerts.
func TestAlertmanagerFiring(t *testing.T) {
	am := newAlertmanager(t)
	am.start()
	rec := newRecorder(t, am.url())
	dir := t.TempDir()
	cfg := filepath.Join(dir, "roomwatch.yaml")
	writeFile(t, cfg, fmt.Sprintf(`destinations:
  am: {type: alertmanager, url: %s}
defaults: {room: ops, debounce: {wait: 1m}} # pipe sends each digest at the end of its input
rules:
  - name: disk-full
    match: 'ERROR disk full on (?P<mount>/[\w/]*)'
    group_by: [mount]
    color: red
  - name: slow-queries
    match: 'SLOW'
    debounce: {interval: 6m}
`, rec.URL))
	in := "ERROR disk full on /data, mail root@web-01 or ops@example.com\nERROR disk full on /data again\nSLOW query 3.2s\n"
	if code, stderr := runRoomwatch(t, in, nil, "pipe", "-c", cfg); code != exitOK {
		t.Fatalf("pipe: exit %d\n%s", code, stderr)
	}
	for _, msg := range []string{"first message", "second message"} {
		if code, stderr := runRoomwatch(t, "", nil, "send", "-c", cfg, "--room", "ops", "--color", "green", msg); code != exitOK {
			t.Fatalf("send: exit %d\n%s", code, stderr)
		}
	}
	waitFor(t, "Alertmanager's webhook notifications", func() bool {
		return len(am.webhooks("disk-full")) > 0 && len(am.webhooks("slow-queries")) > 0 && len(am.webhooks("roomwatch-send")) > 0
	})

	disk := am.alerts("disk-full")
	if len(disk) != 1 {
		t.Fatalf("disk-full: %d alerts, want 1:\n%s", len(disk), pretty(disk))
	}
	want := map[string]string{"alertname": "disk-full", "room": "ops", "severity": "critical",
		"instance": rules.Hostname(), "mount": "/data"}
	if diff := cmp.Diff(want, disk[0].Labels); diff != "" {
		t.Errorf("disk-full labels (-want +got):\n%s", diff)
	}
	desc := disk[0].Annotations["description"]
	if !strings.HasPrefix(disk[0].Annotations["summary"], "2 × disk-full") ||
		!strings.Contains(desc, "root@web-01 or ops@example.com") || strings.Contains(desc, "\u2060") {
		t.Errorf("disk-full annotations: %s", pretty(disk[0].Annotations))
	}
	if !strings.Contains(string(disk[0].Status), `"state":"active"`) {
		t.Errorf("disk-full status %s, want active", disk[0].Status)
	}
	posts := alertPosts(t, rec)
	checkEndsAt(t, am, "disk-full", posts, 5*time.Minute)
	checkEndsAt(t, am, "slow-queries", posts, 12*time.Minute)

	sends := am.alerts("roomwatch-send")
	if len(sends) != 2 || sends[0].Labels["id"] == sends[1].Labels["id"] {
		t.Fatalf("sends: want two alerts with their own id:\n%s", pretty(sends))
	}
	got := []string{sends[0].Annotations["description"], sends[1].Annotations["description"]}
	if !(got[0] == "first message" && got[1] == "second message" || got[1] == "first message" && got[0] == "second message") {
		t.Errorf("sends say %q, want both messages", got)
	}
	for _, n := range am.webhooks("disk-full") {
		if n.Status != "firing" {
			t.Errorf("webhook notified %s for disk-full, want firing", n.Status)
		}
	}
	t.Logf("roomwatch posted:\n%s", pretty(rec.exchanges()))
	t.Logf("GET /api/v2/alerts:\n%s", pretty(append(append(disk, am.alerts("slow-queries")...), sends...)))
	t.Logf("webhook notifications:\n%s", pretty(am.hook.notifications()))
}

// alertPost is one alert roomwatch posted, and when.
type alertPost struct {
	At    time.Time
	Alert amAlert
}

// alertPosts returns the alerts of every POST /api/v2/alerts that went
// through rec and that Alertmanager accepted.
func alertPosts(t *testing.T, rec *recorder) []alertPost {
	t.Helper()
	var out []alertPost
	for _, x := range rec.exchanges() {
		if x.Method != "POST" || x.Path != "/api/v2/alerts" || x.Status != 200 {
			continue
		}
		var as []amAlert
		if err := json.Unmarshal([]byte(x.Body), &as); err != nil {
			t.Fatalf("posted body: %v: %s", err, x.Body)
		}
		for _, a := range as {
			out = append(out, alertPost{At: x.At, Alert: a})
		}
	}
	return out
}

// checkEndsAt checks that Alertmanager holds the alert named name with
// endsAt resolveAfter after the last POST of it.
func checkEndsAt(t *testing.T, am *realAM, name string, posts []alertPost, resolveAfter time.Duration) {
	t.Helper()
	var last time.Time
	for _, p := range posts {
		if p.Alert.Labels["alertname"] == name {
			last = p.At
		}
	}
	as := am.alerts(name)
	if last.IsZero() || len(as) != 1 {
		t.Fatalf("%s: posted at %v, %d alerts in Alertmanager", name, last, len(as))
	}
	if d := as[0].EndsAt.Sub(last); d < resolveAfter-2*time.Second || d > resolveAfter+time.Second {
		t.Errorf("%s: endsAt %v is the POST + %v, want + %v", name, as[0].EndsAt, d.Round(time.Millisecond), resolveAfter)
	}
}

// TestAlertmanagerLateDelivery: a digest waits in the outbox while
// Alertmanager is down for longer than resolve_after, and is delivered
// once it is up. It must arrive firing (the old endsAt, counted from when
// the digest closed, made it arrive resolved and notify no one).
func TestAlertmanagerLateDelivery(t *testing.T) {
	am := newAlertmanager(t) // not started: down
	rec := newRecorder(t, am.url())
	bin := buildBinary(t)
	dir := t.TempDir()
	logPath, cfg := filepath.Join(dir, "app.log"), filepath.Join(dir, "roomwatch.yaml")
	const resolveAfter = 3 * time.Second
	writeFile(t, cfg, fmt.Sprintf(`state_dir: %s
destinations:
  am: {type: alertmanager, url: %s, resolve_after: %v}
defaults: {room: ops, debounce: {wait: 0s}}
inputs: [{path: %s}]
rules:
  - {name: late, match: 'ERROR', color: red, debounce: {interval: 1s}}
`, filepath.Join(dir, "state"), rec.URL, resolveAfter, logPath))
	writeFile(t, logPath, "")
	rw := startRoomwatch(t, bin, cfg, nil)
	waitFor(t, "roomwatch following the log", func() bool { return rec != nil && fileExists(filepath.Join(dir, "state", "positions.json")) })
	appendText(t, logPath, "ERROR payment service unreachable\n")
	outbox := sender.DestinationDir(filepath.Join(dir, "state", "outbox"), "am")
	waitFor(t, "a failed delivery", func() bool {
		names, _ := sender.ListRecords(outbox)
		return len(names) == 1 && len(rec.exchanges()) > 0
	})
	down := rec.exchanges()[0].At
	time.Sleep(resolveAfter + 2*time.Second) // the outage outlasts resolve_after
	am.start()
	// Alertmanager may take in a POST whose answer the proxy then loses
	// while it starts (recorded as 502, sent again by roomwatch): wait for
	// the notification and for an accepted POST both.
	waitFor(t, "Alertmanager notified and a POST accepted", func() bool {
		return len(am.webhooks("late")) > 0 && len(alertPosts(t, rec)) > 0
	})
	posts := alertPosts(t, rec)
	outage := posts[0].At.Sub(down)
	if outage <= resolveAfter {
		t.Errorf("the alert was accepted %v after the first failure, not after resolve_after %v: the test proves nothing", outage, resolveAfter)
	}
	if n := am.webhooks("late")[0]; n.Status != "firing" {
		t.Errorf("Alertmanager notified %q, want firing", n.Status)
	}
	if as := am.alerts("late"); len(as) != 1 || !strings.Contains(string(as[0].Status), `"state":"active"`) {
		t.Errorf("Alertmanager holds %s, want the alert active", pretty(as))
	}
	if firing, resolved := am.received(); firing == "0" || resolved != "0" {
		t.Errorf("alertmanager_alerts_received_total: firing %s, resolved %s; want firing (each delivery) and 0 resolved", firing, resolved)
	}
	if err := rw.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = rw.Wait()
	t.Logf("down for %v (resolve_after %v); attempts:\n%s", outage.Round(time.Millisecond), resolveAfter, pretty(rec.exchanges()))
	t.Logf("GET /api/v2/alerts:\n%s\nwebhook:\n%s", pretty(am.alerts("late")), pretty(am.webhooks("late")))
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func appendText(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// TestAlertmanagerKeepsFiring runs a condition that keeps matching for
// several debounce intervals against a real Alertmanager, watching its API
// all along. Time is scaled down: interval 2s and resolve_after 4s stand
// for interval 6m and the default resolve_after of twice that. The alert
// must stay firing the whole time, and resolve resolve_after after the
// last digest. The control, with resolve_after shorter than the interval,
// shows that the watching sees a flap when there is one.
func TestAlertmanagerKeepsFiring(t *testing.T) {
	am := newAlertmanager(t)
	am.start()
	bin := buildBinary(t)
	tests := []struct {
		name         string
		resolveAfter time.Duration
		flaps        bool
	}{
		{"resolve_after twice the interval", 4 * time.Second, false},
		{"control: resolve_after shorter than the interval", 1 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := map[bool]string{false: "steady", true: "flapping"}[tt.flaps]
			rec := newRecorder(t, am.url())
			dir := t.TempDir()
			logPath, cfg := filepath.Join(dir, "app.log"), filepath.Join(dir, "roomwatch.yaml")
			writeFile(t, cfg, fmt.Sprintf(`state_dir: %s
destinations:
  am: {type: alertmanager, url: %s, resolve_after: %v}
defaults: {room: ops}
inputs: [{path: %s}]
rules:
  - {name: %s, match: 'ERROR', debounce: {wait: 100ms, interval: 2s}}
`, filepath.Join(dir, "state"), rec.URL, tt.resolveAfter, logPath, name))
			writeFile(t, logPath, "")
			rw := startRoomwatch(t, bin, cfg, nil)
			waitFor(t, "roomwatch following the log", func() bool { return fileExists(filepath.Join(dir, "state", "positions.json")) })

			// Match every 500 ms for 10 s (five intervals), and ask
			// Alertmanager every 200 ms from the first digest on.
			var gaps []time.Time // times the alert was not firing
			stop := time.Now().Add(10 * time.Second)
			next := time.Now()
			for time.Now().Before(stop) {
				if !time.Now().Before(next) {
					appendText(t, logPath, "ERROR upstream timed out\n")
					next = next.Add(500 * time.Millisecond)
				}
				if len(alertPosts(t, rec)) > 0 && len(am.alerts(name)) == 0 {
					gaps = append(gaps, time.Now())
				}
				time.Sleep(200 * time.Millisecond)
			}
			matchingEnded := time.Now()
			waitFor(t, "the resolved notification", func() bool {
				for _, n := range am.webhooks(name) {
					if n.Status == "resolved" && n.At.After(matchingEnded) {
						return true
					}
				}
				return false
			})
			if err := rw.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			_ = rw.Wait()
			posts := alertPosts(t, rec)
			var early []amWebhook // resolved while the condition still matched
			for _, n := range am.webhooks(name) {
				if n.Status == "resolved" && n.At.Before(matchingEnded) {
					early = append(early, n)
				}
			}
			t.Logf("%d digests posted; not firing at %d of the checks; %d resolved notifications while matching",
				len(posts), len(gaps), len(early))
			if tt.flaps {
				if len(gaps) == 0 || len(early) == 0 {
					t.Errorf("the control did not flap: the test could not see a flap")
				}
				return
			}
			if len(gaps) > 0 || len(early) > 0 {
				t.Errorf("the alert was resolved while the condition kept matching: at %v; notified %s", gaps, pretty(early))
			}
			last := posts[len(posts)-1]
			var resolved amWebhook
			for _, n := range am.webhooks(name) {
				if n.Status == "resolved" {
					resolved = n
				}
			}
			ends := resolved.Alerts[0].EndsAt
			if d := ends.Sub(last.At); d < tt.resolveAfter-time.Second || d > tt.resolveAfter+time.Second {
				t.Errorf("resolved at %v: the last digest + %v, want + %v", ends, d.Round(time.Millisecond), tt.resolveAfter)
			}
			t.Logf("last digest posted at %s; Alertmanager resolved it at %s and notified at %s",
				last.At.Format("15:04:05.000"), ends.Format("15:04:05.000"), resolved.At.Format("15:04:05.000"))
			t.Logf("webhook notifications:\n%s", pretty(am.webhooks(name)))
		})
	}
}
