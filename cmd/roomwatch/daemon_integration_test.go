package main

import (
	"os"
	"syscall"
	"testing"

	"github.com/roomwatch/roomwatch/internal/idlines"
)

// These tests run `roomwatch run` as a process on real files, against the
// fake HipChat server, and count every delivered line by its id: every
// matched line must arrive, some twice after a kill. The daemon's logic on
// files (appends, rotations, stops and starts, dead letters, standard input)
// is tested in-process in service/; here is what needs a process: SIGKILL.

// TestRunKillDuringBurst kills the daemon (SIGKILL) while thousands of lines
// are being written and delivered, just after it saved its positions in
// the middle of the burst, and starts it again: every line is delivered,
// some twice. The writer holds the second half of the burst back until
// the kill, so the kill always comes mid-burst. The file exists before the first start and is read from its
// end: its old lines are never sent.
func TestRunKillDuringBurst(t *testing.T) {
	t.Parallel() // its waits are for progress, each bounded by deliveryDeadline
	const n = 20000
	d := newDaemonEnv(t, `  - path: $DIR/*.log`, idlines.Rule)
	path := d.path("app.log")
	idlines.WriteFile(t, path, 100000, 100100) // before the first start: skipped
	p := d.start(nil)
	p.waitFollowing(path)
	start := d.waitSavedOffset(path, 0)
	done := make(chan struct{})
	resume := make(chan struct{})
	// The writer holds its second half back until the kill; it is
	// joined below, before the restart.
	go burst(t, path, n, resume, done)
	d.waitSavedOffset(path, start) // a periodic save, every 5s
	if code := p.stop(syscall.SIGKILL); code != -1 {
		t.Errorf("exit status %d after SIGKILL, want -1 (killed)", code)
	}
	first := len(d.delivered())
	close(resume)
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
	if first == 0 || first > n/2 {
		t.Errorf("the kill came at the wrong time to test anything: %d of %d lines delivered before it", first, n)
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
