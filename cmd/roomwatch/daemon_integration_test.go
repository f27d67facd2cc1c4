package main

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// These tests run `roomwatch run` as a process on real files, against the
// fake HipChat server, and count every delivered line by its id: every
// matched line must arrive, and arrive once, unless the daemon was killed.

const globInput = `  - path: $DIR/*.log
    start: beginning`

// TestRunAppends follows two files through appends.
func TestRunAppends(t *testing.T) {
	t.Parallel() // each runs its own binary, server and folders; most of their time is waiting
	d := newDaemonEnv(t, globInput, idRule)
	writeIDs(t, d.path("a.log"), 0, 100) // before the first start
	p := d.start(nil)
	p.waitFollowing(d.path("a.log"))
	for i := 100; i < 1000; i += 100 {
		writeIDs(t, d.path("a.log"), i, i+50)
		writeIDs(t, d.path("b.log"), i+50, i+100)
	}
	d.waitIDs(0, 1000)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	d.checkExactlyOnce(0, 1000)
}

// TestRunRenameRotation renames the file away (to a name the glob does not
// match) while its writer goes on writing into it, then creates a new one.
func TestRunRenameRotation(t *testing.T) {
	// Not parallel: it writes within the 1s a rotated file must stay quiet.
	d := newDaemonEnv(t, globInput, idRule)
	p := d.start(nil)
	old, err := os.OpenFile(d.path("app.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	p.waitFollowing(d.path("app.log"))
	writeIDsTo(t, old, 0, 500)
	if err := os.Rename(d.path("app.log"), d.path("app.log.1")); err != nil {
		t.Fatal(err)
	}
	writeIDsTo(t, old, 500, 600) // the writer has not reopened yet
	writeIDs(t, d.path("app.log"), 600, 800)
	time.Sleep(300 * time.Millisecond) // less than the 1s a rotated file must stay quiet
	writeIDsTo(t, old, 800, 900)       // a late write into the rotated file
	writeIDs(t, d.path("app.log"), 900, 1000)
	d.waitIDs(0, 1000)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	d.checkExactlyOnce(0, 1000)
}

// TestRunCopyTruncate copies the file away (to a name the glob does not
// match), truncates it, and writes on: first less than before, then more.
func TestRunCopyTruncate(t *testing.T) {
	t.Parallel() // each runs its own binary, server and folders; most of their time is waiting
	d := newDaemonEnv(t, globInput, idRule)
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
		writeIDsTo(t, w, next, next+n)
		next += n
		d.waitIDs(0, next) // logrotate's copy comes long after the writes
		copyFile(t, path, path+".1")
		if err := w.Truncate(0); err != nil {
			t.Fatal(err)
		}
	}
	writeIDsTo(t, w, next, next+100)
	next += 100
	d.waitIDs(0, next)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	d.checkExactlyOnce(0, next)
}

// TestRunNewFiles picks up files that appear in the glob's directory.
func TestRunNewFiles(t *testing.T) {
	t.Parallel() // each runs its own binary, server and folders; most of their time is waiting
	d := newDaemonEnv(t, globInput, idRule)
	writeIDs(t, d.path("first.log"), 0, 10)
	p := d.start(nil)
	p.waitFollowing(d.path("first.log"))
	writeIDs(t, d.path("second.log"), 10, 300)
	writeIDs(t, d.path("ignored.txt"), 5000, 5100) // not matched by the glob
	writeIDs(t, d.path("third.log"), 300, 600)
	writeIDs(t, d.path("second.log"), 600, 1000)
	d.waitIDs(0, 1000)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	d.checkExactlyOnce(0, 1000)
}

// TestRunStopStart stops the daemon, writes while it is stopped (to the
// old file, a rotated one and a new one), and starts it again.
func TestRunStopStart(t *testing.T) {
	t.Parallel() // each runs its own binary, server and folders; most of their time is waiting
	d := newDaemonEnv(t, globInput, idRule)
	p := d.start(nil)
	writeIDs(t, d.path("app.log"), 0, 500)
	d.waitIDs(0, 500)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	writeIDs(t, d.path("app.log"), 500, 700)
	if err := os.Rename(d.path("app.log"), d.path("app.log.1")); err != nil {
		t.Fatal(err)
	}
	writeIDs(t, d.path("app.log.1"), 700, 800)
	writeIDs(t, d.path("app.log"), 800, 900)
	writeIDs(t, d.path("other.log"), 900, 1000)
	p = d.start(nil)
	d.waitIDs(0, 1000)
	if code := p.stop(syscall.SIGINT); code != 0 {
		t.Errorf("exit status %d after SIGINT, want 0", code)
	}
	d.checkExactlyOnce(0, 1000)
}

// burst writes ids 0..n-1 to path in chunks of 100 lines, a pause between
// chunks, and closes done at the end. It runs on its own goroutine, so it
// reports a failure with t.Error.
func burst(t *testing.T, path string, n int, pause time.Duration, done chan<- struct{}) {
	defer close(done)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	for i := 0; i < n; i += 100 {
		if err := appendIDs(f, i, min(i+100, n)); err != nil {
			t.Error(err)
			return
		}
		time.Sleep(pause)
	}
}

// TestRunStopDuringBurst sends SIGTERM while thousands of lines are being
// written and delivered: the daemon exits 0, and after a start every line
// has been delivered once.
func TestRunStopDuringBurst(t *testing.T) {
	// Not parallel: the burst must be delivered within deliveryDeadline,
	// which a machine shared with the other daemons cannot promise.
	const n = 20000
	d := newDaemonEnv(t, globInput, idRule)
	p := d.start(nil)
	done := make(chan struct{})
	// The writer is joined below, before the restart.
	go burst(t, d.path("app.log"), n, 20*time.Millisecond, done) // about 4s
	d.waitNotifications(50)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	first := len(d.delivered())
	<-done
	p = d.start(nil)
	d.waitIDs(0, n)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	d.checkExactlyOnce(0, n)
	t.Logf("%d of %d lines delivered before the stop", first, n)
	if first == 0 || first == n {
		t.Errorf("the stop came at the wrong time to test anything: %d of %d lines delivered before it", first, n)
	}
}

// TestRunKillDuringBurst kills the daemon (SIGKILL) while thousands of lines
// are being written and delivered, just after it saved its positions in
// the middle of the burst, and starts it again: every line is delivered,
// some twice. The file exists before the first start and is read from its
// end: its old lines are never sent.
func TestRunKillDuringBurst(t *testing.T) {
	// Not parallel: the burst must be delivered within deliveryDeadline,
	// which a machine shared with the other daemons cannot promise.
	const n = 20000
	d := newDaemonEnv(t, `  - path: $DIR/*.log`, idRule)
	path := d.path("app.log")
	writeIDs(t, path, 100000, 100100) // before the first start: skipped
	p := d.start(nil)
	p.waitFollowing(path)
	start := d.waitSavedOffset(path, 0)
	done := make(chan struct{})
	// The writer (about 6s) is joined below, before the restart.
	go burst(t, path, n, 30*time.Millisecond, done)
	d.waitSavedOffset(path, start) // a periodic save, every 5s
	if code := p.stop(syscall.SIGKILL); code != -1 {
		t.Errorf("exit status %d after SIGKILL, want -1 (killed)", code)
	}
	first := len(d.delivered())
	<-done
	p = d.start(nil)
	d.waitIDs(0, n)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	lost, twice, extra := d.tally(0, n)
	if lost > 0 || extra > 0 {
		t.Errorf("after kill -9: %d lost, %d not written (or written before the first start)", lost, extra)
	}
	t.Logf("%d lines delivered before the kill; %d of %d delivered twice after the restart", first, twice, n)
	if first == 0 || first == n {
		t.Errorf("the kill came at the wrong time to test anything: %d of %d lines delivered before it", first, n)
	}
}

// TestRunRefusedDeliveryIsDeadLetter: digests the server refuses (a
// revoked token) are kept as dead letters, never retried on their own and
// never lost; `roomwatch outbox retry` puts them back, and the next start
// delivers every line once.
func TestRunRefusedDeliveryIsDeadLetter(t *testing.T) {
	t.Parallel() // each runs its own binary, server and folders; most of their time is waiting
	d := newDaemonEnv(t, globInput, idRule)
	d.token = "revoked"
	p := d.start(nil)
	writeIDs(t, d.path("app.log"), 0, 200)
	p.waitLog(`msg="delivery refused; kept as a dead letter, not retried"`)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	if got := len(d.srv.Notifications()); got != 0 {
		t.Fatalf("%d notifications accepted with a revoked token", got)
	}
	retry := exec.Command(p.cmd.Path, "outbox", "retry", "-c", d.cfg)
	retry.Env = append(os.Environ(), "HIPCHAT_TOKEN="+daemonToken)
	out, err := retry.CombinedOutput()
	if err != nil {
		t.Fatalf("outbox retry: %v\n%s", err, out)
	}
	d.token = daemonToken
	p = d.start(nil)
	d.waitIDs(0, 200)
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	d.checkExactlyOnce(0, 200)
}

// TestRunStdin reads standard input (input "-") and ends at its end.
func TestRunStdin(t *testing.T) {
	t.Parallel() // each runs its own binary, server and folders; most of their time is waiting
	d := newDaemonEnv(t, `  - path: "-"`, idRule)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := d.start(r)
	r.Close()
	writeIDsTo(t, w, 0, 3000)
	if _, err := w.WriteString("line " + lineID(3000)); err != nil { // no newline at the end
		t.Fatal(err)
	}
	w.Close()
	if code := p.wait(); code != 0 {
		t.Errorf("exit status %d at the end of standard input, want 0", code)
	}
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
