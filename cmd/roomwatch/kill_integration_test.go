package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/realtest"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// TestKillLosesNothing runs the real binary against a HipChat server that
// is slow and failing, kills it with SIGKILL while digests are in flight
// and lines are still being debounced, restarts it with the server
// healthy, and checks that every matched line reaches the room: a line may
// come twice, none may be lost.
func TestKillLosesNothing(t *testing.T) {
	t.Parallel() // each runs its own binary, server and folders; most of their time is waiting
	if testing.Short() {
		t.Skip("kills the real binary")
	}
	dir := t.TempDir()
	bin, err := exec.LookPath("roomwatch")
	if err != nil {
		t.Fatalf("the roomwatch command is not on $PATH (testscript.Main installs it): %v", err)
	}
	var healthy atomic.Bool
	srv := hipchattest.New(t, hipchattest.Options{FloodLimit: 1 << 20, RateLimit: 1 << 20,
		Hook: func(w http.ResponseWriter, r *http.Request) bool {
			if healthy.Load() {
				return false
			}
			time.Sleep(300 * time.Millisecond) // slow, then failing
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}})
	srv.AddRoom(42, "Ops")
	srv.AddToken("tok", hipchattest.Token{})

	logPath := filepath.Join(dir, "app.log")
	cfg := filepath.Join(dir, "roomwatch.yaml")
	listen := realtest.Addr(t)
	writeFile(t, cfg, fmt.Sprintf(`state_dir: %s
listen: %s
shutdown_timeout: 1s
destinations:
  hc:
    type: hipchat
    url: %s
    token_env: TOK
    rate_limit: {per_room: none, per_destination: none}
defaults:
  room: Ops
  debounce: {wait: 200ms, interval: 1s}
inputs:
  - path: %s
    start: beginning
rules:
  - name: late      # lines 31..40: read before the kill, still debounced at it
    match: 'ERROR (?P<n>3[1-9]|40) '
    group_by: [n]
    debounce: {wait: 1h, interval: 1h}
  - name: errors
    match: 'ERROR (?P<n>\d+)'
    group_by: [n]
`, filepath.Join(dir, "state"), listen, srv.URL, logPath))
	writeFile(t, logPath, "")

	first := startBinary(t, bin, cfg)
	appendLines(t, logPath, 1, 30)
	outbox := sender.DestinationDir(filepath.Join(dir, "state", "outbox"), "hc")
	waitFor(t, "digests in the outbox and a delivery in flight", func() bool {
		names, _ := sender.ListRecords(outbox)
		return len(names) >= 10 && srv.Requests() >= 2
	})
	appendLines(t, logPath, 31, 40)
	waitFor(t, "lines 31..40 read and matched", func() bool {
		return metric(listen, `roomwatch_rule_matches_total{rule="late"}`) == "10"
	})
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	names, _ := sender.ListRecords(outbox)
	failedRequests := srv.Requests()

	healthy.Store(true)
	// The lines read again after the kill need not wait an hour.
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg, strings.Replace(string(b), "{wait: 1h, interval: 1h}", "{wait: 200ms, interval: 1s}", 1))
	second := startBinary(t, bin, cfg)
	seen := map[int]int{}
	waitFor(t, "every line delivered", func() bool {
		clear(seen)
		for _, n := range srv.Notifications() {
			for _, m := range lineNumber.FindAllStringSubmatch(n.Message, -1) {
				k, _ := strconv.Atoi(m[1])
				seen[k]++
			}
		}
		return len(seen) == 40
	})
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("stop after SIGTERM: %v", err)
	}
	dups := 0
	for k := 1; k <= 40; k++ {
		if seen[k] == 0 {
			t.Errorf("line %d lost", k)
		}
		dups += max(seen[k]-1, 0)
	}
	t.Logf("killed with %d digests in the outbox after %d failed requests; after restart %d messages, %d lines twice",
		len(names), failedRequests, len(srv.Notifications()), dups)
}

var lineNumber = regexp.MustCompile(`ERROR (\d+)`)

// metric returns the value of the sample named name (with its labels) on
// the /metrics page at addr, "" when there is none.
func metric(addr, name string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return v
		}
	}
	return ""
}

func startBinary(t *testing.T, bin, cfg string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "run", "-c", cfg)
	cmd.Env = append(os.Environ(), "TOK=tok")
	cmd.Stderr = &testWriter{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := from; i <= to; i++ {
		fmt.Fprintf(f, "2024-05-01T12:00:00Z app[1]: ERROR %d disk quota exceeded\n", i)
		fmt.Fprintf(f, "2024-05-01T12:00:00Z app[1]: INFO request served\n")
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, for at most 30 seconds: the process
// under test runs on the real clock, so there is nothing to step.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// testWriter sends the binary's log to the test log.
type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}
