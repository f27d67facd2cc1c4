package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/sender/hipchat/hipchattest"
	"github.com/roomwatch/roomwatch/tailer"
)

// TestKillResendsOnlyOpenDigests runs the real binary, lets the first
// digests of ten keys reach the outbox (and the room), appends lines of
// five of those keys, which go into their next digests (open for 30 s),
// and kills the process with SIGKILL well before a periodic save of the
// read positions (every 5 s). After a restart, the lines of the first
// digests must not be alerted again (the positions were saved as they
// entered the outbox), and the lines of the open digests must arrive:
// every line exactly once.
func TestKillResendsOnlyOpenDigests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "roomwatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := hipchattest.New(t, hipchattest.Options{FloodLimit: 1 << 20, RateLimit: 1 << 20})
	srv.AddRoom(42, "Ops")
	srv.AddToken("tok", hipchattest.Token{})
	logPath := filepath.Join(dir, "app.log")
	state := filepath.Join(dir, "state")
	cfg := filepath.Join(dir, "roomwatch.yaml")
	writeFile(t, cfg, fmt.Sprintf(`state_dir: %s
shutdown_timeout: 2s
destinations:
  hc: {type: hipchat, url: %s, token_env: TOK, rate_limit: {per_room: none, per_destination: none}}
defaults:
  room: Ops
  debounce: {wait: 100ms, interval: 30s, max_lines: 100}
inputs:
  - {path: %s, start: beginning}
rules:
  - {name: errors, match: 'ERROR (?P<n>\d+)', group_by: [n]}
`, state, srv.URL, logPath))
	writeFile(t, logPath, "")

	started := time.Now()
	first := startBinary(t, bin, cfg)
	appendLines(t, logPath, 1, 10)
	firstEnd := fileSize(t, logPath)
	waitFor(t, "the first digests delivered", func() bool { return len(srv.Notifications()) == 10 })
	// Saved at most SaveGap after the digests entered the outbox (they
	// were delivered, so they were there); a second is slack for a loaded
	// machine, and still well before the periodic save.
	deadline := time.Now().Add(time.Second)
	for savedOffset(t, state, logPath) != firstEnd {
		if time.Now().After(deadline) {
			t.Fatalf("positions not saved past the first digests a second after they were sent (offset %d, want %d)",
				savedOffset(t, state, logPath), firstEnd)
		}
		time.Sleep(10 * time.Millisecond)
	}
	appendLines(t, logPath, 1, 5) // into the keys' next digests, open for 30 s
	time.Sleep(300 * time.Millisecond)
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killedAfter := time.Since(started)
	if off := savedOffset(t, state, logPath); off != firstEnd {
		t.Errorf("saved offset %d at the kill, want %d: the end of the first digest's lines", off, firstEnd)
	}

	second := startBinary(t, bin, cfg)
	waitFor(t, "the open digests delivered", func() bool { return len(srv.Notifications()) >= 15 })
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("stop after SIGTERM: %v", err)
	}
	seen := map[int]int{}
	for _, n := range srv.Notifications() {
		for _, m := range lineNumber.FindAllStringSubmatch(n.Message, -1) {
			k, _ := strconv.Atoi(m[1])
			seen[k]++
		}
	}
	for k := 1; k <= 10; k++ {
		want := 1 // in a first digest, safe before the kill
		if k <= 5 {
			want = 2 // and again in a digest still open at the kill
		}
		if seen[k] != want {
			t.Errorf("key %d alerted %d times, want %d", k, seen[k], want)
		}
	}
	t.Logf("killed %v after the start; %d messages in all", killedAfter.Round(time.Millisecond), len(srv.Notifications()))
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// savedOffset reads the offset of path from the positions file in dir, -1
// when it holds none.
func savedOffset(t *testing.T, dir, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, tailer.PositionsFile))
	if err != nil {
		return -1
	}
	var p struct {
		Files []struct {
			Path   string `json:"path"`
			Offset int64  `json:"offset"`
		} `json:"files"`
	}
	if json.Unmarshal(b, &p) != nil {
		return -1
	}
	for _, f := range p.Files {
		if f.Path == path {
			return f.Offset
		}
	}
	return -1
}
