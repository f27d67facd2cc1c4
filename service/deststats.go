package service

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/roomwatch/roomwatch/batch"
	"github.com/roomwatch/roomwatch/pipeline"
	"github.com/roomwatch/roomwatch/sender"
)

// destStats is what delivery tells about one destination, for metrics,
// health and the status line.
type destStats struct {
	Sent    uint64 // digests the server accepted
	Failed  uint64 // digests given up on (permanent failures)
	Retried uint64 // failed attempts that were retried
	Merged  uint64 // digests merged into others while the destination was limited

	// FailingSince is when the destination started failing: the first
	// failed attempt after the last success; zero while it is not.
	FailingSince time.Time

	// LastError is the last failure's text (the server's message and what
	// it usually means), LastErrorAt when it happened.
	LastError   string
	LastErrorAt time.Time

	OutboxDepth   int       // digests waiting in the outbox
	OutboxOldest  time.Time // when the oldest waiting digest was written; zero when empty
	OutboxOverCap bool      // the outbox is past its size cap
}

// countingNotifier is a destination's notifier as the daemon runs it: a
// reload can swap the notifier underneath, and every attempt is counted.
// It is safe for concurrent use.
type countingNotifier struct {
	now    func() time.Time
	name   string          // the destination's name
	recent *recentMessages // where sent digests are recorded; may be nil
	cur    atomic.Pointer[liveNotifier]

	sent, failed, retried atomic.Uint64

	mu        sync.Mutex // protects the fields below
	failing   time.Time  // FailingSince
	lastErr   string
	lastErrAt time.Time
}

// liveNotifier is one built notifier with what closes it.
type liveNotifier struct {
	n sender.Notifier
	c io.Closer // nil if nothing to close
}

var (
	_ sender.Notifier  = (*countingNotifier)(nil)
	_ pipeline.Wrapper = (*countingNotifier)(nil)
)

// countDeliveries wraps the destination's notifier in a counting one and
// returns it. It must run before delivery starts.
func countDeliveries(d *pipeline.Destination, name string, recent *recentMessages) *countingNotifier {
	t := &countingNotifier{now: time.Now, name: name, recent: recent}
	t.cur.Store(&liveNotifier{n: d.Notifier, c: d.Closer})
	d.Notifier = t
	return t
}

// Notify implements sender.Notifier.
func (t *countingNotifier) Notify(ctx context.Context, d *batch.Digest) error {
	err := t.cur.Load().n.Notify(ctx, d)
	switch {
	case err == nil:
		t.sent.Add(1)
		t.mu.Lock()
		t.failing = time.Time{}
		t.mu.Unlock()
		if t.recent != nil {
			t.recent.add(t.now(), t.name, d)
		}
		return nil
	case ctx.Err() != nil:
		return err // a stop, not the destination's failure
	case sender.KindOf(err) == sender.Permanent:
		t.failed.Add(1)
	default:
		t.retried.Add(1)
	}
	now := t.now()
	t.mu.Lock()
	if t.failing.IsZero() {
		t.failing = now
	}
	t.lastErr, t.lastErrAt = err.Error(), now
	t.mu.Unlock()
	return err
}

// swap puts n in place of the current notifier and returns the old one's
// closer, to be closed once no delivery can be using it.
func (t *countingNotifier) swap(n *liveNotifier) io.Closer {
	return t.cur.Swap(n).c
}

// Unwrap returns the notifier it counts for (pipeline.Wrapper), so that
// its own rate limits hold.
func (t *countingNotifier) Unwrap() sender.Notifier { return t.cur.Load().n }

// stats returns the attempt counts.
func (t *countingNotifier) stats() destStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return destStats{Sent: t.sent.Load(), Failed: t.failed.Load(), Retried: t.retried.Load(), FailingSince: t.failing,
		LastError: t.lastErr, LastErrorAt: t.lastErrAt}
}
