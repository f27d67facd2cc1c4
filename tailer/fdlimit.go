package tailer

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"syscall"
)

// fdBudget keeps the followers from taking every file descriptor: under a
// low limit (RLIMIT_NOFILE) roomwatch follows as many files as it can
// while keeping descriptors for the outbox, the destinations' connections
// and the listener, says once which files it does not follow and why,
// and follows them as descriptors free up.
type fdBudget struct {
	limit int64         // RLIMIT_NOFILE; 0 if unknown
	max   int64         // files followed at most; 0 for no bound
	open  atomic.Int64  // files the followers hold open
	freed chan struct{} // a follower closed its file (capacity 1)

	// Owned by the Run goroutine.
	starved map[string]string // path -> why it is not followed, rebuilt by each scan
	logged  bool              // the current shortage was logged

	// For readers on other goroutines (status page, /healthz).
	count atomic.Int64
	why   atomic.Pointer[string]
}

// fdReserve is how many descriptors are kept from the followers: at
// least 20 (outbox and positions files, connections, the listener and
// its clients, watches, standard streams), or a sixteenth of the limit.
func fdReserve(limit int64) int64 { return max(20, limit/16) }

// init reads the limit and sets the bound.
func (b *fdBudget) init() {
	b.limit, b.freed, b.starved = nofileLimit(), make(chan struct{}, 1), map[string]string{}
	if b.limit > 0 {
		b.max = max(8, b.limit-fdReserve(b.limit))
	}
}

// full reports whether the followers hold all the descriptors they may.
func (b *fdBudget) full() bool { return b.max > 0 && b.open.Load() >= b.max }

// took records a file opened for a follower.
func (b *fdBudget) took() { b.open.Add(1) }

// release records a follower's file closed, and wakes the scan that
// retries the files not followed.
func (b *fdBudget) release() {
	b.open.Add(-1)
	select {
	case b.freed <- struct{}{}:
	default:
	}
}

// outOfDescriptors reports whether err says the process or the system ran
// out of file descriptors.
func outOfDescriptors(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)
}

// starve records that the file at path is not followed for want of
// descriptors; the summary is logged after the scan (reportStarved).
func (t *Tailer) starve(path string, err error) {
	why := fmt.Sprintf("%d files followed, the rest of the descriptor limit (%d) kept for delivery", t.fds.open.Load(), t.fds.limit)
	if err != nil {
		why = err.Error()
	}
	t.fds.starved[path] = why
}

// reportStarved publishes the files a scan could not follow, and logs a
// shortage once when it starts and once when it ends, instead of a line
// per file per scan.
func (t *Tailer) reportStarved() {
	b := &t.fds
	n := len(b.starved)
	b.count.Store(int64(n))
	if n == 0 {
		b.why.Store(nil)
		if b.logged {
			t.log.Info("every input file is followed again")
			b.logged = false
		}
		return
	}
	paths := make([]string, 0, n)
	for p := range b.starved {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	why := fmt.Sprintf("not enough file descriptors: %s", b.starved[paths[0]])
	b.why.Store(&why)
	if b.logged {
		return
	}
	b.logged = true
	shown := paths[:min(len(paths), 10)]
	t.log.Warn("input files not followed: not enough file descriptors; they are followed as descriptors free up. "+
		"Raise the limit (LimitNOFILE= in the unit, ulimit -n) to follow them all",
		"files", n, "limit", b.limit, "followed", b.open.Load(), "why", b.starved[paths[0]], "paths", shown)
}

// NotFollowed returns how many matched input files are not followed for
// want of file descriptors, and why; 0 and "" when every file is.
func (t *Tailer) NotFollowed() (int, string) {
	n := int(t.fds.count.Load())
	if n == 0 {
		return 0, ""
	}
	why := ""
	if w := t.fds.why.Load(); w != nil {
		why = *w
	}
	return n, why
}
