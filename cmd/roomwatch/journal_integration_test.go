package main

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/realtest"
	"github.com/roomwatch/roomwatch/sender"
	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
)

// TestJournalKillLosesNothing reads real journal files through the real
// binary, kills it with SIGKILL while digests are in flight and entries
// are still being debounced, and checks that every matched entry reaches
// the room after a restart; then that a clean stop and start send nothing
// twice, and that entries written while stopped are sent once.
func TestJournalKillLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	journal := realtest.NewJournal(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "roomwatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
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
	cfg := filepath.Join(dir, "roomwatch.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: %s
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
  - journal: {directory: %s, units: [app.service], start: beginning}
rules:
  - name: errors
    match: 'app\[1\]: ERROR (?P<n>\d+)'
    group_by: [n]
`, filepath.Join(dir, "state"), srv.URL, journal.Dir))
	write := func(from, to int) {
		var es []realtest.JournalEntry
		for i := from; i <= to; i++ {
			es = append(es, realtest.JournalEntry{Unit: "app.service", Ident: "app", PID: "1", Msg: fmt.Sprintf("ERROR %d disk quota exceeded", i)},
				realtest.JournalEntry{Unit: "other.service", Ident: "app", PID: "1", Msg: fmt.Sprintf("ERROR %d of another unit", i)})
		}
		journal.Write(es...)
	}
	seen := map[int]int{}
	count := func() int {
		clear(seen)
		for _, n := range srv.Notifications() {
			for _, m := range lineNumber.FindAllStringSubmatch(n.Message, -1) {
				k, _ := strconv.Atoi(m[1])
				seen[k]++
			}
		}
		return len(seen)
	}

	first := startBinary(t, bin, cfg)
	write(1, 30)
	outbox := sender.DestinationDir(filepath.Join(dir, "state", "outbox"), "hc")
	waitFor(t, "digests in the outbox and a delivery in flight", func() bool {
		names, _ := sender.ListRecords(outbox)
		return len(names) >= 10 && srv.Requests() >= 2
	})
	write(31, 40)
	time.Sleep(100 * time.Millisecond) // read, but still being debounced
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	healthy.Store(true)
	second := startBinary(t, bin, cfg)
	waitFor(t, "every entry delivered", func() bool { return count() == 40 })
	stop(t, second)
	for k := 1; k <= 40; k++ {
		if seen[k] == 0 {
			t.Errorf("entry %d lost", k)
		}
	}
	before := len(srv.Notifications())

	write(41, 45) // while stopped
	third := startBinary(t, bin, cfg)
	waitFor(t, "the entries written while stopped", func() bool { return count() == 45 })
	time.Sleep(1500 * time.Millisecond) // a debounce interval: anything sent twice would be sent by now
	stop(t, third)
	count()
	for k := 1; k <= 45; k++ {
		if want := 1; k > 40 && seen[k] != want {
			t.Errorf("entry %d sent %d times after a clean restart, want once", k, seen[k])
		}
	}
	for _, n := range srv.Notifications()[before:] {
		for _, m := range lineNumber.FindAllStringSubmatch(n.Message, -1) {
			if k, _ := strconv.Atoi(m[1]); k <= 40 {
				t.Errorf("entry %d sent again after a clean stop: %q", k, n.Message)
			}
		}
	}
}

// stop ends a started binary with SIGTERM and expects a clean exit.
func stop(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("stop after SIGTERM: %v", err)
	}
}
