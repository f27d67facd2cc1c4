package service

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/internal/idlines"
	"github.com/roomwatch/roomwatch/sender"
)

// These tests run the daemon on real files, against the fake HipChat
// server, and count every delivered line by its id: every matched line
// must arrive, and arrive once. They wait for deliveries, never for time
// to pass: where the tailer's quiet time matters, its clock is stepped.

const globInput = `  - path: $DIR/*.log
    start: beginning`

// TestRunAppends follows two files through appends.
func TestRunAppends(t *testing.T) {
	t.Parallel()
	d := newFilesEnv(t, globInput, idlines.Rule)
	idlines.WriteFile(t, d.path("a.log"), 0, 100) // before the first start
	p := d.start(nil)
	p.waitFollowing(d.path("a.log"))
	for i := 100; i < 1000; i += 100 {
		idlines.WriteFile(t, d.path("a.log"), i, i+50)
		idlines.WriteFile(t, d.path("b.log"), i+50, i+100)
	}
	d.waitIDs(0, 1000)
	p.stop()
	d.checkExactlyOnce(0, 1000)
}

// TestRunRenameRotation renames the file away (to a name the glob does not
// match) while its writer goes on writing into it, then creates a new one.
// The tailer's clock stands still until the test steps it, so the late
// writes into the rotated file come within the time it must stay quiet,
// and the new file waits until the old one is drained.
func TestRunRenameRotation(t *testing.T) {
	t.Parallel()
	d := newFilesEnv(t, globInput, idlines.Rule)
	clock := newStepClock()
	d.files.Now, d.files.Waker = clock.Now, clock
	p := d.start(nil)
	old, err := os.OpenFile(d.path("app.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	p.waitFollowing(d.path("app.log"))
	idlines.Write(t, old, 0, 500)
	if err := os.Rename(d.path("app.log"), d.path("app.log.1")); err != nil {
		t.Fatal(err)
	}
	idlines.Write(t, old, 500, 600) // the writer has not reopened yet
	idlines.WriteFile(t, d.path("app.log"), 600, 800)
	p.waitLog(`msg="following file" path=` + regexp.QuoteMeta(d.path("app.log")) + ` `) // the new one, after the rotation
	d.waitIDs(0, 600)
	idlines.Write(t, old, 800, 900) // a late write into the rotated file, still within its quiet time
	idlines.WriteFile(t, d.path("app.log"), 900, 1000)
	d.waitIDs(800, 900)
	if n := d.countDelivered(600, 800) + d.countDelivered(900, 1000); n != 0 {
		t.Errorf("%d lines of the new file delivered before the rotated one was quiet for RotateWait", n)
	}
	clock.Step(2 * time.Second) // past RotateWait (1s): the rotated file is drained
	d.waitIDs(0, 1000)
	p.stop()
	d.checkExactlyOnce(0, 1000)
}

// TestRunCopyTruncate copies the file away (to a name the glob does not
// match), truncates it, and writes on: first less than before, then more.
func TestRunCopyTruncate(t *testing.T) {
	t.Parallel()
	d := newFilesEnv(t, globInput, idlines.Rule)
	p := d.start(nil)
	path := d.path("app.log")
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p.waitFollowing(path)
	next := 0
	for _, n := range []int{500, 100, 2000} {
		idlines.Write(t, w, next, next+n)
		next += n
		d.waitIDs(0, next) // logrotate's copy comes long after the writes
		copyFile(t, path, path+".1")
		if err := w.Truncate(0); err != nil {
			t.Fatal(err)
		}
	}
	idlines.Write(t, w, next, next+100)
	next += 100
	d.waitIDs(0, next)
	p.stop()
	d.checkExactlyOnce(0, next)
}

// TestRunNewFiles picks up files that appear in the glob's directory.
func TestRunNewFiles(t *testing.T) {
	t.Parallel()
	d := newFilesEnv(t, globInput, idlines.Rule)
	idlines.WriteFile(t, d.path("first.log"), 0, 10)
	p := d.start(nil)
	p.waitFollowing(d.path("first.log"))
	idlines.WriteFile(t, d.path("second.log"), 10, 300)
	idlines.WriteFile(t, d.path("ignored.txt"), 5000, 5100) // not matched by the glob
	idlines.WriteFile(t, d.path("third.log"), 300, 600)
	idlines.WriteFile(t, d.path("second.log"), 600, 1000)
	d.waitIDs(0, 1000)
	p.stop()
	d.checkExactlyOnce(0, 1000)
}

// TestRunStopStart stops the daemon, writes while it is stopped (to the
// old file, a rotated one and a new one), and starts it again.
func TestRunStopStart(t *testing.T) {
	t.Parallel()
	d := newFilesEnv(t, globInput, idlines.Rule)
	p := d.start(nil)
	idlines.WriteFile(t, d.path("app.log"), 0, 500)
	d.waitIDs(0, 500)
	p.stop()
	idlines.WriteFile(t, d.path("app.log"), 500, 700)
	if err := os.Rename(d.path("app.log"), d.path("app.log.1")); err != nil {
		t.Fatal(err)
	}
	idlines.WriteFile(t, d.path("app.log.1"), 700, 800)
	idlines.WriteFile(t, d.path("app.log"), 800, 900)
	idlines.WriteFile(t, d.path("other.log"), 900, 1000)
	p = d.start(nil)
	d.waitIDs(0, 1000)
	p.stop()
	d.checkExactlyOnce(0, 1000)
}

// TestRunStopDuringBurst stops the daemon while thousands of lines are
// being written and delivered: it stops cleanly, and after a start every
// line has been delivered once. The writer holds its second half back
// until the daemon has stopped, so the stop always comes mid-burst.
func TestRunStopDuringBurst(t *testing.T) {
	t.Parallel()
	const n = 20000
	d := newFilesEnv(t, globInput, idlines.Rule)
	p := d.start(nil)
	resume := make(chan struct{})
	done := make(chan struct{})
	// The writer is joined below, before the restart.
	go burst(t, d.path("app.log"), n, resume, done)
	d.waitNotifications(50)
	p.stop()
	first := len(d.delivered())
	close(resume)
	<-done
	p = d.start(nil)
	d.waitIDs(0, n)
	p.stop()
	d.checkExactlyOnce(0, n)
	t.Logf("%d of %d lines delivered before the stop", first, n)
	if first == 0 || first > n/2 {
		t.Errorf("the stop came at the wrong time to test anything: %d of %d lines delivered before it", first, n)
	}
}

// burst writes ids 0..n-1 to path in chunks of 100 lines: the first half,
// then, once resume is closed, the second; it closes done at the end. It
// runs on its own goroutine, so it reports a failure with t.Error.
func burst(t *testing.T, path string, n int, resume <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	for i := 0; i < n; i += 100 {
		if i == n/2 {
			<-resume
		}
		if err := idlines.Append(f, i, min(i+100, n)); err != nil {
			t.Error(err)
			return
		}
	}
}

// TestRunRefusedDeliveryIsDeadLetter: digests the server refuses (a
// revoked token) are kept as dead letters, never retried on their own and
// never lost; put back into the outbox (as `roomwatch outbox retry` does),
// the next start delivers every line once.
func TestRunRefusedDeliveryIsDeadLetter(t *testing.T) {
	t.Parallel()
	d := newFilesEnv(t, globInput, idlines.Rule)
	d.token = "revoked"
	p := d.start(nil)
	idlines.WriteFile(t, d.path("app.log"), 0, 200)
	p.waitLog(`msg="delivery refused; kept as a dead letter, not retried"`)
	p.stop()
	if got := len(d.srv.Notifications()); got != 0 {
		t.Fatalf("%d notifications accepted with a revoked token", got)
	}
	dead := filepath.Join(sender.DestinationDir(filepath.Join(d.state, "outbox"), "hipchat"), sender.DeadDir)
	names, err := sender.ListRecords(dead)
	if err != nil || len(names) == 0 {
		t.Fatalf("dead letters in %s: %v %v", dead, names, err)
	}
	for _, n := range names {
		if err := sender.Retry(filepath.Join(dead, n)); err != nil {
			t.Fatal(err)
		}
	}
	d.token = filesToken
	p = d.start(nil)
	d.waitIDs(0, 200)
	p.stop()
	d.checkExactlyOnce(0, 200)
}

// TestRunStdin reads standard input (input "-") and ends at its end.
func TestRunStdin(t *testing.T) {
	t.Parallel()
	d := newFilesEnv(t, `  - path: "-"`, idlines.Rule)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := d.start(r)
	idlines.Write(t, w, 0, 3000)
	if _, err := w.WriteString("line " + idlines.ID(3000)); err != nil { // no newline at the end
		t.Fatal(err)
	}
	w.Close()
	p.wait()
	d.checkExactlyOnce(0, 3001)
}

// copyFile copies src to dst, as logrotate's copytruncate does.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
